import Fluent

struct CreateCalendar: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AcademicYearModel.schema)
            .id()
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("start_date", .string, .required)
            .field("end_date", .string, .required)
            .unique(on: "code")
            .create()
        try await database.schema(TermModel.schema)
            .id()
            .field("academic_year_id", .uuid, .required, .references(AcademicYearModel.schema, "id", onDelete: .cascade))
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("start_date", .string, .required)
            .field("end_date", .string, .required)
            .unique(on: "code")
            .create()
        try await database.schema(SpecialWeekModel.schema)
            .id()
            .field("term_id", .uuid, .required, .references(TermModel.schema, "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("start_date", .string, .required)
            .field("end_date", .string, .required)
            .field("excluded", .bool, .required)
            .create()
        try await database.schema(VacationModel.schema)
            .id()
            .field("term_id", .uuid, .required, .references(TermModel.schema, "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("start_date", .string, .required)
            .field("end_date", .string, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        for schema in [VacationModel.schema, SpecialWeekModel.schema, TermModel.schema, AcademicYearModel.schema] {
            try await database.schema(schema).delete()
        }
    }
}
