import Fluent
import SQLKit

struct CreateCadre: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("cadres")
            .id()
            .field("staff_number", .string, .required)
            .field("name", .string, .required)
            .field("unit_id", .uuid, .required, .references("units", "id"))
            .field("posts", .string, .required)
            .field("rank", .string, .required)
            .field("party_member", .bool, .required)
            .field("tags", .string, .required)
            .field("active", .bool, .required)
            .field("updated_at", .datetime)
            .unique(on: "staff_number")
            .create()
        try await (database as! any SQLDatabase).create(index: "cadres_unit_idx").on("cadres").column("unit_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("cadres").delete()
    }
}
