import Foundation
import Testing
@testable import YixianCore

/// Key-student talks counted per student (issue 10 item 2 / item 5; POLICY-FORMAT §4.20):
/// 苏州大学 三2(2) “每名干部联系1名重点学生并定期谈心”, from the help logs of 精准帮扶.
///
/// `ComplianceFixture`: term 1 runs 2025-09-03 … 2026-01-18, term 2 from 2026-03-02. C001 is paired with key
/// students S1 (all year) and S2 (from 2025-11-01), C002 with S3.
@Suite("Key-student talks per student")
struct KeyStudentTalksTests {
    static let pairings = """
        [ { cadre: C001, student: S1, kind: key-student },
          { cadre: C001, student: S2, kind: key-student, from: 2025-11-01 },
          { cadre: C002, student: S3, kind: key-student } ]
        """

    static func scenario(logs: String) -> String {
        ComplianceFixture.scenario(pairings: pairings) + "\nsupportLogs: \(logs)\n"
    }

    static let policy = ComplianceFixture.policy(roles: "cadre: { rankAtLeast: deputy-director }", rules: """
          - id: talks
            who: cadre
            count: { kinds: [heart-to-heart], atLeast: 2, per: term, perKeyStudent: true }
        """)

    @Test("each key student is judged on its own: a cell per cadre, student and term")
    func perStudentCells() throws {
        let logs = """
            [ { id: k1, cadre: C001, student: S1, day: 2025-09-20, kind: talk },
              { id: k2, cadre: C001, student: S1, day: 2025-10-20, kind: talk },
              { id: k3, cadre: C001, student: S2, day: 2025-11-10, kind: talk },
              { id: k4, cadre: C001, student: S2, day: 2025-11-12, kind: visit },
              { id: k5, cadre: C002, student: S3, day: 2025-10-01, kind: talk } ]
            """
        let report = try ComplianceFixture.evaluate(policy: Self.policy, scenario: Self.scenario(logs: logs), asOf: "2026-01-20")
        func cell(_ cadre: String, _ student: String, _ term: String) -> ComplianceCell? {
            report.cells.first { $0.subject.id == cadre && $0.keyStudent == student && $0.period.id == term }
        }
        // C001 × S1, term 1: k1, k2 → 2 ≥ 2 met
        let s1 = try #require(cell("C001", "S1", "2025-2026-1"))
        #expect(s1.achieved == 2 && s1.required == 2 && s1.counted == ["k1", "k2"] && s1.status == .met)
        // C001 × S2 (paired from 11-01), term 1: k3 (talk) = 1, k4 (a visit) is another kind → 1 < 2 missed —
        // S1's two talks do not make up for it, as a count of all talks (3 ≥ 2 × 2 − 1) would have hidden
        let s2 = try #require(cell("C001", "S2", "2025-2026-1"))
        #expect(s2.achieved == 1 && s2.status == .missed && s2.excluded == [ComplianceExclusion(id: "k4", reason: .wrongKind)])
        // C002 × S3: k5 = 1 < 2 missed
        #expect(cell("C002", "S3", "2025-2026-1")?.status == .missed)
        // term 2 has not begun: the same three pairings, not yet due; school leaders have no key students, no cells
        #expect(report.cells.filter { $0.ruleID == "talks" }.count == 6)
        #expect(cell("C001", "S2", "2025-2026-2")?.status == .notYetDue)
        #expect(report.cells.filter { $0.ruleID == "talks" }.allSatisfy { $0.subject.id == "C001" || $0.subject.id == "C002" })
    }

    @Test("explain says each key student is counted on its own")
    func explained() throws {
        let text = PolicyExplainer.describe(try PolicyLoader.load(Self.policy, fileName: "p.yaml"))
        #expect(text.contains("对每名重点联系学生分别计"), "\(text)")
    }

    @Test("a log for a student the cadre is not paired with is refused, as on /support")
    func unpairedLogRefused() {
        let logs = "[ { id: x, cadre: C001, student: S3, day: 2025-10-01, kind: talk } ]"
        var diagnostics: [YAMLDiagnostic] = []
        do { _ = try ScenarioLoader.load(Self.scenario(logs: logs)) } catch { diagnostics = error.diagnostics }
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.message.zh == "干部 C001 在 2025-10-01 未与学生 S3 结对为重点联系学生，不能记录")
        // before S2's pairing starts (11-01) too
        let early = "[ { id: y, cadre: C001, student: S2, day: 2025-10-15, kind: talk } ]"
        #expect(throws: YAMLLoadError.self) { _ = try ScenarioLoader.load(Self.scenario(logs: early)) }
    }

    @Test(arguments: [
        ("count: { kinds: [heart-to-heart], atLeast: 2, per: term, perKeyStudent: true, scope: own-collectives }", 77, "不能与 scope 并用"),
        ("count: { kinds: [dorm-visit], atLeast: 1, per: term, perKeyStudent: true }", 73, "两者都没有"),
        ("count: { kinds: [heart-to-heart], measure: person-times, atLeast: 2, per: term, perKeyStudent: true }", 100, "measure: person-times"),
    ])
    func refused(rule: String, column: Int, words: String) throws {
        let found = PolicyNonsenseTests.diagnostics(rule)
        #expect(found.count == 1, "\(found)")
        let only = try #require(found.first)
        #expect(only.line == 8 && only.column == column && only.message.zh.contains(words) && !only.message.en.isEmpty, "\(only)")
    }
}
