import Testing
@testable import YixianCore

@Suite("Demo cases")
struct DemoCasesTests {
    static let asOf = LocalDate("2025-11-20")!
    static let demo = DemoUniversity.generate(scale: .standard, seed: 20260901, asOf: asOf)

    @Test("every demo case is a path the workflow allows, and the history has every kind of case in it")
    func realistic() throws {
        let cases = DemoCases.generate(for: Self.demo, asOf: Self.asOf, seed: 7, featuredStudent: Self.demo.students.first?.studentNumber)
        #expect(cases.count == 240)
        var states: [CaseState] = []
        for item in cases {
            var state = CaseState(receivedOn: item.receivedOn, urgent: item.urgent)
            for step in item.steps {
                #expect(step.day <= Self.asOf && step.day >= item.receivedOn)
                state = try CaseWorkflow.apply(step.action, to: state, on: step.day)
            }
            states.append(state)
        }
        let tier = ResponseRule.Tier(name: "ordinary", firstResponse: 2, answer: 5)
        let escalations = zip(cases, states).map { item, state in
            CaseEscalation.of(state, deadlines: state.deadlines(tier, workdays: .prc, on: Self.asOf), asOf: Self.asOf, workdays: .prc)
        }
        #expect(states.contains { $0.status == .new }, "some wait for the office")
        #expect(states.filter { $0.status == .closed }.count > cases.count / 3, "most old cases are answered and rated")
        #expect(states.contains { $0.reopened }, "some were rated 不满意 and reopened")
        #expect(escalations.contains(.office), "some are overdue and supervised by the office")
        #expect(Set(cases.map(\.channel)) == [.contact, .mailbox, .hotline, .portal])
        #expect(cases.filter { $0.studentNumber == Self.demo.students.first?.studentNumber }.count >= 1, "the demo student has cases of their own")
        // Deterministic: the same seed gives the same history.
        let again = DemoCases.generate(for: Self.demo, asOf: Self.asOf, seed: 7, featuredStudent: Self.demo.students.first?.studentNumber)
        #expect(again.map(\.text) == cases.map(\.text) && again.map(\.receivedOn) == cases.map(\.receivedOn))
    }
}
