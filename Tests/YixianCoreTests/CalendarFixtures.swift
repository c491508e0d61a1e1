@testable import YixianCore

/// Real-dated calendars for the Calendar tests.
enum CalendarFixtures {
    /// `YYYY-MM-DD` to a date; tests only use valid literals.
    static func date(_ text: String) -> LocalDate { LocalDate(text)! }

    static func range(_ start: String, _ end: String) -> DateRange { DateRange(start: date(start), end: date(end)) }

    /// Autumn term 2025 starting on a Wednesday, with the State Council's National Day break.
    static func autumn2025(specialWeeks: [SpecialWeek] = [],
                           vacations: [DateRange] = [range("2025-10-01", "2025-10-08")]) -> Term {
        Term(id: "2025-2026-1", name: "2025-2026学年第一学期", range: range("2025-09-03", "2026-01-16"),
             specialWeeks: specialWeeks, vacations: vacations)
    }

    static func spring2026(specialWeeks: [SpecialWeek] = []) -> Term {
        Term(id: "2025-2026-2", name: "2025-2026学年第二学期", range: range("2026-03-02", "2026-07-10"),
             specialWeeks: specialWeeks, vacations: [range("2026-05-01", "2026-05-05")])
    }

    static func examWeek(_ start: String, _ end: String, excluded: Bool = true) -> SpecialWeek {
        SpecialWeek(name: "期末考试周", kind: .exam, range: range(start, end), excludedFromWeeklyRules: excluded)
    }

    static func year2025(terms: [Term] = [autumn2025(), spring2026()]) -> AcademicYear {
        AcademicYear(id: "2025-2026", name: "2025-2026学年", range: range("2025-08-25", "2026-08-23"), terms: terms)
    }

    static func year2026() -> AcademicYear {
        AcademicYear(id: "2026-2027", name: "2026-2027学年", range: range("2026-08-24", "2027-08-22"), terms: [
            Term(id: "2026-2027-1", name: "2026-2027学年第一学期", range: range("2026-09-07", "2027-01-22")),
        ])
    }
}
