import Foundation
import Testing
@testable import YixianCore

/// Fixed calendar slots on `count` rules (issue 10 item 5; POLICY-FORMAT §4.11).
///
/// Counted by hand from `ComplianceFixture`: term 1 runs Wed 2025-09-03 … 2026-01-18, so teaching week n starts on
/// Monday 09-01 + 7(n − 1) (week 1 clipped to 09-03 … 09-07). The PRC calendar of 2025 has 10-01 … 10-08 off
/// (国庆节、中秋节), 10-11 a make-up Saturday; 2026 has 01-01 … 01-03 off (元旦) and Sunday 01-04 a make-up workday.
@Suite("Fixed calendar slots")
struct CalendarSlotTests {
    static func policy(per: String = "week", _ slot: String) -> String {
        ComplianceFixture.policy(rules: """
              - id: r
                who: school-leader
                count: { kinds: [reception-day], atLeast: 1, per: \(per), slot: { \(slot) } }
            """)
    }

    /// Reception days: `(cadre, id, start, end)` in local time.
    static func receptions(_ lines: [(String, String, String, String)]) -> String {
        "[ " + lines.map { "{ id: \($0.1), cadre: \($0.0), kind: reception-day, start: \"\($0.2)\", end: \"\($0.3)\" }" }
            .joined(separator: ",\n  ") + " ]"
    }

    static let scenario = ComplianceFixture.scenario(contacts: receptions([
        ("L001", "a1", "2025-09-03T15:00", "2025-09-03T16:00"),   // week 1 Wednesday, in 14:00–17:30
        ("L001", "a2", "2025-09-17T09:00", "2025-09-17T10:00"),   // week 3 Wednesday, but the morning
        ("L001", "a3", "2025-09-18T15:00", "2025-09-18T16:00"),   // week 3 Thursday
        ("L001", "a4", "2025-10-09T14:30", "2025-10-09T15:30"),   // Thursday 10-09: week 5's Wednesday 10-01 postponed here
        ("L001", "a5", "2025-10-15T17:00", "2025-10-15T18:00"),   // week 7 Wednesday, overlapping 17:00–17:30
    ]))

    @Test("odd weeks' Wednesday 14:00–17:30, postponed on a holiday: one cell per occurrence, met / missed / due")
    func oddWeeksPostponed() throws {
        // act: as of Thursday 10-16
        let report = try ComplianceFixture.evaluate(policy: Self.policy("weekday: 3, time: \"14:00-17:30\", weeks: odd, onHoliday: postpone"),
                                                    scenario: Self.scenario, asOf: "2025-10-16")
        // check: odd weeks 1, 3, 5, 7 have Wednesdays 09-03, 09-17, 10-01, 10-15; 10-01 is 国庆 and 10-02 … 10-08 are off
        // too, so week 5's slot moves to Thursday 10-09; week 9's (10-29) is after the as-of day
        let cells = report.cells.filter { $0.subject.id == "L001" && $0.ruleID == "r" }
        #expect(cells.map(\.period.id) == ["2025-09-03", "2025-09-17", "2025-10-09", "2025-10-15"])
        #expect(cells.allSatisfy { $0.period.kind == .day && $0.required == 1 })
        #expect(report.cell("L001", "r", "2025-09-03")?.status == .met)
        // a2 is that Wednesday's morning, a3 the day after: neither is in the slot
        let missed = try #require(report.cell("L001", "r", "2025-09-17"))
        #expect(missed.status == .missed && missed.achieved == 0)
        #expect(missed.excluded == [ComplianceExclusion(id: "a2", reason: .outsideSlot), ComplianceExclusion(id: "a3", reason: .outsideSlot)])
        let moved = try #require(report.cell("L001", "r", "2025-10-09"))
        #expect(moved.status == .met && moved.counted == ["a4"] && moved.period.label.zh.contains("原定10月1日国庆节、中秋节顺延"))
        // a5 runs 17:00–18:00: it overlaps the slot's last half hour
        #expect(report.cell("L001", "r", "2025-10-15")?.counted == ["a5"])
        // L002 recorded nothing: every closed occurrence is missed
        #expect(report.cells.filter { $0.subject.id == "L002" && $0.ruleID == "r" }.map(\.status) == [.missed, .missed, .missed, .missed])
        // on the slot's own day, with nothing yet, it is due (at risk), not missed
        let onTheDay = try ComplianceFixture.evaluate(policy: Self.policy("weekday: 3, time: \"14:00-17:30\", weeks: odd"),
                                                      scenario: Self.scenario, asOf: "2025-10-15")
        #expect(onTheDay.cell("L002", "r", "2025-10-15")?.status == .atRisk)
    }

    @Test("skip drops a holiday occurrence; even weeks; two holidays postponed to one workday are one occurrence")
    func skipEvenAndMerge() throws {
        // skip: odd weeks without week 5's 10-01
        let skip = try ComplianceFixture.evaluate(policy: Self.policy("weekday: 3, weeks: odd, onHoliday: skip"), scenario: Self.scenario, asOf: "2025-10-16")
        #expect(skip.cells.filter { $0.subject.id == "L001" }.map(\.period.id) == ["2025-09-03", "2025-09-17", "2025-10-15"])
        // no time of day: any time on 09-17 counts, so a2 (09:00) now meets week 3
        #expect(skip.cell("L001", "r", "2025-09-17")?.counted == ["a2"])
        // even weeks 2, 4, 6: 09-10, 09-24, 10-08 (国庆 → 10-09)
        let even = try ComplianceFixture.evaluate(policy: Self.policy("weekday: 3, weeks: even"), scenario: Self.scenario, asOf: "2025-10-16")
        #expect(even.cells.filter { $0.subject.id == "L001" }.map(\.period.id) == ["2025-09-10", "2025-09-24", "2025-10-09"])
        // every week: 10-01 and 10-08 both move to 10-09, which is held once
        let all = try ComplianceFixture.evaluate(policy: Self.policy("weekday: 3"), scenario: Self.scenario, asOf: "2025-10-16")
        #expect(all.cells.filter { $0.subject.id == "L001" }.map(\.period.id)
                == ["2025-09-03", "2025-09-10", "2025-09-17", "2025-09-24", "2025-10-09", "2025-10-15"])
    }

    @Test("每月第一个周五下午: the n-th weekday of a month, postponed past a holiday onto a 调休 Sunday")
    func firstFridayOfMonth() throws {
        let slot = "weekday: 5, nth: 1, time: \"14:00-18:00\""
        let report = try ComplianceFixture.evaluate(policy: Self.policy(per: "month", slot), scenario: Self.scenario, asOf: "2026-01-10")
        // first Fridays: Sep 1 is a Monday → 09-05; Oct 1 a Wednesday → 10-03, off (国庆) → next workday 10-09;
        // Nov 1 a Saturday → 11-07; Dec 1 a Monday → 12-05; Jan 1 2026 a Thursday → 01-02, off (元旦, through 01-03)
        // → Sunday 01-04, a make-up workday (元旦调休)
        #expect(report.cells.filter { $0.subject.id == "L001" }.map(\.period.id)
                == ["2025-09-05", "2025-10-09", "2025-11-07", "2025-12-05", "2026-01-04"])
        // 10-09 14:30 (a4) meets October's postponed slot
        #expect(report.cell("L001", "r", "2025-10-09")?.status == .met)
        #expect(report.cell("L001", "r", "2025-09-05")?.status == .missed)
        let skipped = try ComplianceFixture.evaluate(policy: Self.policy(per: "month", slot + ", onHoliday: skip"), scenario: Self.scenario, asOf: "2026-01-10")
        #expect(skipped.cells.filter { $0.subject.id == "L001" }.map(\.period.id) == ["2025-09-05", "2025-11-07", "2025-12-05"])
    }

    @Test("the n-th teaching week of a month differs from the n-th weekday when the term starts mid-week")
    func teachingWeekOfMonth() throws {
        // Mondays: Sep 1 (the 1st Monday of September) is before the term's Wednesday start, so `nth: 1` has no
        // September occurrence; the month's first teaching week with a Monday in the term is week 2 (09-08)
        let nth = try ComplianceFixture.evaluate(policy: Self.policy(per: "month", "weekday: 1, nth: 1"), scenario: Self.scenario, asOf: "2025-11-30")
        #expect(nth.cells.filter { $0.subject.id == "L001" }.map(\.period.id) == ["2025-10-09", "2025-11-03"])
        let week = try ComplianceFixture.evaluate(policy: Self.policy(per: "month", "weekday: 1, teachingWeek: 1"), scenario: Self.scenario, asOf: "2025-11-30")
        // October's first Monday is 10-06, off (国庆) → 10-09 for both; November's is 11-03
        #expect(week.cells.filter { $0.subject.id == "L001" }.map(\.period.id) == ["2025-09-08", "2025-10-09", "2025-11-03"])
    }

    @Test("exam weeks pause a slot unless includeExamWeeks")
    func examWeeksPause() throws {
        // Wednesdays of January 2026: 01-07 and 01-14 lie in the exam weeks (01-05 … 01-18)
        let paused = try ComplianceFixture.evaluate(policy: Self.policy("weekday: 3"), scenario: Self.scenario, asOf: "2026-01-18")
        #expect(!paused.cells.contains { $0.period.id == "2026-01-07" || $0.period.id == "2026-01-14" })
        let kept = try ComplianceFixture.evaluate(policy: ComplianceFixture.policy(rules: """
              - id: r
                who: school-leader
                count: { kinds: [reception-day], atLeast: 1, per: week, includeExamWeeks: true, slot: { weekday: 3 } }
            """), scenario: Self.scenario, asOf: "2026-01-18")
        #expect(kept.cell("L001", "r", "2026-01-07") != nil && kept.cell("L001", "r", "2026-01-14") != nil)
    }

    @Test(arguments: [
        ("slot: { weekday: 8 }", "weekday"),
        ("slot: { weekday: 3, time: \"17:30-14:00\" }", "time"),
        ("slot: { weekday: 3, time: \"2pm\" }", "time"),
        ("slot: { weekday: 3, weeks: alternate }", "weeks"),
        ("slot: { weekday: 3, onHoliday: cancel }", "onHoliday"),
        ("slot: { weekday: 3, nth: 1 }", "per: month"),
        ("slot: { weekday: 3, colour: red }", "colour"),
    ])
    func weeklyNonsense(slot: String, word: String) throws {
        try PolicyNonsenseTests.expectOneRefusal("count: { kinds: [reception-day], atLeast: 1, per: week, \(slot) }", mentioning: word)
    }

    @Test(arguments: [
        ("per: month, slot: { weekday: 5 }", "nth"),
        ("per: month, slot: { weekday: 5, nth: 6 }", "nth"),
        ("per: month, slot: { weekday: 5, nth: 1, teachingWeek: 1 }", "teachingWeek"),
        ("per: month, slot: { weekday: 5, nth: 1, weeks: odd }", "per: week"),
        ("per: term, slot: { weekday: 5 }", "per: week"),
    ])
    func monthlyNonsense(keys: String, word: String) throws {
        try PolicyNonsenseTests.expectOneRefusal("count: { kinds: [reception-day], atLeast: 1, \(keys) }", mentioning: word)
    }

    @Test("explain names the slot")
    func explain() throws {
        let policy = try PolicyLoader.load(Self.policy("weekday: 3, time: \"14:00-17:30\", weeks: odd"), fileName: "t.yaml")
        let text = PolicyExplainer.describe(policy)
        #expect(text.contains("单周周三 14:00-17:30（遇法定节假日顺延）"), "\(text)")
    }
}

extension PolicyNonsenseTests {
    /// The rule (line 8 of `diagnostics`' file) is refused once, at its line and a column in it, in both languages,
    /// with `word` in the reason.
    static func expectOneRefusal(_ rule: String, mentioning word: String) throws {
        let found = diagnostics(rule)
        #expect(found.count == 1, "\(found)")
        let only = try #require(found.first)
        #expect(only.line == 8 && only.column > 1 && (only.message.zh + only.message.en).contains(word) && !only.message.en.isEmpty, "\(only)")
    }
}
