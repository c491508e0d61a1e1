import Fluent
import Foundation
import Testing
import Vapor
import YixianCore
@testable import YixianServer

/// The ledger searched as an inspection would, and exported exactly as shown.
@Suite("Ledger search and export")
struct LedgerSearchTests {
    static func record(_ server: TestServer, kind: String = "dorm-visit", place: String, collectives: [String] = ["CS2301"],
                       daysAgo: Double = 1) async throws -> ContactDTO {
        let start = Date().addingTimeInterval(-daysAgo * 86_400)
        return try await server.api(.POST, "/api/v1/contacts", as: "cadre", json: LedgerTests.body(
            start: start, end: start.addingTimeInterval(3600), collectives: collectives,
            extra: ["kind": kind, "place": place, "summary": "了解\(place)的情况"])).decode(ContactDTO.self)
    }

    /// The `/ledger/:id` links on a page of the list.
    static func ids(_ html: String) -> Set<String> {
        Set(html.matches(of: /href="\/ledger\/([0-9A-F-]{36})"/).map { String($0.1) })
    }

    @Test("filters by text, kind, confirmation, status and dates narrow the list; the filters stay in the page's links")
    func search() async throws {
        try await TestServer.with { server in
            let dorm = try await Self.record(server, place: "梅园3舍")
            let canteen = try await Self.record(server, kind: "face-to-face", place: "第一食堂")
            let old = try await Self.record(server, place: "梅园5舍", daysAgo: 5)
            #expect(try await server.api(.POST, "/api/v1/confirmations", as: "student", json: ["code": try #require(dorm.confirmCode)]).status == .ok)
            #expect(try await server.api(.POST, "/api/v1/contacts/\(old.id)/void", as: "cadre", json: ["reason": "重复"]).status == .ok)

            let office = server.browser()
            try await office.login("office")
            func found(_ query: String) async throws -> Set<String> { Self.ids(try await office.get("/ledger?" + query).body) }
            #expect(try await found("q=%E6%A2%85%E5%9B%AD") == [dorm.id.uuidString, old.id.uuidString], "梅园")
            #expect(try await found("kind=face-to-face") == [canteen.id.uuidString])
            #expect(try await found("confirmed=true") == [dorm.id.uuidString])
            #expect(try await found("status=voided") == [old.id.uuidString])
            #expect(try await found("collective=CS2301") == [dorm.id.uuidString, canteen.id.uuidString, old.id.uuidString])
            #expect(try await found("collective=CS230").isEmpty, "a whole code, not a prefix")
            let twoDays = LocalDate(Date().addingTimeInterval(-2 * 86_400)).iso
            #expect(try await found("from=\(twoDays)") == [dorm.id.uuidString, canteen.id.uuidString])
            #expect(try await found("q=%25").isEmpty, "% is a literal character, not a wildcard")
            let page = try await office.get("/ledger?kind=dorm-visit&per=1")
            #expect(page.body.contains("kind=dorm-visit&amp;page=2") || page.body.contains("kind=dorm-visit&page=2"), "the pager keeps the filter")

            for bad in ["status=draft", "from=2026-02-30", "from=2026-03-02&to=2026-03-01", "confirmed=maybe", "format=pdf"] {
                let reply = try await office.get("/ledger?" + bad)
                #expect(reply.status == .unprocessableEntity || reply.status == .badRequest, "\(bad): \(reply.status)")
            }
        }
    }

    @Test("the export holds exactly the lines the search shows, in .xlsx and .csv, and a secretary's only their unit's")
    func export() async throws {
        try await TestServer.with { server in
            let dorm = try await Self.record(server, place: "梅园3舍")
            _ = try await Self.record(server, kind: "face-to-face", place: "=HYPERLINK(\"x\")")
            let office = server.browser()
            try await office.login("office")
            let xlsx = try await office.get("/ledger?kind=dorm-visit&format=xlsx")
            #expect(xlsx.status == .ok)
            let sheet = try SpreadsheetFile.load(xlsx.data).records
            #expect(sheet.first?.first == "开始时间")
            #expect(sheet.count == 2 && sheet[1].contains("梅园3舍") && sheet[1].contains("张伟") && sheet[1].contains("计算机2301班"), "\(sheet)")
            let csv = try await office.get("/ledger?format=csv")
            let text = String(decoding: csv.data, as: UTF8.self)
            #expect(text.hasPrefix("\u{FEFF}开始时间"))
            #expect(text.contains("'=HYPERLINK("), "a formula typed as a place stays text")
            #expect(text.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 3)

            // The ME cadre's line never reaches the CS secretary's export.
            let me = try await server.cadre("T002")
            let other = ContactRecordModel()
            other.$cadre.id = me.id!
            other.kind = "dorm-visit"
            other.startAt = Date().addingTimeInterval(-7200)
            other.endAt = Date().addingTimeInterval(-3600)
            other.place = "机械楼"
            other.collectiveCodes = "ME2301"
            other.participantCount = 3
            other.hours = 1
            other.confirmedCount = 0
            other.status = "submitted"
            other.summary = ""
            other.createdAt = Date()
            other.submittedAt = Date()
            other.version = 1
            other.confirmCode = "MEMEME22"
            try await other.create(on: server.app.db)
            let secretary = server.browser()
            try await secretary.login("secretary")
            let scoped = String(decoding: try await secretary.get("/ledger?format=csv").data, as: UTF8.self)
            #expect(scoped.contains("梅园3舍") && !scoped.contains("机械楼"))
            #expect(String(decoding: try await office.get("/ledger?format=csv").data, as: UTF8.self).contains("机械楼"))
            _ = dorm
        }
    }
}
