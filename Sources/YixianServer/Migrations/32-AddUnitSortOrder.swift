import Fluent

/// The university's own order of its units (排序 in the unit roster). Optional: units without one
/// follow the ordered ones, by kind and name.
struct AddUnitSortOrder: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("units").field("sort_order", .int).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("units").deleteField("sort_order").update()
    }
}
