import Fluent

struct CreatePairing: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("pairings")
            .id()
            .field("cadre_id", .uuid, .required, .references("cadres", "id"))
            .field("kind", .string, .required)
            .field("collective_id", .uuid, .references("collectives", "id"))
            .field("student_id", .uuid, .references("students", "id"))
            .field("academic_year", .string, .required)
            .field("start_date", .string, .required)
            .field("end_date", .string, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("pairings").delete()
    }
}
