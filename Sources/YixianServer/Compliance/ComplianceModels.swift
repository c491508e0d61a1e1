import Fluent
import Foundation

/// One uploaded version of the institution's policy file. Versions are never edited:
/// a new one takes effect from its date, and earlier periods stay judged by the one then in force.
final class PolicyVersionModel: Model, @unchecked Sendable {
    static let schema = "policy_versions"
    @ID var id: UUID?
    @Field(key: "policy_code") var policyCode: String
    @Field(key: "version") var version: Int
    @Field(key: "title") var title: String
    @Field(key: "source_text") var sourceText: String
    @Field(key: "effective_from") var effectiveFrom: String
    @Field(key: "uploaded_by") var uploadedBy: String
    @Field(key: "uploaded_at") var uploadedAt: Date

    init() {}
}

/// A unit's filing (arrangement plan, semester summary, pairing table, problem list).
final class FilingModel: Model, @unchecked Sendable {
    static let schema = "filings"
    @ID var id: UUID?
    @Parent(key: "unit_id") var unit: UnitModel
    @Field(key: "term_code") var termCode: String
    @Field(key: "kind") var kind: String
    @OptionalField(key: "period_id") var periodID: String?
    @Field(key: "submitted_on") var submittedOn: String
    /// The cadre a personal filing is from (§4.16); nil for the unit's own (migration 42).
    @OptionalField(key: "cadre_staff_number") var cadreStaffNumber: String?

    init() {}
}

/// What a filing said before it was corrected, who corrected it and why.
final class FilingVersionModel: Model, @unchecked Sendable {
    static let schema = "filing_versions"
    @ID var id: UUID?
    @Parent(key: "filing_id") var filing: FilingModel
    @Field(key: "submitted_on") var submittedOn: String
    @Field(key: "reason") var reason: String
    @Field(key: "changed_by") var changedBy: String
    @Field(key: "changed_at") var changedAt: Date

    init() {}
}

/// A file attached to a filing (the stamped document as PDF, or a scan); bytes in the evidence store.
final class FilingAttachmentModel: Model, @unchecked Sendable {
    static let schema = "filing_attachments"
    @ID var id: UUID?
    @Parent(key: "filing_id") var filing: FilingModel
    @Field(key: "sha256") var sha256: String
    @Field(key: "kind") var kind: String
    @Field(key: "size") var size: Int
    @Field(key: "original_name") var originalName: String
    @Field(key: "added_by") var addedBy: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
