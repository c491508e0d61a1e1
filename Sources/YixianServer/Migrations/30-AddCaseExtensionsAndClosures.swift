import Fluent

/// 延期 (an extension the unit asks for and the office approves) and cases closed without an answer
/// of their own: merged into another case, or split into several.
struct AddCaseExtensionsAndClosures: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        let columns: [(FieldKey, DatabaseSchema.DataType)] = [
            ("extension_days", .int), ("requested_extension", .int), ("extension_reason", .string), ("closed_as", .string), ("merged_into_id", .uuid),
        ]
        for (key, type) in columns {
            try await database.schema("cases").field(key, type).update()
        }
    }

    func revert(on database: any Database) async throws {
        for key in ["extension_days", "requested_extension", "extension_reason", "closed_as", "merged_into_id"] {
            try await database.schema("cases").deleteField(.string(key)).update()
        }
    }
}
