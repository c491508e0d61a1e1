import Fluent
import Foundation
import Testing
import Vapor
import YixianCore
@testable import YixianServer

/// Filings by one cadre and weekly filings over HTTP (issue 10 item 5; POLICY-FORMAT §4.16; migration 42).
@Suite("Filings by a cadre, weekly filings")
struct FilingByCadreTests {
    static let policy = """
        id: personal
        title: 个人报送
        roles:
          college-deputy: { unitKind: [college], rank: [deputy-director] }
        rules:
          - id: report
            who: college-deputy
            filing: { kind: leader-contact-report, per: term }
        """

    @Test("a cadre files their own report and it meets their cell; another's, an unknown or no staff number is refused, nothing stored")
    func cadreFilesOwn() async throws {
        try await TestServer.with { server in
            try await ComplianceTests.prepare(server)
            #expect(try await server.api(.POST, "/api/v1/policies", as: "office", json: ["text": Self.policy, "effectiveFrom": "2025-09-01"]).status == .created)
            let base = ["kind": "leader-contact-report", "termCode": "2025-2026-1", "submittedOn": "2025-10-20"]
            // the test account `cadre` is T001 张伟 of CS; T002 is of ME
            for (staff, reason) in [("T002", "不能代他人报送"), ("X999", "没有工号为「X999」的干部"), ("", "请填写本人工号")] {
                let refused = try await server.api(.POST, "/api/v1/filings", as: "cadre", json: base.merging(["cadreStaffNumber": staff]) { $1 })
                #expect(refused.status == .unprocessableEntity && refused.errorField == "cadreStaffNumber", "\(refused.body)")
                #expect(refused.body.contains(reason), "\(refused.body)")
            }
            let other = try await server.api(.POST, "/api/v1/filings", as: "office", json: base.merging(["unitCode": "CS", "cadreStaffNumber": "T002"]) { $1 })
            #expect(other.errorField == "cadreStaffNumber" && other.body.contains("不属于"), "\(other.body)")
            #expect(try await FilingModel.query(on: server.app.db).count() == 0)

            let own = try await server.api(.POST, "/api/v1/filings", as: "cadre", json: base.merging(["cadreStaffNumber": "T001"]) { $1 })
            #expect(own.status == .created, "\(own.body)")
            let dto = try own.decode(FilingDTO.self)
            #expect(dto.cadreStaffNumber == "T001" && dto.unitCode == "CS")
            #expect(try await server.api(.GET, "/api/v1/filings", as: "cadre").decode([FilingDTO].self).map(\.id) == [dto.id])
            // the facts carry the staff number to the engine: T001's cell is met (10-20 ≤ the term's end 01-18), T002 is not bound
            let cells = try await server.api(.GET, "/api/v1/compliance/cells?asOf=2025-12-01", as: "office").decode(ComplianceCellsDTO.self).cells
            #expect(cells.first { $0.subject.id == "T001" && $0.ruleID == "report" && $0.period.id == "2025-2026-1" }?.status == .met)
            #expect(!cells.contains { $0.subject.id == "T002" && $0.ruleID == "report" })
        }
    }

    @Test("a weekly filing names its ISO week; a week that does not exist is refused with the field")
    func weeklyPeriod() async throws {
        try await TestServer.with { server in
            try await ComplianceTests.prepare(server)
            let base = ["unitCode": "CS", "kind": "analysis-meeting", "termCode": "2025-2026-1", "submittedOn": "2025-10-20"]
            let bad = try await server.api(.POST, "/api/v1/filings", as: "office", json: base.merging(["period": "2025-W99"]) { $1 })
            #expect(bad.status == .unprocessableEntity && bad.errorField == "period" && bad.body.contains("YYYY-Www"), "\(bad.body)")
            #expect(try await FilingModel.query(on: server.app.db).count() == 0)
            let good = try await server.api(.POST, "/api/v1/filings", as: "office", json: base.merging(["period": "2025-W43"]) { $1 })
            #expect(good.status == .created, "\(good.body)")
            #expect(try good.decode(FilingDTO.self).period == "2025-W43")
        }
    }
}
