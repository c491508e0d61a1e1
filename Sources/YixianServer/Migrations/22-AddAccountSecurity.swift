import Fluent

/// Account security: forced password change, TOTP, token expiry and
/// revocation, login throttling by account and by client, pending second-factor sign-ins,
/// recovery codes. Added columns are optional so existing rows need no default.
struct AddAccountSecurity: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        let userColumns: [(FieldKey, DatabaseSchema.DataType)] = [
            ("must_change_password", .bool), ("password_changed_at", .datetime), ("totp_secret", .string),
            ("totp_pending_secret", .string), ("totp_enabled_at", .datetime), ("totp_last_step", .int64),
        ]
        for (key, type) in userColumns {
            try await database.schema("users").field(key, type).update()
        }
        for (key, type) in [("expires_at", DatabaseSchema.DataType.datetime), ("revoked_at", .datetime)] as [(FieldKey, DatabaseSchema.DataType)] {
            try await database.schema("api_tokens").field(key, type).update()
        }
        try await database.schema("login_throttles")
            .id()
            .field("key", .string, .required)
            .field("failures", .int, .required)
            .field("last_failure_at", .datetime, .required)
            .field("blocked_until", .datetime)
            .unique(on: "key")
            .create()
        try await database.schema("login_challenges")
            .id()
            .field("secret_hash", .string, .required)
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("next", .string, .required)
            .field("expires_at", .datetime, .required)
            .field("attempts", .int, .required)
            .unique(on: "secret_hash")
            .create()
        try await database.schema("recovery_codes")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("code_hash", .string, .required)
            .field("used_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("recovery_codes").delete()
        try await database.schema("login_challenges").delete()
        try await database.schema("login_throttles").delete()
        for key in ["expires_at", "revoked_at"] { try await database.schema("api_tokens").deleteField(.string(key)).update() }
        for key in ["must_change_password", "password_changed_at", "totp_secret", "totp_pending_secret", "totp_enabled_at", "totp_last_step"] {
            try await database.schema("users").deleteField(.string(key)).update()
        }
    }
}
