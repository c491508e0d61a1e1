import Foundation

/// "Problems answered within n workdays": each case received in a term judged on its first
/// response and its answer, against its tier's deadlines.
extension Evaluation {
    func responseCells(_ rule: PolicyRule, _ body: ResponseRule) -> [ComplianceCell] {
        var cells: [ComplianceCell] = []
        let known = input.cases.filter { $0.receivedOn <= asOf }.sorted { ($0.receivedOn, $0.id) < ($1.receivedOn, $1.id) }
        // A case is judged the same for its unit and for the school: once. Many cases share a
        // receipt day, so the workday arithmetic is remembered for the pass.
        var dueDates = DueDates(workdays: input.workdays)
        // Each tier with its unit spelled out (§4.17): its own, or the rule's `days`.
        let judged = known.map { item in body.clockTier(item.tier).map { judgeCase(item, $0, dueDates: &dueDates) } }
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
                    // A case of a tier that needs no answer is shown, not judged.
                    guard part.part.counts else { continue }
                    if let reason = part.reason { excluded.append(ComplianceExclusion(id: item.id, reason: reason)) } else {
                        counted.append(item.id)
                    }
                }
                let statuses = Set(parts.filter(\.counts).map(\.status))
                let status: ComplianceStatus = [.missed, .atRisk, .onTrack].first(where: statuses.contains) ?? .met
                cells.append(ComplianceCell(subject: subject, ruleID: rule.id, severity: rule.severity, period: period.ref,
                                            required: Double(parts.filter(\.counts).count), achieved: Double(counted.count), status: status,
                                            due: nil, elapsed: nil, counted: counted, excluded: excluded, parts: parts, note: nil))
            }
        }
        return cells
    }

    /// Both stages of one case, as a part of its cell and the reason it does not count (if any).
    private func judgeCase(_ item: StudentCase, _ tier: ResponseRule.Tier, dueDates: inout DueDates) -> (part: CompliancePart, reason: ComplianceExclusionReason?) {
        let tierLabel = tier.label ?? tier.name
        let label = Localized(zh: "\(item.id)（\(tierLabel)）", en: "\(item.id) (\(tierLabel))")
        guard tier.needsAnswer else {
            // 表扬、建议类“无需答复”: listed with its tier, never due, never late.
            return (CompliancePart(id: item.id, label: label, start: item.receivedOn, end: item.receivedOn, counts: false, required: 0,
                                   achieved: 0, status: .notYetDue, note: Localized(zh: "无需答复", en: "no answer needed")), nil)
        }
        var due = CaseDeadlines(receivedOn: item.receivedOn, tier: tier, workdays: nil)
        if tier.unit == .hours || tier.escalation != nil || !item.pauses.isEmpty || item.extensionDays > 0 {
            // Hours from the receipt time, the 督办 stage, paused days and an approved 延期: the case page's own arithmetic.
            due = CaseDeadlines(receivedOn: item.receivedOn, tier: tier, workdays: dueDates.workdays, pauses: item.pauses,
                                extensionDays: item.extensionDays, receivedMinute: item.receivedMinute)
        } else {
            let unit = tier.unit ?? .workdays
            due.answer = dueDates.due(tier.answer, after: item.receivedOn, unit: unit)
            due.firstResponse = tier.firstResponse.map { dueDates.due($0, after: item.receivedOn, unit: unit) }
        }
        let firstDone = (item.firstRespondedOn ?? item.answeredOn).flatMap { $0 <= asOf ? $0 : nil }
        let answered = item.answeredOn.flatMap { $0 <= asOf ? $0 : nil }
        let (status, reason) = Verdicts.studentCase(firstDue: due.firstResponse, firstDone: firstDone, answerDue: due.answer,
                                                    answered: answered, asOf: asOf)
        let answerText = CaseDeadlines.text(due.answer, minute: due.answerMinute)
        var note = Localized(zh: "答复截止 " + answerText, en: "answer due " + answerText)
        if let firstDue = due.firstResponse {
            let text = CaseDeadlines.text(firstDue, minute: due.firstResponseMinute)
            note = Localized(zh: "首次响应截止 " + text + "；" + note.zh, en: "first response due " + text + "; " + note.en)
        }
        if let notice = due.escalation, let after = due.escalatedAnswer {
            note = Localized(zh: note.zh + "；逾期未答复于 \(notice.iso) 督办，督办后答复截止 \(after.iso)",
                             en: note.en + "; if unanswered, escalated on \(notice.iso), then due \(after.iso)")
        }
        let part = CompliancePart(id: item.id, label: label, start: item.receivedOn, end: due.answer,
                                  counts: true, required: 1, achieved: reason == nil ? 1 : 0, status: status, note: note)
        return (part, reason)
    }
}

/// Due days of one pass over cases, by receipt day and allowance: calendar days, or workdays of
/// the given calendar.
private struct DueDates {
    let workdays: WorkdayCalendar
    private var known: [Int: LocalDate] = [:]

    init(workdays: WorkdayCalendar) { self.workdays = workdays }

    mutating func due(_ days: Int, after received: LocalDate, unit: ResponseRule.Unit) -> LocalDate {
        guard unit == .workdays else { return received.adding(days: days) }
        let key = received.dayNumber &* 1_000 &+ days
        if let due = known[key] { return due }
        let due = workdays.addingWorkdays(days, to: received)
        known[key] = due
        return due
    }
}
