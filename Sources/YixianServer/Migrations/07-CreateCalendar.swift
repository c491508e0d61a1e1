import Fluent

struct CreateCalendar: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("academic_years")
            .id()
            .field("code", .string, .required)
            .field("name", .string, .required)
            .span()
            .unique(on: "code")
            .create()
        try await database.schema("terms")
            .id()
            .field("academic_year_id", .uuid, .required, .references("academic_years", "id", onDelete: .cascade))
            .field("code", .string, .required)
            .field("name", .string, .required)
            .span()
            .unique(on: "code")
            .create()
        try await database.schema("special_weeks")
            .id()
            .field("term_id", .uuid, .required, .references("terms", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .span()
            .field("excluded", .bool, .required)
            .create()
        try await database.schema("term_vacations")
            .id()
            .field("term_id", .uuid, .required, .references("terms", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .span()
            .create()
    }

    func revert(on database: any Database) async throws {
        for schema in ["term_vacations", "special_weeks", "terms", "academic_years"] {
            try await database.schema(schema).delete()
        }
    }
}

private extension SchemaBuilder {
    /// First and last day as `YYYY-MM-DD` text, both inclusive.
    func span() -> Self {
        field("start_date", .string, .required).field("end_date", .string, .required)
    }
}
