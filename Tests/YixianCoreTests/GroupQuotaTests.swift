import Foundation
import Testing
@testable import YixianCore

/// Group quotas (issue 10 item 5; POLICY-FORMAT §4.15): “书记或校长” (either), a rota, a unit-wide total.
///
/// Counted by hand from `ComplianceFixture`: term 1 runs Wed 2025-09-03 … 2026-01-18, its weeks Monday to Sunday
/// (week 1 is 09-03 … 09-07, ISO 2025-W36; week 2 09-08 … 09-14, W37; week 3 W38; week 4 09-22 … 09-28, W39);
/// October and September (09-03 … 09-30) lie wholly in term 1 with no vacation. School leaders L001 王书记 (党委书记),
/// L002 赵副校长, L003 钱副校长; college CS has C001 刘院长 and C002 周副书记; these tests add L004 李校长 (校长)
/// and M001 孙院长 of ME.
@Suite("Group quotas: either, rota, total")
struct GroupQuotaTests {
    static let extra = """
          - { staff: L004, name: 李校长, unit: LEAD, posts: [校长], rank: school-leader, party: true }
          - { staff: M001, name: 孙院长, unit: ME, posts: [院长], rank: director }
        """
    static let roles = """
        school-leader: { rank: [school-leader] }
          top-leader: { label: 校党委书记和校长, role: school-leader, posts: [党委书记, 校长] }
          college-leader: { label: 学院领导班子成员, unitKind: [college] }
        """

    static func lines(_ items: [(String, String, String, String)]) -> String {
        "[ " + items.map { "{ id: \($0.1), cadre: \($0.0), kind: \($0.3), start: \"\($0.2)T10:00\" }" }.joined(separator: ",\n  ") + " ]"
    }

    static func evaluate(who: String, count: String, contacts: [(String, String, String, String)], asOf: String) throws -> ComplianceReport {
        let policy = ComplianceFixture.policy(roles: roles, rules: """
              - id: g
                who: \(who)
                count: \(count)
            """)
        return try ComplianceFixture.evaluate(policy: policy, scenario: ComplianceFixture.scenario(contacts: lines(contacts), extraCadres: extra),
                                              asOf: asOf)
    }

    @Test("书记或校长: one school cell, met when the president alone gives the first lesson; no cadre has a cell of their own")
    func eitherMetByOne() throws {
        // setup: only L004 李校长 gives the first lesson, on 09-05
        let report = try Self.evaluate(who: "{ group: [top-leader], quota: either }",
                                       count: "{ kinds: [first-lesson], atLeast: 1, per: academic-year }",
                                       contacts: [("L004", "fl", "2025-09-05", "first-lesson")], asOf: "2025-10-08")
        // check: members 党委书记 L001 and 校长 L004 (in staff-number order); best member 1 ≥ 1 → met
        let cell = try #require(report.cell("school", "g", "2025-2026"))
        #expect(cell.subject.kind == .school && cell.members == ["L001", "L004"])
        #expect(cell.required == 1 && cell.achieved == 1 && cell.status == .met && cell.counted == ["fl"])
        #expect(cell.note?.zh == "成员：王书记 0、李校长 1（任一人达到即完成）", "\(String(describing: cell.note))")
        #expect(report.cells.filter { $0.ruleID == "g" }.count == 1)
        #expect(report.cell("L001", "g", "2025-2026") == nil && report.cell("L004", "g", "2025-2026") == nil)
    }

    @Test("either needs one member to reach it alone; total adds the members up")
    func eitherAgainstTotal() throws {
        // setup: 2 lectures asked per term; L001 gives one (10-09), L004 one (10-16); judged after term 1 (ends 01-18)
        let contacts = [("L001", "a", "2025-10-09", "policy-lecture"), ("L004", "b", "2025-10-16", "policy-lecture")]
        let count = "{ kinds: [lecture], atLeast: 2, per: term }"
        let either = try Self.evaluate(who: "{ group: [top-leader], quota: either }", count: count, contacts: contacts, asOf: "2026-01-20")
        let total = try Self.evaluate(who: "{ group: [top-leader], quota: total }", count: count, contacts: contacts, asOf: "2026-01-20")
        // check: either — best member max(1, 1) = 1 < 2, term over → missed; total — 1 + 1 = 2 ≥ 2 → met
        let one = try #require(either.cell("school", "g", "2025-2026-1"))
        #expect(one.achieved == 1 && one.status == .missed && one.counted == ["a"])
        let sum = try #require(total.cell("school", "g", "2025-2026-1"))
        #expect(sum.achieved == 2 && sum.status == .met && sum.counted == ["a", "b"])
        #expect(sum.note?.zh == "成员：王书记 1、李校长 1（合计 2）")
    }

    @Test("a college total per month, one cell per unit: CS 2 + 1 = 3 met, ME 1 missed")
    func unitTotal() throws {
        // setup: October — C001 two dorm visits, C002 one face-to-face, M001 one dorm visit; 3 asked per college per month
        let report = try Self.evaluate(
            who: "{ group: [college-leader], quota: total, by: unit }",
            count: "{ kinds: [in-person], atLeast: 3, per: month }",
            contacts: [("C001", "c1", "2025-10-09", "dorm-visit"), ("C001", "c2", "2025-10-20", "dorm-visit"),
                       ("C002", "c3", "2025-10-15", "face-to-face"), ("M001", "m1", "2025-10-15", "dorm-visit")],
            asOf: "2025-11-05")
        // check: October closed — CS 3 ≥ 3 met; ME 1 < 3 missed; September (no contacts) missed for both
        let cs = try #require(report.cell("CS", "g", "2025-10"))
        #expect(cs.subject.kind == .unit && cs.subject.name == "计算机学院" && cs.members == ["C001", "C002"])
        #expect(cs.achieved == 3 && cs.status == .met && cs.counted == ["c1", "c2", "c3"])
        let me = try #require(report.cell("ME", "g", "2025-10"))
        #expect(me.members == ["M001"] && me.achieved == 1 && me.status == .missed)
        #expect(report.cell("CS", "g", "2025-09")?.status == .missed && report.cell("ME", "g", "2025-09")?.status == .missed)
        // roll-ups: the unit cells land on their units; November (running, 5 of 30 days: ⌊3 × 5/30⌋ = 0 due) on track
        #expect(report.cell("CS", "g", "2025-11")?.status == .onTrack)
        let rollup = try #require(report.rollups.first { $0.unitCode == "CS" && $0.ruleID == "g" && $0.periodID == "2025-10" })
        #expect(rollup.tally.met == 1 && rollup.tally.total == 1)
    }

    @Test("a weekly rota in a given order: the k-th week is judged on the (k − 1) mod 4-th member; the others' lines do not stand in")
    func rota() throws {
        // setup: order [L003, L001], then the other school leaders by staff number (L002, and L004 added here);
        // reception days: L003 09-05 (week 1), L002 09-10 (week 2, L001's turn), L002 09-17 (week 3)
        let report = try Self.evaluate(
            who: "{ group: [school-leader], quota: rota, order: [L003, L001] }",
            count: "{ kinds: [reception-day], atLeast: 1, per: week }",
            contacts: [("L003", "w1", "2025-09-05", "reception-day"), ("L002", "w2", "2025-09-10", "reception-day"),
                       ("L002", "w3", "2025-09-17", "reception-day")],
            asOf: "2025-09-22")
        // turns: week 1 L003, week 2 L001, week 3 L002, week 4 L004
        let cells = report.cells.filter { $0.ruleID == "g" }.sorted { $0.period.start < $1.period.start }
        #expect(cells.map(\.period.id) == ["2025-W36", "2025-W37", "2025-W38", "2025-W39"])
        #expect(cells.map(\.subject.id) == ["L003", "L001", "L002", "L004"])
        #expect(cells.allSatisfy { $0.members == ["L003", "L001", "L002", "L004"] })
        // week 1: L003 1 ≥ 1 met; week 2: L001 0, closed → missed (L002's w2 is not L001's); week 3: L002 1 met;
        // week 4 (09-22 … 09-28) runs, day 1 of 7: ⌊1 × 1/7⌋ = 0 due → on track
        #expect(cells.map(\.status) == [.met, .missed, .met, .onTrack])
        #expect(cells[1].achieved == 0 && cells[1].counted.isEmpty)
        #expect(cells[1].note?.zh == "轮值：王书记（L001），第 2 期，4 人轮流")
    }

    @Test("explain says how a group is judged")
    func explain() throws {
        let policy = try PolicyLoader.load(ComplianceFixture.policy(roles: Self.roles, rules: """
              - { id: g, who: { group: [top-leader], quota: either }, count: { kinds: [first-lesson], atLeast: 1, per: academic-year } }
              - { id: r, who: { group: [school-leader], quota: rota, order: [L003] }, count: { kinds: [reception-day], atLeast: 1, per: week } }
            """))
        let text = PolicyExplainer.describe(policy)
        #expect(text.contains("全校校党委书记和校长中任一人（一人达到即完成"), "\(text)")
        #expect(text.contains("按 L003 的顺序（其余成员按工号排在后面）轮流"), "\(text)")
    }

    @Test("the JSON of a group cell has `members`; other cells leave it out")
    func json() throws {
        let report = try Self.evaluate(who: "{ group: [top-leader], quota: either }",
                                       count: "{ kinds: [first-lesson], atLeast: 1, per: academic-year }", contacts: [], asOf: "2025-10-08")
        let encoder = JSONEncoder()
        let group = String(decoding: try encoder.encode(try #require(report.cells.first)), as: UTF8.self)
        #expect(group.contains("\"members\":[\"L001\",\"L004\"]"), "\(group)")
        let plain = try ComplianceFixture.evaluate(policy: ComplianceFixture.policy(rules: """
              - { id: p, who: school-leader, count: { kinds: [first-lesson], atLeast: 1, per: academic-year } }
            """), scenario: ComplianceFixture.scenario(), asOf: "2025-10-08")
        #expect(!String(decoding: try encoder.encode(try #require(plain.cells.first)), as: UTF8.self).contains("members"))
    }

    @Test("check refuses a group's nonsense with line, column and reason", arguments: [
        // "    who: { group: [nobody], quota: either }": the role name starts in column 20
        ("{ group: [nobody], quota: either }", "count: { kinds: [any], atLeast: 1, per: term }", 7, 20, "未定义的角色「nobody」"),
        ("{ group: [leader], quota: sometimes }", "count: { kinds: [any], atLeast: 1, per: term }", 7, 36, "quota 应为 either, rota, total"),
        ("{ group: [leader], quota: either, by: college }", "count: { kinds: [any], atLeast: 1, per: term }", 7, 48, "by 应为 school"),
        ("{ group: [leader], quota: rota, order: [L001, L001] }", "count: { kinds: [any], atLeast: 1, per: week }", 7, 56, "工号「L001」重复"),
        ("{ group: [leader], quota: total, order: [L001] }", "count: { kinds: [any], atLeast: 1, per: week }", 7, 50, "order 只用于 quota: rota"),
        ("{ group: [], quota: total }", "count: { kinds: [any], atLeast: 1, per: week }", 7, 19, "至少要列出一个角色"),
        ("{ group: [leader], quota: either }", "pairing: { collectiveKinds: [class], atLeast: 1 }", 7, 10, "只用于 count 规则"),
        ("{ group: [leader], quota: either }", "count: { kinds: [any], atLeast: { leader: 2, default: 1 }, per: term }", 7, 10, "须是一个数"),
        ("{ group: [leader], quota: either, rank: [director] }", "count: { kinds: [any], atLeast: 1, per: term }", 7, 44, "未知的字段 `rank`"),
    ] as [(String, String, Int, Int, String)])
    func refused(who: String, rule: String, line: Int, column: Int, word: String) throws {
        let found = PolicyNonsenseTests.diagnostics(rule, who: who)
        #expect(found.count == 1, "\(found)")
        let only = try #require(found.first)
        #expect(only.line == line && only.column == column && only.message.zh.contains(word) && !only.message.en.isEmpty, "\(only)")
    }
}
