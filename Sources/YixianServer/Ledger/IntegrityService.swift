import Fluent
import Foundation
import Plot
import Vapor
import YixianCore

/// Feeds the ledger to the integrity detectors and keeps the last answer while the data is unchanged.
enum IntegrityService {
    /// Whose a filed record is and when it began: what the flag list shows and scopes by.
    struct RecordFact: Sendable {
        var start: Date
        var cadre: String
        var cadreID: UUID
        var unitID: UUID
    }

    /// The record facts of the ledger in memory, looked up rather than copied per snapshot, and
    /// cut to a reader's scope when one is set.
    struct RecordFacts: Sendable {
        fileprivate let contacts: ContactTable
        fileprivate let organization: OrganizationFacts
        fileprivate var inScope: (@Sendable (RecordFact) -> Bool)?

        init(_ facts: Facts) {
            contacts = facts.contacts
            organization = facts.organization
        }

        /// Filed lines (submitted at least once) of cadres in the roster, within the scope.
        subscript(id: String) -> RecordFact? {
            guard let contact = contacts[id], contact.submittedAt != nil, let name = organization.cadreNames[contact.cadreID],
                  let unit = organization.cadreUnits[contact.cadreID] else { return nil }
            let fact = RecordFact(start: contact.record.start, cadre: name, cadreID: contact.cadreID, unitID: unit)
            return inScope.map { $0(fact) } ?? true ? fact : nil
        }
    }

    /// The detectors' answer with the record facts read for it, kept together so a page view
    /// neither re-reads the ledger nor runs a second query to scope or describe the flags.
    struct Snapshot: Sendable {
        var flags: [IntegrityFlag] { didSet { counts = Self.counts(flags) } }
        var records: RecordFacts
        /// Flags per kind, counted when the flags are set rather than on every view.
        private(set) var counts: [IntegrityFlagKind: Int]
        /// Distinct per computed snapshot (a reader's scoped copy keeps it): what a page drawn from it is cached by.
        let serial = FragmentCache.nextSerial()

        init(flags: [IntegrityFlag], records: RecordFacts) {
            self.flags = flags
            self.records = records
            counts = Self.counts(flags)
        }

        private static func counts(_ flags: [IntegrityFlag]) -> [IntegrityFlagKind: Int] {
            var counts: [IntegrityFlagKind: Int] = [:]
            for flag in flags { counts[flag.kind, default: 0] += 1 }
            return counts
        }
    }

    /// One cadre's share of a snapshot, reused while their lines (and the day, calendar and
    /// policy) are unchanged: a write re-runs the detectors for the cadre who wrote, not the school.
    struct CadrePart: Sendable {
        var revision: Int64
        var flags: [IntegrityFlag]
        var shared: [IntegrityDetector.SharedTraits]
    }

    struct Parts: Sendable {
        var context: String
        var epoch: Int64
        var byCadre: [UUID: CadrePart]
    }

    static func input(_ contact: StoredContact, facts: Facts) -> IntegrityInput? {
        guard let submitted = contact.submittedAt else { return nil }
        let files = facts.attachments[contact.record.id] ?? []
        return IntegrityInput(record: contact.record, createdAt: submitted, summary: contact.summary,
                              attachmentHashes: files.map(\.sha256), photoCaptureTimes: files.compactMap(\.captureTime),
                              backdateReason: contact.backdateReason)
    }

    /// The flags for the facts in memory, computed once per data version and day.
    /// While a newer snapshot is computed, the previous one of the day is served (see ComplianceStore),
    /// unless the reader's own write came after it was read.
    static func snapshot(on db: any Database, app: Application, freshAfter: Date? = nil) async throws -> Snapshot {
        let readAt = app.now
        let today = LocalDate(readAt)
        let cache = app.integrityCache
        if let previous = await cache.previous(day: today.iso, freshAfter: freshAfter) { return previous }
        let window = app.yixian.backdateWindowDays
        // Readers arriving while this one refreshes the facts get the previous snapshot, as they do
        // while it computes.
        let facts = try await cache.whileRefreshing { try await app.complianceStore.facts.facts(on: db) }
        return await cache.snapshot("\(today.iso)#\(facts.versions.key(FactTables.integrity))", day: today.iso, readAt: readAt) { parts in
            compute(facts, asOf: today, backdateWindowDays: window, reusing: parts)
        }
    }

    /// The flags of every cadre's lines, reusing the parts of cadres unchanged since `previous`.
    static func compute(_ facts: Facts, asOf today: LocalDate, backdateWindowDays: Int = ContactRules.defaultBackdateWindowDays,
                        reusing previous: Parts? = nil) -> (snapshot: Snapshot, parts: Parts) {
        let periods = facts.calendar.years.flatMap(\.terms).map { IntegrityPeriod(name: $0.label, range: $0.range) }
        let vocabulary = ComplianceService.vocabulary(on: today, in: facts.policies)
        let expecting = Set(vocabulary.kinds.filter(\.inPerson).map(\.code))
        let rules = IntegrityRules(backdateWindowDays: backdateWindowDays)
        let context = "\(today.iso)#\(facts.versions.key(FactTables.calendar + FactTables.policy))#\(rules.backdateWindowDays)"
        let reusable = previous.flatMap { $0.context == context && $0.epoch == facts.ledgerEpoch ? $0.byCadre : nil } ?? [:]
        var parts: [UUID: CadrePart] = [:]
        parts.reserveCapacity(facts.contactsByCadre.count)
        for (cadre, ids) in facts.contactsByCadre where facts.organization.cadreNames[cadre] != nil && facts.organization.cadreUnits[cadre] != nil {
            let revision = facts.cadreRevisions[cadre] ?? 0
            if let part = reusable[cadre], part.revision == revision {
                parts[cadre] = part
                continue
            }
            let inputs = ids.compactMap { facts.contacts[$0].flatMap { input($0, facts: facts) } }
            parts[cadre] = CadrePart(revision: revision,
                                     flags: IntegrityDetector.cadreFlags(inputs, periods: periods, kindsExpectingStudents: expecting, asOf: today, rules: rules),
                                     shared: inputs.compactMap { IntegrityDetector.SharedTraits($0, rules: rules) })
        }
        let records = RecordFacts(facts)
        let flags = parts.values.flatMap(\.flags) + IntegrityDetector.sharedFlags(parts.values.flatMap(\.shared))
        // Newest first, by the latest record a flag names, then as the detectors order them:
        // sorted once here, not on every view, and the same however the parts were gathered.
        let keyed: [(latest: Date, first: String, flag: IntegrityFlag)] = flags.map { flag in
            let latest: Date = flag.recordIDs.compactMap { records[$0]?.start }.max() ?? .distantPast
            return (latest, flag.recordIDs.first ?? "", flag)
        }
        let sorted = keyed.sorted { a, b in
            if a.latest != b.latest { return a.latest > b.latest }
            if a.first != b.first { return a.first > b.first }
            return IntegrityDetector.precedes(a.flag, b.flag)
        }.map(\.flag)
        return (Snapshot(flags: sorted, records: records), Parts(context: context, epoch: facts.ledgerEpoch, byCadre: parts))
    }

    /// One record's flags as this reader may see them (a shared flag is cut to the reader's scope).
    static func flags(for recordID: String, visibleTo user: CurrentUser, on db: any Database, app: Application,
                      freshAfter: Date? = nil) async throws -> [IntegrityFlag] {
        try await visible(to: user, on: db, app: app, freshAfter: freshAfter).flags.filter { $0.recordIDs.contains(recordID) }
    }

    /// What a reader may see: every flag, or for a unit secretary those touching the unit's records.
    static func visible(to user: CurrentUser, on db: any Database, app: Application, freshAfter: Date? = nil) async throws -> Snapshot {
        var snapshot = try await snapshot(on: db, app: app, freshAfter: freshAfter)
        let inScope: @Sendable (RecordFact) -> Bool
        switch user.scope {
        case .institution: return snapshot
        case .unit: let unit = try user.rosterUnitScope(); inScope = { $0.unitID == unit }
        case .own: let cadre = user.cadreID; inScope = { cadre != nil && $0.cadreID == cadre }
        }
        var records = snapshot.records
        records.inScope = inScope
        snapshot.flags = snapshot.flags.compactMap { flag in
            let own = flag.recordIDs.filter { records[$0] != nil }
            guard !own.isEmpty else { return nil }
            let others = flag.recordIDs.count - own.count
            guard others > 0 else { return flag }
            // A flag shared with another unit's records: the secretary sees that it exists, not
            // the other unit's records, cadres or wording (which the full reason may quote).
            return IntegrityFlag(kind: flag.kind, recordIDs: own, reason: Localized(
                zh: "你可查看的 \(own.count) 条记录与范围外的 \(others) 条记录同有此情况；范围外记录的详情不显示。",
                en: "\(own.count) record(s) you may see share this with \(others) record(s) outside your scope, whose details are not shown."))
        }
        snapshot.records = records
        return snapshot
    }

    /// The last snapshot, and the one being computed: concurrent readers await a single computation.
    actor Cache {
        private var entry: (key: String, day: String, readAt: Date, snapshot: Snapshot)?
        private var inFlight: (key: String, task: Task<Snapshot, Never>)?
        /// Of the last computation, whichever its day: what the next one may reuse.
        private var parts: Parts?
        private let staleness: TimeInterval

        init(staleness: TimeInterval = 0) { self.staleness = staleness }

        func previous(day: String, freshAfter: Date?) -> Snapshot? {
            guard let entry, entry.day == day, ComplianceStore.mayServePrevious(readAt: entry.readAt, freshAfter: freshAfter,
                                                                                  computing: inFlight != nil || refreshes > 0,
                                                                                  staleness: staleness) else { return nil }
            return entry.snapshot
        }

        /// Readers refreshing the facts for a new snapshot.
        private var refreshes = 0

        /// Runs `refresh` counted as under way, whether it returns or throws.
        func whileRefreshing<T: Sendable>(_ refresh: @Sendable () async throws -> T) async throws -> T {
            refreshes += 1
            defer { refreshes -= 1 }
            return try await refresh()
        }

        func snapshot(_ key: String, day: String, readAt: Date,
                      compute: @escaping @Sendable (Parts?) -> (snapshot: Snapshot, parts: Parts)) async -> Snapshot {
            if let entry, entry.key == key { return entry.snapshot }
            if let inFlight, inFlight.key == key { return await inFlight.task.value }
            let previous = parts
            let task = Task.detached { () -> Snapshot in
                let (snapshot, parts) = compute(previous)
                await self.keep(parts)
                return snapshot
            }
            inFlight = (key, task)
            let snapshot = await task.value
            if inFlight?.key == key { inFlight = nil }
            if entry.map({ $0.readAt < readAt }) ?? true { entry = (key, day, readAt, snapshot) }
            return snapshot
        }

        private func keep(_ parts: Parts) { self.parts = parts }
    }

    struct CacheKey: StorageKey { typealias Value = Cache }
}

extension Application {
    /// One per application (created in `configure`), so two apps in one process never share answers.
    var integrityCache: IntegrityService.Cache { storage[IntegrityService.CacheKey.self]! }
}
