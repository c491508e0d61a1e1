import Fluent
import SQLKit

struct CreateCollective: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("collectives")
            .id()
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("unit_id", .uuid, .required, .references("units", "id"))
            .field("grade", .int)
            .field("size", .int, .required)
            .field("active", .bool, .required)
            .field("updated_at", .datetime)
            .unique(on: "code")
            .create()
        try await (database as! any SQLDatabase).create(index: "collectives_unit_idx").on("collectives").column("unit_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("collectives").delete()
    }
}
