import Foundation

/// Fixed calendar slots (POLICY-FORMAT §4.11): each occurrence of a count rule's `slot` is a one-day period of its
/// own, judged like a day of `per: day`; a line counts for it only on that day and, with a time of day, overlapping it.
extension Evaluation {
    /// The slot's occurrences in the year's terms that have begun by the as-of day, as periods; those on days the
    /// calendar pauses (vacations, exam weeks) only when the rule's pauses include them.
    func slotOccurrencePeriods(_ slot: CalendarSlot, pauses: CalendarPauses) -> [EvalPeriod] {
        year.terms.enumerated().flatMap { index, term -> [EvalPeriod] in
            let termPauses = TermPauses(term)
            return slot.occurrences(in: term, workdays: input.workdays).compactMap { occurrence -> EvalPeriod? in
                let day = DateRange(start: occurrence.day, end: occurrence.day)
                let (mask, notes) = termPauses.judge(day)
                guard occurrence.day <= asOf, mask & (1 << UInt8(pauses.index)) != 0 else { return nil }
                let when = slot.minutes == nil ? "" : " " + slot.timeText
                let weekday = CalendarSlot.weekdayNames[occurrence.day.weekday - 1], weekdayEN = CalendarSlot.weekdayNamesEN[occurrence.day.weekday - 1]
                let label = occurrence.holiday.map { holiday in
                    Localized(zh: "\(occurrence.day.chinese)（周\(weekday)\(when)，原定\(occurrence.scheduled.month)月\(occurrence.scheduled.day)日\(holiday)顺延）",
                              en: "\(occurrence.day.iso) (\(weekdayEN)\(when), moved from \(occurrence.scheduled.iso), \(holiday))")
                } ?? Localized(zh: "\(occurrence.day.chinese)（周\(weekday)\(when)）", en: "\(occurrence.day.iso) (\(weekdayEN)\(when))")
                let window = DateRange(start: occurrence.day.startOfWeek, end: occurrence.day.startOfWeek.adding(days: 6))
                return EvalPeriod(ref: CompliancePeriod(kind: .day, id: occurrence.day.iso, start: occurrence.day, end: occurrence.day, label: label),
                                  range: day, window: window, termIndex: index, countsMask: mask, pauseNotes: notes)
            }
        }
    }

    /// Whether a line on the slot's day meets its time of day: the line's span overlaps it (a line of no length
    /// must start inside it). Lines on other days of the window never do.
    static func inSlot(_ record: CompactContact, _ slot: CalendarSlot) -> Bool {
        guard let minutes = slot.minutes else { return true }
        let start = Int(record.startMinute), end = max(Int(record.endMinute), start + 1)
        return start < minutes.upperBound && end > minutes.lowerBound
    }
}
