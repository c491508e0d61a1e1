import Foundation

// The evaluation of one academic year: the facts indexed to numbers, the periods, each cadre's
// context, and the scan of ledger lines that every counting rule shares. Each rule kind turns
// them into cells in its own file under Rules/, and reaches its status through `Verdicts`.

/// One period as the engine walks it: the judged range (clipped to the term) and the whole
/// calendar window around it, so lines in the window but outside the range can be explained.
struct EvalPeriod {
    var ref: CompliancePeriod
    var range: DateRange
    var window: DateRange
    /// Index into the academic year's terms; nil for the year itself.
    var termIndex: Int?
    /// Bit `CalendarPauses.index` set when the period counts for a rule with those pauses.
    var countsMask: UInt8
    /// By `CalendarPauses.index`: why the period is paused, when it is.
    var pauseNotes: [Localized?]
    /// Day numbers of `range` and `window`, kept because inner loops compare them often.
    var first: Int
    var last: Int
    var windowFirst: Int
    var windowLast: Int

    /// A period no calendar pause touches (a term, a year).
    init(ref: CompliancePeriod, range: DateRange, window: DateRange, termIndex: Int?) {
        self.init(ref: ref, range: range, window: window, termIndex: termIndex, countsMask: 0b1111, pauseNotes: [])
    }

    init(ref: CompliancePeriod, range: DateRange, window: DateRange, termIndex: Int?, countsMask: UInt8, pauseNotes: [Localized?]) {
        self.ref = ref
        self.range = range
        self.window = window
        self.termIndex = termIndex
        self.countsMask = countsMask
        self.pauseNotes = pauseNotes
        self.first = range.start.dayNumber
        self.last = range.end.dayNumber
        self.windowFirst = window.start.dayNumber
        self.windowLast = window.end.dayNumber
    }

    /// Whether a rule with these pauses requires the period.
    func counts(_ pauses: CalendarPauses) -> Bool { countsMask & (1 << UInt8(pauses.index)) != 0 }

    func pauseNote(_ pauses: CalendarPauses) -> Localized? {
        pauseNotes.indices.contains(pauses.index) ? pauseNotes[pauses.index] : nil
    }
}

/// The days of a term that pause weekly and monthly rules — its vacations, and its special weeks marked
/// excluded (exam weeks) — and which periods they pause for each combination of `CalendarPauses`.
/// Built once per term and evaluation, never per cell.
struct TermPauses {
    var vacationDays = Set<Int>()
    var examDays = Set<Int>()
    var vacations: [DateRange]
    var specialWeeks: [SpecialWeek]

    init(_ term: Term) {
        vacations = term.vacations
        specialWeeks = term.specialWeeks
        for range in term.vacations { vacationDays.formUnion(range.start.dayNumber...range.end.dayNumber) }
        for week in term.specialWeeks where week.excludedFromWeeklyRules {
            examDays.formUnion(week.range.start.dayNumber...week.range.end.dayNumber)
        }
    }

    /// For periods of the whole year (two months): every term's pauses, and the days between and around the
    /// terms (winter and summer vacation) counted as vacation.
    init(_ year: AcademicYear) {
        vacations = year.terms.flatMap(\.vacations)
        specialWeeks = year.terms.flatMap(\.specialWeeks)
        for term in year.terms { self = self.merging(TermPauses(term)) }
        var outside = Set(year.range.start.dayNumber...year.range.end.dayNumber)
        for term in year.terms { outside.subtract(term.range.start.dayNumber...term.range.end.dayNumber) }
        vacationDays.formUnion(outside)
        vacations += Self.runs(of: outside)
    }

    private func merging(_ other: TermPauses) -> TermPauses {
        var merged = self
        merged.vacationDays.formUnion(other.vacationDays)
        merged.examDays.formUnion(other.examDays)
        return merged
    }

    private static func runs(of days: Set<Int>) -> [DateRange] {
        var ranges: [DateRange] = []
        var start: Int?, previous = Int.min
        for day in days.sorted() {
            if day != previous + 1 {
                if let start { ranges.append(DateRange(start: LocalDate(dayNumber: start), end: LocalDate(dayNumber: previous))) }
                start = day
            }
            previous = day
        }
        if let start { ranges.append(DateRange(start: LocalDate(dayNumber: start), end: LocalDate(dayNumber: previous))) }
        return ranges
    }

    /// A period is paused for a rule when every day of it lies in what the rule skips (vacations unless
    /// `includeVacations`, excluded special weeks unless `includeExamWeeks`), in any combination; one free day
    /// keeps it required. Returns the mask of `CalendarPauses.index` values it counts for, and why it is paused.
    func judge(_ range: DateRange) -> (mask: UInt8, notes: [Localized?]) {
        let days = range.start.dayNumber...range.end.dayNumber
        var mask: UInt8 = 0
        var notes: [Localized?] = []
        for index in 0..<4 {
            let skipsVacations = index & 1 == 0, skipsExams = index & 2 == 0
            let paused = days.allSatisfy { (skipsVacations && vacationDays.contains($0)) || (skipsExams && examDays.contains($0)) }
            if !paused {
                mask |= 1 << UInt8(index)
                notes.append(nil)
                continue
            }
            // Named as the calendar names them: 假期, then the special weeks (期末考试 …), each once.
            var reasons: [Localized] = []
            if skipsVacations && vacations.contains(where: { $0.overlaps(range) }) { reasons.append(Localized(zh: "假期", en: "Vacation")) }
            if skipsExams {
                for week in specialWeeks where week.excludedFromWeeklyRules && week.range.overlaps(range) {
                    let reason = Localized(zh: week.name, en: week.kind.label.en)
                    if !reasons.contains(reason) { reasons.append(reason) }
                }
            }
            notes.append(Localized(zh: reasons.map(\.zh).joined(separator: "、"), en: reasons.map(\.en).joined(separator: ", ")))
        }
        return (mask, notes)
    }
}

struct CadreContext {
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
    /// The cadre's college pairings (§4.18) as (unit index, first day, last day): colleges they are linked to directly.
    var collegePairings: [(unit: Int32, start: Int32, end: Int32)] = []

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
    enum Standing: UInt8 { case counts, draft, flagged, voided }
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
    /// Local time of day the line starts and ends, minutes from midnight of its start day (ends on a later day: 1440).
    var startMinute: Int16
    var endMinute: Int16
    /// Slice of `ComplianceIndex.participantIDs`: the students the line names (§4.14), numbered.
    var participantsStart: Int32
    var participantsCount: Int32
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
    /// The rule measures `distinct-colleges`: the scan notes each counted line's colleges.
    var countsColleges = false
}

struct Tally {
    var events = 0.0
    var personTimes = 0.0
    var hours = 0.0
    var venueBits: UInt64 = 0
    var moreVenues = Set<Int32>()
    /// Colleges reached (unit indexes), for `distinct-colleges` (§4.18): bits below 64, the rest in the set.
    var collegeBits: UInt64 = 0
    var moreColleges = Set<Int32>()

    /// 课时 (§4.13): whole periods of `periodMinutes` per line, rounded down (95 minutes of 45 are 2).
    var classPeriods = 0.0
    var periodMinutes = 45.0

    mutating func add(_ record: CompactContact, venue: Int32) {
        events += 1
        classPeriods += (record.hours * 60 / periodMinutes + Verdicts.tolerance).rounded(.down)
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
        case .distinctColleges: Double(collegeBits.nonzeroBitCount + moreColleges.count)
        case .classPeriods: classPeriods
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
final class Evaluation: @unchecked Sendable {
    let index: ComplianceIndex
    let input: ComplianceInput
    let policy: Policy
    let year: AcademicYear
    let asOf: LocalDate
    let asOfDay: Int
    let roleSelectors: [String: RoleSelector]
    let yearPairings: [Pairing]
    var periodCache: [PeriodKind: [EvalPeriod]] = [:]
    /// By period kind, then `CalendarPauses.index`.
    var judgedCache: [PeriodKind: [[EvalPeriod]]] = [:]
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
    var countDeadlines: [[(date: LocalDate?, note: Localized?)]] = []
    /// Support logs by cadre, when a `perKeyStudent` rule reads them (§4.20).
    var supportLogsByCadre: [String: [SupportLog]] = [:]
    /// By rule index, for count rules with a `slot`: its occurrences judged so far, each a one-day period (§4.11).
    var slotPeriods: [[EvalPeriod]] = []

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
            case .filing(let body): amount = RuleQuantity(Double(body.atLeast))
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
            case .count(let body): compile(body.filter).measuring(body.measure)
            case .every(let body): compile(body.filter).measuring(body.measure)
            case .timeShare(let body): compile(body.filter)
            default: nil
            }
        }
        // Days, workdays and the paired periods only when a rule counts over them: a year has hundreds of days.
        var kinds: Set<PeriodKind> = [.week, .month, .term, .academicYear]
        for rule in policy.rules {
            switch rule.body {
            case .count(let body): kinds.insert(body.per)
            case .every(let body): kinds.formUnion([body.per, body.within])
            case .timeShare(let body): kinds.insert(body.per)
            case .filing(let body): kinds.insert(body.per)
            case .pairing, .coverage, .response: break
            }
        }
        for kind in kinds { periodCache[kind] = makePeriods(kind) }
        for kind in kinds {
            judgedCache[kind] = (0..<4).map { index in
                periods(kind).filter { $0.countsMask & (1 << UInt8(index)) != 0 && ($0.range.start <= asOf || kind == .term || kind == .academicYear) }
            }
        }
        countDeadlines = policy.rules.map { rule in
            guard case .count(let body) = rule.body, let spec = body.deadline else { return [] }
            return judgedPeriods(body.per, body.pauses).map { period -> (date: LocalDate?, note: Localized?) in
                guard let term = period.termIndex.map({ year.terms[$0] }) else { return (nil, nil) }
                do throws(DeadlineResolutionError) {
                    return (try spec.resolve(term: term, calendar: input.workdays), nil)
                } catch { return (nil, error.reason) }
            }
        }
        slotPeriods = policy.rules.map { rule in
            guard case .count(let body) = rule.body, let slot = body.slot else { return [] }
            return slotOccurrencePeriods(slot, pauses: body.pauses)
        }
        if policy.rules.contains(where: { if case .count(let body) = $0.body { body.perKeyStudent } else { false } }) {
            supportLogsByCadre = Dictionary(grouping: index.input.supportLogs, by: \.cadreStaffNumber)
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
                    case .pairing(let body): if case .cadres = rule.subject {} else { local[ruleIndex] = unitCollegeLinkCells(rule, body) }
                    case .count(let body): if let group = rule.group { local[ruleIndex] = groupCells(rule, ruleIndex, body, group) }
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
                        // A group's members are judged together, with the units (GroupQuota+Cells).
                        case .count(let body): if rule.group == nil { countCells(rule, ruleIndex, body, context, into: &local[ruleIndex]) }
                        case .every(let body): everyCells(rule, ruleIndex, body, context, into: &local[ruleIndex])
                        case .pairing(let body): pairingCells(rule, ruleIndex, body, context, into: &local[ruleIndex])
                        case .timeShare(let body): timeShareCells(rule, ruleIndex, body, context, into: &local[ruleIndex])
                        case .filing(let body): cadreFilingCells(rule, ruleIndex, body, context, into: &local[ruleIndex])
                        case .coverage, .response: break
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
            return [EvalPeriod(ref: CompliancePeriod(kind: kind, id: year.id, start: year.range.start, end: year.range.end, label: .same(year.name)),
                               range: year.range, window: year.range, termIndex: nil)]
        case .term:
            return year.terms.enumerated().map { index, term in
                EvalPeriod(ref: CompliancePeriod(kind: kind, id: term.id, start: term.range.start, end: term.range.end, label: .same(term.name)),
                           range: term.range, window: term.range, termIndex: index)
            }
        case .week:
            return year.terms.enumerated().flatMap { index, term in
                let pauses = TermPauses(term)
                return term.teachingWeeks.map { week in
                    let iso = Period.week(containing: week.range.start)
                    let (mask, notes) = pauses.judge(week.range)
                    return EvalPeriod(ref: CompliancePeriod(kind: kind, id: iso.id, start: week.range.start, end: week.range.end,
                                                            label: Localized(zh: term.name + week.label.zh, en: "\(term.name) \(week.label.en)")),
                                      range: week.range, window: iso.range, termIndex: index, countsMask: mask, pauseNotes: notes)
                }
            }
        case .month:
            return year.terms.enumerated().flatMap { index, term in
                let pauses = TermPauses(term)
                return Period.months(intersecting: term.range).compactMap { month -> EvalPeriod? in
                    guard let range = month.range(clippedTo: term.range) else { return nil }
                    let (mask, notes) = pauses.judge(range)
                    return EvalPeriod(ref: CompliancePeriod(kind: kind, id: month.id, start: range.start, end: range.end, label: month.label),
                                      range: range, window: month.range, termIndex: index, countsMask: mask, pauseNotes: notes)
                }
            }
        case .twoWeeks:
            return year.terms.enumerated().flatMap { index, term in
                let pauses = TermPauses(term)
                return Period.twoWeeks(in: term).map { pair in
                    let (mask, notes) = pauses.judge(pair.range)
                    let window = DateRange(start: pair.range.start.startOfWeek, end: pair.range.end.startOfWeek.adding(days: 6))
                    return EvalPeriod(ref: CompliancePeriod(kind: kind, id: pair.id, start: pair.range.start, end: pair.range.end, label: pair.label),
                                      range: pair.range, window: window, termIndex: index, countsMask: mask, pauseNotes: notes)
                }
            }
        case .twoMonths:
            // Clipped to the year, not to a term: Jan–Feb spans the winter vacation, counted as vacation days.
            let pauses = TermPauses(year)
            return Period.twoMonths(in: year).map { pair in
                let (mask, notes) = pauses.judge(pair.range)
                let termIndex = year.terms.firstIndex { $0.range.overlaps(pair.range) }
                let whole = DateRange(start: LocalDate(year: pair.range.start.year, month: pair.range.start.month, day: 1)!,
                                      end: Period.month(containing: pair.range.end).range.end)
                return EvalPeriod(ref: CompliancePeriod(kind: kind, id: pair.id, start: pair.range.start, end: pair.range.end, label: pair.label),
                                  range: pair.range, window: whole, termIndex: termIndex, countsMask: mask, pauseNotes: notes)
            }
        case .day, .workday:
            // One period per day of each term; `workday` keeps the deployment's PRC workdays (调休 make-up days included).
            let workdays = input.workdays
            return year.terms.enumerated().flatMap { index, term in
                let pauses = TermPauses(term)
                return (term.range.start.dayNumber...term.range.end.dayNumber).compactMap { number -> EvalPeriod? in
                    if kind == .workday && !workdays.isWorkday(dayNumber: number) { return nil }
                    let day = Period.day(LocalDate(dayNumber: number), kind: kind)
                    let (mask, notes) = pauses.judge(day.range)
                    return EvalPeriod(ref: CompliancePeriod(kind: kind, id: day.id, start: day.range.start, end: day.range.end, label: day.label),
                                      range: day.range, window: day.range, termIndex: index, countsMask: mask, pauseNotes: notes)
                }
            }
        }
    }

    /// Periods a rule is judged over: past and current ones, plus future terms and years (shown as not yet due);
    /// weeks and months the calendar pauses only when the rule's `pauses` include them.
    func judgedPeriods(_ kind: PeriodKind, _ pauses: CalendarPauses = .skipBoth) -> [EvalPeriod] {
        judgedCache[kind]?[pauses.index] ?? []
    }

    /// The day whose roster decides who a period binds: its last day, or the as-of day while it runs.
    func judgeDay(_ range: DateRange) -> Int { min(asOfDay, range.end.dayNumber) }

    // MARK: Cadres

    func context(for cadre: Cadre) -> CadreContext {
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
                            days: index.lineDays, lastDay: asOfDay, pairings: pairings, compactPairings: compactPairings,
                            collegePairings: collegePairings(pairings))
    }

    /// Per rule: the requirement of every cadre state, or nil when the rule does not bind the cadre in it.
    func quantities(for cadre: Cadre) -> [Double?] {
        guard cadre.active else { return Array(repeating: nil, count: quantityPlans.count) }
        let unitKind = unitByCode[cadre.unitCode]?.kind
        // Each distinct selector once: rules share roles, and matching walks sets of strings.
        let matched = selectors.map { $0.matches(cadre, unitKind: unitKind, roles: roleSelectors) }
        return quantityPlans.map { plan in
            guard let plan, matched[plan.subject] else { return nil }
            return plan.options.first { matched[$0.slot] }?.value ?? plan.fallback
        }
    }

    func subject(_ context: CadreContext, state: Int) -> ComplianceSubject {
        let cadre = context.states[state].cadre
        return ComplianceSubject(kind: .cadre, id: cadre.staffNumber, name: cadre.name, unitCode: cadre.unitCode)
    }

    /// Why a line does not count for a filter, or nil when it counts.
    func exclusion(_ record: CompactContact, _ filter: CompiledFilter, _ context: CadreContext, cadreUnit: Int32) -> ComplianceExclusionReason? {
        switch record.standing {
        case .draft: return .draft
        case .flagged: return .flagged
        case .voided: return .voided
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
                } || context.collegePairings.contains { $0.unit == unit && $0.start <= record.day && record.day <= $0.end })
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
    func scan(_ context: CadreContext, state: Int, filter: CompiledFilter, period: EvalPeriod, deadline: LocalDate? = nil,
                      held: [ClosedRange<Int32>]? = nil, maxParticipants: Int? = nil, slot: CalendarSlot? = nil, periodMinutes: Int = 45,
                      refused: [Int: ComplianceExclusionReason]? = nil,
                      counted: inout [String], excluded: inout [ComplianceExclusion]) -> Tally {
        var tally = Tally()
        tally.periodMinutes = Double(periodMinutes)
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
            if record.day < first || record.day > last || (slot.map { !Self.inSlot(record, $0) } ?? false) {
                excluded.append(ComplianceExclusion(id: lineIDs[position], reason: slot == nil ? .outsidePeriod : .outsideSlot))
            } else if let held, !held.contains(where: { $0.contains(record.day) }) {
                excluded.append(ComplianceExclusion(id: lineIDs[position], reason: .notInRole))
            } else if let reason = exclusion(record, filter, context, cadreUnit: cadreUnit) {
                if reason != .wrongKind || listOtherKinds {
                    excluded.append(ComplianceExclusion(id: lineIDs[position], reason: reason))
                }
            } else if let maxParticipants, record.participants > Double(maxParticipants) + Verdicts.tolerance {
                excluded.append(ComplianceExclusion(id: lineIDs[position], reason: .tooManyParticipants))
            } else if let reason = refused?[position] {
                excluded.append(ComplianceExclusion(id: lineIDs[position], reason: reason))
            } else if record.day > lastCounting {
                excluded.append(ComplianceExclusion(id: lineIDs[position], reason: .afterDeadline))
            } else {
                let venue = venue(of: record)
                let listed = filter.venues.map { venue >= 0 && $0.indices.contains(Int(venue)) && $0[Int(venue)] } ?? true
                tally.add(record, venue: listed ? venue : -1)
                if filter.countsColleges { addColleges(record, to: &tally) }
                counted.append(lineIDs[position])
            }
        }
        return tally
    }

    // MARK: Units and the school

    func unitSubjects(_ subject: RuleSubject) -> [ComplianceSubject] {
        switch subject {
        case .school:
            return [ComplianceSubject(kind: .school, id: Filing.schoolUnitCode, name: "学校", unitCode: Filing.schoolUnitCode)]
        case .units(let selector):
            return input.roster.units.filter { $0.active && selector.matches($0) }.sorted(by: Unit.inUniversityOrder)
                .map { ComplianceSubject(kind: .unit, id: $0.code, name: $0.name, unitCode: $0.code) }
        case .cadres:
            return []
        }
    }
}
