import Fluent
import Foundation
import NIOConcurrencyHelpers
import Testing
import Vapor
import YixianCore
@testable import YixianServer

/// A CAS server on loopback speaking the protocol (tickets issued to a user for a service, valid
/// once, checked at `/p3/serviceValidate`), so the sign-in is tested over real HTTP end to end.
/// CI also runs a browser journey against django-mama-cas (`Tests/browser/cas_journey.py`).
final class LoopbackCAS: @unchecked Sendable {
    let app: Application
    private let baseBox = NIOLockedValueBox<String>("")
    private let tickets = NIOLockedValueBox<[String: (user: String, service: String)]>([:])
    /// Answer with this body instead (hostile or broken servers).
    let override = NIOLockedValueBox<String?>(nil)

    private init(app: Application) {
        self.app = app
    }

    /// The CAS base URL, e.g. http://127.0.0.1:PORT/cas.
    var url: String { baseBox.withLockedValue { $0 } }

    static func start() async throws -> LoopbackCAS {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        let cas = LoopbackCAS(app: app)
        app.get("cas", "p3", "serviceValidate") { req -> Response in
            let ticket = req.query[String.self, at: "ticket"] ?? ""
            let service = req.query[String.self, at: "service"] ?? ""
            let body: String
            if let forced = cas.override.withLockedValue({ $0 }) {
                body = forced
            } else if let issued = cas.tickets.withLockedValue({ $0.removeValue(forKey: ticket) }) {
                body = issued.service == service
                    ? "<cas:serviceResponse xmlns:cas=\"http://www.yale.edu/tp/cas\"><cas:authenticationSuccess><cas:user>\(issued.user)</cas:user></cas:authenticationSuccess></cas:serviceResponse>"
                    : "<cas:serviceResponse xmlns:cas=\"http://www.yale.edu/tp/cas\"><cas:authenticationFailure code=\"INVALID_SERVICE\">service mismatch</cas:authenticationFailure></cas:serviceResponse>"
            } else {
                body = "<cas:serviceResponse xmlns:cas=\"http://www.yale.edu/tp/cas\"><cas:authenticationFailure code=\"INVALID_TICKET\">Ticket \(ticket) not recognized</cas:authenticationFailure></cas:serviceResponse>"
            }
            let response = Response(status: .ok, body: .init(string: body))
            response.headers.contentType = .xml
            return response
        }
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = app.http.server.shared.localAddress!.port!
        cas.baseBox.withLockedValue { $0 = "http://127.0.0.1:\(port)/cas" }
        return cas
    }

    /// A ticket as CAS would put it on the redirect after the person signed in.
    func issue(to user: String, service: String) -> String {
        let ticket = "ST-\(Int.random(in: 100_000...999_999))-" + UUID().uuidString.prefix(12)
        tickets.withLockedValue { $0[ticket] = (user, service) }
        return ticket
    }

    func stop() async throws {
        await app.server.shutdown()
        try await app.asyncShutdown()
    }
}

@Suite("统一身份认证 (CAS) sign-in")
struct CASLoginTests {
    static func with(_ body: (TestServer, LoopbackCAS) async throws -> Void) async throws {
        let cas = try await LoopbackCAS.start()
        do {
            try await TestServer.with(adjust: { $0.cas = CASLogin.Settings(base: cas.url, timeoutSeconds: 2) }) { server in
                try await body(server, cas)
            }
        } catch {
            try await cas.stop()
            throw error
        }
        try await cas.stop()
    }

    @Test("a student signs in through CAS with their student number and lands where they were going")
    func signIn() async throws {
        try await Self.with { server, cas in
            let browser = server.browser()
            let login = try await browser.get("/login?next=/c/ABCD2345")
            #expect(login.body.contains("统一身份认证登录"))
            let away = try await browser.get("/login/cas?next=/c/ABCD2345")
            #expect(away.status == .seeOther)
            let location = try #require(away.headers.first(name: .location))
            let service = server.baseURL + "/login/cas/callback?next=%2Fc%2FABCD2345"
            #expect(location == cas.url + "/login?service=" + CASLogin.encode(service))

            let ticket = cas.issue(to: "2023010101", service: service)
            let back = try await browser.get("/login/cas/callback?ticket=\(ticket)&next=%2Fc%2FABCD2345")
            #expect(back.status == .seeOther && back.headers.first(name: .location) == "/c/ABCD2345", "\(back.status) \(back.body.prefix(300))")
            #expect(try await browser.get("/").body.contains("data-user-role=\"student\""))
            let audit = try await AuditEventModel.query(on: server.app.db).filter(\.$action == "login.success").all()
            #expect(audit.contains { $0.detail.contains("cas 2023010101") })

            // The same ticket a second time, in another browser: refused, not signed in.
            let thief = server.browser()
            let replay = try await thief.get("/login/cas/callback?ticket=\(ticket)")
            #expect(replay.status == .unauthorized && replay.body.contains("票据无效"))
            let after = try await thief.get("/")
            #expect(!after.body.contains("data-user-role=\"student\""), "the thief is not signed in")
        }
    }

    @Test("forged, malformed and mismatched tickets, unknown people and administrators are refused; a CAS that is down or hostile is a 502")
    func refusals() async throws {
        try await Self.with { server, cas in
            let browser = server.browser()
            #expect(try await browser.get("/login/cas/callback?ticket=ST-123-forged").status == .unauthorized)
            #expect(try await browser.get("/login/cas/callback?ticket=%3Cscript%3E").status == .unauthorized)
            #expect(try await browser.get("/login/cas/callback").status == .unauthorized)
            let elsewhere = cas.issue(to: "2023010101", service: "http://evil.example/callback")
            #expect(try await browser.get("/login/cas/callback?ticket=\(elsewhere)").status == .unauthorized, "a ticket for another service")

            let stranger = cas.issue(to: "2099999999", service: server.baseURL + "/login/cas/callback")
            let unknown = try await browser.get("/login/cas/callback?ticket=\(stranger)")
            #expect(unknown.status == .forbidden && unknown.body.contains("没有可用的账号"))
            let admin = cas.issue(to: "office", service: server.baseURL + "/login/cas/callback")
            #expect(try await browser.get("/login/cas/callback?ticket=\(admin)").status == .forbidden, "administrators use their local password")

            cas.override.withLockedValue { $0 = "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><cas:serviceResponse xmlns:cas='x'><cas:authenticationSuccess><cas:user>&e;</cas:user></cas:authenticationSuccess></cas:serviceResponse>" }
            let hostile = cas.issue(to: "2023010101", service: server.baseURL + "/login/cas/callback")
            #expect(try await browser.get("/login/cas/callback?ticket=\(hostile)").status == .badGateway)
            cas.override.withLockedValue { $0 = nil }
            let home = try await browser.get("/")
            #expect(!home.body.contains("data-user-role=\"student\"") && !home.body.contains("data-user-role=\"business-admin\""), "nobody was signed in")
            let failures = try await AuditEventModel.query(on: server.app.db).filter(\.$action == "login.cas-failure").count()
            #expect(failures >= 5)
        }
        // No CAS configured: the routes are not there and the sign-in page offers only passwords.
        try await TestServer.with { server in
            let missing = try await server.browser().get("/login/cas")
            #expect(missing.status == .notFound)
            let login = try await server.browser().get("/login")
            #expect(!login.body.contains("统一身份认证登录"))
        }
        // A CAS server that does not answer.
        try await TestServer.with(adjust: { $0.cas = CASLogin.Settings(base: "http://127.0.0.1:9/cas", timeoutSeconds: 1) }) { server in
            let down = try await server.browser().get("/login/cas/callback?ticket=ST-1-abcdef")
            #expect(down.status == .badGateway && down.body.contains("暂时无法访问"))
        }
    }
}
