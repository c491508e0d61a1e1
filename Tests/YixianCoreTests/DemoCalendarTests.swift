import Testing
@testable import YixianCore

@Test(arguments: ["2025-10-15", "2025-09-01", "2026-01-20", "2026-08-31", "2024-02-29", "2027-07-04"])
func demoCalendarCoversAsOfAndTheYearBefore(asOfText: String) throws {
    // setup
    let asOf = try #require(LocalDate(asOfText))

    // act
    let years = DemoUniversity.academicYears(asOf: asOf)

    // check
    #expect(years.count == 2)
    #expect(years[1].range.contains(asOf))
    #expect(years[0].range.end.adding(days: 1) == years[1].range.start)
    #expect(years[1].id == "\(years[1].range.start.year)-\(years[1].range.start.year + 1)")
}

@Test(arguments: 2019...2030)
func demoTermsAreRealistic(startYear: Int) {
    // act
    let year = DemoUniversity.academicYear(startingIn: startYear)
    let autumn = year.terms[0], spring = year.terms[1]

    // check: both terms inside the year, in order, starting on a Monday
    #expect(year.terms.count == 2)
    #expect(year.terms.allSatisfy { year.range.contains($0.range.start) && year.range.contains($0.range.end) && $0.range.start.weekday == 1 })
    #expect(autumn.range.end < spring.range.start)
    // autumn: first Monday of September to mid-January
    #expect(autumn.range.start.month == 9 && autumn.range.start.day <= 7)
    #expect(autumn.range.end.month == 1 && (10...20).contains(autumn.range.end.day))
    // spring: late February or early March to early July
    #expect((autumn.range.start.year + 1) == spring.range.start.year)
    #expect((spring.range.start.month == 2 && spring.range.start.day >= 20) || (spring.range.start.month == 3 && spring.range.start.day <= 3))
    #expect(spring.range.end.month == 7 && spring.range.end.day <= 12)
}

@Test func demoTermsHaveExamWeeksHolidaysAndTeachingWorship() {
    // setup
    let year = DemoUniversity.academicYear(startingIn: 2025)

    for term in year.terms {
        // check: every special week and vacation is inside its term
        #expect(term.specialWeeks.allSatisfy { term.range.contains($0.range.start) && term.range.contains($0.range.end) })
        #expect(term.vacations.allSatisfy { term.range.contains($0.start) && term.range.contains($0.end) })
        // check: the exam week is the last week and weekly rules skip it
        let exam = term.specialWeeks.filter { $0.kind == .exam }
        #expect(exam.count == 1 && exam[0].range.end == term.range.end && exam[0].excludedFromWeeklyRules)
        #expect(exam[0].range.dayCount == 7)
    }
    // check: National Day is a vacation of the autumn term
    let nationalDay = LocalDate(year: 2025, month: 10, day: 1)!
    #expect(year.terms[0].vacations.contains { $0.contains(nationalDay) && $0.dayCount == 7 })
    // check: one term holds the teaching worship week, in week 10, counted by weekly rules
    let worship = year.terms.flatMap(\.specialWeeks).filter { $0.kind == .teachingWorship }
    #expect(worship.count == 1)
    #expect(worship.first?.excludedFromWeeklyRules == false)
    #expect(worship.first.map { year.terms[0].range.start.days(until: $0.range.start) / 7 + 1 } == 10)
}

@Test func demoUniversityCarriesTheCalendarOfAsOf() {
    // setup
    let university = DemoFixture.standard

    // check
    #expect(university.academicYears == DemoUniversity.academicYears(asOf: DemoFixture.asOf))
    #expect(university.currentAcademicYear.id == "2025-2026")
    #expect(university.currentAcademicYear.range.contains(university.asOf))
}
