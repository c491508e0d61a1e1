import Foundation
import Yams

/// Reads a policy file (docs/POLICY-FORMAT.md) into a `Policy`, reporting every problem
/// with its line and column.
public enum PolicyLoader {
    /// With `calendar`, also what only the university's calendar can tell: a `term:` the calendar's years do not
    /// have, a deadline that falls before its academic year starts.
    public static func load(_ text: String, fileName: String = "policy.yaml", calendar: AcademicCalendar? = nil) throws(YAMLLoadError) -> Policy {
        let reader = YAMLReader()
        let policy = PolicyDecoder(reader: reader, calendar: calendar).decode(text)
        guard let policy, reader.diagnostics.isEmpty else {
            throw YAMLLoadError(fileName: fileName, diagnostics: sorted(reader.diagnostics))
        }
        return policy
    }

    /// Every problem of the file, in position order; empty when it loads.
    public static func diagnostics(_ text: String, calendar: AcademicCalendar? = nil) -> [YAMLDiagnostic] {
        let reader = YAMLReader()
        _ = PolicyDecoder(reader: reader, calendar: calendar).decode(text)
        return sorted(reader.diagnostics)
    }

    private static func sorted(_ list: [YAMLDiagnostic]) -> [YAMLDiagnostic] {
        list.enumerated().sorted { ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset) }
            .map(\.element)
    }
}

/// Decodes one policy file; every problem goes to `reader` as a diagnostic with its position.
/// A decoder returns nil for an invalid part only after reporting why.
struct PolicyDecoder {
    let reader: YAMLReader
    /// The calendar the policy will be judged on, when known.
    var calendar: AcademicCalendar?

    func decode(_ text: String) -> Policy? {
        guard let root = reader.compose(text), let top = reader.mapping(root, "策略文件") else { return nil }
        let id = top.require("id").flatMap { reader.string($0, "id") }
        let title = top.require("title").flatMap { reader.string($0, "title") }
        let document = top.take("document").flatMap { reader.string($0, "document") }
        let issuer = top.take("issuer").flatMap { reader.string($0, "issuer") }
        let issued = top.take("issued").flatMap { reader.date($0, "issued") }
        var vocabulary = ContactVocabulary.standard
        if let node = top.take("vocabulary") { decodeVocabulary(node, into: &vocabulary) }
        var filingKinds = FilingKind.standard
        if let node = top.take("filingKinds") { decodeFilingKinds(node, into: &filingKinds) }
        let roles = top.take("roles").map(decodeRoles) ?? []
        let context = RuleContext(roleNames: Set(roles.map(\.name)), vocabulary: vocabulary,
                                  filingKinds: Set(filingKinds.map(\.code)), years: calendar?.years ?? [])
        var rules: [PolicyRule] = []
        if let node = top.require("rules"), let items = reader.sequence(node, "rules") {
            var seen: [String: Int] = [:]
            for item in items {
                guard let rule = decodeRule(item, context) else { continue }
                if let line = seen[rule.id] {
                    reader.fail(at: item, .duplicateID, "规则编号 `\(rule.id)` 与第 \(line) 行重复", "rule id `\(rule.id)` is already used on line \(line)")
                }
                seen[rule.id] = item.mark?.line ?? 0
                rules.append(rule)
            }
        }
        top.finish()
        guard let id, let title else { return nil }
        return Policy(id: id, title: title, document: document, issuer: issuer, issuedOn: issued, roles: roles,
                      vocabulary: vocabulary, filingKinds: filingKinds, rules: rules)
    }

    // MARK: Rules

    /// The keys a rule's body can have, one per rule kind.
    enum RuleBodyKind: String, CaseIterable {
        case count, every, pairing, coverage, timeShare, filing, response

        /// Rules that bind cadres; the others bind units or the school.
        var forCadres: Bool { [.count, .every, .pairing, .timeShare].contains(self) }
    }

    struct RuleContext {
        var roleNames: Set<String>
        var vocabulary: ContactVocabulary
        var filingKinds: Set<String>
        /// The calendar's academic years; empty when the policy is checked without one.
        var years: [AcademicYear]
    }

    private func decodeRule(_ node: Node, _ context: RuleContext) -> PolicyRule? {
        guard let f = reader.mapping(node, "规则") else { return nil }
        let id = f.require("id").flatMap { reader.string($0, "id") }
        let title = f.take("title").flatMap { reader.string($0, "title") }
        let whoNode = f.require("who")
        var group: GroupQuota?
        let subject = whoNode.flatMap { node -> RuleSubject? in
            guard Self.namesGroup(node) else { return decodeSubject(node, context) }
            group = decodeGroup(node, context)
            return group.map { .cadres($0.selector) }
        }
        var severity = PolicyRule.Severity.required
        if let n = f.take("severity"), let text = reader.string(n, "severity") {
            if let value = PolicyRule.Severity(rawValue: text) { severity = value } else {
                reader.fail(at: n, .invalidValue, "severity 应为 required 或 advisory", "severity must be required or advisory")
            }
        }
        let source = f.take("source").flatMap { reader.string($0, "source") }
        let present = RuleBodyKind.allCases.filter { f.has($0.rawValue) }
        var body: RuleBody?
        if present.count != 1 {
            let keys = RuleBodyKind.allCases.map(\.rawValue).joined(separator: ", ")
            reader.fail(at: node, present.isEmpty ? .missingField : .invalidValue,
                        "规则须恰好有一个规则体：\(keys)", "a rule needs exactly one body: \(keys)")
        } else if let kind = present.first, let bodyNode = f.take(kind.rawValue) {
            body = decodeBody(kind, bodyNode, context, subject: subject, whoNode: whoNode)
        }
        for kind in RuleBodyKind.allCases { _ = f.take(kind.rawValue) }
        f.finish()
        guard let id, let subject, let body else { return nil }
        if let group, let whoNode, !checkGroup(group, body: body, whoNode: whoNode) { return nil }
        return PolicyRule(id: id, title: title, subject: subject, severity: severity, source: source, body: body, group: group)
    }

    private func decodeSubject(_ node: Node, _ context: RuleContext) -> RuleSubject? {
        if case .scalar(let scalar) = node, scalar.string == "school" { return .school }
        if case .mapping(let mapping) = node, let unitsNode = mapping["units"] {
            guard mapping.count == 1 else {
                reader.fail(at: node, .invalidValue, "`units` 不能与人员条件并用", "`units` cannot be combined with cadre conditions")
                return nil
            }
            return decodeUnitSelector(unitsNode).map(RuleSubject.units)
        }
        return decodeSelector(node, roleNames: context.roleNames).map(RuleSubject.cadres)
    }

    private func decodeUnitSelector(_ node: Node) -> UnitSelector? {
        if case .scalar(let scalar) = node, scalar.string == "any" { return UnitSelector() }
        guard let f = reader.mapping(node, "单位选择器") else { return nil }
        var selector = UnitSelector()
        if let n = f.take("kind") {
            guard let kinds = reader.enumValues(n, "单位类型", code: .unknownUnitKind, allowed: UnitKind.allCases.map(\.rawValue), UnitKind.init(flexible:)) else { return nil }
            selector.kinds = Set(kinds)
        }
        if let n = f.take("codes") {
            guard let codes = reader.strings(n, "单位代码") else { return nil }
            selector.codes = Set(codes.map(\.0))
        }
        f.finish()
        return selector
    }

    private func decodeBody(_ kind: RuleBodyKind, _ node: Node, _ context: RuleContext, subject: RuleSubject?, whoNode: Node?) -> RuleBody? {
        guard let f = reader.mapping(node, kind.rawValue) else { return nil }
        defer { f.finish() }
        let key = kind.rawValue
        if let subject, let whoNode {
            let isCadres: Bool = if case .cadres = subject { true } else { false }
            // `pairing: { target: college }` also binds units: the colleges a 部处 links (§4.18).
            // A filing binds units, the school, or each cadre of a role (§4.16).
            if kind.forCadres != isCadres && kind != .filing && !(kind == .pairing && !isCadres && Self.targetsColleges(node)) {
                reader.fail(at: whoNode, .invalidValue,
                            kind.forCadres ? "`\(key)` 规则的 who 应为人员角色" : "`\(key)` 规则的 who 应为 school 或 {units: …}",
                            kind.forCadres ? "a `\(key)` rule applies to cadres: `who` must be a role"
                                           : "a `\(key)` rule applies to units: `who` must be `school` or `{units: …}`")
            }
        }
        // A body is valid when decoding it reported nothing; optional fields are then nil only when absent.
        let problems = reader.diagnostics.count
        let body: RuleBody? = switch kind {
        case .count: decodeCount(f, context)
        case .every: decodeEvery(f, context)
        case .pairing: decodePairing(f, node: node, context)
        case .coverage: decodeCoverage(f, context)
        case .timeShare: decodeTimeShare(f, context)
        case .filing: decodeFiling(f, context)
        case .response: decodeResponse(f)
        }
        return reader.diagnostics.count == problems ? body : nil
    }
}
