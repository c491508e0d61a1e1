import Foundation
import Testing
@testable import YixianCore

/// Weekly filings, meeting records and filings by one cadre (issue 10 item 5; POLICY-FORMAT §4.16).
///
/// Counted by hand from `ComplianceFixture`: term 1 runs Wed 2025-09-03 … Sun 2026-01-18; its weeks run Monday to
/// Sunday, week 1 clipped to 09-03 … 09-07 (ISO 2025-W36), then W37 09-08 … 09-14, W38 09-15 … 09-21,
/// W39 09-22 … 09-28, W40 09-29 … 10-05. A filing rule without a deadline is due on its period's last day.
@Suite("Weekly filings, meeting records, filings by a cadre")
struct FilingWeeklyTests {
    static func policy(_ rules: String) -> String {
        """
        id: t
        title: t
        filingKinds:
          - { code: weekly-report, zh: 每周工作简报, en: Weekly brief }
          - { code: weekly-meeting, zh: 学生工作例会, en: Weekly student-work meeting, meeting: true }
        roles:
          school-leader: { rank: [school-leader] }
        rules:
        \(rules)
        """
    }

    @Test("每周报送: one cell a week, a filing counts for the week it names or the week of its day; late is late")
    func weekly() throws {
        // setup: CS files W37 on 09-12, a meeting record with no week on 09-17 (W38), and W39 on 09-29 (after W39 ended 09-28)
        let scenario = ComplianceFixture.scenario(filings: """
            [ { id: f1, unit: CS, term: 2025-2026-1, kind: weekly-report, submitted: 2025-09-12, period: 2025-W37 },
              { id: f2, unit: CS, term: 2025-2026-1, kind: weekly-report, submitted: 2025-09-17 },
              { id: f3, unit: CS, term: 2025-2026-1, kind: weekly-report, submitted: 2025-09-29, period: 2025-W39 } ]
            """)
        let report = try ComplianceFixture.evaluate(policy: Self.policy("""
              - { id: brief, who: { units: { codes: [CS] } }, filing: { kind: weekly-report, per: week } }
            """), scenario: scenario, asOf: "2025-09-30")
        // check, as of Tue 09-30
        let w36 = try #require(report.cell("CS", "brief", "2025-W36"))
        #expect(w36.status == .missed && w36.due == LocalDate("2025-09-07"))          // nothing by Sun 09-07
        #expect(report.cell("CS", "brief", "2025-W37")?.counted == ["f1"])          // 09-12 ≤ 09-14
        #expect(report.cell("CS", "brief", "2025-W37")?.status == .met)
        #expect(report.cell("CS", "brief", "2025-W38")?.counted == ["f2"])          // 09-17 lies in 09-15 … 09-21
        let w39 = try #require(report.cell("CS", "brief", "2025-W39"))
        #expect(w39.status == .missed && w39.achieved == 0 && w39.excluded == [ComplianceExclusion(id: "f3", reason: .late)])  // 09-29 > 09-28
        #expect(report.cell("CS", "brief", "2025-W40")?.status == .atRisk)          // due 10-05, 5 days ≤ 7
        #expect(report.cell("CS", "brief", "2025-W41")?.status == .notYetDue)       // starts 10-06
    }

    @Test("a meeting record counts for the month it was held in; explain says 召开")
    func meetingRecord() throws {
        // setup: CS holds its analysis meeting on 10-15 and records it without naming a month
        let scenario = ComplianceFixture.scenario(filings: """
            [ { id: m1, unit: CS, term: 2025-2026-1, kind: analysis-meeting, submitted: 2025-10-15 } ]
            """)
        let text = Self.policy("""
              - { id: meet, who: { units: { codes: [CS] } }, filing: { kind: analysis-meeting, per: month } }
              - { id: weekly, who: { units: { codes: [CS] } }, filing: { kind: weekly-meeting, per: week } }
            """)
        let report = try ComplianceFixture.evaluate(policy: text, scenario: scenario, asOf: "2025-10-20")
        // check: October met by m1 (10-15 in 10-01 … 10-31); September (09-03 … 09-30, due 09-30) missed
        #expect(report.cell("CS", "meet", "2025-10")?.counted == ["m1"] && report.cell("CS", "meet", "2025-10")?.status == .met)
        #expect(report.cell("CS", "meet", "2025-09")?.status == .missed)
        let explained = PolicyExplainer.describe(try PolicyLoader.load(text))
        #expect(explained.contains("每月至少召开 1 次「学生工作专题研判会」（以会议记录为准）"), "\(explained)")
        #expect(explained.contains("每周至少召开 1 次「学生工作例会」"), "\(explained)")
    }

    @Test("每位校领导每学期提交 1 份报告: one cell per leader, only the filings naming them; a unit's own filing is not theirs")
    func byCadre() throws {
        // setup: L001 files on 01-10; L002 on 01-25, after term 1 ended on 01-18; LEAD files a unit report on 01-12
        let scenario = ComplianceFixture.scenario(filings: """
            [ { id: r1, unit: LEAD, cadre: L001, term: 2025-2026-1, kind: leader-contact-report, submitted: 2026-01-10 },
              { id: r2, unit: LEAD, cadre: L002, term: 2025-2026-1, kind: leader-contact-report, submitted: 2026-01-25 },
              { id: u1, unit: LEAD, term: 2025-2026-1, kind: leader-contact-report, submitted: 2026-01-12 } ]
            """)
        let report = try ComplianceFixture.evaluate(policy: Self.policy("""
              - { id: each, who: school-leader, filing: { kind: leader-contact-report, per: term } }
              - { id: whole, who: school, filing: { kind: leader-contact-report, per: term } }
            """), scenario: scenario, asOf: "2026-01-26")
        // check: L001 r1 01-10 ≤ 01-18 met; L002 r2 late → missed; L003 nothing → missed (u1 is the unit's, not L003's)
        let l1 = try #require(report.cell("L001", "each", "2025-2026-1"))
        #expect(l1.subject.kind == .cadre && l1.counted == ["r1"] && l1.status == .met)
        #expect(report.cell("L002", "each", "2025-2026-1")?.excluded == [ComplianceExclusion(id: "r2", reason: .late)])
        #expect(report.cell("L002", "each", "2025-2026-1")?.status == .missed)
        #expect(report.cell("L003", "each", "2025-2026-1")?.counted == [] && report.cell("L003", "each", "2025-2026-1")?.status == .missed)
        #expect(report.cell("L001", "each", "2025-2026-2")?.status == .notYetDue)
        // no college cadre is a school leader: no cell for C001
        #expect(report.cell("C001", "each", "2025-2026-1") == nil)
        // the school's report is the unit filing only
        #expect(report.cell("school", "whole", "2025-2026-1")?.counted == ["u1"])
    }

    @Test("check refuses a deadline on a weekly filing, and a scenario refuses a filing naming an unknown cadre")
    func refused() throws {
        let found = PolicyNonsenseTests.diagnostics("filing: { kind: arrangement-plan, per: week, deadline: \"term-start +14d\" }", who: "{ units: any }")
        let only = try #require(found.first)
        // "    filing: { kind: arrangement-plan, per: week, deadline: " is 59 characters: the deadline starts in column 60
        #expect(found.count == 1 && only.line == 8 && only.column == 60 && only.message.zh.contains("每周报送"), "\(found)")
        #expect(PolicyNonsenseTests.diagnostics("filing: { kind: arrangement-plan, per: week }", who: "leader").isEmpty)
        let scenario = ComplianceFixture.scenario(filings: """
            [ { id: r9, unit: LEAD, cadre: X999, term: 2025-2026-1, kind: leader-contact-report, submitted: 2026-01-10 } ]
            """)
        #expect(throws: YAMLLoadError.self) { try ScenarioLoader.load(scenario) }
        do { _ = try ScenarioLoader.load(scenario) } catch {
            #expect(error.diagnostics.contains { $0.message.zh.contains("未知的干部「X999」") }, "\(error)")
        }
    }
}
