import Fluent
import Foundation
import Testing
import Vapor
import YixianCore
@testable import YixianServer

@Suite("The contact ledger")
struct LedgerTests {
    static func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    static func body(start: Date = Date().addingTimeInterval(-7200), end: Date = Date().addingTimeInterval(-3600),
                     collectives: [String] = ["CS2301"], extra: [String: Any] = [:]) -> [String: Any] {
        ["kind": "dorm-visit", "start": iso(start), "end": iso(end), "place": "梅园3舍", "collectiveCodes": collectives,
         "participantCount": 6, "summary": "走访宿舍，了解学习生活情况", "problems": [["text": "热水供应不稳定", "category": "后勤"]]].merging(extra) { $1 }
    }

    func count(_ server: TestServer) async throws -> Int { try await ContactRecordModel.query(on: server.app.db).count() }

    @Test("contact times parse as ISO 8601 with a zone, or as China local time without one; others are refused")
    func instants() {
        let utc = Date(timeIntervalSince1970: 1_772_330_400)  // 2026-03-01T02:00:00Z
        #expect(ContactRules.parseInstant("2026-03-01T02:00:00Z") == utc)
        #expect(ContactRules.parseInstant("2026-03-01T10:00:00+08:00") == utc)
        #expect(ContactRules.parseInstant(" 2026-03-01T10:00 ") == utc, "local China time, spaces trimmed")
        #expect(ContactRules.parseInstant("2026-03-01T10:00:00") == utc)
        for bad in ["", "2026-03-01", "2026-13-01T10:00", "2026-03-01T24:00", "yesterday", "2026-03-01T10:00:00Zjunk", "2026-03-01T10:00:xx", "2026-03-01T10:0", "2026-03-01T10:00:00+0800junk"] {
            #expect(ContactRules.parseInstant(bad) == nil, "\(bad)")
        }
    }

    @Test("the server's day comes from the injected clock: records, back-dating and the filing form follow it")
    func injectedClock() async throws {
        let fixed = LocalDate("2026-03-10")!.startInstant().addingTimeInterval(12 * 3600)
        try await TestServer.with(adjust: { $0.clock = .fixed(fixed); $0.backdateWindowDays = 3 }) { server in
            let made = try await server.api(.POST, "/api/v1/contacts", as: "cadre",
                                            json: Self.body(start: fixed.addingTimeInterval(-7200), end: fixed.addingTimeInterval(-3600)))
            #expect(made.status == .created, "\(made.body)")
            #expect(try made.decode(ContactDTO.self).createdAt == fixed, "stamped by the clock, not the machine")
            let fourDays = try await server.api(.POST, "/api/v1/contacts", as: "cadre",
                                                json: Self.body(start: fixed.addingTimeInterval(-4 * 86400), end: fixed.addingTimeInterval(-4 * 86400 + 3600)))
            #expect(fourDays.errorField == "backdateReason", "the configured 3-day window, counted from the fixed day")
            #expect(fourDays.body.contains("3 天"))
            let tomorrow = try await server.api(.POST, "/api/v1/contacts", as: "cadre",
                                                json: Self.body(start: fixed.addingTimeInterval(86400), end: fixed.addingTimeInterval(90000)))
            #expect(tomorrow.errorField == "start")
        }
    }

    @Test("a cadre records a contact; bad input is refused with the field and nothing changes")
    func createAndRefuse() async throws {
        try await TestServer.with { server in
            let created = try await server.api(.POST, "/api/v1/contacts", as: "cadre", json: Self.body())
            #expect(created.status == .created, "\(created.body)")
            let dto = try created.decode(ContactDTO.self)
            #expect(dto.venue == "dorm", "the kind's default venue")
            #expect(dto.problems.map(\.text) == ["热水供应不稳定"])
            #expect(dto.confirmCode?.count == 8)

            let before = try await count(server)
            let backwards = try await server.api(.POST, "/api/v1/contacts", as: "cadre",
                                                 json: Self.body(start: Date().addingTimeInterval(-3600), end: Date().addingTimeInterval(-7200)))
            #expect(backwards.status == .unprocessableEntity)
            #expect(backwards.errorField == "end")
            #expect(backwards.body.contains("结束时间早于开始时间"))
            let nowhere = try await server.api(.POST, "/api/v1/contacts", as: "cadre", json: Self.body(extra: ["place": " "]))
            #expect(nowhere.errorField == "place", "a submitted dorm visit says where it happened")
            let foreign = try await server.api(.POST, "/api/v1/contacts", as: "cadre", json: Self.body(collectives: ["ME2301"]))
            #expect(foreign.errorField == "collectiveCodes")
            let future = try await server.api(.POST, "/api/v1/contacts", as: "cadre",
                                              json: Self.body(start: Date().addingTimeInterval(86400), end: Date().addingTimeInterval(90000)))
            #expect(future.errorField == "start")
            let old = try await server.api(.POST, "/api/v1/contacts", as: "cadre",
                                           json: Self.body(start: Date().addingTimeInterval(-20 * 86400), end: Date().addingTimeInterval(-20 * 86400 + 3600)))
            #expect(old.errorField == "backdateReason")
            let unknownKind = try await server.api(.POST, "/api/v1/contacts", as: "cadre", json: Self.body(extra: ["kind": "party"]))
            #expect(unknownKind.errorField == "kind")
            #expect(try await server.api(.POST, "/api/v1/contacts", as: "assessor", json: Self.body()).status == .forbidden)
            #expect(try await server.api(.POST, "/api/v1/contacts", as: "office", json: Self.body()).errorField == "cadreId",
                    "the office records only for a named cadre (代录)")
            #expect(try await count(server) == before)

            let late = try await server.api(.POST, "/api/v1/contacts", as: "cadre",
                                            json: Self.body(start: Date().addingTimeInterval(-20 * 86400), end: Date().addingTimeInterval(-20 * 86400 + 3600),
                                                            extra: ["backdateReason": "出差返校后补录"]))
            #expect(late.status == .created)
        }
    }

    @Test("submitted records are corrected with history, never deleted; drafts may be deleted")
    func corrections() async throws {
        try await TestServer.with { server in
            let dto = try await server.api(.POST, "/api/v1/contacts", as: "cadre", json: Self.body()).decode(ContactDTO.self)
            let noReason = try await server.api(.PATCH, "/api/v1/contacts/\(dto.id)", as: "cadre", json: Self.body(extra: ["participantCount": 8]))
            #expect(noReason.errorField == "reason")
            let corrected = try await server.api(.PATCH, "/api/v1/contacts/\(dto.id)", as: "cadre",
                                                 json: Self.body(extra: ["participantCount": 8, "reason": "人数记错"]))
            #expect(try corrected.decode(ContactDTO.self).version == 2)
            #expect(try corrected.decode(ContactDTO.self).participantCount == 8)
            let history = try await server.api(.GET, "/api/v1/contacts/\(dto.id)/history", as: "office").decode([ContactVersionDTO].self)
            #expect(history.count == 1)
            #expect(history[0].snapshot.participantCount == 6)
            #expect(history[0].reason == "人数记错")
            #expect(history[0].changedBy == "cadre")
            let delete = try await server.api(.DELETE, "/api/v1/contacts/\(dto.id)", as: "cadre")
            #expect(delete.status == .conflict)
            #expect(try await count(server) == 1)

            let draft = try await server.api(.POST, "/api/v1/contacts", as: "cadre", json: Self.body(extra: ["submit": false])).decode(ContactDTO.self)
            #expect(draft.status == "draft")
            #expect(try await server.api(.GET, "/api/v1/contacts/\(draft.id)", as: "office").status == .notFound, "drafts are private")
            #expect(try await server.api(.DELETE, "/api/v1/contacts/\(draft.id)", as: "cadre").status == .noContent)
            #expect(try await count(server) == 1)
        }
    }

    @Test("a cadre cannot touch another cadre's record")
    func otherCadre() async throws {
        try await TestServer.with { server in
            let other = try await server.cadre("T002")
            let record = ContactRecordModel()
            record.$cadre.id = other.id!
            record.kind = "dorm-visit"
            record.startAt = Date().addingTimeInterval(-3600)
            record.endAt = Date()
            record.place = "原地点"
            record.collectiveCodes = "ME2301"
            record.participantCount = 3
            record.hours = 1
            record.confirmedCount = 0
            record.status = "submitted"
            record.summary = ""
            record.createdAt = Date()
            record.submittedAt = Date()
            record.version = 1
            record.confirmCode = "WXYZ2345"
            try await record.create(on: server.app.db)
            let edit = try await server.api(.PATCH, "/api/v1/contacts/\(record.id!)", as: "cadre", json: Self.body(extra: ["reason": "x"]))
            #expect(edit.status == .notFound)
            #expect(try await server.api(.GET, "/api/v1/contacts/\(record.id!)", as: "cadre").status == .notFound)
            #expect(try await server.api(.GET, "/api/v1/contacts/\(record.id!)", as: "secretary").status == .notFound, "another unit's")
            #expect(try await ContactRecordModel.find(record.id, on: server.app.db)?.place == "原地点")
            // And a student of CS cannot confirm a record of an ME class.
            let confirm = try await server.api(.POST, "/api/v1/confirmations", as: "student", json: ["code": "WXYZ2345"])
            #expect(confirm.status == .forbidden)
            #expect(confirm.body.contains("不在这条记录涉及的学生集体中"))
            let student = server.browser()
            try await student.login("student")
            let page = try await student.get("/c/WXYZ2345")
            #expect(page.body.contains("不在这条记录涉及的学生集体中"), "said before the student presses the button")
            #expect(!page.body.contains("我参加了，确认"))
        }
    }

    @Test("students confirm once, and the count shows on the record")
    func confirmations() async throws {
        try await TestServer.with { server in
            let dto = try await server.api(.POST, "/api/v1/contacts", as: "cadre", json: Self.body()).decode(ContactDTO.self)
            let code = try #require(dto.confirmCode)
            #expect(try await server.api(.POST, "/api/v1/confirmations", as: "student", json: ["code": code.lowercased()]).status == .ok)
            let twice = try await server.api(.POST, "/api/v1/confirmations", as: "student", json: ["code": code])
            #expect(twice.status == .conflict)
            #expect(try await server.api(.POST, "/api/v1/confirmations", as: "student", json: ["code": "ZZZZZZZZ"]).status == .notFound)
            #expect(try await server.api(.POST, "/api/v1/confirmations", as: "cadre", json: ["code": code]).status == .forbidden)
            let after = try await server.api(.GET, "/api/v1/contacts/\(dto.id)", as: "cadre").decode(ContactDTO.self)
            #expect(after.confirmations == 1)
            let cadrePage = server.browser()
            try await cadrePage.login("cadre")
            #expect(try await cadrePage.get("/ledger/\(dto.id)").body.contains("计算机2301班"), "collectives are shown by name")
            // The confirmation page says so before the student presses anything, and a bad code can be retyped there.
            let student = server.browser()
            try await student.login("student")
            let again = try await student.get("/c/\(code)")
            #expect(again.body.contains("您已确认过这条记录"))
            #expect(!again.body.contains("我参加了，确认"))
            let unknown = try await student.get("/c/ZZZZZZZZ")
            #expect(unknown.body.contains("name=\"code\""), "the page offers a box to type the code again")
            let problems = try await server.api(.GET, "/api/v1/problems", as: "secretary").decode([ProblemListItem].self)
            #expect(problems.map(\.text) == ["热水供应不稳定"])
            let page = server.browser()
            try await page.login("secretary")
            #expect(try await page.get("/problems").body.contains("热水供应不稳定"))
        }
    }

    @Test("the phone journey: log a dorm visit in the form, a student confirms on the web")
    func webJourney() async throws {
        try await TestServer.with { server in
            let cadre = server.browser()
            try await cadre.login("cadre")
            let form = try await cadre.get("/ledger/new?kind=dorm-visit")
            #expect(form.status == .ok)
            #expect(form.body.contains("计算机2301班"))
            let token = try #require(Browser.csrf(in: form.body))
            let now = Date()
            let fields = [("_csrf", token), ("kind", "dorm-visit"), ("start", LedgerPages.localInput(now.addingTimeInterval(-1800))),
                          ("end", LedgerPages.localInput(now.addingTimeInterval(-60))), ("place", "梅园3舍402"), ("collectiveCodes[]", "CS2301"),
                          ("participantCount", "4"), ("summary", "了解期末复习情况"), ("problems", "自习室开放时间短"), ("action", "submit")]
            var headers = HTTPHeaders()
            headers.add(name: .cookie, value: cadre.cookieHeader)
            headers.contentType = .urlEncodedForm
            let body = fields.map { "\($0.0.urlQueryEncoded)=\($0.1.urlQueryEncoded)" }.joined(separator: "&")
            let posted = try await server.request(.POST, "/ledger/new", headers: headers, body: Data(body.utf8))
            #expect(posted.status == .seeOther, "\(posted.body.prefix(600))")
            let recordPage = try await cadre.get(try #require(posted.headers.first(name: .location)))
            let code = try #require(recordPage.body.range(of: "<p class=\"code\">").map { String(recordPage.body[$0.upperBound...].prefix(8)) })

            let student = server.browser()
            let redirected = try await student.get("/c/\(code)")
            #expect(redirected.headers.first(name: .location)?.hasPrefix("/login?next=") == true)
            try await student.login("student")
            let page = try await student.get("/c/\(code)")
            #expect(page.body.contains("梅园3舍402"))
            let done = try await student.post("/c/\(code)", tokenFrom: "/c/\(code)")
            #expect(done.body.contains("已确认"))
            let again = try await student.post("/c/\(code)", tokenFrom: "/c/\(code)")
            #expect(again.status == .conflict)
            #expect(try await ContactRecordModel.query(on: server.app.db).first()?.confirmedCount == 1)
        }
    }
}
