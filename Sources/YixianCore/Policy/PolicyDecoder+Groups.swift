import Foundation
import Yams

/// `who: { group: [roles], quota: either | rota | total, by: school | unit, order: [staff numbers] }` (§4.15).
extension PolicyDecoder {
    /// Whether a `who:` names a group rather than cadres, units or the school.
    static func namesGroup(_ node: Node) -> Bool {
        if case .mapping(let mapping) = node { return mapping["group"] != nil }
        return false
    }

    func decodeGroup(_ node: Node, _ context: RuleContext) -> GroupQuota? {
        guard let f = reader.mapping(node, "群体要求") else { return nil }
        defer { f.finish() }
        var roles: [String]?
        if let n = f.require("group"), let items = reader.strings(n, "group") {
            roles = []
            for (name, itemNode) in items {
                if context.roleNames.contains(name) { roles?.append(name) } else {
                    unknownRole(name, at: itemNode, context.roleNames)
                    roles = nil
                    break
                }
            }
            if items.isEmpty {
                reader.fail(at: n, .invalidValue, "group 至少要列出一个角色", "group must list at least one role")
                roles = nil
            }
        }
        let quotaNames = GroupQuota.Quota.allCases.map(\.rawValue).joined(separator: ", ")
        var quota: GroupQuota.Quota?
        if let n = f.require("quota"), let text = reader.string(n, "quota") {
            quota = GroupQuota.Quota(rawValue: text)
            if quota == nil {
                reader.fail(at: n, .invalidValue, "quota 应为 \(quotaNames)（任一人完成、轮流、合计）",
                            "quota must be one of \(quotaNames) (one of them, in turns, the sum)")
            }
        }
        var by: GroupQuota.Scope? = .school
        if let n = f.take("by"), let text = reader.string(n, "by") {
            by = GroupQuota.Scope(rawValue: text)
            if by == nil {
                reader.fail(at: n, .invalidValue, "by 应为 school（全校一组）或 unit（每个单位一组）",
                            "by must be school (one group for the university) or unit (one group per unit)")
            }
        }
        var order: [String]? = []
        if let n = f.take("order") {
            if let items = reader.strings(n, "order") {
                var seen = Set<String>()
                for (staff, itemNode) in items where !seen.insert(staff).inserted {
                    reader.fail(at: itemNode, .invalidValue, "轮值顺序中工号「\(staff)」重复", "staff number “\(staff)” appears twice in the rota order")
                    order = nil
                }
                if order != nil { order = items.map(\.0) }
            } else { order = nil }
            // An order only means something to a rota: either and total do not take turns.
            if let quota, quota != .rota {
                reader.fail(at: n, .invalidValue, "order 只用于 quota: rota（轮流）", "order applies to quota: rota only")
                order = nil
            }
        }
        guard let roles, let quota, let by, let order else { return nil }
        return GroupQuota(roles: roles, quota: quota, by: by, order: order)
    }

    /// A group is judged as one count: other rule kinds, and a quantity per role (whose role, in a group?), are refused.
    func checkGroup(_ group: GroupQuota, body: RuleBody, whoNode: Node) -> Bool {
        guard case .count(let count) = body else {
            reader.fail(at: whoNode, .invalidValue, "group（书记或校长、轮流、合计）只用于 count 规则",
                        "group (one of them, in turns, a total) applies to count rules only")
            return false
        }
        if !count.atLeast.byRole.isEmpty {
            reader.fail(at: whoNode, .invalidValue, "group 规则的 atLeast 须是一个数：按角色区分的数量对一个群体没有意义",
                        "a group rule's atLeast must be one number: a quantity per role has no meaning for a group")
            return false
        }
        return true
    }
}
