import Fluent

struct CreateStudentSensitive: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("student_sensitive")
            .id()
            .field("student_id", .uuid, .required, .references("students", "id", onDelete: .cascade))
            .field("family_hardship", .bool, .required)
            .field("disability", .bool, .required)
            .field("psychological_attention", .bool, .required)
            .field("note", .string, .required)
            .field("updated_at", .datetime)
            .unique(on: "student_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("student_sensitive").delete()
    }
}
