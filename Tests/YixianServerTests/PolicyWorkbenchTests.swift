import Fluent
import Foundation
import Testing
import Vapor
import YixianCore
@testable import YixianServer

@Suite("Policy workbench: checked as typed, simulated on a term's ledger, adopted only on upload")
struct PolicyWorkbenchTests {
    static func policy(lectures: Int) -> String {
        """
        id: workbench-test
        title: 工作台测试
        roles:
          cadre: { label: 干部, rankAtLeast: deputy-section-chief }
        rules:
          - id: lecture
            title: 每学期讲思政课
            who: cadre
            count: { kinds: [ideological-lecture], per: term, atLeast: \(lectures) }
        """
    }

    @Test("raising the lecture quota to 2 turns the one cadre with one lecture worse; broken text is named by line; nothing is stored")
    func simulate() async throws {
        // 2026-02-10: the autumn term (ended 2026-01-18) is judged on its day after.
        let day = LocalDate("2026-02-10")!.startInstant().addingTimeInterval(10 * 3600)
        try await TestServer.with(adjust: { $0.clock = .fixed(day) }) { server in
            try await ComplianceTests.prepare(server)
            #expect(try await server.api(.POST, "/api/v1/policies", as: "office", json: ["text": Self.policy(lectures: 1), "effectiveFrom": "2025-09-01"]).status == .created)
            let office = server.browser()
            try await office.login("office")
            let page = try await office.get("/policies/workbench")
            #expect(page.status == .ok && page.body.contains("atLeast: 1") && page.body.contains("/assets/workbench.js"), "the text in force to start from")

            // Checked as typed: the script posts the text and shows line, column and reason.
            let token = try #require(Browser.csrf(in: page.body))
            var headers = HTTPHeaders()
            headers.add(name: .contentType, value: "application/json")
            headers.add(name: "X-CSRF-Token", value: token)
            let broken = Self.policy(lectures: 1).replacingOccurrences(of: "atLeast: 1", with: "atLeast: -1")
            let live = try await office.send(.POST, "/policies/workbench/check", headers: headers,
                                             body: try JSONSerialization.data(withJSONObject: ["text": broken]))
            let result = try JSONDecoder().decode(PolicyWorkbench.CheckResult.self, from: live.data)
            #expect(!result.ok && result.problems.first?.line == 9 && result.problems.first?.column == 64, "\(live.body)")
            let refused = try await office.post("/policies/workbench", form: ["text": broken, "period": "term:2025-2026-1"], tokenFrom: "/policies/workbench")
            #expect(refused.status == .unprocessableEntity && refused.body.contains("第 9 行第 64 列"))

            // T001 lectured once in the autumn term; T002 and T003 not at all.
            let simulated = try await office.post("/policies/workbench", form: ["text": Self.policy(lectures: 2), "period": "term:2025-2026-1"],
                                                  tokenFrom: "/policies/workbench")
            #expect(simulated.status == .ok)
            let cells = try await server.api(.GET, "/api/v1/compliance/cells?asOf=2026-01-19&per=200", as: "office").decode(ComplianceCellsDTO.self).cells
                .filter { $0.ruleID == "lecture" && $0.period.id == "2025-2026-1" }
            let met = cells.filter { $0.status == .met }.map(\.subject.id)
            #expect(met == ["T001"], "the version in force: \(cells.map { ($0.subject.id, $0.status) })")
            #expect(simulated.body.contains("1 个对象的结论会改变：变差 1 处，变好 0 处"), "\(simulated.body.prefix(4000))")
            #expect(simulated.body.contains("张伟（T001）") && simulated.body.contains("已完成 1/1") && simulated.body.contains("未完成 1/2"))
            #expect(try await PolicyVersionModel.query(on: server.app.db).count() == 1, "a simulation stores nothing")
            // Adopting is the ordinary upload, from the chosen date.
            let adopted = try await office.post("/policies", form: ["text": Self.policy(lectures: 2), "effectiveFrom": "2026-03-01"], tokenFrom: "/policies/workbench")
            #expect(adopted.status == .seeOther)
            #expect(try await PolicyVersionModel.query(on: server.app.db).count() == 2)
            let unknown = try await office.post("/policies/workbench", form: ["text": Self.policy(lectures: 2), "period": "term:1900-1901-1"], tokenFrom: "/policies/workbench")
            #expect(unknown.status == .unprocessableEntity && unknown.body.contains("学期不存在"))
        }
    }
}
