import Foundation
import Testing
@testable import YixianCore

/// `per: two-weeks`, `two-months`, `day` and `workday` (issue 10 item 5, POLICY-FORMAT §4.1).
///
/// Counted by hand from `ComplianceFixture`: term 1 runs Wed 2025-09-03 … Sun 2026-01-18, its 20 teaching
/// weeks start on the Mondays 09-01 (ISO 2025-W36) … 2026-01-12 (2026-W03); weeks 19–20 (01-05 … 01-18) are
/// the exam weeks. The year is recorded from 2025-08-25 to 2026-08-23; term 2 runs 2026-03-02 … 07-05.
@Suite("Two-week, two-month, daily and workday periods")
struct PairedAndDailyPeriodTests {
    static func count(_ per: String, atLeast: Int, keys: String = "") -> String {
        ComplianceFixture.policy(rules: """
              - id: r
                who: school-leader
                count: { kinds: [in-person], atLeast: \(atLeast), per: \(per)\(keys) }
            """)
    }

    static func contacts(_ days: [String]) -> String {
        "[ " + days.enumerated().map { "{ id: c\($0.offset), cadre: L001, kind: face-to-face, start: \"\($0.element)T10:00\" }" }
            .joined(separator: ",\n  ") + " ]"
    }

    // MARK: Two weeks

    /// Pairs of term 1: weeks 1–2 09-03 … 09-14 (W36~W37), 3–4 09-15 … 09-28 (W38~W39), 5–6 09-29 … 10-12
    /// (W40~W41), 7–8 10-13 … 10-26 (W42~W43). The vacation 09-29 … 10-12 covers all of weeks 5–6.
    @Test("per: two-weeks — pairs from week 1, a wholly paused pair skipped unless included, the running pair on pace")
    func twoWeeks() throws {
        let vacation = "[ { start: 2025-09-29, end: 2025-10-12 } ]"
        // setup: two contacts in weeks 1–2, one in 3–4, one in the vacation, one in the running 7–8
        let scenario = ComplianceFixture.scenario(vacations: vacation,
                                                  contacts: Self.contacts(["2025-09-05", "2025-09-10", "2025-09-16", "2025-10-02", "2025-10-14"]))
        // act: as of Mon 10-20, day 8 of the 14 of weeks 7–8
        let report = try ComplianceFixture.evaluate(policy: Self.count("two-weeks", atLeast: 2), scenario: scenario, asOf: "2025-10-20")
        // check: weeks 1–2 met 2/2, 3–4 missed 1/2, 5–6 wholly in vacation has no cell,
        // 7–8 on track (2 × 8/14 = 1.14, rounded down 1, and 1 is achieved), 9–10 not yet judged
        let first = try #require(report.cell("L001", "r", "2025-W36~W37"))
        #expect(first.required == 2 && first.achieved == 2 && first.status == .met)
        #expect(first.period.start == LocalDate("2025-09-03") && first.period.end == LocalDate("2025-09-14"))
        #expect(first.period.label == Localized(zh: "第一学期第1—2周", en: "第一学期 Weeks 1–2"))
        let second = try #require(report.cell("L001", "r", "2025-W38~W39"))
        #expect(second.achieved == 1 && second.status == .missed)
        #expect(report.cell("L001", "r", "2025-W40~W41") == nil)
        let running = try #require(report.cell("L001", "r", "2025-W42~W43"))
        #expect(running.achieved == 1 && running.status == .onTrack && running.counted == ["c4"])
        #expect(report.cell("L001", "r", "2025-W44~W45") == nil)
        #expect(report.cells.filter { $0.subject.id == "L001" }.count == 3)

        // with includeVacations the holiday pair is required, its contact counts, and it is missed (1 of 2)
        let strict = try ComplianceFixture.evaluate(policy: Self.count("two-weeks", atLeast: 2, keys: ", includeVacations: true"),
                                                    scenario: scenario, asOf: "2025-10-20")
        let holiday = try #require(strict.cell("L001", "r", "2025-W40~W41"))
        #expect(holiday.achieved == 1 && holiday.counted == ["c3"] && holiday.status == .missed)

        // a running pair behind pace: L002 has nothing in weeks 7–8 by day 8
        #expect(report.cell("L002", "r", "2025-W42~W43")?.status == .atRisk)
    }

    @Test("two-week ids cross New Year, and a trailing odd week is its own period")
    func twoWeekIDs() throws {
        let calendar = try ScenarioLoader.load(ComplianceFixture.scenario()).calendar
        let term = try #require(calendar.years.first?.terms.first)
        let pairs = Period.twoWeeks(in: term)
        #expect(pairs.count == 10)
        // weeks 17–18 start on the Mondays 12-22 (2025-W52) and 12-29 (2026-W01)
        #expect(pairs[8].id == "2025-W52~2026-W01" && pairs[9].id == "2026-W02~W03")
        #expect(calendar.period(of: .twoWeeks, id: "2025-W52~2026-W01")?.range == DateRange(start: LocalDate("2025-12-22")!, end: LocalDate("2026-01-04")!))
        // a three-week term: weeks 1–2, then week 3 alone
        let short = Term(id: "x", name: "短学期", range: DateRange(start: LocalDate("2025-09-03")!, end: LocalDate("2025-09-21")!))
        let periods = Period.twoWeeks(in: short)
        #expect(periods.map(\.id) == ["2025-W36~W37", "2025-W38"])
        #expect(periods[1].label == Localized(zh: "短学期第3周", en: "短学期 Week 3"))
        #expect(periods[1].range == DateRange(start: LocalDate("2025-09-15")!, end: LocalDate("2025-09-21")!))
    }

    // MARK: Two months

    /// Pairs from September (the first term starts 09-03): Sep–Oct 09-01 … 10-31, Nov–Dec 11-01 … 12-31,
    /// Jan–Feb 01-01 … 02-28, …, Jul–Aug 07-01 … 08-23 (the year's end).
    @Test("per: two-months — Sep–Oct met, Nov–Dec running, Jan–Feb paused (exams and winter vacation) unless included")
    func twoMonths() throws {
        // a New Year vacation 01-01 … 01-04 in term 1: with the exams 01-05 … 01-18 and the winter break no day of Jan–Feb is free
        let scenario = ComplianceFixture.scenario(vacations: "[ { start: 2026-01-01, end: 2026-01-04 } ]",
                                                  contacts: Self.contacts(["2025-09-05", "2025-10-14", "2025-11-10", "2026-01-08"]))
        // act: as of 11-20, day 20 of the 61 of Nov–Dec
        let report = try ComplianceFixture.evaluate(policy: Self.count("two-months", atLeast: 2), scenario: scenario, asOf: "2025-11-20")
        let autumn = try #require(report.cell("L001", "r", "2025-09~10"))
        #expect(autumn.achieved == 2 && autumn.status == .met)
        #expect(autumn.period.start == LocalDate("2025-09-01") && autumn.period.end == LocalDate("2025-10-31"))
        #expect(autumn.period.label == Localized(zh: "2025年9—10月", en: "Sep–Oct 2025"))
        // 2 × 20/61 = 0.66, rounded down 0: one contact is on track, none too
        let running = try #require(report.cell("L001", "r", "2025-11~12"))
        #expect(running.achieved == 1 && running.status == .onTrack)
        #expect(report.cell("L001", "r", "2026-01~02") == nil)

        // Jan–Feb: 01-01 … 01-04 vacation, 01-05 … 01-18 exam weeks, 01-19 … 02-28 between the terms (winter vacation)
        let later = try ComplianceFixture.evaluate(policy: Self.count("two-months", atLeast: 2), scenario: scenario, asOf: "2026-03-10")
        #expect(later.cell("L001", "r", "2026-01~02") == nil)
        #expect(later.cell("L001", "r", "2026-03~04")?.status == .onTrack)
        let exams = try ComplianceFixture.evaluate(policy: Self.count("two-months", atLeast: 2, keys: ", includeExamWeeks: true"),
                                                   scenario: scenario, asOf: "2026-03-10")
        let winter = try #require(exams.cell("L001", "r", "2026-01~02"))
        #expect(winter.achieved == 1 && winter.counted == ["c3"] && winter.status == .missed)
        #expect(winter.period.end == LocalDate("2026-02-28"))
        // the last pair is clipped to the year's last day
        let calendar = try ScenarioLoader.load(scenario).calendar
        let pairs = try Period.twoMonths(in: #require(calendar.years.first))
        #expect(pairs.map(\.id) == ["2025-09~10", "2025-11~12", "2026-01~02", "2026-03~04", "2026-05~06", "2026-07~08"])
        #expect(pairs.last?.range.end == LocalDate("2026-08-23"))
        // a year whose teaching starts in December pairs across New Year
        let december = AcademicYear(id: "y", name: "y", range: DateRange(start: LocalDate("2025-12-01")!, end: LocalDate("2026-03-31")!),
                                    terms: [Term(id: "t", name: "t", range: DateRange(start: LocalDate("2025-12-01")!, end: LocalDate("2026-03-31")!))])
        #expect(Period.twoMonths(in: december).first?.id == "2025-12~2026-01")
        #expect(Period.twoMonths(in: december).first?.label == Localized(zh: "2025年12月—2026年1月", en: "Dec 2025 – Jan 2026"))
    }

    // MARK: Days

    @Test("per: day — every calendar day of the term, weekends too; the running day at risk until met")
    func days() throws {
        // contacts Wed 09-03, Fri 09-05, Sat 09-06, Wed 09-10
        let scenario = ComplianceFixture.scenario(contacts: Self.contacts(["2025-09-03", "2025-09-05", "2025-09-06", "2025-09-10"]))
        let report = try ComplianceFixture.evaluate(policy: Self.count("day", atLeast: 1), scenario: scenario, asOf: "2025-09-11")
        let statuses = report.cells.filter { $0.subject.id == "L001" }.map { "\($0.period.id) \($0.status.rawValue)" }
        #expect(statuses == ["2025-09-03 met", "2025-09-04 missed", "2025-09-05 met", "2025-09-06 met", "2025-09-07 missed",
                             "2025-09-08 missed", "2025-09-09 missed", "2025-09-10 met", "2025-09-11 at-risk"])
        #expect(report.cell("L001", "r", "2025-09-06")?.period.label == Localized(zh: "2025年9月6日", en: "Sep 6, 2025"))
    }

    /// PRC 2025: 国庆节 10-01 … 10-08 off, Sun 09-28 and Sat 10-11 worked (调休).
    @Test("per: workday — PRC workdays only (调休 Sundays in, holidays out); a vacation pauses workdays unless included")
    func workdays() throws {
        let scenario = ComplianceFixture.scenario(contacts: Self.contacts(["2025-09-03", "2025-09-05", "2025-09-06", "2025-09-10"]))
        let report = try ComplianceFixture.evaluate(policy: Self.count("workday", atLeast: 1), scenario: scenario, asOf: "2025-09-11")
        let statuses = report.cells.filter { $0.subject.id == "L001" }.map { "\($0.period.id) \($0.status.rawValue)" }
        // the weekend 09-06/07 is no period: its contact counts for nothing
        #expect(statuses == ["2025-09-03 met", "2025-09-04 missed", "2025-09-05 met", "2025-09-08 missed",
                             "2025-09-09 missed", "2025-09-10 met", "2025-09-11 at-risk"])

        // the university closes 09-29 … 10-08: the workdays 09-29 and 09-30 are paused; 09-28 and 10-11 are workdays
        let closed = ComplianceFixture.scenario(vacations: ComplianceFixture.autumnBreak, contacts: Self.contacts(["2025-09-28", "2025-09-30"]))
        let october = try ComplianceFixture.evaluate(policy: Self.count("workday", atLeast: 1), scenario: closed, asOf: "2025-10-13")
        let days = october.cells.filter { $0.subject.id == "L001" && $0.period.start >= LocalDate("2025-09-26")! }.map(\.period.id)
        #expect(days == ["2025-09-26", "2025-09-28", "2025-10-09", "2025-10-10", "2025-10-11", "2025-10-13"])
        #expect(october.cell("L001", "r", "2025-09-28")?.status == .met)
        let included = try ComplianceFixture.evaluate(policy: Self.count("workday", atLeast: 1, keys: ", includeVacations: true"),
                                                      scenario: closed, asOf: "2025-10-13")
        #expect(included.cell("L001", "r", "2025-09-29")?.status == .missed)
        #expect(included.cell("L001", "r", "2025-09-30")?.status == .met)
        #expect(included.cell("L001", "r", "2025-10-01") == nil)
    }

    // MARK: Explain and check

    @Test("explain says how each new period is cut and what pauses it")
    func explain() throws {
        func text(_ per: String, _ keys: String = "") throws -> String {
            PolicyExplainer.describe(try PolicyLoader.load(Self.count(per, atLeast: 1, keys: keys), fileName: "p.yaml"))
        }
        let two = try text("two-weeks")
        #expect(two.contains("每两周至少 1 次") && two.contains("第1—2周、第3—4周") && two.contains("单出的一周自成一期")
                && two.contains("整期都在假期或考试周内的两周不计"), "\(two)")
        let months = try text("two-months", ", includeVacations: true")
        #expect(months.contains("每两个月至少 1 次") && months.contains("9—10月、11—12月") && months.contains("寒暑假按假期计")
                && months.contains("整期都在考试周内的两个月不计") && months.contains("假期期间照常要求"), "\(months)")
        let day = try text("day")
        #expect(day.contains("每天至少 1 次") && day.contains("每个自然日各为一期") && day.contains("假期或考试周内的日子不计"), "\(day)")
        let workday = try text("workday")
        #expect(workday.contains("每个工作日至少 1 次") && workday.contains("调休上班日算") && workday.contains("内的工作日不计"), "\(workday)")
    }

    @Test("an unknown period is refused with the list of valid ones; every refuses the new periods with a reason")
    func refused() throws {
        let unknown = PolicyNonsenseTests.diagnostics("count: { kinds: [any], atLeast: 1, per: fortnight }")
        let only = try #require(unknown.first)
        #expect(unknown.count == 1 && only.line == 8 && only.column > 1)
        for name in ["week", "month", "term", "academic-year", "two-weeks", "two-months", "day", "workday"] {
            #expect(only.message.en.contains(name), "\(only)")
        }
        for per in ["two-weeks", "two-months", "day", "workday"] {
            let found = PolicyNonsenseTests.diagnostics("every: { kinds: [any], per: \(per) }")
            let first = try #require(found.first)
            #expect(found.count == 1 && first.line == 8 && first.column > 1 && first.message.zh.contains("请写 count 规则"), "\(found)")
            #expect(PolicyNonsenseTests.diagnostics("count: { kinds: [any], atLeast: 1, per: \(per), includeExamWeeks: true }").isEmpty)
        }
        // a term count still refuses the pause keys
        #expect(PolicyNonsenseTests.diagnostics("count: { kinds: [any], atLeast: 1, per: term, includeVacations: true }").count == 1)
    }
}

