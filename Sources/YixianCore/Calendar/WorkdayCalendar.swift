import Foundation

/// The PRC working calendar: Monday–Friday are workdays except public holidays,
/// and some weekend days are make-up workdays (调休). Data lives as text
/// (`WorkdayCalendarData.swift` documents the format), so admins can correct or
/// extend it without a release. Outside the covered years it degrades to plain
/// Monday–Friday; `covers(year:)` lets callers warn about that.
public struct WorkdayCalendar: Hashable, Sendable {
    public enum EntryKind: String, Sendable, Codable, CaseIterable, Labelled {
        case holiday
        case workday

        public var label: Localized {
            switch self {
            case .holiday: Localized(zh: "放假", en: "Holiday")
            case .workday: Localized(zh: "调休上班", en: "Make-up workday")
            }
        }
    }

    /// One data line: a day or an inclusive range of days.
    public struct Entry: Hashable, Sendable, Codable {
        public var range: DateRange
        public var kind: EntryKind
        public var name: String
        /// Guessed from the usual pattern, not yet published by the State Council.
        public var projected: Bool

        public init(range: DateRange, kind: EntryKind, name: String, projected: Bool = false) {
            self.range = range
            self.kind = kind
            self.name = name
            self.projected = projected
        }
    }

    /// What one day is, with the name of its holiday or make-up reason.
    public enum Day: Hashable, Sendable {
        case workday
        case weekend
        case holiday(name: String)
        case makeUpWorkday(name: String)

        public var isWorkday: Bool {
            switch self {
            case .workday, .makeUpWorkday: true
            case .weekend, .holiday: false
            }
        }
    }

    /// Years declared complete by `year` lines, ascending.
    public let coveredYears: [Int]
    /// Source notes of the `year` lines, by year.
    public let yearSources: [Int: String]
    /// Entries in file order.
    public let entries: [Entry]

    /// Index into `entries` for each day from `firstListedDay` on (-1 for unlisted
    /// days): a dense table, since it is asked for every day of every report.
    private let firstListedDay: Int
    private let entryIndexByDay: [Int32]
    /// Days whose workday status differs from the plain weekday rule, ascending,
    /// with a running sum of +1 (weekend workday) / −1 (weekday holiday) so
    /// counting workdays in any range is two binary searches.
    private let deltaDays: [Int]
    private let deltaPrefix: [Int]

    /// The built-in schedule for 2024–2027 (2027 projected), parsed once.
    public static let prc: WorkdayCalendar = {
        do {
            return try WorkdayCalendar(parsing: builtInData)
        } catch {
            // The built-in text is covered by tests; a failure here is a programming error.
            fatalError("built-in workday data is invalid: \(error)")
        }
    }()

    /// A calendar with no exceptions at all: Monday–Friday.
    public static let weekdaysOnly = WorkdayCalendar(years: [:], entries: [])

    /// Builds from already-checked values; `init(parsing:)` is the checking path.
    init(years: [Int: String], entries: [Entry]) {
        self.coveredYears = years.keys.sorted()
        self.yearSources = years
        self.entries = entries
        let first = entries.map(\.range.start.dayNumber).min() ?? 0
        let last = entries.map(\.range.end.dayNumber).max() ?? -1
        var byDay = [Int32](repeating: -1, count: last - first + 1)
        var deltas: [(Int, Int)] = []
        for (index, entry) in entries.enumerated() {
            for dayNumber in entry.range.start.dayNumber...entry.range.end.dayNumber {
                byDay[dayNumber - first] = Int32(index)
                let weekend = LocalDate(dayNumber: dayNumber).isWeekend
                switch entry.kind {
                case .holiday where !weekend: deltas.append((dayNumber, -1))
                case .workday where weekend: deltas.append((dayNumber, 1))
                default: break
                }
            }
        }
        deltas.sort { $0.0 < $1.0 }
        self.firstListedDay = first
        self.entryIndexByDay = byDay
        self.deltaDays = deltas.map(\.0)
        var running = 0
        self.deltaPrefix = [0] + deltas.map { running += $0.1; return running }
    }

    // MARK: - Questions about one day

    public func day(_ date: LocalDate) -> Day {
        if let entry = entry(on: date) {
            return entry.kind == .holiday ? .holiday(name: entry.name) : .makeUpWorkday(name: entry.name)
        }
        return date.isWeekend ? .weekend : .workday
    }

    /// A weekday that is not a holiday, or a make-up workday.
    public func isWorkday(_ date: LocalDate) -> Bool { isWorkday(dayNumber: date.dayNumber) }

    private func entryIndex(_ dayNumber: Int) -> Int? {
        let offset = dayNumber - firstListedDay
        guard offset >= 0, offset < entryIndexByDay.count, entryIndexByDay[offset] >= 0 else { return nil }
        return Int(entryIndexByDay[offset])
    }

    func isWorkday(dayNumber: Int) -> Bool {
        if let index = entryIndex(dayNumber) { return entries[index].kind == .workday }
        let weekday = ((dayNumber + 3) % 7 + 7) % 7  // 0 = Monday, as 1970-01-01 was a Thursday
        return weekday < 5
    }

    /// The holiday's name (e.g. `国庆节`) when the day is a listed day off.
    public func holidayName(_ date: LocalDate) -> String? {
        if case .holiday(let name) = day(date) { return name }
        return nil
    }

    /// The data line that decides this day, if any.
    public func entry(on date: LocalDate) -> Entry? { entryIndex(date.dayNumber).map { entries[$0] } }

    // MARK: - Coverage

    /// Whether the data holds the complete schedule of `year`; outside it the answers are plain weekdays.
    public func covers(year: Int) -> Bool { yearSources[year] != nil }

    /// Whether every year the range touches is covered.
    public func covers(_ range: DateRange) -> Bool {
        (range.start.year...range.end.year).allSatisfy(covers(year:))
    }

    /// Whether any line of `year` is still a projection.
    public func isProjected(year: Int) -> Bool {
        entries.contains { $0.projected && ($0.range.start.year...$0.range.end.year).contains(year) }
    }

    // MARK: - Arithmetic

    /// The date `n` workdays after `date`, not counting `date` itself; for negative
    /// `n`, the date `|n|` workdays before it. `n == 0` returns `date` unchanged,
    /// even when it is not a workday.
    public func addingWorkdays(_ n: Int, to date: LocalDate) -> LocalDate {
        let step = n >= 0 ? 1 : -1
        var remaining = abs(n)
        var current = date.dayNumber
        while remaining > 0 {
            current += step
            if isWorkday(dayNumber: current) { remaining -= 1 }
        }
        return LocalDate(dayNumber: current)
    }

    /// Number of workdays in the inclusive range.
    public func workdays(in range: DateRange) -> Int {
        countWorkdays(from: range.start.dayNumber, through: range.end.dayNumber)
    }

    /// Workdays after `start` up to and including `end`; negative when `end` is
    /// before `start`. The inverse of `addingWorkdays`: when `end` is a workday,
    /// `addingWorkdays(workdaysBetween(start, end), to: start) == end`.
    public func workdaysBetween(_ start: LocalDate, _ end: LocalDate) -> Int {
        if start == end { return 0 }
        if start < end { return countWorkdays(from: start.dayNumber + 1, through: end.dayNumber) }
        return -countWorkdays(from: end.dayNumber, through: start.dayNumber - 1)
    }

    private func countWorkdays(from first: Int, through last: Int) -> Int {
        guard first <= last else { return 0 }
        let plain = Self.weekdaysBefore(last + 1) - Self.weekdaysBefore(first)
        return plain + deltaPrefix[lowerBound(last + 1)] - deltaPrefix[lowerBound(first)]
    }

    /// Monday–Friday days with a day number below `dayNumber`, counted from the
    /// Monday 1970-01-05 (day 4); differences of it count weekdays in a range.
    private static func weekdaysBefore(_ dayNumber: Int) -> Int {
        let offset = dayNumber - 4
        let weeks = offset >= 0 ? offset / 7 : -((-offset + 6) / 7)
        return weeks * 5 + min(offset - weeks * 7, 5)
    }

    private func lowerBound(_ dayNumber: Int) -> Int {
        var low = 0, high = deltaDays.count
        while low < high {
            let mid = (low + high) / 2
            if deltaDays[mid] < dayNumber { low = mid + 1 } else { high = mid }
        }
        return low
    }

    // MARK: - Overrides and text

    /// This calendar with every year `override` declares replaced by the override's
    /// lines: how an admin upload supersedes projected (or corrected) years.
    /// Built-in entries straddling a replaced year keep only their days outside it.
    public func merging(_ override: WorkdayCalendar) -> WorkdayCalendar {
        let replaced = Set(override.coveredYears)
        var kept: [Entry] = []
        for entry in entries {
            for year in entry.range.start.year...entry.range.end.year where !replaced.contains(year) {
                let yearStart = LocalDate(year: year, month: 1, day: 1)!
                let yearEnd = LocalDate(year: year, month: 12, day: 31)!
                var piece = entry
                piece.range = DateRange(start: max(entry.range.start, yearStart), end: min(entry.range.end, yearEnd))
                kept.append(piece)
            }
        }
        // The override's own days win over any leftover piece of a neighbouring year.
        kept = kept.filter { entry in
            !(entry.range.start.dayNumber...entry.range.end.dayNumber).contains { override.entryIndex($0) != nil }
        }
        return WorkdayCalendar(years: yearSources.merging(override.yearSources) { _, new in new },
                               entries: kept + override.entries)
    }

    /// The calendar in the text format, ready for an admin to edit and upload.
    public var text: String {
        var lines: [String] = []
        let byYear = Dictionary(grouping: entries) { $0.range.start.year }
        for year in Set(coveredYears).union(byYear.keys).sorted() {
            if !lines.isEmpty { lines.append("") }
            if let source = yearSources[year] {
                lines.append(source.isEmpty ? "year \(year)" : "year \(year) \(source)")
            }
            for entry in byYear[year] ?? [] {
                let dates = entry.range.dayCount == 1 ? entry.range.start.iso : "\(entry.range.start.iso)..\(entry.range.end.iso)"
                lines.append("\(dates) \(entry.kind.rawValue)\(entry.projected ? " projected" : "") \(entry.name)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

// MARK: - Parsing

/// A line of workday data that could not be read; `line` is 1-based.
public struct WorkdayCalendarIssue: Hashable, Sendable, Codable, CustomStringConvertible {
    public var line: Int
    public var text: String
    public var message: Localized

    public var description: String { "line \(line): \(message.en) — \(text)" }
}

/// Every problem found in a workday data text, in line order.
public struct WorkdayCalendarParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public var issues: [WorkdayCalendarIssue]

    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

extension WorkdayCalendar {
    /// Parses the text format; reports every bad line at once so an admin can fix a file in one pass.
    public init(parsing text: String) throws(WorkdayCalendarParseError) {
        var years: [Int: String] = [:]
        var yearLines: [Int: Int] = [:]
        var entries: [Entry] = []
        var claimedBy: [Int: Int] = [:]  // day number -> line that listed it
        var issues: [WorkdayCalendarIssue] = []

        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = offset + 1
            let line = rawLine.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\r")))
            if line.isEmpty || line.hasPrefix("#") { continue }
            func fail(_ zh: String, _ en: String) {
                issues.append(WorkdayCalendarIssue(line: lineNumber, text: line, message: Localized(zh: zh, en: en)))
            }
            let words = line.split(whereSeparator: \.isWhitespace).map(String.init)

            if words[0] == "year" {
                guard words.count >= 2, let year = Int(words[1]), (1...9999).contains(year) else {
                    fail("`year` 后应为四位年份，如 `year 2026`", "`year` must be followed by a four-digit year, e.g. `year 2026`")
                    continue
                }
                if let earlier = yearLines[year] {
                    fail("\(year) 年已在第 \(earlier) 行声明", "year \(year) is already declared on line \(earlier)")
                    continue
                }
                years[year] = words.dropFirst(2).joined(separator: " ")
                yearLines[year] = lineNumber
                continue
            }

            guard let range = Self.parseRange(words[0]) else {
                fail("日期应为 YYYY-MM-DD 或 YYYY-MM-DD..YYYY-MM-DD（且起不晚于止）：\(words[0])",
                     "dates must be YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD with start not after end: \(words[0])")
                continue
            }
            // Bounded so the per-day table stays small whatever an upload contains.
            guard Self.listableYears.contains(range.start.year), Self.listableYears.contains(range.end.year) else {
                fail("日期须在 1900 至 2199 年之间", "dates must lie between 1900 and 2199")
                continue
            }
            guard words.count >= 2, let kind = EntryKind(rawValue: words[1]) else {
                fail("日期后应为 holiday（放假）或 workday（调休上班）", "the date must be followed by `holiday` or `workday`")
                continue
            }
            let projected = words.count >= 3 && words[2] == "projected"
            let name = words.dropFirst(projected ? 3 : 2).joined(separator: " ")
            guard !name.isEmpty else {
                fail("缺少名称，如 `国庆节` 或 `国庆节调休`", "a name is missing, e.g. `国庆节` or `国庆节调休`")
                continue
            }
            if kind == .workday, let weekday = range.days.first(where: { !$0.isWeekend }) {
                fail("调休上班日必须是周六或周日：\(weekday.iso) 是工作日", "a make-up workday must be a Saturday or Sunday: \(weekday.iso) is a weekday")
                continue
            }
            if let clash = range.days.first(where: { claimedBy[$0.dayNumber] != nil }) {
                let earlier = claimedBy[clash.dayNumber]!
                fail("\(clash.iso) 已在第 \(earlier) 行列出", "\(clash.iso) is already listed on line \(earlier)")
                continue
            }
            for day in range.days { claimedBy[day.dayNumber] = lineNumber }
            entries.append(Entry(range: range, kind: kind, name: name, projected: projected))
        }
        guard issues.isEmpty else { throw WorkdayCalendarParseError(issues: issues) }
        self.init(years: years, entries: entries)
    }

    private static let listableYears = 1900...2199

    private static func parseRange(_ word: String) -> DateRange? {
        let parts = word.components(separatedBy: "..")
        guard (1...2).contains(parts.count), let start = LocalDate(parts[0]) else { return nil }
        guard parts.count == 2 else { return DateRange(start: start, end: start) }
        guard let end = LocalDate(parts[1]), start <= end else { return nil }
        return DateRange(start: start, end: end)
    }
}
