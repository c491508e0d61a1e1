import Foundation
import Yams

/// `vocabulary:` (venues, kinds and their groups) and `filingKinds:`, each added to the standard lists.
extension PolicyDecoder {
    func decodeVocabulary(_ node: Node, into vocabulary: inout ContactVocabulary) {
        guard let fields = reader.mapping(node, "vocabulary") else { return }
        for item in fields.take("venues").flatMap({ reader.sequence($0, "venues") }) ?? [] {
            guard let (f, code, label) = labelledEntry(item, "场所") else { continue }
            f.finish()
            vocabulary.add(ContactVenue(code: code, label: label))
        }
        for item in fields.take("kinds").flatMap({ reader.sequence($0, "kinds") }) ?? [] {
            guard let (f, code, label) = labelledEntry(item, "活动类型") else { continue }
            let inPerson = f.take("inPerson").flatMap { reader.bool($0, "inPerson") } ?? true
            var venue: String?
            if let v = f.take("venue"), let text = reader.string(v, "venue") {
                if vocabulary.venue(text) == nil {
                    reader.fail(at: v, .unknownVenue, "未知的场所「\(text)」", "unknown venue “\(text)”")
                }
                venue = text
            }
            f.finish()
            vocabulary.add(ContactKind(code: code, label: label, inPerson: inPerson, defaultVenue: venue))
        }
        // A group may name a group defined before it, so each is added before the next is read.
        decodeGroups(fields.take("kindGroups"), key: "kindGroups", what: ("活动类型", "activity kind"), unknown: .unknownKind,
                     expand: { vocabulary.expandKind($0) }, add: { vocabulary.setKindGroup($0, kinds: $1) })
        decodeGroups(fields.take("venueGroups"), key: "venueGroups", what: ("场所", "venue"), unknown: .unknownVenue,
                     expand: { vocabulary.expandVenue($0) }, add: { vocabulary.setVenueGroup($0, venues: $1) })
        fields.finish()
    }

    func decodeFilingKinds(_ node: Node, into kinds: inout [FilingKind]) {
        for item in reader.sequence(node, "filingKinds") ?? [] {
            guard let (f, code, label) = labelledEntry(item, "备案类型") else { continue }
            // `meeting: true`: a meeting record (例会、研判会), held rather than written (§4.16).
            let meeting = f.take("meeting").flatMap { reader.bool($0, "meeting") } ?? false
            f.finish()
            let kind = FilingKind(code: code, label: label, meeting: meeting)
            if let i = kinds.firstIndex(where: { $0.code == code }) { kinds[i] = kind } else { kinds.append(kind) }
        }
    }

    /// `{ code, zh, en }`: the labels default to the code. The caller takes its own fields, then finishes.
    private func labelledEntry(_ item: Node, _ what: String) -> (YAMLFields, String, Localized)? {
        guard let f = reader.mapping(item, what), let code = f.require("code").flatMap({ reader.string($0, "code") }) else { return nil }
        let zh = f.take("zh").flatMap { reader.string($0, "zh") } ?? code
        let en = f.take("en").flatMap { reader.string($0, "en") } ?? code
        return (f, code, Localized(zh: zh, en: en))
    }

    /// `name: [member, …]`, each member a code or an earlier group, expanded to codes.
    private func decodeGroups(_ node: Node?, key: String, what: (zh: String, en: String), unknown: YAMLDiagnostic.Code,
                              expand: (String) -> [String]?, add: (String, [String]) -> Void) {
        guard let node, let entries = reader.mapping(node, key)?.entries else { return }
        for entry in entries {
            guard let items = reader.strings(entry.value, what.zh) else { continue }
            var codes: [String] = []
            for (name, itemNode) in items {
                if let expanded = expand(name) { codes += expanded } else {
                    reader.fail(at: itemNode, unknown, "未知的\(what.zh)「\(name)」", "unknown \(what.en) “\(name)”")
                }
            }
            add(entry.key, codes)
        }
    }
}
