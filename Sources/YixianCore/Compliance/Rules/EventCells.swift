import Foundation

/// Deadlines relative to a recorded event (POLICY-FORMAT §4.12, “讲座后3日内报送”): each line of the trigger's kinds
/// the cadre recorded opens one period of its own, from its day through `within` days later.
extension Evaluation {
    /// One period per event of the cadre in the academic year up to the as-of day (drafts, flagged and voided
    /// lines open none), labelled with the event's kind and day; its id is the event line's id.
    func eventPeriods(_ trigger: EventTrigger, _ context: CadreContext) -> [EvalPeriod] {
        let opens = index.kindCodes.map { trigger.kinds.contains($0) }
        return context.slice(first: year.range.start.dayNumber, last: min(asOfDay, year.range.end.dayNumber)).compactMap { position -> EvalPeriod? in
            let record = lines[position]
            guard record.standing == .counts, opens[Int(record.kind)] else { return nil }
            let day = LocalDate(dayNumber: Int(record.day))
            let due = trigger.due(after: day, workdays: input.workdays)
            let kind = policy.vocabulary.kind(index.kindCodes[Int(record.kind)])?.label ?? .same(index.kindCodes[Int(record.kind)])
            let unit = trigger.unit == .workdays ? ("个工作日", "workdays") : ("日", "days")
            let label = Localized(zh: "\(kind.zh)（\(day.chinese)，\(lineIDs[position])）后\(trigger.days)\(unit.0)内",
                                  en: "within \(trigger.days) \(unit.1) of \(kind.en) (\(day.iso), \(lineIDs[position]))")
            let range = DateRange(start: day, end: due)
            return EvalPeriod(ref: CompliancePeriod(kind: .day, id: lineIDs[position], start: day, end: due, label: label),
                              range: range, window: range, termIndex: year.terms.firstIndex { $0.range.contains(day) })
        }
    }
}
