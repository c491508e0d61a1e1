import Fluent

/// 典型经验: a ledger line an assessor or the office holds up as an example, with why.
struct CreateGoodPractices: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("good_practices")
            .id()
            .field("record_id", .uuid, .required, .references("contact_records", "id"))
            .field("title", .string, .required)
            .field("note", .string, .required)
            .field("marked_by", .string, .required)
            .field("marked_at", .datetime, .required)
            .unique(on: "record_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("good_practices").delete()
    }
}
