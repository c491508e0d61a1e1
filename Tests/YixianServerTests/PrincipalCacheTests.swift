import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import YixianServer

/// The account behind a token or a session is kept between requests (`PrincipalRow.cached`): each
/// case here signs in, is answered once (which fills the cache), then changes what the account is
/// read from behind the server's back — as an administrator's page or a hand-run statement would —
/// and expects the very next request to see it.
@Suite("A signed-in account is read again as soon as anything it is read from changes")
struct PrincipalCacheTests {
    static func bearer(_ token: String) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.bearerAuthorization = .init(token: token)
        return headers
    }

    /// One token used for every request, so the second request can come from the cache.
    static func withToken(_ body: (TestServer, any SQLDatabase, HTTPHeaders) async throws -> Void) async throws {
        try await TestServer.with { server in
            let headers = bearer(try await server.token("cadre"))
            let first = try await server.request(.GET, "/api/v1/contacts", headers: headers)
            #expect(first.status == .ok, "\(first.body)")
            let again = try await server.request(.GET, "/api/v1/contacts", headers: headers)
            #expect(again.status == .ok, "answered from the cache: \(again.body)")
            try await body(server, try #require(server.app.db as? any SQLDatabase), headers)
        }
    }

    @Test("a revoked token is refused on the next request")
    func revokedToken() async throws {
        try await Self.withToken { server, sql, headers in
            try await sql.raw("UPDATE api_tokens SET revoked = \(bind: true)").run()
            #expect(try await server.request(.GET, "/api/v1/contacts", headers: headers).status == .unauthorized)
        }
    }

    @Test("a disabled account is refused on the next request")
    func disabledAccount() async throws {
        try await Self.withToken { server, sql, headers in
            try await sql.raw("UPDATE users SET active = \(bind: false) WHERE username = 'cadre'").run()
            #expect(try await server.request(.GET, "/api/v1/contacts", headers: headers).status == .unauthorized)
        }
    }

    @Test("an account held back by failed sign-ins is refused on the next request, and let in once the hold has passed")
    func lockedAccount() async throws {
        try await Self.withToken { server, sql, headers in
            try await sql.raw("UPDATE users SET locked_until = \(bind: Date().addingTimeInterval(2)) WHERE username = 'cadre'").run()
            #expect(try await server.request(.GET, "/api/v1/contacts", headers: headers).status == .unauthorized)
            // Nothing changes in the database when a hold runs out: the cached row is judged against the clock.
            try await Task.sleep(for: .milliseconds(2_100))
            #expect(try await server.request(.GET, "/api/v1/contacts", headers: headers).status == .ok)
        }
    }

    @Test("a cadre moved to another unit is judged with the new unit on the next request")
    func movedCadre() async throws {
        try await Self.withToken { server, sql, headers in
            let before = try await server.request(.GET, "/api/v1/contacts", headers: headers)
            #expect(before.status == .ok)
            // The cadre account's unit comes from its cadre: moved from CS to ME, it records for ME's classes only.
            try await sql.raw("UPDATE cadres SET unit_id = (SELECT id FROM units WHERE code = 'ME') WHERE staff_number = 'T001'").run()
            var json = headers
            json.contentType = .json
            let body = try JSONSerialization.data(withJSONObject: LedgerTests.body(collectives: ["CS2301"]))
            let refused = try await server.request(.POST, "/api/v1/contacts", headers: json, body: body)
            #expect(refused.status == .unprocessableEntity, "CS2301 is no longer the cadre's unit's: \(refused.body)")
            let meBody = try JSONSerialization.data(withJSONObject: LedgerTests.body(collectives: ["ME2301"]))
            let made = try await server.request(.POST, "/api/v1/contacts", headers: json, body: meBody)
            #expect(made.status == .created, "\(made.body)")
        }
    }

    @Test("a new notification shows on the next page of a signed-in session")
    func notificationBadge() async throws {
        try await TestServer.with { server in
            let browser = server.browser()
            try await browser.login("office")
            let quiet = try await browser.get("/")
            #expect(quiet.status == .ok)
            #expect(!quiet.body.contains("data-unread="), "no unread notifications yet")
            let office = try #require(try await UserModel.query(on: server.app.db).filter(\.$username == "office").first())
            try await Notifications.send("assigned", about: nil, to: [office.id!], zh: "新诉求", en: "New case", now: Date(), on: server.app.db)
            let told = try await browser.get("/")
            #expect(told.body.contains("data-unread=\"1\""), "the bell counts the new notification")
        }
    }

    @Test("the counters the cache is keyed on exist after migrating, and change with their tables")
    func countersExist() async throws {
        try await TestServer.with { server in
            let before = try await DataVersions.read(on: server.app.db)
            for table in ["users", "api_tokens", "sessions", "notifications"] { #expect(before.values[table] != nil, "\(table)") }
            let sql = try #require(server.app.db as? any SQLDatabase)
            try await sql.raw("UPDATE users SET display_name = display_name || '·' WHERE username = 'cadre'").run()
            // A new account is in no cache: creating one leaves the counter alone (a roster import makes thousands).
            _ = try await server.token("office")
            let after = try await DataVersions.read(on: server.app.db)
            #expect(after["users"] == before["users"] + 1)
            #expect(after["api_tokens"] == before["api_tokens"])
        }
    }
}
