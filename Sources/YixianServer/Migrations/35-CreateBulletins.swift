import Fluent

/// 通报: drafted from the verdicts of a period, edited by the office, published to the units it names.
struct CreateBulletins: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("bulletins")
            .id()
            .field("title", .string, .required)
            .field("period", .string, .required)
            .field("period_name", .string, .required)
            .field("body", .string, .required)
            .field("status", .string, .required)
            .field("concerned", .string, .required)
            .field("created_by", .string, .required)
            .field("created_at", .datetime, .required)
            .field("published_by", .string)
            .field("published_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("bulletins").delete()
    }
}
