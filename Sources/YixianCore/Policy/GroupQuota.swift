import Foundation

/// A requirement on a group of cadres judged together (docs/POLICY-FORMAT.md §4.15): “书记或校长” (either of
/// them does it), a rota (members take turns, one per period), or a unit- or school-wide total. The members are
/// the cadres matching any of `roles`, decided per period like any role; the rule's body is a `count`.
public struct GroupQuota: Sendable, Hashable {
    public enum Quota: String, Sendable, Hashable, CaseIterable {
        /// Met when one member alone reaches the count (“校党委书记或校长讲授大学第一课”).
        case either
        /// Members take turns: period k is judged on member k mod n (“校领导轮流每周接待日”).
        case rota
        /// The members' lines summed (venues united) reach the count (“班子成员每月合计不少于 8 次”).
        case total
    }

    /// One group for the whole university, or one per unit of the members.
    public enum Scope: String, Sendable, Hashable, CaseIterable {
        case school
        case unit
    }

    /// Role names, in the policy's order.
    public var roles: [String]
    public var quota: Quota
    public var by: Scope
    /// For a rota: staff numbers taking turns in this order; members not listed follow in staff-number order.
    public var order: [String]

    public init(roles: [String], quota: Quota, by: Scope = .school, order: [String] = []) {
        self.roles = roles
        self.quota = quota
        self.by = by
        self.order = order
    }

    /// The cadres of the group: any of its roles.
    public var selector: RoleSelector {
        roles.count == 1 ? .role(roles[0]) : .any(roles.map(RoleSelector.role))
    }

    /// Members in turn order: `order` first, then the others by staff number.
    func inTurnOrder(_ staffNumbers: [String]) -> [String] {
        let position = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        return staffNumbers.sorted { (position[$0] ?? Int.max, $0) < (position[$1] ?? Int.max, $1) }
    }
}
