import Fluent
import SQLKit

struct CreateStudent: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("students")
            .id()
            .field("student_number", .string, .required)
            .field("name", .string, .required)
            .field("unit_id", .uuid, .required, .references("units", "id"))
            .field("active", .bool, .required)
            .field("updated_at", .datetime)
            .unique(on: "student_number")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "students_unit_idx").on("students").column("unit_id").run()

        try await database.schema("student_collectives")
            .id()
            .field("student_id", .uuid, .required, .references("students", "id", onDelete: .cascade))
            .field("collective_id", .uuid, .required, .references("collectives", "id", onDelete: .cascade))
            .unique(on: "student_id", "collective_id")
            .create()
        try await sql.create(index: "student_collectives_collective_idx").on("student_collectives").column("collective_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("student_collectives").delete()
        try await database.schema("students").delete()
    }
}
