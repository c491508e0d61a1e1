import Fluent

struct CreateFiling: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("filings")
            .id()
            .field("unit_id", .uuid, .required, .references("units", "id"))
            .field("term_code", .string, .required)
            .field("kind", .string, .required)
            .field("period_id", .string)
            .field("submitted_on", .string, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("filings").delete()
    }
}
