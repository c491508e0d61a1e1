import Foundation

/// One week of a term as "every week" rules see it.
///
/// Weeks run Monday–Sunday. Week 1 is the week containing the term's first day;
/// the first and last weeks are clipped to the term, so a term starting on a
/// Wednesday has a five-day week 1 (Wednesday–Sunday).
///
/// **Which weeks count.** A week is excluded from "every week" rules only when
/// *every* day of it (after clipping) lies inside the term's vacations or special
/// weeks marked `excludedFromWeeklyRules`, in any combination. A partial overlap
/// still counts: the rules ask for one contact per week, and a single free day is
/// enough to meet that. So the 2025 National Day break (Wed 10-01 … Wed 10-08)
/// excludes no week, while a university closing 09-27 … 10-08 loses the week of
/// 09-29.
public struct TeachingWeek: Hashable, Sendable, Codable {
    /// 1-based, counted from the week containing the term start.
    public var number: Int
    /// The week's days inside the term.
    public var range: DateRange
    public var countsForWeeklyRules: Bool
    /// Why an excluded week is excluded (the vacation or the special weeks covering it).
    public var exclusionReason: Localized?

    public init(number: Int, range: DateRange, countsForWeeklyRules: Bool, exclusionReason: Localized? = nil) {
        self.number = number
        self.range = range
        self.countsForWeeklyRules = countsForWeeklyRules
        self.exclusionReason = exclusionReason
    }

    /// Clipped by the term's start or end.
    public var isPartial: Bool { range.dayCount < 7 }

    public var label: Localized {
        Localized(zh: "第\(number)周", en: "Week \(number)")
    }

    /// The ISO week period this teaching week lies in, for reports keyed by `2025-W37`.
    public var isoWeek: Period { Period.week(containing: range.start) }
}

/// Weeks of a term split at an "as of" day: closed weeks can be judged met or
/// missed, the open week is still in progress.
public struct TermWeekProgress: Hashable, Sendable {
    /// Weeks whose last day is before the as-of day, in order.
    public var closed: [TeachingWeek]
    /// The week containing the as-of day, if it lies in the term.
    public var current: TeachingWeek?

    /// The denominator of "met weeks / elapsed weeks".
    public var closedCountingWeeks: Int { closed.count(where: \.countsForWeeklyRules) }
}

extension Term {
    /// All weeks of the term in order.
    public var teachingWeeks: [TeachingWeek] {
        let firstMonday = range.start.startOfWeek.dayNumber
        let lastMonday = range.end.startOfWeek.dayNumber
        return stride(from: firstMonday, through: lastMonday, by: 7).map(makeWeek(monday:))
    }

    /// The term week containing `date`, or nil outside the term.
    public func week(containing date: LocalDate) -> TeachingWeek? {
        guard range.contains(date) else { return nil }
        return makeWeek(monday: date.startOfWeek.dayNumber)
    }

    /// Closed weeks and the open week as of `date`. Before the term nothing has
    /// elapsed; after it every week is closed.
    public func weeksElapsed(asOf date: LocalDate) -> TermWeekProgress {
        let weeks = teachingWeeks
        return TermWeekProgress(closed: weeks.filter { $0.range.end < date },
                                current: weeks.first { $0.range.contains(date) })
    }

    /// Special weeks of one kind, in date order.
    public func specialWeeks(of kind: SpecialWeek.Kind) -> [SpecialWeek] {
        specialWeeks.filter { $0.kind == kind }.sorted { $0.range.start < $1.range.start }
    }

    private func makeWeek(monday: Int) -> TeachingWeek {
        let number = (monday - range.start.startOfWeek.dayNumber) / 7 + 1
        let clipped = DateRange(start: max(range.start, LocalDate(dayNumber: monday)),
                                end: min(range.end, LocalDate(dayNumber: monday + 6)))
        let pausingVacations = vacations.filter { $0.overlaps(clipped) }
        let pausingWeeks = specialWeeks.filter { $0.excludedFromWeeklyRules && $0.range.overlaps(clipped) }
        let fullyPaused = (clipped.start.dayNumber...clipped.end.dayNumber).allSatisfy { dayNumber in
            let day = LocalDate(dayNumber: dayNumber)
            return pausingVacations.contains { $0.contains(day) } || pausingWeeks.contains { $0.range.contains(day) }
        }
        guard fullyPaused else { return TeachingWeek(number: number, range: clipped, countsForWeeklyRules: true) }
        let reasons = (pausingVacations.isEmpty ? [] : [Localized(zh: "假期", en: "Vacation")])
            + pausingWeeks.map { Localized(zh: $0.name, en: $0.kind.label.en) }
        let distinct = reasons.reduce(into: [Localized]()) { if !$0.contains($1) { $0.append($1) } }
        return TeachingWeek(number: number, range: clipped, countsForWeeklyRules: false,
                            exclusionReason: Localized(zh: distinct.map(\.zh).joined(separator: "、"),
                                                       en: distinct.map(\.en).joined(separator: ", ")))
    }
}
