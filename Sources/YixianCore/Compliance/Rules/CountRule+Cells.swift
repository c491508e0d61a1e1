import Foundation

/// "At least n per period": the ledger lines of each judged period that pass the filter, by its
/// deadline when it has one, measured (events, person-times, hours, venues) against the requirement.
extension Evaluation {
    func countCells(_ rule: PolicyRule, _ ruleIndex: Int, _ body: CountRule, _ context: CadreContext, into cells: inout [ComplianceCell]) {
        let deadlines = countDeadlines[ruleIndex]
        for (position, period) in judgedPeriods(body.per, body.pauses).enumerated() {
            let stateIndex = context.stateIndex(on: min(asOfDay, period.last))
            guard let required = context.quantities[stateIndex][ruleIndex] else { continue }
            let deadline = deadlines.isEmpty ? nil : deadlines[position].date
            let note = deadlines.isEmpty ? nil : deadlines[position].note
            var counted: [String] = [], excluded: [ComplianceExclusion] = []
            let tally = scan(context, state: stateIndex, filter: filters[ruleIndex]!, period: period,
                             deadline: deadline, counted: &counted, excluded: &excluded)
            let achieved = tally.value(body.measure)
            let end = deadline.map { min(max($0, period.range.start), period.range.end) } ?? period.range.end
            cells.append(ComplianceCell(subject: subject(context, state: stateIndex), ruleID: rule.id, severity: rule.severity,
                                        period: period.ref, required: required, achieved: achieved,
                                        status: Verdicts.pace(achieved: achieved, required: required, asOf: asOf, start: period.range.start, end: end),
                                        due: deadline, elapsed: nil, counted: counted, excluded: excluded, parts: [], note: note))
        }
    }
}
