import Foundation

/// "Every class linked by a cadre": per unit (or the school), the collectives of the wanted kinds
/// with enough cadres paired on the judge day.
extension Evaluation {
    func coverageCells(_ rule: PolicyRule, _ body: CoverageRule) -> [ComplianceCell] {
        if let contacts = body.contacts { return contactCoverageCells(rule, body, contacts) }
        guard let period = periods(.academicYear).first else { return [] }
        let day = LocalDate(dayNumber: judgeDay(period.range))
        var cadresByCollective: [String: Set<String>] = [:]
        for pairing in yearPairings where body.pairingKinds.contains(pairing.kind) && pairing.range.contains(day) {
            if let code = pairing.collectiveCode { cadresByCollective[code, default: []].insert(pairing.cadreStaffNumber) }
        }
        let deadline = body.deadline.flatMap { spec in year.terms.first.flatMap { try? spec.resolve(term: $0, calendar: input.workdays) } }
        let wanted = input.roster.collectives.filter { $0.active && body.collectiveKinds.contains($0.kind) }.sorted { $0.code < $1.code }
        let wantedByUnit = Dictionary(grouping: wanted, by: \.unitCode)
        return unitSubjects(rule.subject).compactMap { subject in
            let mine = subject.kind == .school ? wanted : wantedByUnit[subject.id] ?? []
            guard !mine.isEmpty else { return nil }
            var counted: [String] = [], excluded: [ComplianceExclusion] = []
            for collective in mine {
                if (cadresByCollective[collective.code]?.count ?? 0) >= body.atLeast { counted.append(collective.code) } else {
                    excluded.append(ComplianceExclusion(id: collective.code, reason: .uncovered))
                }
            }
            // With a share (§4.19) only that many must be covered: the gap is what is still short of it.
            let needed = body.required(of: mine.count)
            let status = Verdicts.coverage(uncovered: max(0, needed - counted.count), asOf: asOf, start: period.range.start, deadline: deadline)
            return ComplianceCell(subject: subject, ruleID: rule.id, severity: rule.severity, period: period.ref,
                                  required: Double(needed), achieved: Double(counted.count), status: status, due: deadline,
                                  elapsed: nil, counted: counted, excluded: excluded, parts: [],
                                  note: coverageNote(body, population: mine.count, needed: needed))
        }
    }
}
