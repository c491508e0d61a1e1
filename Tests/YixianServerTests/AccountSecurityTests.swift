import Fluent
import Foundation
import Testing
import Vapor
import YixianCore
@testable import YixianServer

/// Issue 7 findings 3, 9, 10 and the TOTP control: throttling without an oracle, password policy and
/// forced change, token expiry and revocation, 三员 role grants, two-factor sign-in.
@Suite("Account security: throttling, passwords, tokens, 三员, TOTP")
struct AccountSecurityTests {
    static let good = "Tz8#qLm2!vR9-湖"

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }

    @Test("unknown names get the same statuses, words, Retry-After and timing as existing ones, and are audited")
    func noOracle() async throws {
        try await TestServer.with { server in
            var known: [Double] = [], unknown: [Double] = []
            var bodies: [String: Set<String>] = ["known": [], "unknown": []]
            func strip(_ body: String, _ name: String) -> String {
                body.replacingOccurrences(of: name, with: "NAME").replacingOccurrences(of: #"value="[^"]*""#, with: "", options: .regularExpression)
            }
            // Interleaved so that warm-up and load fall on both alike; 3 names × 4 failures each side, under the client threshold.
            for round in 1...4 {
                for (kind, name) in [("known", "admin"), ("unknown", "ghost-1"), ("known", "audit"), ("unknown", "ghost-2"), ("known", "assessor"), ("unknown", "ghost-3")] {
                    let browser = server.browser()
                    let page = try await browser.get("/login")
                    let token = try #require(Browser.csrf(in: page.body))
                    let start = Date()
                    let reply = try await browser.send(.POST, "/login", form: ["username": name, "password": "wrong-\(round)", "_csrf": token])
                    let elapsed = Date().timeIntervalSince(start) * 1000
                    #expect(reply.status == .unauthorized, "\(name) round \(round)")
                    bodies[kind]!.insert(strip(reply.body, name))
                    if kind == "known" { known.append(elapsed) } else { unknown.append(elapsed) }
                }
            }
            #expect(bodies["known"] == bodies["unknown"], "the page says the same thing for both")
            // The fifth failure starts a wait for both kinds alike.
            for name in ["admin", "ghost-1"] {
                _ = try await server.browser().login(name, password: "wrong-5")
                let held = try await server.browser().login(name, password: "wrong-6")
                #expect(held.status == .tooManyRequests, "\(name)")
                #expect(held.headers.first(name: .retryAfter).flatMap(Int.init).map { (1...30).contains($0) } == true, "\(name)")
            }
            let k = Self.median(known), u = Self.median(unknown)
            print("timing of a failed sign-in, median of 12: existing name \(String(format: "%.1f", k)) ms, unknown name \(String(format: "%.1f", u)) ms")
            #expect(abs(k - u) < max(15, 0.5 * max(k, u)), "known \(k) ms vs unknown \(u) ms")
            let audited = try await AuditEventModel.query(on: server.app.db).filter(\.$action == "login.failure").filter(\.$objectID == "ghost-1").all()
            #expect(audited.count == 5, "every failure for an unknown name is audited")
            #expect(audited.allSatisfy { $0.detail.contains("unknown account") && $0.detail.contains("client ") })
        }
    }

    @Test("the dummy hash for unknown names costs real bcrypt work at the configured cost")
    func dummyHash() async throws {
        let hash = Accounts.dummyHash(cost: 4)
        #expect(try Bcrypt.verify("anything", created: hash) == false, "a well-formed hash that matches nothing")
        #expect(Accounts.dummyHash(cost: 12).hasPrefix("$2b$12$"))
    }

    @Test("delays grow: 30 s after five failures, 60 s after six; success clears the count")
    func growingDelays() async throws {
        try await TestServer.with { server in
            for attempt in 1...5 { _ = try await server.browser().login("secretary", password: "wrong-\(attempt)") }
            let key = Accounts.accountKey("secretary")
            var row = try #require(try await LoginThrottleModel.query(on: server.app.db).filter(\.$key == key).first())
            #expect(abs(row.blockedUntil!.timeIntervalSinceNow - 30) < 10)
            // Let the wait pass, then fail once more.
            row.blockedUntil = Date().addingTimeInterval(-1)
            try await row.save(on: server.app.db)
            #expect(try await server.browser().login("secretary", password: "wrong-6").status == .unauthorized)
            row = try #require(try await LoginThrottleModel.query(on: server.app.db).filter(\.$key == key).first())
            #expect(abs(row.blockedUntil!.timeIntervalSinceNow - 60) < 10, "the wait doubled")
            #expect(try await server.browser().login("secretary").status == .tooManyRequests)
            row.blockedUntil = Date().addingTimeInterval(-1)
            try await row.save(on: server.app.db)
            #expect(try await server.browser().login("secretary").status == .seeOther)
            #expect(try await LoginThrottleModel.query(on: server.app.db).filter(\.$key == key).count() == 0, "success clears the account's count")
        }
    }

    @Test("one client guessing many names is held back even for a name it never tried")
    func clientThrottle() async throws {
        try await TestServer.with { server in
            for i in 1...Accounts.clientRule.threshold {
                let reply = try await server.browser().login("spray-\(i)", password: "wrong")
                #expect(reply.status == .unauthorized)
            }
            let next = try await server.browser().login("office")
            #expect(next.status == .tooManyRequests)
            #expect(next.headers.first(name: .retryAfter).flatMap(Int.init).map { $0 >= 50 } == true)
        }
    }

    @Test("tokens stop working while the account is held back or disabled")
    func tokensOfLockedAccounts() async throws {
        try await TestServer.with { server in
            var headers = HTTPHeaders()
            headers.bearerAuthorization = .init(token: try await server.token("cadre"))
            #expect(try await server.request(.GET, "/api/v1/me", headers: headers).status == .ok)
            for attempt in 1...5 { _ = try await server.browser().login("cadre", password: "wrong-\(attempt)") }
            let locked = try await server.request(.GET, "/api/v1/me", headers: headers)
            #expect(locked.status == .unauthorized)
            #expect(locked.errorCode == "invalid_token")
            let user = try await server.user("cadre")
            let security = server.browser()
            try await security.login("security")
            #expect(try await security.post("/admin/users/\(user.id!)/unlock", tokenFrom: "/admin/users").status == .seeOther)
            #expect(try await server.request(.GET, "/api/v1/me", headers: headers).status == .ok, "unlocked, the token works again")
            let admin = server.browser()
            try await admin.login("admin")
            #expect(try await admin.post("/admin/users/\(user.id!)/deactivate", tokenFrom: "/admin/users").status == .seeOther)
            #expect(try await server.request(.GET, "/api/v1/me", headers: headers).status == .unauthorized)
        }
    }

    @Test("weak passwords are refused with the field and reason; an admin-created account must change its password first")
    func policyAndForcedChange() async throws {
        try await TestServer.with { server in
            let admin = server.browser()
            try await admin.login("admin")
            for weak in ["aaaaaaaa", "aaaaaaaaaaaa", "12345678", "password123", "woaini1314", "qwertyuiop", "newbie-2024-x"] {
                let reply = try await admin.post("/admin/users/new", form: ["username": "newbie", "displayName": "新人", "password": weak, "role": "assessor"],
                                                 tokenFrom: "/admin/users")
                #expect(reply.status == .unprocessableEntity, "\(weak)")
                #expect(reply.body.contains("field-error"), "\(weak)")
            }
            #expect(try await UserModel.query(on: server.app.db).filter(\.$username == "newbie").count() == 0)
            let api = try await server.api(.POST, "/api/v1/users", as: "admin", json: ["username": "newbie", "displayName": "新人", "password": "aaaaaaaa", "role": "assessor"])
            #expect(api.status == .unprocessableEntity)
            #expect(api.errorField == "password")
            let created = try await admin.post("/admin/users/new", form: ["username": "newbie", "displayName": "新人", "password": Self.good, "role": "assessor"],
                                               tokenFrom: "/admin/users")
            #expect(created.status == .seeOther)
            #expect(try await server.user("newbie").mustChange)

            let newbie = server.browser()
            let login = try await newbie.login("newbie", password: Self.good)
            #expect(login.headers.first(name: .location) == "/account/password")
            let elsewhere = try await newbie.get("/compliance")
            #expect(elsewhere.status == .seeOther)
            #expect(elsewhere.headers.first(name: .location) == "/account/password")
            var headers = HTTPHeaders()
            headers.bearerAuthorization = .init(token: try await server.token("newbie"))
            let blocked = try await server.request(.GET, "/api/v1/me", headers: headers)
            #expect(blocked.status == .forbidden)
            #expect(blocked.errorCode == "password_change_required")
            // Wrong current password, a weak new one, a mismatch: refused, nothing changed.
            let wrong = try await newbie.post("/account/password", form: ["current": "nope", "new": "Another-Good-one-7", "confirmation": "Another-Good-one-7"],
                                              tokenFrom: "/account/password")
            #expect(wrong.status == .unprocessableEntity)
            let weak = try await newbie.post("/account/password", form: ["current": Self.good, "new": "password1234", "confirmation": "password1234"],
                                             tokenFrom: "/account/password")
            #expect(weak.status == .unprocessableEntity)
            #expect(weak.body.contains("常见密码"))
            #expect(try await server.user("newbie").mustChange)
            let changed = try await newbie.post("/account/password", form: ["current": Self.good, "new": "Another-Good-one-7", "confirmation": "Another-Good-one-7"],
                                                tokenFrom: "/account/password")
            #expect(changed.status == .seeOther)
            #expect(try await newbie.get("/compliance").status == .ok, "the session that changed it goes on")
            #expect(try await server.user("newbie").mustChange == false)
            #expect(try await server.request(.GET, "/api/v1/me", headers: headers).status == .unauthorized, "tokens of the old password are revoked")
            let events = try await AuditEventModel.query(on: server.app.db).filter(\.$action == "user.change-password").count()
            #expect(events == 1)
        }
    }

    @Test("every signed-in user can change their own password; seeded fixture accounts are not forced")
    func selfServiceChange() async throws {
        try await TestServer.with { server in
            let student = server.browser()
            #expect(try await student.login("student").headers.first(name: .location) == "/")
            #expect(try await student.get("/account/security").status == .ok)
            let reply = try await student.post("/account/password", form: ["current": TestServer.password, "new": "my own sentence here", "confirmation": "my own sentence here"],
                                               tokenFrom: "/account/password")
            #expect(reply.status == .seeOther)
            #expect(try await server.browser().login("student").status == .unauthorized, "the old password no longer works")
            #expect(try await server.browser().login("student", password: "my own sentence here").status == .seeOther)
        }
    }

    @Test("tokens expire, are revoked from the page, the API and by a password reset, and the lifetime is checked")
    func tokenLifecycle() async throws {
        try await TestServer.with { server in
            let office = server.browser()
            try await office.login("office")
            let made = try await office.post("/account/tokens/new", form: ["name": "脚本", "days": "30"], tokenFrom: "/account/tokens")
            #expect(made.status == .created)
            let secret = try #require(made.body.firstMatch(of: /data-new-token="(yx_[^"]+)"/)?.1)
            var headers = HTTPHeaders()
            headers.bearerAuthorization = .init(token: String(secret))
            #expect(try await server.request(.GET, "/api/v1/me", headers: headers).status == .ok)
            let token = try #require(try await APITokenModel.query(on: server.app.db).filter(\.$name == "脚本").first())
            #expect(abs(token.expiresAt!.timeIntervalSinceNow - 30 * 86400) < 120)
            for bad in ["0", "367", "-1", "abc"] {
                #expect(try await office.post("/account/tokens/new", form: ["name": "x", "days": bad], tokenFrom: "/account/tokens").status == .unprocessableEntity, "\(bad)")
            }
            // Expiry.
            token.expiresAt = Date().addingTimeInterval(-1)
            try await token.save(on: server.app.db)
            #expect(try await server.request(.GET, "/api/v1/me", headers: headers).status == .unauthorized)
            // Revocation from the page.
            let second = try await server.token("office")
            headers.bearerAuthorization = .init(token: second)
            #expect(try await server.request(.GET, "/api/v1/me", headers: headers).status == .ok)
            let row = try #require(try await APITokenModel.query(on: server.app.db).filter(\.$secretHash == Secrets.sha256(second)).first())
            #expect(try await office.post("/account/tokens/\(row.id!)/revoke", tokenFrom: "/account/tokens").status == .seeOther)
            #expect(try await server.request(.GET, "/api/v1/me", headers: headers).status == .unauthorized)
            // Through the API: someone else's token is not found; one's own is revoked.
            let third = try await server.token("office")
            let thirdRow = try #require(try await APITokenModel.query(on: server.app.db).filter(\.$secretHash == Secrets.sha256(third)).first())
            #expect(try await server.api(.DELETE, "/api/v1/tokens/\(thirdRow.id!)", as: "cadre").status == .notFound)
            headers.bearerAuthorization = .init(token: third)
            #expect(try await server.request(.DELETE, "/api/v1/tokens/\(thirdRow.id!)", headers: headers).status == .ok)
            #expect(try await server.request(.GET, "/api/v1/me", headers: headers).status == .unauthorized)
            // A reset by an administrator revokes every token and forces a change.
            let fourth = try await server.token("office")
            headers.bearerAuthorization = .init(token: fourth)
            try await Accounts.resetPassword(username: "office", password: "Reset-by-the-admin-9", cost: 4, pool: server.app.threadPool, by: .system, on: server.app.db)
            #expect(try await server.request(.GET, "/api/v1/me", headers: headers).status == .unauthorized)
            #expect(try await server.user("office").mustChange)
            let list = try await server.api(.GET, "/api/v1/tokens", as: "cadre")
            #expect(list.status == .ok)
        }
    }

    @Test("三员: the system admin cannot create or grant administrator roles; the security admin grants them with a fresh password")
    func separationOfDuties() async throws {
        try await TestServer.with { server in
            let admin = server.browser()
            try await admin.login("admin")
            for role in ["business-admin", "audit-admin", "security-admin", "system-admin"] {
                let page = try await admin.post("/admin/users/new", form: ["username": "grab", "displayName": "x", "password": Self.good, "role": role], tokenFrom: "/admin/users")
                #expect(page.status == .unprocessableEntity, "\(role)")
                let api = try await server.api(.POST, "/api/v1/users", as: "admin", json: ["username": "grab", "displayName": "x", "password": Self.good, "role": role])
                #expect(api.status == .forbidden, "\(role)")
                #expect(api.errorCode == "role_grant_requires_security_admin")
            }
            #expect(try await UserModel.query(on: server.app.db).filter(\.$username == "grab").count() == 0)
            // An ordinary account, then the system admin tries to elevate it: refused.
            #expect(try await admin.post("/admin/users/new", form: ["username": "grab", "displayName": "x", "password": Self.good, "role": "assessor"],
                                         tokenFrom: "/admin/users").status == .seeOther)
            let grab = try await server.user("grab")
            #expect(try await admin.post("/admin/users/\(grab.id!)/role", form: ["role": "business-admin"], tokenFrom: "/admin/users").status == .forbidden)
            #expect(try await server.api(.POST, "/api/v1/users/\(grab.id!)/role", as: "admin", json: ["role": "business-admin"]).status == .forbidden)
            // The system admin cannot switch off the audit admin either.
            let audit = try await server.user("audit")
            #expect(try await admin.post("/admin/users/\(audit.id!)/deactivate", tokenFrom: "/admin/users").status == .forbidden)
            #expect(try await server.user("audit").active)
            // The security admin grants it: a new one-time password, the creator's password is dead.
            let security = server.browser()
            try await security.login("security")
            let unconfirmed = try await security.post("/admin/users/\(grab.id!)/role", form: ["role": "business-admin"], tokenFrom: "/admin/users")
            #expect(unconfirmed.status == .unprocessableEntity, "an administrator role needs the name typed again")
            #expect(try await server.user(grab.username).roleValue != .businessAdmin)
            let granted = try await security.post("/admin/users/\(grab.id!)/role", form: ["role": "business-admin", "confirm": grab.username], tokenFrom: "/admin/users")
            #expect(granted.status == .ok)
            let password = try #require(granted.body.firstMatch(of: /data-one-time-password="([^"]+)"/)?.1)
            #expect(try await server.user("grab").roleValue == .businessAdmin)
            #expect(try await server.browser().login("grab", password: Self.good).status == .unauthorized, "the creator's password no longer works")
            let holder = server.browser()
            #expect(try await holder.login("grab", password: String(password)).headers.first(name: .location) == "/account/password")
            // No self-grant, and roles that need a link are refused.
            let me = try await server.user("security")
            #expect(try await security.post("/admin/users/\(me.id!)/role", form: ["role": "audit-admin", "confirm": "security"], tokenFrom: "/admin/users").status == .conflict)
            #expect(try await security.post("/admin/users/\(grab.id!)/role", form: ["role": "student"], tokenFrom: "/admin/users").status == .unprocessableEntity)
            let events = try await AuditEventModel.query(on: server.app.db).filter(\.$action == "user.grant-role").all()
            #expect(events.count == 1)
            #expect(events.first?.detail.contains("assessor → business-admin") == true)
        }
    }

    @Test("no 三员 role reads students, sensitive flags or the ledger")
    func triadReadsNoBusinessData() async throws {
        try await TestServer.with { server in
            let student = try await server.student("2023010101")
            for role in Role.allCases where role.isTriadAdministrator {
                let username = ["system-admin": "admin", "security-admin": "security", "audit-admin": "audit"][role.rawValue]!
                for path in ["/api/v1/students", "/api/v1/students/\(student.id!)", "/api/v1/students/\(student.id!)/sensitive", "/api/v1/ledger"] {
                    let reply = try await server.api(.GET, path, as: username)
                    #expect([.forbidden, .notFound].contains(reply.status), "\(username) GET \(path): \(reply.status)")
                }
                let browser = server.browser()
                try await browser.login(username)
                for path in ["/students", "/students/\(student.id!)", "/students/\(student.id!)/sensitive", "/ledger", "/integrity"] {
                    let reply = try await browser.get(path)
                    #expect([.forbidden, .notFound].contains(reply.status), "\(username) GET \(path): \(reply.status)")
                    #expect(!reply.body.contains("家庭经济困难"))
                }
            }
        }
    }

    @Test("TOTP: enrol with a QR code, sign in with password then code, replay refused, recovery codes work once")
    func twoFactor() async throws {
        try await TestServer.with { server in
            let office = server.browser()
            try await office.login("office")
            #expect(try await office.get("/").body.contains("data-warning=\"totp-missing\""), "an administrator without a second factor is warned")
            let start = try await office.post("/account/security/totp", tokenFrom: "/account/security")
            #expect(start.status == .ok)
            #expect(start.body.contains("<svg"), "a QR code")
            let base32 = try #require(start.body.firstMatch(of: /data-totp-secret="([A-Z2-7]+)"/)?.1)
            let secret = try #require(Base32.decode(String(base32)))
            #expect(secret.count == 20)
            let wrong = try await office.post("/account/security/totp/confirm", form: ["code": "000000"], tokenFrom: "/account/security")
            #expect(wrong.status == .unprocessableEntity || TOTP.code(secret: secret, at: Int64(Date().timeIntervalSince1970)) == "000000")
            let now = Int64(Date().timeIntervalSince1970)
            // The previous step's code: enrolment may use it, and sign-in then needs a later one.
            let enrolCode = TOTP.code(secret: secret, at: now - 30)
            let done = try await office.post("/account/security/totp/confirm", form: ["code": enrolCode], tokenFrom: "/account/security")
            #expect(done.status == .ok)
            let codes = done.body.matches(of: /<li><code>([a-z2-9]{5}-[a-z2-9]{5})<\/code><\/li>/).map { String($0.1) }
            #expect(codes.count == 10)
            #expect(try await RecoveryCodeModel.query(on: server.app.db).count() == 10)
            #expect(try await RecoveryCodeModel.query(on: server.app.db).all().allSatisfy { !codes.contains($0.codeHash) }, "stored hashed")
            #expect(!(try await office.get("/").body.contains("totp-missing")))

            // Sign in: the password alone gives no session.
            let browser = server.browser()
            let first = try await browser.login("office")
            #expect(first.headers.first(name: .location) == "/login/second-factor")
            #expect(browser.cookies[AuthMiddleware.sessionCookie] == nil)
            #expect(try await browser.get("/compliance").status != .ok, "not signed in yet")
            let bad = try await browser.post("/login/second-factor", form: ["code": "12345x"], tokenFrom: "/login/second-factor")
            #expect(bad.status == .unauthorized)
            let code = TOTP.code(secret: secret, at: now)
            let ok = try await browser.post("/login/second-factor", form: ["code": code], tokenFrom: "/login/second-factor")
            #expect(ok.status == .seeOther)
            #expect(try await browser.get("/compliance").status == .ok)
            // The same code again: refused (replay).
            let replay = server.browser()
            _ = try await replay.login("office")
            #expect(try await replay.post("/login/second-factor", form: ["code": code], tokenFrom: "/login/second-factor").status == .unauthorized)
            // A recovery code works once.
            let recovery = try await replay.post("/login/second-factor", form: ["code": codes[0].uppercased()], tokenFrom: "/login/second-factor")
            #expect(recovery.status == .seeOther)
            let again = server.browser()
            _ = try await again.login("office")
            #expect(try await again.post("/login/second-factor", form: ["code": codes[0]], tokenFrom: "/login/second-factor").status == .unauthorized)
            // Without the challenge cookie the page sends people back to sign in.
            #expect(try await server.browser().get("/login/second-factor").status == .seeOther)
            // The security admin can reset it for someone who lost phone and codes.
            let security = server.browser()
            try await security.login("security")
            let user = try await server.user("office")
            #expect(try await security.post("/admin/users/\(user.id!)/reset-totp", tokenFrom: "/admin/users").status == .seeOther)
            #expect(try await server.browser().login("office").headers.first(name: .location) == "/")
        }
    }
}
