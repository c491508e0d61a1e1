import Fluent
import Foundation
import Testing
import Vapor
@testable import YixianServer

@Suite("Sign-in, sessions, CSRF and lockout")
struct AuthTests {
    @Test("the language switch returns to the same page with its query, and the page speaks the new language")
    func languageSwitchKeepsTheQuery() async throws {
        try await TestServer.with { server in
            let browser = server.browser()
            try await browser.login("office")
            let list = try await browser.get("/students?q=%E9%99%88&active=true")
            let href = try #require(list.body.firstMatch(of: /href="(\/language\?[^"]+)"/)?.1).replacingOccurrences(of: "&amp;", with: "&")
            let switched = try await browser.get(String(href))
            #expect(switched.status == .seeOther)
            #expect(switched.headers.first(name: .location) == "/students?q=%E9%99%88&active=true")
            let english = try await browser.get("/students?q=%E9%99%88&active=true")
            #expect(english.body.contains("<html lang=\"en\""))
            #expect(english.body.contains("陈晨"), "the search survived the switch")
        }
    }

    @Test("login rotates the session id and logout ends it")
    func loginLogout() async throws {
        try await TestServer.with { server in
            let browser = server.browser()
            browser.cookies[AuthMiddleware.sessionCookie] = "planted-by-attacker"
            let reply = try await browser.login("office")
            #expect(reply.status == .seeOther)
            let session = try #require(browser.cookies[AuthMiddleware.sessionCookie])
            #expect(session != "planted-by-attacker")
            #expect(try await browser.get("/").body.contains("data-user-role=\"business-admin\""))
            let logout = try await browser.post("/logout")
            #expect(logout.status == .seeOther)
            #expect(try await SessionModel.query(on: server.app.db).count() == 0)
            browser.cookies[AuthMiddleware.sessionCookie] = session
            #expect(try await browser.get("/").status == .seeOther, "the old cookie no longer works")
        }
    }

    @Test("a wrong password shows the form again; the fifth holds the account back 30 s with 429 and Retry-After")
    func lockout() async throws {
        try await TestServer.with { server in
            let browser = server.browser()
            for attempt in 1...4 {
                let reply = try await browser.login("cadre", password: "wrong-\(attempt)")
                #expect(reply.status == .unauthorized)
                #expect(reply.body.contains("error-summary"))
            }
            let fifth = try await browser.login("cadre", password: "wrong-5")
            #expect(fifth.status == .unauthorized, "the fifth failure is answered like the others, and starts the wait")
            let correct = try await browser.login("cadre")
            #expect(correct.status == .tooManyRequests, "held back even with the right password")
            #expect(correct.body.contains("尝试次数过多"))
            let retry = try #require(correct.headers.first(name: .retryAfter).flatMap(Int.init))
            #expect((25...30).contains(retry))
            let user = try await server.user("cadre")
            let until = try #require(user.lockedUntil)
            #expect(abs(until.timeIntervalSinceNow - 30) < 10)
            // The security admin unlocks it from the users page.
            let security = server.browser()
            try await security.login("security")
            let users = try await security.get("/admin/users")
            #expect(users.body.contains("/admin/users/\(user.id!)/unlock"), "the users page offers the unlock")
            #expect(try await security.post("/admin/users/\(user.id!)/unlock", tokenFrom: "/admin/users").status == .seeOther)
            #expect(try await browser.login("cadre").status == .seeOther)
        }
    }

    @Test("state-changing forms without the CSRF token are refused")
    func csrf() async throws {
        try await TestServer.with { server in
            let browser = server.browser()
            try await browser.login("admin")
            let reply = try await browser.send(.POST, "/admin/users/new", form: ["username": "x1", "displayName": "x", "password": "password123", "role": "assessor"])
            #expect(reply.status == .forbidden)
            #expect(reply.body.contains("页面已过期"))
            let forged = try await browser.send(.POST, "/admin/users/new", form: ["username": "x1", "_csrf": "guess"])
            #expect(forged.status == .forbidden)
            let count61 = try await UserModel.query(on: server.app.db).filter(\UserModel.$username == "x1").count()
            #expect(count61 == 0)
            let good = try await browser.post("/admin/users/new", form: ["username": "x1", "displayName": "新用户", "password": "Tz8#qLm2!vR9", "role": "assessor"],
                                              tokenFrom: "/admin/users")
            #expect(good.status == .seeOther)
            let count65 = try await UserModel.query(on: server.app.db).filter(\UserModel.$username == "x1").count()
            #expect(count65 == 1)
        }
    }

    @Test("idle sessions expire")
    func idleTimeout() async throws {
        try await TestServer.with { server in
            let browser = server.browser()
            try await browser.login("office")
            for session in try await SessionModel.query(on: server.app.db).all() {
                session.lastSeenAt = Date().addingTimeInterval(-31 * 60)
                try await session.save(on: server.app.db)
            }
            #expect(try await browser.get("/").status == .seeOther)
        }
    }

    @Test("API tokens authenticate; revoked or garbage tokens do not")
    func tokens() async throws {
        try await TestServer.with { server in
            let me = try await server.api(.GET, "/api/v1/me", as: "office")
            #expect(me.status == .ok)
            #expect(try me.json()["role"] as? String == "business-admin")
            var headers = HTTPHeaders()
            headers.bearerAuthorization = .init(token: "yx_garbage")
            #expect(try await server.request(.GET, "/api/v1/me", headers: headers).status == .unauthorized)
            let token = try await server.token("office")
            for t in try await APITokenModel.query(on: server.app.db).all() { t.revoked = true; try await t.save(on: server.app.db) }
            headers.bearerAuthorization = .init(token: token)
            #expect(try await server.request(.GET, "/api/v1/me", headers: headers).status == .unauthorized)
        }
    }

    @Test("passwords are stored as bcrypt hashes")
    func hashing() async throws {
        try await TestServer.with { server in
            let user = try await server.user("office")
            #expect(user.passwordHash.hasPrefix("$2b$"))
            #expect(!user.passwordHash.contains(TestServer.password))
        }
    }
}
