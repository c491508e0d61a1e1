import Foundation
import Testing
@testable import YixianCore

@Suite("Periods: ISO weeks, months, terms, academic years")
struct CalendarPeriodTests {
    private func date(_ text: String) -> LocalDate { CalendarFixtures.date(text) }
    private let calendar = AcademicCalendar(years: [CalendarFixtures.year2025(), CalendarFixtures.year2026()])

    @Test func isoWeekIdsAndLabels() {
        // act
        let week = Period.week(containing: date("2025-09-10"))
        // check
        #expect(week.id == "2025-W37")
        #expect(week.range == CalendarFixtures.range("2025-09-08", "2025-09-14"))
        #expect(week.label.zh == "2025年第37周（9月8日—9月14日）")
        #expect(week.label.en == "Week 37 of 2025 (Sep 8 – Sep 14)")
    }

    @Test func isoWeekYearDiffersFromCalendarYearAtNewYear() {
        // check: Monday 2024-12-30 starts 2025-W01; Friday 2027-01-01 ends 2026's 53rd week.
        #expect(Period.week(containing: date("2024-12-30")).id == "2025-W01")
        #expect(Period.week(containing: date("2027-01-01")).id == "2026-W53")
        #expect(Period.week(id: "2026-W53")?.range.start == date("2026-12-28"))
        #expect(Period.week(id: "2025-W53") == nil)  // 2025 has 52 ISO weeks
        #expect(Period.week(id: "2025-W00") == nil)
        #expect(Period.week(id: "2025-37") == nil)
        #expect(Period.week(id: "2025-W37") == Period.week(containing: date("2025-09-08")))
    }

    @Test func weeksOfATermStartingMidweek() {
        // act
        let weeks = calendar.periods(of: .week, in: CalendarFixtures.autumn2025())
        // check: the same 20 weeks as the term's teaching weeks, but whole.
        #expect(weeks.count == 20)
        #expect(weeks.first?.id == "2025-W36")
        #expect(weeks.first?.range.start == date("2025-09-01"))
        #expect(weeks.first?.range(clippedTo: CalendarFixtures.autumn2025().range)?.start == date("2025-09-03"))
        #expect(weeks.last?.id == "2026-W03")
        #expect(CalendarFixtures.autumn2025().teachingWeeks.map(\.isoWeek) == weeks)
    }

    @Test func monthPeriodsAcrossAYearBoundary() {
        // act
        let months = Period.months(intersecting: CalendarFixtures.range("2025-12-15", "2026-02-10"))
        // check
        #expect(months.map(\.id) == ["2025-12", "2026-01", "2026-02"])
        #expect(months[0].range == CalendarFixtures.range("2025-12-01", "2025-12-31"))
        #expect(months[2].range.end == date("2026-02-28"))
        #expect(months[1].label == Localized(zh: "2026年1月", en: "January 2026"))
    }

    @Test func leapFebruary2028() {
        // act
        let february = Period.month(containing: date("2028-02-10"))
        // check
        #expect(february.range.end == date("2028-02-29"))
        #expect(february.range.dayCount == 29)
        #expect(Period.month(id: "2028-02") == february)
        #expect(Period.month(id: "2028-13") == nil)
        #expect(Period.week(containing: date("2028-02-29")).id == "2028-W09")
    }

    @Test func termAndYearPeriodsComeFromTheCalendar() {
        // act
        let terms = calendar.periods(of: .term, in: CalendarFixtures.year2025())
        let years = calendar.periods(of: .academicYear, intersecting: CalendarFixtures.range("2026-07-01", "2026-09-30"))
        // check
        #expect(terms.map(\.id) == ["2025-2026-1", "2025-2026-2"])
        #expect(terms[0].label == Localized(zh: "2025-2026学年第一学期", en: "Autumn term 2025–26"))
        #expect(years.map(\.id) == ["2025-2026", "2026-2027"])
        #expect(calendar.periods(of: .month, in: CalendarFixtures.spring2026()).count == 5)
    }

    @Test func periodContainingADate() {
        // setup
        let day = date("2026-05-20")
        // check
        #expect(calendar.period(of: .week, containing: day)?.id == "2026-W21")
        #expect(calendar.period(of: .month, containing: day)?.id == "2026-05")
        #expect(calendar.period(of: .term, containing: day)?.id == "2025-2026-2")
        #expect(calendar.period(of: .academicYear, containing: day)?.id == "2025-2026")
        #expect(calendar.period(of: .term, containing: date("2026-08-01")) == nil)
        #expect(calendar.period(of: .academicYear, id: "2026-2027")?.range.start == date("2026-08-24"))
        #expect(calendar.period(of: .term, id: "2030-2031-1") == nil)
    }

    @Test func codableKeepsLabelsForReadersAndNamesForTerms() throws {
        // setup
        let periods = [Period.week(containing: date("2025-09-10")), calendar.period(of: .term, id: "2025-2026-1")!]
        // act
        let data = try JSONEncoder().encode(periods)
        let json = String(decoding: data, as: UTF8.self)
        let decoded = try JSONDecoder().decode([Period].self, from: data)
        // check
        #expect(decoded == periods)
        #expect(decoded[1].label.zh == "2025-2026学年第一学期")
        #expect(json.contains("2025年第37周"))
    }
}

@Suite struct CalendarNameTests {
    @Test func termsAndYearsReadInEnglishFromTheirIDs() {
        #expect(CalendarNames.term(id: "2026-2027-1", name: "2026-2027学年第一学期") == Localized(zh: "2026-2027学年第一学期", en: "Autumn term 2026–27"))
        #expect(CalendarNames.term(id: "2026-2027-2", name: "第二学期").en == "Spring term 2026–27")
        #expect(CalendarNames.term(id: "2026-2027-4", name: "小学期").en == "Term 4 2026–27")
        #expect(CalendarNames.academicYear(id: "2026-2027", name: "2026-2027学年").en == "2026–27 academic year")
        // A university's own ids are data: the name stays as typed.
        #expect(CalendarNames.term(id: "2026秋", name: "2026年秋季学期").en == "2026年秋季学期")
        #expect(CalendarNames.academicYear(id: "2026-2028", name: "两年").en == "两年")
        let term = Term(id: "2025-2026-2", name: "第二学期", range: DateRange(start: LocalDate(year: 2026, month: 3, day: 2)!, end: LocalDate(year: 2026, month: 7, day: 5)!))
        #expect(Period(term: term).label.en == "Spring term 2025–26")
    }
}
