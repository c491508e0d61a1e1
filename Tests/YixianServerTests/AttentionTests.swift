import Fluent
import Foundation
import Testing
import Vapor
import YixianCore
@testable import YixianServer

/// The office's one list of what is missed and at risk across units, instead of a page per unit.
@Suite("Missed and at-risk items, school-wide")
struct AttentionTests {
    @Test("the office sees every unit's missed items, filters them and exports them; a secretary only their unit's")
    func list() async throws {
        try await TestServer.with { server in
            try await ComplianceTests.prepare(server)
            #expect(try await server.api(.POST, "/api/v1/policies", as: "office", json: ["text": FilingTests.policy, "effectiveFrom": "2025-09-01"]).status == .created)
            let office = server.browser()
            try await office.login("office")
            // Neither college filed its plan by 2025-09-15: both are missed on 2025-12-01.
            let page = try await office.get("/compliance/attention?asOf=2025-12-01")
            #expect(page.status == .ok)
            #expect(page.body.contains("<td>计算机学院</td>") && page.body.contains("<td>机械工程学院</td>"), "every unit's")
            let onlyME = try await office.get("/compliance/attention?asOf=2025-12-01&unit=ME")
            #expect(onlyME.body.contains("<td>机械工程学院</td>") && !onlyME.body.contains("<td>计算机学院</td>"))
            let atRisk = try await office.get("/compliance/attention?asOf=2025-12-01&status=at-risk")
            #expect(atRisk.body.contains("共 0 项"), "the plans are missed, not at risk")
            #expect(try await office.get("/compliance/attention?status=met").status == .unprocessableEntity)

            let file = try await office.get("/compliance/attention?asOf=2025-12-01&format=xlsx")
            let sheet = try SpreadsheetFile.load(file.data).records
            #expect(sheet.first == ["状态", "单位", "对象", "要求", "期间", "应达", "已达", "说明"])
            #expect(sheet.dropFirst().contains { $0.contains("机械工程学院") && $0.first == "未完成" })

            let secretary = server.browser()
            try await secretary.login("secretary")
            let theirs = try await secretary.get("/compliance/attention?asOf=2025-12-01")
            #expect(theirs.body.contains("<td>计算机学院</td>") && !theirs.body.contains("机械工程学院"))
            let student = server.browser()
            try await student.login("student")
            #expect(try await student.get("/compliance/attention").status == .forbidden)
        }
    }
}
