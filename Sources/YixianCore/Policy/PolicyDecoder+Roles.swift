import Foundation
import Yams

/// Roles (`roles:`) and the selectors that say which cadres a rule or a role binds.
extension PolicyDecoder {
    func decodeRoles(_ node: Node) -> [PolicyRole] {
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
            /// One criterion: given or not; when given, valid (applied) or reported.
            func criterion<Value>(_ key: String, _ decode: (Node) -> Value?, _ apply: (Value) -> Void) {
                guard let n = f.take(key) else { return }
                hasCriteria = true
                if let value = decode(n) { apply(value) } else { ok = false }
            }
            let ranks = { (n: Node) in reader.enumValues(n, "级别", code: .unknownRank, allowed: Rank.allCases.map(\.rawValue), Rank.init(flexible:)) }
            criterion("rank", ranks) { criteria.ranks = Set($0) }
            criterion("rankAtLeast", { ranks($0)?.first }) { criteria.rankAtLeast = $0 }
            criterion("posts", { reader.strings($0, "职务") }) { criteria.posts = Set($0.map(\.0)) }
            criterion("postContains", { reader.strings($0, "职务关键词") }) { criteria.postContains = $0.map(\.0) }
            criterion("unitKind", { reader.enumValues($0, "单位类型", code: .unknownUnitKind, allowed: UnitKind.allCases.map(\.rawValue), UnitKind.init(flexible:)) }) {
                criteria.unitKinds = Set($0)
            }
            criterion("units", { reader.strings($0, "单位代码") }) { criteria.units = Set($0.map(\.0)) }
            criterion("tags", { reader.strings($0, "标签") }) { criteria.tags = Set($0.map(\.0)) }
            criterion("partyMember", { reader.bool($0, "partyMember") }) { criteria.partyMember = $0 }
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

    func unknownRole(_ name: String, at node: Node, _ roleNames: Set<String>) {
        let known = roleNames.sorted().joined(separator: ", ")
        reader.fail(at: node, .unknownRole, "未定义的角色「\(name)」，已定义：\(known)",
                    "unknown role “\(name)”; defined roles: \(known)")
    }
}
