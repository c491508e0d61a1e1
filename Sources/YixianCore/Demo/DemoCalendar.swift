import Foundation

extension DemoUniversity {
    /// The academic year holding `asOf` and the one before it, oldest first.
    /// A year runs 1 September – 31 August, so every day belongs to exactly one.
    public static func academicYears(asOf: LocalDate) -> [AcademicYear] {
        let current = academicYearStart(asOf: asOf)
        return [academicYear(startingIn: current - 1), academicYear(startingIn: current)]
    }

    /// The calendar year in which the academic year holding `date` began.
    public static func academicYearStart(asOf date: LocalDate) -> Int {
        date.month >= 9 ? date.year : date.year - 1
    }

    /// A realistic two-term year: autumn from the first Monday of September for 19 weeks
    /// (to mid-January), spring from the last Monday of February or first of March for
    /// 19 weeks (to early July), each ending with an exam week that weekly rules skip.
    public static func academicYear(startingIn year: Int) -> AcademicYear {
        let id = "\(year)-\(year + 1)"
        let name = "\(year)—\(year + 1)学年"

        let autumnStart = firstMonday(onOrAfter: LocalDate(year: year, month: 9, day: 1)!)
        let autumn = Term(
            id: "\(id)-1", name: "\(name)第一学期",
            range: DateRange(start: autumnStart, end: autumnStart.adding(days: 19 * 7 - 1)),
            specialWeeks: [
                week(1, of: autumnStart, name: "新生入学教育周", kind: .orientation, excluded: false),
                week(10, of: autumnStart, name: "教学礼拜周", kind: .teachingWorship, excluded: false),
                week(19, of: autumnStart, name: "期末考试周", kind: .exam, excluded: true),
            ],
            vacations: [DateRange(start: LocalDate(year: year, month: 10, day: 1)!, end: LocalDate(year: year, month: 10, day: 7)!)]
        )

        // Without a lunar calendar we cannot place 春节; the Monday after 22 February lands
        // where most universities start spring teaching (23 February – 1 March).
        let springStart = firstMonday(onOrAfter: LocalDate(year: year + 1, month: 2, day: 23)!)
        let spring = Term(
            id: "\(id)-2", name: "\(name)第二学期",
            range: DateRange(start: springStart, end: springStart.adding(days: 19 * 7 - 1)),
            specialWeeks: [week(19, of: springStart, name: "期末考试周", kind: .exam, excluded: true)],
            vacations: [DateRange(start: LocalDate(year: year + 1, month: 5, day: 1)!, end: LocalDate(year: year + 1, month: 5, day: 5)!)]
        )

        return AcademicYear(
            id: id, name: name,
            range: DateRange(start: LocalDate(year: year, month: 9, day: 1)!, end: LocalDate(year: year + 1, month: 8, day: 31)!),
            terms: [autumn, spring]
        )
    }

    private static func firstMonday(onOrAfter date: LocalDate) -> LocalDate {
        date.adding(days: (8 - date.weekday) % 7)
    }

    private static func week(_ number: Int, of termStart: LocalDate, name: String, kind: SpecialWeek.Kind, excluded: Bool) -> SpecialWeek {
        let monday = termStart.adding(days: (number - 1) * 7)
        return SpecialWeek(name: name, kind: kind, range: DateRange(start: monday, end: monday.adding(days: 6)), excludedFromWeeklyRules: excluded)
    }
}
