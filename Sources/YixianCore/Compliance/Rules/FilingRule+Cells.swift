import Foundation

/// "A plan within two weeks of term start, a summary a week before its end": the filings a unit
/// submitted for the period, on time against the resolved deadline.
extension Evaluation {
    func filingCells(_ rule: PolicyRule, _ body: FilingRule) -> [ComplianceCell] {
        let leadership = Set(input.roster.units.filter { $0.kind == .leadership }.map(\.code))
        var byUnit: [String: [Filing]] = [:]
        for filing in input.filings where filing.kind == body.kind && filing.submittedOn <= asOf {
            byUnit[filing.unitCode, default: []].append(filing)
            // What the leadership (校领导) files, the university files: it also meets the school's cells,
            // and still the leadership unit's own, which `units: any` gives it.
            if leadership.contains(filing.unitCode) { byUnit[Filing.schoolUnitCode, default: []].append(filing) }
        }
        let judged = periods(body.per)
        var cells: [ComplianceCell] = []
        for subject in unitSubjects(rule.subject) {
            for period in judged {
                let terms = period.termIndex.map { [year.terms[$0]] } ?? year.terms
                let termIDs = Set(terms.map(\.id))
                var due = period.range.end
                var note: Localized?
                var anchorTerm = period.termIndex.map { year.terms[$0] } ?? terms.first
                if period.termIndex == nil, let number = body.term {
                    // A term the year does not have: say so, rather than reckon from another term (check refuses it
                    // when it is given the calendar).
                    anchorTerm = terms.indices.contains(number - 1) ? terms[number - 1] : nil
                    if anchorTerm == nil, body.deadline != nil {
                        note = Localized(zh: "\(year.name) 学年只有 \(terms.count) 个学期，没有第 \(number) 学期，截止日期按学年最后一天计",
                                         en: "\(year.id) has \(terms.count) terms and no term \(number): the deadline is taken as the year's last day")
                    }
                }
                if let spec = body.deadline, let anchorTerm {
                    // Monthly filings reckon “the following month” from the month reported on.
                    let reported = body.per == .month ? Period(kind: .month, id: period.ref.id, range: period.window, label: period.ref.label)
                        : Period(term: anchorTerm)
                    do { due = try spec.resolve(term: anchorTerm, calendar: input.workdays, period: reported) } catch {
                        note = error.reason
                    }
                }
                var counted: [String] = [], excluded: [ComplianceExclusion] = []
                let mine = (byUnit[subject.id] ?? []).filter {
                    body.per == .month ? $0.periodID == period.ref.id : termIDs.contains($0.termID)
                }
                    .sorted { ($0.submittedOn, $0.id) < ($1.submittedOn, $1.id) }
                for filing in mine {
                    if filing.submittedOn <= due { counted.append(filing.id) } else {
                        excluded.append(ComplianceExclusion(id: filing.id, reason: .late))
                    }
                }
                let status = Verdicts.filing(onTime: counted.count, required: body.atLeast, asOf: asOf, start: period.range.start, due: due)
                cells.append(ComplianceCell(subject: subject, ruleID: rule.id, severity: rule.severity, period: period.ref,
                                            required: Double(body.atLeast), achieved: Double(counted.count), status: status, due: due, elapsed: nil,
                                            counted: counted, excluded: excluded, parts: [], note: note))
            }
        }
        return cells
    }
}
