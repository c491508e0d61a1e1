import Foundation
import Yams

/// Reads a policy file (docs/POLICY-FORMAT.md) into a `Policy`, reporting every problem
/// with its line and column.
public enum PolicyLoader {
    public static func load(_ text: String, fileName: String = "policy.yaml") throws(YAMLLoadError) -> Policy {
        let reader = YAMLReader()
        let policy = PolicyDecoder(reader: reader).decode(text)
        guard let policy, reader.diagnostics.isEmpty else {
            throw YAMLLoadError(fileName: fileName, diagnostics: sorted(reader.diagnostics))
        }
        return policy
    }

    /// Every problem of the file, in position order; empty when it loads.
    public static func diagnostics(_ text: String) -> [YAMLDiagnostic] {
        let reader = YAMLReader()
        _ = PolicyDecoder(reader: reader).decode(text)
        return sorted(reader.diagnostics)
    }

    private static func sorted(_ list: [YAMLDiagnostic]) -> [YAMLDiagnostic] {
        list.enumerated().sorted { ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset) }
            .map(\.element)
    }
}

private struct PolicyDecoder {
    let reader: YAMLReader

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
                                  filingKinds: Set(filingKinds.map(\.code)))
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

    // MARK: Vocabulary

    private func decodeVocabulary(_ node: Node, into vocabulary: inout ContactVocabulary) {
        guard let fields = reader.mapping(node, "vocabulary") else { return }
        if let list = fields.take("venues").flatMap({ reader.sequence($0, "venues") }) {
            for item in list {
                guard let f = reader.mapping(item, "场所"), let code = f.require("code").flatMap({ reader.string($0, "code") }) else { continue }
                let zh = f.take("zh").flatMap { reader.string($0, "zh") } ?? code
                let en = f.take("en").flatMap { reader.string($0, "en") } ?? code
                f.finish()
                vocabulary.add(ContactVenue(code: code, label: Localized(zh: zh, en: en)))
            }
        }
        if let list = fields.take("kinds").flatMap({ reader.sequence($0, "kinds") }) {
            for item in list {
                guard let f = reader.mapping(item, "活动类型"), let code = f.require("code").flatMap({ reader.string($0, "code") }) else { continue }
                let zh = f.take("zh").flatMap { reader.string($0, "zh") } ?? code
                let en = f.take("en").flatMap { reader.string($0, "en") } ?? code
                let inPerson = f.take("inPerson").flatMap { reader.bool($0, "inPerson") } ?? true
                var venue: String?
                if let v = f.take("venue"), let text = reader.string(v, "venue") {
                    if vocabulary.venue(text) == nil {
                        reader.fail(at: v, .unknownVenue, "未知的场所「\(text)」", "unknown venue “\(text)”")
                    }
                    venue = text
                }
                f.finish()
                vocabulary.add(ContactKind(code: code, label: Localized(zh: zh, en: en), inPerson: inPerson, defaultVenue: venue))
            }
        }
        if let groups = fields.take("kindGroups").flatMap({ reader.mapping($0, "kindGroups") }) {
            for entry in groups.entries {
                guard let items = reader.strings(entry.value, "活动类型") else { continue }
                var codes: [String] = []
                for (name, itemNode) in items {
                    if let expanded = vocabulary.expandKind(name) { codes += expanded } else {
                        reader.fail(at: itemNode, .unknownKind, "未知的活动类型「\(name)」", "unknown activity kind “\(name)”")
                    }
                }
                vocabulary.setKindGroup(entry.key, kinds: codes)
            }
            _ = groups
        }
        if let groups = fields.take("venueGroups").flatMap({ reader.mapping($0, "venueGroups") }) {
            for entry in groups.entries {
                guard let items = reader.strings(entry.value, "场所") else { continue }
                var codes: [String] = []
                for (name, itemNode) in items {
                    if let expanded = vocabulary.expandVenue(name) { codes += expanded } else {
                        reader.fail(at: itemNode, .unknownVenue, "未知的场所「\(name)」", "unknown venue “\(name)”")
                    }
                }
                vocabulary.setVenueGroup(entry.key, venues: codes)
            }
        }
        fields.finish()
    }

    private func decodeFilingKinds(_ node: Node, into kinds: inout [FilingKind]) {
        guard let list = reader.sequence(node, "filingKinds") else { return }
        for item in list {
            guard let f = reader.mapping(item, "备案类型"), let code = f.require("code").flatMap({ reader.string($0, "code") }) else { continue }
            let zh = f.take("zh").flatMap { reader.string($0, "zh") } ?? code
            let en = f.take("en").flatMap { reader.string($0, "en") } ?? code
            f.finish()
            let kind = FilingKind(code: code, label: Localized(zh: zh, en: en))
            if let i = kinds.firstIndex(where: { $0.code == code }) { kinds[i] = kind } else { kinds.append(kind) }
        }
    }

    // MARK: Roles

    private func decodeRoles(_ node: Node) -> [PolicyRole] {
        guard let fields = reader.mapping(node, "roles") else { return [] }
        let names = Set(fields.entries.map(\.key))
        var roles: [PolicyRole] = []
        for entry in fields.entries {
            var label: String?
            var selectorNode = entry.value
            if case .mapping(var mapping) = entry.value, let labelNode = mapping["label"] {
                label = reader.string(labelNode, "label")
                mapping["label"] = nil
                selectorNode = .mapping(mapping)
            }
            if let selector = decodeSelector(selectorNode, roleNames: names) {
                roles.append(PolicyRole(name: entry.key, label: label, selector: selector))
            }
        }
        // A role that reaches itself through references would never finish matching.
        let byName = Dictionary(roles.map { ($0.name, $0.selector.references) }, uniquingKeysWith: { a, _ in a })
        for entry in fields.entries where reaches(entry.key, from: entry.key, byName, visited: []) {
            reader.fail(at: entry.keyNode, .roleCycle, "角色 `\(entry.key)` 直接或间接引用了自己", "role `\(entry.key)` refers to itself")
        }
        return roles
    }

    private func reaches(_ target: String, from name: String, _ graph: [String: [String]], visited: Set<String>) -> Bool {
        for next in graph[name] ?? [] {
            if next == target { return true }
            if !visited.contains(next), reaches(target, from: next, graph, visited: visited.union([next])) { return true }
        }
        return false
    }

    static let criteriaKeys = ["rank", "rankAtLeast", "posts", "postContains", "unitKind", "units", "tags", "partyMember"]

    func decodeSelector(_ node: Node, roleNames: Set<String>) -> RoleSelector? {
        switch node {
        case .scalar(let scalar):
            let name = scalar.string
            if name == "everyone" { return .everyone }
            guard roleNames.contains(name) else {
                unknownRole(name, at: node, roleNames)
                return nil
            }
            return .role(name)
        case .mapping:
            guard let f = reader.mapping(node, "角色选择器") else { return nil }
            var parts: [RoleSelector] = []
            var criteria = CadreCriteria()
            var hasCriteria = false
            var ok = true
            if let n = f.take("rank") {
                hasCriteria = true
                if let ranks = reader.enumValues(n, "级别", code: .unknownRank, allowed: Rank.allCases.map(\.rawValue), Rank.init(flexible:)) {
                    criteria.ranks = Set(ranks)
                } else { ok = false }
            }
            if let n = f.take("rankAtLeast") {
                hasCriteria = true
                if let ranks = reader.enumValues(n, "级别", code: .unknownRank, allowed: Rank.allCases.map(\.rawValue), Rank.init(flexible:)),
                   let rank = ranks.first {
                    criteria.rankAtLeast = rank
                } else { ok = false }
            }
            if let n = f.take("posts") {
                hasCriteria = true
                if let posts = reader.strings(n, "职务") { criteria.posts = Set(posts.map(\.0)) } else { ok = false }
            }
            if let n = f.take("postContains") {
                hasCriteria = true
                if let words = reader.strings(n, "职务关键词") { criteria.postContains = words.map(\.0) } else { ok = false }
            }
            if let n = f.take("unitKind") {
                hasCriteria = true
                if let kinds = reader.enumValues(n, "单位类型", code: .unknownUnitKind, allowed: UnitKind.allCases.map(\.rawValue), UnitKind.init(flexible:)) {
                    criteria.unitKinds = Set(kinds)
                } else { ok = false }
            }
            if let n = f.take("units") {
                hasCriteria = true
                if let codes = reader.strings(n, "单位代码") { criteria.units = Set(codes.map(\.0)) } else { ok = false }
            }
            if let n = f.take("tags") {
                hasCriteria = true
                if let tags = reader.strings(n, "标签") { criteria.tags = Set(tags.map(\.0)) } else { ok = false }
            }
            if let n = f.take("partyMember") {
                hasCriteria = true
                if let value = reader.bool(n, "partyMember") { criteria.partyMember = value } else { ok = false }
            }
            if hasCriteria { parts.append(.match(criteria)) }
            for key in ["all", "any"] {
                guard let n = f.take(key) else { continue }
                guard let items = reader.sequence(n, key) else { ok = false; continue }
                let inner = items.compactMap { decodeSelector($0, roleNames: roleNames) }
                if inner.count != items.count { ok = false; continue }
                parts.append(key == "all" ? .all(inner) : .any(inner))
            }
            if let n = f.take("not") {
                if let inner = decodeSelector(n, roleNames: roleNames) { parts.append(.not(inner)) } else { ok = false }
            }
            if let n = f.take("role") {
                if case .scalar = n, let inner = decodeSelector(n, roleNames: roleNames) { parts.append(inner) } else {
                    if case .scalar = n {} else { reader.fail(at: n, .wrongType, "role 应为一个角色名", "role must be one role name") }
                    ok = false
                }
            }
            f.finish()
            guard ok else { return nil }
            guard !parts.isEmpty else {
                reader.fail(at: node, .missingField, "角色选择器没有任何条件", "the role selector has no condition")
                return nil
            }
            return parts.count == 1 ? parts[0] : .all(parts)
        default:
            reader.fail(at: node, .wrongType, "角色应为角色名或选择条件", "a role must be a role name or a selector mapping")
            return nil
        }
    }

    private func unknownRole(_ name: String, at node: Node, _ roleNames: Set<String>) {
        let known = roleNames.sorted().joined(separator: ", ")
        reader.fail(at: node, .unknownRole, "未定义的角色「\(name)」，已定义：\(known)",
                    "unknown role “\(name)”; defined roles: \(known)")
    }

    // MARK: Rules

    struct RuleContext {
        var roleNames: Set<String>
        var vocabulary: ContactVocabulary
        var filingKinds: Set<String>
    }

    static let bodyKeys = ["count", "every", "pairing", "coverage", "timeShare", "filing", "response"]

    private func decodeRule(_ node: Node, _ context: RuleContext) -> PolicyRule? {
        guard let f = reader.mapping(node, "规则") else { return nil }
        let id = f.require("id").flatMap { reader.string($0, "id") }
        let title = f.take("title").flatMap { reader.string($0, "title") }
        let whoNode = f.require("who")
        let subject = whoNode.flatMap { decodeSubject($0, context) }
        var severity = PolicyRule.Severity.required
        if let n = f.take("severity"), let text = reader.string(n, "severity") {
            if let value = PolicyRule.Severity(rawValue: text) { severity = value } else {
                reader.fail(at: n, .invalidValue, "severity 应为 required 或 advisory", "severity must be required or advisory")
            }
        }
        let source = f.take("source").flatMap { reader.string($0, "source") }
        let present = Self.bodyKeys.filter(f.has)
        var body: RuleBody?
        if present.count != 1 {
            reader.fail(at: node, present.isEmpty ? .missingField : .invalidValue,
                        "规则须恰好有一个规则体：\(Self.bodyKeys.joined(separator: ", "))",
                        "a rule needs exactly one body: \(Self.bodyKeys.joined(separator: ", "))")
            for key in Self.bodyKeys { _ = f.take(key) }
        } else if let key = present.first, let bodyNode = f.take(key) {
            body = decodeBody(key, bodyNode, context, subject: subject, whoNode: whoNode)
        }
        for key in Self.bodyKeys { _ = f.take(key) }
        f.finish()
        guard let id, let subject, let body else { return nil }
        return PolicyRule(id: id, title: title, subject: subject, severity: severity, source: source, body: body)
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

    private func decodeBody(_ key: String, _ node: Node, _ context: RuleContext, subject: RuleSubject?, whoNode: Node?) -> RuleBody? {
        guard let f = reader.mapping(node, key) else { return nil }
        defer { f.finish() }
        let forCadres = ["count", "every", "pairing", "timeShare"].contains(key)
        if let subject, let whoNode {
            let isCadres: Bool = if case .cadres = subject { true } else { false }
            if forCadres != isCadres {
                reader.fail(at: whoNode, .invalidValue,
                            forCadres ? "`\(key)` 规则的 who 应为人员角色" : "`\(key)` 规则的 who 应为 school 或 {units: …}",
                            forCadres ? "a `\(key)` rule applies to cadres: `who` must be a role"
                                      : "a `\(key)` rule applies to units: `who` must be `school` or `{units: …}`")
            }
        }
        switch key {
        case "count":
            let filter = decodeFilter(f, context, defaultKinds: nil)
            let measure = decodeMeasure(f)
            let atLeast = f.require("atLeast").flatMap { decodeQuantity($0, context) }
            let per = f.require("per").flatMap { reader.periodKind($0) }
            let deadlineNode = f.take("deadline")
            let deadline = deadlineNode.map(decodeDeadline) ?? .some(nil)
            if let deadlineNode, let per, per != .term {
                reader.fail(at: deadlineNode, .badDeadline, "只有 per: term 的计数规则可以设截止日期", "only per: term count rules can have a deadline")
            }
            guard let filter, let measure, let atLeast, let per, let deadline else { return nil }
            return .count(CountRule(filter: filter, measure: measure, atLeast: atLeast, per: per, deadline: deadline))
        case "every":
            let filter = decodeFilter(f, context, defaultKinds: nil)
            let measure = decodeMeasure(f)
            let atLeast = f.take("atLeast").map { decodeQuantity($0, context) } ?? RuleQuantity(1)
            let per = f.require("per").flatMap { reader.periodKind($0, allowed: [.week, .month]) }
            let within = f.take("within").map { reader.periodKind($0, allowed: [.term, .academicYear]) } ?? .term
            let share = f.take("share").map { decodeShare($0) } ?? 1
            guard let filter, let measure, let atLeast, let per, let within, let share else { return nil }
            return .every(EveryPeriodRule(filter: filter, measure: measure, atLeast: atLeast, per: per, within: within, share: share))
        case "pairing":
            let kinds = f.take("collectiveKinds").map(decodeCollectiveKinds) ?? .some(nil)
            let pairingKinds = f.take("pairingKinds").map(decodePairingKinds) ?? [.linked, .honoraryClassHead]
            let bounds = decodeBounds(f, node: node)
            let deadline = f.take("deadline").map(decodeDeadline) ?? .some(nil)
            guard let kinds, let pairingKinds, let bounds, let deadline else { return nil }
            return .pairing(PairingRule(collectiveKinds: kinds, pairingKinds: pairingKinds, minimum: bounds.0, maximum: bounds.1, deadline: deadline))
        case "coverage":
            let kinds = f.require("collectiveKinds").flatMap(decodeCollectiveKinds)
            let pairingKinds = f.take("pairingKinds").map(decodePairingKinds) ?? [.linked, .honoraryClassHead]
            let atLeast = f.take("atLeast").map { reader.count($0, "atLeast") } ?? 1
            let deadline = f.take("deadline").map(decodeDeadline) ?? .some(nil)
            guard let kinds, let pairingKinds, let atLeast, let deadline else { return nil }
            return .coverage(CoverageRule(collectiveKinds: kinds, pairingKinds: pairingKinds, atLeast: atLeast, deadline: deadline))
        case "timeShare":
            let filter = decodeFilter(f, context, defaultKinds: ContactVocabulary.inPersonGroup)
            let atLeast = f.require("atLeast").flatMap { decodeShare($0) }
            let per = f.take("per").map { reader.periodKind($0, allowed: [.week, .month, .term, .academicYear]) } ?? .term
            let hours = f.take("hoursPerWorkday").map { reader.amount($0, "hoursPerWorkday") } ?? 8
            guard let filter, let atLeast, let per, let hours else { return nil }
            return .timeShare(TimeShareRule(filter: filter, atLeast: atLeast, per: per, hoursPerWorkday: hours))
        case "filing":
            var kind: String?
            if let n = f.require("kind"), let text = reader.string(n, "kind") {
                if context.filingKinds.contains(text) { kind = text } else {
                    let known = context.filingKinds.sorted().joined(separator: ", ")
                    reader.fail(at: n, .unknownFilingKind, "未知的备案类型「\(text)」，可用：\(known)（可在 filingKinds 中增加）",
                                "unknown filing kind “\(text)”; known: \(known) (add it under filingKinds)")
                }
            }
            let atLeast = f.take("atLeast").map { reader.count($0, "atLeast") } ?? 1
            let per = f.require("per").flatMap { reader.periodKind($0, allowed: [.month, .term, .academicYear]) }
            var term: Int?? = .some(nil)
            if let n = f.take("term") {
                term = reader.count(n, "term").map { value in
                    if value < 1 { reader.fail(at: n, .invalidValue, "term 从 1 开始计", "term counts from 1") }
                    return value
                }
            }
            let deadline = f.take("deadline").map(decodeDeadline) ?? .some(nil)
            guard let kind, let atLeast, let per, let term, let deadline else { return nil }
            return .filing(FilingRule(kind: kind, atLeast: atLeast, per: per, term: term, deadline: deadline))
        case "response":
            let workdays: Bool?
            if let n = f.take("days"), let text = reader.string(n, "days") {
                switch text {
                case "workdays": workdays = true
                case "calendar": workdays = false
                default:
                    reader.fail(at: n, .invalidValue, "days 应为 workdays 或 calendar", "days must be workdays or calendar")
                    workdays = nil
                }
            } else { workdays = true }
            var tiers: [ResponseRule.Tier] = []
            if let n = f.require("tiers"), let tf = reader.mapping(n, "tiers") {
                for entry in tf.entries {
                    _ = tf.take(entry.key)
                    guard let t = reader.mapping(entry.value, "响应时限") else { continue }
                    let label = t.take("label").flatMap { reader.string($0, "label") }
                    let first = t.take("firstResponse").map { reader.count($0, "firstResponse") } ?? .some(nil)
                    let answer = t.require("answer").flatMap { reader.count($0, "answer") }
                    t.finish()
                    if let first, let answer { tiers.append(.init(name: entry.key, label: label, firstResponse: first, answer: answer)) }
                }
                if tf.entries.isEmpty { reader.fail(at: n, .missingField, "tiers 至少要有一档", "tiers needs at least one tier") }
            }
            guard let workdays, !tiers.isEmpty else { return nil }
            return .response(ResponseRule(tiers: tiers, workdays: workdays))
        default:
            return nil
        }
    }

    private func decodeFilter(_ f: YAMLFields, _ context: RuleContext, defaultKinds: String?) -> ContactFilter? {
        var ok = true
        var kindNames: [String] = []
        var kinds = Set<String>()
        if let n = defaultKinds == nil ? f.require("kinds") : f.take("kinds") {
            if let items = reader.strings(n, "活动类型") {
                for (name, itemNode) in items {
                    if let codes = context.vocabulary.expandKind(name) {
                        kindNames.append(name)
                        kinds.formUnion(codes)
                    } else {
                        ok = false
                        reader.fail(at: itemNode, .unknownKind, "未知的活动类型「\(name)」（可在 vocabulary.kinds 中增加）",
                                    "unknown activity kind “\(name)” (add it under vocabulary.kinds)")
                    }
                }
            } else { ok = false }
        } else if let defaultKinds {
            kindNames = [defaultKinds]
            kinds = Set(context.vocabulary.expandKind(defaultKinds) ?? [])
        } else { ok = false }
        var venueNames: [String]?
        var venues: Set<String>?
        if let n = f.take("venues") {
            if let items = reader.strings(n, "场所") {
                venueNames = []
                venues = []
                for (name, itemNode) in items {
                    if let codes = context.vocabulary.expandVenue(name) {
                        venueNames?.append(name)
                        venues?.formUnion(codes)
                    } else {
                        ok = false
                        reader.fail(at: itemNode, .unknownVenue, "未知的场所「\(name)」", "unknown venue “\(name)”")
                    }
                }
            } else { ok = false }
        }
        var scope = ContactScope.any
        if let n = f.take("scope"), let text = reader.string(n, "scope") {
            if let value = ContactScope(rawValue: text) { scope = value } else {
                ok = false
                let names = ContactScope.allCases.map(\.rawValue).joined(separator: ", ")
                reader.fail(at: n, .invalidValue, "scope 应为 \(names)", "scope must be one of \(names)")
            }
        }
        var collectiveKinds: Set<CollectiveKind>?
        if let n = f.take("collectiveKinds") {
            if let value = decodeCollectiveKinds(n) { collectiveKinds = value } else { ok = false }
        }
        var pairingKinds: Set<Pairing.Kind>?
        if let n = f.take("pairingKinds") {
            if let value = decodePairingKinds(n) { pairingKinds = value } else { ok = false }
            // A key-student pairing links a student, not a collective, so no line could ever be "own" through it.
            if pairingKinds == [.keyStudent] {
                ok = false
                reader.fail(at: n, .invalidValue,
                            "重点联系学生的结对不涉及学生集体，不能用来判断“本人联系的集体”；谈心谈话次数用不带 scope 的 count 规则，结对本身用 pairing 规则",
                            "a key-student pairing links a student, not a collective, so it cannot make a line “own”; count the talks without scope and require the pairing with a pairing rule")
            }
        }
        let confirmedOnly = f.take("confirmedOnly").map { reader.bool($0, "confirmedOnly") } ?? false
        guard ok, let confirmedOnly else { return nil }
        return ContactFilter(kindNames: kindNames, kinds: kinds, venueNames: venueNames, venues: venues, scope: scope,
                             collectiveKinds: collectiveKinds, pairingKinds: pairingKinds, confirmedOnly: confirmedOnly)
    }

    private func decodeMeasure(_ f: YAMLFields) -> ContactMeasure? {
        guard let n = f.take("measure") else { return .events }
        guard let text = reader.string(n, "measure") else { return nil }
        guard let measure = ContactMeasure(rawValue: text) else {
            let names = ContactMeasure.allCases.map(\.rawValue).joined(separator: ", ")
            reader.fail(at: n, .invalidValue, "measure 应为 \(names)", "measure must be one of \(names)")
            return nil
        }
        return measure
    }

    /// `3`, or `{ top-leader: 2, default: 1 }` (first matching role wins).
    private func decodeQuantity(_ node: Node, _ context: RuleContext) -> RuleQuantity? {
        if case .mapping = node {
            guard let f = reader.mapping(node, "atLeast") else { return nil }
            var byRole: [RuleQuantity.ByRole] = []
            var fallback: Double?
            var ok = true
            for entry in f.entries {
                _ = f.take(entry.key)
                guard let value = reader.amount(entry.value, "atLeast") else { ok = false; continue }
                if entry.key == "default" {
                    fallback = value
                } else if context.roleNames.contains(entry.key) {
                    byRole.append(.init(role: entry.key, value: value))
                } else {
                    ok = false
                    unknownRole(entry.key, at: entry.keyNode, context.roleNames)
                }
            }
            return ok ? RuleQuantity(byRole: byRole, fallback: fallback) : nil
        }
        return reader.amount(node, "atLeast").map(RuleQuantity.init)
    }

    private func decodeShare(_ node: Node) -> Double? {
        guard let value = reader.amount(node, "比例") else { return nil }
        guard value <= 1 else {
            reader.fail(at: node, .invalidValue, "比例应在 0 到 1 之间（0.5 表示一半）", "a share must be between 0 and 1 (0.5 is half)")
            return nil
        }
        return value
    }

    private func decodeCollectiveKinds(_ node: Node) -> Set<CollectiveKind>? {
        reader.enumValues(node, "学生集体类型", code: .unknownCollectiveKind, allowed: CollectiveKind.allCases.map(\.rawValue),
                          CollectiveKind.init(flexible:)).map(Set.init)
    }

    private func decodePairingKinds(_ node: Node) -> Set<Pairing.Kind>? {
        reader.enumValues(node, "结对类型", code: .unknownPairingKind, allowed: Pairing.Kind.allCases.map(\.rawValue),
                          Pairing.Kind.init(rawValue:)).map(Set.init)
    }

    /// `atLeast: N`, `exactly: N` or `between: [N, M]`.
    private func decodeBounds(_ f: YAMLFields, node: Node) -> (Int, Int?)? {
        let atLeast = f.take("atLeast"), exactly = f.take("exactly"), between = f.take("between")
        let given = [atLeast, exactly, between].compactMap { $0 }
        guard given.count == 1 else {
            reader.fail(at: node, .missingField, "须且只能写 atLeast、exactly、between 之一", "give exactly one of atLeast, exactly, between")
            return nil
        }
        if let atLeast { return reader.count(atLeast, "atLeast").map { ($0, nil) } }
        if let exactly { return reader.count(exactly, "exactly").map { ($0, $0) } }
        guard let between, let items = reader.sequence(between, "between"), items.count == 2 else {
            reader.fail(at: between, .invalidValue, "between 应为 [最少, 最多]", "between must be [min, max]")
            return nil
        }
        guard let low = reader.count(items[0], "between"), let high = reader.count(items[1], "between") else { return nil }
        guard low <= high else {
            reader.fail(at: between, .invalidValue, "between 的最少数大于最多数", "between: min is above max")
            return nil
        }
        return (low, high)
    }

    /// nil on error; `.some(spec)` otherwise (the caller's `?? .some(nil)` marks “no deadline”).
    private func decodeDeadline(_ node: Node) -> DeadlineSpec?? {
        guard let text = reader.string(node, "deadline") else { return nil }
        do {
            return .some(try DeadlineSpec(parsing: text))
        } catch {
            reader.fail(at: node, .badDeadline, "截止规则有误：\(error.message.zh)", "bad deadline: \(error.message.en)")
            return nil
        }
    }
}
