import Fluent
import FluentSQLiteDriver
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import YixianCore

/// The counters of `data_versions` (CreateDataVersions): one query tells every cache whether
/// what it holds is still current.
struct DataVersions: Hashable, Sendable {
    var values: [String: Int64]

    subscript(table: String) -> Int64 { values[table] ?? 0 }
    var instance: Int64 { self["instance"] }

    static func read(on db: any Database) async throws -> DataVersions {
        // Every page view reads them: SQLite's own rows, not a `Decodable` pass per row.
        if let sqlite = db as? any SQLiteDatabase {
            var values: [String: Int64] = [:]
            for row in try await sqlite.query("SELECT name, version FROM data_versions") {
                guard let name = row.column("name").flatMap({ String(sqliteData: $0) }),
                      let version = row.column("version").flatMap({ Int64(sqliteData: $0) }) else { continue }
                values[name] = max(values[name] ?? version, version)
            }
            return DataVersions(values: values)
        }
        struct Row: Decodable { var name: String; var version: Int64 }
        let rows = try await (db as! any SQLDatabase).raw("SELECT name, version FROM data_versions").all(decoding: Row.self)
        return DataVersions(values: Dictionary(rows.map { ($0.name, $0.version) }, uniquingKeysWith: max))
    }

    /// Whether facts read at `self` include every write counted in `other`.
    func covers(_ other: DataVersions) -> Bool {
        instance == other.instance && other.values.allSatisfy { self[$0.key] >= $0.value }
    }

    /// A cache key over some tables: equal keys mean none of them changed.
    func key(_ tables: [String]) -> String { ([instance] + tables.map { self[$0] }).map(String.init).joined(separator: ".") }
}

/// Which tables each part of the facts is read from.
enum FactTables {
    static let organization = ["units", "cadres", "collectives"]
    static let pairings = ["pairings", "students"]
    static let calendar = ["academic_years", "terms", "special_weeks", "term_vacations", "workday_uploads"]
    static let policy = ["policy_versions"]
    static let filings = ["filings"]
    static let contacts = ["contact_records"]
    static let attachments = ["attachments"]
    static let cases = ["cases"]
    /// Help logs per key student (精准帮扶), for `perKeyStudent` count rules; tracked from migration 44.
    static let supportLogs = ["support_logs"]
    /// What a compliance evaluation depends on.
    static let compliance = organization + pairings + calendar + policy + filings + contacts + cases + supportLogs
    /// What the integrity detectors depend on.
    static let integrity = organization + calendar + policy + contacts + attachments
}

/// The roster as the core sees it, with the id ↔ code maps the server needs around it: the one
/// place rows of units, cadres and collectives become core values (compliance and integrity facts,
/// the pairing world, hand-overs and the demo loader all read it).
struct OrganizationFacts: Sendable {
    var units: [Unit]
    var unitCodes: [UUID: String]
    var unitIDs: [String: UUID]
    var cadres: [Cadre]
    var staffNumbers: [UUID: String]
    var cadreIDs: [String: UUID]
    var cadreNames: [UUID: String]
    var cadreUnits: [UUID: UUID]
    var collectives: [Collective]
    var collectiveCodes: [UUID: String]
    var collectiveIDs: [String: UUID]

    /// Plain rows: Fluent's reflection over 2,600 models was a tenth of a large university's start.
    static func load(on db: any Database) async throws -> OrganizationFacts {
        let sql = db as! any SQLDatabase
        struct UnitRow: Decodable { var id: UUID, code: String, name: String, kind: String, active: Bool, sort_order: Int? }
        struct CadreRow: Decodable {
            var id: UUID, staff_number: String, name: String, unit_id: UUID, posts: String, rank: String, party_member: Bool, tags: String, active: Bool
        }
        struct CollectiveRow: Decodable { var id: UUID, code: String, name: String, kind: String, unit_id: UUID, grade: Int?, size: Int, active: Bool }
        let units = try await sql.raw("SELECT id, code, name, kind, active, sort_order FROM units").all(decoding: UnitRow.self)
        let unitCodes = Dictionary(uniqueKeysWithValues: units.map { ($0.id, $0.code) })
        let cadres = try await sql.raw("SELECT id, staff_number, name, unit_id, posts, rank, party_member, tags, active FROM cadres")
            .all(decoding: CadreRow.self)
        let collectives = try await sql.raw("SELECT id, code, name, kind, unit_id, grade, size, active FROM collectives")
            .all(decoding: CollectiveRow.self)
        return OrganizationFacts(
            units: units.map { Unit(code: $0.code, name: $0.name, kind: UnitKind(rawValue: $0.kind) ?? .affiliated, active: $0.active, sortOrder: $0.sort_order) },
            unitCodes: unitCodes,
            unitIDs: Dictionary(uniqueKeysWithValues: units.map { ($0.code, $0.id) }),
            cadres: cadres.map {
                Cadre(staffNumber: $0.staff_number, name: $0.name, unitCode: unitCodes[$0.unit_id] ?? "", posts: CadreModel.list($0.posts, separator: "、"),
                      rank: Rank(rawValue: $0.rank) ?? .deputySectionChief, partyMember: $0.party_member, tags: CadreModel.list($0.tags, separator: ","),
                      active: $0.active)
            },
            staffNumbers: Dictionary(uniqueKeysWithValues: cadres.map { ($0.id, $0.staff_number) }),
            cadreIDs: Dictionary(uniqueKeysWithValues: cadres.map { ($0.staff_number, $0.id) }),
            cadreNames: Dictionary(uniqueKeysWithValues: cadres.map { ($0.id, $0.name) }),
            cadreUnits: Dictionary(uniqueKeysWithValues: cadres.map { ($0.id, $0.unit_id) }),
            collectives: collectives.map {
                Collective(code: $0.code, name: $0.name, kind: CollectiveKind(rawValue: $0.kind) ?? .class, unitCode: unitCodes[$0.unit_id] ?? "",
                           grade: $0.grade, size: $0.size, active: $0.active)
            },
            collectiveCodes: Dictionary(uniqueKeysWithValues: collectives.map { ($0.id, $0.code) }),
            collectiveIDs: Dictionary(uniqueKeysWithValues: collectives.map { ($0.code, $0.id) }))
    }
}

/// The pairings of the database as core values, each beside its row id, read against the roster
/// (a pairing whose cadre is gone or whose dates do not parse is left out).
struct StoredPairings: Sendable {
    var pairings: [Pairing]
    var ids: [UUID]

    static func load(_ organization: OrganizationFacts, on db: any Database) async throws -> StoredPairings {
        struct Row: Decodable {
            var id: UUID, cadre_id: UUID, kind: String, collective_id: UUID?, student_number: String?, college_id: UUID?
            var academic_year: String, start_date: String, end_date: String
        }
        // Plain rows with the key student's number joined in, as the roster above.
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT p.id, p.cadre_id, p.kind, p.collective_id, s.student_number, p.college_id, p.academic_year, p.start_date, p.end_date \
            FROM pairings p LEFT JOIN students s ON s.id = p.student_id
            """).all(decoding: Row.self)
        var stored = StoredPairings(pairings: [], ids: [])
        for p in rows {
            guard let staff = organization.staffNumbers[p.cadre_id], let start = LocalDate(p.start_date), let end = LocalDate(p.end_date),
                  start <= end, let kind = Pairing.Kind(rawValue: p.kind) else { continue }
            stored.pairings.append(Pairing(cadreStaffNumber: staff, kind: kind, collectiveCode: p.collective_id.flatMap { organization.collectiveCodes[$0] },
                                           studentNumber: p.student_number,
                                           collegeCode: p.college_id.flatMap { organization.unitCodes[$0] }, academicYearID: p.academic_year,
                                           range: DateRange(start: start, end: end)))
            stored.ids.append(p.id)
        }
        return stored
    }
}

extension Facts {
    /// The help logs with staff and student numbers; a log of a cadre or student no longer in the roster is left out.
    static func loadSupportLogs(_ organization: OrganizationFacts, on db: any Database) async throws -> [SupportLog] {
        let rows = try await SupportLogModel.query(on: db).with(\.$student).all()
        return rows.compactMap { row in
            guard let staff = organization.staffNumbers[row.$cadre.id], let day = LocalDate(row.day) else { return nil }
            return SupportLog(id: row.id!.uuidString, cadreStaffNumber: staff, studentNumber: row.student.studentNumber, day: day, kind: row.kind)
        }
    }
}

/// A ledger line with what the integrity detectors read besides the core record.
struct StoredContact: Sendable {
    var cadreID: UUID
    var record: ContactRecord
    var summary: String
    var createdAt: Date
    var submittedAt: Date?
    var backdateReason: String?

    /// The columns read, as plain rows: Fluent's model decoding was most of a full ledger load.
    struct Row: Decodable {
        var id: UUID
        var cadre_id: UUID
        var kind: String
        var start_at: Date
        var end_at: Date
        var place: String
        var venue: String?
        var collective_codes: String
        var college_code: String?
        var participant_count: Int
        var hours: Double
        var confirmed_count: Int
        var status: String
        var summary: String
        var created_at: Date
        var submitted_at: Date?
        var backdate_reason: String?
        var participant_numbers: String?
        /// The id as SQLite holds it, when that is already `uuidString`'s form: not written again.
        var idText: String? = nil
    }

    init(_ row: Row, staffNumber: String) {
        cadreID = row.cadre_id
        record = ContactRecord(id: row.idText ?? row.id.text, cadreStaffNumber: staffNumber, kind: row.kind, start: row.start_at, end: row.end_at,
                               place: row.place, venue: row.venue, collectiveCodes: ContactRecordModel.collectiveList(row.collective_codes),
                               collegeCode: row.college_code, participantCount: row.participant_count, hours: row.hours,
                               confirmedByStudents: row.confirmed_count, status: ContactRecord.Status(rawValue: row.status) ?? .submitted,
                               participantNumbers: row.participant_numbers.map(ContactRecordModel.collectiveList))
        summary = row.summary
        createdAt = row.created_at
        submittedAt = row.submitted_at
        backdateReason = row.backdate_reason
    }

    /// Every ledger line, or those with the given ids, of cadres in the roster.
    static func load(ids: [UUID]? = nil, organization: OrganizationFacts, on db: any Database) async throws -> [StoredContact] {
        if ids == nil, let sqlite = db as? any SQLiteDatabase {
            // The whole ledger at start-up and after a large change: SQLite's own rows, column by
            // column, cost a fifth of decoding each through `Decodable` (25 % of a large start).
            let rows = try await sqlite.collectedRows("SELECT \(Row.columns.joined(separator: ", ")) FROM \(ContactRecordModel.schema)")
            return rows.compactMap { sqliteRow in
                guard let row = Row(sqliteRow) else { return nil }
                return organization.staffNumbers[row.cadre_id].map { StoredContact(row, staffNumber: $0) }
            }
        }
        let sql = db as! any SQLDatabase
        var query = sql.select().columns(Row.columns.map { SQLColumn($0) }).from(ContactRecordModel.schema)
        if let ids { query = query.where(SQLColumn("id"), .in, SQLBind.group(ids)) }
        return try await query.all(decoding: Row.self).compactMap { row in
            organization.staffNumbers[row.cadre_id].map { StoredContact(row, staffNumber: $0) }
        }
    }
}

extension StoredContact.Row {
    /// A row read straight from SQLite; nil when a required column is missing or malformed.
    init?(_ row: SQLiteRow) {
        func text(_ name: String) -> String? { row.column(name).flatMap { String(sqliteData: $0) } }
        func date(_ name: String) -> Date? { row.column(name).flatMap { Date(sqliteData: $0) } }
        let idText = text("id")
        guard let id = idText.flatMap(UUID.init(text:)), let cadre = text("cadre_id").flatMap(UUID.init(text:)),
              let kind = text("kind"), let start = date("start_at"), let end = date("end_at"), let place = text("place"),
              let codes = text("collective_codes"), let participants = row.column("participant_count").flatMap({ Int(sqliteData: $0) }),
              let hours = row.column("hours").flatMap({ Double(sqliteData: $0) }),
              let confirmed = row.column("confirmed_count").flatMap({ Int(sqliteData: $0) }),
              let status = text("status"), let summary = text("summary"), let created = date("created_at") else { return nil }
        self.init(id: id, cadre_id: cadre, kind: kind, start_at: start, end_at: end, place: place, venue: text("venue"),
                  collective_codes: codes, college_code: text("college_code"), participant_count: participants, hours: hours,
                  confirmed_count: confirmed, status: status, summary: summary, created_at: created,
                  submitted_at: date("submitted_at"), backdate_reason: text("backdate_reason"), participant_numbers: text("participant_numbers"),
                  idText: idText.flatMap { $0.utf8.contains { UInt8(ascii: "a")...UInt8(ascii: "f") ~= $0 } ? nil : $0 })
    }

    static let columns = ["id", "cadre_id", "kind", "start_at", "end_at", "place", "venue", "collective_codes", "college_code",
                          "participant_count", "hours", "confirmed_count", "status", "summary", "created_at", "submitted_at", "backdate_reason",
                          "participant_numbers"]
}

/// The ledger's lines by record id, in shards: a refresh that changes a few lines copies the
/// shards holding them, not a dictionary of the school's fifty thousand (7.5 % of the server's
/// time under 5 writes a second, when it was one dictionary).
struct ContactTable: Sendable {
    private var shards: [[String: StoredContact]]
    private static let shardCount = 64

    init(_ contacts: [StoredContact] = []) {
        // Room for each shard's share up front: growing 64 dictionaries step by step was a tenth of reading a large ledger.
        shards = (0..<Self.shardCount).map { _ in Dictionary(minimumCapacity: contacts.count / Self.shardCount * 5 / 4) }
        for contact in contacts {
            let shard = Self.shard(contact.record.id)
            if shards[shard][contact.record.id] == nil { shards[shard][contact.record.id] = contact }
        }
    }

    /// Ids are UUID strings: their last character is as good as a hash and costs nothing.
    private static func shard(_ id: String) -> Int { Int(id.utf8.last ?? 0) % shardCount }

    subscript(id: String) -> StoredContact? {
        get { shards[Self.shard(id)][id] }
        set { shards[Self.shard(id)][id] = newValue }
    }

    var values: FlattenSequence<LazyMapSequence<[[String: StoredContact]], Dictionary<String, StoredContact>.Values>> {
        shards.lazy.map(\.values).joined()
    }

    var count: Int { shards.reduce(0) { $0 + $1.count } }

    var keys: some Sequence<String> { shards.lazy.map(\.keys).joined() }

    /// Each line rewritten by `transform`, or dropped where it gives nil.
    func compactMapValues(_ transform: (StoredContact) -> StoredContact?) -> ContactTable {
        var table = self
        table.shards = shards.map { $0.compactMapValues(transform) }
        return table
    }
}

struct AttachmentFact: Sendable, Equatable {
    var sha256: String
    var captureTime: Date?
}

/// Everything the compliance engine and the integrity detectors read, as of `versions`.
struct Facts: Sendable {
    /// A lower bound: the rows were read after these counters, so they may be newer, never older.
    var versions: DataVersions
    var organization: OrganizationFacts
    var pairings: [Pairing]
    var calendar: AcademicCalendar
    /// The PRC workdays in force (built-in years and the admin's uploads).
    var workdays: WorkdayCalendar
    var policies: [ComplianceService.Version]
    var filings: [Filing]
    /// Students' cases, for the policy's `response` rules.
    var cases: [StudentCase]
    /// Help logs per key student, for `perKeyStudent` count rules (§4.20).
    var supportLogs: [SupportLog] = []
    /// Keyed by record id; lines of cadres no longer in the roster are left out.
    var contacts: ContactTable
    var attachments: [String: [AttachmentFact]]
    /// Record ids of each cadre's lines, kept as lines come and go.
    var contactsByCadre: [UUID: Set<String>]
    /// Per cadre, when their lines or their lines' files last changed (absent: not since `ledgerEpoch`
    /// began). What is worked out per cadre is reused while this and the epoch are unchanged.
    var cadreRevisions: [UUID: Int64]
    /// Changes when the ledger is read in full or the roster changes: per-cadre results of an
    /// earlier epoch are never reused.
    var ledgerEpoch: Int64

    /// At least every revision in `cadreRevisions`; a later refresh that changes a line gives its
    /// cadre a greater one, so "changed since these facts" is "revision above this".
    var ledgerRevision: Int64 { versions["contact_records"] + versions["attachments"] }

    /// Reads what changed since `base` (everything when there is none), ledger lines one by one.
    static func load(_ wanted: DataVersions, from base: Facts?, on db: any Database) async throws -> Facts {
        let base = base.flatMap { $0.versions.instance == wanted.instance ? $0 : nil }
        func stale(_ tables: [String]) -> Bool { base.map { b in tables.contains { b.versions[$0] < wanted[$0] } } ?? true }
        var versions = wanted
        if let base { versions.values.merge(base.versions.values, uniquingKeysWith: max) }

        let organizationChanged = stale(FactTables.organization)
        let organization = organizationChanged ? try await OrganizationFacts.load(on: db) : base!.organization
        let pairings = organizationChanged || stale(FactTables.pairings) ? try await StoredPairings.load(organization, on: db).pairings : base!.pairings
        let calendar = stale(FactTables.calendar) ? AcademicCalendar(years: try await CalendarAPI.load(on: db)) : base!.calendar
        let workdays = stale(["workday_uploads"]) ? try await WorkdayUploads.current(on: db) : base!.workdays
        let policies = stale(FactTables.policy) ? try await ComplianceService.versions(on: db) : base!.policies
        let filings = organizationChanged || stale(FactTables.filings) ? try await loadFilings(organization, on: db) : base!.filings
        let attachments = stale(FactTables.attachments) ? try await loadAttachments(on: db) : base!.attachments
        let cases = organizationChanged || stale(FactTables.cases) ? try await loadCases(organization, on: db) : base!.cases
        let supportLogs = organizationChanged || stale(FactTables.pairings + FactTables.supportLogs)
            ? try await loadSupportLogs(organization, on: db) : base!.supportLogs

        var contacts: ContactTable
        var ledger = base.flatMap { organizationChanged ? nil : Ledger(byCadre: $0.contactsByCadre, revisions: $0.cadreRevisions, epoch: $0.ledgerEpoch) }
        // Greater than every earlier revision: one of the two counters moved for anything to change.
        let revision = wanted["contact_records"] + wanted["attachments"]
        let since = base?.versions["contact_records"] ?? 0
        if let base, !stale(FactTables.contacts) {
            contacts = base.contacts
        } else if let base, wanted["contact_records"] - since < Int64(CreateDataVersions.keptChanges / 2) {
            contacts = base.contacts
            let changed = try await refresh(&contacts, changedSince: since, organization: organization, on: db)
            for id in changed {
                let key = id.uuidString
                if let old = base.contacts[key] { ledger?.remove(key, of: old.cadreID, revision: revision) }
                if let new = contacts[key] { ledger?.add(key, of: new.cadreID, revision: revision) }
            }
        } else {
            let all = try await StoredContact.load(organization: organization, on: db)
            contacts = ContactTable(all)
            ledger = nil
        }
        if var kept = ledger, let base, stale(FactTables.attachments) {
            // Files are read whole; the cadres whose lines' files differ are the changed ones.
            for id in Set(base.attachments.keys).union(attachments.keys) where base.attachments[id] != attachments[id] {
                if let cadre = contacts[id]?.cadreID ?? base.contacts[id]?.cadreID { kept.revisions[cadre] = revision }
            }
            ledger = kept
        }
        if organizationChanged, base != nil {
            // A staff number may have changed: the core record names the cadre by it.
            contacts = contacts.compactMapValues { contact in
                guard let staff = organization.staffNumbers[contact.cadreID] else { return nil }
                var contact = contact
                contact.record.cadreStaffNumber = staff
                return contact
            }
        }
        let kept = ledger ?? Ledger(contacts, epoch: Self.nextEpoch())
        return Facts(versions: versions, organization: organization, pairings: pairings, calendar: calendar, workdays: workdays, policies: policies,
                     filings: filings, cases: cases, supportLogs: supportLogs, contacts: contacts, attachments: attachments,
                     contactsByCadre: kept.byCadre, cadreRevisions: kept.revisions, ledgerEpoch: kept.epoch)
    }

    /// Who holds which lines, and since when, while the facts are refreshed.
    private struct Ledger {
        var byCadre: [UUID: Set<String>]
        var revisions: [UUID: Int64]
        var epoch: Int64

        init(byCadre: [UUID: Set<String>], revisions: [UUID: Int64], epoch: Int64) {
            self.byCadre = byCadre
            self.revisions = revisions
            self.epoch = epoch
        }

        init(_ contacts: ContactTable, epoch: Int64) {
            var byCadre: [UUID: Set<String>] = [:]
            for contact in contacts.values { byCadre[contact.cadreID, default: []].insert(contact.record.id) }
            self.init(byCadre: byCadre, revisions: [:], epoch: epoch)
        }

        mutating func remove(_ id: String, of cadre: UUID, revision: Int64) {
            byCadre[cadre]?.remove(id)
            if byCadre[cadre]?.isEmpty == true { byCadre[cadre] = nil }
            revisions[cadre] = revision
        }

        mutating func add(_ id: String, of cadre: UUID, revision: Int64) {
            byCadre[cadre, default: []].insert(id)
            revisions[cadre] = revision
        }
    }

    private static let epochs = NIOLockedValueBox<Int64>(0)
    private static func nextEpoch() -> Int64 { epochs.withLockedValue { $0 += 1; return $0 } }

    /// Re-reads the lines changed since `version`; returns their ids.
    private static func refresh(_ contacts: inout ContactTable, changedSince version: Int64,
                                organization: OrganizationFacts, on db: any Database) async throws -> Set<UUID> {
        struct Change: Decodable { var record_id: UUID }
        let changed = Set(try await (db as! any SQLDatabase)
            .raw("SELECT record_id FROM contact_changes WHERE version > \(bind: version)").all(decoding: Change.self).map(\.record_id))
        guard !changed.isEmpty else { return changed }
        for id in changed { contacts[id.uuidString] = nil }
        // Chunks keep each statement well under SQLite's and PostgreSQL's bound-parameter limits.
        for chunk in Array(changed).chunked(into: 500) {
            for contact in try await StoredContact.load(ids: Array(chunk), organization: organization, on: db) { contacts[contact.record.id] = contact }
        }
        return changed
    }

    private static func loadFilings(_ organization: OrganizationFacts, on db: any Database) async throws -> [Filing] {
        try await FilingModel.query(on: db).all().compactMap { f in
            guard let day = LocalDate(f.submittedOn) else { return nil }
            return Filing(id: f.id!.uuidString, unitCode: organization.unitCodes[f.$unit.id] ?? "", termID: f.termCode, kind: f.kind,
                          submittedOn: day, periodID: f.periodID, cadreStaffNumber: f.cadreStaffNumber)
        }
    }

    /// Cases waiting for dispatch count for the school only: no unit holds them yet.
    private static func loadCases(_ organization: OrganizationFacts, on db: any Database) async throws -> [StudentCase] {
        struct Row: Decodable {
            var id: UUID
            var responsible_unit_id: UUID?
            var tier: String
            var received_on: String
            var first_responded_on: String?
            var answered_on: String?
            var pauses: String
            var extension_days: Int?
        }
        // A case merged into another or split into several is answered through those, not itself.
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT id, responsible_unit_id, tier, received_on, first_responded_on, answered_on, pauses, extension_days FROM cases
            WHERE closed_as IS NULL
            """).all(decoding: Row.self)
        return rows.compactMap { row in
            guard let received = LocalDate(row.received_on) else { return nil }
            return StudentCase(id: row.id.uuidString, responsibleUnitCode: row.responsible_unit_id.flatMap { organization.unitCodes[$0] } ?? "",
                               tier: row.tier, receivedOn: received, firstRespondedOn: row.first_responded_on.flatMap(LocalDate.init),
                               answeredOn: row.answered_on.flatMap(LocalDate.init),
                               pauses: (try? JSONDecoder().decode([DateRange].self, from: Data(row.pauses.utf8))) ?? [],
                               extensionDays: row.extension_days ?? 0)
        }
    }

    private static func loadAttachments(on db: any Database) async throws -> [String: [AttachmentFact]] {
        var attachments: [String: [AttachmentFact]] = [:]
        for file in try await AttachmentModel.query(on: db).field(\.$record.$id).field(\.$sha256).field(\.$captureTime).all() {
            attachments[file.$record.id.uuidString, default: []].append(AttachmentFact(sha256: file.sha256, captureTime: file.captureTime))
        }
        return attachments
    }
}

extension Array {
    func chunked(into size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

/// The facts in memory, refreshed from the data versions. One refresh at a time: concurrent
/// readers that need the same or older data await it instead of reading the tables themselves,
/// and each refresh starts from the newest facts the previous one left.
actor FactStore {
    private var current: Facts?
    private var refresh: (target: DataVersions, task: Task<Facts, any Error>)?

    /// Facts at least as new as the database is now: what a reader who just wrote must see.
    func facts(on db: any Database) async throws -> Facts {
        try await facts(at: try await DataVersions.read(on: db), on: db)
    }

    func facts(at wanted: DataVersions, on db: any Database) async throws -> Facts {
        if let current, current.versions.covers(wanted) { return current }
        if let refresh, refresh.target.covers(wanted) { return try await refresh.task.value }
        let previous = refresh?.task
        let task = Task { () async throws -> Facts in
            _ = try? await previous?.value
            if let current = self.current, current.versions.covers(wanted) { return current }
            let loaded = try await Facts.load(wanted, from: self.current, on: db)
            self.adopt(loaded)
            return loaded
        }
        refresh = (wanted, task)
        defer { if refresh?.target == wanted { refresh = nil } }
        return try await task.value
    }

    /// Keeps the newer of what is held and what was loaded (a slower refresh may finish last).
    private func adopt(_ facts: Facts) {
        if let current, current.versions.instance == facts.versions.instance, !facts.versions.covers(current.versions) { return }
        current = facts
    }
}
