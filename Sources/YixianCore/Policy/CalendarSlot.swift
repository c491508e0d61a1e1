import Foundation

/// A fixed calendar slot of a `count` rule (POLICY-FORMAT §4.11): “每周三下午接待日”, “单周周三”,
/// “每月第一个周五下午”. Each occurrence of the slot is a period of its own, one day long; a contact
/// counts for it only when it is made that day (and, with `minutes`, overlaps that time of day).
public struct CalendarSlot: Sendable, Hashable {
    /// Which teaching weeks of a weekly slot hold it, numbered from the term's week 1.
    public enum Weeks: String, Sendable, Hashable, CaseIterable {
        case all, odd, even
    }

    /// What becomes of an occurrence that falls on a PRC public holiday (法定节假日).
    public enum OnHoliday: String, Sendable, Hashable, CaseIterable {
        /// 顺延: held on the next workday instead (调休 make-up days are workdays).
        case postpone
        /// Not held: no occurrence that week (month).
        case skip
    }

    /// Which week of a month holds a monthly slot.
    public enum InMonth: Sendable, Hashable {
        /// The n-th such weekday of the calendar month (每月第一个周五), counted from the 1st.
        case nthWeekday(Int)
        /// The weekday of the month's n-th teaching week: the term's weeks whose slot day falls in the month.
        case nthTeachingWeek(Int)
    }

    /// 1 = Monday … 7 = Sunday.
    public var weekday: Int
    /// The time of day, minutes from local midnight (14:00–17:30 is 840..<1050); nil: the whole day.
    public var minutes: Range<Int>?
    public var weeks: Weeks
    /// nil: a weekly slot (`per: week`); set: a monthly one (`per: month`).
    public var inMonth: InMonth?
    public var onHoliday: OnHoliday

    public init(weekday: Int, minutes: Range<Int>? = nil, weeks: Weeks = .all, inMonth: InMonth? = nil, onHoliday: OnHoliday = .postpone) {
        self.weekday = weekday
        self.minutes = minutes
        self.weeks = weeks
        self.inMonth = inMonth
        self.onHoliday = onHoliday
    }

    /// One day the slot is held: `scheduled` as the pattern gives it, `day` after a holiday postponed it.
    public struct Occurrence: Sendable, Hashable {
        public var scheduled: LocalDate
        public var day: LocalDate
        /// The holiday that moved it (顺延), when it was moved.
        public var holiday: String?
    }

    /// The slot's days in a term, in order. A holiday occurrence is postponed to the next workday or skipped; a
    /// postponed one past the term's end is dropped, and two landing on the same workday are one occurrence.
    public func occurrences(in term: Term, workdays: WorkdayCalendar) -> [Occurrence] {
        let weeks = term.teachingWeeks
        let slotDay = { (week: TeachingWeek) in week.range.start.startOfWeek.adding(days: weekday - 1) }
        var scheduled: [LocalDate] = []
        switch inMonth {
        case nil:
            scheduled = weeks.filter { self.weeks == .all || ($0.number % 2 == 1) == (self.weeks == .odd) }.map(slotDay)
        case .nthWeekday(let n)?:
            for month in Period.months(intersecting: term.range) {
                let first = month.range.start
                let day = first.adding(days: (weekday - first.weekday + 7) % 7 + 7 * (n - 1))
                if day.month == first.month { scheduled.append(day) }
            }
        case .nthTeachingWeek(let n)?:
            var byMonth: [Int: [LocalDate]] = [:]
            for day in weeks.map(slotDay) where term.range.contains(day) { byMonth[day.year * 12 + day.month, default: []].append(day) }
            scheduled = byMonth.keys.sorted().compactMap { key in byMonth[key]!.count >= n ? byMonth[key]![n - 1] : nil }
        }
        var result: [Occurrence] = []
        for day in scheduled where term.range.contains(day) {
            var occurrence = Occurrence(scheduled: day, day: day, holiday: workdays.holidayName(day))
            if occurrence.holiday != nil {
                guard onHoliday == .postpone else { continue }
                var next = day.adding(days: 1)
                while !workdays.isWorkday(next) { next = next.adding(days: 1) }
                occurrence.day = next
            }
            guard term.range.contains(occurrence.day), result.last.map({ $0.day < occurrence.day }) ?? true else { continue }
            result.append(occurrence)
        }
        return result
    }

    /// `14:00-17:30` for `minutes`, empty for a whole day.
    public var timeText: String {
        guard let minutes else { return "" }
        return Self.clock(minutes.lowerBound) + "-" + Self.clock(minutes.upperBound)
    }

    static func clock(_ minute: Int) -> String { String(format: "%02d:%02d", minute / 60, minute % 60) }

    /// Parses `HH:MM-HH:MM` (24-hour, start before end) into minutes from midnight.
    public static func minutes(parsing text: String) -> Range<Int>? {
        let ends = text.split(separator: "-", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard ends.count == 2 else { return nil }
        func minute(_ clock: String) -> Int? {
            let parts = clock.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0...24).contains(h), (0..<60).contains(m),
                  h * 60 + m <= 24 * 60 else { return nil }
            return h * 60 + m
        }
        guard let from = minute(ends[0]), let to = minute(ends[1]), from < to else { return nil }
        return from..<to
    }

    static let weekdayNames = ["一", "二", "三", "四", "五", "六", "日"]
    static let weekdayNamesEN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    /// “单周周三 14:00-17:30（遇法定节假日顺延）” for explanations and labels.
    public var description: Localized {
        let day = "周" + Self.weekdayNames[weekday - 1], dayEN = Self.weekdayNamesEN[weekday - 1]
        var zh: String, en: String
        switch inMonth {
        case nil:
            zh = (weeks == .odd ? "单周" : weeks == .even ? "双周" : "每周") + day
            en = (weeks == .odd ? "odd teaching weeks, " : weeks == .even ? "even teaching weeks, " : "every ") + dayEN
        case .nthWeekday(let n)?:
            zh = "每月第\(n)个\(day)"
            en = "the \(Self.ordinal(n)) \(dayEN) of each month"
        case .nthTeachingWeek(let n)?:
            zh = "每月第\(n)个教学周的\(day)"
            en = "the \(dayEN) of each month's \(Self.ordinal(n)) teaching week"
        }
        if minutes != nil {
            zh += " " + timeText
            en += " " + timeText
        }
        zh += onHoliday == .postpone ? "（遇法定节假日顺延）" : "（遇法定节假日不举行）"
        en += onHoliday == .postpone ? " (postponed to the next workday on a public holiday)" : " (skipped on a public holiday)"
        return Localized(zh: zh, en: en)
    }

    static func ordinal(_ n: Int) -> String {
        switch n {
        case 1: "1st"
        case 2: "2nd"
        case 3: "3rd"
        default: "\(n)th"
        }
    }
}
