import Foundation
import Yams

/// The people plans bind (§4.18): `pairing: { target: college }` — colleges linked directly.
extension PolicyDecoder {
    /// `target: college | collectives` (default `collectives`): true when the rule counts college links. nil after a problem.
    /// With `college`, `collectiveKinds` and `key-student` mean nothing and are refused where they are written.
    func decodePairingTarget(_ f: YAMLFields, kindsNode: Node?, pairingKindsNode: Node?) -> Bool? {
        guard let node = f.take("target") else { return false }
        guard let text = reader.string(node, "target") else { return nil }
        switch text {
        case "collectives": return false
        case "college":
            if let kindsNode {
                reader.fail(at: kindsNode, .invalidValue, "target: college 计的是直接联系的院（系），不能再限定 collectiveKinds",
                            "target: college counts colleges linked directly: collectiveKinds cannot apply")
                return nil
            }
            if let pairingKindsNode, decodePairingKinds(pairingKindsNode)?.contains(.keyStudent) == true {
                reader.fail(at: pairingKindsNode, .invalidValue, "重点联系学生的结对对象是学生，不是院（系）", "a key-student pairing links a student, never a college")
                return nil
            }
            return true
        default:
            reader.fail(at: node, .invalidValue, "target 应为 college 或 collectives：\(text)", "target must be college or collectives: \(text)")
            return nil
        }
    }

    /// Whether a `pairing` body says `target: college`, so it may bind units as well as cadres.
    static func targetsColleges(_ body: Node) -> Bool {
        if case .mapping(let mapping) = body, case .scalar(let scalar)? = mapping["target"] { return scalar.string == "college" }
        return false
    }
}

/// Coverage from contacts and as a share (§4.19).
extension PolicyDecoder {
    /// `from: pairings | contacts` and what `contacts` takes (`per`, `kinds`, `venues`, `confirmedOnly`).
    /// `.some(nil)` for coverage by pairings; nil after a problem.
    func decodeContactCoverage(_ f: YAMLFields, _ context: RuleContext, pairingKindsNode: Node?, deadlineNode: Node?) -> ContactCoverage?? {
        var fromContacts = false
        if let node = f.take("from") {
            guard let text = reader.string(node, "from") else { return nil }
            switch text {
            case "pairings": break
            case "contacts": fromContacts = true
            default:
                reader.fail(at: node, .invalidValue, "from 应为 pairings（按结对）或 contacts（按联系记录）：\(text)",
                            "from must be pairings or contacts: \(text)")
                return nil
            }
        }
        guard fromContacts else {
            var ok = true
            for key in ["per", "kinds", "venues", "confirmedOnly"] where f.has(key) {
                ok = false
                reader.fail(at: f.take(key), .invalidValue, "`\(key)` 只用于 from: contacts（按联系记录计的覆盖）；按结对的覆盖按学年判定",
                            "`\(key)` applies to from: contacts only (coverage by the ledger); coverage by pairings is judged per academic year")
            }
            return ok ? .some(nil) : nil
        }
        var ok = true
        if let pairingKindsNode {
            ok = false
            reader.fail(at: pairingKindsNode, .invalidValue, "from: contacts 按联系记录计，与结对无关：pairingKinds 不适用",
                        "from: contacts counts ledger lines, not pairings: pairingKinds cannot apply")
        }
        if let deadlineNode {
            ok = false
            reader.fail(at: deadlineNode, .badDeadline, "from: contacts 每个周期分别判定，不设 deadline", "from: contacts judges each period on its own: it has no deadline")
        }
        let per = f.require("per").flatMap { reader.periodKind($0, allowed: [.week, .month, .term, .academicYear]) }
        let scopeNode = f.has("scope") ? f.take("scope") : nil
        if let scopeNode {
            ok = false
            reader.fail(at: scopeNode, .invalidValue, "覆盖规则计的是单位的集体，由谁走访都算：scope 不适用", "coverage counts the unit's collectives, whoever visits them: scope cannot apply")
        }
        let filter = decodeFilter(f, context, defaultKinds: ContactVocabulary.inPersonGroup)
        guard ok, let per, let filter else { return nil }
        return .some(ContactCoverage(filter: filter, per: per))
    }
}

/// Key-student talks counted per student (§4.20).
extension PolicyDecoder {
    /// `perKeyStudent: true | false` on a count rule; nil after a problem. The logs it counts (`/support`) carry a student,
    /// a day and a kind only, so the filters and measures that need more are refused where `perKeyStudent` is written.
    func decodePerKeyStudent(_ f: YAMLFields, filter: ContactFilter?, measure: ContactMeasure?, hasDeadline: Bool, hasMaxParticipants: Bool) -> Bool? {
        guard let node = f.take("perKeyStudent") else { return false }
        guard let on = reader.bool(node, "perKeyStudent") else { return nil }
        guard on, let filter, let measure else { return on ? nil : false }
        var unfit: [String] = []
        if filter.scope != .any { unfit.append("scope") }
        if filter.venues != nil { unfit.append("venues") }
        if filter.collectiveKinds != nil { unfit.append("collectiveKinds") }
        if filter.pairingKinds != nil { unfit.append("pairingKinds") }
        if filter.confirmedOnly { unfit.append("confirmedOnly") }
        if measure != .events { unfit.append("measure: \(measure.rawValue)") }
        if hasDeadline { unfit.append("deadline") }
        if hasMaxParticipants { unfit.append("maxParticipants") }
        if !unfit.isEmpty {
            let keys = unfit.joined(separator: ", ")
            reader.fail(at: node, .invalidValue, "perKeyStudent 按精准帮扶记录逐个学生计次（记录只有学生、日期和方式），不能与 \(keys) 并用",
                        "perKeyStudent counts the help logs per student (a log has a student, a day and a kind only): it cannot go with \(keys)")
            return nil
        }
        guard !filter.kinds.isDisjoint(with: SupportLog.activityKinds) else {
            reader.fail(at: node, .invalidValue, "perKeyStudent 只计精准帮扶记录：谈心谈话计为 heart-to-heart，其他帮扶计为 hardship-visit；kinds 中两者都没有，永远计不到",
                        "perKeyStudent counts help logs only — a talk as heart-to-heart, other help as hardship-visit; kinds has neither, so nothing could count")
            return nil
        }
        return true
    }
}
