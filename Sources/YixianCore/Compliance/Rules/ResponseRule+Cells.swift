import Foundation

/// "Problems answered within n workdays": each case received in a term judged on its first
/// response and its answer, against its tier's deadlines.
extension Evaluation {
    func responseCells(_ rule: PolicyRule, _ body: ResponseRule) -> [ComplianceCell] {
        var cells: [ComplianceCell] = []
        let known = input.cases.filter { $0.receivedOn <= asOf }.sorted { ($0.receivedOn, $0.id) < ($1.receivedOn, $1.id) }
        // A case is judged the same for its unit and for the school: once. Many cases share a
        // receipt day, so the workday arithmetic is remembered for the pass.
        var dueDates = DueDates(workdays: body.workdays ? input.workdays : nil)
        let judged = known.map { item in body.tier(item.tier).map { judgeCase(item, $0, dueDates: &dueDates) } }
        let received = known.map(\.receivedOn.dayNumber)
        let byUnit = Dictionary(grouping: known.indices, by: { known[$0].responsibleUnitCode })
        for subject in unitSubjects(rule.subject) {
            let mine = subject.kind == .school ? Array(known.indices) : byUnit[subject.id] ?? []
            for period in periods(.term) where period.range.start <= asOf {
                var parts: [CompliancePart] = []
                var counted: [String] = [], excluded: [ComplianceExclusion] = []
                for caseIndex in mine where period.first <= received[caseIndex] && received[caseIndex] <= period.last {
                    guard let part = judged[caseIndex] else { continue }
                    let item = known[caseIndex]
                    parts.append(part.part)
                    if let reason = part.reason { excluded.append(ComplianceExclusion(id: item.id, reason: reason)) } else {
                        counted.append(item.id)
                    }
                }
                let statuses = Set(parts.map(\.status))
                let status: ComplianceStatus = [.missed, .atRisk, .onTrack].first(where: statuses.contains) ?? .met
                cells.append(ComplianceCell(subject: subject, ruleID: rule.id, severity: rule.severity, period: period.ref,
                                            required: Double(parts.count), achieved: Double(counted.count), status: status,
                                            due: nil, elapsed: nil, counted: counted, excluded: excluded, parts: parts, note: nil))
            }
        }
        return cells
    }

    /// Both stages of one case, as a part of its cell and the reason it does not count (if any).
    private func judgeCase(_ item: StudentCase, _ tier: ResponseRule.Tier, dueDates: inout DueDates) -> (part: CompliancePart, reason: ComplianceExclusionReason?) {
        var answerDue = dueDates.due(tier.answer, after: item.receivedOn)
        var firstDue = tier.firstResponse.map { dueDates.due($0, after: item.receivedOn) }
        if !item.pauses.isEmpty || item.extensionDays > 0 {
            // Paused days do not count and an approved 延期 moves the answer; the same arithmetic as the case's own page.
            let due = CaseDeadlines(receivedOn: item.receivedOn, tier: tier, workdays: dueDates.workdays, pauses: item.pauses,
                                    extensionDays: item.extensionDays)
            (answerDue, firstDue) = (due.answer, due.firstResponse)
        }
        let firstDone = (item.firstRespondedOn ?? item.answeredOn).flatMap { $0 <= asOf ? $0 : nil }
        let answered = item.answeredOn.flatMap { $0 <= asOf ? $0 : nil }
        let (status, reason) = Verdicts.studentCase(firstDue: firstDue, firstDone: firstDone, answerDue: answerDue,
                                                    answered: answered, asOf: asOf)
        var note = Localized(zh: "答复截止 " + answerDue.iso, en: "answer due " + answerDue.iso)
        if let firstDue {
            note = Localized(zh: "首次响应截止 " + firstDue.iso + "；" + note.zh, en: "first response due " + firstDue.iso + "; " + note.en)
        }
        let tierLabel = tier.label ?? tier.name
        let part = CompliancePart(id: item.id, label: Localized(zh: "\(item.id)（\(tierLabel)）", en: "\(item.id) (\(tierLabel))"), start: item.receivedOn, end: answerDue,
                                  counts: true, required: 1, achieved: reason == nil ? 1 : 0, status: status, note: note)
        return (part, reason)
    }
}

/// Due days of one pass over cases, by receipt day and allowance: calendar days, or workdays of
/// the given calendar.
private struct DueDates {
    let workdays: WorkdayCalendar?
    private var known: [Int: LocalDate] = [:]

    init(workdays: WorkdayCalendar?) { self.workdays = workdays }

    mutating func due(_ days: Int, after received: LocalDate) -> LocalDate {
        guard let workdays else { return received.adding(days: days) }
        let key = received.dayNumber &* 1_000 &+ days
        if let due = known[key] { return due }
        let due = workdays.addingWorkdays(days, to: received)
        known[key] = due
        return due
    }
}
