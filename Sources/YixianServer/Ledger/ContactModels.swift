import Fluent
import Foundation
import SQLKit
import YixianCore

/// A ledger line (联系记录); its evidence, student confirmations and corrections are rows of their own around it.
final class ContactRecordModel: Model, @unchecked Sendable {
    static let schema = "contact_records"
    @ID var id: UUID?
    @Parent(key: "cadre_id") var cadre: CadreModel
    @Field(key: "kind") var kind: String
    @Field(key: "start_at") var startAt: Date
    @Field(key: "end_at") var endAt: Date
    @Field(key: "place") var place: String
    @OptionalField(key: "venue") var venue: String?
    /// Collective codes joined by `,`.
    @Field(key: "collective_codes") var collectiveCodes: String
    @OptionalField(key: "college_code") var collegeCode: String?
    @Field(key: "participant_count") var participantCount: Int
    /// Student numbers of those who took part, joined by `,`; nil when the line names none (migration 43).
    @OptionalField(key: "participant_numbers") var participantNumbers: String?
    @Field(key: "hours") var hours: Double
    @Field(key: "confirmed_count") var confirmedCount: Int
    @Field(key: "status") var status: String
    @Field(key: "summary") var summary: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "created_by") var createdBy: UUID?
    /// Nil while a draft.
    @OptionalField(key: "submitted_at") var submittedAt: Date?
    /// Bumped by every correction; earlier versions live in `contact_record_versions`.
    @Field(key: "version") var version: Int
    /// The short code students type or scan to confirm they were there.
    @Field(key: "confirm_code") var confirmCode: String
    @OptionalField(key: "backdate_reason") var backdateReason: String?
    @OptionalField(key: "voided_at") var voidedAt: Date?
    /// Username of who voided it.
    @OptionalField(key: "voided_by") var voidedBy: String?
    @OptionalField(key: "void_reason") var voidReason: String?

    init() {}

    /// Inserts a new line as one plain statement: every contact POST does this, and Fluent's `create`
    /// reflected over the model's two dozen properties each time (a tenth of a POST's work).
    func insert(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase, let id else { return try await create(on: db) }
        try await sql.raw("""
            INSERT INTO contact_records (id, cadre_id, kind, start_at, end_at, place, venue, collective_codes, college_code, \
            participant_count, participant_numbers, hours, confirmed_count, status, summary, created_at, created_by, submitted_at, \
            version, confirm_code, backdate_reason, voided_at, voided_by, void_reason) \
            VALUES (\(bind: id), \(bind: $cadre.id), \(bind: kind), \(bind: startAt), \(bind: endAt), \(bind: place), \(bind: venue), \
            \(bind: collectiveCodes), \(bind: collegeCode), \(bind: participantCount), \(bind: participantNumbers), \(bind: hours), \
            \(bind: confirmedCount), \(bind: status), \(bind: summary), \(bind: createdAt), \(bind: createdBy), \(bind: submittedAt), \
            \(bind: version), \(bind: confirmCode), \(bind: backdateReason), \(bind: voidedAt), \(bind: voidedBy), \(bind: voidReason))
            """).run()
        $id.exists = true
    }

    var isVoided: Bool { status == ContactRecord.Status.voided.rawValue }

    var collectiveList: [String] { Self.collectiveList(collectiveCodes) }

    /// The stored `collective_codes` (codes joined by `,`) as a list.
    static func collectiveList(_ stored: String) -> [String] { stored.split(separator: ",").map(String.init) }

    func core(staffNumber: String) -> ContactRecord {
        ContactRecord(id: id!.uuidString, cadreStaffNumber: staffNumber, kind: kind, start: startAt, end: endAt, place: place, venue: venue,
                      collectiveCodes: collectiveList, collegeCode: collegeCode, participantCount: participantCount, hours: hours,
                      confirmedByStudents: confirmedCount, status: ContactRecord.Status(rawValue: status) ?? .submitted,
                      participantNumbers: participantNumbers.map(Self.collectiveList))
    }
}

/// A superseded version of a ledger line, with who changed it and why.
final class ContactRecordVersionModel: Model, @unchecked Sendable {
    static let schema = "contact_record_versions"
    @ID var id: UUID?
    @Parent(key: "record_id") var record: ContactRecordModel
    @Field(key: "version") var version: Int
    /// The record as it was, as JSON (`ContactSnapshot`).
    @Field(key: "snapshot") var snapshot: String
    @Field(key: "reason") var reason: String
    @Field(key: "changed_by") var changedBy: String
    @Field(key: "changed_at") var changedAt: Date

    init() {}
}

final class ContactConfirmationModel: Model, @unchecked Sendable {
    static let schema = "contact_confirmations"
    @ID var id: UUID?
    @Parent(key: "record_id") var record: ContactRecordModel
    @Parent(key: "student_id") var student: StudentModel
    @Field(key: "confirmed_at") var confirmedAt: Date
    /// The record's version the student confirmed (rows from before versions were kept are version 1).
    @Field(key: "record_version") var recordVersion: Int

    init() {}
}

/// A problem students raised during a contact, ready to become a tracked case.
final class ContactProblemModel: Model, @unchecked Sendable {
    static let schema = "contact_problems"
    @ID var id: UUID?
    @Parent(key: "record_id") var record: ContactRecordModel
    @Field(key: "text") var text: String
    @Field(key: "category") var category: String
    @OptionalField(key: "collective_code") var collectiveCode: String?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
