import Fluent
import Foundation
import Testing
import Vapor
import YixianCore
@testable import YixianServer

/// Issue 10 item 4: 三个纳入 — the cadre's student-work experience and compliance per academic year,
/// and the check of a proposed student-work head post.
@Suite("Appointment check: experience and compliance on the cadre's page, findings on a proposed post")
struct AppointmentTests {
    static func checks(_ server: TestServer) async throws -> Int {
        try await AuditEventModel.query(on: server.app.db).filter(\.$action == "appointment.check").count()
    }

    @Test("the panel's figures per academic year are the engine's cells as of the year's judging day")
    func panelMatchesTheEngine() async throws {
        try await TestServer.with { server in
            try await DossierTests.prepare(server)
            let t001 = try await server.cadre("T001").id!
            // The 2025–2026 year has ended (the tests run after 2026-08-23); with no following year in the
            // calendar it is judged on its last day.
            let cells = try await server.api(.GET, "/api/v1/compliance/cells?asOf=2026-08-23", as: "office").decode(ComplianceCellsDTO.self).cells
            let tally = cells.filter { cell in
                cell.subject.kind == .cadre && cell.subject.id == "T001" && cell.severity == .required
                    && cell.period.start >= LocalDate("2025-08-25")! && cell.period.end <= LocalDate("2026-08-23")!
            }.reduce(into: ComplianceTally()) { $0.add($1.status) }
            // One lecture in the first term, none in the second.
            #expect(tally.met == 1 && tally.missed == 1 && tally.atRisk == 0)
            let office = server.browser()
            try await office.login("office")
            let page = try await office.get("/cadres/\(t001)")
            #expect(page.status == .ok)
            #expect(page.body.contains("学生工作经历与落实情况"))
            #expect(page.body.contains("<td>2025—2026学年</td><td>已结束</td><td>\(tally.met)</td><td>\(tally.missed)</td><td>\(tally.atRisk)</td><td>0</td><td>—</td>"),
                    "\(page.body)")
            // The post on record began before the roster kept history: said so, not invented.
            #expect(page.body.contains("前（起始未记录）"))
            #expect(page.body.contains("最早联系学生记录：2025-10-15"))
            // The office may run the check from here.
            #expect(page.body.contains("拟任职务审核") && page.body.contains("action=\"/cadres/\(t001)/appointment\""))
            #expect(try await Self.checks(server) == 0, "showing the panel is not a check")
        }
    }

    @Test("a head post for a cadre without student-work experience is blocking; a change of post is on record")
    func headPostWithoutExperience() async throws {
        try await TestServer.with { server in
            try await DossierTests.prepare(server)
            let t002 = try await server.cadre("T002").id!
            let office = server.browser()
            try await office.login("office")
            let post = "党委学生工作部部长".addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!
            let reply = try await office.get("/cadres/\(t002)/appointment?post=\(post)&unit=XGB")
            #expect(reply.status == .ok)
            #expect(reply.body.contains("data-outcome=\"blocking\""))
            #expect(reply.body.contains("data-code=\"no-experience\" data-severity=\"blocking\""), "\(reply.body)")
            // 2025–2026: both terms' lectures missed.
            #expect(reply.body.contains("data-code=\"missed\" data-severity=\"attention\""))
            #expect(reply.body.contains("2025—2026学年未完成 2 项工作要求"))
            #expect(try await Self.checks(server) == 1, "each check is audited")
            let event = try #require(try await AuditEventModel.query(on: server.app.db).filter(\.$action == "appointment.check").first())
            #expect(event.objectID == "T002" && event.detail.contains("XGB 党委学生工作部部长"))

            // A post that is not a head post: the experience requirement does not apply.
            let dean = try await office.get("/cadres/\(t002)/appointment?post=%E9%99%A2%E9%95%BF&unit=ME")
            #expect(dean.body.contains("data-code=\"not-head-post\"") && !dean.body.contains("no-experience"))

            // Posted to 学工部 through the roster API: the history follows (same day: the open row is replaced).
            #expect(try await server.api(.PATCH, "/api/v1/cadres/\(t002)", as: "office", json: ["unitCode": "XGB", "posts": ["副部长"]]).status == .ok)
            let rows = try await CadrePostModel.query(on: server.app.db).filter(\.$cadre.$id == t002).all()
            #expect(rows.count == 1 && rows[0].posts == "副部长" && rows[0].endedOn == nil)
            // Earlier posts entered as history: 辅导员 for three years.
            let earlier = CadrePostModel()
            earlier.$cadre.id = t002
            earlier.$unit.id = try #require(try await UnitModel.query(on: server.app.db).filter(\.$code == "ME").first()).id!
            earlier.posts = "辅导员"
            earlier.startedOn = "2020-09-01"
            earlier.recordedOn = "2020-09-01"
            earlier.endedOn = "2023-08-31"
            try await earlier.create(on: server.app.db)
            let after = try await office.get("/cadres/\(t002)/appointment?post=\(post)&unit=XGB")
            #expect(!after.body.contains("no-experience") && !after.body.contains("short-experience"), "3 years as 辅导员 count")
            #expect(after.body.contains("学生工作经历：至少 3.0 年"))
        }
    }

    @Test("bad input is refused with the field and reason and changes nothing")
    func badInput() async throws {
        try await TestServer.with { server in
            try await DossierTests.prepare(server)
            let t002 = try await server.cadre("T002").id!
            let office = server.browser()
            try await office.login("office")
            let rowsBefore = try await CadrePostModel.query(on: server.app.db).count()
            let empty = try await office.get("/cadres/\(t002)/appointment?post=%20&unit=XGB")
            #expect(empty.status == .unprocessableEntity)
            #expect(empty.body.contains("请填写拟任职务") && empty.body.contains("href=\"#post\""))
            let unknown = try await office.get("/cadres/\(t002)/appointment?post=%E9%83%A8%E9%95%BF&unit=NOPE")
            #expect(unknown.status == .unprocessableEntity)
            #expect(unknown.body.contains("单位代码“NOPE”不存在或已停用") && unknown.body.contains("href=\"#unit\""))
            let noUnit = try await office.get("/cadres/\(t002)/appointment?post=%E9%83%A8%E9%95%BF")
            #expect(noUnit.status == .unprocessableEntity && noUnit.body.contains("请填写拟任单位"))
            #expect(try await office.get("/cadres/\(UUID())/appointment?post=%E9%83%A8%E9%95%BF&unit=XGB").status == .notFound)
            // Without a question the page is the empty form.
            #expect(try await office.get("/cadres/\(t002)/appointment").status == .ok)
            // The same refusal in English.
            let switcher = try #require(empty.body.firstMatch(of: /href="(\/language\?[^"]+)"/)?.1).replacingOccurrences(of: "&amp;", with: "&")
            _ = try await office.get(String(switcher))
            let english = try await office.get("/cadres/\(t002)/appointment?post=%E9%83%A8%E9%95%BF&unit=NOPE")
            #expect(english.status == .unprocessableEntity && english.body.contains("No active unit with code NOPE"))
            #expect(try await Self.checks(server) == 0, "a refused check is not recorded as one")
            #expect(try await CadrePostModel.query(on: server.app.db).count() == rowsBefore)
        }
    }

    @Test("the secretary sees the panel of their unit's cadre but cannot run the check; a student sees neither; a cadre their own")
    func whoSeesWhat() async throws {
        try await TestServer.with { server in
            try await DossierTests.prepare(server)
            let t001 = try await server.cadre("T001").id!, t002 = try await server.cadre("T002").id!
            let check = "/cadres/\(t001)/appointment?post=%E9%83%A8%E9%95%BF&unit=XGB"
            let secretary = server.browser()
            try await secretary.login("secretary")
            let own = try await secretary.get("/cadres/\(t001)")
            #expect(own.status == .ok && own.body.contains("学生工作经历与落实情况") && !own.body.contains("拟任职务审核"))
            let otherUnit = try await secretary.get("/cadres/\(t002)").status
            #expect(otherUnit == .forbidden || otherUnit == .notFound, "another unit's cadre")
            #expect(try await secretary.get(check).status == .forbidden)
            let assessor = server.browser()
            try await assessor.login("assessor")
            #expect(try await assessor.get(check).status == .ok)
            let student = server.browser()
            try await student.login("student")
            let refused = try await student.get("/cadres/\(t001)")
            #expect(refused.status == .forbidden && !refused.body.contains("学生工作经历与落实情况"))
            #expect(try await student.get(check).status == .forbidden)
            let cadre = server.browser()
            try await cadre.login("cadre")
            let mine = try await cadre.get("/cadres/\(t001)")
            #expect(mine.status == .ok && mine.body.contains("学生工作经历与落实情况") && !mine.body.contains("拟任职务审核"))
            #expect(try await cadre.get(check).status == .forbidden)
            #expect(try await Self.checks(server) == 1, "only the assessor's check")
        }
    }
}
