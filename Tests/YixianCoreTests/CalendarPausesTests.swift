import Foundation
import Testing
@testable import YixianCore

/// `includeVacations` / `includeExamWeeks` (POLICY-FORMAT §4.2). Before these keys no rule could require
/// contact in a week wholly inside a vacation or in exam weeks: `every` skipped them and `count` with
/// `per: week` had no cell for them, although the docs sent such plans to `count`.
///
/// Counted by hand from `ComplianceFixture`: term 1 runs Wed 2025-09-03 … Sun 2026-01-18, so its weeks
/// start on the Mondays 09-01 … 01-12 — 133 days apart, 19 steps, 20 weeks. The exam weeks
/// 01-05 … 01-18 are two of them. The vacation below (09-29 … 10-08) covers the whole week 09-29 … 10-05
/// and only part of the next.
@Suite("Rules choose whether vacations and exam weeks count")
struct CalendarPausesTests {
    static let vacation = ComplianceFixture.autumnBreak

    static func every(_ keys: String) -> String {
        ComplianceFixture.policy(rules: """
              - id: weekly
                who: school-leader
                every: { kinds: [in-person], per: week\(keys) }
            """)
    }

    @Test("every week: 17 weeks by default, 18 with the holiday week, 19 with the exam weeks, 20 with both", arguments: [
        ("", 17.0), (", includeVacations: false, includeExamWeeks: false", 17), (", includeVacations: true", 18),
        (", includeExamWeeks: true", 19), (", includeVacations: true, includeExamWeeks: true", 20),
    ])
    func requiredWeeks(keys: String, weeks: Double) throws {
        let scenario = ComplianceFixture.scenario(vacations: Self.vacation)
        let report = try ComplianceFixture.evaluate(policy: Self.every(keys), scenario: scenario, asOf: "2025-10-13")
        let cell = try #require(report.cell("L001", "weekly", "2025-2026-1"))
        #expect(cell.required == weeks, "\(keys)")
    }

    @Test("with includeVacations the holiday week is required, and a contact in it counts for it")
    func holidayWeekRequired() throws {
        // setup: contacts in weeks 1–4, in the holiday week (10-02) and in week 6 (10-09); 10-13 starts week 7
        let scenario = ComplianceFixture.scenario(vacations: Self.vacation, contacts: ComplianceFixture.weeklyContacts(holiday: true))
        // act
        let report = try ComplianceFixture.evaluate(policy: Self.every(", includeVacations: true"), scenario: scenario, asOf: "2025-10-13")
        // check: six weeks over, all six met
        let cell = try #require(report.cell("L001", "weekly", "2025-2026-1"))
        let holidayWeek = try #require(cell.parts.first { $0.start == LocalDate("2025-09-29") })
        #expect(holidayWeek.counts && holidayWeek.status == .met && holidayWeek.achieved == 1)
        #expect(cell.counted.contains("holiday") && !cell.excluded.contains { $0.id == "holiday" })
        #expect(cell.elapsed == 6 && cell.achieved == 6 && cell.status == .onTrack)
        // …and without a contact in it the rule is missed, where the default rule is not
        let without = ComplianceFixture.scenario(vacations: Self.vacation, contacts: ComplianceFixture.weeklyContacts(holiday: false))
        let strict = try ComplianceFixture.evaluate(policy: Self.every(", includeVacations: true"), scenario: without, asOf: "2025-10-13")
        let lenient = try ComplianceFixture.evaluate(policy: Self.every(""), scenario: without, asOf: "2025-10-13")
        #expect(strict.cell("L001", "weekly", "2025-2026-1")?.status == .missed)
        #expect(lenient.cell("L001", "weekly", "2025-2026-1")?.status == .onTrack)
    }

    @Test("count per week: a cell for the holiday week only when the rule includes vacations")
    func countPerWeek() throws {
        let scenario = ComplianceFixture.scenario(vacations: Self.vacation, contacts: """
            [ { id: holiday, cadre: L001, kind: face-to-face, start: "2025-10-02T10:00" } ]
            """)
        func holidayCell(_ keys: String) throws -> ComplianceCell? {
            let policy = ComplianceFixture.policy(rules: """
                  - id: weekly-count
                    who: school-leader
                    count: { kinds: [in-person], atLeast: 1, per: week\(keys) }
                """)
            let report = try ComplianceFixture.evaluate(policy: policy, scenario: scenario, asOf: "2025-10-13")
            return report.cells.first { $0.subject.id == "L001" && $0.period.start == LocalDate("2025-09-29") }
        }
        #expect(try holidayCell("") == nil)
        let cell = try #require(try holidayCell(", includeVacations: true"))
        #expect(cell.status == .met && cell.counted == ["holiday"])
    }

    @Test("count per month: a month wholly in vacation and exams is skipped unless either is included")
    func countPerMonth() throws {
        // setup: January of term 1 is 01-01 … 01-18; a vacation 01-01 … 01-04 and the exams 01-05 … 01-18 cover all of it
        let scenario = ComplianceFixture.scenario(vacations: "[ { start: 2026-01-01, end: 2026-01-04 } ]")
        func january(_ keys: String) throws -> ComplianceCell? {
            let policy = ComplianceFixture.policy(rules: """
                  - id: monthly
                    who: school-leader
                    count: { kinds: [in-person], atLeast: 1, per: month\(keys) }
                """)
            let report = try ComplianceFixture.evaluate(policy: policy, scenario: scenario, asOf: "2026-01-20")
            return report.cell("L001", "monthly", "2026-01")
        }
        #expect(try january("") == nil)
        #expect(try january(", includeVacations: true")?.status == .missed)
        #expect(try january(", includeExamWeeks: true")?.status == .missed)
    }

    @Test("the keys are refused on a term count, and must be true or false")
    func refused() {
        let onTerm = PolicyNonsenseTests.diagnostics("count: { kinds: [any], atLeast: 1, per: term, includeVacations: true }")
        #expect(onTerm.count == 1 && onTerm.first?.line == 8 && onTerm.first?.message.zh.contains("includeVacations") == true, "\(onTerm)")
        let notBool = PolicyNonsenseTests.diagnostics("every: { kinds: [any], per: week, includeExamWeeks: often }")
        #expect(notBool.count == 1 && notBool.first?.line == 8, "\(notBool)")
        #expect(PolicyNonsenseTests.diagnostics("every: { kinds: [any], per: month, includeVacations: true, includeExamWeeks: true }").isEmpty)
    }
}
