import Foundation

/// "Every week (or month), for a share of them": each sub-period judged on its own, then the share
/// of counting sub-periods met over the outer period; paused weeks (unless the rule includes them) and weeks
/// out of role do not count.
extension Evaluation {
    func everyCells(_ rule: PolicyRule, _ ruleIndex: Int, _ body: EveryPeriodRule, _ context: CadreContext, into cells: inout [ComplianceCell]) {
        let subs = periods(body.per)
        let filter = filters[ruleIndex]!
        for (outer, members) in zip(periods(body.within), everyMembers[ruleIndex]) {
            var parts: [CompliancePart] = []
            parts.reserveCapacity(members.count)
            var counted: [String] = [], excluded: [ComplianceExclusion] = []
            // Only weeks that are over are achieved, as only they are elapsed: a running week met early
            // shows in its part, not in the term's count.
            var countingTotal = 0, metClosed = 0, closedCounting = 0, missedClosed = 0
            var lastState: Int?
            for subIndex in members {
                let sub = subs[subIndex]
                let stateIndex = context.stateIndex(on: min(asOfDay, sub.last))
                let required = context.quantities[stateIndex][ruleIndex]
                let started = sub.first <= asOfDay
                let reason: ComplianceExclusionReason? = !sub.counts(body.pauses) ? .pausedPeriod : (required == nil ? .notInRole : nil)
                if let reason {
                    if started {
                        for position in context.slice(first: sub.first, last: sub.last) {
                            excluded.append(ComplianceExclusion(id: lineIDs[position], reason: reason))
                        }
                    }
                    parts.append(CompliancePart(id: sub.ref.id, label: sub.ref.label, start: sub.range.start, end: sub.range.end,
                                                counts: false, required: 0, achieved: 0, status: .notYetDue,
                                                note: reason == .pausedPeriod ? sub.pauseNote(body.pauses) : reason.label))
                    continue
                }
                let need = required ?? 0
                lastState = stateIndex
                countingTotal += 1
                var achieved = 0.0
                if started {
                    let tally = scan(context, state: stateIndex, filter: filter, period: sub, counted: &counted, excluded: &excluded)
                    achieved = tally.value(body.measure)
                }
                let closed = sub.last < asOfDay
                let status = Verdicts.subPeriod(achieved: achieved, required: need, started: started, closed: closed)
                if closed {
                    closedCounting += 1
                    if status == .met { metClosed += 1 }
                    if status == .missed { missedClosed += 1 }
                }
                parts.append(CompliancePart(id: sub.ref.id, label: sub.ref.label, start: sub.range.start, end: sub.range.end,
                                            counts: true, required: need, achieved: achieved, status: status, note: nil))
            }
            guard let lastState else { continue }
            let (required, status) = Verdicts.every(share: body.share, total: countingTotal, met: metClosed, closed: closedCounting,
                                                    missedClosed: missedClosed, started: asOfDay >= outer.first)
            cells.append(ComplianceCell(subject: subject(context, state: lastState), ruleID: rule.id, severity: rule.severity,
                                        period: outer.ref, required: required, achieved: Double(metClosed), status: status, due: nil,
                                        elapsed: closedCounting, counted: counted, excluded: excluded, parts: parts, note: nil))
        }
    }
}
