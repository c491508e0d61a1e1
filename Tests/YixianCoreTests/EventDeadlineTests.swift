import Foundation
import Testing
@testable import YixianCore

/// Deadlines relative to an event (issue 10 item 5; POLICY-FORMAT §4.12): `after` on count rules, the
/// `vacation-start` and `break-start` anchors, and “before term start” written `term-start -Nd`.
///
/// Counted by hand from `ComplianceFixture` (term 1 2025-09-03 … 2026-01-18, term 2 2026-03-02 … 07-05) and the PRC
/// calendar of 2025 (10-01 … 10-08 off, Saturday 10-11 a make-up workday).
@Suite("Deadlines relative to an event")
struct EventDeadlineTests {
    static func policy(_ within: String) -> String {
        ComplianceFixture.policy(rules: """
              - id: r
                who: school-leader
                count: { kinds: [heart-to-heart], atLeast: 1, after: { kinds: [special-report], within: \(within) } }
            """)
    }

    /// `(cadre, id, kind, day, status)`.
    static func lines(_ items: [(String, String, String, String, String)]) -> String {
        "[ " + items.map { "{ id: \($0.1), cadre: \($0.0), kind: \($0.2), start: \"\($0.3)T10:00\", status: \($0.4) }" }
            .joined(separator: ",\n  ") + " ]"
    }

    static let scenario = ComplianceFixture.scenario(contacts: lines([
        ("L001", "e1", "special-report", "2025-10-09", "submitted"),
        ("L001", "f1", "heart-to-heart", "2025-10-11", "submitted"),   // 2 days after e1
        ("L001", "e2", "special-report", "2025-10-20", "submitted"),
        ("L001", "f2", "heart-to-heart", "2025-10-24", "submitted"),   // 4 days after e2
        ("L001", "e3", "special-report", "2025-10-24", "submitted"),
        ("L001", "e4", "special-report", "2025-10-15", "draft"),       // a draft opens nothing
        ("L003", "g1", "special-report", "2025-10-09", "submitted"),
        ("L003", "h1", "heart-to-heart", "2025-10-13", "submitted"),   // Monday, 4 calendar days and 3 workdays after g1
    ]))

    @Test("讲座后3日内: every event has its own cell — met, missed after the window, running")
    func eachEventItsCell() throws {
        // act: as of 10-25
        let report = try ComplianceFixture.evaluate(policy: Self.policy("3d"), scenario: Self.scenario, asOf: "2025-10-25")
        // check: e1 10-09 → window 10-09 … 10-12 holds f1 (10-11): met
        let first = try #require(report.cell("L001", "r", "e1"))
        #expect(first.status == .met && first.counted == ["f1"] && first.period.start == LocalDate("2025-10-09") && first.period.end == LocalDate("2025-10-12"))
        #expect(first.due == nil && first.period.label.zh.contains("后3日内"))
        // e2 10-20 → 10-20 … 10-23; f2 (10-24) is after it: missed
        let second = try #require(report.cell("L001", "r", "e2"))
        #expect(second.status == .missed && second.achieved == 0)
        // e3 10-24 → 10-24 … 10-27: f2 (10-24, the same day) is in it, so e3 is met already
        #expect(report.cell("L001", "r", "e3")?.status == .met)
        // the draft e4 opens no cell; L002 recorded no event and has none
        #expect(report.cell("L001", "r", "e4") == nil)
        #expect(!report.cells.contains { $0.subject.id == "L002" && $0.ruleID == "r" })
        // L003: g1 10-09 → 10-12; h1 on 10-13 is one day late
        #expect(report.cell("L003", "r", "g1")?.status == .missed)
    }

    @Test("within workdays: 3wd after Thursday 10-09 is Monday 10-13 (Fri 10-10, the make-up Saturday 10-11, Mon 10-13)")
    func withinWorkdays() throws {
        let report = try ComplianceFixture.evaluate(policy: Self.policy("3wd"), scenario: Self.scenario, asOf: "2025-10-25")
        let cell = try #require(report.cell("L003", "r", "g1"))
        #expect(cell.period.end == LocalDate("2025-10-13") && cell.status == .met && cell.counted == ["h1"])
    }

    @Test("a running window with nothing yet is on track, then at risk on its last day")
    func runningWindow() throws {
        let scenario = ComplianceFixture.scenario(contacts: Self.lines([("L002", "e9", "special-report", "2025-11-03", "submitted")]))
        // 11-03 … 11-06: as of 11-04, 2 of 4 days: ⌊1 × 0.5⌋ = 0 needed, on track; as of 11-06, 4 of 4: 1 needed, at risk
        let early = try ComplianceFixture.evaluate(policy: Self.policy("3d"), scenario: scenario, asOf: "2025-11-04")
        #expect(early.cell("L002", "r", "e9")?.status == .onTrack)
        let last = try ComplianceFixture.evaluate(policy: Self.policy("3d"), scenario: scenario, asOf: "2025-11-06")
        #expect(last.cell("L002", "r", "e9")?.status == .atRisk)
    }

    @Test("vacation-start is the day after the term; break-start the first day of its first break")
    func anchors() throws {
        let calendar = try ScenarioLoader.load(ComplianceFixture.scenario(vacations: "[ { start: 2025-10-01, end: 2025-10-08 } ]")).calendar
        let term = try #require(calendar.years.first?.terms.first)
        // term 1 ends 2026-01-18: the vacation starts 01-19; a week before it is 01-12
        #expect(try DeadlineSpec(parsing: "vacation-start -7d").resolve(term: term, calendar: .prc) == LocalDate("2026-01-12"))
        #expect(try DeadlineSpec(parsing: "vacation-start exclusive").resolve(term: term, calendar: .prc) == LocalDate("2026-01-18"))
        // the National Day break starts 10-01; “节前一周” is 09-24
        #expect(try DeadlineSpec(parsing: "break-start -7d").resolve(term: term, calendar: .prc) == LocalDate("2025-09-24"))
        // term 2 records no break: the engine says so rather than guess
        let spring = try #require(calendar.years.first?.terms.last)
        #expect(throws: DeadlineResolutionError.self) { try DeadlineSpec(parsing: "break-start").resolve(term: spring, calendar: .prc) }
    }

    @Test("before term start: term-start -7d on a filing is on time up to a week before the term")
    func beforeTermStart() throws {
        let policy = ComplianceFixture.policy(rules: """
              - id: plan
                who: { units: { kind: [college] } }
                filing: { kind: arrangement-plan, per: term, deadline: "term-start -7d" }
            """)
        let scenario = ComplianceFixture.scenario(filings: """
            [ { id: p1, unit: CS, term: 2025-2026-2, kind: arrangement-plan, submitted: 2026-02-20 },
              { id: p2, unit: ME, term: 2025-2026-2, kind: arrangement-plan, submitted: 2026-02-25 } ]
            """)
        // term 2 starts 2026-03-02: due 02-23; CS filed 02-20, ME 02-25
        let report = try ComplianceFixture.evaluate(policy: policy, scenario: scenario, asOf: "2026-03-05")
        let cs = try #require(report.cell("CS", "plan", "2025-2026-2"))
        #expect(cs.due == LocalDate("2026-02-23") && cs.status == .met && cs.counted == ["p1"])
        let me = try #require(report.cell("ME", "plan", "2025-2026-2"))
        #expect(me.status == .missed && me.excluded == [ComplianceExclusion(id: "p2", reason: .late)])
    }

    @Test(arguments: [
        ("count: { kinds: [heart-to-heart], atLeast: 1, per: term, after: { kinds: [special-report], within: 3d } }", "per"),
        ("count: { kinds: [heart-to-heart], atLeast: 1, after: { kinds: [special-report], within: 0d } }", "within"),
        ("count: { kinds: [heart-to-heart], atLeast: 1, after: { kinds: [special-report], within: three } }", "within"),
        ("count: { kinds: [heart-to-heart], atLeast: 1, after: { kinds: [special-report] } }", "within"),
        ("count: { kinds: [heart-to-heart], atLeast: 1, after: { kinds: [karaoke], within: 3d } }", "karaoke"),
        ("count: { kinds: [heart-to-heart], atLeast: 1, after: { kinds: [in-person], within: 3d } }", "heart-to-heart"),
        ("count: { kinds: [heart-to-heart], atLeast: 1, after: { kinds: [special-report], within: 3d, venues: [dorm] } }", "venues"),
        ("count: { kinds: [heart-to-heart], atLeast: 1, deadline: \"term-start\", after: { kinds: [special-report], within: 3d } }", "deadline"),
        ("count: { kinds: [heart-to-heart], atLeast: 1, per: term, deadline: \"term-start -7d\" }", "学期开始"),
        ("count: { kinds: [heart-to-heart], atLeast: 1, per: term, deadline: \"vacation-begins\" }", "vacation-start"),
    ])
    func nonsense(rule: String, word: String) throws {
        try PolicyNonsenseTests.expectOneRefusal(rule, mentioning: word)
    }

    @Test("explain says the window")
    func explain() throws {
        let text = PolicyExplainer.describe(try PolicyLoader.load(Self.policy("3d"), fileName: "t.yaml"))
        #expect(text.contains("每次记录专题报告后 3 日内"), "\(text)")
    }
}

/// `after` on filing rules (§4.12): “每次作专题报告后3日内报送简报” — filings naming the cadre, or the unit's own.
@Suite("Filings after an event")
struct EventFilingTests {
    static let contacts = EventDeadlineTests.lines([
        ("L001", "e1", "special-report", "2025-10-09", "submitted"),
        ("L001", "e2", "special-report", "2025-10-20", "submitted"),
        ("C001", "e3", "special-report", "2025-10-15", "submitted"),
    ])

    @Test("a cadre's brief within 3 days of each report: one cell per report, a filing serves one report")
    func cadre() throws {
        let policy = ComplianceFixture.policy(rules: """
              - id: brief
                who: school-leader
                filing: { kind: activity-list, after: { kinds: [special-report], within: 3d } }
            """)
        // b1 on 10-11 is in e1's window (10-09 … 10-12); b2 on 10-25 is after e2's (10-20 … 10-23)
        let scenario = ComplianceFixture.scenario(contacts: Self.contacts, filings: """
            [ { id: b1, unit: LEAD, term: 2025-2026-1, kind: activity-list, submitted: 2025-10-11, cadre: L001 },
              { id: b2, unit: LEAD, term: 2025-2026-1, kind: activity-list, submitted: 2025-10-25, cadre: L001 } ]
            """)
        let report = try ComplianceFixture.evaluate(policy: policy, scenario: scenario, asOf: "2025-10-26")
        let first = try #require(report.cell("L001", "brief", "e1"))
        #expect(first.status == .met && first.counted == ["b1"] && first.due == LocalDate("2025-10-12"))
        let second = try #require(report.cell("L001", "brief", "e2"))
        #expect(second.status == .missed && second.counted.isEmpty && second.due == LocalDate("2025-10-23"))
        // L002 gave no report, and C001 is no school leader: no cells
        #expect(report.cells.filter { $0.ruleID == "brief" }.count == 2)
    }

    @Test("a unit's brief after each report of its cadres")
    func unit() throws {
        let policy = ComplianceFixture.policy(rules: """
              - id: brief
                who: { units: { kind: [college] } }
                filing: { kind: activity-list, after: { kinds: [special-report], within: 2wd } }
            """)
        // e3: C001 of CS on Wednesday 10-15 → 2 workdays: Thu 10-16, Fri 10-17; CS files on 10-17
        let scenario = ComplianceFixture.scenario(contacts: Self.contacts, filings: """
            [ { id: u1, unit: CS, term: 2025-2026-1, kind: activity-list, submitted: 2025-10-17 } ]
            """)
        let report = try ComplianceFixture.evaluate(policy: policy, scenario: scenario, asOf: "2025-10-26")
        #expect(report.cell("CS", "brief", "e3").map { $0.status == .met && $0.counted == ["u1"] } == true)
        // ME's cadres reported nothing: no cells
        #expect(!report.cells.contains { $0.subject.id == "ME" && $0.ruleID == "brief" })
    }

    @Test(arguments: [
        ("filing: { kind: activity-list, per: term, after: { kinds: [special-report], within: 3d } }", "per"),
        ("filing: { kind: activity-list, deadline: \"term-end\", after: { kinds: [special-report], within: 3d } }", "deadline"),
        ("filing: { kind: activity-list, after: { kinds: [special-report], within: 3 } }", "within"),
    ])
    func nonsense(rule: String, word: String) throws {
        try PolicyNonsenseTests.expectOneRefusal(rule, mentioning: word)
    }
}
