import Fluent
import Foundation
import Testing
import Vapor
import YixianCore
@testable import YixianServer

/// Group quotas (POLICY-FORMAT §4.15) on the existing compliance API and pages.
@Suite("Group quotas on the compliance pages")
struct GroupQuotaPageTests {
    static let policy = """
        id: group-pages
        title: 群体要求
        roles:
          college-lead: { label: 学院领导, unitKind: [college] }
        rules:
          - id: college-lecture
            title: 学院领导合计每学期讲课
            who: { group: [college-lead], quota: total, by: unit }
            count: { kinds: [ideological-lecture], atLeast: 1, per: term }
            source: "学院领导班子每学期合计至少讲 1 堂思政课"
        """

    @Test("a unit's group cell comes through the API with its members, and its page lists the line that counted")
    func unitCell() async throws {
        try await TestServer.with { server in
            // T001 张伟 (CS) gave a lecture in 逸夫楼 201 on 2025-10-15; T002 李娜 is ME's only college cadre
            try await ComplianceTests.prepare(server)
            #expect(try await server.api(.POST, "/api/v1/policies", as: "office", json: ["text": Self.policy, "effectiveFrom": "2025-09-01"]).status == .created)
            let cells = try await server.api(.GET, "/api/v1/compliance/cells?asOf=2025-12-01", as: "office").decode(ComplianceCellsDTO.self).cells
                .filter { $0.ruleID == "college-lecture" && $0.period.id == "2025-2026-1" }
            // CS: 1 ≥ 1 met; ME: 0 of 1, 92 of 140 days gone: ⌊1 × 92/140⌋ = 0 due → on track
            let cs = try #require(cells.first { $0.subject.id == "CS" })
            #expect(cs.subject.kind == .unit && cs.members == ["T001"] && cs.status == .met && cs.achieved == 1)
            #expect(cells.first { $0.subject.id == "ME" }?.members == ["T002"])
            #expect(cells.first { $0.subject.id == "ME" }?.status == .onTrack)
            #expect(!cells.contains { $0.subject.kind == .cadre }, "no member has a cell of their own")
            let office = server.browser()
            try await office.login("office")
            let page = try await office.get("/compliance/cell?subject=CS&rule=college-lecture&period=2025-2026-1&asOf=2025-12-01")
            #expect(page.status == .ok)
            #expect(page.body.contains("逸夫楼 201"), "the lecture that counted is listed")
            #expect(page.body.contains("成员：张伟 1（合计 1）"), "the note says what each member did")
            #expect(try await office.get("/compliance/units/CS?asOf=2025-12-01").body.contains("学院领导合计每学期讲课"))
        }
    }
}
