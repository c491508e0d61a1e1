import Fluent
import Foundation
import Vapor
import YixianCore

/// Resolves the session cookie or bearer token into `req.currentUser`. It never rejects:
/// each route decides what it needs (`Access`).
struct AuthMiddleware: AsyncMiddleware {
    static let sessionCookie = "yixian_session"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let bearer = request.headers.bearerAuthorization?.token {
            request.currentUser = try await Self.user(forToken: bearer, on: request.db)
            guard request.currentUser != nil else {
                throw AppError(.unauthorized, code: "invalid_token", zh: "访问令牌无效、已过期或已吊销，或账号已停用、暂被锁定",
                               en: "The access token is invalid, expired or revoked, or its account is disabled or locked")
            }
        } else if let secret = request.cookies[Self.sessionCookie]?.string {
            request.currentUser = try await Self.user(forSession: secret, config: request.application.yixian, on: request.db)
        }
        if let user = request.currentUser, user.mustChangePassword, !Self.allowedBeforePasswordChange(request) {
            if request.isAPI || request.headers.bearerAuthorization != nil {
                throw AppError(.forbidden, code: "password_change_required",
                               zh: "初始密码须先修改：请登录网页在“修改密码”页设置新密码", en: "The initial password must be changed first: sign in on the web and set a new password")
            }
            return request.redirect(to: AccountPages.Route.password.path)
        }
        return try await next.respond(to: request)
    }

    /// What an account with an administrator-chosen password may still reach: the change page,
    /// signing out, the language switch and the stylesheet.
    static func allowedBeforePasswordChange(_ req: Request) -> Bool {
        let path = req.url.path
        return path == AccountPages.Route.password.path || path == SiteRoute.logout.path() || path == SiteRoute.language.path()
            || path == SiteRoute.stylesheet.path() || path == SiteRoute.login.path()
    }

    static func user(forToken token: String, on db: any Database) async throws -> CurrentUser? {
        guard token.hasPrefix("yx_"), token.count < 200,
              let record = try await APITokenModel.query(on: db)
                .filter(\.$secretHash == Secrets.sha256(token)).filter(\.$revoked == false)
                .with(\.$user).first(),
              record.isUsable(at: Date()),
              // A disabled account, or one held back by failed sign-ins, cannot use its tokens either.
              record.user.active, !record.user.isLocked else { return nil }
        // Last use is informative only; update at most once a minute to keep reads read-only.
        if record.lastUsedAt.map({ Date().timeIntervalSince($0) > 60 }) ?? true {
            record.lastUsedAt = Date()
            try await record.save(on: db)
        }
        return try await currentUser(record.user, sessionID: nil, csrf: nil, on: db)
    }

    static func user(forSession secret: String, config: AppConfig, on db: any Database) async throws -> CurrentUser? {
        guard secret.count < 200,
              let session = try await SessionModel.query(on: db).filter(\.$secretHash == Secrets.sha256(secret)).with(\.$user).first()
        else { return nil }
        let now = Date()
        let idle = now.timeIntervalSince(session.lastSeenAt) > Double(config.sessionIdleMinutes * 60)
        let expired = now.timeIntervalSince(session.createdAt) > Double(config.sessionMaxHours * 3600)
        guard !idle, !expired, session.user.active else {
            try await session.delete(on: db)
            return nil
        }
        if now.timeIntervalSince(session.lastSeenAt) > 60 {
            session.lastSeenAt = now
            try await session.save(on: db)
        }
        return try await currentUser(session.user, sessionID: session.id, csrf: session.csrfToken, on: db)
    }

    static func currentUser(_ user: UserModel, sessionID: UUID?, csrf: String?, on db: any Database) async throws -> CurrentUser {
        var unitID = user.$unit.id
        if unitID == nil, let cadreID = user.$cadre.id {
            unitID = try await CadreModel.find(cadreID, on: db)?.$unit.id
        }
        let unitCode = try await unitID.asyncMap { try await UnitModel.find($0, on: db)?.code } ?? nil
        return CurrentUser(id: try user.requireID(), username: user.username, displayName: user.displayName, role: user.roleValue,
                           unitID: unitID, unitCode: unitCode, cadreID: user.$cadre.id, studentID: user.$student.id,
                           sessionID: sessionID, csrfToken: csrf, mustChangePassword: user.mustChange, totpEnrolled: user.totpEnrolled)
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
