import Foundation
import Testing
@testable import YixianCore

/// `policy check` refuses what a real plan can never mean, each with its line, column and reason
/// (before these checks each of them loaded silently).
@Suite("Policy check refuses nonsense")
struct PolicyNonsenseTests {
    static func diagnostics(_ rule: String, who: String = "leader", calendar: AcademicCalendar? = nil) -> [YAMLDiagnostic] {
        PolicyLoader.diagnostics("""
            id: t
            title: t
            roles:
              leader: { rank: [school-leader] }
            rules:
              - id: r
                who: \(who)
                \(rule)
            """, calendar: calendar)
    }

    /// `ComplianceFixture`'s calendar: one year from 2025-08-25 with two terms, the first from 2025-09-03.
    static func twoTerms() throws -> AcademicCalendar { try ScenarioLoader.load(ComplianceFixture.scenario()).calendar }

    @Test(arguments: [
        ("count: { kinds: [], atLeast: 1, per: term }", "kinds"),
        ("count: { kinds: [any], atLeast: 1.5, per: term }", "atLeast"),
        ("timeShare: { atLeast: 0, per: term }", "比例"),
        ("timeShare: { atLeast: 0.5, per: term, hoursPerWorkday: 0 }", "hoursPerWorkday"),
        ("timeShare: { atLeast: 0.5, per: term, hoursPerWorkday: 30 }", "hoursPerWorkday"),
        ("every: { kinds: [any], atLeast: 1.5, per: week }", "整数"),
        // 七进 is seven venues; the standard vocabulary has ten
        ("count: { kinds: [any], measure: distinct-venues, venues: [seven-entries], atLeast: 8, per: term }", "只有 7 个场所"),
        ("count: { kinds: [any], measure: distinct-venues, atLeast: 11, per: term }", "只有 10 个场所"),
        ("every: { kinds: [any], measure: distinct-venues, venues: [dorm, canteen], atLeast: 3, per: month }", "只有 2 个场所"),
    ])
    func refused(rule: String, word: String) throws {
        let found = Self.diagnostics(rule)
        #expect(found.count == 1, "\(found)")
        let only = try #require(found.first)
        #expect(only.line == 8 && only.column > 1 && only.message.zh.contains(word) && !only.message.en.isEmpty, "\(only)")
    }

    @Test("a first response due after the answer is refused")
    func responseOrder() {
        let found = Self.diagnostics("response: { days: workdays, tiers: { ordinary: { firstResponse: 9, answer: 5 } } }", who: "school")
        #expect(found.map(\.message.zh).contains { $0.contains("首次响应时限") }, "\(found)")
        #expect(Self.diagnostics("response: { days: workdays, tiers: { ordinary: { firstResponse: 2, answer: 5 } } }", who: "school").isEmpty)
    }

    @Test("a term the calendar does not have is refused where it is written (was: silently another term)")
    func termBeyondCalendar() throws {
        let calendar = try Self.twoTerms()
        let rule = "filing: { kind: arrangement-plan, per: academic-year, term: 3, deadline: \"term-start +14d\" }"
        let found = Self.diagnostics(rule, who: "{ units: any }", calendar: calendar)
        #expect(found.count == 1, "\(found)")
        let only = try #require(found.first)
        // the rule line is indented 4: "    filing: { kind: arrangement-plan, per: academic-year, term: " is 64 characters
        #expect(only.line == 8 && only.column == 65 && only.message.zh.contains("没有第 3 学期"), "\(only)")
        #expect(Self.diagnostics(rule.replacingOccurrences(of: "term: 3", with: "term: 2"), who: "{ units: any }", calendar: calendar).isEmpty)
        // `evaluate` checks the policy against its scenario's calendar
        let output = PolicyCLI.evaluate(policyText: ComplianceFixture.policy(rules: "  - { id: plan, who: { units: any }, \(rule) }"),
                                        scenarioText: ComplianceFixture.scenario(), asOf: LocalDate("2025-10-01")!, format: .json)
        #expect(output.contains("没有第 3 学期"), "\(output)")
    }

    @Test("without the calendar at check time, the engine names the missing term and keeps the year's end, not term 1's deadline")
    func termBeyondCalendarInTheEngine() throws {
        let policy = ComplianceFixture.policy(rules: """
              - id: plan
                who: { units: any }
                filing: { kind: arrangement-plan, per: academic-year, term: 3, deadline: "term-start +14d" }
            """)
        let report = try ComplianceFixture.evaluate(policy: policy, scenario: ComplianceFixture.scenario(), asOf: "2025-10-01")
        let cell = try #require(report.cell("CS", "plan", "2025-2026"))
        // term 1 would give 09-03 + 14 = 09-17; the year ends 2026-08-23
        #expect(cell.due == LocalDate("2026-08-23") && cell.note?.zh.contains("没有第 3 学期") == true, "\(String(describing: cell.due)) \(String(describing: cell.note))")
    }

    @Test("a deadline before the academic year starts is refused with the days it falls on", arguments: [
        // term 1 starts 09-03, the year 08-25: 09-03 − 10 days is 08-24, one day early; − 9 days is 08-25, allowed
        ("pairing: { collectiveKinds: [class], atLeast: 1, deadline: \"term-start -10d\" }", "leader", true),
        ("pairing: { collectiveKinds: [class], atLeast: 1, deadline: \"term-start -9d\" }", "leader", false),
        ("coverage: { collectiveKinds: [class], deadline: \"term-start -30d\" }", "{ units: any }", true),
        // (a count rule's deadline before term start is refused even without a calendar: EventDeadlineTests)
        ("filing: { kind: arrangement-plan, per: academic-year, deadline: \"term-start -14d\" }", "{ units: any }", true),
        ("filing: { kind: arrangement-plan, per: academic-year, deadline: \"term-start -7d\" }", "{ units: any }", false),
        // term 2 starts 2026-03-02: a week before it is still inside the year
        ("filing: { kind: arrangement-plan, per: academic-year, term: 2, deadline: \"term-start -7d\" }", "{ units: any }", false),
    ])
    func deadlineBeforeYear(rule: String, who: String, refused: Bool) throws {
        let found = Self.diagnostics(rule, who: who, calendar: try Self.twoTerms())
        if refused {
            #expect(found.count == 1 && found.first?.line == 8 && found.first?.message.zh.contains("学年开始之前") == true, "\(found)")
            #expect(found.first?.message.zh.contains("2025-08-25") == true)
        } else {
            #expect(found.isEmpty, "\(found)")
        }
        // without a calendar nothing can be said about it
        #expect(Self.diagnostics(rule, who: who).isEmpty)
    }

    @Test("check names what is wrong with a nearly right deadline, at its position (was: 'unknown anchor')", arguments: [
        ("term-start+14d", "term-start +14d"), ("date:02-30", "02-30"),
    ])
    func nearlyRightDeadline(deadline: String, named: String) throws {
        let found = Self.diagnostics("filing: { kind: arrangement-plan, per: term, deadline: \"\(deadline)\" }", who: "{ units: any }")
        let only = try #require(found.first)
        // "    filing: { kind: arrangement-plan, per: term, deadline: " is 59 characters: the string starts in column 60
        #expect(found.count == 1 && only.line == 8 && only.column == 60, "\(found)")
        #expect(only.message.zh.contains(named) && !only.message.zh.contains("无法识别"), "\(only)")
    }

    @Test("sensible values still load: hours may be fractional, a whole count is fine")
    func sensible() {
        #expect(Self.diagnostics("count: { kinds: [any], atLeast: 2, per: term }").isEmpty)
        #expect(Self.diagnostics("count: { kinds: [any], measure: distinct-venues, venues: [seven-entries], atLeast: 7, per: term }").isEmpty)
        #expect(Self.diagnostics("count: { kinds: [any], measure: hours, atLeast: 1.5, per: term }").isEmpty)
        #expect(Self.diagnostics("timeShare: { atLeast: 0.5, per: term, hoursPerWorkday: 7.5 }").isEmpty)
    }
}
