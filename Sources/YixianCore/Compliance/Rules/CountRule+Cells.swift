import Foundation

/// "At least n (at most m) per period": the ledger lines of each judged period that pass the filter, by its
/// deadline when it has one, measured (events, person-times, hours, venues) against the requirement.
extension Evaluation {
    func countCells(_ rule: PolicyRule, _ ruleIndex: Int, _ body: CountRule, _ context: CadreContext, into cells: inout [ComplianceCell]) {
        if body.perKeyStudent { return keyStudentCells(rule, ruleIndex, body, context, into: &cells) }
        let deadlines = countDeadlines[ruleIndex]
        // A slot rule's periods are the slot's occurrences (§4.11), an `after` rule's the cadre's events (§4.12); neither has a deadline.
        let refused = participantRefusals(body, ruleIndex, context)
        let judged = body.after.map { eventPeriods($0, context) } ?? (body.slot == nil ? judgedPeriods(body.per, body.pauses) : slotPeriods[ruleIndex])
        for (position, period) in judged.enumerated() {
            let stateIndex = context.stateIndex(on: min(asOfDay, period.last))
            guard let required = context.quantities[stateIndex][ruleIndex] else { continue }
            let deadline = deadlines.isEmpty ? nil : deadlines[position].date
            let note = deadlines.isEmpty ? nil : deadlines[position].note
            var counted: [String] = [], excluded: [ComplianceExclusion] = []
            let tally = scan(context, state: stateIndex, filter: filters[ruleIndex]!, period: period,
                             deadline: deadline, maxParticipants: body.maxParticipants, slot: body.slot,
                             periodMinutes: body.periodMinutes, refused: refused, counted: &counted, excluded: &excluded)
            let achieved = tally.value(body.measure)
            let (status, cellNote) = countVerdict(body, required: required, achieved: achieved, period: period, deadline: deadline, note: note)
            cells.append(ComplianceCell(subject: subject(context, state: stateIndex), ruleID: rule.id, severity: rule.severity,
                                        period: period.ref, required: required, achieved: achieved, status: status,
                                        due: deadline, elapsed: nil, counted: counted, excluded: excluded, parts: [], note: cellNote,
                                        maximum: body.atMost))
        }
    }

    /// The status of a count over a period, by its deadline and upper bound, and the note that says the bound.
    func countVerdict(_ body: CountRule, required: Double, achieved: Double, period: EvalPeriod, deadline: LocalDate?,
                      note: Localized?) -> (ComplianceStatus, Localized?) {
        let end = deadline.map { min(max($0, period.range.start), period.range.end) } ?? period.range.end
        let status = Verdicts.bounded(achieved: achieved, required: required, maximum: body.atMost, onlyMaximum: body.onlyUpperBound,
                                      asOf: asOf, start: period.range.start, end: end)
        guard let most = body.atMost else { return (status, note) }
        let bound = yamlNumberText(most), done = yamlNumberText(achieved)
        let over = achieved > most + Verdicts.tolerance
        let zh = over ? "超过上限：至多 \(bound)，已有 \(done)" : "上限：至多 \(bound)"
        let en = over ? "over the upper bound: at most \(bound), \(done) so far" : "upper bound: at most \(bound)"
        return (status, note.joined(Localized(zh: zh, en: en)))
    }
}

extension Optional where Wrapped == Localized {
    /// This note and another, “；” between them in Chinese and “; ” in English.
    func joined(_ other: Localized?) -> Localized? {
        guard let other else { return self }
        guard let self else { return other }
        return Localized(zh: self.zh + "；" + other.zh, en: self.en + "; " + other.en)
    }
}
