import Crypto
import Fluent
import Foundation

struct CreateAttachment: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("attachments")
            .id()
            .field("record_id", .uuid, .required, .references("contact_records", "id", onDelete: .cascade))
            .field("sha256", .string, .required)
            .field("kind", .string, .required)
            .field("size", .int, .required)
            .field("capture_time", .datetime)
            .field("original_name", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("attachments").delete()
    }
}
