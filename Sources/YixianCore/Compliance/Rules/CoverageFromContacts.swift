import Foundation

// Coverage measured from the ledger (§4.19): “每月走访所有学生宿舍” — every dorm of the unit reached by a
// counted line in each month — and coverage as a share of a population (“抽查不少于 20%”).

extension CoverageRule {
    /// How many of `population` collectives must be covered: the share of them, rounded up (20 % of 12 is 3).
    func required(of population: Int) -> Int {
        // A tolerance so that 0.2 × 10 is 2, not 3, when the product is 2.0000000000000004.
        Int((share * Double(population) - Verdicts.tolerance).rounded(.up))
    }
}

extension Evaluation {
    /// Per unit (or the school) and period: the collectives of the wanted kinds that at least `atLeast` counted lines
    /// (by anyone in the roster) reached in the period, against the share required; the others listed as `uncovered`.
    func contactCoverageCells(_ rule: PolicyRule, _ body: CoverageRule, _ contacts: ContactCoverage) -> [ComplianceCell] {
        var kinds = Array(repeating: false, count: index.kindCodes.count)
        for code in contacts.filter.kinds { if let id = index.kindIDs[code] { kinds[Int(id)] = true } }
        let venueIDs = index.venueIDs
        let venues = contacts.filter.venues.map { Set($0.compactMap { venueIDs[$0] }) }
        // Day numbers of the lines reaching each collective (by collective index), lines that count for the filter only.
        var days = Array(repeating: [Int32](), count: index.collectiveKinds.count)
        for record in lines where record.standing == .counts && kinds.indices.contains(Int(record.kind)) && kinds[Int(record.kind)]
            && (!contacts.filter.confirmedOnly || record.confirmed) && Int(record.day) <= asOfDay
            && venues.map({ $0.contains(venue(of: record)) }) ?? true {
            for position in Int(record.collectivesStart)..<Int(record.collectivesStart + record.collectivesCount) {
                days[Int(contactCollectives[position])].append(record.day)
            }
        }
        let wanted = input.roster.collectives.filter { $0.active && body.collectiveKinds.contains($0.kind) }.sorted { $0.code < $1.code }
        let wantedByUnit = Dictionary(grouping: wanted, by: \.unitCode)
        let periods = judgedPeriods(contacts.per)
        var cells: [ComplianceCell] = []
        for subject in unitSubjects(rule.subject) {
            let mine = subject.kind == .school ? wanted : wantedByUnit[subject.id] ?? []
            guard !mine.isEmpty else { continue }
            let needed = body.required(of: mine.count)
            for period in periods {
                var counted: [String] = [], excluded: [ComplianceExclusion] = []
                for collective in mine {
                    let reached = index.collectiveIndex[collective.code].map { id in
                        days[Int(id)].count { $0 >= Int32(period.first) && $0 <= Int32(period.last) }
                    } ?? 0
                    if reached >= body.atLeast { counted.append(collective.code) } else {
                        excluded.append(ComplianceExclusion(id: collective.code, reason: .uncovered))
                    }
                }
                let status = Verdicts.bounded(achieved: Double(counted.count), required: Double(needed), maximum: nil, onlyMaximum: false,
                                              asOf: asOf, start: period.range.start, end: period.range.end)
                cells.append(ComplianceCell(subject: subject, ruleID: rule.id, severity: rule.severity, period: period.ref,
                                            required: Double(needed), achieved: Double(counted.count), status: status, due: nil,
                                            elapsed: nil, counted: counted, excluded: excluded, parts: [],
                                            note: coverageNote(body, population: mine.count, needed: needed)))
            }
        }
        return cells
    }

    /// “抽查 20%：12 个中至少 3 个” when the rule asks for a share; nil when it asks for all.
    func coverageNote(_ body: CoverageRule, population: Int, needed: Int) -> Localized? {
        guard body.share < 1 else { return nil }
        let percent = yamlNumberText(body.share * 100)
        return Localized(zh: "按比例 \(percent)%：\(population) 个中至少 \(needed) 个", en: "share \(percent)%: at least \(needed) of \(population)")
    }
}
