import Foundation

/// Tallies of the cells per unit, rule and period; the school's are the sums of its units' and its own.
extension Evaluation {
    func summarize(_ cells: [ComplianceCell]) -> ComplianceReport {
        // One hash per cell: tallies per (unit, rule, period); the school's tallies are sums of them.
        struct Key: Hashable { var unit: String; var rule: Int; var period: String }
        let ruleOrder = Dictionary(policy.rules.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        var byUnit: [Key: ComplianceTally] = [:]
        var schoolSubjects: [Key: ComplianceTally] = [:]
        var lastRuleID = "", lastRule = 0
        for index in cells.indices {
            let ruleID = cells[index].ruleID
            if ruleID != lastRuleID { lastRuleID = ruleID; lastRule = ruleOrder[ruleID] ?? 0 }
            if cells[index].subject.kind == .school {
                schoolSubjects[Key(unit: Filing.schoolUnitCode, rule: lastRule, period: cells[index].period.id), default: ComplianceTally()]
                    .add(cells[index].status)
            } else {
                byUnit[Key(unit: cells[index].subject.unitCode, rule: lastRule, period: cells[index].period.id), default: ComplianceTally()]
                    .add(cells[index].status)
            }
        }
        let required = policy.rules.map { $0.severity == .required }
        var tallies = schoolSubjects
        var unitTotals: [String: ComplianceTally] = [:]
        var schoolTotal = ComplianceTally()
        for (key, tally) in schoolSubjects where required[key.rule] {
            unitTotals[Filing.schoolUnitCode, default: ComplianceTally()].add(tally)
            schoolTotal.add(tally)
        }
        for (key, tally) in byUnit {
            tallies[key, default: ComplianceTally()].add(tally)
            tallies[Key(unit: Filing.schoolUnitCode, rule: key.rule, period: key.period), default: ComplianceTally()].add(tally)
            if required[key.rule] {
                unitTotals[key.unit, default: ComplianceTally()].add(tally)
                schoolTotal.add(tally)
            }
        }
        let rollups = tallies.sorted { a, b in
            let aSchool = a.key.unit == Filing.schoolUnitCode, bSchool = b.key.unit == Filing.schoolUnitCode
            if aSchool != bSchool { return !aSchool }
            if a.key.unit != b.key.unit { return a.key.unit < b.key.unit }
            return a.key.rule != b.key.rule ? a.key.rule < b.key.rule : a.key.period < b.key.period
        }.map { ComplianceRollup(unitCode: $0.key.unit, ruleID: policy.rules[$0.key.rule].id, periodID: $0.key.period, tally: $0.value) }
        return ComplianceReport(policyID: policy.id, academicYearID: year.id, asOf: asOf, cells: cells, rollups: rollups,
                                unitTotals: unitTotals, schoolTotal: schoolTotal)
    }
}
