import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor
import YixianCore

struct ProblemInput: Content {
    var text: String?
    var category: String?
    var collectiveCode: String?
}

struct ContactInput: Content {
    var kind: String?
    /// `YYYY-MM-DDTHH:MM` in China time (what `<input type=datetime-local>` sends) or full ISO 8601.
    var start: String?
    var end: String?
    var place: String?
    var venue: String?
    var collectiveCodes: [String]?
    var participantCount: Int?
    var summary: String?
    var problems: [ProblemInput]?
    /// false keeps a draft; default true.
    var submit: Bool?
    var backdateReason: String?
    /// Why a submitted record is corrected.
    var reason: String?
}

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
}

/// What a ledger line looked like before a correction.
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

    struct AttachmentRef: Codable, Sendable, Equatable {
        var sha256: String
        var kind: String
        var name: String
    }
}

/// The rules of the ledger: what a valid record is, who may write it, and that a submitted
/// record is corrected (keeping its history), never deleted.
enum LedgerService {
    static let backdateWindowDays = Int(ProcessInfo.processInfo.environment["YIXIAN_BACKDATE_DAYS"] ?? "") ?? 7
    static func newConfirmCode() -> String {
        var generator = SystemRandomNumberGenerator()
        return ConfirmationCode.make(using: &generator)
    }

    /// One formatter, not one per call (making it was a twentieth of a contact POST); behind a
    /// lock because formatters are not safe to share between threads. The parse strategy of
    /// `Date.ISO8601FormatStyle` would be lock-free but accepts trailing text.
    nonisolated(unsafe) private static let isoFormatter = ISO8601DateFormatter()
    private static let isoLock = NIOLock()

    static func parseInstant(_ text: String?) -> Date? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        // The formatter ignores text after the zone; a zone must end the text.
        let zoned = text.hasSuffix("Z") || text.range(of: #"[+-][0-9]{2}:?[0-9]{2}$"#, options: .regularExpression) != nil
        if zoned, let date = isoLock.withLock({ isoFormatter.date(from: text) }) { return date }
        // Local China time without zone: `2025-10-15T10:00` or with seconds.
        let parts = text.split(separator: "T")
        guard parts.count == 2, let day = LocalDate(String(parts[0])) else { return nil }
        let fields = parts[1].split(separator: ":", omittingEmptySubsequences: false)
        let clock = fields.compactMap { $0.count == 2 ? Int($0) : nil }
        guard clock.count == fields.count, (2...3).contains(clock.count), (0..<24).contains(clock[0]), (0..<60).contains(clock[1]),
              clock.count == 2 || (0..<60).contains(clock[2]) else { return nil }
        return day.startInstant().addingTimeInterval(TimeInterval(clock[0] * 3600 + clock[1] * 60 + (clock.count == 3 ? clock[2] : 0)))
    }

    static func vocabulary(on db: any Database) async throws -> ContactVocabulary {
        let versions = try await ComplianceService.versions(on: db)
        return ComplianceService.vocabulary(on: LocalDate(Date()), in: versions)
    }

    /// Collectives a cadre may record contacts with: those paired with them and those of their own unit.
    static func allowedCollectives(for cadre: CadreModel, on db: any Database) async throws -> [CollectiveModel] {
        let paired = try await PairingModel.query(on: db).filter(\.$cadre.$id == cadre.id!).all().compactMap { $0.$collective.id }
        return try await CollectiveModel.query(on: db).group(.or) { group in
            group.filter(\.$unit.$id == cadre.$unit.id)
            if !paired.isEmpty { group.filter(\.$id ~~ paired) }
        }.filter(\.$active == true).sort(\.$code).all()
    }

    struct Validated: Sendable {
        var kind: String
        var start: Date
        var end: Date
        var place: String
        var venue: String?
        var collectiveCodes: [String]
        var participantCount: Int
        var summary: String
        var problems: [ProblemInput]
        var backdateReason: String?
    }

    static func validate(_ input: ContactInput, cadre: CadreModel, now: Date, on db: any Database) async throws -> Validated {
        var check = FieldChecker()
        let vocabulary = try await vocabulary(on: db)
        let kind = input.kind.flatMap { vocabulary.kind($0) }
        if kind == nil {
            check.fail("kind", zh: "请选择联系形式", en: "choose a kind of contact")
        }
        let start = parseInstant(input.start)
        let end = parseInstant(input.end)
        if start == nil { check.fail("start", zh: "开始时间无效，请按“年-月-日 时:分”填写", en: "start is not a valid time") }
        if end == nil { check.fail("end", zh: "结束时间无效，请按“年-月-日 时:分”填写", en: "end is not a valid time") }
        if let start, let end {
            if end < start { check.fail("end", zh: "结束时间早于开始时间，请检查", en: "end is before start") }
            if end.timeIntervalSince(start) > 24 * 3600 { check.fail("end", zh: "一次联系不应超过 24 小时", en: "a contact lasts at most 24 hours") }
            if start > now.addingTimeInterval(600) { check.fail("start", zh: "不能记录尚未发生的联系", en: "the contact has not happened yet") }
        }
        var backdateReason = check.text("backdateReason", input.backdateReason, label: "补录说明", max: 200, required: false)
        if backdateReason?.isEmpty == true { backdateReason = nil }
        if let start, now.timeIntervalSince(start) > Double(backdateWindowDays) * 86400, backdateReason == nil {
            check.fail("backdateReason", zh: "超过 \(backdateWindowDays) 天的补录须说明原因", en: "records older than \(backdateWindowDays) days need a reason")
        }
        // Where a face-to-face contact happened is part of what makes the record checkable; a draft may wait for it.
        let placeRequired = kind?.inPerson == true && input.submit != false
        let place = check.text("place", input.place, label: "地点", max: 100, required: placeRequired) ?? ""
        let summary = check.text("summary", input.summary, label: "情况摘要", max: 2000, required: false) ?? ""
        if let venue = input.venue, !venue.isEmpty, vocabulary.venue(venue) == nil {
            check.fail("venue", zh: "场所无效", en: "unknown venue")
        }
        let participants = check.integer("participantCount", input.participantCount ?? 1, label: "参与人次", range: 0...5000)
        let codes = Array(Set(input.collectiveCodes ?? [])).sorted()
        if codes.count > 20 { check.fail("collectiveCodes", zh: "一次最多选择 20 个学生集体", en: "at most 20 collectives") }
        let problems = input.problems ?? []
        if problems.count > 20 { check.fail("problems", zh: "每条记录最多 20 个问题", en: "at most 20 problems") }
        for problem in problems {
            _ = check.text("problems", problem.text, label: "问题描述", max: 500)
            _ = check.text("problems", problem.category, label: "问题类别", max: 40, required: false)
        }
        try check.throwIfAny()
        let allowed = Set(try await allowedCollectives(for: cadre, on: db).map(\.code))
        if let foreign = codes.first(where: { !allowed.contains($0) }) {
            throw AppError.field("collectiveCodes", zh: "学生集体“\(foreign)”不属于您的学院或联系范围", en: "Collective \(foreign) is outside your college and pairings")
        }
        return Validated(kind: kind!.code, start: start!, end: end!, place: place, venue: (input.venue?.isEmpty == false ? input.venue : kind!.defaultVenue),
                         collectiveCodes: codes, participantCount: participants!, summary: summary, problems: problems, backdateReason: backdateReason)
    }

    static func apply(_ v: Validated, to record: ContactRecordModel, collegeCode: String?) {
        record.kind = v.kind
        record.startAt = v.start
        record.endAt = v.end
        record.place = v.place
        record.venue = v.venue
        record.collectiveCodes = v.collectiveCodes.joined(separator: ",")
        record.collegeCode = collegeCode
        record.participantCount = v.participantCount
        record.hours = (v.end.timeIntervalSince(v.start) / 3600 * 100).rounded() / 100
        record.summary = v.summary
        record.backdateReason = v.backdateReason ?? record.backdateReason
    }

    /// Makes the record's problems the given list, keeping the rows (and their ids and dates) of those
    /// that stay, so what refers to a problem still finds it. Returns how many were removed.
    static func syncProblems(_ problems: [ProblemInput], of recordID: UUID, on db: any Database) async throws -> Int {
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
            let model = ContactProblemModel()
            model.$record.id = recordID
            model.text = (p.text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            model.category = (p.category ?? "").isEmpty ? "其他" : p.category!
            model.collectiveCode = p.collectiveCode
            model.createdAt = Date()
            try await model.create(on: db)
        }
        return remaining.count
    }

    static func ownCadre(_ user: CurrentUser, on db: any Database) async throws -> CadreModel {
        guard user.role == .cadre, let id = user.cadreID, let cadre = try await CadreModel.query(on: db).filter(\.$id == id).with(\.$unit).first() else {
            throw AppError.forbidden
        }
        return cadre
    }

    static func create(_ input: ContactInput, evidence: [EvidenceService.Upload] = [], store: EvidenceStore? = nil,
                       by user: CurrentUser, on db: any Database) async throws -> ContactRecordModel {
        let cadre = try await ownCadre(user, on: db)
        let v = try await validate(input, cadre: cadre, now: Date(), on: db)
        let files = try await EvidenceService.sanitizeOffLoop(evidence)
        return try await db.write { db in
            let record = ContactRecordModel()
            record.id = UUID()
            record.$cadre.id = cadre.id!
            apply(v, to: record, collegeCode: cadre.unit.kind == UnitKind.college.rawValue ? cadre.unit.code : nil)
            record.confirmedCount = 0
            record.createdAt = Date()
            record.createdBy = user.id
            let submit = input.submit ?? true
            record.status = submit ? ContactRecord.Status.submitted.rawValue : ContactRecord.Status.draft.rawValue
            record.submittedAt = submit ? Date() : nil
            record.version = 1
            record.confirmCode = newConfirmCode()
            try await record.create(on: db)
            _ = try await syncProblems(v.problems, of: record.id!, on: db)
            if let store { try await EvidenceService.attach(files, to: record.id!, store: store, on: db) }
            try await AuditTrail.record("contact.create", objectType: "contact", objectID: record.id!.uuidString,
                                        detail: "\(record.kind) \(record.status)", by: .init(user), on: db)
            return record
        }
    }

    /// Drafts change in place; submitted records keep their previous version, the reason and who changed it.
    /// `evidence` adds photos or sheets to the record (a cadre often has them only after the visit); earlier ones stay.
    static func correct(_ id: UUID, _ input: ContactInput, evidence: [EvidenceService.Upload] = [], store: EvidenceStore? = nil,
                        by user: CurrentUser, on db: any Database) async throws -> ContactRecordModel {
        let cadre = try await ownCadre(user, on: db)
        guard let record = try await ContactRecordModel.find(id, on: db), record.$cadre.id == cadre.id else { throw AppError.notFound("contact") }
        let v = try await validate(input, cadre: cadre, now: record.submittedAt == nil ? Date() : record.createdAt, on: db)
        let files = try await EvidenceService.sanitizeOffLoop(evidence, existing: try await AttachmentModel.query(on: db).filter(\.$record.$id == id).count())
        let isDraft = record.submittedAt == nil
        var check = FieldChecker()
        let reason = check.text("reason", input.reason, label: "更正原因", max: 200, required: !isDraft)
        try check.throwIfAny()
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
                                               attachments: attachments.map { .init(sha256: $0.sha256, kind: $0.kind, name: $0.originalName) })
                previous.snapshot = String(decoding: try JSONEncoder().encode(snapshot), as: UTF8.self)
                previous.reason = reason ?? ""
                previous.changedBy = user.username
                previous.changedAt = Date()
                try await previous.create(on: db)
                record.version += 1
            }
            apply(v, to: record, collegeCode: record.collegeCode)
            if isDraft, input.submit ?? false {
                record.status = ContactRecord.Status.submitted.rawValue
                record.submittedAt = Date()
            }
            try await record.save(on: db)
            // Leaving problems out keeps them; a list given replaces them, and the audit says how many went.
            var removed = 0
            if input.problems != nil { removed = try await syncProblems(v.problems, of: id, on: db) }
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
                throw AppError(.conflict, code: "submitted_record", zh: "已提交的记录不能删除，只能更正", en: "A submitted record cannot be deleted, only corrected")
            }
            try await record.delete(on: db)
            try await AuditTrail.record("contact.delete-draft", objectType: "contact", objectID: id.uuidString, by: .init(user), on: db)
        }
    }

    /// Whether the student belongs to one of the record's collectives: who may see and confirm it.
    static func isParticipant(_ studentID: UUID, of record: ContactRecordModel, on db: any Database) async throws -> Bool {
        let memberships = try await StudentCollectiveModel.query(on: db).filter(\.$student.$id == studentID).with(\.$collective).all()
        return !Set(memberships.map(\.collective.code)).isDisjoint(with: record.collectiveList)
    }

    /// A student confirms they were at a contact: once, and only for a collective they belong to.
    static func confirm(code: String, by user: CurrentUser, on db: any Database) async throws -> ContactRecordModel {
        guard user.role == .student, let studentID = user.studentID else { throw AppError.forbidden }
        guard let normalized = ConfirmationCode.normalize(code), let record = try await ContactRecordModel.query(on: db).filter(\.$confirmCode == normalized).first(),
              record.submittedAt != nil else {
            throw AppError(.notFound, code: "unknown_code", field: "code", zh: "确认码无效，请核对后重试", en: "Unknown confirmation code")
        }
        guard try await isParticipant(studentID, of: record, on: db) else {
            throw AppError(.forbidden, code: "not_participant", field: "code", zh: "您不在这条记录涉及的学生集体中，不能确认", en: "You are not in a collective of this record")
        }
        return try await db.write { db in
            let already = try await ContactConfirmationModel.query(on: db).filter(\.$record.$id == record.id!).filter(\.$student.$id == studentID).count()
            guard already == 0 else {
                throw AppError(.conflict, code: "already_confirmed", field: "code", zh: "您已确认过这条记录", en: "You have already confirmed this record")
            }
            let confirmation = ContactConfirmationModel()
            confirmation.$record.id = record.id!
            confirmation.$student.id = studentID
            confirmation.confirmedAt = Date()
            try await confirmation.create(on: db)
            guard let fresh = try await ContactRecordModel.find(record.id, on: db) else { throw AppError.notFound("contact") }
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
        let cadre = try await CadreModel.find(record.$cadre.id, on: db)
        let problems = try await ContactProblemModel.query(on: db).filter(\.$record.$id == record.id!).all()
        let kind = ContactVocabulary.standard.kind(record.kind)
        let showCode = user.cadreID == record.$cadre.id || user.role == .businessAdmin
        return ContactDTO(id: record.id!, cadre: .init(id: record.$cadre.id, staffNumber: cadre?.staffNumber ?? "", name: cadre?.name ?? ""),
                          kind: record.kind, kindLabel: kind?.label ?? Localized(zh: record.kind, en: record.kind), start: record.startAt, end: record.endAt,
                          place: record.place, venue: record.venue, collectiveCodes: record.collectiveList, participantCount: record.participantCount,
                          hours: record.hours, summary: record.summary, status: record.status, version: record.version,
                          confirmations: record.confirmedCount, confirmCode: showCode ? record.confirmCode : nil, backdateReason: record.backdateReason,
                          problems: problems.map { .init(text: $0.text, category: $0.category, collectiveCode: $0.collectiveCode) },
                          createdAt: record.createdAt, submittedAt: record.submittedAt)
    }
}
