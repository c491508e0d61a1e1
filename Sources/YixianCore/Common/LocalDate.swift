import Foundation

/// A calendar day with no time zone: what a university calendar, a holiday list
/// and a filing deadline talk about. Arithmetic is on a day number, so it is
/// exact and fast, and never reads a clock.
public struct LocalDate: Hashable, Comparable, Sendable {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Fails for impossible dates such as 2025-02-29 or 2025-13-01.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...LocalDate.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Days since 1970-01-01 (negative before it).
    public init(dayNumber: Int) {
        // Howard Hinnant's civil_from_days.
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.month = m
        self.day = d
    }

    /// Parses `YYYY-MM-DD` strictly.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var dayNumber: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    public var weekday: Int {
        let w = (dayNumber + 3) % 7  // 1970-01-01 was a Thursday
        return (w < 0 ? w + 7 : w) + 1
    }

    public var isWeekend: Bool { weekday >= 6 }

    public func adding(days: Int) -> LocalDate { LocalDate(dayNumber: dayNumber + days) }

    /// The Monday of this date's week.
    public var startOfWeek: LocalDate { adding(days: 1 - weekday) }

    public func days(until other: LocalDate) -> Int { other.dayNumber - dayNumber }

    /// The same day in a month `months` later, clamped to that month's length.
    public func adding(months: Int) -> LocalDate {
        let total = year * 12 + (month - 1) + months
        let y = total / 12, m = total % 12 + 1
        return LocalDate(year: y, month: m, day: min(day, LocalDate.daysIn(month: m, year: y)))!
    }

    /// `YYYY-MM-DD`, zero-padded; built by hand because `String(format:)` is slow enough to show in reports.
    public var iso: String { LocalDate.padded(year, 4) + "-" + LocalDate.padded(month, 2) + "-" + LocalDate.padded(day, 2) }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
    /// `2025年9月1日`, the form used in Chinese prose.
    public var chinese: String { "\(year)年\(month)月\(day)日" }

    public static func < (a: LocalDate, b: LocalDate) -> Bool { a.dayNumber < b.dayNumber }

    public static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The local date of an instant in a fixed UTC offset (China Standard Time by default).
    public init(_ instant: Date, utcOffsetSeconds: Int = 8 * 3600) {
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down)) + utcOffsetSeconds
        self.init(dayNumber: Int((Double(seconds) / 86_400).rounded(.down)))
    }

    /// Midnight at the start of this day in a fixed UTC offset.
    public func startInstant(utcOffsetSeconds: Int = 8 * 3600) -> Date {
        Date(timeIntervalSince1970: TimeInterval(dayNumber * 86_400 - utcOffsetSeconds))
    }
}

extension LocalDate: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = LocalDate(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a valid date (YYYY-MM-DD): \(text)")
        }
        self = date
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso)
    }
}

extension LocalDate: CustomStringConvertible {
    public var description: String { iso }
}

/// An inclusive range of days.
public struct DateRange: Hashable, Sendable, Codable {
    public var start: LocalDate
    public var end: LocalDate

    public init(start: LocalDate, end: LocalDate) {
        precondition(start <= end, "range end before start")
        self.start = start
        self.end = end
    }

    public func contains(_ date: LocalDate) -> Bool { start <= date && date <= end }
    public func overlaps(_ other: DateRange) -> Bool { start <= other.end && other.start <= end }
    public var dayCount: Int { end.dayNumber - start.dayNumber + 1 }
    public var days: [LocalDate] { (start.dayNumber...end.dayNumber).map(LocalDate.init(dayNumber:)) }
}
