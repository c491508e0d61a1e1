import Foundation
import Testing
@testable import YixianCore

/// Response tiers (issue 10 item 5; POLICY-FORMAT §4.17): a unit per tier (hours, workdays, days), a 督办 stage,
/// and a tier that needs no answer. Deadlines worked out by hand on the PRC calendar of 2025: 国庆 and 中秋
/// 10-01 … 10-08 off, Sun 09-28 and Sat 10-11 worked (调休); 2025-11-14 is a Friday.
@Suite("Response tiers: hours, workdays, days, escalation, no answer")
struct ResponseTierTests {
    static let rule = """
          - id: resp
            who: { units: { codes: [CS] } }
            response:
              days: workdays
              tiers:
                ordinary: { label: 一般诉求, firstResponse: 2, answer: 5, escalation: { after: 2, answer: 3 } }
                urgent:   { label: 紧急诉求, unit: hours, firstResponse: 2, answer: 24 }
                long:     { label: 复杂诉求, unit: days, answer: 5 }
                praise:   { label: 表扬与建议, answer: none }
        """

    static func tier(_ name: String) throws -> ResponseRule.Tier {
        let policy = try PolicyLoader.load(ComplianceFixture.policy(rules: rule))
        guard case .response(let body) = try #require(policy.rules.first).body else { throw CancellationError() }
        return try #require(body.clockTier(name))
    }

    @Test("a 24-hour tier from Friday 17:00 is due Saturday 17:00, weekend or not; a workday tier would give Monday")
    func fridayEvening() throws {
        let urgent = try Self.tier("urgent")
        // 17:00 + 2 h = 19:00 the same Friday; 17:00 + 24 h = Saturday 11-15 17:00
        let due = CaseDeadlines(receivedOn: LocalDate("2025-11-14")!, tier: urgent, workdays: .prc, receivedMinute: 17 * 60)
        #expect(due.firstResponse == LocalDate("2025-11-14") && due.firstResponseMinute == 19 * 60)
        #expect(due.answer == LocalDate("2025-11-15") && due.answerMinute == 17 * 60)
        #expect(CaseDeadlines.text(due.answer, minute: due.answerMinute) == "2025-11-15 17:00")
        // the same case on a 1-workday clock: Sat and Sun are off, so Monday 11-17
        let workday = ResponseRule.Tier(name: "w", firstResponse: nil, answer: 1, unit: .workdays)
        #expect(CaseDeadlines(receivedOn: LocalDate("2025-11-14")!, tier: workday, workdays: .prc).answer == LocalDate("2025-11-17"))
        // at 23:30, 24 hours later is Saturday 23:30; at 00:30 + 24 h it is Saturday 00:30 (still Saturday)
        #expect(CaseDeadlines(receivedOn: LocalDate("2025-11-14")!, tier: urgent, workdays: .prc, receivedMinute: 23 * 60 + 30).answer == LocalDate("2025-11-15"))
        // a paused Saturday adds a day: Sunday 17:00
        let paused = CaseDeadlines(receivedOn: LocalDate("2025-11-14")!, tier: urgent, workdays: .prc,
                                   pauses: [DateRange(start: LocalDate("2025-11-15")!, end: LocalDate("2025-11-15")!)], receivedMinute: 17 * 60)
        #expect(paused.answer == LocalDate("2025-11-16") && paused.answerMinute == 17 * 60)
    }

    @Test("a workday tier across 国庆 uses the PRC calendar; a calendar-day tier does not")
    func acrossNationalDay() throws {
        // received Tue 09-30; 10-01 … 10-08 off; 10-09 (1), 10-10 (2), Sat 10-11 调休 (3), 10-13 (4), 10-14 (5)
        let ordinary = try Self.tier("ordinary")
        let due = CaseDeadlines(receivedOn: LocalDate("2025-09-30")!, tier: ordinary, workdays: .prc)
        #expect(due.firstResponse == LocalDate("2025-10-10"))   // 2 workdays: 10-09, 10-10
        #expect(due.answer == LocalDate("2025-10-14"))
        // `unit: days`: 09-30 + 5 = 10-05, holidays or not
        #expect(CaseDeadlines(receivedOn: LocalDate("2025-09-30")!, tier: try Self.tier("long"), workdays: .prc).answer == LocalDate("2025-10-05"))
    }

    @Test("督办: two workdays past the answer deadline the office's notice goes out; the answer is then due three workdays later")
    func escalation() throws {
        // received Mon 11-03: answer 5 workdays → 11-04, 05, 06, 07, 10 → Mon 11-10; notice 2 more → 11-11, 11-12;
        // answer after the notice 3 more → 11-13, 11-14, Mon 11-17
        let due = CaseDeadlines(receivedOn: LocalDate("2025-11-03")!, tier: try Self.tier("ordinary"), workdays: .prc)
        #expect(due.answer == LocalDate("2025-11-10") && due.escalation == LocalDate("2025-11-12") && due.escalatedAnswer == LocalDate("2025-11-17"))
        let open = CaseState(status: .assigned, receivedOn: LocalDate("2025-11-03")!)
        #expect(CaseEscalation.of(open, deadlines: due, asOf: LocalDate("2025-11-10")!, workdays: .prc) == .none)
        #expect(CaseEscalation.of(open, deadlines: due, asOf: LocalDate("2025-11-11")!, workdays: .prc) == .unitHead)
        #expect(CaseEscalation.of(open, deadlines: due, asOf: LocalDate("2025-11-12")!, workdays: .prc) == .office)
    }

    @Test("the engine judges each case by its tier: hours to the day, a late answer missed, praise shown and not judged")
    func engine() throws {
        // c1 urgent Fri 17:00, first response Fri, answered Sat 11-15 (due Sat 17:00) → met;
        // c2 urgent Fri 17:00, answered Mon 11-17 → answer-late; c3 praise, never answered → not judged;
        // c4 ordinary 11-03, unanswered as of 11-13 → answer due 11-10 passed → answer-overdue, escalated on 11-12
        let scenario = ComplianceFixture.scenario(cases: """
            [ { id: c1, unit: CS, tier: urgent, received: 2025-11-14, receivedAt: "17:00", firstResponse: 2025-11-14, answered: 2025-11-15 },
              { id: c2, unit: CS, tier: urgent, received: 2025-11-14, receivedAt: "17:00", firstResponse: 2025-11-14, answered: 2025-11-17 },
              { id: c3, unit: CS, tier: praise, received: 2025-11-03 },
              { id: c4, unit: CS, tier: ordinary, received: 2025-11-03, firstResponse: 2025-11-04 } ]
            """)
        let report = try ComplianceFixture.evaluate(policy: ComplianceFixture.policy(rules: Self.rule), scenario: scenario, asOf: "2025-11-18")
        let cell = try #require(report.cell("CS", "resp", "2025-2026-1"))
        // three cases are judged; c3 is listed with counts false
        #expect(cell.required == 3 && cell.achieved == 1 && cell.counted == ["c1"] && cell.status == .missed)
        #expect(Set(cell.excluded) == [ComplianceExclusion(id: "c2", reason: .answerLate), ComplianceExclusion(id: "c4", reason: .answerOverdue)])
        let praise = try #require(cell.parts.first { $0.id == "c3" })
        #expect(!praise.counts && praise.note?.zh == "无需答复")
        let urgent = try #require(cell.parts.first { $0.id == "c1" })
        #expect(urgent.note?.zh == "首次响应截止 2025-11-14 19:00；答复截止 2025-11-15 17:00")
        let escalated = try #require(cell.parts.first { $0.id == "c4" })
        #expect(escalated.note?.zh.contains("逾期未答复于 2025-11-12 督办，督办后答复截止 2025-11-17") == true, "\(String(describing: escalated.note))")
        // a praise case never escalates
        let praiseDue = CaseDeadlines(receivedOn: LocalDate("2025-11-03")!, tier: try Self.tier("praise"), workdays: .prc)
        #expect(!praiseDue.answerRequired)
        #expect(CaseEscalation.of(CaseState(status: .assigned, receivedOn: LocalDate("2025-11-03")!), deadlines: praiseDue,
                                  asOf: LocalDate("2025-12-01")!, workdays: .prc) == .none)
    }

    @Test("explain states each tier's unit, the 督办 stage and the tier with no answer")
    func explain() throws {
        let text = PolicyExplainer.describe(try PolicyLoader.load(ComplianceFixture.policy(rules: Self.rule)))
        #expect(text.contains("紧急诉求：首次响应 2 小时内，答复 24 小时内"), "\(text)")
        #expect(text.contains("一般诉求：首次响应 2 个工作日"), "\(text)")
        #expect(text.contains("逾期 2 个工作日仍未答复即督办，督办后 3 个工作日内答复"), "\(text)")
        #expect(text.contains("复杂诉求：答复 5 个自然日内"), "\(text)")
        #expect(text.contains("表扬与建议：无需答复"), "\(text)")
    }

    @Test("check refuses a tier's nonsense with line, column and reason", arguments: [
        ("{ t: { unit: minutes, answer: 5 } }", "unit 应为 hours"),
        ("{ t: { answer: none, firstResponse: 1 } }", "无需答复"),
        ("{ t: { answer: none, escalation: { after: 1, answer: 2 } } }", "无需答复"),
        ("{ t: { answer: 5, escalation: { after: 1, answer: 0 } } }", "督办后的答复时限至少为 1"),
        ("{ t: { answer: 5, escalation: { after: 1 } } }", "缺少字段 `answer`"),
        ("{ t: { answer: 5, escalation: { after: 1, answer: 2, notify: office } } }", "未知的字段 `notify`"),
        ("{ t: { answer: soon } }", "answer"),
    ])
    func refused(tiers: String, word: String) throws {
        let found = PolicyNonsenseTests.diagnostics("response: { tiers: \(tiers) }", who: "school")
        #expect(found.count == 1, "\(found)")
        let only = try #require(found.first)
        #expect(only.line == 8 && only.column > 20 && only.message.zh.contains(word) && !only.message.en.isEmpty, "\(only)")
    }
}
