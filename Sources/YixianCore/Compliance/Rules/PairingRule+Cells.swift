import Foundation

/// "Linked to n collectives": the cadre's pairings on the judge day, of the wanted kinds.
extension Evaluation {
    func pairingCells(_ rule: PolicyRule, _ ruleIndex: Int, _ body: PairingRule, _ context: CadreContext, into cells: inout [ComplianceCell]) {
        guard let period = periods(.academicYear).first else { return }
        let day = judgeDay(period.range)
        let stateIndex = context.stateIndex(on: day)
        guard context.quantities[stateIndex][ruleIndex] != nil else { return }
        var counted = Set<String>()
        var excluded: [ComplianceExclusion] = []
        for pairing in context.pairings where pairing.range.contains(LocalDate(dayNumber: day)) {
            let target = pairing.targetCode
            if pairingCounts(pairing, body) {
                counted.insert(target)
            } else if (pairing.collegeCode != nil) == body.countsColleges {
                // Listed only among targets of its own sort: a college link is no collective, a collective no college.
                excluded.append(ComplianceExclusion(id: target, reason: .wrongCollectiveKind))
            }
        }
        let deadline = body.deadline.flatMap { spec in year.terms.first.flatMap { try? spec.resolve(term: $0, calendar: input.workdays) } }
        let count = counted.count
        let status = Verdicts.pairing(count: count, minimum: body.minimum, maximum: body.maximum, asOf: asOf,
                                      start: period.range.start, deadline: deadline)
        let over = asOf >= period.range.start ? body.maximum.flatMap { count > $0 ? $0 : nil } : nil
        let note = over.map { Localized(zh: "联系 \(count) 个，超过上限 \($0) 个", en: "\(count) linked, above the upper bound of \($0)") }
        cells.append(ComplianceCell(subject: subject(context, state: stateIndex), ruleID: rule.id, severity: rule.severity,
                                    period: period.ref, required: Double(body.minimum), achieved: Double(count), status: status,
                                    due: deadline, elapsed: nil, counted: counted.sorted(), excluded: excluded.sorted { $0.id < $1.id },
                                    parts: [], note: note))
    }
}
