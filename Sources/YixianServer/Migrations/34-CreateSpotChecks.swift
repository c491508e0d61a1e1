import Fluent

/// 抽查: one draw per unit and month (the lines sampled and the seed that drew them), and the call
/// back of each sampled line to a student who took part.
struct CreateSpotChecks: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("spot_checks")
            .id()
            .field("unit_id", .uuid, .required, .references("units", "id"))
            .field("month", .string, .required)
            .field("share", .double, .required)
            .field("seed", .string, .required)
            .field("lines", .int, .required)
            .field("drawn_by", .string, .required)
            .field("drawn_at", .datetime, .required)
            .unique(on: "unit_id", "month")
            .create()
        try await database.schema("spot_check_items")
            .id()
            .field("spot_check_id", .uuid, .required, .references("spot_checks", "id", onDelete: .cascade))
            .field("record_id", .uuid, .required, .references("contact_records", "id"))
            .field("result", .string)
            .field("student", .string)
            .field("note", .string)
            .field("checked_by", .string)
            .field("checked_at", .datetime)
            .unique(on: "spot_check_id", "record_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("spot_check_items").delete()
        try await database.schema("spot_checks").delete()
    }
}
