import Foundation
import Testing
@testable import YixianCore

/// What `explain` and the evaluation output tell a person about a rule and its cells (issue 10, item 6).
/// Weeks of `ComplianceFixture`'s term 1: 09-03/07, 09-08/14, 09-15/21, 09-22/28, 09-29/10-05, 10-06/12 …,
/// 18 counting weeks; January 2026 is 01-01 … 01-18 of which 01-05 … 01-18 are excluded exam weeks.
@Suite("explain and every-rule cells say what the engine does")
struct ExplainEveryRuleTests {
    static func rule(_ policyText: String) throws -> (PolicyRule, Policy) {
        let policy = try PolicyLoader.load(policyText)
        return (try #require(policy.rules.first), policy)
    }

    @Test("a coverage deadline is explained (it was left out)")
    func coverageDeadline() throws {
        let (rule, policy) = try Self.rule(ComplianceFixture.policy(rules: """
              - id: classes
                who: { units: { kind: [college] } }
                coverage: { collectiveKinds: [class], deadline: "term-start +14d" }
            """))
        let text = PolicyExplainer.describe(rule, policy)
        #expect(text.contains("截止：第一学期开学后 14 天"), "\(text)")
    }

    @Test("achieved counts only weeks that are over: 4/18 with 5 over and week 2 missed, not 5/18")
    func achievedOnlyClosedWeeks() throws {
        // setup: contacts in weeks 1, 3, 4, 5 and on Tuesday 10-07 of the running week 6; none in week 2
        let scenario = ComplianceFixture.scenario(contacts: """
            [ { id: a, cadre: L001, kind: dorm-visit, start: "2025-09-05T19:00" },
              { id: c, cadre: L001, kind: dorm-visit, start: "2025-09-16T19:00" },
              { id: d, cadre: L001, kind: dorm-visit, start: "2025-09-23T19:00" },
              { id: e, cadre: L001, kind: dorm-visit, start: "2025-09-30T19:00" },
              { id: f, cadre: L001, kind: dorm-visit, start: "2025-10-07T19:00" } ]
            """)
        // act
        let report = try ComplianceFixture.evaluate(policy: ComplianceScenarioTests.weekly, scenario: scenario, asOf: "2025-10-08")
        // check
        let cell = try #require(report.cell("L001", "weekly", "2025-2026-1"))
        #expect(cell.elapsed == 5 && cell.achieved == 4 && cell.required == 18 && cell.status == .missed, "\(cell.achieved) \(cell.status)")
        #expect(cell.parts[5].status == .met && cell.counted.contains("f"))   // the running week still shows as met
        let table = PolicyCLI.table(report, policy: try PolicyLoader.load(ComplianceScenarioTests.weekly))
        #expect(table.contains("4/18（已过 5）") && !table.contains("5/18"), "\(table)")
    }

    @Test("a past week the calendar excludes is 'excluded' in the output, not 'not-yet-due'")
    func pastExcludedWeek() throws {
        let scenario = ComplianceFixture.scenario(vacations: ComplianceFixture.autumnBreak,
                                                  contacts: ComplianceFixture.weeklyContacts(holiday: true))
        let report = try ComplianceFixture.evaluate(policy: ComplianceScenarioTests.weekly, scenario: scenario, asOf: "2025-10-13")
        let json = PolicyCLI.json(report)
        // act: read the parts of the cell back as plain JSON
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let cells = try #require(root["cells"] as? [[String: Any]])
        let cell = try #require(cells.first { ($0["subject"] as? [String: Any])?["id"] as? String == "L001" && $0["ruleID"] as? String == "weekly" })
        let parts = try #require(cell["parts"] as? [[String: Any]])
        let status = Dictionary(uniqueKeysWithValues: parts.map { ($0["start"] as! String, $0["status"] as! String) })
        // check: the holiday week is over and excluded; week 7 (10-13 …) is open; the exam weeks in January excluded too
        #expect(status["2025-09-29"] == "excluded", "\(status)")
        #expect(status["2025-09-22"] == "met" && status["2025-10-13"] == "on-track" && status["2025-10-20"] == "not-yet-due")
        #expect(status["2026-01-05"] == "excluded" && status["2026-01-12"] == "excluded")
        // the output still reads back as the same report
        let decoded = try JSONDecoder().decode(ComplianceReport.self, from: Data(json.utf8))
        #expect(decoded.cells == report.cells)
    }

    @Test("monthly every rule: an exam-week visit counts for its month, and explain says so")
    func monthlyExamWeekVisit() throws {
        let policyText = ComplianceFixture.policy(rules: """
              - id: monthly
                who: school-leader
                every: { kinds: [in-person], per: month }
            """)
        // setup: one visit on 01-06, inside the excluded exam weeks; January still has 01-01 … 01-04 free
        let scenario = ComplianceFixture.scenario(contacts: """
            [ { id: exam, cadre: L001, kind: dorm-visit, start: "2026-01-06T19:00" } ]
            """)
        // act
        let report = try ComplianceFixture.evaluate(policy: policyText, scenario: scenario, asOf: "2026-01-20")
        let (rule, policy) = try Self.rule(policyText)
        let text = PolicyExplainer.describe(rule, policy)
        // check: the engine counts it for January…
        let cell = try #require(report.cell("L001", "monthly", "2025-2026-1"))
        let january = try #require(cell.parts.first { $0.id == "2026-01" })
        #expect(january.counts && january.status == .met && cell.counted == ["exam"])
        // …and the text no longer says exam weeks do not count; it says which months are skipped
        #expect(!text.contains("假期和考试周不计"), "\(text)")
        #expect(text.contains("整月都在假期或考试周内的月份不计") && text.contains("照常计入"), "\(text)")
    }

    @Test("weekly rules: explain says skipped weeks count for no week, and names what the rule includes")
    func weeklyText() throws {
        let (skipping, policy) = try Self.rule(ComplianceScenarioTests.weekly)
        #expect(PolicyExplainer.describe(skipping, policy).contains("整周都在假期或考试周内的周不计，其间的联系不计入任何一周"))
        let (including, other) = try Self.rule(ComplianceFixture.policy(rules: """
              - id: weekly
                who: school-leader
                every: { kinds: [in-person], per: week, includeVacations: true }
            """))
        let text = PolicyExplainer.describe(including, other)
        #expect(text.contains("整周都在考试周内的周不计") && text.contains("假期的周照常要求"), "\(text)")
    }
}
