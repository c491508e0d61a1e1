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
            #expect(try await server.api(.POST, "/api/v1/filings", as: "cadre", json: [:]).status == .forbidden)
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
}
