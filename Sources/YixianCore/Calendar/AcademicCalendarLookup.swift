import Foundation

/// An institution's academic years, for finding the term or year of a date and
/// for checking an uploaded calendar before it is used.
public struct AcademicCalendar: Hashable, Sendable, Codable {
    /// Kept in start order.
    public private(set) var years: [AcademicYear]

    public init(years: [AcademicYear]) {
        self.years = years.sorted { $0.range.start < $1.range.start }
    }

    public init(from decoder: Decoder) throws {
        struct Stored: Decodable { var years: [AcademicYear] }
        self.init(years: try Stored(from: decoder).years)
    }

    public func academicYear(id: String) -> AcademicYear? { years.first { $0.id == id } }

    public func term(id: String) -> Term? {
        for year in years { if let term = year.terms.first(where: { $0.id == id }) { return term } }
        return nil
    }

    public func academicYear(containing date: LocalDate) -> AcademicYear? {
        years.first { $0.range.contains(date) }
    }

    /// The term containing `date`; nil in the vacations between terms.
    public func term(containing date: LocalDate) -> Term? {
        academicYear(containing: date)?.terms.first { $0.range.contains(date) }
    }

    /// The term containing `date`, or else the last term that ended before it:
    /// what a report "as of" a winter-vacation day is about.
    public func term(atOrBefore date: LocalDate) -> Term? {
        years.flatMap(\.terms).filter { $0.range.start <= date }.max { $0.range.start < $1.range.start }
    }

    /// The academic year a term belongs to.
    public func academicYear(of term: Term) -> AcademicYear? {
        years.first { $0.terms.contains { $0.id == term.id } }
    }

    /// Everything wrong with the calendar; empty when it is usable. Checks what
    /// decoding cannot: ranges that run backwards, terms outside their year,
    /// overlaps, duplicate ids, special weeks and vacations outside their term.
    public func validate() -> [AcademicCalendarProblem] {
        var problems: [AcademicCalendarProblem] = []
        func add(_ code: AcademicCalendarProblem.Code, _ id: String, _ zh: String, _ en: String) {
            problems.append(AcademicCalendarProblem(code: code, subjectID: id, message: Localized(zh: zh, en: en)))
        }
        func backwards(_ range: DateRange) -> Bool { range.start > range.end }
        func span(_ range: DateRange) -> String { "\(range.start.iso)…\(range.end.iso)" }

        var seenYears = Set<String>(), seenTerms = Set<String>()
        for (index, year) in years.enumerated() {
            if !seenYears.insert(year.id).inserted {
                add(.duplicateID, year.id, "学年编号 \(year.id) 重复", "academic year id \(year.id) is used twice")
            }
            if backwards(year.range) {
                add(.rangeBackwards, year.id, "学年 \(year.id) 的结束日期早于开始日期（\(span(year.range))）",
                    "academic year \(year.id) ends before it starts (\(span(year.range)))")
                continue
            }
            for other in years[(index + 1)...] where !backwards(other.range) && year.range.overlaps(other.range) {
                add(.overlap, year.id, "学年 \(year.id) 与 \(other.id) 时间重叠", "academic years \(year.id) and \(other.id) overlap")
            }
            for (termIndex, term) in year.terms.enumerated() {
                if !seenTerms.insert(term.id).inserted {
                    add(.duplicateID, term.id, "学期编号 \(term.id) 重复", "term id \(term.id) is used twice")
                }
                if backwards(term.range) {
                    add(.rangeBackwards, term.id, "学期 \(term.id) 的结束日期早于开始日期（\(span(term.range))）",
                        "term \(term.id) ends before it starts (\(span(term.range)))")
                    continue
                }
                if !(year.range.contains(term.range.start) && year.range.contains(term.range.end)) {
                    add(.outsideParent, term.id, "学期 \(term.id)（\(span(term.range))）不在学年 \(year.id)（\(span(year.range))）之内",
                        "term \(term.id) (\(span(term.range))) is not inside academic year \(year.id) (\(span(year.range)))")
                }
                for other in year.terms[(termIndex + 1)...] where !backwards(other.range) && term.range.overlaps(other.range) {
                    add(.overlap, term.id, "学期 \(term.id) 与 \(other.id) 时间重叠", "terms \(term.id) and \(other.id) overlap")
                }
                let inner = term.specialWeeks.map { ($0.range, $0.name) } + term.vacations.map { ($0, "假期") }
                for (range, name) in inner {
                    if backwards(range) {
                        add(.rangeBackwards, term.id, "学期 \(term.id) 中的「\(name)」结束日期早于开始日期",
                            "“\(name)” in term \(term.id) ends before it starts")
                    } else if !(term.range.contains(range.start) && term.range.contains(range.end)) {
                        add(.outsideParent, term.id, "学期 \(term.id) 中的「\(name)」（\(span(range))）超出学期范围",
                            "“\(name)” (\(span(range))) lies outside term \(term.id)")
                    }
                }
            }
        }
        return problems
    }
}

/// One thing wrong with an academic calendar, with a message for the admin.
public struct AcademicCalendarProblem: Hashable, Sendable, Codable {
    public enum Code: String, Sendable, Codable, CaseIterable {
        case rangeBackwards = "range-backwards"
        case outsideParent = "outside-parent"
        case overlap
        case duplicateID = "duplicate-id"
    }

    public var code: Code
    /// The academic year or term the problem is about.
    public var subjectID: String
    public var message: Localized
}
