import Foundation

/// "More than half of the working time with students": hours logged against the workdays the cadre
/// held the role, on both sides of the share.
extension Evaluation {
    func timeShareCells(_ rule: PolicyRule, _ ruleIndex: Int, _ body: TimeShareRule, _ context: CadreContext, into cells: inout [ComplianceCell]) {
        for period in judgedPeriods(body.per) {
            let stateIndex = context.stateIndex(on: judgeDay(period.range))
            guard context.quantities[stateIndex][ruleIndex] != nil else { continue }
            // Only the days the cadre held the role count, on both sides of the share: a cadre who takes the
            // role mid-term owes half-time from that day on, with the hours logged from then.
            let through = min(asOfDay, period.last)
            var held: [ClosedRange<Int32>] = []
            for (i, state) in context.states.enumerated() where context.quantities[i][ruleIndex] != nil {
                let from = max(state.from, period.first)
                let to = min(i + 1 < context.states.count ? context.states[i + 1].from - 1 : through, through)
                if from <= to { held.append(Int32(from)...Int32(to)) }
            }
            var counted: [String] = [], excluded: [ComplianceExclusion] = []
            let tally = scan(context, state: stateIndex, filter: filters[ruleIndex]!, period: period, held: held,
                             counted: &counted, excluded: &excluded)
            let status: ComplianceStatus
            var required = 0.0
            var note: Localized?
            if asOf < period.range.start {
                status = .notYetDue
            } else {
                let workdays = held.reduce(0) { sum, days in
                    sum + input.workdays.workdays(in: DateRange(start: LocalDate(dayNumber: Int(days.lowerBound)),
                                                                end: LocalDate(dayNumber: Int(days.upperBound))))
                }
                required = body.atLeast * Double(workdays) * body.hoursPerWorkday
                let hours = yamlNumberText(body.hoursPerWorkday), percent = yamlNumberText(body.atLeast * 100)
                note = Localized(zh: "\(workdays) 个工作日 × \(hours) 小时 × \(percent)%", en: "\(workdays) workdays × \(hours) h × \(percent)%")
                status = Verdicts.timeShare(hours: tally.hours, required: required, asOf: asOf, start: period.range.start, end: period.range.end)
            }
            cells.append(ComplianceCell(subject: subject(context, state: stateIndex), ruleID: rule.id, severity: rule.severity,
                                        period: period.ref, required: required, achieved: tally.hours, status: status, due: nil,
                                        elapsed: nil, counted: counted, excluded: excluded, parts: [], note: note))
        }
    }
}
