import Fluent

/// A unit files each kind once per term (and month): filing it again corrects the first filing
/// with a reason, and what it said before is kept here instead of in a duplicate row.
struct CreateFilingVersions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("filing_versions")
            .id()
            .field("filing_id", .uuid, .required, .references("filings", "id", onDelete: .cascade))
            .field("submitted_on", .string, .required)
            .field("reason", .string, .required)
            .field("changed_by", .string, .required)
            .field("changed_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("filing_versions").delete()
    }
}
