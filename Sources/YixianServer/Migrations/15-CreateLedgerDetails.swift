import Fluent

struct CreateLedgerDetails: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("contact_record_versions")
            .id()
            .field("record_id", .uuid, .required, .references("contact_records", "id", onDelete: .cascade))
            .field("version", .int, .required)
            .field("snapshot", .string, .required)
            .field("reason", .string, .required)
            .field("changed_by", .string, .required)
            .field("changed_at", .datetime, .required)
            .unique(on: "record_id", "version")
            .create()
        try await database.schema("contact_confirmations")
            .id()
            .field("record_id", .uuid, .required, .references("contact_records", "id", onDelete: .cascade))
            .field("student_id", .uuid, .required, .references("students", "id"))
            .field("confirmed_at", .datetime, .required)
            .unique(on: "record_id", "student_id")
            .create()
        try await database.schema("contact_problems")
            .id()
            .field("record_id", .uuid, .required, .references("contact_records", "id", onDelete: .cascade))
            .field("text", .string, .required)
            .field("category", .string, .required)
            .field("collective_code", .string)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        for schema in ["contact_problems", "contact_confirmations", "contact_record_versions"] {
            try await database.schema(schema).delete()
        }
    }
}
