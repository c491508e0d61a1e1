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
    /// Set when an administrator chose the password (creation, reset, privileged role grant):
    /// the person must choose their own before doing anything else. Nil on older rows means false.
    @OptionalField(key: "must_change_password") var mustChangePassword: Bool?
    @OptionalField(key: "password_changed_at") var passwordChangedAt: Date?
    /// Base32 TOTP secret once enrolment is confirmed; the pending one while the person scans it.
    @OptionalField(key: "totp_secret") var totpSecret: String?
    @OptionalField(key: "totp_pending_secret") var totpPendingSecret: String?
    @OptionalField(key: "totp_enabled_at") var totpEnabledAt: Date?
    /// The last TOTP step accepted, so a code is never accepted twice.
    @OptionalField(key: "totp_last_step") var totpLastStep: Int64?

    init() {}

    var roleValue: Role { Role(rawValue: role) ?? .student }
    var mustChange: Bool { mustChangePassword ?? false }
    var totpEnrolled: Bool { totpSecret != nil }
    var isLocked: Bool { (lockedUntil ?? .distantPast) > Date() }
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
    /// Nil only on tokens made before expiry existed; those count as expiring 90 days after creation.
    @OptionalField(key: "expires_at") var expiresAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}

    var effectiveExpiry: Date { expiresAt ?? createdAt.addingTimeInterval(Double(Accounts.defaultTokenDays) * 86400) }
    func isUsable(at now: Date) -> Bool { !revoked && effectiveExpiry > now }
}

/// Failed sign-ins counted under one key: `account:<username>` (whether or not the account exists,
/// so an unknown name is throttled exactly like a known one) or `client:<address>`.
final class LoginThrottleModel: Model, @unchecked Sendable {
    static let schema = "login_throttles"
    @ID var id: UUID?
    @Field(key: "key") var key: String
    @Field(key: "failures") var failures: Int
    @Field(key: "last_failure_at") var lastFailureAt: Date
    @OptionalField(key: "blocked_until") var blockedUntil: Date?

    init() {}
}

/// A sign-in whose password was right and whose second factor is awaited. The browser holds a
/// random secret (cookie); only its hash is stored. Five minutes, five codes.
final class LoginChallengeModel: Model, @unchecked Sendable {
    static let schema = "login_challenges"
    @ID var id: UUID?
    @Field(key: "secret_hash") var secretHash: String
    @Parent(key: "user_id") var user: UserModel
    @Field(key: "next") var next: String
    @Field(key: "expires_at") var expiresAt: Date
    @Field(key: "attempts") var attempts: Int

    init() {}
}

/// A one-time recovery code for when the phone is lost, stored as SHA-256 (the codes are random).
final class RecoveryCodeModel: Model, @unchecked Sendable {
    static let schema = "recovery_codes"
    @ID var id: UUID?
    @Parent(key: "user_id") var user: UserModel
    @Field(key: "code_hash") var codeHash: String
    @OptionalField(key: "used_at") var usedAt: Date?

    init() {}
}
