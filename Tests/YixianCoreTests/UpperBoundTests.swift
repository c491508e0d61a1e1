import Foundation
import Testing
@testable import YixianCore

/// `atMost` and `maxParticipants` on `count` rules (issue 10 item 5, “upper bounds and ranges”; POLICY-FORMAT §4.1).
///
/// Counted by hand from `ComplianceFixture`: October 2025 (10-01 … 10-31) and November (11-01 … 11-30) lie
/// wholly inside term 1 (09-03 … 2026-01-18) with no vacation; L001, L002 and L003 are the school leaders.
@Suite("Upper bounds and ranges on count rules")
struct UpperBoundTests {
    static func policy(_ keys: String) -> String {
        ComplianceFixture.policy(rules: """
              - id: r
                who: school-leader
                count: { kinds: [heart-to-heart], per: month, \(keys) }
            """)
    }

    /// Heart-to-heart talks: `(cadre, id, day, participants)`.
    static func talks(_ lines: [(String, String, String, Int)]) -> String {
        "[ " + lines.map { "{ id: \($0.1), cadre: \($0.0), kind: heart-to-heart, start: \"\($0.2)T10:00\", participants: \($0.3) }" }
            .joined(separator: ",\n  ") + " ]"
    }

    @Test("a range 2–3 per month: 2 is met, 1 is missed (under), 4 is missed (over) — required stays the lower bound")
    func rangeMetMissedOver() throws {
        // setup: October — L001 two talks, L002 one, L003 four
        let scenario = ComplianceFixture.scenario(contacts: Self.talks([
            ("L001", "a1", "2025-10-09", 1), ("L001", "a2", "2025-10-20", 1),
            ("L002", "b1", "2025-10-15", 1),
            ("L003", "c1", "2025-10-08", 1), ("L003", "c2", "2025-10-13", 1), ("L003", "c3", "2025-10-21", 1), ("L003", "c4", "2025-10-28", 1),
        ]))
        // act: as of 11-05, October is closed
        let report = try ComplianceFixture.evaluate(policy: Self.policy("atLeast: 2, atMost: 3"), scenario: scenario, asOf: "2025-11-05")
        // check: L001 2 ∈ [2, 3] met; L002 1 < 2 missed; L003 4 > 3 missed
        let met = try #require(report.cell("L001", "r", "2025-10"))
        #expect(met.required == 2 && met.maximum == 3 && met.achieved == 2 && met.status == .met)
        #expect(met.note?.zh == "上限：至多 3" && met.note?.en == "upper bound: at most 3")
        let under = try #require(report.cell("L002", "r", "2025-10"))
        #expect(under.achieved == 1 && under.status == .missed)
        let over = try #require(report.cell("L003", "r", "2025-10"))
        #expect(over.required == 2 && over.achieved == 4 && over.status == .missed && over.counted == ["c1", "c2", "c3", "c4"])
        #expect(over.note?.zh == "超过上限：至多 3，已有 4")
    }

    @Test("a running period that goes over is missed at once; under it, the usual pace (or on track with no atLeast)")
    func runningPeriodGoesOver() throws {
        // setup: November — L001 four talks by 11-08; L002 one on 11-03; L003 none
        let scenario = ComplianceFixture.scenario(contacts: Self.talks([
            ("L001", "a1", "2025-11-03", 1), ("L001", "a2", "2025-11-04", 1), ("L001", "a3", "2025-11-06", 1), ("L001", "a4", "2025-11-08", 1),
            ("L002", "b1", "2025-11-03", 1),
        ]))
        // act: as of 11-10, day 10 of 30
        let range = try ComplianceFixture.evaluate(policy: Self.policy("atLeast: 2, atMost: 3"), scenario: scenario, asOf: "2025-11-10")
        // check: L001 4 > 3 missed though November runs; L002 1 ≥ ⌊2 × 10/30⌋ = 0 on track; L003 0 ≥ 0 on track
        #expect(range.cell("L001", "r", "2025-11")?.status == .missed)
        #expect(range.cell("L002", "r", "2025-11")?.status == .onTrack)
        #expect(range.cell("L003", "r", "2025-11")?.status == .onTrack)

        // atMost alone: required 0; running and not over is on track, over is missed; October (closed, none) is met
        let cap = try ComplianceFixture.evaluate(policy: Self.policy("atMost: 3"), scenario: scenario, asOf: "2025-11-10")
        let over = try #require(cap.cell("L001", "r", "2025-11"))
        #expect(over.required == 0 && over.maximum == 3 && over.achieved == 4 && over.status == .missed)
        #expect(cap.cell("L002", "r", "2025-11")?.status == .onTrack)
        #expect(cap.cell("L003", "r", "2025-11")?.status == .onTrack)
        #expect(cap.cell("L003", "r", "2025-10")?.status == .met)
        // a month not begun is not yet judged; at exactly the bound it is not over
        let exact = try ComplianceFixture.evaluate(policy: Self.policy("atMost: 4"), scenario: scenario, asOf: "2025-12-02")
        #expect(exact.cell("L001", "r", "2025-11")?.status == .met)
    }

    @Test("maxParticipants: a session with more students does not count, and is excluded with its reason")
    func maxParticipantsExcludesBigSession() throws {
        // setup: October — L001 talks with 1, 3 and 12 students; L002 only one with 5
        let scenario = ComplianceFixture.scenario(contacts: Self.talks([
            ("L001", "a1", "2025-10-09", 1), ("L001", "a2", "2025-10-15", 3), ("L001", "a3", "2025-10-22", 12),
            ("L002", "b1", "2025-10-15", 5),
        ]))
        // act
        let report = try ComplianceFixture.evaluate(policy: Self.policy("atLeast: 2, maxParticipants: 3"), scenario: scenario, asOf: "2025-11-05")
        // check: L001 counts a1 and a2 (3 is not more than 3) → 2 met; a3 excluded; L002 0 missed, b1 excluded
        let cell = try #require(report.cell("L001", "r", "2025-10"))
        #expect(cell.achieved == 2 && cell.status == .met && cell.counted == ["a1", "a2"] && cell.maximum == nil)
        #expect(cell.excluded.contains(ComplianceExclusion(id: "a3", reason: .tooManyParticipants)))
        let other = try #require(report.cell("L002", "r", "2025-10"))
        #expect(other.achieved == 0 && other.status == .missed && other.excluded.map(\.reason) == [.tooManyParticipants])
        #expect(ComplianceExclusionReason.tooManyParticipants.rawValue == "too-many-participants")
        #expect(ComplianceExclusionReason.tooManyParticipants.label.zh == "参加人数超过每次上限")

        // without the key the same talk counts: the exclusion is the rule's, not the line's
        let plain = try ComplianceFixture.evaluate(policy: Self.policy("atLeast: 2"), scenario: scenario, asOf: "2025-11-05")
        #expect(plain.cell("L001", "r", "2025-10")?.achieved == 3)
    }

    @Test("Verdicts.bounded, row by row (§5): over is missed even while running; otherwise pace, or met/on track with no lower bound")
    func verdictRows() {
        let start = LocalDate("2025-10-01")!, end = LocalDate("2025-10-31")!
        let running = LocalDate("2025-10-10")!, closed = LocalDate("2025-11-01")!, before = LocalDate("2025-09-30")!
        #expect(Verdicts.bounded(achieved: 4, required: 2, maximum: 3, onlyMaximum: false, asOf: running, start: start, end: end) == .missed)
        #expect(Verdicts.bounded(achieved: 2, required: 2, maximum: 3, onlyMaximum: false, asOf: running, start: start, end: end) == .met)
        #expect(Verdicts.bounded(achieved: 1, required: 2, maximum: 3, onlyMaximum: false, asOf: closed, start: start, end: end) == .missed)
        #expect(Verdicts.bounded(achieved: 3, required: 0, maximum: 3, onlyMaximum: true, asOf: running, start: start, end: end) == .onTrack)
        #expect(Verdicts.bounded(achieved: 3, required: 0, maximum: 3, onlyMaximum: true, asOf: closed, start: start, end: end) == .met)
        #expect(Verdicts.bounded(achieved: 0, required: 0, maximum: 3, onlyMaximum: true, asOf: before, start: start, end: end) == .notYetDue)
        // without a maximum it is exactly `pace`
        #expect(Verdicts.bounded(achieved: 0, required: 2, maximum: nil, onlyMaximum: false, asOf: running, start: start, end: end)
                == Verdicts.pace(achieved: 0, required: 2, asOf: running, start: start, end: end))
    }

    @Test("explain names the range, the bound alone and the per-session cap")
    func explain() throws {
        let range = try PolicyLoader.load(Self.policy("atLeast: 2, atMost: 4, maxParticipants: 3"))
        let text = PolicyExplainer.describe(range.rules[0], range)
        #expect(text.contains("至少 2 次、至多 4 次") && text.contains("每次参加不超过 3 人") && text.contains("超过上限即判未完成"), "\(text)")
        let cap = try PolicyLoader.load(Self.policy("atMost: 1"))
        let capText = PolicyExplainer.describe(cap.rules[0], cap)
        #expect(capText.contains("至多 1 次") && !capText.contains("至少"), "\(capText)")
    }

    @Test("cells without atMost encode no maximum, and old JSON without it decodes")
    func codableCompatible() throws {
        let scenario = ComplianceFixture.scenario(contacts: Self.talks([("L001", "a1", "2025-10-09", 1)]))
        let report = try ComplianceFixture.evaluate(policy: Self.policy("atLeast: 1"), scenario: scenario, asOf: "2025-11-05")
        let cell = try #require(report.cell("L001", "r", "2025-10"))
        let json = String(decoding: try JSONEncoder().encode(cell), as: UTF8.self)
        #expect(!json.contains("maximum"))
        #expect(try JSONDecoder().decode(ComplianceCell.self, from: Data(json.utf8)) == cell)
        let bounded = try ComplianceFixture.evaluate(policy: Self.policy("atMost: 2"), scenario: scenario, asOf: "2025-11-05")
        let boundedJSON = String(decoding: try JSONEncoder().encode(try #require(bounded.cell("L001", "r", "2025-10"))), as: UTF8.self)
        #expect(boundedJSON.contains("\"maximum\":2"))
    }

    @Test("policy check refuses a bound no count can keep, at its line and column", arguments: [
        ("atLeast: 3, atMost: 2", "atMost", "小于 atLeast"),
        ("atLeast: { top: 4, default: 1 }, atMost: 3", "atMost", "小于 atLeast"),
        ("atMost: -1", "atMost", "不能小于 0"),
        ("atMost: 2.5", "atMost", "整数"),
        ("atLeast: 1, maxParticipants: 0", "maxParticipants", "至少为 1"),
        ("atLeast: 1, maxParticipants: 2.5", "maxParticipants", "整数"),
        ("atLeast: 1, maxParticipants: -3", "maxParticipants", "不能小于 0"),
    ])
    func refused(keys: String, key: String, word: String) throws {
        let line = "count: { kinds: [heart-to-heart], per: month, \(keys) }"
        let found = PolicyLoader.diagnostics("""
            id: t
            title: t
            roles:
              leader: { rank: [school-leader] }
              top: { role: leader, posts: [党委书记] }
            rules:
              - id: r
                who: leader
                \(line)
            """)
        #expect(found.count == 1, "\(found)")
        let only = try #require(found.first)
        // the rule line is indented 4; the value follows "key: " (the column is 1-based)
        let valueStart = try #require(line.range(of: "\(key): ")).upperBound
        let column = 4 + line.distance(from: line.startIndex, to: valueStart) + 1
        #expect(only.line == 9 && only.message.zh.contains(word) && !only.message.en.isEmpty, "\(only)")
        #expect(only.column == column, "\(only) expected column \(column)")
    }

    @Test("sensible bounds pass: a range, a bound alone, fractional person-times, atMost equal to atLeast")
    func sensible() {
        for keys in ["atLeast: 2, atMost: 3", "atMost: 0", "atLeast: 2, atMost: 2", "measure: person-times, atMost: 2.5", "atLeast: 1, maxParticipants: 1"] {
            let found = PolicyLoader.diagnostics(Self.policy(keys))
            #expect(found.isEmpty, "\(keys): \(found)")
        }
    }
}
