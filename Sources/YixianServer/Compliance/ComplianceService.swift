import Fluent
import Foundation
import Vapor
import YixianCore

/// Turns the stored facts into the engine's input and evaluates them, each period judged by
/// the policy version in force when that period ended (or today, for periods still running).
enum ComplianceService {
    struct Version: Sendable {
        var model: PolicyVersionModel
        var policy: Policy
        var effectiveFrom: LocalDate
    }

    /// The evaluation behind every compliance page and API answer.
    struct Evaluation: Sendable {
        var asOf: LocalDate
        var cells: [ComplianceCell]
        /// The version that judged each rule id (the newest one when several did).
        var rules: [String: PolicyRule]
        var versions: [Version]
        var contacts: ContactLookup
        var filings: [String: Filing]
        var units: [String: Unit]
        var cadres: [String: Cadre]
        var cadreIDs: [String: UUID]
        var term: Term?
        /// Built once per evaluation, so a page view reads its own few cells instead of filtering
        /// (and copying) the school's hundred thousand on every request.
        let index: CellIndex
        /// Distinct for every evaluation made in this process: what is drawn from it is cached by it (`FragmentCache`).
        let serial = FragmentCache.nextSerial()

        init(asOf: LocalDate, cells: [ComplianceCell], rules: [String: PolicyRule], versions: [Version], contacts: ContactLookup,
             filings: [String: Filing], units: [String: Unit], cadres: [String: Cadre], cadreIDs: [String: UUID], term: Term?) {
            self.asOf = asOf
            self.cells = cells
            self.rules = rules
            self.versions = versions
            self.contacts = contacts
            self.filings = filings
            self.units = units
            self.cadres = cadres
            self.cadreIDs = cadreIDs
            self.term = term
            index = CellIndex(cells, asOf: asOf, term: term)
        }

        func rule(_ id: String) -> PolicyRule? { rules[id] }
        /// The contact kinds and venues of the policy in force on a day.
        func vocabulary(on day: LocalDate) -> ContactVocabulary { ComplianceService.vocabulary(on: day, in: versions) }
        func title(_ id: String) -> String { rules[id]?.title ?? id }

        /// Cells that matter now (in the current term and already started), by whom they judge.
        func current(ofCadre staffNumber: String) -> [ComplianceCell] { index.currentByCadre[staffNumber, default: []].map { cells[$0] } }
        /// A unit's current cells (its cadres', collectives' and its own), not the school's.
        func current(ofUnit code: String) -> [ComplianceCell] { index.currentByUnit[code, default: []].map { cells[$0] } }
        var currentOfSchool: [ComplianceCell] { index.currentOfSchool.map { cells[$0] } }
        func cell(subject: String, rule: String, period: String) -> ComplianceCell? {
            index.position[CellIndex.Key(subject: subject, rule: rule, period: period)].map { cells[$0] }
        }
    }

    /// The ledger lines in memory by id, looked up rather than copied into every evaluation.
    struct ContactLookup: Sendable {
        let stored: ContactTable
        subscript(id: String) -> ContactRecord? { stored[id]?.record }
    }

    /// Positions in `Evaluation.cells`, by what pages ask for, with the tallies they show.
    struct CellIndex: Sendable {
        struct Key: Hashable, Sendable {
            var subject: String
            var rule: String
            var period: String
        }

        var currentByCadre: [String: [Int]] = [:]
        var currentByUnit: [String: [Int]] = [:]
        var currentOfSchool: [Int] = []
        var position: [Key: Int] = [:]
        /// Every cell (any period) by its subject's unit code, for the cells API.
        var byUnit: [String: [Int]] = [:]
        /// Over the current cells: all of them, those that are not the school's, and each unit's.
        var tally = ComplianceTally()
        var tallyBelowSchool = ComplianceTally()
        var tallyByUnit: [String: ComplianceTally] = [:]

        init(_ cells: [ComplianceCell], asOf: LocalDate, term: Term?) {
            position.reserveCapacity(cells.count)
            for (n, cell) in cells.enumerated() {
                // The first cell wins, as `first(where:)` did.
                let key = Key(subject: cell.subject.id, rule: cell.ruleID, period: cell.period.id)
                if position[key] == nil { position[key] = n }
                byUnit[cell.subject.unitCode, default: []].append(n)
                let started = cell.period.start <= asOf
                guard started, term.map({ cell.period.end >= $0.range.start && cell.period.start <= $0.range.end }) ?? true else { continue }
                tally.add(cell.status)
                if cell.subject.kind == .school {
                    currentOfSchool.append(n)
                    continue
                }
                tallyBelowSchool.add(cell.status)
                tallyByUnit[cell.subject.unitCode, default: ComplianceTally()].add(cell.status)
                currentByUnit[cell.subject.unitCode, default: []].append(n)
                if cell.subject.kind == .cadre { currentByCadre[cell.subject.id, default: []].append(n) }
            }
        }
    }

    /// Versions never change once stored, so parsed ones are kept until `policy_versions` changes.
    static func versions(on db: any Database) async throws -> [Version] {
        try await versions(at: try await DataVersions.read(on: db), on: db)
    }

    /// The versions as of `data`, read by the caller.
    static func versions(at data: DataVersions, on db: any Database) async throws -> [Version] {
        let key = data.key(FactTables.policy)
        if let cached = await parsedVersions.get(key) { return cached }
        let parsed = try await parseVersions(on: db)
        await parsedVersions.put(key, parsed)
        return parsed
    }

    /// Shared by every application in the process: the key carries the database's instance number.
    actor ParsedVersions {
        private var entries: [String: [Version]] = [:]
        func get(_ key: String) -> [Version]? { entries[key] }
        func put(_ key: String, _ versions: [Version]) {
            if entries.count > 16 { entries.removeAll() }
            entries[key] = versions
        }
    }

    static let parsedVersions = ParsedVersions()

    static func parseVersions(on db: any Database) async throws -> [Version] {
        try await PolicyVersionModel.query(on: db).sort(\.$version).all().compactMap { model in
            guard let policy = try? PolicyLoader.load(model.sourceText, fileName: "v\(model.version).yaml"),
                  let from = LocalDate(model.effectiveFrom) else { return nil }
            return Version(model: model, policy: policy, effectiveFrom: from)
        }
    }

    /// The version in force on a day: the latest whose effective date is on or before it.
    static func version(on day: LocalDate, in versions: [Version]) -> Int? {
        versions.indices.filter { versions[$0].effectiveFrom <= day }.max { versions[$0].effectiveFrom < versions[$1].effectiveFrom ||
            (versions[$0].effectiveFrom == versions[$1].effectiveFrom && versions[$0].model.version < versions[$1].model.version) }
    }

    /// The contact vocabulary of the version in force on a day (the standard one before any).
    static func vocabulary(on day: LocalDate, in versions: [Version]) -> ContactVocabulary {
        version(on: day, in: versions).map { versions[$0].policy.vocabulary } ?? .standard
    }

    /// The facts arranged for evaluation, once per data version and shared by every as-of day.
    struct Prepared: Sendable {
        var index: ComplianceIndex
        var contacts: ContactLookup
        var units: [String: Unit]
        var cadres: [String: Cadre]
        var cadreIDs: [String: UUID]
        /// The ledger it was built from (`Facts.ledgerEpoch`, `Facts.ledgerRevision`).
        var epoch: Int64
        var revision: Int64
        /// The cadres indexed again when built from a previous one; nil when built in full.
        var reindexedCadres: Int?

        /// With `previous` from the same ledger epoch, only the cadres whose lines changed since
        /// it are indexed again: under a day's writes most refreshes change one cadre of six hundred.
        init(_ facts: Facts, previous: Prepared? = nil) {
            let organization = facts.organization
            let roster = ComplianceRoster(units: organization.units, cadres: organization.cadres, collectives: organization.collectives)
            var input = ComplianceInput(policy: facts.policies.last?.policy ?? Policy(id: "", title: "", roles: [], rules: []),
                                        calendar: facts.calendar, roster: roster, pairings: facts.pairings, cases: facts.cases,
                                        filings: facts.filings, workdays: facts.workdays, supportLogs: facts.supportLogs)
            var updated: ComplianceIndex?
            if let previous, previous.epoch == facts.ledgerEpoch {
                let changed = facts.cadreRevisions.filter { $0.value > previous.revision }.map(\.key)
                input.contacts = changed.flatMap { facts.contactsByCadre[$0] ?? [] }.compactMap { facts.contacts[$0]?.record }
                updated = ComplianceIndex(input, updating: previous.index, changed: Set(changed.compactMap { organization.staffNumbers[$0] }))
            }
            if let updated {
                index = updated
                reindexedCadres = Set(input.contacts.map(\.cadreStaffNumber)).count
            } else {
                input.contacts = facts.contacts.values.map(\.record)
                index = ComplianceIndex(input)
            }
            contacts = ContactLookup(stored: facts.contacts)
            units = Dictionary(organization.units.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
            cadres = Dictionary(organization.cadres.map { ($0.staffNumber, $0) }, uniquingKeysWith: { a, _ in a })
            cadreIDs = organization.cadreIDs
            epoch = facts.ledgerEpoch
            revision = facts.ledgerRevision
        }
    }

    /// Each period judged by the version in force when it ended (or on the as-of day).
    static func compute(asOf: LocalDate, facts: Facts, prepared: Prepared) -> Evaluation? {
        let versions = facts.policies
        guard !versions.isEmpty else { return nil }
        let yearID = facts.calendar.academicYear(containing: asOf)?.id
        var cells: [ComplianceCell] = []
        var rules: [String: PolicyRule] = [:]
        for (index, version) in versions.enumerated() {
            let report = ComplianceEngine.evaluate(prepared.index, asOf: asOf, policy: version.policy, academicYearID: yearID)
            let judged = report.cells.filter { cell in
                Self.version(on: min(cell.period.end, asOf), in: versions) == index
            }
            guard !judged.isEmpty else { continue }
            cells += judged
            for rule in version.policy.rules { rules[rule.id] = rule }
        }
        return Evaluation(asOf: asOf, cells: cells, rules: rules, versions: versions, contacts: prepared.contacts,
                          filings: Dictionary(facts.filings.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }),
                          units: prepared.units, cadres: prepared.cadres, cadreIDs: prepared.cadreIDs,
                          term: facts.calendar.term(containing: asOf))
    }

    /// Tallies of a set of cells, for roll-ups per unit and for the school.
    static func tally(_ cells: some Sequence<ComplianceCell>) -> ComplianceTally {
        var tally = ComplianceTally()
        for cell in cells { tally.add(cell.status) }
        return tally
    }

    /// Validates and stores a new version; it applies from `effectiveFrom`.
    static func upload(text: String, effectiveFrom: LocalDate, by actor: AuditTrail.Actor, now: Date, on db: any Database) async throws -> PolicyVersionModel {
        guard text.utf8.count <= 512 * 1024 else {
            throw AppError.field("text", zh: "策略文件过大（最多 512 KB）", en: "The policy file is too large (at most 512 KB)")
        }
        let policy: Policy
        // Checked against the university's calendar too: `term: 3` on a two-term calendar, a deadline
        // before its academic year begins.
        let years = try await CalendarAPI.load(on: db)
        let calendar = years.isEmpty ? nil : AcademicCalendar(years: years)
        do {
            policy = try PolicyLoader.load(text, fileName: "policy.yaml", calendar: calendar)
        } catch {
            let problems = PolicyLoader.diagnostics(text, calendar: calendar).map {
                AppError.FieldProblem(field: "text", message: Localized(zh: "第 \($0.line) 行第 \($0.column) 列：\($0.message.zh)",
                                                                       en: "line \($0.line), column \($0.column): \($0.message.en)"))
            }
            throw AppError.validation(problems.isEmpty ? [.init(field: "text", message: Localized(zh: "策略文件无效", en: "Invalid policy file"))] : problems)
        }
        return try await db.write { db in
            let next = (try await PolicyVersionModel.query(on: db).max(\.$version) ?? 0) + 1
            let model = PolicyVersionModel()
            model.policyCode = policy.id
            model.version = next
            model.title = policy.title
            model.sourceText = text
            model.effectiveFrom = effectiveFrom.iso
            model.uploadedBy = actor.name
            model.uploadedAt = now
            try await model.create(on: db)
            try await AuditTrail.record("policy.upload", objectType: "policy", objectID: "\(policy.id) v\(next)",
                                        detail: "effective from \(effectiveFrom.iso)", by: actor, on: db)
            return model
        }
    }

    /// The preset files shipped in `policies/`, found from the working directory or the source tree.
    static func presetText(_ name: String, directory: String?) -> String? {
        let candidates: [String?] = [directory, "policies",
                          URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../policies").path]
        for directory in candidates.compactMap({ $0 }) {
            if let data = FileManager.default.contents(atPath: "\(directory)/\(name).yaml"), let text = String(data: data, encoding: .utf8) {
                return text
            }
        }
        return nil
    }
}

/// The facts in memory and the last few evaluations made from them, keyed by as-of day and the
/// data versions they were read at. Single-flight: concurrent readers of the same key await one
/// computation, and the engine's index is built once per data version.
///
/// While a newer evaluation of a day is being computed, or when the previous one was read less
/// than `staleness` ago, other readers get the previous one at once instead of queueing behind a
/// computation — except a reader whose own write came after that previous one was read: they
/// wait, so a cadre who just saved a record sees it counted. So a stream of writes costs one
/// evaluation per `staleness`, not one per write.
actor ComplianceStore {
    let facts = FactStore()
    private var prepared: (key: String, task: Task<ComplianceService.Prepared, Never>)?
    private var evaluations: [(key: String, value: ComplianceService.Evaluation?)] = []
    private var inFlight: [String: Task<ComplianceService.Evaluation?, Never>] = [:]
    /// Per as-of day, the newest evaluation and when the data behind it was read.
    private var latest: [String: (readAt: Date, value: ComplianceService.Evaluation?)] = [:]
    private var computingDays: [String: Int] = [:]
    private let capacity = 8
    private let beforeCompute: @Sendable () async -> Void
    private let beforeRefresh: @Sendable () async -> Void
    /// Evaluations computed (not served from the cache or joined in flight), for tests and benchmarks.
    private(set) var computations = 0

    private let staleness: TimeInterval

    /// `staleness`: how old a previous answer may be and still be served when nothing is being
    /// computed (AppConfig.staleReadSeconds). `beforeCompute` and `beforeRefresh` let a test hold a
    /// computation, or the facts' refresh before it, open.
    init(staleness: TimeInterval = 0, beforeCompute: @escaping @Sendable () async -> Void = {},
         beforeRefresh: @escaping @Sendable () async -> Void = {}) {
        self.beforeRefresh = beforeRefresh
        self.staleness = staleness
        self.beforeCompute = beforeCompute
    }

    func evaluation(asOf: LocalDate, on db: any Database, freshAfter: Date? = nil) async throws -> ComplianceService.Evaluation? {
        let day = asOf.iso
        if let previous = latest[day], Self.mayServePrevious(readAt: previous.readAt, freshAfter: freshAfter,
                                                             computing: computingDays[day, default: 0] > 0, staleness: staleness) {
            return previous.value
        }
        let readAt = Date()
        // From here until the answer is stored this day counts as being computed, the facts' refresh
        // included: readers arriving meanwhile get the previous answer instead of queueing behind the
        // refresh (it copies the ledger's lines on every write).
        computingDays[day, default: 0] += 1
        defer { computingDays[day, default: 1] -= 1 }
        await beforeRefresh()
        let facts = try await self.facts.facts(on: db)
        let factsKey = facts.versions.key(FactTables.compliance)
        let key = "\(day)#\(factsKey)"
        if let hit = evaluations.first(where: { $0.key == key }) { return hit.value }
        if let task = inFlight[key] { return await task.value }
        let prepared = prepared(facts, key: factsKey)
        let hold = beforeCompute
        // Detached: the engine's work runs on the global executor, not on this actor.
        let task = Task.detached {
            await hold()
            return ComplianceService.compute(asOf: asOf, facts: facts, prepared: await prepared.value)
        }
        inFlight[key] = task
        computations += 1
        let value = await task.value
        inFlight[key] = nil
        evaluations.removeAll { $0.key == key }
        evaluations.insert((key, value), at: 0)
        // Under writes a day's answer is superseded every second: keep the two latest per day, not
        // eight copies of the school's cells (RSS passed 450 MB after five minutes of 5 POST/s).
        var sameDay = 0
        evaluations.removeAll { entry in
            guard entry.key.hasPrefix("\(day)#") else { return false }
            sameDay += 1
            return sameDay > 2
        }
        if evaluations.count > capacity { evaluations.removeLast() }
        if latest[day].map({ $0.readAt < readAt }) ?? true { latest[day] = (readAt, value) }
        if latest.count > capacity { latest = latest.filter { $0.key == day } }
        return value
    }

    /// The rule for serving a previous answer, shared with the integrity snapshot: it must include
    /// the reader's own last write, and either a newer one is being computed or it is young enough.
    nonisolated static func mayServePrevious(readAt: Date, freshAfter: Date?, computing: Bool, staleness: TimeInterval) -> Bool {
        freshAfter.map { $0 < readAt } ?? true && (computing || Date().timeIntervalSince(readAt) < staleness)
    }

    /// The workbench: `policy`'s verdicts as of `asOf`, over the same facts and index as the stored
    /// evaluation of that day, which is returned beside them. Nothing is stored or cached.
    func simulate(_ policy: Policy, asOf: LocalDate, on db: any Database) async throws -> (before: ComplianceService.Evaluation?, after: [ComplianceCell]) {
        let before = try await evaluation(asOf: asOf, on: db)
        let facts = try await self.facts.facts(on: db)
        let prepared = prepared(facts, key: facts.versions.key(FactTables.compliance))
        let yearID = facts.calendar.academicYear(containing: asOf)?.id
        let after = await Task.detached {
            ComplianceEngine.evaluate(await prepared.value.index, asOf: asOf, policy: policy, academicYearID: yearID).cells
        }.value
        return (before, after)
    }

    /// How many evaluations are kept (tests).
    var retained: Int { evaluations.count }

    /// How the latest facts were indexed: the cadres indexed again, or nil for a full build (tests).
    var latestReindexedCadres: Int? { get async { await prepared?.task.value.reindexedCadres } }

    /// Whether an evaluation is being computed now (tests).
    var isComputing: Bool { computingDays.values.contains { $0 > 0 } }

    private func prepared(_ facts: Facts, key: String) -> Task<ComplianceService.Prepared, Never> {
        if let prepared, prepared.key == key { return prepared.task }
        let previous = prepared?.task
        let task = Task.detached { ComplianceService.Prepared(facts, previous: await previous?.value) }
        prepared = (key, task)
        return task
    }
}

struct ComplianceStoreKey: StorageKey { typealias Value = ComplianceStore }

extension Application {
    /// One per application (created in `configure`), so two apps in one process never share answers.
    var complianceStore: ComplianceStore { storage[ComplianceStoreKey.self]! }
    var recentWrites: RecentWrites { storage[RecentWrites.Key.self]! }
}

/// When each user last changed something: what their next read must include.
actor RecentWrites {
    struct Key: StorageKey { typealias Value = RecentWrites }
    private var last: [UUID: Date] = [:]

    func note(_ user: UUID, at time: Date = Date()) {
        // Older than any answer still served as "previous": no longer needed.
        if last.count > 10_000 { last = last.filter { $0.value > time.addingTimeInterval(-600) } }
        last[user] = time
    }

    func last(by user: UUID?) -> Date? { user.flatMap { last[$0] } }
}

/// Notes each signed-in user's successful write, after it committed and before it is answered.
struct RecentWritesMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        if request.method != .GET, request.method != .HEAD, response.status.code < 400, let user = request.currentUser {
            await request.application.recentWrites.note(user.id)
        }
        return response
    }
}

extension Request {
    /// The reader's own last write, which what they read next must include.
    func ownLastWrite() async -> Date? { await application.recentWrites.last(by: currentUser?.id) }

    /// The evaluation as of a day, including this reader's own writes.
    func evaluation(asOf: LocalDate) async throws -> ComplianceService.Evaluation? {
        try await application.complianceStore.evaluation(asOf: asOf, on: db, freshAfter: await ownLastWrite())
    }
}
