import Foundation

/// "At least n (at most m) per period": the ledger lines of each judged period that pass the filter, by its
/// deadline when it has one, measured (events, person-times, hours, venues) against the requirement.
extension Evaluation {
    func countCells(_ rule: PolicyRule, _ ruleIndex: Int, _ body: CountRule, _ context: CadreContext, into cells: inout [ComplianceCell]) {
        if body.perKeyStudent { return keyStudentCells(rule, ruleIndex, body, context, into: &cells) }
        let deadlines = countDeadlines[ruleIndex]
        for (position, period) in judgedPeriods(body.per, body.pauses).enumerated() {
            let stateIndex = context.stateIndex(on: min(asOfDay, period.last))
            guard let required = context.quantities[stateIndex][ruleIndex] else { continue }
            let deadline = deadlines.isEmpty ? nil : deadlines[position].date
            let note = deadlines.isEmpty ? nil : deadlines[position].note
            var counted: [String] = [], excluded: [ComplianceExclusion] = []
            let tally = scan(context, state: stateIndex, filter: filters[ruleIndex]!, period: period,
                             deadline: deadline, maxParticipants: body.maxParticipants, counted: &counted, excluded: &excluded)
            let achieved = tally.value(body.measure)
            let end = deadline.map { min(max($0, period.range.start), period.range.end) } ?? period.range.end
            let status = Verdicts.bounded(achieved: achieved, required: required, maximum: body.atMost, onlyMaximum: body.onlyUpperBound,
                                          asOf: asOf, start: period.range.start, end: end)
            var cellNote = note
            if let most = body.atMost {
                let bound = yamlNumberText(most), done = yamlNumberText(achieved)
                let over = achieved > most + Verdicts.tolerance
                let zh = over ? "超过上限：至多 \(bound)，已有 \(done)" : "上限：至多 \(bound)"
                let en = over ? "over the upper bound: at most \(bound), \(done) so far" : "upper bound: at most \(bound)"
                cellNote = Localized(zh: [note?.zh, zh].compactMap { $0 }.joined(separator: "；"),
                                     en: [note?.en, en].compactMap { $0 }.joined(separator: "; "))
            }
            cells.append(ComplianceCell(subject: subject(context, state: stateIndex), ruleID: rule.id, severity: rule.severity,
                                        period: period.ref, required: required, achieved: achieved, status: status,
                                        due: deadline, elapsed: nil, counted: counted, excluded: excluded, parts: [], note: cellNote,
                                        maximum: body.atMost))
        }
    }
}
