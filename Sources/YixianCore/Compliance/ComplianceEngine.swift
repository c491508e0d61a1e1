import Foundation

/// A cadre's post, rank or unit changing on a day: the cadre's value from that day on.
public struct CadreChange: Hashable, Sendable, Codable {
    public var staffNumber: String
    public var effectiveOn: LocalDate
    public var cadre: Cadre

    public init(staffNumber: String, effectiveOn: LocalDate, cadre: Cadre) {
        self.staffNumber = staffNumber
        self.effectiveOn = effectiveOn
        self.cadre = cadre
    }
}

/// Units, cadres and collectives as the engine needs them. `cadres` hold each cadre's
/// value before any of `cadreChanges`.
public struct ComplianceRoster: Sendable {
    public var units: [Unit]
    public var cadres: [Cadre]
    public var collectives: [Collective]
    public var cadreChanges: [CadreChange]

    public init(units: [Unit], cadres: [Cadre], collectives: [Collective], cadreChanges: [CadreChange] = []) {
        self.units = units
        self.cadres = cadres
        self.collectives = collectives
        self.cadreChanges = cadreChanges
    }
}

/// Everything the engine judges. Nothing here reads a clock: the as-of day is passed to `evaluate`.
public struct ComplianceInput: Sendable {
    public var policy: Policy
    public var calendar: AcademicCalendar
    public var roster: ComplianceRoster
    public var pairings: [Pairing]
    public var contacts: [ContactRecord]
    public var cases: [StudentCase]
    public var filings: [Filing]
    public var workdays: WorkdayCalendar

    public init(policy: Policy, calendar: AcademicCalendar, roster: ComplianceRoster, pairings: [Pairing] = [],
                contacts: [ContactRecord] = [], cases: [StudentCase] = [], filings: [Filing] = [],
                workdays: WorkdayCalendar = .prc) {
        self.policy = policy
        self.calendar = calendar
        self.roster = roster
        self.pairings = pairings
        self.contacts = contacts
        self.cases = cases
        self.filings = filings
        self.workdays = workdays
    }
}

/// Evaluates a policy over the facts of one academic year as of a day.
///
/// Status rules (docs/POLICY-FORMAT.md, “How verdicts are reached”):
/// not yet due before the period starts; met once the requirement is reached; missed when the
/// period (or deadline) is over without it; in between on track if the achieved amount is at
/// least the whole units due pro rata so far, else at risk. Only ledger lines dated up to the
/// as-of day exist for the engine, so a later as-of day can only add facts.
public enum ComplianceEngine {
    /// How much of the “why not” a report carries.
    public enum Detail: Sendable {
        /// Every line of the subject in the period that did not count, with its reason (drill-down, CLI).
        case full
        /// Leaves out lines of other kinds (`wrong-kind`), the bulk of the list: for whole-school tables.
        case nearMisses
    }

    public static func evaluate(_ input: ComplianceInput, asOf: LocalDate, academicYearID: String? = nil,
                                detail: Detail = .full) -> ComplianceReport {
        evaluate(ComplianceIndex(input), asOf: asOf, academicYearID: academicYearID, detail: detail)
    }

    /// Evaluates over facts indexed beforehand; `policy` replaces the input's policy when given.
    public static func evaluate(_ index: ComplianceIndex, asOf: LocalDate, policy: Policy? = nil, academicYearID: String? = nil,
                                detail: Detail = .full) -> ComplianceReport {
        var input = index.input
        if let policy { input.policy = policy }
        let year = academicYearID.flatMap(input.calendar.academicYear(id:))
            ?? input.calendar.academicYear(containing: asOf)
            ?? input.calendar.years.last { $0.range.start <= asOf }
            ?? input.calendar.years.first
        guard let year else {
            return ComplianceReport(policyID: input.policy.id, academicYearID: "", asOf: asOf, cells: [], rollups: [],
                                    unitTotals: [:], schoolTotal: ComplianceTally())
        }
        let evaluation = Evaluation(index: index, policy: input.policy, year: year, asOf: asOf, listOtherKinds: detail == .full)
        return evaluation.run()
    }
}

// MARK: - Evaluation

/// One period as the engine walks it: the judged range (clipped to the term) and the whole
/// calendar window around it, so lines in the window but outside the range can be explained.
struct EvalPeriod {
    var ref: CompliancePeriod
    var range: DateRange
    var window: DateRange
    /// Index into the academic year's terms; nil for the year itself.
    var termIndex: Int?
    var counts: Bool
    var pauseNote: String?
    /// Day numbers of `range` and `window`, kept because inner loops compare them often.
    var first: Int
    var last: Int
    var windowFirst: Int
    var windowLast: Int

    init(ref: CompliancePeriod, range: DateRange, window: DateRange, termIndex: Int?, counts: Bool, pauseNote: String? = nil) {
        self.ref = ref
        self.range = range
        self.window = window
        self.termIndex = termIndex
        self.counts = counts
        self.pauseNote = pauseNote
        self.first = range.start.dayNumber
        self.last = range.end.dayNumber
        self.windowFirst = window.start.dayNumber
        self.windowLast = window.end.dayNumber
    }
}

private struct CadreContext {
    /// Value of the cadre from a day number on; the first starts at `Int.min`.
    var states: [(from: Int, cadre: Cadre)]
    /// Per state, per rule: the required quantity when the rule binds the cadre in that state.
    var quantities: [[Double?]]
    /// Per state: the index of the cadre's unit, or -1.
    var units: [Int32]
    /// The cadre's positions in the index's lines (sorted by start), and the index's line days.
    var lines: Range<Int>
    var days: [Int32]
    /// The as-of day: lines after it do not exist yet for this evaluation.
    var lastDay: Int
    var pairings: [Pairing]
    var compactPairings: [CompactPairing]

    func stateIndex(on day: Int) -> Int {
        var index = 0
        for (i, state) in states.enumerated() where state.from <= day { index = i }
        return index
    }

    /// Positions of lines whose start day is within `first...last` and not after the as-of day.
    func slice(first: Int, last: Int) -> Range<Int> {
        let end = lowerBound(min(last, lastDay) + 1)
        return min(lowerBound(first), end)..<end
    }

    private func lowerBound(_ value: Int) -> Int {
        var low = lines.lowerBound, high = lines.upperBound
        while low < high {
            let mid = (low + high) / 2
            if Int(days[mid]) < value { low = mid + 1 } else { high = mid }
        }
        return low
    }
}

/// A ledger line reduced to numbers, so the inner loop hashes no strings and retains nothing.
struct CompactContact {
    enum Standing: UInt8 { case counts, draft, flagged }
    var day: Int32
    var kind: Int32
    /// The venue the line names (an index venue id), or -1: then its kind's default venue applies.
    var venue: Int32
    var standing: Standing
    var confirmed: Bool
    /// -1 when the line names no college.
    var college: Int32
    var participants: Double
    var hours: Double
    /// Slice of `Evaluation.contactCollectives`.
    var collectivesStart: Int32
    var collectivesCount: Int32
}

struct QuantityPlan {
    /// Index of the rule's subject selector.
    var subject: Int
    /// Role-dependent values in policy order: the first whose selector matches applies.
    var options: [(slot: Int, value: Double)]
    var fallback: Double?
}

struct CompactPairing {
    var collective: Int32
    var kind: Pairing.Kind
    var start: Int32
    var end: Int32
}

/// A rule's `ContactFilter` over the ids of one evaluation.
struct CompiledFilter {
    var kinds: [Bool]
    var venues: [Bool]?
    var scope: ContactScope
    var collectiveKinds: Set<CollectiveKind>?
    var pairingKinds: Set<Pairing.Kind>
    var confirmedOnly: Bool
}

private struct Tally {
    var events = 0.0
    var personTimes = 0.0
    var hours = 0.0
    var venueBits: UInt64 = 0
    var moreVenues = Set<Int32>()

    mutating func add(_ record: CompactContact, venue: Int32) {
        events += 1
        personTimes += record.participants
        hours += record.hours
        if venue >= 64 { moreVenues.insert(venue) } else if venue >= 0 { venueBits |= 1 << UInt64(venue) }
    }

    var venues: Int { venueBits.nonzeroBitCount + moreVenues.count }

    func value(_ measure: ContactMeasure) -> Double {
        switch measure {
        case .events: events
        case .personTimes: personTimes
        case .hours: hours
        case .distinctVenues: Double(venues)
        }
    }
}

/// Per-chunk results of the parallel cadre pass.
private final class ChunkResults: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [[[ComplianceCell]]]

    init(count: Int) { storage = Array(repeating: [], count: count) }

    func set(_ chunk: Int, _ cells: [[ComplianceCell]]) {
        lock.lock()
        storage[chunk] = cells
        lock.unlock()
    }

    var all: [[[ComplianceCell]]] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}

/// Unchecked: every stored property is set in `init` and only read afterwards, so the cadre halves
/// can share it across threads.
private final class Evaluation: @unchecked Sendable {
    let index: ComplianceIndex
    let input: ComplianceInput
    let policy: Policy
    let year: AcademicYear
    let asOf: LocalDate
    let asOfDay: Int
    let roleSelectors: [String: RoleSelector]
    let yearPairings: [Pairing]
    var periodCache: [PeriodKind: [EvalPeriod]] = [:]
    var judgedCache: [PeriodKind: [EvalPeriod]] = [:]
    /// By rule index, for “every” rules: per outer period, the indices of its sub-periods.
    var everyMembers: [[[Int]]] = []
    /// By ledger kind id: the venue a line of that kind has when it names none (-1: none).
    let defaultVenue: [Int32]
    /// By rule index, for rules that count ledger lines.
    var filters: [CompiledFilter?] = []
    let listOtherKinds: Bool
    /// Distinct cadre selectors of the rules: subjects, and the roles of role-dependent quantities.
    let selectors: [RoleSelector]
    /// By rule: how to read a cadre's requirement from which of `selectors` it matches; nil for unit rules.
    let quantityPlans: [QuantityPlan?]
    /// By rule and judged period (`judgedPeriods(per)` order): the deadline of count rules, or why it cannot be resolved.
    var countDeadlines: [[(date: LocalDate?, note: String?)]] = []

    var lines: [CompactContact] { index.lines }
    var lineIDs: [String] { index.lineIDs }
    var contactCollectives: [Int32] { index.contactCollectives }
    var collectiveKinds: [CollectiveKind] { index.collectiveKinds }
    var collectiveUnits: [Int32] { index.collectiveUnits }
    var unitIndex: [String: Int32] { index.unitIndex }
    var unitIsCollege: [Bool] { index.unitIsCollege }
    var unitByCode: [String: Unit] { index.unitByCode }
    var collectiveByCode: [String: Collective] { index.collectiveByCode }

    init(index: ComplianceIndex, policy: Policy, year: AcademicYear, asOf: LocalDate, listOtherKinds: Bool) {
        self.index = index
        self.listOtherKinds = listOtherKinds
        self.input = index.input
        self.policy = policy
        self.year = year
        self.asOf = asOf
        self.asOfDay = asOf.dayNumber
        self.roleSelectors = policy.roleSelectors
        var slots: [RoleSelector: Int] = [:], selectors: [RoleSelector] = []
        func slot(_ selector: RoleSelector) -> Int {
            if let known = slots[selector] { return known }
            selectors.append(selector)
            slots[selector] = selectors.count - 1
            return selectors.count - 1
        }
        self.quantityPlans = policy.rules.map { rule -> QuantityPlan? in
            guard case .cadres(let selector) = rule.subject else { return nil }
            let amount: RuleQuantity
            switch rule.body {
            case .count(let body): amount = body.atLeast
            case .every(let body): amount = body.atLeast
            case .pairing(let body): amount = RuleQuantity(Double(body.minimum))
            case .timeShare(let body): amount = RuleQuantity(body.atLeast)
            default: return nil
            }
            // A role-dependent quantity names a role: `.role(name)` matches exactly as that role does.
            return QuantityPlan(subject: slot(selector), options: amount.byRole.map { (slot(.role($0.role)), $0.value) },
                                fallback: amount.fallback)
        }
        self.selectors = selectors
        self.yearPairings = index.input.pairings.filter { $0.academicYearID == year.id }
        // Venue ids: the ledger's, then the policy's own (which no line names explicitly).
        var venueIDs = index.venueIDs
        for venue in policy.vocabulary.venues where venueIDs[venue.code] == nil { venueIDs[venue.code] = Int32(venueIDs.count) }
        self.defaultVenue = index.kindCodes.map { code in
            policy.vocabulary.kind(code)?.defaultVenue.flatMap { venueIDs[$0] } ?? -1
        }
        func compile(_ filter: ContactFilter) -> CompiledFilter {
            var kindMask = Array(repeating: false, count: index.kindCodes.count)
            for code in filter.kinds { if let id = index.kindIDs[code] { kindMask[Int(id)] = true } }
            let venueMask = filter.venues.map { venues -> [Bool] in
                var mask = Array(repeating: false, count: venueIDs.count)
                for code in venues { if let id = venueIDs[code] { mask[Int(id)] = true } }
                return mask
            }
            return CompiledFilter(kinds: kindMask, venues: venueMask, scope: filter.scope, collectiveKinds: filter.collectiveKinds,
                                  pairingKinds: filter.pairingKinds ?? [.linked, .honoraryClassHead], confirmedOnly: filter.confirmedOnly)
        }
        self.filters = policy.rules.map { rule in
            switch rule.body {
            case .count(let body): compile(body.filter)
            case .every(let body): compile(body.filter)
            case .timeShare(let body): compile(body.filter)
            default: nil
            }
        }
        for kind in PeriodKind.allCases { periodCache[kind] = makePeriods(kind) }
        for kind in PeriodKind.allCases {
            judgedCache[kind] = periods(kind).filter { $0.counts && ($0.range.start <= asOf || kind == .term || kind == .academicYear) }
        }
        countDeadlines = policy.rules.map { rule in
            guard case .count(let body) = rule.body, let spec = body.deadline else { return [] }
            return judgedPeriods(body.per).map { period -> (date: LocalDate?, note: String?) in
                guard let term = period.termIndex.map({ year.terms[$0] }) else { return (nil, nil) }
                do throws(DeadlineResolutionError) {
                    return (try spec.resolve(term: term, calendar: input.workdays), nil)
                } catch { return (nil, error.reason.zh) }
            }
        }
        everyMembers = policy.rules.map { rule in
            guard case .every(let body) = rule.body else { return [] }
            let subs = periods(body.per)
            return periods(body.within).map { outer in subs.indices.filter { subs[$0].first >= outer.first && subs[$0].first <= outer.last } }
        }
    }

    func venue(of record: CompactContact) -> Int32 { record.venue >= 0 ? record.venue : defaultVenue[Int(record.kind)] }

    func run() -> ComplianceReport {
        let rules = policy.rules
        let cadres = index.cadres
        // Cadres are independent: two halves on two cores, each half's cells kept per rule so the
        // report keeps its order (rule, then subject, then period).
        let chunkCount = cadres.count >= 64 ? 2 : 1
        let chunkSize = (cadres.count + chunkCount - 1) / max(1, chunkCount)
        // One more work item judges the units and the school meanwhile.
        let results = ChunkResults(count: chunkCount + 1)
        DispatchQueue.concurrentPerform(iterations: chunkCount + 1) { chunk in
            var local = Array(repeating: [ComplianceCell](), count: rules.count)
            if chunk == chunkCount {
                for (ruleIndex, rule) in rules.enumerated() {
                    switch rule.body {
                    case .coverage(let body): local[ruleIndex] = coverageCells(rule, body)
                    case .filing(let body): local[ruleIndex] = filingCells(rule, body)
                    case .response(let body): local[ruleIndex] = responseCells(rule, body)
                    default: break
                    }
                }
            } else {
                for cadre in cadres[min(cadres.count, chunk * chunkSize)..<min(cadres.count, (chunk + 1) * chunkSize)] {
                    let context = context(for: cadre)
                    // Most rules bind few cadres: skip the others before touching the rule at all.
                    for ruleIndex in rules.indices where context.quantities.contains(where: { $0[ruleIndex] != nil }) {
                        let rule = rules[ruleIndex]
                        switch rule.body {
                        case .count(let body): countCells(rule, ruleIndex, body, context, into: &local[ruleIndex])
                        case .every(let body): everyCells(rule, ruleIndex, body, context, into: &local[ruleIndex])
                        case .pairing(let body): pairingCells(rule, ruleIndex, body, context, into: &local[ruleIndex])
                        case .timeShare(let body): timeShareCells(rule, ruleIndex, body, context, into: &local[ruleIndex])
                        case .coverage, .filing, .response: break
                        }
                    }
                }
            }
            results.set(chunk, local)
        }
        let chunks = results.all
        var cells: [ComplianceCell] = []
        cells.reserveCapacity(chunks.reduce(0) { $0 + $1.reduce(0) { $0 + $1.count } })
        for ruleIndex in rules.indices {
            for chunk in chunks { cells.append(contentsOf: chunk[ruleIndex]) }
        }
        return summarize(cells)
    }

    // MARK: Periods

    func periods(_ kind: PeriodKind) -> [EvalPeriod] { periodCache[kind] ?? [] }

    private func makePeriods(_ kind: PeriodKind) -> [EvalPeriod] {
        switch kind {
        case .academicYear:
            return [EvalPeriod(ref: CompliancePeriod(kind: kind, id: year.id, start: year.range.start, end: year.range.end, label: year.name),
                               range: year.range, window: year.range, termIndex: nil, counts: true)]
        case .term:
            return year.terms.enumerated().map { index, term in
                EvalPeriod(ref: CompliancePeriod(kind: kind, id: term.id, start: term.range.start, end: term.range.end, label: term.name),
                           range: term.range, window: term.range, termIndex: index, counts: true)
            }
        case .week:
            return year.terms.enumerated().flatMap { index, term in
                term.teachingWeeks.map { week in
                    let iso = Period.week(containing: week.range.start)
                    return EvalPeriod(ref: CompliancePeriod(kind: kind, id: iso.id, start: week.range.start, end: week.range.end,
                                                            label: "\(term.name)\(week.label.zh)"),
                                      range: week.range, window: iso.range, termIndex: index, counts: week.countsForWeeklyRules,
                                      pauseNote: week.exclusionReason?.zh)
                }
            }
        case .month:
            return year.terms.enumerated().flatMap { index, term in
                let paused = pausedDays(term)
                return Period.months(intersecting: term.range).compactMap { month -> EvalPeriod? in
                    guard let range = month.range(clippedTo: term.range) else { return nil }
                    let allPaused = (range.start.dayNumber...range.end.dayNumber).allSatisfy(paused.contains)
                    return EvalPeriod(ref: CompliancePeriod(kind: kind, id: month.id, start: range.start, end: range.end, label: month.label.zh),
                                      range: range, window: month.range, termIndex: index, counts: !allPaused,
                                      pauseNote: allPaused ? "假期" : nil)
                }
            }
        }
    }

    private func pausedDays(_ term: Term) -> Set<Int> {
        var days = Set<Int>()
        for range in term.vacations + term.specialWeeks.filter(\.excludedFromWeeklyRules).map(\.range) {
            for day in range.start.dayNumber...range.end.dayNumber { days.insert(day) }
        }
        return days
    }

    /// Periods a rule is judged over: past and current ones, plus future terms and years (shown as not yet due).
    private func judgedPeriods(_ kind: PeriodKind) -> [EvalPeriod] { judgedCache[kind] ?? [] }

    /// The day whose roster decides who a period binds: its last day, or the as-of day while it runs.
    private func judgeDay(_ range: DateRange) -> Int { min(asOfDay, range.end.dayNumber) }

    // MARK: Cadres

    private func context(for cadre: Cadre) -> CadreContext {
        let later = index.changesByCadre[cadre.staffNumber] ?? []
        let states = [(from: Int.min, cadre: cadre)] + later.map { (from: $0.effectiveOn.dayNumber, cadre: $0.cadre) }
        let quantities = states.map { self.quantities(for: $0.cadre) }
        let units = states.map { unitIndex[$0.cadre.unitCode] ?? -1 }
        let pairings = (index.pairingsByCadre[cadre.staffNumber] ?? []).filter { $0.academicYearID == year.id }
        let compactPairings = pairings.compactMap { pairing in
            pairing.collectiveCode.flatMap { index.collectiveIndex[$0] }.map {
                CompactPairing(collective: $0, kind: pairing.kind, start: Int32(pairing.range.start.dayNumber), end: Int32(pairing.range.end.dayNumber))
            }
        }
        return CadreContext(states: states, quantities: quantities, units: units, lines: index.linesByCadre[cadre.staffNumber] ?? 0..<0,
                            days: index.lineDays, lastDay: asOfDay, pairings: pairings, compactPairings: compactPairings)
    }

    /// Per rule: the requirement of every cadre state, or nil when the rule does not bind the cadre in it.
    private func quantities(for cadre: Cadre) -> [Double?] {
        guard cadre.active else { return Array(repeating: nil, count: quantityPlans.count) }
        let unitKind = unitByCode[cadre.unitCode]?.kind
        // Each distinct selector once: rules share roles, and matching walks sets of strings.
        let matched = selectors.map { $0.matches(cadre, unitKind: unitKind, roles: roleSelectors) }
        return quantityPlans.map { plan in
            guard let plan, matched[plan.subject] else { return nil }
            return plan.options.first { matched[$0.slot] }?.value ?? plan.fallback
        }
    }

    private func subject(_ context: CadreContext, state: Int) -> ComplianceSubject {
        let cadre = context.states[state].cadre
        return ComplianceSubject(kind: .cadre, id: cadre.staffNumber, name: cadre.name, unitCode: cadre.unitCode)
    }

    /// Why a line does not count for a filter, or nil when it counts.
    private func exclusion(_ record: CompactContact, _ filter: CompiledFilter, _ context: CadreContext, cadreUnit: Int32) -> ComplianceExclusionReason? {
        switch record.standing {
        case .draft: return .draft
        case .flagged: return .flagged
        case .counts: break
        }
        guard filter.kinds.indices.contains(Int(record.kind)), filter.kinds[Int(record.kind)] else { return .wrongKind }
        if let venues = filter.venues {
            let venue = venue(of: record)
            guard venue >= 0, venues.indices.contains(Int(venue)), venues[Int(venue)] else { return .wrongVenue }
        }
        if filter.confirmedOnly && !record.confirmed { return .unconfirmed }
        let collectives = contactCollectives[Int(record.collectivesStart)..<Int(record.collectivesStart + record.collectivesCount)]
        switch filter.scope {
        case .any:
            break
        case .ownCollectives:
            var own = false, ownOfKind = false
            for pairing in context.compactPairings
            where filter.pairingKinds.contains(pairing.kind) && pairing.start <= record.day && record.day <= pairing.end
                && collectives.contains(pairing.collective) {
                own = true
                if filter.collectiveKinds?.contains(collectiveKinds[Int(pairing.collective)]) ?? true { ownOfKind = true }
            }
            if !own { return .notOwnCollective }
            return ownOfKind ? nil : .wrongCollectiveKind
        case .linkedCollege:
            let linked = { (unit: Int32) -> Bool in
                unit >= 0 && ((unit == cadreUnit && self.unitIsCollege[Int(unit)]) || context.compactPairings.contains {
                    $0.start <= record.day && record.day <= $0.end && self.collectiveUnits[Int($0.collective)] == unit
                })
            }
            guard linked(record.college) || collectives.contains(where: { linked(collectiveUnits[Int($0)]) }) else { return .notLinkedCollege }
        }
        if let wanted = filter.collectiveKinds {
            guard collectives.contains(where: { wanted.contains(collectiveKinds[Int($0)]) }) else { return .wrongCollectiveKind }
        }
        return nil
    }

    /// Scans the lines of a window: what counts in `range` (and by `deadline`), and why the rest does not.
    /// `held`: when given, the only days (numbers) of the period on which lines count; the others are `notInRole`.
    private func scan(_ context: CadreContext, state: Int, filter: CompiledFilter, period: EvalPeriod, deadline: LocalDate? = nil,
                      held: [ClosedRange<Int32>]? = nil, counted: inout [String], excluded: inout [ComplianceExclusion]) -> Tally {
        var tally = Tally()
        let first = Int32(period.first), last = Int32(period.last)
        let lastCounting = deadline.map { min(last, Int32($0.dayNumber)) } ?? last
        let cadreUnit = context.units[state]
        let lines = self.lines, lineIDs = self.lineIDs
        let positions = context.slice(first: period.windowFirst, last: period.windowLast)
        // Room for every line at once rather than a doubling series (most lines of a window do not count).
        if excluded.capacity < excluded.count + positions.count {
            excluded.reserveCapacity(max(excluded.count + positions.count, 2 * excluded.capacity))
        }
        for position in positions {
            let record = lines[position]
            if record.day < first || record.day > last {
                excluded.append(ComplianceExclusion(id: lineIDs[position], reason: .outsidePeriod))
            } else if let held, !held.contains(where: { $0.contains(record.day) }) {
                excluded.append(ComplianceExclusion(id: lineIDs[position], reason: .notInRole))
            } else if let reason = exclusion(record, filter, context, cadreUnit: cadreUnit) {
                if reason != .wrongKind || listOtherKinds {
                    excluded.append(ComplianceExclusion(id: lineIDs[position], reason: reason))
                }
            } else if record.day > lastCounting {
                excluded.append(ComplianceExclusion(id: lineIDs[position], reason: .afterDeadline))
            } else {
                let venue = venue(of: record)
                let listed = filter.venues.map { venue >= 0 && $0.indices.contains(Int(venue)) && $0[Int(venue)] } ?? true
                tally.add(record, venue: listed ? venue : -1)
                counted.append(lineIDs[position])
            }
        }
        return tally
    }

    /// Met once reached; missed after `end`; otherwise on track while at least the whole units due pro rata are done.
    func paceStatus(achieved: Double, required: Double, start: LocalDate, end: LocalDate) -> ComplianceStatus {
        if asOf < start { return .notYetDue }
        if achieved >= required - 1e-9 { return .met }
        if asOf > end { return .missed }
        let total = Double(max(1, end.dayNumber - start.dayNumber + 1))
        let elapsed = Double(asOf.dayNumber - start.dayNumber + 1) / total
        return achieved >= (required * elapsed + 1e-9).rounded(.down) ? .onTrack : .atRisk
    }

    private func countCells(_ rule: PolicyRule, _ ruleIndex: Int, _ body: CountRule, _ context: CadreContext, into cells: inout [ComplianceCell]) {
        let deadlines = countDeadlines[ruleIndex]
        for (position, period) in judgedPeriods(body.per).enumerated() {
            let stateIndex = context.stateIndex(on: min(asOfDay, period.last))
            guard let required = context.quantities[stateIndex][ruleIndex] else { continue }
            let deadline = deadlines.isEmpty ? nil : deadlines[position].date
            let note = deadlines.isEmpty ? nil : deadlines[position].note
            var counted: [String] = [], excluded: [ComplianceExclusion] = []
            let tally = scan(context, state: stateIndex, filter: filters[ruleIndex]!, period: period,
                             deadline: deadline, counted: &counted, excluded: &excluded)
            let achieved = tally.value(body.measure)
            let end = deadline.map { min(max($0, period.range.start), period.range.end) } ?? period.range.end
            cells.append(ComplianceCell(subject: subject(context, state: stateIndex), ruleID: rule.id, severity: rule.severity,
                                        period: period.ref, required: required, achieved: achieved,
                                        status: paceStatus(achieved: achieved, required: required, start: period.range.start, end: end),
                                        due: deadline, elapsed: nil, counted: counted, excluded: excluded, parts: [], note: note))
        }
    }

    private func everyCells(_ rule: PolicyRule, _ ruleIndex: Int, _ body: EveryPeriodRule, _ context: CadreContext, into cells: inout [ComplianceCell]) {
        let subs = periods(body.per)
        let filter = filters[ruleIndex]!
        for (outer, members) in zip(periods(body.within), everyMembers[ruleIndex]) {
            var parts: [CompliancePart] = []
            parts.reserveCapacity(members.count)
            var counted: [String] = [], excluded: [ComplianceExclusion] = []
            var countingTotal = 0, metCount = 0, closedCounting = 0, missedClosed = 0
            var lastState: Int?
            for subIndex in members {
                let sub = subs[subIndex]
                let stateIndex = context.stateIndex(on: min(asOfDay, sub.last))
                let required = context.quantities[stateIndex][ruleIndex]
                let started = sub.first <= asOfDay
                let reason: ComplianceExclusionReason? = !sub.counts ? .pausedPeriod : (required == nil ? .notInRole : nil)
                if let reason {
                    if started {
                        for position in context.slice(first: sub.first, last: sub.last) {
                            excluded.append(ComplianceExclusion(id: lineIDs[position], reason: reason))
                        }
                    }
                    parts.append(CompliancePart(id: sub.ref.id, label: sub.ref.label, start: sub.range.start, end: sub.range.end,
                                                counts: false, required: 0, achieved: 0, status: .notYetDue,
                                                note: reason == .pausedPeriod ? sub.pauseNote : reason.label.zh))
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
                let status: ComplianceStatus = !started ? .notYetDue
                    : achieved >= need - 1e-9 ? .met : (closed ? .missed : .onTrack)
                if status == .met { metCount += 1 }
                if closed {
                    closedCounting += 1
                    if status == .missed { missedClosed += 1 }
                }
                parts.append(CompliancePart(id: sub.ref.id, label: sub.ref.label, start: sub.range.start, end: sub.range.end,
                                            counts: true, required: need, achieved: achieved, status: status, note: nil))
            }
            guard let lastState else { continue }
            let required = (body.share * Double(countingTotal) - 1e-9).rounded(.up)
            let achieved = Double(metCount)
            let status: ComplianceStatus
            if asOfDay < outer.first {
                status = .notYetDue
            } else if achieved >= required {
                status = .met
            } else if Double(countingTotal - missedClosed) < required {
                status = .missed
            } else {
                let dueSoFar = (body.share * Double(closedCounting) - 1e-9).rounded(.up)
                status = Double(metCount) >= dueSoFar ? .onTrack : .atRisk
            }
            cells.append(ComplianceCell(subject: subject(context, state: lastState), ruleID: rule.id, severity: rule.severity,
                                        period: outer.ref, required: required, achieved: achieved, status: status, due: nil,
                                        elapsed: closedCounting, counted: counted, excluded: excluded, parts: parts, note: nil))
        }
    }

    private func pairingCells(_ rule: PolicyRule, _ ruleIndex: Int, _ body: PairingRule, _ context: CadreContext, into cells: inout [ComplianceCell]) {
        guard let period = periods(.academicYear).first else { return }
        let day = judgeDay(period.range)
        let stateIndex = context.stateIndex(on: day)
        guard context.quantities[stateIndex][ruleIndex] != nil else { return }
        var counted = Set<String>()
        var excluded: [ComplianceExclusion] = []
        for pairing in context.pairings where pairing.range.contains(LocalDate(dayNumber: day)) {
            let target = pairing.collectiveCode ?? pairing.studentNumber ?? ""
            let kindOK = body.collectiveKinds.map { kinds in pairing.collectiveCode.flatMap { collectiveByCode[$0]?.kind }.map(kinds.contains) == true } ?? true
            if body.pairingKinds.contains(pairing.kind) && kindOK {
                counted.insert(target)
            } else {
                excluded.append(ComplianceExclusion(id: target, reason: .wrongCollectiveKind))
            }
        }
        let deadline = body.deadline.flatMap { spec in year.terms.first.flatMap { try? spec.resolve(term: $0, calendar: input.workdays) } }
        let count = counted.count
        var note: String?
        let status: ComplianceStatus
        if asOf < period.range.start {
            status = .notYetDue
        } else if let maximum = body.maximum, count > maximum {
            status = .missed
            note = "联系 \(count) 个，超过上限 \(maximum) 个"
        } else if count >= body.minimum {
            status = .met
        } else if let deadline, asOf <= deadline {
            status = .atRisk
        } else {
            status = .missed
        }
        cells.append(ComplianceCell(subject: subject(context, state: stateIndex), ruleID: rule.id, severity: rule.severity,
                               period: period.ref, required: Double(body.minimum), achieved: Double(count), status: status,
                               due: deadline, elapsed: nil, counted: counted.sorted(), excluded: excluded.sorted { $0.id < $1.id },
                               parts: [], note: note))
    }

    private func timeShareCells(_ rule: PolicyRule, _ ruleIndex: Int, _ body: TimeShareRule, _ context: CadreContext, into cells: inout [ComplianceCell]) {
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
            var note: String?
            if asOf < period.range.start {
                status = .notYetDue
            } else {
                let workdays = held.reduce(0) { sum, days in
                    sum + input.workdays.workdays(in: DateRange(start: LocalDate(dayNumber: Int(days.lowerBound)),
                                                                end: LocalDate(dayNumber: Int(days.upperBound))))
                }
                required = body.atLeast * Double(workdays) * body.hoursPerWorkday
                note = "\(workdays) 个工作日 × \(yamlNumberText(body.hoursPerWorkday)) 小时 × \(yamlNumberText(body.atLeast * 100))%"
                let enough = tally.hours >= required - 1e-9
                status = asOf > period.range.end ? (enough ? .met : .missed) : (enough ? .onTrack : .atRisk)
            }
            cells.append(ComplianceCell(subject: subject(context, state: stateIndex), ruleID: rule.id, severity: rule.severity,
                                        period: period.ref, required: required, achieved: tally.hours, status: status, due: nil,
                                        elapsed: nil, counted: counted, excluded: excluded, parts: [], note: note))
        }
    }

    // MARK: Units and the school

    private func unitSubjects(_ subject: RuleSubject) -> [ComplianceSubject] {
        switch subject {
        case .school:
            return [ComplianceSubject(kind: .school, id: Filing.schoolUnitCode, name: "学校", unitCode: Filing.schoolUnitCode)]
        case .units(let selector):
            return input.roster.units.filter { $0.active && selector.matches($0) }.sorted { $0.code < $1.code }
                .map { ComplianceSubject(kind: .unit, id: $0.code, name: $0.name, unitCode: $0.code) }
        case .cadres:
            return []
        }
    }

    private func coverageCells(_ rule: PolicyRule, _ body: CoverageRule) -> [ComplianceCell] {
        guard let period = periods(.academicYear).first else { return [] }
        let day = LocalDate(dayNumber: judgeDay(period.range))
        var cadresByCollective: [String: Set<String>] = [:]
        for pairing in yearPairings where body.pairingKinds.contains(pairing.kind) && pairing.range.contains(day) {
            if let code = pairing.collectiveCode { cadresByCollective[code, default: []].insert(pairing.cadreStaffNumber) }
        }
        let deadline = body.deadline.flatMap { spec in year.terms.first.flatMap { try? spec.resolve(term: $0, calendar: input.workdays) } }
        let wanted = input.roster.collectives.filter { $0.active && body.collectiveKinds.contains($0.kind) }.sorted { $0.code < $1.code }
        let wantedByUnit = Dictionary(grouping: wanted, by: \.unitCode)
        return unitSubjects(rule.subject).compactMap { subject in
            let mine = subject.kind == .school ? wanted : wantedByUnit[subject.id] ?? []
            guard !mine.isEmpty else { return nil }
            var counted: [String] = [], excluded: [ComplianceExclusion] = []
            for collective in mine {
                if (cadresByCollective[collective.code]?.count ?? 0) >= body.atLeast { counted.append(collective.code) } else {
                    excluded.append(ComplianceExclusion(id: collective.code, reason: .uncovered))
                }
            }
            let status: ComplianceStatus = asOf < period.range.start ? .notYetDue
                : excluded.isEmpty ? .met : (deadline.map { asOf <= $0 } == true ? .atRisk : .missed)
            return ComplianceCell(subject: subject, ruleID: rule.id, severity: rule.severity, period: period.ref,
                                  required: Double(mine.count), achieved: Double(counted.count), status: status, due: deadline,
                                  elapsed: nil, counted: counted, excluded: excluded, parts: [], note: nil)
        }
    }

    private func filingCells(_ rule: PolicyRule, _ body: FilingRule) -> [ComplianceCell] {
        let leadership = Set(input.roster.units.filter { $0.kind == .leadership }.map(\.code))
        var byUnit: [String: [Filing]] = [:]
        for filing in input.filings where filing.kind == body.kind && filing.submittedOn <= asOf {
            let owner = leadership.contains(filing.unitCode) ? Filing.schoolUnitCode : filing.unitCode
            byUnit[owner, default: []].append(filing)
        }
        let judged = periods(body.per)
        var cells: [ComplianceCell] = []
        for subject in unitSubjects(rule.subject) {
            for period in judged {
                let terms = period.termIndex.map { [year.terms[$0]] } ?? year.terms
                let termIDs = Set(terms.map(\.id))
                let anchorTerm = period.termIndex.map { year.terms[$0] } ?? body.term.flatMap { terms.indices.contains($0 - 1) ? terms[$0 - 1] : nil } ?? terms.first
                var due = period.range.end
                var note: String?
                if let spec = body.deadline, let anchorTerm {
                    // Monthly filings reckon “the following month” from the month reported on.
                    let reported = body.per == .month ? Period(kind: .month, id: period.ref.id, range: period.window, label: Localized(zh: period.ref.label, en: period.ref.id))
                        : Period(term: anchorTerm)
                    do { due = try spec.resolve(term: anchorTerm, calendar: input.workdays, period: reported) } catch {
                        note = error.reason.zh
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
                let achieved = Double(counted.count), required = Double(body.atLeast)
                let status: ComplianceStatus
                if asOf < period.range.start { status = .notYetDue }
                else if achieved >= required { status = .met }
                else if asOf > due { status = .missed }
                else { status = due.dayNumber - asOf.dayNumber <= 7 ? .atRisk : .onTrack }
                cells.append(ComplianceCell(subject: subject, ruleID: rule.id, severity: rule.severity, period: period.ref,
                                            required: required, achieved: achieved, status: status, due: due, elapsed: nil,
                                            counted: counted, excluded: excluded, parts: [], note: note))
            }
        }
        return cells
    }

    private func responseCells(_ rule: PolicyRule, _ body: ResponseRule) -> [ComplianceCell] {
        var cells: [ComplianceCell] = []
        let known = input.cases.filter { $0.receivedOn <= asOf }.sorted { ($0.receivedOn, $0.id) < ($1.receivedOn, $1.id) }
        // A case is judged the same for its unit and for the school: once.
        let judged = known.map { item in body.tier(item.tier).map { judgeCase(item, $0, workdays: body.workdays) } }
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

    /// Both stages of one case: late or overdue is missed; open within its deadlines is on track, or at risk on the last day.
    /// Workday arithmetic memo for the case pass (many cases share a receipt day); only the unit work item touches it.
    private var dueDates: [Int: LocalDate] = [:]

    private func judgeCase(_ item: StudentCase, _ tier: ResponseRule.Tier, workdays: Bool) -> (part: CompliancePart, reason: ComplianceExclusionReason?) {
        func dueDate(_ days: Int) -> LocalDate {
            guard workdays else { return item.receivedOn.adding(days: days) }
            let key = item.receivedOn.dayNumber &* 1_000 &+ days
            if let known = dueDates[key] { return known }
            let due = input.workdays.addingWorkdays(days, to: item.receivedOn)
            dueDates[key] = due
            return due
        }
        let answerDue = dueDate(tier.answer)
        let firstDue = tier.firstResponse.map(dueDate)
        let firstDone = (item.firstRespondedOn ?? item.answeredOn).flatMap { $0 <= asOf ? $0 : nil }
        let answered = item.answeredOn.flatMap { $0 <= asOf ? $0 : nil }
        var reason: ComplianceExclusionReason?
        var status = ComplianceStatus.met
        if let firstDue {
            if let firstDone, firstDone > firstDue { reason = .firstResponseLate; status = .missed }
            else if firstDone == nil, asOf > firstDue { reason = .firstResponseOverdue; status = .missed }
        }
        if reason == nil {
            if let answered, answered > answerDue { reason = .answerLate; status = .missed }
            else if answered == nil, asOf > answerDue { reason = .answerOverdue; status = .missed }
            else if answered == nil {
                reason = .pending
                let nextDue = firstDone == nil ? (firstDue ?? answerDue) : answerDue
                status = asOf >= nextDue ? .atRisk : .onTrack
            }
        }
        var note = "答复截止 " + answerDue.iso
        if let firstDue { note = "首次响应截止 " + firstDue.iso + "；" + note }
        let part = CompliancePart(id: item.id, label: "\(item.id)（\(tier.label ?? tier.name)）", start: item.receivedOn, end: answerDue,
                                  counts: true, required: 1, achieved: reason == nil ? 1 : 0, status: status, note: note)
        return (part, reason)
    }

    // MARK: Roll-ups

    private func summarize(_ cells: [ComplianceCell]) -> ComplianceReport {
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
