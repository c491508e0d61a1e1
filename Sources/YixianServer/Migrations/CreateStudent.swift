import Fluent
import SQLKit

struct CreateStudent: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(StudentModel.schema)
            .id()
            .field("student_number", .string, .required)
            .field("name", .string, .required)
            .field("unit_id", .uuid, .required, .references(UnitModel.schema, "id"))
            .field("active", .bool, .required)
            .field("updated_at", .datetime)
            .unique(on: "student_number")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "students_unit_idx").on(StudentModel.schema).column("unit_id").run()

        try await database.schema(StudentCollectiveModel.schema)
            .id()
            .field("student_id", .uuid, .required, .references(StudentModel.schema, "id", onDelete: .cascade))
            .field("collective_id", .uuid, .required, .references(CollectiveModel.schema, "id", onDelete: .cascade))
            .unique(on: "student_id", "collective_id")
            .create()
        try await sql.create(index: "student_collectives_collective_idx").on(StudentCollectiveModel.schema).column("collective_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(StudentCollectiveModel.schema).delete()
        try await database.schema(StudentModel.schema).delete()
    }
}
