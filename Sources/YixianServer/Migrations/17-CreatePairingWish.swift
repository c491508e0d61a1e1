import Fluent
import Plot

struct CreatePairingWish: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("pairing_wishes")
            .id()
            .field("cadre_id", .uuid, .required, .references("cadres", "id"))
            .field("academic_year", .string, .required)
            .field("collective_codes", .string, .required)
            .field("collective_kinds", .string, .required)
            .field("expertise", .string, .required)
            .field("updated_at", .datetime)
            .unique(on: "cadre_id", "academic_year")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("pairing_wishes").delete()
    }
}
