import Foundation

// Colleges as targets (§4.18): a cadre or a 机关部处 linked to colleges (东南大学 二1: 每个部处根据各自的
// 工作实际联系相关院（系）), counted by `pairing` rules with `target: college`; and the colleges a cadre's
// contacts reach, measured by `distinct-colleges`.

extension ContactMeasure {
    /// Measures that count whole things (events, venues, colleges): a fractional requirement means nothing.
    public var countsWholes: Bool { self == .events || self == .distinctVenues || self == .distinctColleges }
}

extension CompiledFilter {
    func measuring(_ measure: ContactMeasure) -> CompiledFilter {
        var filter = self
        filter.countsColleges = measure == .distinctColleges
        return filter
    }
}

extension Evaluation {
    /// A cadre's college pairings as unit indexes and day numbers, for `scope: linked-college`.
    func collegePairings(_ pairings: [Pairing]) -> [(unit: Int32, start: Int32, end: Int32)] {
        pairings.compactMap { pairing in
            pairing.collegeCode.flatMap { unitIndex[$0] }.map { (unit: $0, start: Int32(pairing.range.start.dayNumber), end: Int32(pairing.range.end.dayNumber)) }
        }
    }

    /// The colleges a counted line reaches: the college it names, and the colleges of its collectives.
    func addColleges(_ record: CompactContact, to tally: inout Tally) {
        func add(_ unit: Int32) {
            guard unit >= 0, unitIsCollege[Int(unit)] else { return }
            if unit < 64 { tally.collegeBits |= 1 << UInt64(unit) } else { tally.moreColleges.insert(unit) }
        }
        add(record.college)
        for position in Int(record.collectivesStart)..<Int(record.collectivesStart + record.collectivesCount) {
            add(collectiveUnits[Int(contactCollectives[position])])
        }
    }

    /// Whether a pairing counts for a `pairing` rule: with `target: college` only college pairings of the rule's
    /// kinds; otherwise collectives (of the rule's collective kinds) and key students, never a college.
    func pairingCounts(_ pairing: Pairing, _ body: PairingRule) -> Bool {
        guard body.pairingKinds.contains(pairing.kind) else { return false }
        if body.countsColleges { return pairing.collegeCode != nil }
        guard pairing.collegeCode == nil else { return false }
        return body.collectiveKinds.map { kinds in pairing.collectiveCode.flatMap { collectiveByCode[$0]?.kind }.map(kinds.contains) == true } ?? true
    }

    /// `who: { units: … }` with `pairing: { target: college }`: per unit, the distinct colleges its cadres (and staff)
    /// are linked to on the judge day — 每个部处联系相关院（系）.
    func unitCollegeLinkCells(_ rule: PolicyRule, _ body: PairingRule) -> [ComplianceCell] {
        guard let period = periods(.academicYear).first else { return [] }
        let day = LocalDate(dayNumber: judgeDay(period.range))
        let unitOf = Dictionary(input.roster.cadres.map { ($0.staffNumber, $0.unitCode) }, uniquingKeysWith: { a, _ in a })
        var collegesByUnit: [String: Set<String>] = [:]
        for pairing in yearPairings where pairingCounts(pairing, body) && pairing.range.contains(day) {
            guard let college = pairing.collegeCode, let unit = unitOf[pairing.cadreStaffNumber] else { continue }
            collegesByUnit[unit, default: []].insert(college)
        }
        let deadline = body.deadline.flatMap { spec in year.terms.first.flatMap { try? spec.resolve(term: $0, calendar: input.workdays) } }
        return unitSubjects(rule.subject).map { subject in
            let colleges = subject.kind == .school ? collegesByUnit.values.reduce(into: Set<String>()) { $0.formUnion($1) } : collegesByUnit[subject.id] ?? []
            let status = Verdicts.pairing(count: colleges.count, minimum: body.minimum, maximum: body.maximum, asOf: asOf,
                                          start: period.range.start, deadline: deadline)
            return ComplianceCell(subject: subject, ruleID: rule.id, severity: rule.severity, period: period.ref,
                                  required: Double(body.minimum), achieved: Double(colleges.count), status: status, due: deadline,
                                  elapsed: nil, counted: colleges.sorted(), excluded: [], parts: [], note: nil)
        }
    }
}
