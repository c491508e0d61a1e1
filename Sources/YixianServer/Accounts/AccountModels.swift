import Fluent
import Foundation
import YixianCore

final class UserModel: Model, @unchecked Sendable {
    static let schema = "users"
    @ID var id: UUID?
    @Field(key: "username") var username: String
    @Field(key: "display_name") var displayName: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "role") var role: String
    @OptionalParent(key: "unit_id") var unit: UnitModel?
    @OptionalParent(key: "cadre_id") var cadre: CadreModel?
    @OptionalParent(key: "student_id") var student: StudentModel?
    @Field(key: "active") var active: Bool
    @Field(key: "failed_logins") var failedLogins: Int
    @OptionalField(key: "locked_until") var lockedUntil: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var roleValue: Role { Role(rawValue: role) ?? .student }
}

/// A browser session. The cookie carries a random secret; only its SHA-256 is stored,
/// so a leaked database does not leak live sessions.
final class SessionModel: Model, @unchecked Sendable {
    static let schema = "sessions"
    @ID var id: UUID?
    @Field(key: "secret_hash") var secretHash: String
    @Parent(key: "user_id") var user: UserModel
    @Field(key: "csrf_token") var csrfToken: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "last_seen_at") var lastSeenAt: Date

    init() {}
}

/// A personal access token for API clients (`Authorization: Bearer yx_…`). Stored hashed.
final class APITokenModel: Model, @unchecked Sendable {
    static let schema = "api_tokens"
    @ID var id: UUID?
    @Parent(key: "user_id") var user: UserModel
    @Field(key: "name") var name: String
    @Field(key: "secret_hash") var secretHash: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @Field(key: "revoked") var revoked: Bool

    init() {}
}
