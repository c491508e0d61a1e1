import Fluent
import Foundation
import Testing
import Vapor
import YixianCore
@testable import YixianServer

/// Issue 7's findings, one regression test each (those not covered by their own suites).
@Suite("Security review findings")
struct SecurityFindingsTests {
    @Test("redirect targets taken from the request stay on this site", arguments: [
        "/%5Cexample.com", "//example.com", "/\\example.com", "https://example.com", "/%09/example.com",
        "/%2F%2Fexample.com", "javascript:alert(1)", "\\\\example.com", "/ /example.com",
    ])
    func noOpenRedirect(target: String) async throws {
        #expect(LocalPath.validated(target.removingPercentEncoding ?? target) == nil, "\(target)")
        try await TestServer.with { server in
            let browser = server.browser()
            let language = try await browser.get("/language?to=en&back=\(target.urlQueryEncoded)")
            #expect(language.status == .seeOther)
            #expect(language.headers.first(name: .location) == "/", "\(target) → \(language.headers.first(name: .location) ?? "")")
            let raw = try await browser.get("/language?to=en&back=\(target)")
            #expect(raw.headers.first(name: .location).map { $0 == "/" || raw.status.code >= 400 } ?? true, "unencoded \(target)")
        }
    }

    @Test("local paths with their query strings are still followed")
    func localRedirectKept() async throws {
        #expect(LocalPath.validated("/compliance/units/CS?asOf=2026-11-01") == "/compliance/units/CS?asOf=2026-11-01")
        try await TestServer.with { server in
            let reply = try await server.browser().get("/language?to=en&back=\("/students?q=陈".urlQueryEncoded)")
            #expect(reply.headers.first(name: .location) == "/students?q=陈")
        }
    }
}
