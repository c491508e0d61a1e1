import Fluent
import Foundation
import Testing
import Vapor
import YixianCore
@testable import YixianServer

@Suite("Evidence, integrity and the pairing table over HTTP")
struct EvidenceAndPairingTests {
    /// A valid 1×1 PNG.
    static let png = Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")!

    static func multipart(_ fields: [(String, String)], files: [(String, String, Data)]) -> (String, Data) {
        let boundary = "yixian-\(UUID().uuidString)"
        var body = Data()
        for (name, value) in fields {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
        }
        for (name, filename, data) in files {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: image/jpeg\r\n\r\n".utf8))
            body.append(data)
            body.append(Data("\r\n".utf8))
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        return ("multipart/form-data; boundary=\(boundary)", body)
    }

    static func post(_ browser: Browser, files: [(String, String, Data)]) async throws -> TestServer.Reply {
        let form = try await browser.get("/ledger/new?kind=dorm-visit")
        let token = try #require(Browser.csrf(in: form.body))
        let now = Date()
        let (type, body) = multipart([("_csrf", token), ("kind", "dorm-visit"), ("start", LedgerPages.localInput(now.addingTimeInterval(-1800))),
                                      ("end", LedgerPages.localInput(now.addingTimeInterval(-60))), ("place", "梅园3舍"), ("collectiveCodes[]", "CS2301"),
                                      ("participantCount", "3"), ("action", "submit")], files: files)
        var headers = HTTPHeaders()
        headers.add(name: .cookie, value: browser.cookieHeader)
        headers.add(name: .contentType, value: type)
        return try await browser.server.request(.POST, "/ledger/new", headers: headers, body: body)
    }

    @Test("a PNG renamed .jpg with a script appended is stored as a clean PNG, served by hash-checked id")
    func sanitizedUpload() async throws {
        try await TestServer.with { server in
            let cadre = server.browser()
            try await cadre.login("cadre")
            let hostile = Self.png + Data("<script>alert(1)</script>".utf8)
            let reply = try await Self.post(cadre, files: [("photos[]", "photo.jpg", hostile), ("photos[]", "same.png", Self.png)])
            #expect(reply.status == .seeOther, "\(reply.body.prefix(400))")
            let attachments = try await AttachmentModel.query(on: server.app.db).all()
            #expect(attachments.count == 2)
            #expect(Set(attachments.map(\.kind)) == ["png"])
            #expect(Set(attachments.map(\.sha256)).count == 1, "both are the same picture once cleaned")
            let stored = try Data(contentsOf: server.app.evidenceStore.url(attachments[0].sha256))
            #expect(!String(decoding: stored, as: UTF8.self).contains("<script>"))
            let served = try await cadre.get("/attachments/\(attachments[0].id!)")
            #expect(served.status == .ok)
            #expect(served.headers.first(name: .contentType) == "image/png")
            #expect(served.headers.first(name: "X-Content-Type-Options") == "nosniff")
            #expect(try await server.browser().get("/attachments/\(attachments[0].id!)").status == .unauthorized)
            // Tampering with the stored file is caught on read.
            try Data("tampered".utf8).write(to: server.app.evidenceStore.url(attachments[0].sha256))
            #expect(try await cadre.get("/attachments/\(attachments[0].id!)").status == .internalServerError)
            // The same photo on two records is an integrity flag an assessor sees.
            _ = try await Self.post(cadre, files: [("photos[]", "again.png", Self.png)])
            let assessor = server.browser()
            try await assessor.login("assessor")
            let flags = try await assessor.get("/integrity?kind=duplicatePhoto")
            #expect(flags.status == .ok)
            #expect(flags.body.contains("/ledger/"))
            #expect(flags.body.contains(try await server.cadre("T001").name), "each flag names whose records they are")
            let beyond = try await assessor.get("/integrity?kind=duplicatePhoto&page=99")
            #expect(beyond.status == .ok)
            #expect(beyond.body.contains("/ledger/"), "a page past the end shows the last page")
            #expect(beyond.body.contains("第 1/1 页"))
            // The CS secretary sees the flag on a CS cadre's records; the scope filter keeps it.
            let secretary = server.browser()
            try await secretary.login("secretary")
            #expect(try await secretary.get("/integrity?kind=duplicatePhoto").body.contains("/ledger/"))
        }
    }

    @Test("photos can be added to a submitted record when it is corrected; earlier ones and the history stay")
    func photosAddedOnCorrection() async throws {
        try await TestServer.with { server in
            let cadre = server.browser()
            try await cadre.login("cadre")
            let created = try await Self.post(cadre, files: [])
            #expect(created.status == .seeOther)
            let record = try #require(try await ContactRecordModel.query(on: server.app.db).first())
            let editPath = "/ledger/\(record.id!)/edit"
            let form = try await cadre.get(editPath)
            #expect(form.body.contains("name=\"photos[]\""), "the correction form takes photos too")
            let token = try #require(Browser.csrf(in: form.body))
            let (type, body) = Self.multipart([("_csrf", token), ("kind", "dorm-visit"), ("start", LedgerPages.localInput(record.startAt)),
                                               ("end", LedgerPages.localInput(record.endAt)), ("place", "梅园3舍"), ("collectiveCodes[]", "CS2301"),
                                               ("participantCount", "3"), ("reason", "补充照片")], files: [("photos[]", "later.png", Self.png)])
            var headers = HTTPHeaders()
            headers.add(name: .cookie, value: cadre.cookieHeader)
            headers.add(name: .contentType, value: type)
            let corrected = try await server.request(.POST, editPath, headers: headers, body: body)
            #expect(corrected.status == .seeOther, "\(corrected.body.prefix(300))")
            #expect(try await AttachmentModel.query(on: server.app.db).filter(\.$record.$id == record.id!).count() == 1)
            #expect(try await ContactRecordVersionModel.query(on: server.app.db).filter(\.$record.$id == record.id!).count() == 1)
        }
    }

    @Test("a 50 MB file and a non-image are refused with a clear message; nothing is recorded")
    func refusedUploads() async throws {
        try await TestServer.with { server in
            let cadre = server.browser()
            try await cadre.login("cadre")
            // 50 MB never reaches the application: the body limit (40 MB for up to 9 photos) answers first.
            let huge = try await Self.post(cadre, files: [("photos[]", "huge.jpg", Data(count: 50 * 1024 * 1024))])
            #expect(huge.status == .payloadTooLarge)
            #expect(huge.body.contains("上传的内容过大"))
            // One file over the 10 MB per-file limit is named in the message.
            let big = try await Self.post(cadre, files: [("photos[]", "big.jpg", Data(count: 11 * 1024 * 1024))])
            #expect(big.status == .unprocessableEntity)
            #expect(big.body.contains("big.jpg"))
            let text = try await Self.post(cadre, files: [("photos[]", "x.jpg", Data("<html><script>alert(1)</script></html>".utf8))])
            #expect(text.status == .unprocessableEntity)
            let records = try await ContactRecordModel.query(on: server.app.db).count()
            let files = try await AttachmentModel.query(on: server.app.db).count()
            #expect(records == 0)
            #expect(files == 0)
        }
    }

    @Test("the pairing table exports, prints and re-imports idempotently")
    func pairingTable() async throws {
        try await TestServer.with { server in
            let year = AcademicYear(id: "2025-2026", name: "2025—2026学年", range: DateRange(start: LocalDate("2025-08-25")!, end: LocalDate("2026-08-23")!), terms: [])
            try await server.app.db.write { db in try await CalendarAPI.save([year], on: db) }
            let created = try await server.api(.POST, "/api/v1/pairings?year=2025-2026", as: "office", json: ["staffNumber": "T001", "collectiveCode": "CS2301"])
            #expect(created.status == .created, "\(created.body)")
            #expect(try await server.api(.POST, "/api/v1/pairings?year=2025-2026", as: "office", json: ["staffNumber": "T001"]).errorField == "collectiveCode")
            let office = server.browser()
            try await office.login("office")
            let table = try await office.get("/pairings?year=2025-2026")
            #expect(table.body.contains("计算机2301班"))
            let print = try await office.get("/pairings/print?year=2025-2026")
            #expect(print.body.contains("doc-title"))
            let xlsx = try await office.get("/pairings/table.xlsx?year=2025-2026")
            #expect(xlsx.data.starts(with: [0x50, 0x4B]))
            let records = try XLSXReader.readRecords(from: xlsx.data)
            // A title row, the header, and every cadre: T001 linked, T002 and T003 with the cell left empty.
            #expect(records.count == 5)
            #expect(records[0].first?.contains("结对表") == true)
            #expect(records[2].first == "1" && records[2].count > 2 && records[2][2] == "张伟")
            #expect(records[3].count < 5 || records[3][4].isEmpty, "an unlinked cadre's cell is left empty")
            // Importing the exported table creates nothing new.
            let parsed = PairingTable.parse(records: records, units: [Unit(code: "CS", name: "计算机学院", kind: .college)],
                                            cadres: [Cadre(staffNumber: "T001", name: "张伟", unitCode: "CS", posts: [], rank: .deputyDirector, partyMember: true)],
                                            collectives: [Collective(code: "CS2301", name: "计算机2301班", kind: .class, unitCode: "CS", grade: 2023, size: 30)])
            #expect(parsed.links.count == 1)
            let report = try await PairingPages.importTable(xlsx.data, validOnly: false, actor: .system, today: LocalDate(server.app.now), on: server.app.db)
            #expect(report.issues.isEmpty)
            #expect(report.created == 0)
            #expect(report.unchanged == 1)
            let secretary = try await server.api(.GET, "/api/v1/pairings?year=2025-2026", as: "secretary").decode([PairingDTO].self)
            #expect(secretary.count == 1)
            #expect(try await server.api(.POST, "/api/v1/pairings", as: "secretary", json: ["staffNumber": "T001", "collectiveCode": "CS2301"]).status == .forbidden)
        }
    }
}
