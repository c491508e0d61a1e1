import Fluent
import Foundation
import Vapor
import YixianCore

final class IntegrityVerdictModel: Model, @unchecked Sendable {
    static let schema = "integrity_verdicts"
    @ID var id: UUID?
    @Field(key: "flag_id") var flagID: String
    @Field(key: "verdict") var verdict: String
    @Field(key: "reason") var reason: String
    /// The flag's records, comma-joined, as they were when decided.
    @Field(key: "record_ids") var recordIDs: String
    @Field(key: "decided_by") var decidedBy: String
    @Field(key: "decided_at") var decidedAt: Date

    init() {}
}

/// 督查: an assessor or the office decides a flag. Dismissed, it leaves the list of flags to check;
/// confirmed, its records are marked 存疑待核 (`flagged`) and stop counting everywhere — the
/// engine and the integrity detectors already leave flagged lines out, with the reason shown.
enum IntegrityVerdicts {
    enum Verdict: String, CaseIterable, Sendable, Codable, Labelled {
        case dismissed, confirmed

        var label: Localized {
            switch self {
            case .dismissed: Localized(zh: "已排除", en: "Dismissed")
            case .confirmed: Localized(zh: "已认定", en: "Confirmed")
            }
        }
    }

    struct Input: Content {
        var flagId: String?
        var verdict: String?
        var reason: String?
    }

    static let deciders = Access.roles([.assessor, .businessAdmin])

    static func decide(_ input: Input, by user: CurrentUser, app: Application, now: Date, on db: any Database) async throws -> IntegrityVerdictModel {
        var check = FieldChecker()
        let verdict = check.choice("verdict", input.verdict, label: "认定结果", as: Verdict.self)
        let reason = check.text("reason", input.reason, label: "理由", max: 500)
        let flagID = check.text("flagId", input.flagId, label: "提示", max: 4_000)
        try check.throwIfInvalid()
        // Only a flag the decider can see, as it stands now.
        let visible = try await IntegrityService.visible(to: user, on: db, app: app)
        guard let flag = visible.flags.first(where: { $0.id == flagID }) else { throw AppError.notFound("flag") }
        return try await db.write { db in
            guard try await IntegrityVerdictModel.query(on: db).filter(\.$flagID == flag.id).first() == nil else {
                throw AppError(.conflict, code: .conflict, field: "flagId", zh: "这条提示已有认定结果", en: "This flag has already been decided")
            }
            let row = IntegrityVerdictModel()
            row.flagID = flag.id
            row.verdict = verdict!.rawValue
            row.reason = reason!
            row.recordIDs = flag.recordIDs.joined(separator: ",")
            row.decidedBy = user.displayName
            row.decidedAt = now
            try await row.create(on: db)
            if verdict == .confirmed {
                let ids = flag.recordIDs.compactMap(UUID.init(uuidString:))
                for record in try await ContactRecordModel.query(on: db).filter(\.$id ~~ ids).all() where !record.isVoided && record.submittedAt != nil {
                    record.status = ContactRecord.Status.flagged.rawValue
                    try await record.save(on: db)
                }
            }
            try await AuditTrail.record("integrity.\(verdict!.rawValue)", objectType: "integrity-flag", objectID: String(flag.id.prefix(200)),
                                        detail: reason!, by: .init(user), on: db)
            return row
        }
    }

    static func all(on db: any Database) async throws -> [String: IntegrityVerdictModel] {
        Dictionary(try await IntegrityVerdictModel.query(on: db).all().map { ($0.flagID, $0) }, uniquingKeysWith: { a, _ in a })
    }
}

struct IntegrityVerdictDTO: Content {
    var flagId: String
    var verdict: String
    var reason: String
    var decidedBy: String
    var decidedAt: Date
}
