import Fluent
import Foundation
import Testing
import Vapor
import YixianCore
@testable import YixianServer

/// Records that can be trusted: confirmations only in a window, never more than took part,
/// asked again after a correction changes what happened; voided, never deleted.
@Suite("Ledger trust: confirmation window, counts and versions; voiding")
struct LedgerTrustTests {
    /// A second student of CS2301, so two can confirm a record.
    static func secondStudent(_ server: TestServer) async throws {
        try await server.app.db.write { db in
            _ = try await RosterStore.apply(students: [Student(studentNumber: "2023010102", name: "周敏", unitCode: "CS", collectiveCodes: ["CS2301"])], on: db)
        }
        try await Accounts.createUser(.init(username: "student2", displayName: "周敏", password: TestServer.password, role: .student,
                                            studentNumber: "2023010102"), cost: 4, pool: server.app.threadPool, by: .system, on: server.app.db)
    }

    @Test("a contact can be confirmed only within the window after it, and not by more students than took part")
    func window() async throws {
        try await TestServer.with { server in
            try await Self.secondStudent(server)
            // Twenty days ago, recorded with a reason: past the 14-day window.
            let old = try await server.api(.POST, "/api/v1/contacts", as: "cadre", json: LedgerTests.body(
                start: Date().addingTimeInterval(-20 * 86_400), end: Date().addingTimeInterval(-20 * 86_400 + 3600),
                extra: ["backdateReason": "出差回来补录"])).decode(ContactDTO.self)
            let late = try await server.api(.POST, "/api/v1/confirmations", as: "student", json: ["code": try #require(old.confirmCode)])
            #expect(late.status == .conflict && late.errorCode == "confirmation_closed", "\(late.body)")
            #expect(try await ContactConfirmationModel.query(on: server.app.db).count() == 0)

            // One person took part: the second confirmation is refused.
            let talk = try await server.api(.POST, "/api/v1/contacts", as: "cadre", json: LedgerTests.body(extra: ["participantCount": 1]))
                .decode(ContactDTO.self)
            let code = try #require(talk.confirmCode)
            #expect(try await server.api(.POST, "/api/v1/confirmations", as: "student", json: ["code": code]).status == .ok)
            let second = try await server.api(.POST, "/api/v1/confirmations", as: "student2", json: ["code": code])
            #expect(second.status == .conflict && second.errorCode == "confirmations_full", "\(second.body)")
            #expect(try await ContactRecordModel.find(talk.id, on: server.app.db)?.confirmedCount == 1)
        }
    }

    @Test("a configured window of 30 days lets a 20-day-old contact be confirmed")
    func configuredWindow() async throws {
        try await TestServer.with(adjust: { $0.confirmWindowDays = 30 }) { server in
            let old = try await server.api(.POST, "/api/v1/contacts", as: "cadre", json: LedgerTests.body(
                start: Date().addingTimeInterval(-20 * 86_400), end: Date().addingTimeInterval(-20 * 86_400 + 3600),
                extra: ["backdateReason": "出差回来补录"])).decode(ContactDTO.self)
            #expect(try await server.api(.POST, "/api/v1/confirmations", as: "student", json: ["code": try #require(old.confirmCode)]).status == .ok)
        }
    }

    @Test("a correction that changes what happened asks the students again; a typo fix in the summary does not")
    func versions() async throws {
        try await TestServer.with { server in
            // One start and end for every version: only what the correction names changes.
            let start = Date().addingTimeInterval(-7200), end = Date().addingTimeInterval(-3600)
            func body(_ extra: [String: Any] = [:]) -> [String: Any] { LedgerTests.body(start: start, end: end, extra: extra) }
            let dto = try await server.api(.POST, "/api/v1/contacts", as: "cadre", json: body()).decode(ContactDTO.self)
            let code = try #require(dto.confirmCode)
            #expect(try await server.api(.POST, "/api/v1/confirmations", as: "student", json: ["code": code]).status == .ok)

            let typo = try await server.api(.PATCH, "/api/v1/contacts/\(dto.id)", as: "cadre",
                                            json: body(["summary": "走访宿舍，了解学习和生活情况", "reason": "错别字"]))
            #expect(typo.status == .ok, "\(typo.body)")
            #expect(try typo.decode(ContactDTO.self).confirmations == 1, "the same contact, still confirmed")

            let moved = try await server.api(.PATCH, "/api/v1/contacts/\(dto.id)", as: "cadre",
                                             json: body(["place": "梅园5舍", "reason": "地点记错"]))
            #expect(try moved.decode(ContactDTO.self).confirmations == 0, "a different place needs confirming again")
            // The student confirms the new version; their earlier confirmation stays, shown as for the earlier version.
            #expect(try await server.api(.POST, "/api/v1/confirmations", as: "student", json: ["code": code]).status == .ok)
            #expect(try await server.api(.POST, "/api/v1/confirmations", as: "student", json: ["code": code]).status == .conflict)
            let rows = try await ContactConfirmationModel.query(on: server.app.db).all().map(\.recordVersion).sorted()
            #expect(rows == [1, 3])
            let page = server.browser()
            try await page.login("cadre")
            #expect(try await page.get("/ledger/\(dto.id)").body.contains("另有 1 人确认的是更正前的版本"))
        }
    }

    @Test("a voided record stays in the ledger with its reason, stops counting, and cannot be corrected or confirmed")
    func void() async throws {
        try await TestServer.with { server in
            let first = try await server.api(.POST, "/api/v1/contacts", as: "cadre", json: LedgerTests.body()).decode(ContactDTO.self)
            let double = try await server.api(.POST, "/api/v1/contacts", as: "cadre", json: LedgerTests.body()).decode(ContactDTO.self)
            let before = try await ContactRecordModel.query(on: server.app.db).count()

            let noReason = try await server.api(.POST, "/api/v1/contacts/\(double.id)/void", as: "cadre", json: ["reason": " "])
            #expect(noReason.status == .unprocessableEntity && noReason.errorField == "reason")
            // Another cadre, a secretary, a student: not theirs to void.
            for who in ["secretary", "student", "assessor"] {
                #expect(try await server.api(.POST, "/api/v1/contacts/\(double.id)/void", as: who, json: ["reason": "重复"]).status.code >= 403, "\(who)")
            }
            #expect(try await ContactRecordModel.find(double.id, on: server.app.db)?.status == "submitted")

            let voided = try await server.api(.POST, "/api/v1/contacts/\(double.id)/void", as: "cadre", json: ["reason": "重复提交"])
            #expect(voided.status == .ok, "\(voided.body)")
            #expect(try voided.decode(ContactDTO.self).status == "voided")
            #expect(try await ContactRecordModel.query(on: server.app.db).count() == before, "voided, not deleted")
            let again = try await server.api(.POST, "/api/v1/contacts/\(double.id)/void", as: "office", json: ["reason": "再次"])
            #expect(again.status == .conflict && again.errorCode == "voided_record")
            let correct = try await server.api(.PATCH, "/api/v1/contacts/\(double.id)", as: "cadre", json: LedgerTests.body(extra: ["reason": "改"]))
            #expect(correct.status == .conflict)
            let confirm = try await server.api(.POST, "/api/v1/confirmations", as: "student", json: ["code": try #require(double.confirmCode)])
            #expect(confirm.status == .conflict && confirm.errorCode == "voided_record")

            // The record page says so; the compliance engine sees it as voided.
            let page = server.browser()
            try await page.login("office")
            let html = try await page.get("/ledger/\(double.id)").body
            #expect(html.contains("本记录已作废") && html.contains("重复提交"))
            let contacts = try await StoredContact.load(organization: try await OrganizationFacts.load(on: server.app.db), on: server.app.db)
            #expect(contacts.first { $0.record.id == double.id.uuidString }?.record.status == .voided)
            #expect(contacts.first { $0.record.id == first.id.uuidString }?.record.status == .submitted)
            let audit = try await AuditEventModel.query(on: server.app.db).filter(\.$action == "contact.void").all()
            #expect(audit.count == 1 && audit[0].detail == "重复提交")
        }
    }

    @Test("more confirmations than participants is an integrity flag")
    func overConfirmedFlag() {
        let start = Date(timeIntervalSince1970: 1_760_000_000)
        let record = ContactRecord(id: "r1", cadreStaffNumber: "T001", kind: "talk", start: start, end: start.addingTimeInterval(3600),
                                   participantCount: 1, confirmedByStudents: 2)
        let flags = IntegrityDetector.cadreFlags([IntegrityInput(record: record, createdAt: start.addingTimeInterval(7200))], asOf: LocalDate(start))
        #expect(flags.map(\.kind) == [.overConfirmed])
        let fine = ContactRecord(id: "r2", cadreStaffNumber: "T001", kind: "talk", start: start, end: start.addingTimeInterval(3600),
                                 participantCount: 2, confirmedByStudents: 2)
        #expect(IntegrityDetector.cadreFlags([IntegrityInput(record: fine, createdAt: start.addingTimeInterval(7200))], asOf: LocalDate(start)).isEmpty)
    }
}
