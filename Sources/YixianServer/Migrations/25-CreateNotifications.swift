import Fluent
import SQLKit

/// In-app notifications (the bell): one row per person and event. A channel other than the app
/// (email, a messaging bot) reads the same rows.
struct CreateNotifications: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("notifications")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("case_id", .uuid, .references("cases", "id", onDelete: .cascade))
            .field("text_zh", .string, .required)
            .field("text_en", .string, .required)
            .field("created_at", .datetime, .required)
            .field("read_at", .datetime)
            .create()
        try await (database as! any SQLDatabase).raw("CREATE INDEX notifications_user_unread ON notifications (user_id, read_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("notifications").delete()
    }
}
