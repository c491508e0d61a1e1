import Fluent
import Foundation
import SQLKit
import Vapor
import YixianCore

/// 统一身份认证: sign-in through the university's CAS server (protocol 2.0 or 3.0). The browser goes
/// to CAS with our callback as `service`; CAS sends it back with a one-time ticket, which the server
/// checks with CAS directly (`serviceValidate`), never trusting what the browser says. The CAS user
/// is the staff or student number, matched to the account by username or by its roster link.
/// Local passwords stay: for the 三员 and business admins (CAS never signs in an administrator) and
/// for deployments without CAS.
enum CASLogin {
    struct Settings: Sendable, Equatable {
        /// The CAS server's base, e.g. `https://cas.example.edu.cn/cas` (no trailing slash).
        var base: String
        /// 3 validates at `/p3/serviceValidate`, 2 at `/serviceValidate`.
        var version = 3
        var timeoutSeconds: Int64 = 5
    }

    static let callbackNext = "next"

    static func register(_ app: Application) {
        app.routes.on(.GET, SitePattern.casLogin.components, access: .anyone) { req -> Response in
            guard let cas = req.application.yixian.cas else { throw AppError.notFound() }
            let next = LocalPath.safe(req.query[String.self, at: callbackNext])
            return req.redirect(to: cas.base + "/login?service=" + encode(service(req, next: next)))
        }
        app.routes.on(.GET, SitePattern.casCallback.components, access: .anyone) { req -> Response in
            guard let cas = req.application.yixian.cas else { throw AppError.notFound() }
            let next = LocalPath.safe(req.query[String.self, at: callbackNext])
            let ticket = req.query[String.self, at: "ticket"] ?? ""
            let user = try await signIn(ticket: ticket, service: service(req, next: next), cas: cas, req: req)
            return try await LoginPages.signedIn(req, user: user, next: next)
        }
    }

    /// Our callback URL as CAS sees it: built the same way when sending the person to CAS and when
    /// validating, since CAS compares the two letter for letter.
    static func service(_ req: Request, next: String) -> String {
        req.publicBase + SiteRoute.casCallback.path() + (next == "/" ? "" : "?\(callbackNext)=" + encode(next))
    }

    /// Percent-encoding with one fixed set (RFC 3986 unreserved), so both builds of a URL agree.
    static func encode(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    static let badTicket = AppError(.unauthorized, code: .casTicketInvalid, field: "ticket",
                                    zh: "统一身份认证票据无效、已使用或已过期，请重新登录", en: "The sign-in ticket is invalid, used or expired; sign in again")

    static func signIn(ticket: String, service: String, cas: Settings, req: Request) async throws -> UserModel {
        let client = req.clientAddress
        // CAS tickets are short printable tokens (ST-…); anything else never reaches CAS.
        guard (4...256).contains(ticket.count), ticket.hasPrefix("ST-") || ticket.hasPrefix("PT-"),
              ticket.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            try await audit("login.cas-failure", "malformed ticket; client \(client)", on: req.db)
            throw badTicket
        }
        // A ticket is claimed before CAS is asked, so a replay is refused here even if a CAS server
        // were to accept it twice; the claim commits on its own, whatever happens next.
        let claimed = try await req.db.write { db -> Bool in
            let sql = db as! any SQLDatabase
            let hash = Secrets.sha256("cas:" + ticket)
            let seen = try await sql.raw("SELECT COUNT(*) AS n FROM cas_tickets WHERE ticket_hash = \(bind: hash)").first(decoding: Count.self)?.n ?? 0
            guard seen == 0 else { return false }
            try await sql.raw("DELETE FROM cas_tickets WHERE used_at < \(bind: Date().addingTimeInterval(-2 * 86_400))").run()
            try await sql.raw("INSERT INTO cas_tickets (id, ticket_hash, used_at) VALUES (\(bind: UUID()), \(bind: hash), \(bind: Date()))").run()
            return true
        }
        guard claimed else {
            try await audit("login.cas-failure", "ticket replayed; client \(client)", on: req.db)
            throw badTicket
        }
        let answer = try await validate(ticket: ticket, service: service, cas: cas, req: req)
        let casUser: String
        switch answer {
        case .success(let user, _): casUser = user
        case .failure(let code, let message):
            try await audit("login.cas-failure", "\(code) \(message.prefix(120)); client \(client)", on: req.db)
            throw badTicket
        }
        guard let user = try await account(for: casUser, on: req.db), user.active else {
            try await audit("login.cas-failure", "no active account for CAS user \(casUser.prefix(40)); client \(client)", on: req.db)
            throw AppError(.forbidden, code: .casUnknownUser,
                           zh: "统一身份认证账号“\(casUser.prefix(40))”在本系统中没有可用的账号，请联系本单位秘书或学生工作部门",
                           en: "The CAS account \(casUser.prefix(40)) has no active account here; ask your unit's secretary or the student affairs office")
        }
        guard !user.roleValue.isPrivileged else {
            try await audit("login.cas-failure", "administrator \(user.username) refused; client \(client)", on: req.db)
            throw AppError(.forbidden, code: .casUnknownUser, zh: "管理员账号须使用本地密码（及动态口令）登录", en: "Administrator accounts sign in with their local password (and second factor)")
        }
        try await req.db.write { db in
            guard let fresh = try await UserModel.find(user.id, on: db) else { throw AppError.notFound("user") }
            try await Accounts.succeed(fresh, client: client, detail: "cas \(casUser.prefix(40))", on: db)
        }
        return user
    }

    private struct Count: Decodable { var n: Int }

    static func validate(ticket: String, service: String, cas: Settings, req: Request) async throws -> CASResponse {
        let path = cas.version == 2 ? "/serviceValidate" : "/p3/serviceValidate"
        let url = cas.base + path + "?ticket=" + encode(ticket) + "&service=" + encode(service)
        let unavailable = AppError(.badGateway, code: .casUnavailable,
                                   zh: "统一身份认证服务暂时无法访问，请稍后再试，或使用本系统密码登录", en: "The university sign-in service cannot be reached; try again later or use your password")
        let response: ClientResponse
        do {
            response = try await req.client.get(URI(string: url)) { $0.timeout = .seconds(cas.timeoutSeconds) }
        } catch {
            req.logger.warning("CAS validation failed: \(String(describing: error))")
            throw unavailable
        }
        guard response.status == .ok, let body = response.body else { throw unavailable }
        do {
            return try CASResponse.parse(Data(buffer: body))
        } catch {
            req.logger.warning("CAS answer refused: \(error)")
            throw unavailable
        }
    }

    /// The account a CAS name stands for: the account of that username, else the one linked to the
    /// student or cadre with that number.
    static func account(for casUser: String, on db: any Database) async throws -> UserModel? {
        if let user = try await UserModel.query(on: db).filter(\.$username == casUser).first() { return user }
        if let student = try await StudentModel.query(on: db).filter(\.$studentNumber == casUser).first(),
           let user = try await UserModel.query(on: db).filter(\.$student.$id == student.id).first() {
            return user
        }
        if let cadre = try await CadreModel.query(on: db).filter(\.$staffNumber == casUser).first(),
           let user = try await UserModel.query(on: db).filter(\.$cadre.$id == cadre.id).first() {
            return user
        }
        return nil
    }

    private static func audit(_ action: String, _ detail: String, on db: any Database) async throws {
        try await db.write { db in
            try await AuditTrail.record(action, objectType: "login", objectID: "cas", detail: detail, by: .init(id: nil, name: "anonymous"), on: db)
        }
    }
}
