import Foundation
import Testing
@testable import YixianCore

/// Pairing with a college and counting distinct colleges reached (issue 10 item 5; POLICY-FORMAT §4.18):
/// 东南大学 二1 “每个部处根据各自的工作实际联系相关院（系）”.
///
/// From `ComplianceFixture`: colleges CS and ME; HQ (后勤处) is a functional department, XGB student work.
/// H001 (后勤处处长) and H002 (后勤处副处长) are added to HQ; pairings run the whole year 2025-2026.
@Suite("College pairings and distinct colleges")
struct CollegePairingTests {
    static let hq = """
          - { staff: H001, name: 吴处长, unit: HQ, posts: [处长], rank: director, party: true }
          - { staff: H002, name: 郑副处长, unit: HQ, posts: [副处长], rank: deputy-director }
        """

    /// H001 links CS and ME, H002 links CS again; C001 links class CS2501 (a collective, not a college).
    static let links = """
        [ { cadre: H001, college: CS }, { cadre: H001, college: ME }, { cadre: H002, college: CS },
          { cadre: C001, collective: CS2501 } ]
        """

    static func policy(_ rules: String) -> String {
        ComplianceFixture.policy(roles: """
            hq: { units: [HQ] }
              cadre: { rankAtLeast: deputy-director }
            """, rules: rules)
    }

    @Test("a pairing rule with target: college counts each cadre's colleges, and collectives not at all")
    func cadreCollegeLinks() throws {
        let policy = Self.policy("""
              - id: colleges
                who: cadre
                pairing: { target: college, atLeast: 1 }
              - id: collectives
                who: cadre
                pairing: { atLeast: 1 }
            """)
        let scenario = ComplianceFixture.scenario(pairings: Self.links, extraCadres: Self.hq)
        let report = try ComplianceFixture.evaluate(policy: policy, scenario: scenario, asOf: "2025-10-20")
        // H001: CS, ME → 2 ≥ 1 met; H002: CS → 1 met; C001: no college (CS2501 is a class) → 0 < 1, no deadline: missed
        let h001 = try #require(report.cell("H001", "colleges", "2025-2026"))
        #expect(h001.achieved == 2 && h001.counted == ["CS", "ME"] && h001.status == .met)
        #expect(report.cell("H002", "colleges", "2025-2026")?.achieved == 1)
        let c001 = try #require(report.cell("C001", "colleges", "2025-2026"))
        #expect(c001.achieved == 0 && c001.status == .missed && c001.excluded.isEmpty)
        // the collective rule: C001 has CS2501 (1, met); H001's college links are no collectives (0, missed)
        #expect(report.cell("C001", "collectives", "2025-2026")?.status == .met)
        let collectives = try #require(report.cell("H001", "collectives", "2025-2026"))
        #expect(collectives.achieved == 0 && collectives.excluded.isEmpty && collectives.status == .missed)
    }

    @Test("explain names colleges for target: college")
    func explained() throws {
        let policy = try PolicyLoader.load(Self.policy("""
              - id: dept-colleges
                who: { units: { kind: [functional-department] } }
                pairing: { target: college, atLeast: 1 }
            """), fileName: "p.yaml")
        #expect(PolicyExplainer.describe(policy).contains("本学年联系院（系）至少 1 个"))
    }

    @Test("who: units with target: college counts the distinct colleges the unit's cadres link (每个部处联系相关院系)")
    func unitCollegeLinks() throws {
        let policy = Self.policy("""
              - id: dept-colleges
                who: { units: { kind: [functional-department, student-work] } }
                pairing: { target: college, atLeast: 2 }
            """)
        let scenario = ComplianceFixture.scenario(pairings: Self.links, extraCadres: Self.hq)
        let report = try ComplianceFixture.evaluate(policy: policy, scenario: scenario, asOf: "2025-10-20")
        // HQ: H001 {CS, ME} ∪ H002 {CS} = {CS, ME} → 2 ≥ 2 met; XGB: none → 0 < 2 missed
        let hq = try #require(report.cell("HQ", "dept-colleges", "2025-2026"))
        #expect(hq.subject.kind == .unit && hq.required == 2 && hq.achieved == 2 && hq.counted == ["CS", "ME"] && hq.status == .met)
        let xgb = try #require(report.cell("XGB", "dept-colleges", "2025-2026"))
        #expect(xgb.achieved == 0 && xgb.status == .missed)
        // only the two selected units have cells
        #expect(report.cells.filter { $0.ruleID == "dept-colleges" }.count == 2)
    }

    @Test("measure: distinct-colleges counts the colleges lines reach, by their college or their collectives'")
    func distinctColleges() throws {
        // H001 in term 1: r1 names college CS; r2 class ME2501 (ME); r3 class CS2501 (CS again); r4 names nothing
        let contacts = """
            [ { id: r1, cadre: H001, kind: survey, start: "2025-09-10T10:00", college: CS },
              { id: r2, cadre: H001, kind: face-to-face, start: "2025-09-17T10:00", collectives: [ME2501] },
              { id: r3, cadre: H001, kind: face-to-face, start: "2025-10-15T10:00", collectives: [CS2501] },
              { id: r4, cadre: H001, kind: face-to-face, start: "2025-10-16T10:00" } ]
            """
        let policy = Self.policy("""
              - id: reach
                who: hq
                count: { kinds: [in-person], measure: distinct-colleges, atLeast: 2, per: term }
              - id: reach-month
                who: hq
                count: { kinds: [in-person], measure: distinct-colleges, atLeast: 2, per: month }
            """)
        let scenario = ComplianceFixture.scenario(contacts: contacts, extraCadres: Self.hq)
        let report = try ComplianceFixture.evaluate(policy: policy, scenario: scenario, asOf: "2026-01-20")
        // term: {CS, ME} = 2 ≥ 2 met, all four lines counted (r4 reaches no college but is in person)
        let term = try #require(report.cell("H001", "reach", "2025-2026-1"))
        #expect(term.achieved == 2 && term.status == .met && term.counted == ["r1", "r2", "r3", "r4"])
        // September {CS, ME} = 2 met; October {CS} = 1 < 2 missed
        #expect(report.cell("H001", "reach-month", "2025-09")?.achieved == 2)
        let october = try #require(report.cell("H001", "reach-month", "2025-10"))
        #expect(october.achieved == 1 && october.status == .missed)
    }

    @Test("scope: linked-college takes colleges paired directly")
    func linkedCollegeScope() throws {
        // H001 (后勤处, not a college) is linked to CS only: a CS class visit counts, an ME class visit does not
        let contacts = """
            [ { id: in-cs, cadre: H001, kind: dorm-visit, start: "2025-10-09T10:00", collectives: [CS2501] },
              { id: in-me, cadre: H001, kind: dorm-visit, start: "2025-10-10T10:00", collectives: [ME2501] } ]
            """
        let policy = Self.policy("""
              - id: visits
                who: hq
                count: { kinds: [dorm-visit], scope: linked-college, atLeast: 1, per: term }
            """)
        let scenario = ComplianceFixture.scenario(contacts: contacts, pairings: "[ { cadre: H001, college: CS } ]", extraCadres: Self.hq)
        let report = try ComplianceFixture.evaluate(policy: policy, scenario: scenario, asOf: "2025-10-20")
        let cell = try #require(report.cell("H001", "visits", "2025-2026-1"))
        #expect(cell.counted == ["in-cs"] && cell.excluded.contains(ComplianceExclusion(id: "in-me", reason: .notLinkedCollege)))
    }

    @Test("a scenario pairing with a unit that is not a college is refused with its line and reason")
    func onlyCollegesAreTargets() {
        let scenario = ComplianceFixture.scenario(pairings: "[ { cadre: H001, college: XGB } ]", extraCadres: Self.hq)
        var diagnostics: [YAMLDiagnostic] = []
        do { _ = try ScenarioLoader.load(scenario) } catch { diagnostics = error.diagnostics }
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.message.zh == "只能与院（系）结对：“学生工作部”是学生工作部门")
        #expect(diagnostics.first?.message.en == "Only a college can be paired with: 学生工作部 is a student-work department")
        #expect((diagnostics.first?.line ?? 0) > 30 && (diagnostics.first?.column ?? 0) > 1)
    }

    @Test(arguments: [
        // the rule line is indented 4; columns count from 1 at the start of that line
        ("pairing: { target: college, collectiveKinds: [class], atLeast: 1 }", "leader", 50, "不能再限定 collectiveKinds"),
        ("pairing: { target: college, pairingKinds: [key-student], atLeast: 1 }", "leader", 47, "不是院（系）"),
        ("pairing: { target: dorms, atLeast: 1 }", "leader", 24, "target 应为 college 或 collectives"),
        ("count: { kinds: [any], measure: distinct-colleges, atLeast: 1.5, per: term }", "leader", 65, "整数"),
    ])
    func refused(rule: String, who: String, column: Int, words: String) throws {
        let found = PolicyNonsenseTests.diagnostics(rule, who: who)
        #expect(found.count == 1, "\(found)")
        let only = try #require(found.first)
        #expect(only.line == 8 && only.column == column && only.message.zh.contains(words) && !only.message.en.isEmpty, "\(only)")
    }

    @Test("a unit pairing rule needs target: college; with it, units are accepted")
    func unitsNeedCollegeTarget() {
        #expect(PolicyNonsenseTests.diagnostics("pairing: { atLeast: 1 }", who: "{ units: any }").map(\.message.zh).contains { $0.contains("who 应为人员角色") })
        #expect(PolicyNonsenseTests.diagnostics("pairing: { target: college, atLeast: 1 }", who: "{ units: any }").isEmpty)
    }
}
