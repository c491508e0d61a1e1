import Testing
@testable import YixianCore

/// The verdict table of docs/POLICY-FORMAT.md §5, row by row, on hand-computed numbers.
@Suite("Verdicts")
struct VerdictsTests {
    static func day(_ text: String) -> LocalDate { LocalDate(text)! }
    // A 10-day period: 1st to 10th of September.
    let start = day("2025-09-01"), end = day("2025-09-10")

    @Test("pace: not yet due, met, missed, and on track only with the whole units due pro rata")
    func pace() {
        #expect(Verdicts.pace(achieved: 5, required: 4, asOf: Self.day("2025-08-31"), start: start, end: end) == .notYetDue)
        #expect(Verdicts.pace(achieved: 4, required: 4, asOf: Self.day("2025-09-02"), start: start, end: end) == .met)
        // 0.1 × 10 person-times sum to 0.999…: still met.
        let tenth = (0..<10).reduce(0.0) { sum, _ in sum + 0.1 }
        #expect(tenth < 1)
        #expect(Verdicts.pace(achieved: tenth, required: 1, asOf: end, start: start, end: end) == .met)
        #expect(Verdicts.pace(achieved: 3, required: 4, asOf: Self.day("2025-09-11"), start: start, end: end) == .missed)
        // Day 6 of 10 (60 %): 4 × 0.6 = 2.4, so 2 whole units are due.
        #expect(Verdicts.pace(achieved: 2, required: 4, asOf: Self.day("2025-09-06"), start: start, end: end) == .onTrack)
        #expect(Verdicts.pace(achieved: 1, required: 4, asOf: Self.day("2025-09-06"), start: start, end: end) == .atRisk)
        // Day 5 of 10: exactly 2.0 due, not 1.999… rounded down to 1.
        #expect(Verdicts.pace(achieved: 1, required: 4, asOf: Self.day("2025-09-05"), start: start, end: end) == .atRisk)
    }

    @Test("every: share rounded up, missed once the open periods cannot make it, at risk behind the closed share")
    func every() {
        // 80 % of 16 weeks: 12.8 → 13.
        #expect(Verdicts.periodsNeeded(share: 0.8, of: 16) == 13)
        // 50 % of 4: exactly 2, not 3.
        #expect(Verdicts.periodsNeeded(share: 0.5, of: 4) == 2)
        #expect(Verdicts.every(share: 1, total: 16, met: 16, closed: 16, missedClosed: 0, started: false) == (16, .notYetDue))
        #expect(Verdicts.every(share: 0.8, total: 16, met: 13, closed: 13, missedClosed: 0, started: true) == (13, .met))
        // 4 missed of 16 leaves 12 < 13 possible.
        #expect(Verdicts.every(share: 0.8, total: 16, met: 6, closed: 10, missedClosed: 4, started: true) == (13, .missed))
        // 10 closed: 8 due so far; 8 met is on track, 7 at risk.
        #expect(Verdicts.every(share: 0.8, total: 16, met: 8, closed: 10, missedClosed: 2, started: true) == (13, .onTrack))
        #expect(Verdicts.every(share: 0.8, total: 16, met: 7, closed: 10, missedClosed: 3, started: true) == (13, .atRisk))
    }

    @Test("one week of an every rule")
    func subPeriod() {
        #expect(Verdicts.subPeriod(achieved: 0, required: 1, started: false, closed: false) == .notYetDue)
        #expect(Verdicts.subPeriod(achieved: 1, required: 1, started: true, closed: false) == .met)
        #expect(Verdicts.subPeriod(achieved: 0, required: 1, started: true, closed: false) == .onTrack)
        #expect(Verdicts.subPeriod(achieved: 0, required: 1, started: true, closed: true) == .missed)
    }

    @Test("pairing: over the upper bound is missed, short of the minimum at risk until the deadline")
    func pairing() {
        let deadline = Self.day("2025-09-05")
        #expect(Verdicts.pairing(count: 0, minimum: 1, maximum: nil, asOf: Self.day("2025-08-01"), start: start, deadline: deadline) == .notYetDue)
        #expect(Verdicts.pairing(count: 4, minimum: 1, maximum: 3, asOf: Self.day("2025-09-02"), start: start, deadline: deadline) == .missed)
        #expect(Verdicts.pairing(count: 3, minimum: 1, maximum: 3, asOf: Self.day("2025-09-02"), start: start, deadline: deadline) == .met)
        #expect(Verdicts.pairing(count: 0, minimum: 1, maximum: 3, asOf: deadline, start: start, deadline: deadline) == .atRisk)
        #expect(Verdicts.pairing(count: 0, minimum: 1, maximum: 3, asOf: Self.day("2025-09-06"), start: start, deadline: deadline) == .missed)
        #expect(Verdicts.pairing(count: 0, minimum: 1, maximum: nil, asOf: Self.day("2025-09-02"), start: start, deadline: nil) == .missed)
    }

    @Test("time share: judged at the end; on track or at risk while the period runs")
    func timeShare() {
        #expect(Verdicts.timeShare(hours: 10, required: 8, asOf: Self.day("2025-08-31"), start: start, end: end) == .notYetDue)
        #expect(Verdicts.timeShare(hours: 8, required: 8, asOf: Self.day("2025-09-05"), start: start, end: end) == .onTrack)
        #expect(Verdicts.timeShare(hours: 7, required: 8, asOf: Self.day("2025-09-05"), start: start, end: end) == .atRisk)
        #expect(Verdicts.timeShare(hours: 8, required: 8, asOf: Self.day("2025-09-11"), start: start, end: end) == .met)
        #expect(Verdicts.timeShare(hours: 7, required: 8, asOf: Self.day("2025-09-11"), start: start, end: end) == .missed)
    }

    @Test("coverage: any uncovered collective is at risk until the deadline, then missed")
    func coverage() {
        let deadline = Self.day("2025-09-05")
        #expect(Verdicts.coverage(uncovered: 0, asOf: Self.day("2025-09-02"), start: start, deadline: deadline) == .met)
        #expect(Verdicts.coverage(uncovered: 2, asOf: deadline, start: start, deadline: deadline) == .atRisk)
        #expect(Verdicts.coverage(uncovered: 2, asOf: Self.day("2025-09-06"), start: start, deadline: deadline) == .missed)
        #expect(Verdicts.coverage(uncovered: 2, asOf: Self.day("2025-09-02"), start: start, deadline: nil) == .missed)
    }

    @Test("filing: at risk in the last seven days before it is due, missed after")
    func filing() {
        let due = Self.day("2025-09-20")
        #expect(Verdicts.filing(onTime: 1, required: 1, asOf: Self.day("2025-09-02"), start: start, due: due) == .met)
        #expect(Verdicts.filing(onTime: 0, required: 1, asOf: Self.day("2025-09-12"), start: start, due: due) == .onTrack)
        #expect(Verdicts.filing(onTime: 0, required: 1, asOf: Self.day("2025-09-13"), start: start, due: due) == .atRisk)
        #expect(Verdicts.filing(onTime: 0, required: 1, asOf: Self.day("2025-09-21"), start: start, due: due) == .missed)
    }

    @Test("a case: either stage late or overdue is missed; open is on track, at risk from its due day")
    func studentCase() {
        let firstDue = Self.day("2025-09-03"), answerDue = Self.day("2025-09-10")
        func judge(first: String?, answered: String?, asOf: String) -> (ComplianceStatus, ComplianceExclusionReason?) {
            let verdict = Verdicts.studentCase(firstDue: firstDue, firstDone: first.map(Self.day), answerDue: answerDue,
                                               answered: answered.map(Self.day), asOf: Self.day(asOf))
            return (verdict.status, verdict.reason)
        }
        #expect(judge(first: "2025-09-04", answered: "2025-09-05", asOf: "2025-09-20") == (.missed, .firstResponseLate))
        #expect(judge(first: nil, answered: nil, asOf: "2025-09-04") == (.missed, .firstResponseOverdue))
        #expect(judge(first: "2025-09-02", answered: "2025-09-11", asOf: "2025-09-20") == (.missed, .answerLate))
        #expect(judge(first: "2025-09-02", answered: nil, asOf: "2025-09-11") == (.missed, .answerOverdue))
        #expect(judge(first: "2025-09-02", answered: "2025-09-09", asOf: "2025-09-20") == (.met, nil))
        #expect(judge(first: nil, answered: nil, asOf: "2025-09-02") == (.onTrack, .pending))
        #expect(judge(first: nil, answered: nil, asOf: "2025-09-03") == (.atRisk, .pending))
        #expect(judge(first: "2025-09-02", answered: nil, asOf: "2025-09-09") == (.onTrack, .pending))
        #expect(judge(first: "2025-09-02", answered: nil, asOf: "2025-09-10") == (.atRisk, .pending))
    }
}
