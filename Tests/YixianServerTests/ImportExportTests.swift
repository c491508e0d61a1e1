import Fluent
import Foundation
import Testing
import Vapor
import YixianCore
@testable import YixianServer

@Suite("Roster import and export over HTTP")
struct ImportExportTests {
    static let csv = """
    学号,姓名,所属单位代码,所在集体代码
    2023010201,孙丽,CS,CS2301
    2023010202,马超,CS,CS2301

    2023020202,朱琳,ME,ME2301
    """

    @Test("bulk ids are distinct version-4 UUIDs across buffer refills")
    func bulkIDs() {
        var batch = UUIDBatch()
        let ids = (0..<2_000).map { _ in batch.next() }
        #expect(Set(ids).count == ids.count)
        for id in ids {
            #expect(id.uuid.6 >> 4 == 4 && id.uuid.8 >> 6 == 2, "\(id)")
            #expect(UUID(uuidString: id.uuidString) == id)
        }
        let ascending = batch.ascending(1_000)
        #expect(ascending.map(\.uuidString) == ascending.map(\.uuidString).sorted(), "byte order is the order of the hex text")
        #expect(Set(ascending).count == 1_000 && Set(ascending).isDisjoint(with: ids))
    }

    @Test("dry run writes nothing; commit writes; re-import changes nothing")
    func idempotent() async throws {
        try await TestServer.with { server in
            let count = { try await StudentModel.query(on: server.app.db).count() }
            let before = try await count()
            let dry = try await server.api(.POST, "/api/v1/imports/students?mode=dry-run&filename=s.csv", as: "office", raw: Data(Self.csv.utf8))
            #expect(dry.status == .ok, "\(dry.body)")
            let report = try dry.decode(ImportReportDTO.self)
            #expect(report.validRows == 3)
            #expect(report.errors.isEmpty)
            #expect(report.outcome == nil)
            #expect(try await count() == before)

            let commit = try await server.api(.POST, "/api/v1/imports/students?mode=commit", as: "office", raw: Data(Self.csv.utf8))
            // Accounts for the three new students and for the fixture's student who had none.
            #expect(try commit.decode(ImportReportDTO.self).outcome == RosterStore.Outcome(created: 3, updated: 0, unchanged: 0, accounts: 4))
            #expect(try await count() == before + 3)

            let again = try await server.api(.POST, "/api/v1/imports/students?mode=commit", as: "office", raw: Data(Self.csv.utf8))
            #expect(try again.decode(ImportReportDTO.self).outcome == RosterStore.Outcome(created: 0, updated: 0, unchanged: 3, accounts: 0))
            #expect(try await count() == before + 3)

            // A changed row is updated in place: a new name, and out of its class.
            let changed = Self.csv.replacingOccurrences(of: "2023010201,孙丽,CS,CS2301", with: "2023010201,孙丽华,CS,")
            let update = try await server.api(.POST, "/api/v1/imports/students?mode=commit", as: "office", raw: Data(changed.utf8))
            #expect(try update.decode(ImportReportDTO.self).outcome == RosterStore.Outcome(created: 0, updated: 1, unchanged: 2, accounts: 0))
            let sun = try #require(try await StudentModel.query(on: server.app.db).filter(\.$studentNumber == "2023010201").first())
            #expect(sun.name == "孙丽华" && sun.active && sun.updatedAt != nil)
            #expect(try await StudentCollectiveModel.query(on: server.app.db).filter(\.$student.$id == sun.id!).count() == 0)
            let ma = try #require(try await StudentModel.query(on: server.app.db).filter(\.$studentNumber == "2023010202").first())
            #expect(try await StudentCollectiveModel.query(on: server.app.db).filter(\.$student.$id == ma.id!).count() == 1, "the unchanged row keeps its class")
        }
    }

    @Test("bad rows block a commit but not a commit of the valid rows")
    func badRows() async throws {
        try await TestServer.with { server in
            let bad = Self.csv + "\n2023010203,,CS,CS2301\n2023010204,钱多,XX,CS2301\n"
            let before = try await StudentModel.query(on: server.app.db).count()
            let dry = try await server.api(.POST, "/api/v1/imports/students", as: "office", raw: Data(bad.utf8)).decode(ImportReportDTO.self)
            #expect(dry.errors.count >= 2)
            #expect(dry.errors.allSatisfy { $0.row != nil && !$0.messages.zh.isEmpty })
            #expect(dry.errors.contains { $0.row == 6 && $0.column == "姓名" })
            let refused = try await server.api(.POST, "/api/v1/imports/students?mode=commit", as: "office", raw: Data(bad.utf8))
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.errorCode == "import_has_errors")
            #expect(try await StudentModel.query(on: server.app.db).count() == before)
            let partial = try await server.api(.POST, "/api/v1/imports/students?mode=commit-valid", as: "office", raw: Data(bad.utf8))
            #expect(try partial.decode(ImportReportDTO.self).outcome?.created == 3)
        }
    }

    @Test("junk and images are refused quickly with a clear error")
    func junk() async throws {
        try await TestServer.with { server in
            var generator = SystemRandomNumberGenerator()
            let junk = Data((0..<(10 * 1024 * 1024)).map { _ in UInt8.random(in: 0...255, using: &generator) })
            let reply = try await server.api(.POST, "/api/v1/imports/students?mode=dry-run", as: "office", raw: junk)
            #expect(reply.status == .unprocessableEntity)
            #expect(reply.errorField == "file")
            let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 0, count: 64))
            #expect(try await server.api(.POST, "/api/v1/imports/units", as: "office", raw: png).status == .unprocessableEntity)
            let huge = Data(count: 21 * 1024 * 1024)
            #expect(try await server.api(.POST, "/api/v1/imports/units", as: "office", raw: huge).status == .payloadTooLarge)
            #expect(try await server.api(.POST, "/api/v1/imports/nothing", as: "office", raw: Data("a".utf8)).status == .notFound)
        }
    }

    @Test("exports re-import unchanged, as .xlsx and .csv")
    func exportRoundTrip() async throws {
        try await TestServer.with { server in
            for format in ["xlsx", "csv"] {
                let file = try await server.api(.GET, "/api/v1/exports/cadres?format=\(format)", as: "office")
                #expect(file.status == .ok)
                #expect(file.headers.first(name: .contentDisposition)?.contains("cadres.\(format)") == true)
                let reimport = try await server.api(.POST, "/api/v1/imports/cadres?mode=commit", as: "office", raw: file.data)
                #expect(try reimport.decode(ImportReportDTO.self).outcome == RosterStore.Outcome(created: 0, updated: 0, unchanged: 3, accounts: format == "xlsx" ? 2 : 0),
                        "\(format): \(reimport.body)")  // the first import gives T002 and T003 their accounts
            }
            let scoped = try await server.api(.GET, "/api/v1/exports/students?format=csv", as: "secretary")
            #expect(scoped.body.contains("2023010101"))
            #expect(!scoped.body.contains("2023020101"), "a secretary exports only their unit")
        }
    }

    @Test("units run in the university's own order: set by the API or the 排序 column, used by exports and pickers")
    func unitOrder() async throws {
        try await TestServer.with { server in
            let units = try await server.api(.GET, "/api/v1/units", as: "office").decode(ListPage<UnitDTO>.self).items
            let id = Dictionary(uniqueKeysWithValues: units.map { ($0.code, $0.id) })
            let bad = try await server.api(.PATCH, "/api/v1/units/\(id["CS"]!)", as: "office", json: ["sortOrder": -1])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.errorField == "sortOrder")
            for (code, order) in [("XGB", 1), ("ME", 2), ("CS", 3)] {
                #expect(try await server.api(.PATCH, "/api/v1/units/\(id[code]!)", as: "office", json: ["sortOrder": order]).status == .ok)
            }
            let export = try await server.api(.GET, "/api/v1/exports/units?format=csv", as: "office")
            let codes = export.body.split(whereSeparator: \.isNewline).dropFirst().map { String($0.prefix { $0 != "," }) }
            #expect(codes == ["XGB", "ME", "CS"], "\(export.body)")
            // The unit list (and its pages) too, not by code; a page of two is the first two.
            #expect(try await server.api(.GET, "/api/v1/units", as: "office").decode(ListPage<UnitDTO>.self).items.map(\.code) == ["XGB", "ME", "CS"])
            let first = try await server.api(.GET, "/api/v1/units?per=2", as: "office").decode(ListPage<UnitDTO>.self)
            #expect(first.items.map(\.code) == ["XGB", "ME"] && first.total == 3)
            #expect(export.body.hasPrefix("\u{FEFF}单位代码,单位名称,单位类型,排序") || export.body.hasPrefix("单位代码,单位名称,单位类型,排序"))
            // The re-import of the export changes nothing: the order travels with the file.
            let reimport = try await server.api(.POST, "/api/v1/imports/units?mode=commit", as: "office", raw: export.data)
            #expect(try reimport.decode(ImportReportDTO.self).outcome?.unchanged == 3, "\(reimport.body)")
            // A picker a person reads: the mailbox's departments and the filing page's units follow it.
            let browser = server.browser()
            try await browser.login("office")
            let filings = try await browser.get("/filings")
            let positions = ["党委学生工作部", "机械工程学院", "计算机学院"].compactMap { filings.body.range(of: ">\($0)<")?.lowerBound }
            #expect(positions.count == 3 && positions == positions.sorted(), "units in the university's order on the filing form")
        }
    }

    @Test("the web import shows the check and imports on confirmation")
    func webImport() async throws {
        try await TestServer.with { server in
            let browser = server.browser()
            try await browser.login("office")
            let form = try await browser.get("/import/students")
            let token = try #require(Browser.csrf(in: form.body))
            let boundary = "yixian-test-boundary"
            var body = Data()
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(token)\r\n".utf8))
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"students.csv\"\r\nContent-Type: text/csv\r\n\r\n".utf8))
            body.append(Data(Self.csv.utf8))
            body.append(Data("\r\n--\(boundary)--\r\n".utf8))
            var headers = HTTPHeaders()
            headers.add(name: .cookie, value: browser.cookieHeader)
            headers.add(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
            let upload = try await server.request(.POST, "/import/students", headers: headers, body: body)
            #expect(upload.status == .seeOther, "\(upload.body.prefix(500))")
            let jobPath = try #require(upload.headers.first(name: .location))
            let check = try await browser.get(jobPath)
            #expect(check.body.contains("确认导入"))
            _ = try await browser.post(jobPath + "/confirm", form: ["mode": "all"], tokenFrom: jobPath)
            var done = ""
            for _ in 0..<50 {
                done = try await browser.get(jobPath).body
                if done.contains("导入完成") { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(done.contains("新增 3 条"))
        }
    }
}
