import Foundation
import Testing
@testable import YixianCore

/// 课时 as a unit of lectures (issue 10 item 5; POLICY-FORMAT §4.13): “每学期至少讲授 2 课时形势与政策课”.
/// Each line's duration is divided by the period length and rounded down to whole periods.
@Suite("Class periods (课时)")
struct ClassPeriodTests {
    static func policy(_ extra: String = "") -> String {
        ComplianceFixture.policy(rules: """
              - id: r
                who: school-leader
                count: { kinds: [policy-lecture], measure: class-periods, atLeast: 2, per: term\(extra) }
            """)
    }

    /// `(cadre, id, day, from, to)`.
    static let scenario = ComplianceFixture.scenario(contacts: "[ " + [
        ("L001", "a1", "2025-10-09", "08:00", "09:35"),   // 95 minutes: two periods with a 5-minute break
        ("L002", "b1", "2025-10-10", "08:00", "09:20"),   // 80 minutes
        ("L002", "b2", "2025-11-10", "14:00", "14:40"),   // 40 minutes
        ("L003", "c1", "2025-10-13", "10:00", "10:45"),   // 45 minutes
        ("L003", "c2", "2025-11-13", "10:00", "10:50"),   // 50 minutes
    ].map { "{ id: \($0.1), cadre: \($0.0), kind: policy-lecture, start: \"\($0.2)T\($0.3)\", end: \"\($0.2)T\($0.4)\" }" }
        .joined(separator: ",\n  ") + " ]")

    @Test("45-minute periods: whole periods per line, rounded down")
    func fortyFive() throws {
        let report = try ComplianceFixture.evaluate(policy: Self.policy(), scenario: Self.scenario, asOf: "2026-01-19")
        // L001: ⌊95/45⌋ = ⌊2.11⌋ = 2 ≥ 2 met
        #expect(report.cell("L001", "r", "2025-2026-1")?.achieved == 2 && report.cell("L001", "r", "2025-2026-1")?.status == .met)
        // L002: ⌊80/45⌋ + ⌊40/45⌋ = 1 + 0 = 1 < 2 missed (a line shorter than a period adds nothing)
        #expect(report.cell("L002", "r", "2025-2026-1")?.achieved == 1 && report.cell("L002", "r", "2025-2026-1")?.status == .missed)
        // L003: ⌊45/45⌋ + ⌊50/45⌋ = 1 + 1 = 2 met
        #expect(report.cell("L003", "r", "2025-2026-1")?.achieved == 2 && report.cell("L003", "r", "2025-2026-1")?.status == .met)
    }

    @Test("50-minute periods")
    func fifty() throws {
        let report = try ComplianceFixture.evaluate(policy: Self.policy(", periodMinutes: 50"), scenario: Self.scenario, asOf: "2026-01-19")
        // L001: ⌊95/50⌋ = 1 missed; L002: ⌊80/50⌋ + ⌊40/50⌋ = 1 missed; L003: ⌊45/50⌋ + ⌊50/50⌋ = 0 + 1 = 1 missed
        #expect(report.cell("L001", "r", "2025-2026-1")?.achieved == 1)
        #expect(report.cell("L002", "r", "2025-2026-1")?.achieved == 1)
        #expect(report.cell("L003", "r", "2025-2026-1")?.achieved == 1 && report.cell("L003", "r", "2025-2026-1")?.status == .missed)
    }

    @Test("a group's total adds the members' class periods")
    func groupTotal() throws {
        let policy = ComplianceFixture.policy(roles: "school-leader: { rank: [school-leader] }", rules: """
              - id: g
                who: { group: [school-leader], quota: total }
                count: { kinds: [policy-lecture], measure: class-periods, atLeast: 5, per: term }
            """)
        let report = try ComplianceFixture.evaluate(policy: policy, scenario: Self.scenario, asOf: "2026-01-19")
        // L001 2 + L002 1 + L003 2 = 5 ≥ 5
        #expect(report.cell("school", "g", "2025-2026-1")?.achieved == 5)
    }

    @Test(arguments: [
        ("count: { kinds: [lecture], measure: class-periods, atLeast: 1.5, per: term }", "整数"),
        ("count: { kinds: [lecture], measure: class-periods, atLeast: 2, per: term, periodMinutes: 90 }", "periodMinutes"),
        ("count: { kinds: [lecture], measure: class-periods, atLeast: 2, per: term, periodMinutes: 45.5 }", "periodMinutes"),
        ("count: { kinds: [lecture], measure: hours, atLeast: 2, per: term, periodMinutes: 45 }", "class-periods"),
    ])
    func nonsense(rule: String, word: String) throws {
        try PolicyNonsenseTests.expectOneRefusal(rule, mentioning: word)
    }

    @Test("explain says the period length")
    func explain() throws {
        let text = PolicyExplainer.describe(try PolicyLoader.load(Self.policy(", periodMinutes: 50"), fileName: "t.yaml"))
        #expect(text.contains("至少 2 课时") && text.contains("一课时 50 分钟"), "\(text)")
    }
}
