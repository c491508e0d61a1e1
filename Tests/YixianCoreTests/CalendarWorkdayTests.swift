import Testing
@testable import YixianCore

@Suite("Workday calendar (PRC holidays and 调休)")
struct CalendarWorkdayTests {
    private let prc = WorkdayCalendar.prc
    private func date(_ text: String) -> LocalDate { CalendarFixtures.date(text) }

    @Test func builtInDataCoversFourYearsWith2027Projected() {
        // check
        #expect(prc.coveredYears == [2024, 2025, 2026, 2027])
        #expect(!prc.covers(year: 2023))
        #expect(!prc.covers(year: 2028))
        #expect(prc.isProjected(year: 2027))
        #expect(!prc.isProjected(year: 2026))
        #expect(prc.covers(CalendarFixtures.range("2025-09-01", "2026-07-10")))
        #expect(!prc.covers(CalendarFixtures.range("2027-09-01", "2028-01-20")))
    }

    @Test func everyMakeUpWorkdayFallsOnAWeekend() {
        // act
        let makeUpDays = prc.entries.filter { $0.kind == .workday }.flatMap(\.range.days)
        // check
        #expect(makeUpDays.count == 8 + 5 + 6 + 5)
        #expect(makeUpDays.allSatisfy { $0.isWeekend })
    }

    @Test func sundayMakeUpBeforeNationalDay2025IsAWorkday() {
        // setup
        let sunday = date("2025-09-28")
        // check
        #expect(sunday.weekday == 7)
        #expect(prc.isWorkday(sunday))
        #expect(prc.day(sunday) == .makeUpWorkday(name: "国庆节调休"))
        #expect(prc.holidayName(sunday) == nil)
    }

    @Test func nationalDayAndMidAutumn2025AreEightDaysOff() {
        // act
        let days = CalendarFixtures.range("2025-10-01", "2025-10-08").days
        // check
        #expect(days.allSatisfy { !prc.isWorkday($0) })
        #expect(days.allSatisfy { prc.holidayName($0) == "国庆节、中秋节" })
        #expect(prc.isWorkday(date("2025-09-30")))
        #expect(prc.isWorkday(date("2025-10-09")))
        #expect(prc.isWorkday(date("2025-10-11")))  // Saturday make-up
    }

    @Test func saturdayMakeUpBeforeSpringFestival2026IsAWorkday() {
        // setup
        let saturday = date("2026-02-14")
        // check
        #expect(saturday.weekday == 6)
        #expect(prc.isWorkday(saturday))
        #expect(prc.holidayName(date("2026-02-23")) == "春节")  // a Monday inside the break
        #expect(!prc.isWorkday(date("2026-02-23")))
    }

    @Test func plainDaysKeepTheWeekdayRule() {
        // check
        #expect(prc.day(date("2025-09-24")) == .workday)
        #expect(prc.day(date("2025-09-27")) == .weekend)
        #expect(prc.entry(on: date("2025-09-24")) == nil)
    }

    @Test func fiveWorkdaysAfterFridayBeforeNationalDay() {
        // setup: 2025-09-26 is a Friday. By hand: 09-27 Sat off, 09-28 Sun make-up (1),
        // 09-29 (2), 09-30 (3), 10-01…10-08 off, 10-09 (4), 10-10 (5).
        // 10-11, the Saturday make-up, would be the sixth.
        let friday = date("2025-09-26")
        // act
        let due = prc.addingWorkdays(5, to: friday)
        // check
        #expect(due == date("2025-10-10"))
        #expect(prc.addingWorkdays(6, to: friday) == date("2025-10-11"))
        #expect(prc.workdaysBetween(friday, due) == 5)
    }

    @Test func makeUpWorkdayInsideAResponseDeadline() {
        // setup: a case received Thursday 2026-02-12 with a 5-workday answer deadline.
        // By hand: 02-13 Fri (1), 02-14 Sat make-up (2), 02-15…02-23 春节, 02-24 (3), 02-25 (4), 02-26 (5).
        let received = date("2026-02-12")
        // act
        let due = prc.addingWorkdays(5, to: received)
        // check
        #expect(due == date("2026-02-26"))
        #expect(WorkdayCalendar.weekdaysOnly.addingWorkdays(5, to: received) == date("2026-02-19"))
    }

    @Test func countingBackwardsAndZero() {
        // setup: three workdays before 2025-10-09 are 09-30, 09-29 and the Sunday make-up 09-28.
        let after = date("2025-10-09")
        // act
        let before = prc.addingWorkdays(-3, to: after)
        // check
        #expect(before == date("2025-09-28"))
        #expect(prc.workdaysBetween(after, before) == -3)
        #expect(prc.addingWorkdays(0, to: date("2025-10-01")) == date("2025-10-01"))
        #expect(prc.workdaysBetween(after, after) == 0)
    }

    @Test func yearTotalsMatchThePublishedFigures() {
        // check: 2024 had 251 workdays and 2025 has 248 (262 − 19 + 8 and 261 − 18 + 5).
        #expect(prc.workdays(in: CalendarFixtures.range("2024-01-01", "2024-12-31")) == 251)
        #expect(prc.workdays(in: CalendarFixtures.range("2025-01-01", "2025-12-31")) == 248)
        #expect(prc.workdays(in: CalendarFixtures.range("2025-10-01", "2025-10-08")) == 0)
    }

    @Test func fastCountAgreesWithDayByDayCount() {
        // setup: deterministic ranges across the covered years and past both ends.
        let base = date("2023-11-01").dayNumber
        var seed: UInt64 = 42
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(seed >> 33) % bound
        }
        for _ in 0..<300 {
            let start = LocalDate(dayNumber: base + next(1_700))
            let range = DateRange(start: start, end: start.adding(days: next(120)))
            // act
            let counted = range.days.count(where: prc.isWorkday)
            // check
            #expect(prc.workdays(in: range) == counted, "\(range.start)…\(range.end)")
            #expect(prc.workdaysBetween(range.start, range.end) == counted - (prc.isWorkday(range.start) ? 1 : 0))
        }
    }

    @Test func leapDay2028OutsideCoverageIsAPlainTuesday() {
        // setup
        let leapDay = date("2028-02-29")
        // check
        #expect(leapDay.weekday == 2)
        #expect(prc.isWorkday(leapDay))
        #expect(prc.addingWorkdays(1, to: date("2028-02-28")) == leapDay)
        #expect(prc.addingWorkdays(4, to: date("2028-02-25")) == date("2028-03-02"))
        #expect(prc.workdays(in: CalendarFixtures.range("2028-02-01", "2028-02-29")) == 21)
        #expect(prc.workdaysBetween(date("2028-02-25"), date("2028-03-02")) == 4)
    }

    @Test func parseErrorsNameEveryBadLine() throws {
        // setup
        let text = """
        year 2030 test
        2030-02-30 holiday 不存在的日子
        2030-10-09 workday 周三不能调休
        2030-10-01..2030-10-07 holiday 国庆节
        2030-10-07 holiday 重复
        2030-05-01 vacation 劳动节
        2030-05-05..2030-05-01 holiday 倒序
        2030-09-29 workday
        year 2030
        1800-01-01 holiday 太早
        """
        // act
        let error = #expect(throws: WorkdayCalendarParseError.self) { try WorkdayCalendar(parsing: text) }
        // check
        let issues = try #require(error).issues
        #expect(issues.map(\.line) == [2, 3, 5, 6, 7, 8, 9, 10])
        #expect(issues[1].message.en.contains("2030-10-09 is a weekday"))
        #expect(issues[2].message.zh.contains("第 4 行"))
        #expect(issues[6].message.en.contains("line 1"))
        #expect(issues[7].message.en.contains("1900"))
    }

    @Test func adminOverrideReplacesAProjectedYear() throws {
        // setup: the published 2027 schedule differs from the projection.
        let published = try WorkdayCalendar(parsing: """
        # 国务院办公厅通知（示例）
        year 2027 国办发明电〔2026〕X号
        2027-02-06..2027-02-14 holiday 春节
        2027-02-20 workday 春节调休
        """)
        // act
        let merged = WorkdayCalendar.prc.merging(published)
        // check
        #expect(!merged.isProjected(year: 2027))
        #expect(merged.isWorkday(date("2027-02-05")))
        #expect(merged.holidayName(date("2027-02-14")) == "春节")
        #expect(merged.isWorkday(date("2027-02-20")))
        #expect(merged.isWorkday(date("2027-10-04")))  // projected National Day is gone too
        #expect(merged.holidayName(date("2026-10-01")) == "国庆节")
        #expect(merged.yearSources[2027] == "国办发明电〔2026〕X号")
    }

    @Test func textFormRoundTrips() throws {
        // act
        let reparsed = try WorkdayCalendar(parsing: prc.text)
        // check
        #expect(reparsed == prc)
        #expect(prc.text.contains("2027-10-01..2027-10-07 holiday projected 国庆节"))
    }
}
