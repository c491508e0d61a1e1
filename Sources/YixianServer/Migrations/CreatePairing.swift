import Fluent

struct CreatePairing: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PairingModel.schema)
            .id()
            .field("cadre_id", .uuid, .required, .references(CadreModel.schema, "id"))
            .field("kind", .string, .required)
            .field("collective_id", .uuid, .references(CollectiveModel.schema, "id"))
            .field("student_id", .uuid, .references(StudentModel.schema, "id"))
            .field("academic_year", .string, .required)
            .field("start_date", .string, .required)
            .field("end_date", .string, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PairingModel.schema).delete()
    }
}
