import Fluent
import Foundation
import Testing
import Vapor
@testable import YixianServer

@Suite("Sensitive student data and the audit trail")
struct PrivacyAndAuditTests {
    @Test("only permitted roles read sensitive flags, and every read is audited")
    func sensitiveReads() async throws {
        try await TestServer.with { server in
            let student = try await server.student("2023010101")
            let list = try await server.api(.GET, "/api/v1/students", as: "office")
            #expect(!list.body.contains("familyHardship"), "ordinary lists never carry sensitive data")
            #expect(!list.body.contains("家庭经济困难"))

            let before = try await AuditEventModel.query(on: server.app.db).filter(\AuditEventModel.$action == "sensitive.read").count()
            let read = try await server.api(.GET, "/api/v1/students/\(student.id!)/sensitive", as: "office")
            #expect(read.status == .ok)
            #expect(try read.json()["familyHardship"] as? Bool == true)
            let events = try await AuditEventModel.query(on: server.app.db).filter(\AuditEventModel.$action == "sensitive.read").all()
            #expect(events.count == before + 1)
            #expect(events.last?.objectID == "2023010101")
            #expect(events.last?.actorName == "office")

            for role in ["assessor", "cadre", "student", "admin", "audit"] {
                #expect(try await server.api(.GET, "/api/v1/students/\(student.id!)/sensitive", as: role).status == .forbidden, "\(role)")
            }
            // The CS secretary may, for a CS student; not for another college's.
            #expect(try await server.api(.GET, "/api/v1/students/\(student.id!)/sensitive", as: "secretary").status == .ok)
            let other = try await server.student("2023020101")
            #expect(try await server.api(.GET, "/api/v1/students/\(other.id!)/sensitive", as: "secretary").status == .notFound)
            let count32 = try await AuditEventModel.query(on: server.app.db).filter(\AuditEventModel.$action == "sensitive.read").count()
            #expect(count32 == before + 2)
        }
    }

    @Test("the audit chain verifies, and an edited event breaks it")
    func chain() async throws {
        try await TestServer.with { server in
            _ = try await server.api(.POST, "/api/v1/units", as: "office", json: ["code": "WY", "name": "外国语学院", "kind": "college"])
            #expect(try await AuditTrail.verify(on: server.app.db).isEmpty)
            let events = try await AuditEventModel.query(on: server.app.db).sort(\.$seq).all()
            #expect(events.count >= 9)
            let victim = events[3]
            victim.detail = "tampered"
            // The table refuses the edit; an attacker with the owner's rights drops the triggers first.
            await #expect(throws: (any Error).self) { try await victim.save(on: server.app.db) }
            try await AuditTamper.disableTriggers(server)
            try await victim.save(on: server.app.db)
            #expect(try await AuditTrail.verify(on: server.app.db) == [victim.seq])
            let page = server.browser()
            try await page.login("audit")
            #expect(try await page.get("/admin/audit").body.contains("断裂"))
            let verify = try await page.get("/admin/audit/verify")
            #expect(verify.body.contains("第一条异常记录：序号 \(victim.seq)"), "\(verify.body.prefix(2000))")
        }
    }
}

@Suite("Roster API round trips")
struct RosterAPITests {
    @Test("create, change, deactivate a cadre; nothing is hard-deleted")
    func cadreLifecycle() async throws {
        try await TestServer.with { server in
            let created = try await server.api(.POST, "/api/v1/cadres", as: "secretary",
                                               json: ["staffNumber": "T010", "name": "赵敏", "unitCode": "CS", "posts": ["副院长"], "rank": "deputy-director", "partyMember": true])
            #expect(created.status == .created, "\(created.body)")
            let cadre = try created.decode(CadreDTO.self)
            #expect(cadre.unit.code == "CS")
            let changed = try await server.api(.PATCH, "/api/v1/cadres/\(cadre.id)", as: "secretary", json: ["active": false])
            #expect(try changed.decode(CadreDTO.self).active == false)
            let inactive = try await server.api(.GET, "/api/v1/cadres?active=false", as: "office").decode(ListPage<CadreDTO>.self)
            #expect(inactive.items.map(\.staffNumber) == ["T010"])
            let search = try await server.api(.GET, "/api/v1/cadres?q=%E8%B5%B5", as: "office").decode(ListPage<CadreDTO>.self)
            #expect(search.items.map(\.name) == ["赵敏"])
        }
    }

    @Test("students carry their collectives; paging works")
    func students() async throws {
        try await TestServer.with { server in
            let created = try await server.api(.POST, "/api/v1/students", as: "office",
                                               json: ["studentNumber": "2023010102", "name": "周杰", "unitCode": "CS", "collectiveCodes": ["CS2301"]])
            #expect(created.status == .created)
            #expect(try created.decode(StudentDTO.self).collectives.map(\.code) == ["CS2301"])
            let page1 = try await server.api(.GET, "/api/v1/students?per=2&page=1", as: "office").decode(ListPage<StudentDTO>.self)
            let page2 = try await server.api(.GET, "/api/v1/students?per=2&page=2", as: "office").decode(ListPage<StudentDTO>.self)
            #expect(page1.total == 3)
            #expect(page1.items.count == 2)
            #expect(page2.items.count == 1)
            #expect(Set(page1.items.map(\.id)).isDisjoint(with: page2.items.map(\.id)))
        }
    }

    @Test("the calendar API answers workdays with 调休")
    func workdays() async throws {
        try await TestServer.with { server in
            let reply = try await server.api(.GET, "/api/v1/calendar/workdays?from=2025-09-27&to=2025-10-11", as: "cadre")
            let days = try reply.decode([WorkdayDTO].self)
            #expect(days.count == 15)
            #expect(days.first { $0.date == "2025-09-28" }?.workday == true, "Sunday make-up workday")
            #expect(days.first { $0.date == "2025-10-01" }?.workday == false)
            #expect(days.first { $0.date == "2025-10-11" }?.workday == true, "Saturday make-up workday")
        }
    }
}

@Suite("Operations")
struct OperationsTests {
    @Test("health and readiness, with request ids")
    func health() async throws {
        try await TestServer.with(seed: false) { server in
            let health = try await server.request(.GET, "/healthz")
            #expect(health.status == .ok)
            #expect(health.headers.first(name: "X-Request-Id")?.isEmpty == false)
            let ready = try await server.request(.GET, "/readyz")
            #expect(ready.status == .ok)
            #expect(try ready.json()["status"] as? String == "ready")
            var headers = HTTPHeaders()
            headers.add(name: "X-Request-Id", value: "abc-123")
            #expect(try await server.request(.GET, "/healthz", headers: headers).headers.first(name: "X-Request-Id") == "abc-123")
        }
    }

    @Test("the OpenAPI document lists exactly the API routes")
    func openAPI() async throws {
        try await TestServer.with(seed: false) { server in
            let doc = try await server.request(.GET, "/api/v1/openapi.json").json()
            #expect(doc["openapi"] as? String == "3.0.3")
            let paths = try #require(doc["paths"] as? [String: [String: Any]])
            var documented = Set<String>()
            for (path, operations) in paths { for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") } }
            var routed = Set<String>()
            for route in server.app.routes.all {
                let path = "/" + route.path.map { component -> String in
                    if case .parameter(let name) = component { return "{\(name)}" }
                    return component.description
                }.joined(separator: "/")
                guard path.hasPrefix("/api/v1/"), path != "/api/v1/openapi.json" else { continue }
                routed.insert("\(route.method.rawValue) \(path)")
            }
            #expect(!routed.isEmpty)
            #expect(routed == documented, "undocumented: \(routed.subtracting(documented)); not routed: \(documented.subtracting(routed))")
            let schemas = try #require((doc["components"] as? [String: Any])?["schemas"] as? [String: Any])
            let refs = String(decoding: try JSONSerialization.data(withJSONObject: paths), as: UTF8.self)
                .components(separatedBy: "#/components/schemas/").dropFirst().map { String($0.prefix { $0 != "\"" }) }
            for ref in Set(refs) { #expect(schemas[ref] != nil, "missing schema \(ref)") }
            // The error codes clients may branch on are listed, and a refusal answers with one of them.
            let errorSchema = (schemas["Error"] as? [String: Any]).flatMap { ($0["properties"] as? [String: Any])?["error"] as? [String: Any] }
            let codeSchema = try #require((errorSchema?["properties"] as? [String: Any])?["code"] as? [String: Any])
            let codes = try #require(codeSchema["enum"] as? [String])
            #expect(codes == AppError.Code.allCases.map(\.rawValue) && codes.contains("validation_failed") && Set(codes).count == codes.count)
            let refused = try await server.request(.GET, "/api/v1/units")
            #expect(refused.status == .unauthorized && codes.contains(refused.errorCode ?? "none"), "\(refused.body)")
        }
    }
}
