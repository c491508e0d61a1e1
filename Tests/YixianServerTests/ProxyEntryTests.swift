import Fluent
import Foundation
import Testing
import Vapor
import YixianCore
@testable import YixianServer

/// 代录: a secretary records on a cadre's behalf; the record says who entered it; the cadre sees and
/// can correct it; another unit's cadre is out of reach.
@Suite("Proxy entry (代录)")
struct ProxyEntryTests {
    @Test("the CS secretary records for T001 on the page; the record names them; T001 corrects it; ME's cadre is not found")
    func secretaryRecords() async throws {
        try await TestServer.with { server in
            let t001 = try await server.cadre("T001")
            let t002 = try await server.cadre("T002")
            let secretary = server.browser()
            try await secretary.login("secretary")
            let picker = try await secretary.get("/ledger/new")
            #expect(picker.status == .ok && picker.body.contains("张伟") && !picker.body.contains("李娜"), "only their unit's cadres")
            let formPage = try await secretary.get("/ledger/new?cadre=\(t001.id!)")
            #expect(formPage.body.contains("代录：为 张伟"))
            #expect(try await secretary.get("/ledger/new?cadre=\(t002.id!)").status == .notFound)

            let start = Date().addingTimeInterval(-7200)
            let form: [String: String] = ["forCadre": t001.id!.uuidString, "kind": "dorm-visit",
                                          "start": LedgerPages.localInput(start), "end": LedgerPages.localInput(start.addingTimeInterval(3600)),
                                          "place": "梅园3舍", "collectiveCodes[]": "CS2301", "participantCount": "5", "summary": "校领导走访宿舍"]
            let saved = try await secretary.post("/ledger/new", form: form, tokenFrom: "/ledger/new?cadre=\(t001.id!)")
            #expect(saved.status == .seeOther, "\(saved.status) \(saved.body.prefix(300))")
            let record = try #require(try await ContactRecordModel.query(on: server.app.db).first())
            let secretaryAccount = try await server.user("secretary")
            #expect(record.$cadre.id == t001.id && record.createdBy == secretaryAccount.id)
            let audit = try await AuditEventModel.query(on: server.app.db).filter(\.$action == "contact.create").all()
            #expect(audit.contains { $0.detail.contains("代录 for T001") })

            // The cadre sees it, named as entered by the secretary, and corrects it.
            let cadre = server.browser()
            try await cadre.login("cadre")
            #expect(try await cadre.get("/ledger/\(record.id!)").body.contains("由 secretary 代录"))
            let corrected = try await server.api(.PATCH, "/api/v1/contacts/\(record.id!)", as: "cadre",
                                                 json: LedgerTests.body(start: start, end: start.addingTimeInterval(3600), extra: ["participantCount": 6, "reason": "人次有误"]))
            #expect(corrected.status == .ok)

            // The API: the secretary names the cadre; another unit's cadre or none is refused.
            let other = try await server.api(.POST, "/api/v1/contacts", as: "secretary", json: LedgerTests.body(extra: ["cadreId": t002.id!.uuidString]))
            #expect(other.status == .notFound)
            let none = try await server.api(.POST, "/api/v1/contacts", as: "secretary", json: LedgerTests.body())
            #expect(none.status == .unprocessableEntity && none.errorField == "cadreId")
            #expect(try await server.api(.POST, "/api/v1/contacts", as: "assessor", json: LedgerTests.body(extra: ["cadreId": t001.id!.uuidString])).status == .forbidden)
            #expect(try await ContactRecordModel.query(on: server.app.db).count() == 1)
        }
    }
}
