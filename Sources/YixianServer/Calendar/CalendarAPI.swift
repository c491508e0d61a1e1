import Fluent
import Vapor
import YixianCore

struct CalendarDTO: Content {
    struct SpecialWeekDTO: Content {
        var name: String
        var kind: String
        var start: String
        var end: String
        var excludedFromWeeklyRules: Bool
    }
    struct VacationDTO: Content {
        var name: String
        var start: String
        var end: String
    }
    struct TermDTO: Content {
        var id: String
        var name: String
        var start: String
        var end: String
        var teachingWeeks: Int
        var specialWeeks: [SpecialWeekDTO]
        var vacations: [VacationDTO]
    }
    struct YearDTO: Content {
        var id: String
        var name: String
        var start: String
        var end: String
        var terms: [TermDTO]
    }
    var academicYears: [YearDTO]
}

struct WorkdayDTO: Content {
    var date: String
    var weekday: Int
    var workday: Bool
    var holiday: String?
}

enum CalendarAPI {
    /// The academic calendar as core values, for the engine and for pages.
    static func load(on db: any Database) async throws -> [AcademicYear] {
        let years = try await AcademicYearModel.query(on: db).with(\.$terms) { $0.with(\.$specialWeeks).with(\.$vacations) }
            .sort(\.$startDate).all()
        return years.compactMap { year -> AcademicYear? in
            guard let start = LocalDate(year.startDate), let end = LocalDate(year.endDate), start <= end else { return nil }
            let terms = year.terms.sorted { $0.startDate < $1.startDate }.compactMap { term -> Term? in
                guard let ts = LocalDate(term.startDate), let te = LocalDate(term.endDate), ts <= te else { return nil }
                return Term(id: term.code, name: term.name, range: DateRange(start: ts, end: te),
                            specialWeeks: term.specialWeeks.compactMap { w in
                                guard let s = LocalDate(w.startDate), let e = LocalDate(w.endDate), s <= e else { return nil }
                                return SpecialWeek(name: w.name, kind: SpecialWeek.Kind(rawValue: w.kind) ?? .other,
                                                   range: DateRange(start: s, end: e), excludedFromWeeklyRules: w.excluded)
                            },
                            vacations: term.vacations.compactMap { v in
                                guard let s = LocalDate(v.startDate), let e = LocalDate(v.endDate), s <= e else { return nil }
                                return DateRange(start: s, end: e)
                            })
            }
            return AcademicYear(id: year.code, name: year.name, range: DateRange(start: start, end: end), terms: terms)
        }
    }

    /// Replaces the calendar with these years in one transaction.
    static func save(_ years: [AcademicYear], on db: any Database) async throws {
        for year in years {
            try await AcademicYearModel.query(on: db).filter(\.$code == year.id).delete()
            let y = AcademicYearModel()
            y.code = year.id
            y.name = year.name
            y.startDate = year.range.start.iso
            y.endDate = year.range.end.iso
            try await y.create(on: db)
            for term in year.terms {
                let t = TermModel()
                t.$academicYear.id = y.id!
                t.code = term.id
                t.name = term.name
                t.startDate = term.range.start.iso
                t.endDate = term.range.end.iso
                try await t.create(on: db)
                for week in term.specialWeeks {
                    let w = SpecialWeekModel()
                    w.$term.id = t.id!
                    w.name = week.name
                    w.kind = week.kind.rawValue
                    w.startDate = week.range.start.iso
                    w.endDate = week.range.end.iso
                    w.excluded = week.excludedFromWeeklyRules
                    try await w.create(on: db)
                }
                for (index, vacation) in term.vacations.enumerated() {
                    let v = VacationModel()
                    v.$term.id = t.id!
                    v.name = "假期 \(index + 1)"
                    v.startDate = vacation.start.iso
                    v.endDate = vacation.end.iso
                    try await v.create(on: db)
                }
            }
        }
    }

    static func dto(_ years: [AcademicYear]) -> CalendarDTO {
        CalendarDTO(academicYears: years.map { year in
            .init(id: year.id, name: year.name, start: year.range.start.iso, end: year.range.end.iso, terms: year.terms.map { term in
                .init(id: term.id, name: term.name, start: term.range.start.iso, end: term.range.end.iso,
                      teachingWeeks: term.teachingWeeks.count,
                      specialWeeks: term.specialWeeks.map {
                          .init(name: $0.name, kind: $0.kind.rawValue, start: $0.range.start.iso, end: $0.range.end.iso,
                                excludedFromWeeklyRules: $0.excludedFromWeeklyRules)
                      },
                      vacations: term.vacations.enumerated().map { .init(name: "假期 \($0.offset + 1)", start: $0.element.start.iso, end: $0.element.end.iso) })
            })
        })
    }

    static func register(_ app: Application) {
        app.register(.init(method: .GET, path: "/calendar", summary: "Academic years, terms, special weeks and vacations", tag: "Calendar",
                           access: .signedIn, response: "Calendar")) { req in
            dto(try await load(on: req.db))
        }
        app.register(.init(method: .GET, path: "/calendar/workdays", summary: "PRC workdays (调休 included) between two dates, at most 366 days",
                           tag: "Calendar", access: .signedIn,
                           query: [.init(name: "from", description: "YYYY-MM-DD", required: true), .init(name: "to", description: "YYYY-MM-DD", required: true)],
                           response: "WorkdayList")) { req -> [WorkdayDTO] in
            var check = FieldChecker()
            let from = check.date("from", req.query[String.self, at: "from"], label: "开始日期")
            let to = check.date("to", req.query[String.self, at: "to"], label: "结束日期")
            try check.throwIfInvalid()
            guard from! <= to! else { throw AppError.field("to", zh: "结束日期早于开始日期，请检查", en: "to is before from") }
            guard from!.days(until: to!) < 366 else { throw AppError.field("to", zh: "一次最多查询 366 天", en: "at most 366 days at once") }
            let calendar = try await WorkdayUploads.current(on: req.db)
            return DateRange(start: from!, end: to!).days.map {
                WorkdayDTO(date: $0.iso, weekday: $0.weekday, workday: calendar.isWorkday($0), holiday: calendar.holidayName($0))
            }
        }
    }
}
