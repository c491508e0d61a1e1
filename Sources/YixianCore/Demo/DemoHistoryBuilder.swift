import Foundation

/// A ledger line being planned, before it becomes a `ContactRecord`. Days are day numbers.
struct DemoHistoryDraft {
    var cadre: Int
    var day: Int
    var startMinute: Int
    var minutes: Int
    var kind: String
    /// Only when the line names a venue other than its kind's default.
    var venue: String?
    var collectives: [Int]
    var college: String?
    var participants: Int
    var confirmed: Int
    var place: String
}

/// The workshop behind `DemoHistory.generate`. Like `DemoUniversityBuilder`, one random stream
/// consumed in a fixed order makes the output reproducible.
struct DemoHistoryBuilder {
    struct CoveredTerm {
        var term: Term
        var year: AcademicYear
    }

    /// A cadre's collectives in one academic year, and the colleges they make “linked”.
    struct Links {
        var own: [(collective: Int, kind: Pairing.Kind)] = []
        var colleges: Set<String> = []
        /// Colleges in a stable order, the one of the first link first.
        var collegeList: [String] = []
    }

    /// One cadre's plan: what is already written (to count before adding) and the days a
    /// less diligent cadre let slip (nothing is added there later, so the gap stays).
    struct CadrePlan {
        var cadre: Int
        var diligence: DemoDiligence
        var drafts: [DemoHistoryDraft] = []
        var skipped: [ClosedRange<Int>] = []

        func isSkipped(_ day: Int) -> Bool { skipped.contains { $0.contains(day) } }
    }

    let demo: DemoUniversity
    let policy: Policy
    let asOf: LocalDate
    let asOfDay: Int
    var random: DemoRandom
    let workdays = WorkdayCalendar.prc
    let covered: [CoveredTerm]
    var diligence: [DemoDiligence] = []
    var earlierPairings: [Pairing] = []
    /// This year's links the policy requires beyond the demo's own (see `addRequiredPairings`).
    var addedPairings: [Pairing] = []
    var filings: [Filing] = []
    var drafts: [DemoHistoryDraft] = []

    let unitByCode: [String: Unit]
    let collectiveIndex: [String: Int]
    let collegeCodes: Set<String>
    /// `unit|kind` → collective indices.
    let collectivesByUnitKind: [String: [Int]]
    let collectivesByKind: [CollectiveKind: [Int]]
    /// Academic year id → per cadre index, its links.
    var links: [String: [Links]] = [:]
    let roleSelectors: [String: RoleSelector]
    /// Indices of the rules that bind cadres and count ledger lines, in the order they are met:
    /// the most constrained first, so the generic ones find their lines already written.
    let cadreRules: [Int]

    init(demo: DemoUniversity, policy: Policy, asOf: LocalDate, seed: UInt64) {
        self.demo = demo
        self.policy = policy
        self.asOf = asOf
        asOfDay = asOf.dayNumber
        random = DemoRandom(seed: seed)
        let terms = demo.academicYears.flatMap { year in year.terms.map { CoveredTerm(term: $0, year: year) } }
            .filter { $0.term.range.start <= asOf }
            .sorted { $0.term.range.start < $1.term.range.start }
        // Last academic year whole and this one so far: replaying any past date of either shows a
        // year a university would recognise, not a year whose first term was never recorded.
        let years = Set(demo.academicYears.sorted { $0.range.start < $1.range.start }.suffix(2).map(\.id))
        covered = terms.filter { years.contains($0.year.id) }
        unitByCode = Dictionary(demo.units.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        collectiveIndex = Dictionary(demo.collectives.enumerated().map { ($1.code, $0) }, uniquingKeysWith: { a, _ in a })
        collegeCodes = Set(demo.units.filter { $0.kind == .college }.map(\.code))
        var byUnitKind: [String: [Int]] = [:], byKind: [CollectiveKind: [Int]] = [:]
        for (i, collective) in demo.collectives.enumerated() where collective.active {
            byUnitKind[collective.unitCode + "|" + collective.kind.rawValue, default: []].append(i)
            byKind[collective.kind, default: []].append(i)
        }
        collectivesByUnitKind = byUnitKind
        collectivesByKind = byKind
        roleSelectors = policy.roleSelectors
        cadreRules = policy.rules.indices.filter { i in
            guard case .cadres = policy.rules[i].subject else { return false }
            return DemoHistoryBuilder.filter(of: policy.rules[i]) != nil
        }.sorted { (DemoHistoryBuilder.urgency(policy.rules[$0]), $0) < (DemoHistoryBuilder.urgency(policy.rules[$1]), $1) }

        drawDiligence()
        addRequiredPairings()
        carryPairingsBack()
        for entry in covered where links[entry.year.id] == nil {
            let pairings = entry.year.id == demo.currentAcademicYear.id ? demo.pairings + addedPairings
                : earlierPairings.filter { $0.academicYearID == entry.year.id }
            links[entry.year.id] = makeLinks(pairings)
        }
    }

    static func filter(of rule: PolicyRule) -> ContactFilter? {
        switch rule.body {
        case .count(let body): body.filter
        case .every(let body): body.filter
        case .timeShare(let body): body.filter
        default: nil
        }
    }

    private static func urgency(_ rule: PolicyRule) -> Int {
        switch rule.body {
        case .every(let body): return body.per == .week ? 0 : 2
        case .count(let body):
            let f = body.filter
            return f.scope != .any || f.collectiveKinds != nil || f.venues != nil || body.deadline != nil ? 1 : 3
        default: return 4
        }
    }

    // MARK: Who is who

    /// 70 % diligent, 15 % partial, 15 % behind, over a shuffled roster.
    private mutating func drawDiligence() {
        let order = random.shuffled(Array(demo.cadres.indices))
        let diligentCount = Int((Double(order.count) * 0.70).rounded())
        let partialCount = Int((Double(order.count) * 0.15).rounded())
        diligence = Array(repeating: .behind, count: demo.cadres.count)
        for (rank, c) in order.enumerated() {
            diligence[c] = rank < diligentCount ? .diligent : rank < diligentCount + partialCount ? .partial : .behind
        }
    }

    /// The rule's requirement for a cadre, or nil when it does not bind the cadre (as the engine decides).
    func quantity(_ rule: PolicyRule, for cadre: Cadre) -> Double? {
        guard cadre.active, case .cadres(let selector) = rule.subject else { return nil }
        let unitKind = unitByCode[cadre.unitCode]?.kind
        guard selector.matches(cadre, unitKind: unitKind, roles: roleSelectors) else { return nil }
        let amount: RuleQuantity
        switch rule.body {
        case .count(let body): amount = body.atLeast
        case .every(let body): amount = body.atLeast
        case .timeShare(let body): return body.atLeast
        default: return nil
        }
        for option in amount.byRole where roleSelectors[option.role]?.matches(cadre, unitKind: unitKind, roles: roleSelectors) == true {
            return option.value
        }
        return amount.fallback
    }

    private func makeLinks(_ pairings: [Pairing]) -> [Links] {
        let cadreIndex = Dictionary(demo.cadres.enumerated().map { ($1.staffNumber, $0) }, uniquingKeysWith: { a, _ in a })
        var result = Array(repeating: Links(), count: demo.cadres.count)
        for (c, cadre) in demo.cadres.enumerated() where collegeCodes.contains(cadre.unitCode) {
            result[c].colleges.insert(cadre.unitCode)
            result[c].collegeList.append(cadre.unitCode)
        }
        for pairing in pairings {
            guard let c = cadreIndex[pairing.cadreStaffNumber], let code = pairing.collectiveCode, let i = collectiveIndex[code] else { continue }
            result[c].own.append((i, pairing.kind))
            let unit = demo.collectives[i].unitCode
            if result[c].colleges.insert(unit).inserted {
                // A linked college comes before the cadre's own: it is where the policy sends them.
                if collegeCodes.contains(unit) { result[c].collegeList.insert(unit, at: 0) } else { result[c].collegeList.append(unit) }
            }
        }
        return result
    }

    // MARK: Contacts

    mutating func buildContacts() {
        for c in demo.cadres.indices where demo.cadres[c].active {
            var plan = CadrePlan(cadre: c, diligence: diligence[c])
            let bound = cadreRules.compactMap { i in quantity(policy.rules[i], for: demo.cadres[c]).map { (rule: i, quantity: $0) } }
            for (termNumber, entry) in covered.enumerated() {
                let links = self.links[entry.year.id]![c]
                let firstOfYear = covered.firstIndex { $0.year.id == entry.year.id } == termNumber
                // One count rule a term where a partly behind cadre ends one short.
                let countRules = bound.filter {
                    guard case .count(let body) = policy.rules[$0.rule].body else { return false }
                    return body.per == .term || (body.per == .academicYear && firstOfYear)
                }
                let shortRule = plan.diligence == .partial && !countRules.isEmpty ? random.element(of: countRules).rule : nil
                for (ruleIndex, required) in bound {
                    let rule = policy.rules[ruleIndex]
                    switch rule.body {
                    case .every(let body):
                        for window in windows(body.per, entry, includePaused: false) {
                            if plan.diligence != .diligent, random.chance(plan.diligence == .partial ? 0.12 : 0.55) {
                                plan.skipped.append(window)
                                continue
                            }
                            fill(&plan, body.filter, body.measure, target: required, window: window, slices: 1, links: links)
                        }
                    case .count(let body):
                        if body.per == .academicYear && !firstOfYear { continue }
                        for var window in windows(body.per, entry, includePaused: false) {
                            if let spec = body.deadline, body.per == .term, let due = try? spec.resolve(term: entry.term, calendar: workdays) {
                                window = window.lowerBound...max(window.lowerBound, min(window.upperBound, due.dayNumber))
                            }
                            var target = required
                            switch plan.diligence {
                            case .diligent: break
                            case .partial where ruleIndex == shortRule:
                                target = body.measure == .events || body.measure == .distinctVenues ? required - 1 : (required * 0.8).rounded(.down)
                            case .partial: break
                            case .behind:
                                if !random.chance(0.35) { target = (required * 0.3).rounded(.down) }
                            }
                            let slices = body.measure == .events ? max(1, min(Int(target.rounded(.up)), 24)) : 6
                            fill(&plan, body.filter, body.measure, target: target, window: window, slices: slices, links: links)
                        }
                    case .timeShare(let body):
                        let share = switch plan.diligence {
                        case .diligent: 1.06
                        case .partial: 0.82
                        case .behind: 0.3
                        }
                        fillHours(&plan, body.filter, perWorkday: body.atLeast * body.hoursPerWorkday * share, entry: entry, links: links)
                    default:
                        break
                    }
                }
                addEveryday(&plan, entry: entry, links: links)
            }
            drafts += plan.drafts
        }
    }

    /// The periods of `kind` a rule is judged over in a covered term, as day ranges. A year's
    /// window spans every covered term of that year.
    private func windows(_ kind: PeriodKind, _ entry: CoveredTerm, includePaused: Bool) -> [ClosedRange<Int>] {
        let term = entry.term
        switch kind {
        case .term:
            return [term.range.start.dayNumber...term.range.end.dayNumber]
        case .academicYear:
            let terms = covered.filter { $0.year.id == entry.year.id }.map(\.term.range)
            return [terms.first!.start.dayNumber...terms.last!.end.dayNumber]
        case .week:
            return term.teachingWeeks.filter { includePaused || $0.countsForWeeklyRules }.map { $0.range.start.dayNumber...$0.range.end.dayNumber }
        case .month:
            let paused = pausedDays(term)
            return Period.months(intersecting: term.range).compactMap { month in
                guard let range = month.range(clippedTo: term.range) else { return nil }
                let days = range.start.dayNumber...range.end.dayNumber
                return includePaused || !days.allSatisfy(paused.contains) ? days : nil
            }
        case .twoWeeks, .twoMonths, .day, .workday:
            // No demo policy counts over these; the periods clipped to the term keep a future one honest.
            let paused = pausedDays(term)
            let periods = kind == .twoMonths ? Period.twoMonths(in: entry.year) : kind == .twoWeeks ? Period.twoWeeks(in: term)
                : (term.range.start.dayNumber...term.range.end.dayNumber).map { Period.day(LocalDate(dayNumber: $0), kind: kind) }
            return periods.compactMap { period in
                guard let range = period.range(clippedTo: term.range) else { return nil }
                if kind == .workday && !WorkdayCalendar.prc.isWorkday(range.start) { return nil }
                let days = range.start.dayNumber...range.end.dayNumber
                return includePaused || !days.allSatisfy(paused.contains) ? days : nil
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

    /// Adds lines until the cadre's lines in `window` reach `target` under the filter. The window
    /// is cut into `slices` and by the end of slice k the lines reach (k + 1) / slices of the
    /// target, so a diligent cadre's work is spread over the term rather than bunched at its end.
    private mutating func fill(_ plan: inout CadrePlan, _ filter: ContactFilter, _ measure: ContactMeasure, target: Double,
                               window: ClosedRange<Int>, slices: Int, links: Links) {
        guard target > 0, window.lowerBound <= asOfDay else { return }
        let mine = plan.drafts.filter { window.contains($0.day) && matches($0, filter, links) }
        if measure == .distinctVenues {
            fillVenues(&plan, filter, target: Int(target.rounded(.up)), window: window, have: mine, links: links)
            return
        }
        var done = mine.map { (day: $0.day, value: value($0, measure)) }
        let length = window.upperBound - window.lowerBound + 1
        for k in 0..<slices {
            let first = window.lowerBound + k * length / slices
            let last = max(first, window.lowerBound + (k + 1) * length / slices - 1)
            guard first <= asOfDay else { break }
            // Early in each slice when there are several, so the pace holds on any as-of day.
            let usable = min(slices > 1 ? first + (last - first) * 3 / 5 : last, asOfDay)
            let goal = target * Double(k + 1) / Double(slices) - 1e-9
            var attempts = 0
            while done.reduce(0.0, { $0 + ($1.day <= last ? $1.value : 0) }) < goal, attempts < 40 {
                attempts += 1
                guard let day = pickDay(first...usable, plan: plan) else { continue }
                // No line can count (the cadre lacks the pairing the rule asks for): the gap stays.
                guard let draft = makeDraft(plan.cadre, filter: filter, measure: measure, day: day, venue: nil, links: links) else { return }
                plan.drafts.append(draft)
                done.append((draft.day, value(draft, measure)))
            }
        }
    }

    private mutating func fillVenues(_ plan: inout CadrePlan, _ filter: ContactFilter, target: Int, window: ClosedRange<Int>,
                                     have: [DemoHistoryDraft], links: Links) {
        var reached = Set(have.compactMap(venue(of:)))
        let wanted = (filter.venues.map { Array($0) } ?? policy.vocabulary.venues.map(\.code)).sorted()
        var missing = random.shuffled(wanted.filter { !reached.contains($0) })
        while reached.count < target, let next = missing.popLast() {
            let last = min(window.upperBound, asOfDay)
            guard let day = pickDay(window.lowerBound...last, plan: plan),
                  let draft = makeDraft(plan.cadre, filter: filter, measure: .distinctVenues, day: day, venue: next, links: links) else { continue }
            plan.drafts.append(draft)
            if let v = venue(of: draft) { reached.insert(v) }
        }
    }

    /// Time share: week by week, half-day blocks with students until the week's share of working
    /// hours is reached.
    private mutating func fillHours(_ plan: inout CadrePlan, _ filter: ContactFilter, perWorkday: Double, entry: CoveredTerm, links: Links) {
        let term = entry.term.range
        for week in entry.term.teachingWeeks where week.range.start.dayNumber <= asOfDay {
            let first = week.range.start.dayNumber, last = min(week.range.end.dayNumber, asOfDay)
            let days = (first...last).filter { workdays.isWorkday(LocalDate(dayNumber: $0)) && term.contains(LocalDate(dayNumber: $0)) && !plan.isSkipped($0) }
            guard !days.isEmpty else { continue }
            let need = perWorkday * Double(days.count)
            var achieved = plan.drafts.filter { (first...last).contains($0.day) && matches($0, filter, links) }
                .reduce(0.0) { $0 + Double($1.minutes) / 60 }
            var used: [Int: Int] = [:]
            var attempts = 0
            while achieved < need - 1e-9, attempts < 24 {
                attempts += 1
                let day = random.element(of: days)
                guard used[day, default: 0] < 2,
                      var draft = makeDraft(plan.cadre, filter: filter, measure: .hours, day: day, venue: nil, links: links, block: used[day, default: 0])
                else { continue }
                used[day, default: 0] += 1
                draft.minutes = min(draft.minutes, Int(((need - achieved) * 60 / 10).rounded(.up)) * 10 + 30)
                plan.drafts.append(draft)
                achieved += Double(draft.minutes) / 60
            }
        }
    }

    /// Everyday contacts beyond what the rules ask: what makes the ledger look lived in, and its size.
    private mutating func addEveryday(_ plan: inout CadrePlan, entry: CoveredTerm, links: Links) {
        let cadre = demo.cadres[plan.cadre]
        let base = DemoHistoryBuilder.everydayRate(rank: cadre.rank, scale: demo.scale)
        let rate = base * (plan.diligence == .diligent ? 1 : plan.diligence == .partial ? 0.7 : 0.25)
        let kinds = DemoHistoryBuilder.everydayKinds.filter { policy.vocabulary.kind($0.0) != nil }
        guard !kinds.isEmpty else { return }
        let table = DemoWeightedTable(kinds)
        let exam = Set(entry.term.specialWeeks.filter(\.excludedFromWeeklyRules).flatMap { $0.range.days.map(\.dayNumber) })
        for week in entry.term.teachingWeeks where week.range.start.dayNumber <= asOfDay {
            let weekRate = exam.contains(week.range.start.dayNumber) ? rate / 2 : rate
            let count = Int(weekRate) + (random.chance(weekRate - Double(Int(weekRate))) ? 1 : 0)
            for _ in 0..<count {
                let kind = table.pick(&random)
                guard let day = pickDay(week.range.start.dayNumber...min(week.range.end.dayNumber, asOfDay), plan: plan),
                      let draft = makeDraft(plan.cadre, kind: kind, filter: nil, day: day, venue: nil, links: links) else { continue }
                plan.drafts.append(draft)
            }
        }
    }

    /// Everyday lines per teaching week by rank, tuned so a year of `.large` holds ≈ 40,000 lines
    /// and `.standard` a few thousand a term.
    static func everydayRate(rank: Rank, scale: DemoScale) -> Double {
        let byRank = switch rank {
        case .schoolLeader: 1.6
        case .partyCommitteeMember, .director: 1.4
        case .deputyDirector: 1.3
        case .sectionChief, .deputySectionChief, .staff: 1.0
        }
        // The standard demo stays small enough to load in seconds and read through.
        return scale == .large ? byRank * 1.15 : byRank * 0.4
    }

    static let everydayKinds: [(String, Int)] = [
        ("face-to-face", 24), ("heart-to-heart", 16), ("online", 12), ("dorm-visit", 9), ("class-observation", 8),
        ("canteen-visit", 8), ("class-meeting", 7), ("survey", 3), ("second-classroom", 4), ("party-league-day", 3),
        ("social-practice", 2), ("hardship-visit", 1), ("mailbox-review", 3),
    ]

    /// A day in `range` that a cadre would meet students on: a working day outside the term's
    /// breaks, not in a week the cadre let slip; now and then a weekend or holiday after all.
    /// Never between terms: a year's window spans the winter break, when no one is on campus.
    private mutating func pickDay(_ range: ClosedRange<Int>, plan: CadrePlan) -> Int? {
        guard !range.isEmpty else { return nil }
        var fallback: Int?
        for _ in 0..<10 {
            let day = range.lowerBound + random.int(below: range.count)
            if plan.isSkipped(day) || !isInCoveredTerm(day) { continue }
            if isTeachingWorkday(day) || random.chance(0.02) { return day }
            if fallback == nil { fallback = day }
        }
        return fallback
    }

    private func isInCoveredTerm(_ day: Int) -> Bool {
        covered.contains { $0.term.range.start.dayNumber <= day && day <= $0.term.range.end.dayNumber }
    }

    private func isTeachingWorkday(_ day: Int) -> Bool {
        guard workdays.isWorkday(LocalDate(dayNumber: day)) else { return false }
        let date = LocalDate(dayNumber: day)
        return !covered.contains { $0.term.vacations.contains { $0.contains(date) } }
    }

    // MARK: Matching, as the engine counts

    func venue(of draft: DemoHistoryDraft) -> String? {
        draft.venue ?? policy.vocabulary.kind(draft.kind)?.defaultVenue
    }

    func value(_ draft: DemoHistoryDraft, _ measure: ContactMeasure) -> Double {
        switch measure {
        case .events, .distinctVenues, .distinctColleges: 1
        case .personTimes: Double(draft.participants)
        case .hours: Double(draft.minutes) / 60
        case .classPeriods: (Double(draft.minutes) / 45).rounded(.down)
        }
    }

    func matches(_ draft: DemoHistoryDraft, _ filter: ContactFilter, _ links: Links) -> Bool {
        guard filter.kinds.contains(draft.kind) else { return false }
        if let venues = filter.venues {
            guard let venue = venue(of: draft), venues.contains(venue) else { return false }
        }
        if filter.confirmedOnly && draft.confirmed == 0 { return false }
        switch filter.scope {
        case .any:
            break
        case .ownCollectives:
            let pairingKinds = filter.pairingKinds ?? [.linked, .honoraryClassHead]
            let own = links.own.filter { pairingKinds.contains($0.kind) && draft.collectives.contains($0.collective) }
            guard !own.isEmpty else { return false }
            if let wanted = filter.collectiveKinds, !own.contains(where: { wanted.contains(demo.collectives[$0.collective].kind) }) { return false }
        case .linkedCollege:
            let inCollege = draft.college.map(links.colleges.contains) ?? false
            guard inCollege || draft.collectives.contains(where: { links.colleges.contains(demo.collectives[$0].unitCode) }) else { return false }
        }
        if let wanted = filter.collectiveKinds, !draft.collectives.contains(where: { wanted.contains(demo.collectives[$0].kind) }) {
            return false
        }
        return true
    }

    // MARK: Finishing

    /// Ledger lines in time order, numbered the way a ledger numbers them.
    mutating func finishedContacts() -> [ContactRecord] {
        separateSameDayDrafts()
        drafts.sort { ($0.day, $0.startMinute, $0.cadre) < ($1.day, $1.startMinute, $1.cadre) }
        return drafts.enumerated().map { n, d in
            let start = LocalDate(dayNumber: d.day).startInstant().addingTimeInterval(TimeInterval(d.startMinute * 60))
            return ContactRecord(id: "DH" + demoPadded(n + 1, width: 6), cadreStaffNumber: demo.cadres[d.cadre].staffNumber, kind: d.kind,
                                 start: start, end: start.addingTimeInterval(TimeInterval(d.minutes * 60)), place: d.place, venue: d.venue,
                                 collectiveCodes: d.collectives.map { demo.collectives[$0].code }, collegeCode: d.college,
                                 participantCount: d.participants, confirmedByStudents: d.confirmed,
                                 status: d.confirmed > 0 ? .confirmed : .submitted)
        }
    }

    /// Time slots are drawn per line, so two lines of one cadre may land on the same evening; a
    /// real cadre does one thing after another. A line that would overlap the one before moves
    /// to just after it, or else to just before the day's first line; only when neither fits
    /// into 8:00–22:00 does the overlap stay (and the integrity page rightly flags it).
    private mutating func separateSameDayDrafts() {
        let gap = 10, dayStart = 8 * 60, dayEnd = 22 * 60
        drafts.sort { ($0.cadre, $0.day, $0.startMinute) < ($1.cadre, $1.day, $1.startMinute) }
        var i = 0
        while i < drafts.count {
            var j = i
            while j < drafts.count, drafts[j].cadre == drafts[i].cadre, drafts[j].day == drafts[i].day { j += 1 }
            var busy: [(start: Int, end: Int)] = []
            for k in i..<j {
                let minutes = drafts[k].minutes
                func free(_ start: Int) -> Bool {
                    start >= dayStart && start + minutes <= dayEnd
                        && busy.allSatisfy { start + minutes + gap <= $0.start || start >= $0.end + gap }
                }
                if !free(drafts[k].startMinute) {
                    let after = busy.map { $0.end + gap }.sorted().first(where: free)
                    let before = busy.map { $0.start - gap - minutes }.sorted(by: >).first(where: free)
                    if let moved = after ?? before { drafts[k].startMinute = moved }
                }
                busy.append((drafts[k].startMinute, drafts[k].startMinute + minutes))
            }
            i = j
        }
    }
}
