import Testing
@testable import YixianCore

@Suite("Teaching weeks and academic calendar lookup")
struct CalendarWeeksTests {
    private func date(_ text: String) -> LocalDate { CalendarFixtures.date(text) }
    private func range(_ start: String, _ end: String) -> DateRange { CalendarFixtures.range(start, end) }

    @Test func termStartingOnWednesdayHasAShortFirstWeek() {
        // setup: 2025-09-03 is a Wednesday; the term ends Friday 2026-01-16.
        let term = CalendarFixtures.autumn2025()
        // act
        let weeks = term.teachingWeeks
        // check: Monday 09-01 to Monday 2026-01-12 is 133 days, 19 weeks, so 20 weeks in all.
        #expect(weeks.count == 20)
        #expect(weeks.map(\.number) == Array(1...20))
        #expect(weeks[0].range == range("2025-09-03", "2025-09-07"))
        #expect(weeks[0].isPartial)
        #expect(weeks[1].range == range("2025-09-08", "2025-09-14"))
        #expect(!weeks[1].isPartial)
        #expect(weeks[19].range == range("2026-01-12", "2026-01-16"))
        #expect(term.week(containing: date("2025-09-07"))?.number == 1)
        #expect(term.week(containing: date("2025-09-08"))?.number == 2)
        #expect(term.week(containing: date("2025-09-02")) == nil)
        #expect(term.week(containing: date("2026-01-16")) == weeks[19])
    }

    @Test func nationalDayBreakAloneExcludesNoWeek() {
        // setup: the State Council break Wed 10-01 … Wed 10-08 leaves Mon–Tue of week 5
        // and Thu–Sun of week 6 free, so both still count.
        let term = CalendarFixtures.autumn2025()
        // act
        let week5 = term.week(containing: date("2025-10-01"))
        let week6 = term.week(containing: date("2025-10-08"))
        // check
        #expect(week5?.number == 5)
        #expect(week5?.countsForWeeklyRules == true)
        #expect(week6?.countsForWeeklyRules == true)
        #expect(term.teachingWeeks.allSatisfy { $0.countsForWeeklyRules })
    }

    @Test func weekEntirelyInsideTheNationalDayVacationIsExcluded() {
        // setup: a university closing from Saturday 09-27 through 10-08.
        let term = CalendarFixtures.autumn2025(vacations: [range("2025-09-27", "2025-10-08")])
        // act
        let week5 = term.week(containing: date("2025-09-29"))
        let week6 = term.week(containing: date("2025-10-06"))
        // check
        #expect(week5?.countsForWeeklyRules == false)
        #expect(week5?.exclusionReason == Localized(zh: "假期", en: "Vacation"))
        #expect(week6?.countsForWeeklyRules == true)
        #expect(week6?.exclusionReason == nil)
        #expect(term.teachingWeeks.count { !$0.countsForWeeklyRules } == 1)
    }

    @Test func examWeekIsExcludedOnlyWhenMarkedSo() {
        // setup: the last, partial week is the exam week.
        let excluded = CalendarFixtures.autumn2025(specialWeeks: [CalendarFixtures.examWeek("2026-01-12", "2026-01-16")])
        let counted = CalendarFixtures.autumn2025(specialWeeks: [CalendarFixtures.examWeek("2026-01-12", "2026-01-16", excluded: false)])
        // act
        let last = excluded.teachingWeeks.last
        // check
        #expect(last?.number == 20)
        #expect(last?.countsForWeeklyRules == false)
        #expect(last?.exclusionReason == Localized(zh: "期末考试周", en: "Exam week"))
        #expect(counted.teachingWeeks.last?.countsForWeeklyRules == true)
    }

    @Test func vacationAndSpecialWeekTogetherCoverAWeek() {
        // setup: sports meet Mon–Wed, then a break Thu–Sun; neither covers week 8 alone.
        let sportsMeet = SpecialWeek(name: "运动会", kind: .other, range: range("2025-10-20", "2025-10-22"), excludedFromWeeklyRules: true)
        let term = CalendarFixtures.autumn2025(specialWeeks: [sportsMeet], vacations: [range("2025-10-23", "2025-10-26")])
        // act
        let week8 = term.week(containing: date("2025-10-22"))
        // check
        #expect(week8?.number == 8)
        #expect(week8?.countsForWeeklyRules == false)
        #expect(week8?.exclusionReason?.zh == "假期、运动会")
        #expect(week8?.exclusionReason?.en == "Vacation, Other")
    }

    @Test func weeksElapsedSplitsClosedWeeksFromTheOpenOne() {
        // setup: Wednesday 2025-10-15 is in week 7; week 5 is closed by the vacation.
        let term = CalendarFixtures.autumn2025(vacations: [range("2025-09-27", "2025-10-08")])
        // act
        let progress = term.weeksElapsed(asOf: date("2025-10-15"))
        let onSunday = term.weeksElapsed(asOf: date("2025-10-12"))
        // check
        #expect(progress.closed.map(\.number) == [1, 2, 3, 4, 5, 6])
        #expect(progress.current?.number == 7)
        #expect(progress.closedCountingWeeks == 5)
        #expect(onSunday.current?.number == 6)  // Sunday's week is still open
        #expect(onSunday.closed.count == 5)
    }

    @Test func weeksElapsedBeforeAndAfterTheTerm() {
        // setup
        let term = CalendarFixtures.autumn2025()
        // act
        let before = term.weeksElapsed(asOf: date("2025-09-01"))
        let after = term.weeksElapsed(asOf: date("2026-02-01"))
        // check
        #expect(before.closed.isEmpty)
        #expect(before.current == nil)
        #expect(after.closed.count == 20)
        #expect(after.current == nil)
    }

    @Test func findsTermAndYearOfADate() {
        // setup: listed out of order on purpose.
        let calendar = AcademicCalendar(years: [CalendarFixtures.year2026(), CalendarFixtures.year2025()])
        // act
        let autumn = calendar.term(containing: date("2025-11-11"))
        let winterBreak = calendar.term(containing: date("2026-02-01"))
        // check
        #expect(calendar.years.map(\.id) == ["2025-2026", "2026-2027"])
        #expect(autumn?.id == "2025-2026-1")
        #expect(winterBreak == nil)
        #expect(calendar.term(atOrBefore: date("2026-02-01"))?.id == "2025-2026-1")
        #expect(calendar.academicYear(containing: date("2026-02-01"))?.id == "2025-2026")
        #expect(calendar.academicYear(containing: date("2026-09-01"))?.id == "2026-2027")
        #expect(calendar.academicYear(containing: date("2025-08-01")) == nil)
        #expect(calendar.term(id: "2025-2026-2")?.range.start == date("2026-03-02"))
        #expect(calendar.academicYear(of: CalendarFixtures.spring2026())?.id == "2025-2026")
    }

    @Test func validCalendarHasNoProblems() {
        // setup
        let calendar = AcademicCalendar(years: [CalendarFixtures.year2025(), CalendarFixtures.year2026()])
        // check
        #expect(calendar.validate().isEmpty)
    }

    @Test func validationReportsEveryProblemInBothLanguages() throws {
        // setup: dates that come from an uploaded file bypass DateRange's check.
        var backwards = CalendarFixtures.spring2026()
        backwards.id = "2025-2026-3"
        backwards.range.end = date("2026-02-01")
        var overlapping = CalendarFixtures.spring2026()
        overlapping.range.start = date("2026-01-10")
        var leaking = CalendarFixtures.autumn2025(specialWeeks: [CalendarFixtures.examWeek("2026-01-19", "2026-01-23")])
        leaking.range.start = date("2025-08-20")
        let year = CalendarFixtures.year2025(terms: [leaking, overlapping, backwards])
        var clashingYear = CalendarFixtures.year2026()
        clashingYear.range.start = date("2026-08-01")
        // act
        let problems = AcademicCalendar(years: [year, clashingYear]).validate()
        // check
        let codes = problems.map { "\($0.code.rawValue) \($0.subjectID)" }
        #expect(codes == [
            "overlap 2025-2026",
            "outside-parent 2025-2026-1",
            "overlap 2025-2026-1",
            "outside-parent 2025-2026-1",
            "range-backwards 2025-2026-3",
        ])
        let outside = try #require(problems.first { $0.code == .outsideParent })
        #expect(outside.message.zh.contains("不在学年 2025-2026"))
        #expect(outside.message.en.contains("2025-08-20…2026-01-16"))
    }

    @Test func validationFindsDuplicateIDs() {
        // setup
        let calendar = AcademicCalendar(years: [
            CalendarFixtures.year2025(terms: [CalendarFixtures.autumn2025()]),
            AcademicYear(id: "2026-2027", name: "2026-2027学年", range: CalendarFixtures.range("2026-08-24", "2027-08-22"),
                         terms: [CalendarFixtures.autumn2025()]),
        ])
        // act
        let problems = calendar.validate()
        // check
        #expect(problems.contains { $0.code == .duplicateID && $0.subjectID == "2025-2026-1" })
        #expect(problems.contains { $0.code == .outsideParent && $0.subjectID == "2025-2026-1" })
    }
}
