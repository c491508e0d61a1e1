import Foundation

/// Group rules (§4.15): the cadres a group's roles pick on each period's judge day, judged together — one of them
/// reaching the count (`either`), the member whose turn it is (`rota`), or their sum (`total`). One cell per group
/// and period: the school's or each unit's; a rota's cell is the on-duty member's own.
extension Evaluation {
    func groupCells(_ rule: PolicyRule, _ ruleIndex: Int, _ body: CountRule, _ group: GroupQuota) -> [ComplianceCell] {
        // Everyone the roles pick at some time this year; who is a member is decided per period. The group's selector
        // is tried first on each cadre's states: a full context (every rule's quantities) only for the few it picks.
        guard let plan = quantityPlans[ruleIndex], let filter = filters[ruleIndex] else { return [] }
        let selector = selectors[plan.subject]
        let candidates = index.cadres.filter { cadre in
            ([cadre] + (index.changesByCadre[cadre.staffNumber] ?? []).map(\.cadre)).contains {
                $0.active && selector.matches($0, unitKind: unitByCode[$0.unitCode]?.kind, roles: roleSelectors)
            }
        }.map(context(for:)).filter { $0.quantities.contains { $0[ruleIndex] != nil } }
        guard !candidates.isEmpty else { return [] }
        let required = body.atLeast.fallback ?? 0
        let deadlines = countDeadlines[ruleIndex]
        let unitOrder = Dictionary(input.roster.units.sorted(by: Unit.inUniversityOrder).enumerated().map { ($1.code, $0) },
                                   uniquingKeysWith: { first, _ in first })
        let rank = { (code: String) in unitOrder[code] ?? Int.max }
        var cells: [ComplianceCell] = []
        for (position, period) in judgedPeriods(body.per, body.pauses).enumerated() {
            let day = min(asOfDay, period.last)
            var groups: [String: [String: (context: CadreContext, state: Int)]] = [:]
            for context in candidates {
                let state = context.stateIndex(on: day)
                guard context.quantities[state][ruleIndex] != nil else { continue }
                let cadre = context.states[state].cadre
                groups[group.by == .unit ? cadre.unitCode : Filing.schoolUnitCode, default: [:]][cadre.staffNumber] = (context, state)
            }
            let deadline = deadlines.isEmpty ? nil : deadlines[position].date
            let deadlineNote = deadlines.isEmpty ? nil : deadlines[position].note
            for key in groups.keys.sorted(by: { (rank($0), $0) < (rank($1), $1) }) {
                let members = groups[key]!
                let turns = group.inTurnOrder(Array(members.keys))
                let judged = group.quota == .rota ? [turns[position % turns.count]] : turns
                var tallies: [Tally] = [], counted: [[String]] = [], excluded: [ComplianceExclusion] = []
                for staff in judged {
                    let (context, state) = members[staff]!
                    var mine: [String] = []
                    tallies.append(scan(context, state: state, filter: filter, period: period, deadline: deadline,
                                        maxParticipants: body.maxParticipants, counted: &mine, excluded: &excluded))
                    counted.append(mine)
                }
                let values = tallies.map { $0.value(body.measure) }
                let achieved: Double, countedIDs: [String]
                switch group.quota {
                case .either:
                    // The first member in turn order with the most: one of them alone must reach the count.
                    let best = values.indices.max { (values[$0], -$0) < (values[$1], -$1) }!
                    (achieved, countedIDs) = (values[best], counted[best])
                case .total:
                    (achieved, countedIDs) = (tallies.reduce(into: Tally()) { $0.merge($1) }.value(body.measure), counted.flatMap { $0 })
                case .rota:
                    (achieved, countedIDs) = (values[0], counted[0])
                }
                let names = judged.map { members[$0]!.context.states[members[$0]!.state].cadre.name }
                let memberNote: Localized
                if group.quota == .rota {
                    memberNote = Localized(zh: "轮值：\(names[0])（\(judged[0])），第 \(position + 1) 期，\(turns.count) 人轮流",
                                           en: "on duty: \(names[0]) (\(judged[0])), turn \(position + 1), \(turns.count) taking turns")
                } else {
                    let each = zip(names, values).map { "\($0) \(yamlNumberText($1))" }
                    let rule = group.quota == .either ? ("任一人达到即完成", "one of them reaching it suffices")
                        : ("合计 \(yamlNumberText(achieved))", "total \(yamlNumberText(achieved))")
                    memberNote = Localized(zh: "成员：" + each.joined(separator: "、") + "（\(rule.0)）",
                                           en: "members: " + each.joined(separator: ", ") + " (\(rule.1))")
                }
                let (status, note) = countVerdict(body, required: required, achieved: achieved, period: period, deadline: deadline,
                                                  note: deadlineNote.joined(memberNote))
                let subject: ComplianceSubject
                if group.quota == .rota {
                    subject = self.subject(members[judged[0]]!.context, state: members[judged[0]]!.state)
                } else if key == Filing.schoolUnitCode {
                    subject = ComplianceSubject(kind: .school, id: key, name: "学校", unitCode: key)
                } else {
                    subject = ComplianceSubject(kind: .unit, id: key, name: unitByCode[key]?.name ?? key, unitCode: key)
                }
                cells.append(ComplianceCell(subject: subject, ruleID: rule.id, severity: rule.severity, period: period.ref,
                                            required: required, achieved: achieved, status: status, due: deadline, elapsed: nil,
                                            counted: countedIDs, excluded: excluded, parts: [], note: note, maximum: body.atMost,
                                            members: turns))
            }
        }
        // Rule, then subject (the unit's place, then id), then period, like every other rule's cells.
        return cells.enumerated().sorted {
            (rank($0.element.subject.unitCode), $0.element.subject.id, $0.offset) < (rank($1.element.subject.unitCode), $1.element.subject.id, $1.offset)
        }.map(\.element)
    }
}

extension Tally {
    /// Another member's tally added to this one: events, person-times and hours summed, venues and colleges united.
    mutating func merge(_ other: Tally) {
        events += other.events
        personTimes += other.personTimes
        hours += other.hours
        classPeriods += other.classPeriods
        venueBits |= other.venueBits
        moreVenues.formUnion(other.moreVenues)
        collegeBits |= other.collegeBits
        moreColleges.formUnion(other.moreColleges)
    }
}
