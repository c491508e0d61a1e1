import Fluent
import Foundation
import Testing
import Vapor
@testable import YixianServer

@Suite("Bad input gets a clear 4xx and changes nothing")
struct BadInputTests {
    func cadreCount(_ server: TestServer) async throws -> Int { try await CadreModel.query(on: server.app.db).count() }

    @Test("malformed JSON bodies")
    func malformed() async throws {
        try await TestServer.with { server in
            let before = try await cadreCount(server)
            let cases: [(Data, String)] = [
                (Data("{not json".utf8), "bad_json"),
                (Data("[1,2]".utf8), "wrong_type"),
                (Data(#"{"staffNumber": 12, "name": "甲"}"#.utf8), "wrong_type"),
                (Data(), "empty_body"),
            ]
            for (body, code) in cases {
                var headers = HTTPHeaders()
                headers.bearerAuthorization = .init(token: try await server.token("office"))
                headers.contentType = .json
                let reply = try await server.request(.POST, "/api/v1/cadres", headers: headers, body: body)
                #expect(reply.status == .badRequest, "\(code): \(reply.body)")
                #expect(reply.errorCode == code, "\(reply.body)")
                let error = try #require(try reply.json()["error"] as? [String: Any])
                let messages = try #require(error["messages"] as? [String: String])
                #expect(messages["zh"]?.isEmpty == false)
                #expect(messages["en"]?.isEmpty == false)
                // A message never names an empty field (“字段“”的类型不正确”).
                #expect(messages["zh"]?.contains("“”") == false, "\(reply.body)")
            }
            #expect(try await cadreCount(server) == before)
        }
    }

    @Test("field problems name the field, in Chinese by default and English on request")
    func fieldProblems() async throws {
        try await TestServer.with { server in
            let before = try await cadreCount(server)
            let long = String(repeating: "长", count: 51)
            let reply = try await server.api(.POST, "/api/v1/cadres", as: "office",
                                             json: ["staffNumber": "T100", "name": long, "unitCode": "CS", "rank": "general"])
            #expect(reply.status == .unprocessableEntity)
            let error = try #require(try reply.json()["error"] as? [String: Any])
            let details = try #require(error["details"] as? [[String: Any]])
            #expect(Set(details.compactMap { $0["field"] as? String }) == ["name", "rank"])
            #expect((error["message"] as? String)?.contains("姓名过长") == true)

            var headers = HTTPHeaders()
            headers.bearerAuthorization = .init(token: try await server.token("office"))
            headers.add(name: .acceptLanguage, value: "en-US,en;q=0.9")
            headers.contentType = .json
            let english = try await server.request(.POST, "/api/v1/cadres", headers: headers,
                                                   body: try JSONSerialization.data(withJSONObject: ["staffNumber": "T100", "name": "甲", "unitCode": "NOPE", "rank": "director"]))
            #expect(english.status == .unprocessableEntity)
            #expect(english.errorField == "unitCode")
            #expect((try english.json()["error"] as? [String: Any])?["message"] as? String == "Invalid input: Unknown unit code NOPE")
            #expect(try await cadreCount(server) == before)
        }
    }

    @Test("duplicates conflict, unknown and malformed ids are 404")
    func idsAndDuplicates() async throws {
        try await TestServer.with { server in
            let duplicate = try await server.api(.POST, "/api/v1/units", as: "office", json: ["code": "CS", "name": "重复", "kind": "college"])
            #expect(duplicate.status == .conflict)
            #expect(duplicate.errorField == "code")
            #expect(try await server.api(.GET, "/api/v1/units/not-a-uuid", as: "office").status == .notFound)
            #expect(try await server.api(.GET, "/api/v1/units/\(UUID())", as: "office").status == .notFound)
            #expect(try await server.api(.PATCH, "/api/v1/students/\(UUID())", as: "office", json: ["name": "x"]).status == .notFound)
            #expect(try await UnitModel.query(on: server.app.db).count() == 3)
        }
    }

    @Test("bad query parameters and impossible dates")
    func queries() async throws {
        try await TestServer.with { server in
            let page = try await server.api(.GET, "/api/v1/students?page=abc", as: "office")
            #expect(page.status == .unprocessableEntity)
            #expect(page.errorField == "page")
            #expect(try await server.api(.GET, "/api/v1/students?per=100000", as: "office").errorField == "per")
            #expect(try await server.api(.GET, "/api/v1/students?active=maybe", as: "office").errorField == "active")
            #expect(try await server.api(.GET, "/api/v1/students?unit=zzz", as: "office").errorField == "unit")
            #expect(try await server.api(.GET, "/api/v1/calendar/workdays?from=2025-02-29&to=2025-03-01", as: "office").errorField == "from")
            #expect(try await server.api(.GET, "/api/v1/calendar/workdays?from=2025-03-02&to=2025-03-01", as: "office").errorField == "to")
            let search = try await server.api(.GET, "/api/v1/students?q=%25", as: "office").decode(ListPage<StudentDTO>.self)
            #expect(search.total == 0, "% is a literal, not a wildcard")
            // A NUL in a search term or a route parameter reached PostgreSQL and failed there as a 500.
            for path in ["units", "cadres", "collectives", "students"] {
                let nul = try await server.api(.GET, "/api/v1/\(path)?q=a%00b", as: "office")
                #expect(nul.status == .badRequest, "\(path)")
                #expect(nul.errorCode == "bad_url", "\(path)")
            }
            let browser = server.browser()
            try await browser.login("office")
            let beyond = try await browser.get("/students?page=999")
            #expect(beyond.status == .ok)
            #expect(beyond.body.contains("没有第 999 页"), "a page past the end says so and links to the last one")
            for path in ["/students?q=a%00b", "/compliance/units/a%00b", "/c/ABCD%00123"] {
                let page = try await browser.get(path)
                #expect(page.status == .badRequest, "\(path)")
                #expect(page.body.contains("控制字符"), "\(path)")
            }
        }
    }

    @Test("an unknown route is a friendly 404 page with security headers")
    func notFound() async throws {
        try await TestServer.with { server in
            let page = try await server.request(.GET, "/nowhere")
            #expect(page.status == .notFound)
            #expect(page.body.contains("error-page"))
            #expect(page.headers.first(name: "Content-Security-Policy")?.contains("frame-ancestors 'none'") == true)
            #expect(page.headers.first(name: "X-Content-Type-Options") == "nosniff")
            let api = try await server.request(.GET, "/api/v1/nowhere")
            #expect(api.status == .notFound)
            #expect(api.errorCode == "not_found")
            #expect(api.headers.first(name: "Referrer-Policy") == "same-origin")
        }
    }
}
