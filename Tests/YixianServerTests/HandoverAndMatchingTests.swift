import Fluent
import Foundation
import Testing
import Vapor
import YixianCore
@testable import YixianServer

@Suite("Handover, wishes, coverage and matching over HTTP")
struct HandoverAndMatchingTests {
    static let policy = """
    id: pair-test
    title: 结对测试规定
    roles:
      middle:
        rankAtLeast: deputy-director
    rules:
      - id: link-one
        title: 每人联系 1 个班级
        who: middle
        pairing:
          collectiveKinds: [class]
          atLeast: 1
        source: "每人联系 1 个班级"
    """

    static func prepare(_ server: TestServer) async throws {
        let today = LocalDate(Date())
        let year = AcademicYear(id: "Y", name: "本学年", range: DateRange(start: today.adding(days: -100), end: today.adding(days: 200)), terms: [])
        try await server.app.db.write { db in try await CalendarAPI.save([year], on: db) }
        _ = try await server.api(.POST, "/api/v1/policies", as: "office", json: ["text": Self.policy, "effectiveFrom": today.adding(days: -100).iso])
    }

    @Test("a handover ends the predecessor's pairing the day before and starts the successor's; history stays")
    func handover() async throws {
        try await TestServer.with { server in
            try await Self.prepare(server)
            let today = LocalDate(Date())
            #expect(try await server.api(.POST, "/api/v1/pairings", as: "office",
                                         json: ["staffNumber": "T001", "collectiveCode": "CS2301", "start": today.adding(days: -50).iso]).status == .created)
            let bad = try await server.api(.POST, "/api/v1/pairings/handover", as: "office", json: ["fromStaffNumber": "T001", "toStaffNumber": "T001", "date": today.iso])
            #expect(bad.errorField == "toStaffNumber")
            let reply = try await server.api(.POST, "/api/v1/pairings/handover", as: "office", json: ["fromStaffNumber": "T001", "toStaffNumber": "T002", "date": today.iso])
            #expect(reply.status == .ok, "\(reply.body)")
            #expect(try reply.decode(HandoverDTO.self).started == 1)
            let pairings = try await server.api(.GET, "/api/v1/pairings?year=Y", as: "office").decode([PairingDTO].self)
            let old = try #require(pairings.first { $0.cadre.staffNumber == "T001" })
            let new = try #require(pairings.first { $0.cadre.staffNumber == "T002" })
            #expect(old.end == today.adding(days: -1).iso)
            #expect(new.start == today.iso)
            #expect(new.collective?.code == "CS2301")
            #expect(try await server.api(.POST, "/api/v1/pairings/handover", as: "secretary", json: ["fromStaffNumber": "T001", "toStaffNumber": "T002", "date": today.iso]).status == .forbidden)
        }
    }

    @Test("the handover form keeps what was typed on an error, confirms success, and the table shows today's links only")
    func handoverForm() async throws {
        try await TestServer.with { server in
            try await Self.prepare(server)
            let today = LocalDate(Date())
            #expect(try await server.api(.POST, "/api/v1/pairings", as: "office",
                                         json: ["staffNumber": "T001", "collectiveCode": "CS2301", "start": today.adding(days: -50).iso]).status == .created)
            let office = server.browser()
            try await office.login("office")
            let refused = try await office.post("/pairings/handover", form: ["fromStaffNumber": "T001", "toStaffNumber": "X999", "date": today.iso],
                                                tokenFrom: "/pairings")
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.contains("X999"), "the typed staff number is still in the form")
            #expect(refused.body.contains("工号“X999”不存在"))
            #expect(refused.body.contains("结对表"), "the page around the form is the pairing table, not a bare error page")

            let done = try await office.post("/pairings/handover", form: ["fromStaffNumber": "T001", "toStaffNumber": "T002", "date": today.iso],
                                             tokenFrom: "/pairings")
            #expect(done.status == .seeOther)
            let location = try #require(done.headers.first(name: .location))
            let table = try await office.get(location)
            #expect(table.body.contains("交接完成"))
            let predecessor = try await server.cadre("T001").name, successor = try await server.cadre("T002").name
            #expect(table.body.contains(successor))
            #expect(!table.body.contains(predecessor), "the predecessor's link ended yesterday and is history")
        }
    }

    @Test("the wish form takes collective names, keeps what was typed when refused, and says when it is saved")
    func wishForm() async throws {
        try await TestServer.with { server in
            try await Self.prepare(server)
            let cadre = server.browser()
            try await cadre.login("cadre")
            let refused = try await cadre.post("/pairings/wishes", form: ["collectiveCodes": "计算机2301班，不存在的班", "expertise": "心理"],
                                               tokenFrom: "/pairings/wishes")
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.contains("不存在的班"), "the typed text is still in the form")
            let saved = try await cadre.post("/pairings/wishes", form: ["collectiveCodes": "计算机2301班", "expertise": "心理"], tokenFrom: "/pairings/wishes")
            #expect(saved.status == .seeOther)
            let page = try await cadre.get(try #require(saved.headers.first(name: .location)))
            #expect(page.body.contains("志愿已保存"))
            #expect(page.body.contains("value=\"计算机2301班\""), "saved collectives are shown by name")
            let stored = try #require(try await PairingWishModel.query(on: server.app.db).first())
            #expect(PairingWishModel.list(stored.collectiveCodes) == ["CS2301"], "the name was stored as the collective's code")
        }
    }

    @Test("wishes steer the matching, the admin confirms, coverage shows the result")
    func matching() async throws {
        try await TestServer.with { server in
            try await Self.prepare(server)
            let wish = try await server.api(.PUT, "/api/v1/pairings/wishes", as: "cadre", json: ["collectiveCodes": ["CS2301"], "expertise": ["心理"]])
            #expect(wish.status == .ok, "\(wish.body)")
            #expect(try await server.api(.PUT, "/api/v1/pairings/wishes", as: "cadre", json: ["collectiveCodes": ["NOPE"]]).errorField == "collectiveCodes")
            #expect(try await server.api(.PUT, "/api/v1/pairings/wishes", as: "cadre", json: ["collectiveKinds": ["castle"]]).errorField == "collectiveKinds")
            let office = server.browser()
            try await office.login("office")
            let before = try await office.get("/pairings/coverage?year=Y")
            #expect(before.status == .ok)
            #expect(before.body.contains("heat-0"), "nothing covered yet")
            let proposals = try await office.get("/pairings/matching?year=Y")
            #expect(proposals.body.contains("T001|CS2301|linked"), "the wish is honoured")
            #expect(proposals.body.contains("志愿"))
            let picks = proposals.body.components(separatedBy: "name=\"pick[]\" value=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
            #expect(!picks.isEmpty)
            let token = try #require(Browser.csrf(in: proposals.body))
            let body = (["_csrf=\(token.urlQueryEncoded)"] + picks.map { "pick%5B%5D=\($0.urlQueryEncoded)" }).joined(separator: "&")
            var headers = HTTPHeaders()
            headers.add(name: .cookie, value: office.cookieHeader)
            headers.contentType = .urlEncodedForm
            let confirmed = try await server.request(.POST, "/pairings/matching?year=Y", headers: headers, body: Data(body.utf8))
            #expect(confirmed.status == .seeOther, "\(confirmed.body.prefix(300))")
            // Back on the matching, recomputed: it says what it applied and why a cadre is still short, with a way forward.
            let applied = try await office.get(try #require(confirmed.headers.first(name: .location)))
            #expect(applied.body.contains("已采纳 \(picks.count) 条建议"), "\(applied.body.prefix(2000))")
            #expect(applied.body.contains("全校共 2 个班级，2 个已有1 名干部联系（已满额）"))
            #expect(applied.body.contains("/pairings?staff=T00"), "each shortfall links to pairing by hand")
            let raised = try await office.get("/pairings/matching?year=Y&capacity=2")
            #expect(raised.body.contains("T00"), "a second cadre per class is proposed")
            #expect(!raised.body.contains("已满额"), "raising the limit fills the requirement")
            #expect(try await office.get("/pairings/matching?year=Y&capacity=9").status == .unprocessableEntity)
            let after = try await office.get("/pairings/coverage?year=Y")
            // Two classes for three cadres at one cadre per class: both classes covered, one cadre short.
            #expect(after.body.contains("全部覆盖"))
            #expect(after.body.contains("需联系 1 个班级，现有 0 个"))
            #expect(proposals.body.contains("无法满足的要求"))
            let forged = try await office.post("/pairings/matching?year=Y", form: ["pick[]": "T001|CS2301|castle"], tokenFrom: "/pairings/matching?year=Y")
            #expect(forged.status == .unprocessableEntity)
        }
    }

    @Test("a pairing by hand takes a collective's name or code, refuses what it cannot resolve, and says what it added")
    func pairByHand() async throws {
        try await TestServer.with { server in
            try await Self.prepare(server)
            let office = server.browser()
            try await office.login("office")
            let form = try await office.get("/pairings?staff=T002")
            #expect(form.body.contains("id=\"add\""))
            #expect(form.body.contains("value=\"T002\""), "the staff number from the shortfall's link is filled in")
            let unknown = try await office.post("/pairings/add", form: ["staffNumber": "T002", "collective": "不存在的班", "kind": "linked"], tokenFrom: "/pairings")
            #expect(unknown.status == .unprocessableEntity)
            #expect(unknown.body.contains("找不到学生集体“不存在的班”"))
            #expect(unknown.body.contains("value=\"不存在的班\""), "what was typed stays")
            let keyStudent = try await office.post("/pairings/add", form: ["staffNumber": "T002", "collective": "CS2301", "kind": "key-student"], tokenFrom: "/pairings")
            #expect(keyStudent.status == .unprocessableEntity)
            #expect(try await PairingModel.query(on: server.app.db).count() == 0, "nothing was stored by the refusals")
            let added = try await office.post("/pairings/add", form: ["staffNumber": "T002", "collective": "计算机2301班", "kind": "linked"], tokenFrom: "/pairings")
            #expect(added.status == .seeOther)
            let page = try await office.get(try #require(added.headers.first(name: .location)))
            let cadre = try await server.cadre("T002")
            #expect(page.body.contains("已添加结对：\(cadre.name) — 计算机2301班"))
            let again = try await office.post("/pairings/add", form: ["staffNumber": "T002", "collective": "CS2301", "kind": "linked"], tokenFrom: "/pairings")
            #expect(again.status == .unprocessableEntity)
            #expect(again.body.contains("本学年已联系"))
            #expect(try await PairingModel.query(on: server.app.db).count() == 1)
            // A forged notice in the URL names nothing.
            let forged = try await office.get("/pairings?added=\(UUID().uuidString)")
            #expect(!forged.body.contains("已添加结对"))
        }
    }
}
