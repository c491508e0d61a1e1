import Fluent

/// 报送文书: the plan, summary or report itself (drafted from the data, reviewed by the office),
/// every submitted text with the office's answer, and the files that go with it.
struct CreateFilingDocuments: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("filing_documents")
            .id()
            .field("unit_id", .uuid, .required, .references("units", "id"))
            .field("term_code", .string, .required)
            .field("kind", .string, .required)
            .field("title", .string, .required)
            .field("body", .string, .required)
            .field("status", .string, .required)
            .field("version", .int, .required)
            .field("created_by", .string, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("submitted_on", .string)
            .field("submitted_by_id", .uuid)
            .field("comment", .string)
            .field("filing_id", .uuid, .references("filings", "id"))
            .unique(on: "unit_id", "term_code", "kind")
            .create()
        try await database.schema("filing_document_versions")
            .id()
            .field("document_id", .uuid, .required, .references("filing_documents", "id", onDelete: .cascade))
            .field("version", .int, .required)
            .field("title", .string, .required)
            .field("body", .string, .required)
            .field("submitted_on", .string, .required)
            .field("submitted_by", .string, .required)
            .field("outcome", .string)
            .field("comment", .string)
            .field("decided_by", .string)
            .field("decided_at", .datetime)
            .unique(on: "document_id", "version")
            .create()
        try await database.schema("filing_document_files")
            .id()
            .field("document_id", .uuid, .required, .references("filing_documents", "id", onDelete: .cascade))
            .field("sha256", .string, .required)
            .field("kind", .string, .required)
            .field("size", .int, .required)
            .field("original_name", .string, .required)
            .field("added_by", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in ["filing_document_files", "filing_document_versions", "filing_documents"] { try await database.schema(table).delete() }
    }
}
