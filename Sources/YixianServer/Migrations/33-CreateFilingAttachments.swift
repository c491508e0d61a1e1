import Fluent

/// Files attached to a filing: the signed and stamped plan or summary as PDF, or a scan. The bytes
/// live in the evidence store (content-addressed, checked on every read), as a ledger line's do.
struct CreateFilingAttachments: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("filing_attachments")
            .id()
            .field("filing_id", .uuid, .required, .references("filings", "id", onDelete: .cascade))
            .field("sha256", .string, .required)
            .field("kind", .string, .required)
            .field("size", .int, .required)
            .field("original_name", .string, .required)
            .field("added_by", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("filing_attachments").delete()
    }
}
