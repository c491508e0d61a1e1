import Fluent
import SQLKit

/// Accounts for the whole roster: one-time activation codes (only their SHA-256 is kept), and
/// indexes on the user's cadre and student links, which provisioning asks "who has no account yet".
struct CreateActivationCodes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("activation_codes")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("code_hash", .string, .required)
            .field("issued_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("issued_by", .string, .required)
            .unique(on: "user_id")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX users_cadre ON users (cadre_id)").run()
        try await sql.raw("CREATE INDEX users_student ON users (student_id)").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("DROP INDEX users_student").run()
        try await sql.raw("DROP INDEX users_cadre").run()
        try await database.schema("activation_codes").delete()
    }
}
