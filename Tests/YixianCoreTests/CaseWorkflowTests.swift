import Testing
@testable import YixianCore

/// Deadlines and steps of a student's case, on the 2025 National Day holiday (10-01..10-08 off,
/// Sunday 09-28 and Saturday 10-11 worked as 调休 make-up days).
@Suite("Cases: deadlines, escalation and the workflow")
struct CaseWorkflowTests {
    let ordinary = ResponseRule.Tier(name: "ordinary", firstResponse: 2, answer: 5)
    let prc = WorkdayCalendar.prc

    func day(_ text: String) -> LocalDate { LocalDate(text)! }

    @Test("workdays skip the National Day holiday and count the make-up Sunday")
    func acrossNationalDay() {
        // Fri 09-26: Sun 09-28 (make-up) 1, Mon 09-29 2, Tue 09-30 3, holiday, Thu 10-09 4, Fri 10-10 5.
        let due = CaseDeadlines(receivedOn: day("2025-09-26"), tier: ordinary, workdays: prc)
        #expect(due.firstResponse == day("2025-09-29"))
        #expect(due.answer == day("2025-10-10"))
        let calendar = CaseDeadlines(receivedOn: day("2025-09-26"), tier: ordinary, workdays: nil)
        #expect(calendar.answer == day("2025-10-01"))
    }

    @Test("a make-up Saturday is a workday; a plain Saturday is not")
    func makeUpSaturday() {
        let one = ResponseRule.Tier(name: "urgent", firstResponse: nil, answer: 1)
        #expect(CaseDeadlines(receivedOn: day("2025-10-10"), tier: one, workdays: prc).answer == day("2025-10-11"))
        #expect(CaseDeadlines(receivedOn: day("2025-10-17"), tier: one, workdays: prc).answer == day("2025-10-20"))
        #expect(CaseDeadlines(receivedOn: day("2025-10-10"), tier: one, workdays: prc).firstResponse == nil)
    }

    @Test("paused days do not count: paused on 10-09, resumed on 10-11, the answer moves from 10-10 to 10-13")
    func pause() throws {
        var state = CaseState(status: .assigned, responsibleUnitCode: "HQC", receivedOn: day("2025-09-26"))
        state = try CaseWorkflow.apply(.pause, to: state, on: day("2025-10-09"))
        // While paused the deadline moves with the days: on 10-12 (paused 10-09..10-12) it is Tue 10-14.
        #expect(state.deadlines(ordinary, workdays: prc, on: day("2025-10-12")).answer == day("2025-10-14"))
        #expect(CaseEscalation.of(state, deadlines: state.deadlines(ordinary, workdays: prc, on: day("2025-10-20")),
                                  asOf: day("2025-10-20"), workdays: prc) == .none, "a paused case is not overdue")
        state = try CaseWorkflow.apply(.resume, to: state, on: day("2025-10-11"))
        #expect(state.pauses == [DateRange(start: day("2025-10-09"), end: day("2025-10-10"))])
        #expect(state.pausedSince == nil)
        // Sat 10-11 (make-up) 4, Mon 10-13 5.
        #expect(state.deadlines(ordinary, workdays: prc, on: day("2025-10-20")).answer == day("2025-10-13"))
        #expect(throws: FieldErrors.self) { try CaseWorkflow.apply(.resume, to: state, on: day("2025-10-12")) }
    }

    @Test("an open case past its answer day goes to the unit head, three workdays later to the office")
    func escalation() {
        let state = CaseState(status: .assigned, responsibleUnitCode: "HQC", receivedOn: day("2025-09-26"))
        let due = CaseDeadlines(receivedOn: state.receivedOn, tier: ordinary, workdays: prc)
        #expect(CaseEscalation.of(state, deadlines: due, asOf: day("2025-10-10"), workdays: prc) == .none)
        #expect(CaseEscalation.of(state, deadlines: due, asOf: day("2025-10-11"), workdays: prc) == .unitHead)
        // 10-11 (make-up Saturday) and 10-13 are two workdays late; 10-14 is the third.
        #expect(CaseEscalation.of(state, deadlines: due, asOf: day("2025-10-13"), workdays: prc) == .unitHead)
        #expect(CaseEscalation.of(state, deadlines: due, asOf: day("2025-10-14"), workdays: prc) == .office)
        var answered = state
        answered.status = .answered
        #expect(CaseEscalation.of(answered, deadlines: due, asOf: day("2025-10-30"), workdays: prc) == .none)
    }

    @Test("dispatch, transfer, answer; 不满意 reopens once and the second rating stands")
    func lifeOfACase() throws {
        let received = CaseState(receivedOn: day("2025-10-09"))
        var state = try CaseWorkflow.apply(.assign(unitCode: "XGB"), to: received, on: day("2025-10-09"))
        #expect(state.status == .assigned && state.responsibleUnitCode == "XGB")
        state = try CaseWorkflow.apply(.transfer(unitCode: "HQC", reason: "属后勤事项"), to: state, on: day("2025-10-10"))
        #expect(state.responsibleUnitCode == "HQC")
        state = try CaseWorkflow.apply(.answer(.solved, text: "已维修热水器"), to: state, on: day("2025-10-13"))
        #expect(state.status == .answered && state.answeredOn == day("2025-10-13"))
        #expect(state.firstRespondedOn == day("2025-10-13"), "an answer is also a first response")
        state = try CaseWorkflow.apply(.rate(.dissatisfied), to: state, on: day("2025-10-14"))
        #expect(state.status == .assigned && state.reopened && state.answeredOn == nil)
        #expect(state.rating == nil, "the new answer is not yet rated: the first 不满意 stays only in the history")
        state = try CaseWorkflow.apply(.answer(.explained, text: "设备更换需下学期统一采购"), to: state, on: day("2025-10-15"))
        state = try CaseWorkflow.apply(.rate(.dissatisfied), to: state, on: day("2025-10-16"))
        #expect(state.status == .closed && state.rating == .dissatisfied && state.outcome == .explained)
    }

    @Test("refused steps name the field and change nothing")
    func refusals() throws {
        let assigned = CaseState(status: .assigned, responsibleUnitCode: "HQC", receivedOn: day("2025-10-09"))
        func problem(_ action: CaseAction, _ state: CaseState) -> FieldProblem? {
            do {
                _ = try CaseWorkflow.apply(action, to: state, on: day("2025-10-10"))
                return nil
            } catch { return error.problems.first }
        }
        #expect(problem(.transfer(unitCode: "BWC", reason: "  "), assigned)?.field == "reason")
        #expect(problem(.transfer(unitCode: "HQC", reason: "重复"), assigned)?.field == "unitCode")
        #expect(problem(.sendBack(reason: ""), assigned)?.field == "reason")
        #expect(problem(.answer(.solved, text: " \n "), assigned)?.field == "answer")
        #expect(problem(.answer(.solved, text: String(repeating: "长", count: 2001)), assigned)?.field == "answer")
        #expect(problem(.rate(.satisfied), assigned)?.field == "rating", "not answered yet")
        #expect(problem(.assign(unitCode: "XGB"), assigned)?.field == "status", "already with a unit")
        var acknowledged = try CaseWorkflow.apply(.acknowledge, to: assigned, on: day("2025-10-10"))
        #expect(acknowledged.firstRespondedOn == day("2025-10-10"))
        #expect(problem(.acknowledge, acknowledged)?.field == "status")
        acknowledged.status = .closed
        #expect(problem(.answer(.solved, text: "再答"), acknowledged)?.field == "status")
    }

    @Test("answering a paused case closes its pause on the answer day")
    func answerWhilePaused() throws {
        var state = CaseState(status: .assigned, responsibleUnitCode: "HQC", receivedOn: day("2025-10-09"))
        state = try CaseWorkflow.apply(.pause, to: state, on: day("2025-10-13"))
        state = try CaseWorkflow.apply(.answer(.explained, text: "学生未回复，已电话说明"), to: state, on: day("2025-10-16"))
        #expect(state.pausedSince == nil)
        #expect(state.pauses == [DateRange(start: day("2025-10-13"), end: day("2025-10-15"))])
    }

    @Test("the standard categories: 心理 is sensitive, 后勤 routes by the logistics tag")
    func categories() {
        #expect(CaseCategory.standard.map(\.label.zh) == ["思想", "学业", "心理", "生活", "后勤", "安全", "就业", "其他"])
        #expect(CaseCategory.standard("psychology")?.sensitive == true)
        #expect(CaseCategory.standard("logistics")?.routeTag == "logistics")
        #expect(CaseCategory.standard("nonsense") == nil)
    }

    @Test("延期: the unit asks with a reason, the office approves; the answer moves by workdays, the first response does not")
    func extensionOfTheAnswer() throws {
        // Received Thu 2025-10-09: the answer is due Wed 10-15 (Sat 10-11 is a make-up workday).
        var state = try CaseWorkflow.apply(.assign(unitCode: "HQC"), to: CaseState(receivedOn: day("2025-10-09")), on: day("2025-10-09"))
        #expect(throws: FieldErrors.self) { try CaseWorkflow.apply(.requestExtension(days: 3, reason: " "), to: state, on: day("2025-10-13")) }
        #expect(throws: FieldErrors.self) { try CaseWorkflow.apply(.requestExtension(days: 0, reason: "等配件"), to: state, on: day("2025-10-13")) }
        #expect(throws: FieldErrors.self) { try CaseWorkflow.apply(.approveExtension, to: state, on: day("2025-10-13")) }
        state = try CaseWorkflow.apply(.requestExtension(days: 3, reason: "等配件到货"), to: state, on: day("2025-10-13"))
        #expect(state.requestedExtension == 3 && state.deadlines(ordinary, workdays: prc, on: day("2025-10-13")).answer == day("2025-10-15"),
                "asking changes nothing until approved")
        #expect(throws: FieldErrors.self) { try CaseWorkflow.apply(.requestExtension(days: 2, reason: "再等"), to: state, on: day("2025-10-13")) }
        state = try CaseWorkflow.apply(.approveExtension, to: state, on: day("2025-10-14"))
        let due = state.deadlines(ordinary, workdays: prc, on: day("2025-10-14"))
        #expect(due.answer == day("2025-10-20") && due.firstResponse == day("2025-10-11"), "three more workdays: Thu, Fri, Mon")
        #expect(CaseEscalation.of(state, deadlines: due, asOf: day("2025-10-16"), workdays: prc) == .none, "not overdue once extended")
    }

    @Test("merged and split cases close without an answer; an answered or closed case cannot be")
    func closures() throws {
        let open = CaseState(receivedOn: day("2025-10-09"))
        let merged = try CaseWorkflow.apply(.close(.merged), to: open, on: day("2025-10-10"))
        #expect(merged.status == .closed && merged.closedAs == .merged && merged.answeredOn == nil)
        #expect(throws: FieldErrors.self) { try CaseWorkflow.apply(.close(.split), to: merged, on: day("2025-10-10")) }
        let answered = try CaseWorkflow.apply(.answer(.solved, text: "已处理"),
                                              to: CaseWorkflow.apply(.assign(unitCode: "X"), to: open, on: day("2025-10-09")), on: day("2025-10-10"))
        #expect(throws: FieldErrors.self) { try CaseWorkflow.apply(.close(.merged), to: answered, on: day("2025-10-10")) }
    }
}
