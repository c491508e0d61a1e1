import Fluent
import Foundation
import Testing
import Vapor
import YixianCore
@testable import YixianServer

@Suite("Filings over HTTP")
struct FilingTests {
    static let policy = """
        id: filing-test
        title: 报送测试
        rules:
          - id: plan
            who: { units: { kind: [college] } }
            filing: { kind: arrangement-plan, per: term, deadline: "term-start +14d" }
        """

    @Test("a secretary files the unit's plan on the page; the filing rule is met; bad input changes nothing")
    func secretaryFiles() async throws {
        try await TestServer.with { server in
            try await ComplianceTests.prepare(server)
            #expect(try await server.api(.POST, "/api/v1/policies", as: "office", json: ["text": Self.policy, "effectiveFrom": "2025-09-01"]).status == .created)
            let secretary = server.browser()
            try await secretary.login("secretary")
            let form = try await secretary.get("/filings")
            #expect(form.status == .ok)
            #expect(form.body.contains("工作安排"))
            #expect(!form.body.contains("name=\"unitCode\""), "a secretary files for their own unit only")

            let bad = try await secretary.post("/filings", form: ["kind": "nonsense", "termCode": "2025-2026-1", "period": "2025-13",
                                                                  "submittedOn": "2999-01-01"], tokenFrom: "/filings")
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.contains(#"data-status="422""#), "the page says the same status the response does")
            for reason in ["请选择报送内容", "所属月份应为学期内的 YYYY-MM", "报送日期不能晚于今天"] { #expect(bad.body.contains(reason), "\(reason)") }
            #expect(bad.body.contains("2025-13"), "the typed month is kept")
            #expect(try await FilingModel.query(on: server.app.db).count() == 0)

            let done = try await secretary.post("/filings", form: ["unitCode": "ME", "kind": "arrangement-plan", "termCode": "2025-2026-1",
                                                                   "submittedOn": "2025-09-10"], tokenFrom: "/filings")
            #expect(done.status == .seeOther)
            #expect(try await secretary.get(try #require(done.headers.first(name: .location))).body.contains("已记录报送"))
            let stored = try #require(try await FilingModel.query(on: server.app.db).with(\.$unit).first())
            #expect(stored.unit.code == "CS", "the secretary's own unit, whatever the form said")
            let cells = try await server.api(.GET, "/api/v1/compliance/cells?asOf=2025-12-01", as: "office").decode(ComplianceCellsDTO.self).cells
            #expect(cells.first { $0.subject.id == "CS" && $0.ruleID == "plan" }?.status == .met)
            #expect(cells.first { $0.subject.id == "ME" && $0.ruleID == "plan" }?.status == .missed)
        }
    }

    @Test("the API files for a named unit as the business admin and refuses cadres and students")
    func api() async throws {
        try await TestServer.with { server in
            try await ComplianceTests.prepare(server)
            let created = try await server.api(.POST, "/api/v1/filings", as: "office",
                                               json: ["unitCode": "ME", "kind": "semester-summary", "termCode": "2025-2026-1", "submittedOn": "2026-01-10"])
            #expect(created.status == .created, "\(created.body)")
            #expect(try created.decode(FilingDTO.self).unitCode == "ME")
            #expect(try await server.api(.POST, "/api/v1/filings", as: "office", json: ["kind": "semester-summary", "termCode": "2025-2026-1",
                                                                                        "submittedOn": "2026-01-10"]).errorField == "unitCode")
            // a cadre files only their own report (§4.16): with no staff number it is refused by field, not by role
            #expect(try await server.api(.POST, "/api/v1/filings", as: "cadre", json: [:]).status == .unprocessableEntity)
            #expect(try await server.api(.GET, "/api/v1/filings", as: "student").status == .forbidden)
            let mine = try await server.api(.GET, "/api/v1/filings", as: "secretary").decode([FilingDTO].self)
            #expect(mine.isEmpty, "the CS secretary does not see the ME filing")
            #expect(try await server.api(.GET, "/api/v1/filings", as: "office").decode([FilingDTO].self).count == 1)
        }
    }

    @Test("filings that hold: no term not yet begun, no school-level kind from a college, a second filing corrects the first with a reason")
    func filingsHold() async throws {
        // The day is 2025-11-20: the spring term has not begun.
        let day = LocalDate("2025-11-20")!.startInstant().addingTimeInterval(10 * 3600)
        try await TestServer.with(adjust: { $0.clock = .fixed(day) }) { server in
            try await ComplianceTests.prepare(server)
            let early = try await server.api(.POST, "/api/v1/filings", as: "secretary",
                                             json: ["kind": "semester-summary", "termCode": "2025-2026-2", "submittedOn": "2025-11-20"])
            #expect(early.status == .unprocessableEntity && early.errorField == "termCode", "\(early.body)")
            #expect(early.body.contains("尚未开始"))
            let school = try await server.api(.POST, "/api/v1/filings", as: "secretary",
                                              json: ["kind": "leader-contact-report", "termCode": "2025-2026-1", "submittedOn": "2025-11-20"])
            #expect(school.status == .unprocessableEntity && school.errorField == "kind")
            #expect(try await FilingModel.query(on: server.app.db).count() == 0)
            // The office files the school's report for a unit of its choice.
            #expect(try await server.api(.POST, "/api/v1/filings", as: "office", json: ["unitCode": "XGB", "kind": "leader-contact-report",
                                                                                        "termCode": "2025-2026-1", "submittedOn": "2025-11-20"]).status == .created)

            let first = try await server.api(.POST, "/api/v1/filings", as: "secretary",
                                             json: ["kind": "arrangement-plan", "termCode": "2025-2026-1", "submittedOn": "2025-09-20"])
            #expect(first.status == .created)
            let double = try await server.api(.POST, "/api/v1/filings", as: "secretary",
                                              json: ["kind": "arrangement-plan", "termCode": "2025-2026-1", "submittedOn": "2025-09-20"])
            #expect(double.status == .unprocessableEntity && double.errorField == "reason", "a double post is refused, not stored twice: \(double.status) \(double.body)")
            let corrected = try await server.api(.POST, "/api/v1/filings", as: "secretary",
                                                 json: ["kind": "arrangement-plan", "termCode": "2025-2026-1", "submittedOn": "2025-09-12",
                                                        "reason": "日期录错，实际 9 月 12 日已报送"])
            #expect(corrected.status == .created)
            let plans = try await FilingModel.query(on: server.app.db).filter(\.$kind == "arrangement-plan").all()
            #expect(plans.count == 1 && plans[0].submittedOn == "2025-09-12")
            let history = try await FilingVersionModel.query(on: server.app.db).all()
            #expect(history.count == 1 && history[0].submittedOn == "2025-09-20" && history[0].reason.contains("日期录错"))
        }
    }

    @Test("a filing carries its stamped document: PDF or scan, checked, downloadable in scope, refused when it is not one")
    func attachments() async throws {
        try await TestServer.with { server in
            try await ComplianceTests.prepare(server)
            let secretary = server.browser()
            try await secretary.login("secretary")
            func post(_ files: [(String, String, Data)], submittedOn: String = "2025-09-10", reason: String? = nil) async throws -> TestServer.Reply {
                let form = try await secretary.get("/filings")
                #expect(form.body.contains("enctype=\"multipart/form-data\""))
                let token = try #require(Browser.csrf(in: form.body))
                var fields = [("_csrf", token), ("kind", "arrangement-plan"), ("termCode", "2025-2026-1"), ("submittedOn", submittedOn)]
                if let reason { fields.append(("reason", reason)) }
                let (type, body) = EvidenceAndPairingTests.multipart(fields, files: files)
                var headers = HTTPHeaders()
                headers.add(name: .contentType, value: type)
                return try await secretary.send(.POST, "/filings", headers: headers, body: body)
            }
            let pdf = Data("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n".utf8)
            // A file that is not a PDF or an image is refused, with the filing: nothing stored.
            let refused = try await post([("files[]", "计划.docx", Data("PK\u{03}\u{04}not really".utf8))])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.contains("计划.docx"))
            #expect(try await FilingModel.query(on: server.app.db).count() == 0)
            #expect(try await FilingAttachmentModel.query(on: server.app.db).count() == 0)

            let done = try await post([("files[]", "工作安排（盖章）.pdf", pdf), ("files[]", "签字页.png", EvidenceAndPairingTests.png)])
            #expect(done.status == .seeOther, "\(done.body.prefix(500))")
            let page = try await secretary.get("/filings")
            #expect(page.body.contains("工作安排（盖章）.pdf") && page.body.contains("签字页.png"))
            let files = try await FilingAttachmentModel.query(on: server.app.db).sort(\.$originalName).all()
            #expect(files.map(\.kind).sorted() == ["pdf", "png"])
            let pdfFile = try #require(files.first { $0.kind == "pdf" })
            let download = try await secretary.get("/filings/attachments/\(pdfFile.id!)")
            #expect(download.status == .ok)
            #expect(download.data == pdf)
            #expect(download.headers.first(name: .contentDisposition)?.hasPrefix("attachment;") == true, "a PDF is downloaded, never rendered")
            // Another unit's secretary does not learn it exists; the office reads it.
            let other = try await server.api(.GET, "/filings/attachments/\(pdfFile.id!)", as: "office")
            #expect(other.status == .ok)
            try await server.app.db.write { db in
                let me = try await UnitModel.query(on: db).filter(\.$code == "ME").first()!
                let filing = try await FilingModel.query(on: db).first()!
                filing.$unit.id = me.id!
                try await filing.save(on: db)
            }
            #expect(try await secretary.get("/filings/attachments/\(pdfFile.id!)").status == .notFound)
            // The API lists the files with the filing.
            let listed = try await server.api(.GET, "/api/v1/filings", as: "office").decode([FilingDTO].self)
            #expect(listed.first?.attachments.count == 2)
        }
    }
}
