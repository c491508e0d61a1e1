import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor
import YixianCore

/// Resolves the session cookie or bearer token into `req.currentUser`. It never rejects:
/// each route decides what it needs (`Access`).
struct AuthMiddleware: AsyncMiddleware {
    static let sessionCookie = "yixian_session"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let bearer = request.headers.bearerAuthorization?.token
        let session = bearer == nil ? request.cookies[Self.sessionCookie]?.string : nil
        // Read once: principals are kept against them, and the handler may key its caches on them too.
        if bearer != nil || session != nil { request.authDataVersions = try await DataVersions.read(on: request.db) }
        if let bearer, let data = request.authDataVersions {
            request.currentUser = try await Self.user(forToken: bearer, config: request.application.yixian, at: data, on: request.db)
            guard request.currentUser != nil else {
                throw AppError(.unauthorized, code: .invalidToken, zh: "访问令牌无效、已过期或已吊销，或账号已停用、暂被锁定",
                               en: "The access token is invalid, expired or revoked, or its account is disabled or locked")
            }
        } else if let session, let data = request.authDataVersions {
            request.currentUser = try await Self.user(forSession: session, config: request.application.yixian, at: data, on: request.db)
        }
        if let user = request.currentUser, user.mustChangePassword, !Self.allowedBeforePasswordChange(request) {
            if request.isAPI || request.headers.bearerAuthorization != nil {
                throw AppError(.forbidden, code: .passwordChangeRequired,
                               zh: "初始密码须先修改：请登录网页在“修改密码”页设置新密码", en: "The initial password must be changed first: sign in on the web and set a new password")
            }
            return request.redirect(to: SiteRoute.accountPassword.path())
        }
        return try await next.respond(to: request)
    }

    /// What an account with an administrator-chosen password may still reach: the change page,
    /// signing out, the language switch and the stylesheet.
    static func allowedBeforePasswordChange(_ req: Request) -> Bool {
        let path = req.url.path
        return path == SiteRoute.accountPassword.path() || path == SiteRoute.logout.path() || path == SiteRoute.language.path()
            || path == SiteRoute.stylesheet.path() || path == SiteRoute.login.path()
    }

    /// The account behind a token or a session with its unit, read in one statement with plain
    /// rows: the four Fluent queries it replaces (credential, user, cadre, unit) were most of a
    /// small page's time.
    struct PrincipalRow: Sendable {
        var credential_id: UUID
        var credential_created_at: Date
        /// Tokens: `last_used_at`; sessions: `last_seen_at`.
        var last_seen: Date?
        var expires_at: Date?
        var revoked: Bool?
        var csrf_token: String?
        var user_id: UUID
        var username: String
        var display_name: String
        var role: String
        var active: Bool
        var locked_until: Date?
        var must_change_password: Bool?
        var totp_enrolled: Bool
        var cadre_id: UUID?
        var student_id: UUID?
        var unit_id: UUID?
        var unit_code: String?
        var unread: Int?
        var cadre_rank: String?
        var cadre_tags: String?

        var isLocked: Bool { (locked_until ?? .distantPast) > Date() }

        func user(sessionID: UUID?, oversightTags: Set<String>) -> CurrentUser {
            var user = CurrentUser(id: user_id, username: username, displayName: display_name, role: Role(rawValue: role) ?? .student,
                        unitID: unit_id, unitCode: unit_code, cadreID: cadre_id, studentID: student_id,
                        sessionID: sessionID, csrfToken: sessionID == nil ? nil : csrf_token,
                        mustChangePassword: must_change_password ?? false, totpEnrolled: totp_enrolled, unreadNotifications: unread ?? 0)
            user.oversees = user.role == .cadre && cadre_rank == Rank.schoolLeader.rawValue
                && !oversightTags.isDisjoint(with: (cadre_tags ?? "").split(separator: ",").map(String.init))
            return user
        }

        init(_ row: PlainRow) throws {
            credential_id = try row.uuid("credential_id")
            credential_created_at = try row.value("credential_created_at")
            last_seen = try row.optional("last_seen")
            expires_at = try row.optional("expires_at")
            revoked = try row.optional("revoked")
            csrf_token = try row.optional("csrf_token")
            user_id = try row.uuid("user_id")
            username = try row.string("username")
            display_name = try row.string("display_name")
            role = try row.string("role")
            active = try row.bool("active")
            locked_until = try row.optional("locked_until")
            must_change_password = try row.optional("must_change_password")
            totp_enrolled = try row.bool("totp_enrolled")
            cadre_id = try row.optionalUUID("cadre_id")
            student_id = try row.optionalUUID("student_id")
            unit_id = try row.optionalUUID("unit_id")
            unit_code = try row.optional("unit_code")
            unread = try row.optional("unread")
            cadre_rank = try row.optional("cadre_rank")
            cadre_tags = try row.optional("cadre_tags")
        }

        /// What a principal is read from besides its credential's table.
        static let tables = ["users", "notifications", "cadres", "units"]

        /// Principals as last read, per credential table, for the versions of the tables they were
        /// read from: an account signs in once and then sends request after request, and reading it
        /// (a four-table join) was a tenth of a contact POST. Any change to those tables commits a
        /// new version with it, so the next request reads the principal again; whether a token has
        /// expired or an account's hold has run out is judged on every request, from the row.
        private static let cache = NIOLockedValueBox<[String: (key: String, rows: [String: PrincipalRow])]>([:])
        static let cacheLimit = 10_000

        /// The principal behind a credential: from `cache` when nothing it is read from has changed
        /// since `data` (read before), else from the database.
        static func cached(_ credential: String, columns: String, hash: String, at data: DataVersions, on db: any Database) async throws -> PrincipalRow? {
            let tables = [credential] + Self.tables
            // A database whose counters miss a table (migrated halfway) cannot tell when to read again.
            guard tables.allSatisfy({ data.values[$0] != nil }) else { return try await query(credential, columns: columns, hash: hash, on: db) }
            let key = data.key(tables)
            if let row = cache.withLockedValue({ $0[credential].flatMap { $0.key == key ? $0.rows[hash] : nil } }) { return row }
            guard let row = try await query(credential, columns: columns, hash: hash, on: db) else { return nil }
            cache.withLockedValue { all in
                var entry = all[credential] ?? (key, [:])
                if entry.key != key || entry.rows.count >= cacheLimit { entry = (key, [:]) }
                entry.rows[hash] = row
                all[credential] = entry
            }
            return row
        }

        /// Every request reads it: plain columns, not a `Decodable` pass (`PlainRow`).
        static func query(_ credential: String, columns: String, hash: String, on db: any Database) async throws -> PrincipalRow? {
            try await db.plainRows("""
                SELECT \(unsafeRaw: columns), u.id AS user_id, u.username, u.display_name, u.role, u.active, u.locked_until,
                       u.must_change_password, (u.totp_secret IS NOT NULL) AS totp_enrolled, u.cadre_id, u.student_id,
                       COALESCE(u.unit_id, c.unit_id) AS unit_id, n.code AS unit_code, c.rank AS cadre_rank, c.tags AS cadre_tags,
                       (SELECT COUNT(*) FROM notifications m WHERE m.user_id = u.id AND m.read_at IS NULL) AS unread
                FROM \(unsafeRaw: credential) x JOIN users u ON u.id = x.user_id
                LEFT JOIN cadres c ON c.id = u.cadre_id LEFT JOIN units n ON n.id = COALESCE(u.unit_id, c.unit_id)
                WHERE x.secret_hash = \(bind: hash)
                """).first.map(PrincipalRow.init)
        }
    }

    /// `data`: the data versions read for this request, which the principal is kept against.
    static func user(forToken token: String, config: AppConfig, at data: DataVersions, on db: any Database) async throws -> CurrentUser? {
        guard token.hasPrefix("yx_"), token.count < 200,
              let row = try await PrincipalRow.cached("api_tokens", columns: """
                  x.id AS credential_id, x.created_at AS credential_created_at, x.last_used_at AS last_seen, x.expires_at, x.revoked,
                  NULL AS csrf_token
                  """, hash: Secrets.sha256(token), at: data, on: db) else { return nil }
        let now = Date()
        let expiry = row.expires_at ?? row.credential_created_at.addingTimeInterval(Double(Accounts.defaultTokenDays) * 86400)
        // A revoked or expired token, a disabled account, or one held back by failed sign-ins: no access.
        guard row.revoked != true, expiry > now, row.active, !row.isLocked else { return nil }
        // Last use is informative only; update at most once a minute to keep reads read-only.
        if row.last_seen.map({ now.timeIntervalSince($0) > 60 }) ?? true {
            try await (db as! any SQLDatabase).update(APITokenModel.schema).set("last_used_at", to: now)
                .where("id", .equal, row.credential_id).run()
        }
        return row.user(sessionID: nil, oversightTags: config.oversightTags)
    }

    static func user(forSession secret: String, config: AppConfig, at data: DataVersions, on db: any Database) async throws -> CurrentUser? {
        guard secret.count < 200,
              let row = try await PrincipalRow.cached("sessions", columns: """
                  x.id AS credential_id, x.created_at AS credential_created_at, x.last_seen_at AS last_seen, NULL AS expires_at,
                  NULL AS revoked, x.csrf_token
                  """, hash: Secrets.sha256(secret), at: data, on: db) else { return nil }
        let now = Date()
        let lastSeen = row.last_seen ?? row.credential_created_at
        let idle = now.timeIntervalSince(lastSeen) > Double(config.sessionIdleMinutes * 60)
        let expired = now.timeIntervalSince(row.credential_created_at) > Double(config.sessionMaxHours * 3600)
        guard !idle, !expired, row.active else {
            try await SessionModel.query(on: db).filter(\.$id == row.credential_id).delete()
            return nil
        }
        if now.timeIntervalSince(lastSeen) > 60 {
            try await (db as! any SQLDatabase).update(SessionModel.schema).set("last_seen_at", to: now)
                .where("id", .equal, row.credential_id).run()
        }
        return row.user(sessionID: row.credential_id, oversightTags: config.oversightTags)
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
