import Foundation
import Yams

/// `after:` on a count rule (POLICY-FORMAT §4.12). Returns nil after reporting every problem.
extension PolicyDecoder {
    func decodeEventTrigger(_ node: Node, _ context: RuleContext, counted: ContactFilter?) -> EventTrigger? {
        guard let f = reader.mapping(node, "after") else { return nil }
        // Only the kinds: the line that opens the window is not itself filtered by venue or scope.
        for entry in f.entries where !["kinds", "within"].contains(entry.key) {
            _ = f.take(entry.key)
            reader.fail(at: entry.keyNode, .unknownField, "after 只有 kinds 和 within 两个字段，没有 \(entry.key)",
                        "after takes only kinds and within, not \(entry.key)")
        }
        let kinds = decodeFilter(f, context, defaultKinds: nil)
        var within: (Int, DeadlineSpec.Unit)?
        if let n = f.require("within"), let text = reader.string(n, "within") {
            within = EventTrigger.within(parsing: text)
            if within == nil {
                reader.fail(at: n, .invalidValue, "within 应形如 3d（3 天内）或 5wd（5 个工作日内），至少 1：\(text)",
                            "within must look like 3d (three days) or 5wd (five workdays), at least 1: \(text)")
            }
        }
        f.finish()
        guard let kinds, let within else { return nil }
        // A line of both kinds would be its own follow-up.
        if let counted, !counted.kinds.isDisjoint(with: kinds.kinds) {
            let shared = counted.kinds.intersection(kinds.kinds).sorted().joined(separator: ", ")
            reader.fail(at: node, .invalidValue, "after 的活动类型与计入的活动类型重叠（\(shared)）：一条记录不能算作它自己的后续",
                        "the kinds after: waits for overlap the kinds counted (\(shared)): a line cannot be its own follow-up")
            return nil
        }
        return EventTrigger(kindNames: kinds.kindNames, kinds: kinds.kinds, days: within.0, unit: within.1)
    }
}

extension PolicyDecoder {
    /// With `after`, each of `keys` given is refused where it is written; true when one was.
    func refuseBesideAfter(_ f: YAMLFields, _ keys: [String]) -> Bool {
        var refused = false
        for key in keys where f.has(key) {
            refused = true
            reader.fail(at: f.take(key), .invalidValue, "有 after 的规则按每次事件分别判定，不能再写 \(key)（期限由 after.within 给出）",
                        "a rule with after is judged per event and cannot also have \(key) (after.within is its deadline)")
        }
        return refused
    }

    /// “开学前” on a count rule can never be met: the rule counts the term's contacts, and none is made before the
    /// term starts (filings can be due before it, §4.12).
    func refuseCountDeadlineBeforeTerm(_ deadline: DeadlineSpec?, at node: Node?) -> Bool {
        guard let deadline, deadline.anchor == .termStart, deadline.offset < 0 || (deadline.offset == 0 && deadline.boundary == .exclusive) else { return false }
        reader.fail(at: node, .badDeadline, "计数规则的截止日期早于学期开始（\(deadline)）：学期内的联系记录不可能在此之前完成；开学前的要求请用 filing 规则",
                    "a count rule's deadline before the term starts (\(deadline)) can never be met by the term's contacts; for a duty before term start use a filing rule")
        return true
    }
}
