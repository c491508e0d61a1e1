import Foundation

/// "A plan within two weeks of term start, a summary a week before its end": the filings a unit
/// submitted for the period, on time against the resolved deadline. A filing rule on cadres (§4.16) counts
/// the filings that name each cadre instead.
extension Evaluation {
    func filingCells(_ rule: PolicyRule, _ body: FilingRule) -> [ComplianceCell] {
        let leadership = Set(input.roster.units.filter { $0.kind == .leadership }.map(\.code))
        var byUnit: [String: [Filing]] = [:]
        // A filing that names a cadre is that cadre's (§4.16), not the unit's.
        for filing in input.filings where filing.kind == body.kind && filing.submittedOn <= asOf && filing.cadreStaffNumber == nil {
            byUnit[filing.unitCode, default: []].append(filing)
            // What the leadership (校领导) files, the university files: it also meets the school's cells,
            // and still the leadership unit's own, which `units: any` gives it.
            if leadership.contains(filing.unitCode) { byUnit[Filing.schoolUnitCode, default: []].append(filing) }
        }
        let judged = filingPeriods(body)
        let dues = judged.map { filingDue(body, $0) }
        var cells: [ComplianceCell] = []
        if let trigger = body.after {
            // After each event of the unit's cadres (§4.12); the school's are its leadership's.
            let events = eventsByUnit(trigger)
            return unitSubjects(rule.subject).flatMap { subject in
                let units = subject.kind == .school ? leadership.sorted() : [subject.id]
                return eventFilingCells(rule, body, subject: subject, events: units.flatMap { events[$0] ?? [] }, filings: byUnit[subject.id] ?? [])
            }
        }
        for subject in unitSubjects(rule.subject) {
            for (period, due) in zip(judged, dues) {
                cells.append(filingCell(rule, body, subject: subject, filings: byUnit[subject.id] ?? [], period: period, due: due))
            }
        }
        return cells
    }

    /// Each cadre the rule binds on a period's judging day: the filings naming them (每位校领导每学期提交 1 份报告).
    func cadreFilingCells(_ rule: PolicyRule, _ ruleIndex: Int, _ body: FilingRule, _ context: CadreContext, into cells: inout [ComplianceCell]) {
        let staff = context.states[0].cadre.staffNumber
        let mine = input.filings.filter { $0.cadreStaffNumber == staff && $0.kind == body.kind && $0.submittedOn <= asOf }
        if let trigger = body.after {
            // One cell per event of the cadre while the rule binds them (§4.12).
            for (state, events) in Dictionary(grouping: eventPeriods(trigger, context), by: { context.stateIndex(on: $0.first) }).sorted(by: { $0.key < $1.key })
            where context.quantities[state][ruleIndex] != nil {
                cells += eventFilingCells(rule, body, subject: subject(context, state: state), events: events, filings: mine)
            }
            return
        }
        for period in filingPeriods(body) {
            let state = context.stateIndex(on: min(asOfDay, period.last))
            guard context.quantities[state][ruleIndex] != nil else { continue }
            cells.append(filingCell(rule, body, subject: subject(context, state: state), filings: mine, period: period, due: filingDue(body, period)))
        }
    }

    /// The periods a filing rule is judged over: every period of its kind, future ones not yet due; weeks the
    /// calendar pauses (vacations, exam weeks) ask for no weekly filing.
    func filingPeriods(_ body: FilingRule) -> [EvalPeriod] {
        body.per == .week ? periods(.week).filter { $0.counts(.skipBoth) } : periods(body.per)
    }

    /// The last day a filing of the period counts, and why it could not be reckoned as written (if so).
    func filingDue(_ body: FilingRule, _ period: EvalPeriod) -> (date: LocalDate, note: Localized?) {
        let terms = period.termIndex.map { [year.terms[$0]] } ?? year.terms
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
        return (due, note)
    }

    /// One subject's cell for a period: its filings of the period, on time or late.
    private func filingCell(_ rule: PolicyRule, _ body: FilingRule, subject: ComplianceSubject, filings: [Filing], period: EvalPeriod,
                            due: (date: LocalDate, note: Localized?)) -> ComplianceCell {
        let termIDs = Set((period.termIndex.map { [year.terms[$0]] } ?? year.terms).map(\.id))
        var counted: [String] = [], excluded: [ComplianceExclusion] = []
        let mine = filings.filter { filing in
            guard body.per == .month || body.per == .week else { return termIDs.contains(filing.termID) }
            // The week or month it names, else the one its day falls in (a meeting record: the day it was held).
            if let named = filing.periodID { return named == period.ref.id }
            return termIDs.contains(filing.termID) && period.range.contains(filing.submittedOn)
        }.sorted { ($0.submittedOn, $0.id) < ($1.submittedOn, $1.id) }
        for filing in mine {
            if filing.submittedOn <= due.date { counted.append(filing.id) } else {
                excluded.append(ComplianceExclusion(id: filing.id, reason: .late))
            }
        }
        let status = Verdicts.filing(onTime: counted.count, required: body.atLeast, asOf: asOf, start: period.range.start, due: due.date)
        return ComplianceCell(subject: subject, ruleID: rule.id, severity: rule.severity, period: period.ref,
                              required: Double(body.atLeast), achieved: Double(counted.count), status: status, due: due.date, elapsed: nil,
                              counted: counted, excluded: excluded, parts: [], note: due.note)
    }
}
