import Foundation

/// The calendar point a filing deadline is measured from.
public enum DeadlineAnchor: Hashable, Sendable {
    /// The term's first day.
    case termStart
    /// The term's last day.
    case termEnd
    /// The first `month`/`day` on or after the term's start: `06-15` in a spring
    /// term is that June, `01-10` in an autumn term is the next January. 02-29
    /// falls back to 02-28 in common years.
    case fixedDate(month: Int, day: Int)
    /// Day `day` of the month after the reported period (a monthly summary due on
    /// the 5th); with no period, the month after the term's last month. Clamped to
    /// the month's length.
    case dayOfFollowingMonth(day: Int)
    /// The first day of the term's first special week of this kind
    /// (湖南科技大学: visits done "在教学礼拜主题活动周之前").
    case specialWeekStart(SpecialWeek.Kind)
    /// The first day of the vacation after the term (寒假、暑假离校日): the day after the term's last day.
    case vacationStart
    /// The first day of the term's first break inside it (国庆、劳动节 as the calendar's `vacations` record them).
    case breakStart
}

/// A filing deadline as policy data: an anchor, an offset in calendar days or
/// workdays, and whether the computed day itself is still allowed.
///
/// String form (used in policy YAML and as the Codable form):
/// `ANCHOR [±N(d|wd)] [inclusive|exclusive]`, anchors `term-start`, `term-end`,
/// `date:MM-DD`, `following-month:DD`, `special-week:KIND` (KIND a
/// `SpecialWeek.Kind` raw value). Examples:
/// - `term-start +14d exclusive` — within two weeks of term start (开学后两周内)
/// - `term-end -7d` — a week before term end (学期结束前一周)
/// - `special-week:teaching-worship exclusive` — before the teaching worship week
/// - `date:06-15` — by 15 June (东南大学's pairing table)
/// Offset defaults to `+0d`, boundary to `inclusive`.
public struct DeadlineSpec: Hashable, Sendable {
    public enum Unit: String, Sendable, Codable, CaseIterable {
        case calendarDays = "d"
        case workdays = "wd"
    }

    public enum Boundary: String, Sendable, Codable, CaseIterable {
        /// The computed day is the last allowed day.
        case inclusive
        /// Must be done before the computed day: the last allowed day is one unit
        /// earlier (the day before, or the workday before for workday offsets).
        case exclusive
    }

    public var anchor: DeadlineAnchor
    public var offset: Int
    public var unit: Unit
    public var boundary: Boundary

    public init(anchor: DeadlineAnchor, offset: Int = 0, unit: Unit = .calendarDays, boundary: Boundary = .inclusive) {
        self.anchor = anchor
        self.offset = offset
        self.unit = unit
        self.boundary = boundary
    }

    /// The last allowed day. `period` is the reported period, used only by
    /// `dayOfFollowingMonth`. Throws when the term has no such anchor.
    public func resolve(term: Term, calendar: WorkdayCalendar, period: Period? = nil) throws(DeadlineResolutionError) -> LocalDate {
        let anchorDate = try anchor.date(in: term, period: period)
        let steps = boundary == .exclusive ? [offset, -1] : [offset]
        return steps.reduce(anchorDate) { date, step in
            unit == .workdays ? calendar.addingWorkdays(step, to: date) : date.adding(days: step)
        }
    }
}

/// Why a deadline cannot be computed for a term.
public struct DeadlineResolutionError: Error, Hashable, Sendable {
    public var reason: Localized
}

extension DeadlineAnchor {
    /// The anchor's day for `term`.
    public func date(in term: Term, period: Period? = nil) throws(DeadlineResolutionError) -> LocalDate {
        switch self {
        case .termStart:
            return term.range.start
        case .termEnd:
            return term.range.end
        case .fixedDate(let month, let day):
            let start = term.range.start
            let thisYear = Self.clampedDate(year: start.year, month: month, day: day)
            return thisYear >= start ? thisYear : Self.clampedDate(year: start.year + 1, month: month, day: day)
        case .dayOfFollowingMonth(let day):
            let next = (period?.range.end ?? term.range.end).adding(months: 1)
            return Self.clampedDate(year: next.year, month: next.month, day: day)
        case .specialWeekStart(let kind):
            guard let week = term.specialWeeks(of: kind).first else {
                throw DeadlineResolutionError(reason: Localized(
                    zh: "学期 \(term.id) 没有安排\(kind.label.zh)，无法计算截止日期",
                    en: "term \(term.id) has no \(kind.label.en.lowercased()), so the deadline cannot be computed"))
            }
            return week.range.start
        case .vacationStart:
            return term.range.end.adding(days: 1)
        case .breakStart:
            guard let first = term.vacations.filter({ term.range.contains($0.start) }).map(\.start).min() else {
                throw DeadlineResolutionError(reason: Localized(
                    zh: "学期 \(term.id) 的校历中没有学期内的假期，无法计算截止日期",
                    en: "term \(term.id) has no break inside it in the calendar, so the deadline cannot be computed"))
            }
            return first
        }
    }

    private static func clampedDate(year: Int, month: Int, day: Int) -> LocalDate {
        LocalDate(year: year, month: month, day: min(day, LocalDate.daysIn(month: month, year: year)))!
    }
}

// MARK: - String form

/// A deadline text that does not follow `ANCHOR [±N(d|wd)] [inclusive|exclusive]`.
public struct DeadlineSpecSyntaxError: Error, Hashable, Sendable {
    public var text: String
    public var message: Localized
}

extension DeadlineAnchor: CustomStringConvertible {
    public var description: String {
        switch self {
        case .termStart: "term-start"
        case .termEnd: "term-end"
        case .fixedDate(let month, let day): String(format: "date:%02d-%02d", month, day)
        case .dayOfFollowingMonth(let day): String(format: "following-month:%02d", day)
        case .specialWeekStart(let kind): "special-week:\(kind.rawValue)"
        case .vacationStart: "vacation-start"
        case .breakStart: "break-start"
        }
    }

    init?(text: String) {
        switch text {
        case "term-start": self = .termStart
        case "term-end": self = .termEnd
        case "vacation-start": self = .vacationStart
        case "break-start": self = .breakStart
        default:
            let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return nil }
            switch parts[0] {
            case "date":
                let monthDay = parts[1].split(separator: "-").compactMap { Int($0) }
                // 2000 is a leap year, so 02-29 is accepted.
                guard monthDay.count == 2, LocalDate(year: 2000, month: monthDay[0], day: monthDay[1]) != nil else { return nil }
                self = .fixedDate(month: monthDay[0], day: monthDay[1])
            case "following-month":
                guard let day = Int(parts[1]), (1...31).contains(day) else { return nil }
                self = .dayOfFollowingMonth(day: day)
            case "special-week":
                guard let kind = SpecialWeek.Kind(rawValue: parts[1]) else { return nil }
                self = .specialWeekStart(kind)
            default:
                return nil
            }
        }
    }
}

extension DeadlineSpec: CustomStringConvertible, Codable {
    public var description: String {
        var words = [anchor.description]
        if offset != 0 || unit == .workdays { words.append("\(offset >= 0 ? "+" : "")\(offset)\(unit.rawValue)") }
        if boundary == .exclusive { words.append("exclusive") }
        return words.joined(separator: " ")
    }

    public init(parsing text: String) throws(DeadlineSpecSyntaxError) {
        func fail(_ zh: String, _ en: String) -> DeadlineSpecSyntaxError {
            DeadlineSpecSyntaxError(text: text, message: Localized(zh: zh, en: en))
        }
        var words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        guard !words.isEmpty else { throw fail("截止规则为空", "the deadline is empty") }
        let first = words.removeFirst()
        guard let anchor = DeadlineAnchor(text: first) else {
            // Say what is wrong with an anchor that is nearly right, rather than "unknown".
            if let glued = first.indices.first(where: { ("+-").contains(first[$0]) && DeadlineAnchor(text: String(first[..<$0])) != nil }) {
                let anchor = first[..<glued], offset = first[glued...]
                throw fail("起算点与偏移量之间须有空格：\(anchor) \(offset)", "put a space between the anchor and the offset: \(anchor) \(offset)")
            }
            if first.hasPrefix("date:") {
                throw fail("日期“\(first.dropFirst(5))”不存在：date: 后应为存在的月-日，如 date:03-15", "\(first.dropFirst(5)) is not a day of the year: write date:MM-DD, e.g. date:03-15")
            }
            if first.hasPrefix("following-month:") {
                throw fail("following-month: 后应为 1 到 31 的日，如 following-month:05", "following-month: takes a day from 1 to 31, e.g. following-month:05")
            }
            if first.hasPrefix("special-week:") {
                let kinds = SpecialWeek.Kind.allCases.map(\.rawValue).joined(separator: "、")
                throw fail("未知的特殊周类型“\(first.dropFirst(13))”：应为 \(kinds)", "unknown special week \(first.dropFirst(13)): use one of \(kinds)")
            }
            throw fail("无法识别的起算点：应为 term-start、term-end、vacation-start、break-start、date:MM-DD、following-month:DD 或 special-week:类型",
                       "unknown anchor: use term-start, term-end, vacation-start, break-start, date:MM-DD, following-month:DD or special-week:KIND")
        }
        var spec = DeadlineSpec(anchor: anchor)
        if let word = words.first, word.hasPrefix("+") || word.hasPrefix("-") {
            words.removeFirst()
            let unit: Unit = word.hasSuffix("wd") ? .workdays : .calendarDays
            let number = word.dropFirst().dropLast(unit.rawValue.count)
            guard word.hasSuffix(unit.rawValue), let magnitude = Int(number), !number.hasPrefix("-"), !number.hasPrefix("+") else {
                throw fail("偏移量应形如 +14d、-7d 或 +5wd（工作日）", "the offset must look like +14d, -7d or +5wd (workdays)")
            }
            spec.offset = word.hasPrefix("-") ? -magnitude : magnitude
            spec.unit = unit
        }
        if let word = words.first {
            guard let boundary = Boundary(rawValue: word) else {
                throw fail("末尾只能是 inclusive 或 exclusive：\(word)", "only `inclusive` or `exclusive` may follow: \(word)")
            }
            words.removeFirst()
            spec.boundary = boundary
        }
        guard words.isEmpty else { throw fail("多余的内容：\(words.joined(separator: " "))", "unexpected text: \(words.joined(separator: " "))") }
        self = spec
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try DeadlineSpec(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(error.message.en): \(text)")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
