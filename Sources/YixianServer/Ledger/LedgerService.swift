import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor
import YixianCore

extension ProblemInput: Content {}
extension ContactInput: Content {}

struct ContactDTO: Content {
    struct CadreRef: Content {
        var id: UUID
        var staffNumber: String
        var name: String
    }
    struct ProblemDTO: Content {
        var text: String
        var category: String
        var collectiveCode: String?
    }
    var id: UUID
    var cadre: CadreRef
    var kind: String
    var kindLabel: Localized
    var start: Date
    var end: Date
    var place: String
    var venue: String?
    var collectiveCodes: [String]
    var participantCount: Int
    var hours: Double
    var summary: String
    var status: String
    var version: Int
    var confirmations: Int
    /// Shown only to the record's cadre and to admins.
    var confirmCode: String?
    var backdateReason: String?
    var problems: [ProblemDTO]
    var createdAt: Date
    var submittedAt: Date?
    /// Student numbers of those who took part (§4.14); absent when the line names none.
    var participantNumbers: [String]? = nil
}

/// What a ledger line looked like before a correction. A stored format, kept apart from
/// `ContactDTO` on purpose: it must decode every version ever written, while the DTO follows the API.
struct ContactSnapshot: Codable, Sendable {
    var kind: String
    var start: Date
    var end: Date
    var place: String
    var venue: String?
    var collectiveCodes: [String]
    var participantCount: Int
    var summary: String
    // Versions saved before these were kept decode them as nil.
    var problems: [ContactDTO.ProblemDTO]? = nil
    var backdateReason: String? = nil
    var attachments: [AttachmentRef]? = nil
    var participantNumbers: [String]? = nil

    struct AttachmentRef: Codable, Sendable, Equatable {
        var sha256: String
        var kind: String
        var name: String
    }
}

/// The rules of the ledger: what a valid record is, who may write it, and that a submitted
/// record is corrected (keeping its history), never deleted.
enum LedgerService {
    static func newConfirmCode() -> String {
        var generator = SystemRandomNumberGenerator()
        return ConfirmationCode.make(using: &generator)
    }

    static func vocabulary(on db: any Database, now: Date) async throws -> ContactVocabulary {
        ComplianceService.vocabulary(on: LocalDate(now), in: try await ComplianceService.versions(on: db))
    }

    /// Collectives a cadre may record contacts with: those paired with them and those of their own unit.
    static func allowedCollectives(for cadre: CadreModel, on db: any Database) async throws -> [CollectiveModel] {
        let paired = try await PairingModel.query(on: db).filter(\.$cadre.$id == cadre.id!).all().compactMap { $0.$collective.id }
        return try await CollectiveModel.query(on: db).group(.or) { group in
            group.filter(\.$unit.$id == cadre.$unit.id)
            if !paired.isEmpty { group.filter(\.$id ~~ paired) }
        }.filter(\.$active == true).sort(\.$code).all()
    }

    /// Which of `codes` the cadre may name (`allowedCollectives`, the form's picker; `ContactInsertTests`
    /// checks the two agree), in one statement and without
    /// loading the rest: a record usually names none or one, and its cadre's unit may have hundreds.
    static func allowedCodes(among codes: Set<String>, for cadre: CadreModel, on db: any Database) async throws -> Set<String> {
        guard !codes.isEmpty else { return [] }
        let sql = db as! any SQLDatabase
        struct Row: Decodable { var code: String }
        let rows = try await sql.raw("""
            SELECT code FROM collectives WHERE code IN (\(binds: codes.sorted())) AND active = \(bind: true) AND \
            (unit_id = \(bind: cadre.$unit.id) OR id IN (SELECT collective_id FROM pairings WHERE cadre_id = \(bind: cadre.id!)))
            """).all(decoding: Row.self)
        return Set(rows.map(\.code))
    }

    /// Which of the typed student numbers are students of the roster (§4.14), in one query; the rest are refused.
    static func knownStudents(among numbers: [String], on db: any Database) async throws -> Set<String> {
        let wanted = Set(numbers.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty })
        guard !wanted.isEmpty, wanted.count <= ContactRules.maxParticipantNumbers else { return [] }
        return Set(try await StudentModel.query(on: db).filter(\.$studentNumber ~~ Array(wanted)).all().map(\.studentNumber))
    }

    /// The core's rules with what they need from the database: the policy's vocabulary today
    /// and the collectives this cadre may name.
    /// `versions`: the policy's versions, when the caller has them already.
    static func validate(_ input: ContactInput, cadre: CadreModel, now: Date, versions: [ComplianceService.Version]? = nil,
                         config: AppConfig, on db: any Database) async throws -> ContactEntry {
        let vocabulary = if let versions { ComplianceService.vocabulary(on: LocalDate(now), in: versions) } else { try await vocabulary(on: db, now: now) }
        let allowed = try await allowedCodes(among: Set(input.collectiveCodes ?? []), for: cadre, on: db)
        let known = try await knownStudents(among: input.participantNumbers ?? [], on: db)
        do {
            var context = ContactRules.Context(now: now, vocabulary: vocabulary, allowedCollectives: allowed, backdateWindowDays: config.backdateWindowDays)
            context.knownStudents = known
            return try ContactRules.validate(input, in: context)
        } catch {
            throw AppError(error)
        }
    }

    static func apply(_ v: ContactEntry, to record: ContactRecordModel, collegeCode: String?) {
        record.kind = v.kind
        record.startAt = v.start
        record.endAt = v.end
        record.place = v.place
        record.venue = v.venue
        record.collectiveCodes = v.collectiveCodes.joined(separator: ",")
        record.collegeCode = collegeCode
        record.participantCount = v.participantCount
        record.participantNumbers = v.participantNumbers.isEmpty ? nil : v.participantNumbers.joined(separator: ",")
        record.hours = v.hours
        record.summary = v.summary
        record.backdateReason = v.backdateReason ?? record.backdateReason
    }

    /// Makes the record's problems the given list, keeping the rows (and their ids and dates) of those
    /// that stay, so what refers to a problem still finds it. Returns how many were removed.
    static func syncProblems(_ problems: [ProblemInput], of recordID: UUID, now: Date, on db: any Database) async throws -> Int {
        var remaining = try await ContactProblemModel.query(on: db).filter(\.$record.$id == recordID).all()
        var added: [ProblemInput] = []
        for p in problems {
            let text = (p.text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let category = p.category ?? ""
            // The phone form sends text only: a line without a category keeps the category it had.
            if let index = remaining.firstIndex(where: { $0.text == text && (category.isEmpty || $0.category == category) }) {
                remaining.remove(at: index)
            } else {
                added.append(p)
            }
        }
        for row in remaining { try await row.delete(on: db) }
        for p in added {
            let stored = storedProblem(p)
            let model = ContactProblemModel()
            model.$record.id = recordID
            model.text = stored.text
            model.category = stored.category
            model.collectiveCode = stored.collectiveCode
            model.createdAt = now
            try await model.create(on: db)
        }
        return remaining.count
    }

    /// A problem as it is stored: its text trimmed, "其他" when it came without a category.
    static func storedProblem(_ p: ProblemInput) -> ContactDTO.ProblemDTO {
        .init(text: (p.text ?? "").trimmingCharacters(in: .whitespacesAndNewlines),
              category: (p.category ?? "").isEmpty ? "其他" : p.category!, collectiveCode: p.collectiveCode)
    }

    /// Days after a contact's end in which its students may confirm it — `YIXIAN_CONFIRM_DAYS`.
    static let defaultConfirmWindowDays = 14

    /// `data`, when the caller has read it, lets the cadre come from `cadreRows` while the roster is unchanged.
    static func ownCadre(_ user: CurrentUser, at data: DataVersions? = nil, on db: any Database) async throws -> CadreModel {
        guard user.role == .cadre, let id = user.cadreID, let cadre = try await cadreWithUnit(id, at: data, on: db) else { throw AppError.forbidden }
        return cadre
    }

    private struct CadreRow: Decodable, Sendable {
        var staff_number: String, name: String, posts: String, rank: String, party_member: Bool, tags: String, active: Bool
        var unit_id: UUID, unit_code: String, unit_name: String, unit_kind: String, unit_active: Bool, unit_sort_order: Int?
    }

    /// Cadres as last read, for the roster's version they were read at (`FactTables.organization`): a
    /// cadre records many contacts between two changes of units or cadres, and reading them for each
    /// was one of a contact POST's statements. Rows, not models: every caller gets models of its own.
    private static let cadreRows = NIOLockedValueBox<(key: String, rows: [UUID: CadreRow])>(("", [:]))

    /// A cadre and their unit from one plain join, as loaded models: every ledger write starts here, and
    /// Fluent's eager load (two queries, each model decoded by reflecting over its properties) was a
    /// tenth of a contact POST.
    static func cadreWithUnit(_ id: UUID, at data: DataVersions? = nil, on db: any Database) async throws -> CadreModel? {
        let key = data?.key(FactTables.organization)
        let cached = key.flatMap { key in cadreRows.withLockedValue { $0.key == key ? $0.rows[id] : nil } }
        let read = if cached == nil { try await readCadreRow(id, on: db) } else { cached }
        guard let row = read else { return nil }
        if let key, cached == nil {
            cadreRows.withLockedValue { cache in
                if cache.key != key { cache = (key, [:]) }
                cache.rows[id] = row
            }
        }
        let unit = UnitModel()
        unit.id = row.unit_id
        unit.code = row.unit_code
        unit.name = row.unit_name
        unit.kind = row.unit_kind
        unit.active = row.unit_active
        unit.sortOrder = row.unit_sort_order
        unit.$id.exists = true
        let cadre = CadreModel()
        cadre.id = id
        cadre.staffNumber = row.staff_number
        cadre.name = row.name
        cadre.posts = row.posts
        cadre.rank = row.rank
        cadre.partyMember = row.party_member
        cadre.tags = row.tags
        cadre.active = row.active
        cadre.$unit.id = row.unit_id
        cadre.$unit.value = unit
        cadre.$id.exists = true
        return cadre
    }

    private static func readCadreRow(_ id: UUID, on db: any Database) async throws -> CadreRow? {
        try await (db as! any SQLDatabase).raw("""
            SELECT c.staff_number, c.name, c.posts, c.rank, c.party_member, c.tags, c.active, u.id AS unit_id, u.code AS unit_code, \
            u.name AS unit_name, u.kind AS unit_kind, u.active AS unit_active, u.sort_order AS unit_sort_order \
            FROM cadres c JOIN units u ON u.id = c.unit_id WHERE c.id = \(bind: id)
            """).first(decoding: CadreRow.self)
    }

    /// Whose ledger a user records into: a cadre their own; 代录 — a unit secretary for a cadre of
    /// their unit, the office for any cadre (another unit's cadre is "not found", as everywhere).
    static func recordingCadre(_ user: CurrentUser, for cadreID: UUID?, at data: DataVersions? = nil, on db: any Database) async throws -> CadreModel {
        switch user.role {
        case .cadre:
            return try await ownCadre(user, at: data, on: db)
        case .unitSecretary, .businessAdmin:
            guard let cadreID else { throw AppError.field("cadreId", zh: "代录须选择干部", en: "choose the cadre you record for") }
            guard let cadre = try await CadreModel.query(on: db).filter(\.$id == cadreID).with(\.$unit).first(), cadre.active else {
                throw AppError.notFound("cadre")
            }
            if user.role == .unitSecretary, cadre.$unit.id != user.unitID { throw AppError.notFound("cadre") }
            return cadre
        default:
            throw AppError.forbidden
        }
    }

    /// A record just written, with the cadre it was recorded for and the problems it stored: its
    /// answer (`dto(_:for:)`) then reads nothing back.
    struct Created: Sendable {
        var record: ContactRecordModel
        var cadre: CadreModel
        var problems: [ContactDTO.ProblemDTO]
        /// The policy's versions it was checked against, which name its kind.
        var versions: [ComplianceService.Version]
    }

    /// `data`: the data versions the caller read before any write of its own (`Request.authDataVersions`).
    static func create(_ input: ContactInput, evidence: [EvidenceService.Upload] = [], store: EvidenceStore? = nil, forCadre: UUID? = nil,
                       by user: CurrentUser, config: AppConfig, data: DataVersions? = nil, on db: any Database) async throws -> Created {
        // Read once: it keys both the cadre and the policy's versions.
        let data = if let data { data } else { try await DataVersions.read(on: db) }
        let cadre = try await recordingCadre(user, for: forCadre ?? input.cadreId, at: data, on: db)
        let now = config.clock.now()
        let versions = try await ComplianceService.versions(at: data, on: db)
        let v = try await validate(input, cadre: cadre, now: now, versions: versions, config: config, on: db)
        let files = try await EvidenceService.sanitizeOffLoop(evidence)
        let record = try await db.write { db in
            let record = ContactRecordModel()
            record.id = UUID()
            record.$cadre.id = cadre.id!
            apply(v, to: record, collegeCode: cadre.unit.kind == UnitKind.college.rawValue ? cadre.unit.code : nil)
            record.confirmedCount = 0
            record.createdAt = now
            record.createdBy = user.id
            let submit = input.submit ?? true
            record.status = submit ? ContactRecord.Status.submitted.rawValue : ContactRecord.Status.draft.rawValue
            record.submittedAt = submit ? now : nil
            record.version = 1
            record.confirmCode = newConfirmCode()
            try await record.insert(on: db)
            // A new record has no problems but those given: with none, there is nothing to sync or open.
            if !v.problems.isEmpty {
                _ = try await syncProblems(v.problems, of: record.id!, now: now, on: db)
                try await CaseService.openFromContact(record, by: user, now: now, on: db)
            }
            if let store { try await EvidenceService.attach(files, to: record.id!, store: store, on: db) }
            try await AuditTrail.record("contact.create", objectType: "contact", objectID: record.id!.uuidString,
                                        detail: "\(record.kind) \(record.status)" + (user.cadreID == cadre.id ? "" : "; 代录 for \(cadre.staffNumber)"),
                                        by: .init(user), on: db)
            return record
        }
        return Created(record: record, cadre: cadre, problems: v.problems.map(storedProblem), versions: versions)
    }

    /// Drafts change in place; submitted records keep their previous version, the reason and who changed it.
    /// `evidence` adds photos or sheets to the record (a cadre often has them only after the visit); earlier ones stay.
    static func correct(_ id: UUID, _ input: ContactInput, evidence: [EvidenceService.Upload] = [], store: EvidenceStore? = nil,
                        by user: CurrentUser, config: AppConfig, on db: any Database) async throws -> ContactRecordModel {
        let cadre = try await ownCadre(user, on: db)
        guard let record = try await ContactRecordModel.find(id, on: db), record.$cadre.id == cadre.id else { throw AppError.notFound("contact") }
        guard !record.isVoided else { throw voidedRefusal }
        let now = config.clock.now()
        // A correction is judged as of when the record was first made: it cannot become back-dated.
        let v = try await validate(input, cadre: cadre, now: record.submittedAt == nil ? now : record.createdAt, config: config, on: db)
        let files = try await EvidenceService.sanitizeOffLoop(evidence, existing: try await AttachmentModel.query(on: db).filter(\.$record.$id == id).count())
        let isDraft = record.submittedAt == nil
        var check = FieldChecker()
        let reason = check.text("reason", input.reason, label: "更正原因", max: 200, required: !isDraft)
        try check.throwIfInvalid()
        return try await db.write { db in
            guard let record = try await ContactRecordModel.find(id, on: db) else { throw AppError.notFound("contact") }
            if !isDraft {
                let previous = ContactRecordVersionModel()
                previous.$record.id = id
                previous.version = record.version
                // Everything the correction may replace, so the history shows what the record said.
                let problems = try await ContactProblemModel.query(on: db).filter(\.$record.$id == id).sort(\.$createdAt).all()
                let attachments = try await AttachmentModel.query(on: db).filter(\.$record.$id == id).sort(\.$createdAt).all()
                let snapshot = ContactSnapshot(kind: record.kind, start: record.startAt, end: record.endAt, place: record.place, venue: record.venue,
                                               collectiveCodes: record.collectiveList, participantCount: record.participantCount, summary: record.summary,
                                               problems: problems.map { .init(text: $0.text, category: $0.category, collectiveCode: $0.collectiveCode) },
                                               backdateReason: record.backdateReason,
                                               attachments: attachments.map { .init(sha256: $0.sha256, kind: $0.kind, name: $0.originalName) },
                                               participantNumbers: record.participantNumbers.map(ContactRecordModel.collectiveList))
                previous.snapshot = String(decoding: try JSONEncoder().encode(snapshot), as: UTF8.self)
                previous.reason = reason ?? ""
                // A person's name, as the history is read by people.
                previous.changedBy = user.displayName
                previous.changedAt = now
                try await previous.create(on: db)
                record.version += 1
            }
            let before = (record.kind, record.startAt, record.endAt, record.place, Set(record.collectiveList), record.participantCount)
            let numbersBefore = record.participantNumbers
            apply(v, to: record, collegeCode: record.collegeCode)
            let after = (record.kind, record.startAt, record.endAt, record.place, Set(record.collectiveList), record.participantCount)
            // The students confirmed what the record said then. When what happened changes, the new
            // version needs their confirmation again; the earlier ones stay, shown as given for the earlier version.
            if !isDraft, before != after || numbersBefore != record.participantNumbers { record.confirmedCount = 0 }
            if isDraft, input.submit ?? false {
                record.status = ContactRecord.Status.submitted.rawValue
                record.submittedAt = now
            }
            try await record.save(on: db)
            // Leaving problems out keeps them; a list given replaces them, and the audit says how many went.
            var removed = 0
            if input.problems != nil { removed = try await syncProblems(v.problems, of: id, now: now, on: db) }
            try await CaseService.openFromContact(record, by: user, now: now, on: db)
            if let store, !files.isEmpty { try await EvidenceService.attach(files, to: id, store: store, on: db) }
            let detail = (reason ?? "") + (removed > 0 ? "（删除学生反映的问题 \(removed) 条，原文见版本 v\(record.version - 1)）" : "")
            try await AuditTrail.record(isDraft ? "contact.edit-draft" : "contact.correct", objectType: "contact", objectID: id.uuidString,
                                        detail: detail, by: .init(user), on: db)
            return record
        }
    }

    static func deleteDraft(_ id: UUID, by user: CurrentUser, on db: any Database) async throws {
        let cadre = try await ownCadre(user, on: db)
        try await db.write { db in
            guard let record = try await ContactRecordModel.find(id, on: db), record.$cadre.id == cadre.id else { throw AppError.notFound("contact") }
            guard record.submittedAt == nil else {
                throw AppError(.conflict, code: .submittedRecord, zh: "已提交的记录不能删除，只能更正", en: "A submitted record cannot be deleted, only corrected")
            }
            try await record.delete(on: db)
            try await AuditTrail.record("contact.delete-draft", objectType: "contact", objectID: id.uuidString, by: .init(user), on: db)
        }
    }

    static let voidedRefusal = AppError(.conflict, code: .voidedRecord, zh: "这条记录已作废，不能再更正或确认", en: "This record was voided; it can no longer be corrected or confirmed")

    /// 作废: a submitted record is withdrawn with a reason by its cadre or the office. It stays in the
    /// ledger and its history, marked, and stops counting in compliance and integrity checks.
    static func void(_ id: UUID, reason rawReason: String?, by user: CurrentUser, now: Date, on db: any Database) async throws -> ContactRecordModel {
        return try await db.write { db in
            guard let record = try await ContactRecordModel.find(id, on: db) else { throw AppError.notFound("contact") }
            switch user.role {
            case .businessAdmin: break
            case .cadre where user.cadreID == record.$cadre.id: break
            default: throw AppError.notFound("contact")
            }
            // Checked after the scope, so another cadre learns nothing about the record from the answer.
            var check = FieldChecker()
            let reason = check.text("reason", rawReason, label: "作废原因", max: 200)
            try check.throwIfInvalid()
            guard record.submittedAt != nil else {
                throw AppError(.conflict, code: .conflict, zh: "草稿不用作废，可以直接删除", en: "A draft is deleted, not voided")
            }
            guard !record.isVoided else { throw voidedRefusal }
            record.status = ContactRecord.Status.voided.rawValue
            record.voidedAt = now
            record.voidedBy = user.displayName
            record.voidReason = reason ?? ""
            try await record.save(on: db)
            try await AuditTrail.record("contact.void", objectType: "contact", objectID: id.uuidString, detail: reason ?? "", by: .init(user), on: db)
            return record
        }
    }

    /// Whether the student belongs to one of the record's collectives: who may see and confirm it.
    static func isParticipant(_ studentID: UUID, of record: ContactRecordModel, on db: any Database) async throws -> Bool {
        let memberships = try await StudentCollectiveModel.query(on: db).filter(\.$student.$id == studentID).with(\.$collective).all()
        return !Set(memberships.map(\.collective.code)).isDisjoint(with: record.collectiveList)
    }

    /// A student confirms they were at a contact: once, and only for a collective they belong to.
    static func confirm(code: String, by user: CurrentUser, now: Date, windowDays: Int = defaultConfirmWindowDays,
                        on db: any Database) async throws -> ContactRecordModel {
        guard user.role == .student, let studentID = user.studentID else { throw AppError.forbidden }
        guard let normalized = ConfirmationCode.normalize(code), let record = try await ContactRecordModel.query(on: db).filter(\.$confirmCode == normalized).first(),
              record.submittedAt != nil else {
            throw AppError(.notFound, code: .unknownCode, field: "code", zh: "确认码无效，请核对后重试", en: "Unknown confirmation code")
        }
        guard try await isParticipant(studentID, of: record, on: db) else {
            throw AppError(.forbidden, code: .notParticipant, field: "code", zh: "您不在这条记录涉及的学生集体中，不能确认", en: "You are not in a collective of this record")
        }
        guard !record.isVoided else { throw voidedRefusal }
        // A confirmation months later proves nothing about the day: only within the window after the contact.
        guard now <= record.endAt.addingTimeInterval(Double(windowDays) * 86_400) else {
            throw AppError(.conflict, code: .confirmationClosed, field: "code",
                           zh: "已超过确认期限（活动结束后 \(windowDays) 天内可确认）", en: "Too late: a contact can be confirmed within \(windowDays) days after it")
        }
        return try await db.write { db in
            guard let fresh = try await ContactRecordModel.find(record.id, on: db) else { throw AppError.notFound("contact") }
            let mine = try await ContactConfirmationModel.query(on: db).filter(\.$record.$id == record.id!).filter(\.$student.$id == studentID).all()
            guard !mine.contains(where: { $0.recordVersion == fresh.version }) else {
                throw AppError(.conflict, code: .alreadyConfirmed, field: "code", zh: "您已确认过这条记录", en: "You have already confirmed this record")
            }
            guard fresh.confirmedCount < fresh.participantCount else {
                throw AppError(.conflict, code: .confirmationsFull, field: "code",
                               zh: "确认人数已达记录的参与人数（\(fresh.participantCount) 人），不能再确认；如有出入请联系记录人", en: "As many students have confirmed as the record says took part (\(fresh.participantCount))")
            }
            let confirmation = ContactConfirmationModel()
            confirmation.$record.id = record.id!
            confirmation.$student.id = studentID
            confirmation.confirmedAt = now
            confirmation.recordVersion = fresh.version
            try await confirmation.create(on: db)
            fresh.confirmedCount += 1
            try await fresh.save(on: db)
            try await AuditTrail.record("contact.confirm", objectType: "contact", objectID: record.id!.uuidString, by: .init(user), on: db)
            return fresh
        }
    }

    /// Object-level read check: own records for cadres, own unit for secretaries, all for admins and assessors.
    static func checkRead(_ record: ContactRecordModel, by user: CurrentUser, on db: any Database) async throws {
        if let cadreID = user.cadreID, record.$cadre.id == cadreID { return }
        // A draft is its cadre's alone, and so is everything attached to it.
        guard record.submittedAt != nil, user.can(.readRoster) else { throw AppError.notFound("contact") }
        if let scope = try user.rosterUnitScope() {
            guard let cadre = try await CadreModel.find(record.$cadre.id, on: db), cadre.$unit.id == scope else { throw AppError.notFound("contact") }
        }
    }

    static func dto(_ record: ContactRecordModel, for user: CurrentUser, on db: any Database) async throws -> ContactDTO {
        try await dtos([record], for: user, on: db)[0]
    }

    /// A page of records in three queries, whatever its length: cadres, problems, and the policy versions (cached).
    static func dtos(_ records: [ContactRecordModel], for user: CurrentUser, on db: any Database) async throws -> [ContactDTO] {
        guard !records.isEmpty else { return [] }
        let ids = records.map { $0.id! }
        // Plain rows: a page of records, and every POST's answer, read only these columns.
        struct CadreName: Decodable { var id: UUID; var staff_number: String; var name: String }
        struct Problem: Decodable { var record_id: UUID; var text: String; var category: String; var collective_code: String? }
        let sql = db as! any SQLDatabase
        let cadreIDs = Array(Set(records.map(\.$cadre.id)))
        let cadres = try await sql.raw("SELECT id, staff_number, name FROM cadres WHERE id IN (\(binds: cadreIDs))").all(decoding: CadreName.self)
        let cadreByID = Dictionary(uniqueKeysWithValues: cadres.map { ($0.id, (staffNumber: $0.staff_number, name: $0.name)) })
        let problems = Dictionary(grouping: try await sql.raw("""
            SELECT record_id, text, category, collective_code FROM contact_problems WHERE record_id IN (\(binds: ids)) ORDER BY created_at
            """).all(decoding: Problem.self), by: \.record_id)
        let versions = try await ComplianceService.versions(on: db)
        return records.map { record in
            let cadre = cadreByID[record.$cadre.id]
            return dto(record, cadre: .init(id: record.$cadre.id, staffNumber: cadre?.staffNumber ?? "", name: cadre?.name ?? ""),
                       problems: (problems[record.id!] ?? []).map { .init(text: $0.text, category: $0.category, collectiveCode: $0.collective_code) },
                       versions: versions, for: user)
        }
    }

    /// A new record's answer from what its writer holds: reading the cadre, the problems and the
    /// policy's versions back were three of a contact POST's ten statements.
    static func dto(_ created: Created, for user: CurrentUser) -> ContactDTO {
        let cadre = ContactDTO.CadreRef(id: created.cadre.id!, staffNumber: created.cadre.staffNumber, name: created.cadre.name)
        return dto(created.record, cadre: cadre, problems: created.problems, versions: created.versions, for: user)
    }

    private static func dto(_ record: ContactRecordModel, cadre: ContactDTO.CadreRef, problems: [ContactDTO.ProblemDTO],
                            versions: [ComplianceService.Version], for user: CurrentUser) -> ContactDTO {
        // A kind is named by the policy in force on the day of the contact.
        let kind = ComplianceService.vocabulary(on: LocalDate(record.startAt), in: versions).kind(record.kind)
        let showCode = user.cadreID == record.$cadre.id || user.role == .businessAdmin
        return ContactDTO(id: record.id!, cadre: cadre,
                          kind: record.kind, kindLabel: kind?.label ?? Localized(zh: record.kind, en: record.kind), start: record.startAt, end: record.endAt,
                          place: record.place, venue: record.venue, collectiveCodes: record.collectiveList, participantCount: record.participantCount,
                          hours: record.hours, summary: record.summary, status: record.status, version: record.version,
                          confirmations: record.confirmedCount, confirmCode: showCode ? record.confirmCode : nil, backdateReason: record.backdateReason,
                          problems: problems, createdAt: record.createdAt, submittedAt: record.submittedAt,
                          participantNumbers: record.participantNumbers.map(ContactRecordModel.collectiveList))
    }
}
