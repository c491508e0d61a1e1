import Foundation
import Testing
@testable import YixianCore

@Suite("Policy diff: what a new version would change, over the same facts and day")
struct PolicyDiffTests {
    static let contacts = """
        [ { id: a1, cadre: L001, kind: ideological-lecture, start: "2025-10-10T10:00" },
          { id: a2, cadre: L001, kind: ideological-lecture, start: "2025-11-10T10:00" },
          { id: b1, cadre: L002, kind: ideological-lecture, start: "2025-10-20T10:00" } ]
        """
    static func lectures(_ n: Int) -> String {
        "  - { id: lecture, title: 每学期讲思政课, who: school-leader, count: { kinds: [ideological-lecture], atLeast: \(n), per: term } }"
    }
    static let dorms = "  - { id: dorm, title: 每学期走访宿舍, who: school-leader, count: { kinds: [dorm-visit], atLeast: 1, per: term } }"

    @Test("raising a quota from 1 to 2 makes the leader with one lecture worse; a new rule's cells are added; the rest is unchanged")
    func raisedQuota() throws {
        let old = ComplianceFixture.policy(rules: Self.lectures(1))
        let new = ComplianceFixture.policy(rules: Self.lectures(2) + "\n" + Self.dorms)
        let scenario = ComplianceFixture.scenario(contacts: Self.contacts)
        let before = try ComplianceFixture.evaluate(policy: old, scenario: scenario, asOf: "2026-01-20")
        let after = try ComplianceFixture.evaluate(policy: new, scenario: scenario, asOf: "2026-01-20")
        let diff = PolicyDiff(before: before.cells, beforeRules: try PolicyLoader.load(old).rules, after: after.cells,
                              afterRules: try PolicyLoader.load(new).rules)
        // Three school leaders × two terms per rule. Term 1 is over: L001 2 lectures, L002 1, L003 none.
        let lecture = try #require(diff.rules.first { $0.ruleID == "lecture" })
        #expect(lecture.worse == 1 && lecture.better == 0 && lecture.added == 0 && lecture.removed == 0 && lecture.unchanged == 5, "\(lecture)")
        let dorm = try #require(diff.rules.first { $0.ruleID == "dorm" })
        #expect(dorm.added == 6 && dorm.unchanged == 0)
        let worse = try #require(diff.changes.first)
        #expect(worse.subject.id == "L002" && worse.before == .met && worse.after == .missed && worse.beforeAmount == "1/1" && worse.afterAmount == "1/2",
                "worse changes come first: \(worse)")
        #expect(diff.subjects == 3)
        let text = diff.text()
        #expect(text.contains("每学期讲思政课\t1\t0\t0\t0\t5") && text.contains("已完成 1/1 → 未完成 1/2"), "\(text)")
    }

    @Test("the same text changes nothing; a version with a broken rule is refused with its line")
    func cli() throws {
        let scenario = ComplianceFixture.scenario(contacts: Self.contacts)
        let policy = ComplianceFixture.policy(rules: Self.lectures(1))
        let same = PolicyCLI.diff(oldText: policy, newText: policy, scenarioText: scenario, asOf: LocalDate("2026-01-20")!)
        #expect(same.ok && same.output.contains("0 个对象的结论有变化，共 0 处"), "\(same.output)")
        let broken = PolicyCLI.diff(oldText: policy, newText: policy.replacingOccurrences(of: "atLeast: 1", with: "atLeast: -1"),
                                    scenarioText: scenario, asOf: LocalDate("2026-01-20")!, newFileName: "new.yaml")
        #expect(!broken.ok && broken.output.contains("new.yaml:"), "\(broken.output)")
    }
}

@Suite("Standard kinds the provincial plans name")
struct StandardKindsTests {
    @Test("组织生活会, 迎新 and 毕业季 are kinds a rule can count without declaring them")
    func newKinds() throws {
        let policy = ComplianceFixture.policy(rules: "  - { id: life, who: school-leader, count: { kinds: [organization-life, freshman-orientation, graduation-season], atLeast: 2, per: term } }")
        let contacts = """
            [ { id: o1, cadre: L001, kind: organization-life, start: "2025-10-10T10:00" },
              { id: f1, cadre: L001, kind: freshman-orientation, start: "2025-09-05T10:00" },
              { id: g1, cadre: L002, kind: graduation-season, start: "2025-10-12T10:00" } ]
            """
        let report = try ComplianceFixture.evaluate(policy: policy, scenario: ComplianceFixture.scenario(contacts: contacts), asOf: "2026-01-20")
        #expect(report.cell("L001", "life", "2025-2026-1")?.status == .met)
        #expect(report.cell("L002", "life", "2025-2026-1")?.achieved == 1)
        #expect(ContactVocabulary.standard.kind("organization-life")?.label.zh == "参加组织生活会")
    }
}
