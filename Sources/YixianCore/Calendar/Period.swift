import Foundation

/// The spans a rule's quota is counted over ("每周", "每月", "每学期", "每学年", "每两周", "每两个月",
/// "每天", "每个工作日").
public enum PeriodKind: String, CaseIterable, Sendable, Codable, Labelled {
    case week
    case month
    case term
    case academicYear = "academic-year"
    /// Teaching weeks paired from the term's week 1 (weeks 1–2, 3–4, …); a trailing odd week stands alone.
    case twoWeeks = "two-weeks"
    /// Calendar months paired from the academic year's first month (Sep–Oct, Nov–Dec, …), clipped to the year.
    case twoMonths = "two-months"
    /// Every calendar day of a term.
    case day
    /// Every PRC workday of a term (调休 make-up days included, weekends and public holidays not).
    case workday

    public var label: Localized {
        switch self {
        case .week: Localized(zh: "周", en: "Week")
        case .month: Localized(zh: "月", en: "Month")
        case .term: Localized(zh: "学期", en: "Term")
        case .academicYear: Localized(zh: "学年", en: "Academic year")
        case .twoWeeks: Localized(zh: "两周", en: "Two weeks")
        case .twoMonths: Localized(zh: "两个月", en: "Two months")
        case .day: Localized(zh: "天", en: "Day")
        case .workday: Localized(zh: "工作日", en: "Workday")
        }
    }

    /// Kinds the calendar can pause (a vacation, exam weeks): all but terms and academic years.
    public var isPausable: Bool { self != .term && self != .academicYear }
}

/// One concrete period with a stable id, used in URLs, report columns and filings:
/// ISO weeks `2025-W37` (Monday start; the ISO year can differ from the calendar
/// year at New Year), calendar months `2025-09`, terms `2025-2026-1`, academic
/// years `2025-2026`. Periods are whole: a week period is all seven days even when
/// a term starts midweek; clip with `range(clippedTo:)`.
public struct Period: Hashable, Sendable, Labelled {
    public var kind: PeriodKind
    public var id: String
    public var range: DateRange
    /// Terms and academic years carry the calendar's names; weeks and months are
    /// labelled from their dates on demand, as reports create many and show few.
    private var name: Localized?

    public var label: Localized {
        if let name { return name }
        switch kind {
        case .week:
            let (monday, sunday) = (range.start, range.end)
            let (year, number) = Self.isoYearAndWeek(of: monday)
            return Localized(zh: "\(year)年第\(number)周（\(monday.month)月\(monday.day)日—\(sunday.month)月\(sunday.day)日）",
                             en: "Week \(number) of \(year) (\(Self.shortDate(monday)) – \(Self.shortDate(sunday)))")
        case .month:
            return Localized(zh: "\(range.start.year)年\(range.start.month)月", en: "\(Self.monthNames[range.start.month - 1]) \(range.start.year)")
        case .term:
            return Localized(zh: id, en: "Term \(id)")
        case .academicYear:
            return Localized(zh: id, en: "Academic year \(id)")
        case .twoWeeks:
            let (first, last) = (range.start, range.end)
            return Localized(zh: "\(first.year)年\(first.month)月\(first.day)日—\(last.month)月\(last.day)日",
                             en: "\(Self.shortDate(first)) – \(Self.shortDate(last)) \(last.year)")
        case .twoMonths:
            return Self.twoMonthLabel(range)
        case .day, .workday:
            return Self.dayLabel(range.start)
        }
    }

    /// A period with an explicit label; pass nil to label weeks and months from their dates.
    public init(kind: PeriodKind, id: String, range: DateRange, label: Localized? = nil) {
        self.kind = kind
        self.id = id
        self.range = range
        self.name = label
    }

    public init(term: Term) {
        self.init(kind: .term, id: term.id, range: term.range, label: term.label)
    }

    public init(academicYear: AcademicYear) {
        self.init(kind: .academicYear, id: academicYear.id, range: academicYear.range,
                  label: academicYear.label)
    }

    /// The part of the period inside `other`, or nil when they do not meet.
    public func range(clippedTo other: DateRange) -> DateRange? {
        guard range.overlaps(other) else { return nil }
        return DateRange(start: max(range.start, other.start), end: min(range.end, other.end))
    }

    // MARK: Weeks

    /// The ISO week (Monday–Sunday) containing `date`.
    public static func week(containing date: LocalDate) -> Period {
        let monday = date.startOfWeek
        let (year, number) = isoYearAndWeek(of: monday)
        return Period(kind: .week, id: "\(padded(year, 4))-W\(padded(number, 2))",
                      range: DateRange(start: monday, end: monday.adding(days: 6)))
    }

    /// The ISO year is the year of the week's Thursday.
    private static func isoYearAndWeek(of monday: LocalDate) -> (year: Int, week: Int) {
        let thursday = monday.adding(days: 3)
        return (thursday.year, (thursday.dayNumber - LocalDate(year: thursday.year, month: 1, day: 1)!.dayNumber) / 7 + 1)
    }

    /// Reads `YYYY-Www`; nil for malformed ids or week numbers the ISO year does not have.
    public static func week(id: String) -> Period? {
        let parts = id.split(separator: "-W", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              let year = Int(parts[0]), let number = Int(parts[1]), number >= 1,
              let january4 = LocalDate(year: year, month: 1, day: 4) else { return nil }
        let period = week(containing: january4.startOfWeek.adding(days: 7 * (number - 1)))
        return period.id == id ? period : nil
    }

    /// ISO weeks meeting `range`, in order.
    public static func weeks(intersecting range: DateRange) -> [Period] {
        stride(from: range.start.startOfWeek.dayNumber, through: range.end.dayNumber, by: 7)
            .map { week(containing: LocalDate(dayNumber: $0)) }
    }

    // MARK: Months

    public static func month(containing date: LocalDate) -> Period {
        let first = LocalDate(year: date.year, month: date.month, day: 1)!
        let last = LocalDate(year: date.year, month: date.month, day: LocalDate.daysIn(month: date.month, year: date.year))!
        return Period(kind: .month, id: "\(padded(date.year, 4))-\(padded(date.month, 2))", range: DateRange(start: first, end: last))
    }

    /// Reads `YYYY-MM`.
    public static func month(id: String) -> Period? {
        let parts = id.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]),
              let first = LocalDate(year: year, month: month, day: 1) else { return nil }
        return self.month(containing: first)
    }

    /// Calendar months meeting `range`, in order.
    public static func months(intersecting range: DateRange) -> [Period] {
        var periods: [Period] = []
        var first = LocalDate(year: range.start.year, month: range.start.month, day: 1)!
        while first <= range.end {
            periods.append(month(containing: first))
            first = first.adding(months: 1)
        }
        return periods
    }

    // MARK: Two months

    /// Months paired from the academic year's first month — the month its first term starts, so a year recorded
    /// from 08-25 with teaching from 09-03 pairs Sep–Oct, Nov–Dec, … — each pair clipped to the year. Days of the
    /// year before that month belong to no pair (they lie before every term). Ids `2025-09~10`, or
    /// `2025-12~2026-01` when a pair crosses New Year.
    public static func twoMonths(in year: AcademicYear) -> [Period] {
        var periods: [Period] = []
        let opening = year.terms.map(\.range.start).min() ?? year.range.start
        var first = LocalDate(year: opening.year, month: opening.month, day: 1)!
        while first <= year.range.end {
            let second = first.adding(months: 1)
            let end = LocalDate(year: second.year, month: second.month, day: LocalDate.daysIn(month: second.month, year: second.year))!
            let range = DateRange(start: max(first, year.range.start), end: min(end, year.range.end))
            let tail = second.year == first.year ? padded(second.month, 2) : "\(padded(second.year, 4))-\(padded(second.month, 2))"
            periods.append(Period(kind: .twoMonths, id: "\(padded(first.year, 4))-\(padded(first.month, 2))~\(tail)", range: range,
                                  label: twoMonthLabel(DateRange(start: first, end: end))))
            first = first.adding(months: 2)
        }
        return periods
    }

    static func twoMonthLabel(_ range: DateRange) -> Localized {
        let (first, last) = (range.start, range.end)
        if first.year == last.year {
            return Localized(zh: "\(first.year)年\(first.month)—\(last.month)月",
                             en: "\(monthNames[first.month - 1].prefix(3))–\(monthNames[last.month - 1].prefix(3)) \(first.year)")
        }
        return Localized(zh: "\(first.year)年\(first.month)月—\(last.year)年\(last.month)月",
                         en: "\(monthNames[first.month - 1].prefix(3)) \(first.year) – \(monthNames[last.month - 1].prefix(3)) \(last.year)")
    }

    // MARK: Two weeks

    /// A term's teaching weeks paired from week 1 (1–2, 3–4, …; a trailing odd week alone), clipped to the term:
    /// ids are the ISO weeks joined, `2025-W37~W38` (`2025-W52~2026-W01` across New Year; a lone week `2025-W52`).
    public static func twoWeeks(in term: Term) -> [Period] {
        let weeks = term.teachingWeeks
        return stride(from: 0, to: weeks.count, by: 2).map { index in
            let first = weeks[index], last = weeks[min(index + 1, weeks.count - 1)]
            let (a, b) = (first.isoWeek.id, last.isoWeek.id)
            let id = a == b ? a : (a.prefix(4) == b.prefix(4) ? "\(a)~\(b.dropFirst(5))" : "\(a)~\(b)")
            let numbers = first.number == last.number ? "\(first.number)" : "\(first.number)—\(last.number)"
            let label = Localized(zh: "\(term.name)第\(numbers)周",
                                  en: "\(term.name) \(first.number == last.number ? "Week" : "Weeks") \(numbers.replacingOccurrences(of: "—", with: "–"))")
            return Period(kind: .twoWeeks, id: id, range: DateRange(start: first.range.start, end: last.range.end), label: label)
        }
    }

    // MARK: Days

    /// The day `date`, id `2025-09-08`; `kind` is `.day` or `.workday`.
    public static func day(_ date: LocalDate, kind: PeriodKind = .day) -> Period {
        Period(kind: kind, id: "\(padded(date.year, 4))-\(padded(date.month, 2))-\(padded(date.day, 2))", range: DateRange(start: date, end: date))
    }

    static func dayLabel(_ date: LocalDate) -> Localized {
        Localized(zh: "\(date.year)年\(date.month)月\(date.day)日", en: "\(shortDate(date)), \(date.year)")
    }

    private static let monthNames = ["January", "February", "March", "April", "May", "June", "July",
                                     "August", "September", "October", "November", "December"]

    /// Zero-padded digits; `String(format:)` costs microseconds on Linux and ids are built per report cell.
    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    private static func shortDate(_ date: LocalDate) -> String { "\(monthNames[date.month - 1].prefix(3)) \(date.day)" }
}

extension AcademicCalendar {
    /// Periods of `kind` meeting `range`, in order. Terms and academic years come
    /// from this calendar; weeks and months from the civil calendar.
    public func periods(of kind: PeriodKind, intersecting range: DateRange) -> [Period] {
        switch kind {
        case .week: Period.weeks(intersecting: range)
        case .month: Period.months(intersecting: range)
        case .term: years.flatMap(\.terms).filter { $0.range.overlaps(range) }
            .sorted { $0.range.start < $1.range.start }.map(Period.init(term:))
        case .academicYear: years.filter { $0.range.overlaps(range) }.map(Period.init(academicYear:))
        case .twoWeeks: years.flatMap(\.terms).sorted { $0.range.start < $1.range.start }
            .flatMap(Period.twoWeeks(in:)).filter { $0.range.overlaps(range) }
        case .twoMonths: years.filter { $0.range.overlaps(range) }.flatMap(Period.twoMonths(in:)).filter { $0.range.overlaps(range) }
        case .day, .workday:
            // Days of the terms only; workdays by the built-in PRC calendar (the engine uses the deployment's).
            years.flatMap(\.terms).sorted { $0.range.start < $1.range.start }.flatMap { term -> [Period] in
                guard term.range.overlaps(range) else { return [] }
                let from = max(term.range.start, range.start).dayNumber, through = min(term.range.end, range.end).dayNumber
                return (from...through).compactMap { number in
                    kind == .workday && !WorkdayCalendar.prc.isWorkday(dayNumber: number) ? nil : Period.day(LocalDate(dayNumber: number), kind: kind)
                }
            }
        }
    }

    public func periods(of kind: PeriodKind, in term: Term) -> [Period] { periods(of: kind, intersecting: term.range) }

    public func periods(of kind: PeriodKind, in year: AcademicYear) -> [Period] { periods(of: kind, intersecting: year.range) }

    /// The period of `kind` containing `date`; nil for terms and years when the date lies outside them.
    public func period(of kind: PeriodKind, containing date: LocalDate) -> Period? {
        switch kind {
        case .week: Period.week(containing: date)
        case .month: Period.month(containing: date)
        case .term: term(containing: date).map(Period.init(term:))
        case .academicYear: academicYear(containing: date).map(Period.init(academicYear:))
        case .twoWeeks, .twoMonths, .day, .workday: periods(of: kind, intersecting: DateRange(start: date, end: date)).first
        }
    }

    /// Resolves a period id as it appears in a URL or a report.
    public func period(of kind: PeriodKind, id: String) -> Period? {
        switch kind {
        case .week: Period.week(id: id)
        case .month: Period.month(id: id)
        case .term: term(id: id).map(Period.init(term:))
        case .academicYear: academicYear(id: id).map(Period.init(academicYear:))
        case .twoWeeks: years.flatMap(\.terms).lazy.flatMap(Period.twoWeeks(in:)).first { $0.id == id }
        case .twoMonths: years.lazy.flatMap(Period.twoMonths(in:)).first { $0.id == id }
        case .day, .workday:
            LocalDate(id).flatMap { date in periods(of: kind, intersecting: DateRange(start: date, end: date)).first }
        }
    }
}

extension Period: Codable {
    private enum CodingKeys: String, CodingKey { case kind, id, range, label }

    /// The label is written for API readers; on reading, only term and year names are kept.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(id, forKey: .id)
        try container.encode(range, forKey: .range)
        try container.encode(label, forKey: .label)
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try container.decode(PeriodKind.self, forKey: .kind)
        let label = try container.decodeIfPresent(Localized.self, forKey: .label)
        self.init(kind: kind, id: try container.decode(String.self, forKey: .id),
                  range: try container.decode(DateRange.self, forKey: .range),
                  label: kind == .week || kind == .month || kind == .day || kind == .workday ? nil : label)
    }
}
