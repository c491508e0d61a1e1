import Fluent
import Foundation
import Testing
import Vapor
import YixianCore
@testable import YixianServer

/// 督查: an assessor decides each integrity flag; a confirmed one stops its records counting.
@Suite("Integrity verdicts")
struct IntegrityVerdictTests {
    @Test("dismissed leaves the list with its reason; confirmed marks the records and they stop counting; a secretary cannot decide")
    func decide() async throws {
        try await TestServer.with { server in
            // Two pairs of overlapping records: two overlap flags.
            for daysAgo in [1.0, 3.0] {
                let start = Date().addingTimeInterval(-daysAgo * 86_400)
                for place in ["梅园3舍", "梅园5舍"] {
                    let reply = try await server.api(.POST, "/api/v1/contacts", as: "cadre", json: LedgerTests.body(
                        start: start, end: start.addingTimeInterval(3600), extra: ["place": place]))
                    #expect(reply.status == .created)
                }
            }
            let assessor = server.browser()
            try await assessor.login("assessor")
            let page = try await assessor.get("/integrity?kind=overlap")
            let ids = page.body.matches(of: /name="flagId" value="([^"]+)"/).map { String($0.1) }
            #expect(ids.count == 2, "\(ids)")
            let first = try #require(ids.first), second = try #require(ids.last)

            let noReason = try await server.api(.POST, "/api/v1/integrity/verdicts", as: "assessor", json: ["flagId": first, "verdict": "dismissed"])
            #expect(noReason.status == .unprocessableEntity && noReason.errorField == "reason")
            #expect(try await server.api(.POST, "/api/v1/integrity/verdicts", as: "assessor",
                                         json: ["flagId": "overlap:nothing", "verdict": "dismissed", "reason": "x"]).status == .notFound)
            #expect(try await server.api(.POST, "/api/v1/integrity/verdicts", as: "secretary",
                                         json: ["flagId": first, "verdict": "dismissed", "reason": "x"]).status == .forbidden)

            let dismissed = try await assessor.post("/integrity/verdict", form: ["flagId": first, "verdict": "dismissed", "reason": "两处宿舍相邻，先后走访"],
                                                    tokenFrom: "/integrity")
            #expect(dismissed.status == .seeOther)
            // The page was drawn once for this snapshot; a verdict alone (no record changed) still shows on the next view.
            let afterDismissal = try await assessor.get("/integrity?kind=overlap")
            #expect(!afterDismissal.body.contains(first) && afterDismissal.body.contains(second), "the dismissed flag left the list")
            #expect(try await server.api(.POST, "/api/v1/integrity/verdicts", as: "office",
                                         json: ["flagId": first, "verdict": "confirmed", "reason": "x"]).status == .conflict, "decided once")
            let confirmed = try await server.api(.POST, "/api/v1/integrity/verdicts", as: "office",
                                                 json: ["flagId": second, "verdict": "confirmed", "reason": "同一时间不可能在两处"])
            #expect(confirmed.status == .created, "\(confirmed.body)")

            let open = try await assessor.get("/integrity?kind=overlap")
            #expect(!open.body.contains(first) && !open.body.contains(second), "nothing left to check")
            #expect(try await assessor.get("/integrity?verdict=dismissed").body.contains("两处宿舍相邻"))
            let recordIDs = Set(second.split(separator: ":")[1].split(separator: ",").map(String.init))
            let records = try await ContactRecordModel.query(on: server.app.db).all()
            #expect(records.filter { recordIDs.contains($0.id!.uuidString) }.allSatisfy { $0.status == "flagged" })
            #expect(records.filter { !recordIDs.contains($0.id!.uuidString) }.allSatisfy { $0.status == "submitted" }, "dismissed ones still count")
            let audit = try await AuditEventModel.query(on: server.app.db).all().map(\.action)
            #expect(audit.contains("integrity.dismissed") && audit.contains("integrity.confirmed"))
        }
    }

    @Test("a confirmed finding changes the cadre's cell: the record's page shows what it counted toward, then that it no longer counts")
    func confirmedChangesTheCell() async throws {
        let day = LocalDate("2025-12-10")!.startInstant().addingTimeInterval(12 * 3600)
        try await TestServer.with(adjust: { $0.clock = .fixed(day) }) { server in
            try await ComplianceTests.prepare(server)
            let policy = """
                id: verdict-test
                title: 认定测试
                roles:
                  cadre: { label: 干部, rankAtLeast: deputy-section-chief }
                rules:
                  - id: dorm
                    title: 每学期走访宿舍
                    who: cadre
                    count: { kinds: [dorm-visit], per: term, atLeast: 4 }
                """
            #expect(try await server.api(.POST, "/api/v1/policies", as: "office", json: ["text": policy, "effectiveFrom": "2025-09-01"]).status == .created)
            var ids: [String] = []
            for daysAgo in [1.0, 3.0] {
                let start = day.addingTimeInterval(-daysAgo * 86_400)
                for place in ["梅园3舍", "梅园5舍"] {
                    let reply = try await server.api(.POST, "/api/v1/contacts", as: "cadre", json: LedgerTests.body(
                        start: start, end: start.addingTimeInterval(3600), extra: ["place": place]))
                    #expect(reply.status == .created, "\(reply.body)")
                    ids.append(try reply.decode(ContactDTO.self).id.uuidString)
                }
            }
            let assessor = server.browser()
            try await assessor.login("assessor")
            let before = try await assessor.get("/ledger/\(ids[0])")
            #expect(before.body.contains("计入的工作要求") && before.body.contains("每学期走访宿舍"))
            #expect(before.body.contains("4 / 4") && !before.body.contains("不计入"), "four visits met the term's four")
            let flags = try await assessor.get("/integrity?kind=overlap").body.matches(of: /name="flagId" value="([^"]+)"/).map { String($0.1) }
            let flag = try #require(flags.first { $0.contains(ids[0]) }, "\(flags)")
            let confirmed = try await assessor.post("/integrity/verdict", form: ["flagId": flag, "verdict": "confirmed", "reason": "同一时间不可能在两处"],
                                                    tokenFrom: "/integrity")
            #expect(confirmed.status == .seeOther)
            let after = try await assessor.get("/ledger/\(ids[0])")
            #expect(after.body.contains("2 / 4"), "the two confirmed records left the count")
            #expect(after.body.contains("不计入："), "the record says it no longer counts")
            let cells = try await server.api(.GET, "/api/v1/compliance/cells?per=200", as: "office").decode(ComplianceCellsDTO.self).cells
            let cell = try #require(cells.first { $0.subject.id == "T001" && $0.ruleID == "dorm" })
            #expect(cell.achieved == 2 && !cell.counted.contains(ids[0]) && cell.excluded.contains { $0.id == ids[0] })
        }
    }
}
