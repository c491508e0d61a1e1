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

/// “讲座后3日内报送简报” as a filing (§4.12): each event opens a window, met by filings of the rule's kind submitted in it —
/// filings naming the cadre for a rule on cadres, the unit's own for a rule on units (events of its cadres).
extension Evaluation {
    /// One cell per event: in event order, each takes the earliest filings not yet taken that were submitted in its window.
    func eventFilingCells(_ rule: PolicyRule, _ body: FilingRule, subject: ComplianceSubject, events: [EvalPeriod], filings: [Filing]) -> [ComplianceCell] {
        var unused = filings.sorted { ($0.submittedOn, $0.id) < ($1.submittedOn, $1.id) }
        return events.sorted { ($0.first, $0.ref.id) < ($1.first, $1.ref.id) }.map { period in
            var counted: [String] = []
            while counted.count < body.atLeast, let index = unused.firstIndex(where: { period.range.contains($0.submittedOn) }) {
                counted.append(unused.remove(at: index).id)
            }
            let status = Verdicts.filing(onTime: counted.count, required: body.atLeast, asOf: asOf, start: period.range.start, due: period.range.end)
            return ComplianceCell(subject: subject, ruleID: rule.id, severity: rule.severity, period: period.ref,
                                  required: Double(body.atLeast), achieved: Double(counted.count), status: status, due: period.range.end,
                                  elapsed: nil, counted: counted, excluded: [], parts: [], note: nil)
        }
    }

    /// Every cadre's events by the unit the cadre belonged to on the event's day, for a unit's filing rule with `after`.
    func eventsByUnit(_ trigger: EventTrigger) -> [String: [EvalPeriod]] {
        var byUnit: [String: [EvalPeriod]] = [:]
        for cadre in index.cadres where index.linesByCadre[cadre.staffNumber] != nil {
            let context = context(for: cadre)
            for event in eventPeriods(trigger, context) {
                byUnit[context.states[context.stateIndex(on: event.first)].cadre.unitCode, default: []].append(event)
            }
        }
        return byUnit
    }
}
