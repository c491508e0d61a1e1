import Fluent
import Foundation
import Testing
import Vapor
import YixianCore
@testable import YixianServer

/// The case clocks read the policy's response tiers (issue 10 item 5; POLICY-FORMAT §4.17): hours from the time
/// a case came in, a 督办 stage, a tier that needs no answer.
@Suite("Case clocks read the tiers")
struct CaseTierTests {
    static let policy = """
        id: tiers
        title: 分级响应
        rules:
          - id: answer-cases
            who: { units: any }
            response:
              tiers:
                praise: { label: 表扬与建议, answer: none }
                urgent: { label: 紧急诉求, unit: hours, firstResponse: 2, answer: 24 }
                ordinary: { label: 一般诉求, firstResponse: 2, answer: 5, escalation: { after: 2, answer: 3 } }
        """

    @Test("an urgent case entered Friday 17:00 is due Saturday 17:00; a case of the first tier needs no answer and never escalates")
    func hoursAndNoAnswer() async throws {
        // Friday 2025-11-14, 17:00 China time
        let friday = LocalDate("2025-11-14")!.startInstant().addingTimeInterval(17 * 3600)
        try await TestServer.with(adjust: { $0.clock = .fixed(friday) }) { server in
            try await ComplianceTests.prepare(server)
            #expect(try await server.api(.POST, "/api/v1/policies", as: "office", json: ["text": Self.policy, "effectiveFrom": "2025-09-01"]).status == .created)
            let urgent = try await server.api(.POST, "/api/v1/cases", as: "office", json: ["text": "宿舍停水", "unitCode": "CS", "urgent": true])
            #expect(urgent.status == .created, "\(urgent.body)")
            let item = try urgent.decode(CaseDTO.self)
            // 17:00 + 2 h = 19:00 the same day; 17:00 + 24 h = Saturday 17:00
            #expect(item.tier == "urgent" && item.firstResponseDue == "2025-11-14 19:00" && item.answerDue == "2025-11-15 17:00", "\(item)")
            #expect(item.noAnswerNeeded == nil && item.escalationDue == nil)
            // not urgent: the first tier, 表扬与建议 — nothing due
            let praise = try await server.api(.POST, "/api/v1/cases", as: "office", json: ["text": "感谢食堂改进", "unitCode": "CS"]).decode(CaseDTO.self)
            #expect(praise.tier == "praise" && praise.noAnswerNeeded == true && praise.answerDue == "" && praise.escalation == "none")
            let page = server.browser()
            try await page.login("office")
            #expect(try await page.get("/cases/\(praise.id)").body.contains("无需答复"))
        }
    }

    @Test("督办 on the tier's own day: two workdays past the answer deadline, then three more to answer")
    func escalationStage() async throws {
        // the same tiers without the praise tier: a case that is not urgent takes the first, ordinary
        let policy = Self.policy.replacingOccurrences(of: "        praise: { label: 表扬与建议, answer: none }\n", with: "")
            .replacingOccurrences(of: "        urgent: { label: 紧急诉求, unit: hours, firstResponse: 2, answer: 24 }\n", with: "")
        // received Mon 11-03: answer due Mon 11-10 (5 workdays); notice 11-12; then 11-17
        let day = LocalDate("2025-11-03")!.startInstant().addingTimeInterval(10 * 3600)
        try await TestServer.with(adjust: { $0.clock = .fixed(day) }) { server in
            try await ComplianceTests.prepare(server)
            let stored = try await server.api(.POST, "/api/v1/policies", as: "office", json: ["text": policy, "effectiveFrom": "2025-09-01"])
            #expect(stored.status == .created, "\(stored.body)")
            let item = try await server.api(.POST, "/api/v1/cases", as: "office", json: ["text": "实验室空调", "unitCode": "CS"]).decode(CaseDTO.self)
            #expect(item.tier == "ordinary" && item.answerDue == "2025-11-10" && item.escalationDue == "2025-11-12" && item.escalatedAnswerDue == "2025-11-17", "\(item)")
        }
    }
}
