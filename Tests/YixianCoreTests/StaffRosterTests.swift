import Foundation
import Testing
@testable import YixianCore

/// Staff who are not cadres (辅导员, 班主任, 党员教师 — rank `staff`, 无职级) in the roster, bound only by
/// roles that name them (issue 10 item 2; POLICY-FORMAT §4.18).
@Suite("Staff who are not cadres")
struct StaffRosterTests {
    /// 孙辅导员 (S001), a counsellor of CS: staff, party member, tagged student-work like L002.
    static let counsellor = "  - { staff: S001, name: 孙辅导员, unit: CS, posts: [辅导员], rank: staff, party: true, tags: [student-work] }"

    static let talks = """
        [ { id: s1, cadre: S001, kind: heart-to-heart, start: "2025-10-09T10:00" },
          { id: s2, cadre: S001, kind: heart-to-heart, start: "2025-10-16T10:00" },
          { id: c1, cadre: C002, kind: heart-to-heart, start: "2025-10-10T10:00" } ]
        """

    @Test("the rank is read from 无职级 and its aliases, and is the least senior")
    func rankFromSpreadsheetWords() {
        #expect(Rank(flexible: "无职级") == .staff && Rank(flexible: "staff") == .staff && Rank(flexible: "教职工") == .staff)
        #expect(Rank.staff < .deputySectionChief)
        #expect(Cadre(staffNumber: "S", name: "孙", unitCode: "CS", posts: ["辅导员"], rank: .staff, partyMember: true).isCadre == false)
    }

    @Test("a role binds staff only when it names them: rank staff or an exact post; everyone, unitKind, tags, not never do")
    func rolesNameStaff() {
        let staff = Cadre(staffNumber: "S001", name: "孙辅导员", unitCode: "CS", posts: ["辅导员"], rank: .staff, partyMember: true, tags: ["student-work"])
        let cadre = Cadre(staffNumber: "C002", name: "周副书记", unitCode: "CS", posts: ["分管学生工作副书记"], rank: .deputyDirector, partyMember: true,
                          tags: ["student-work"])
        let roles: [String: RoleSelector] = ["counsellor": .match(CadreCriteria(posts: ["辅导员"]))]
        func both(_ selector: RoleSelector) -> (staff: Bool, cadre: Bool) {
            (selector.matches(staff, unitKind: .college, roles: roles), selector.matches(cadre, unitKind: .college, roles: roles))
        }
        // not named: the cadre matches, the counsellor does not
        #expect(both(.everyone) == (false, true))
        #expect(both(.match(CadreCriteria(unitKinds: [.college]))) == (false, true))
        #expect(both(.match(CadreCriteria(tags: ["student-work"]))) == (false, true))
        #expect(both(.match(CadreCriteria(postContains: ["辅导", "副书记"]))) == (false, true))
        #expect(both(.not(.match(CadreCriteria(ranks: [.director])))) == (false, true))
        // named by rank or exact post (directly or through another role)
        #expect(both(.match(CadreCriteria(ranks: [.staff]))) == (true, false))
        #expect(both(.match(CadreCriteria(rankAtLeast: .staff))) == (true, true))
        #expect(both(.match(CadreCriteria(posts: ["辅导员"]))) == (true, false))
        #expect(both(.role("counsellor")) == (true, false))
        #expect(both(.any([.role("counsellor"), .match(CadreCriteria(tags: ["student-work"]))])) == (true, true))
        // all: every part must hold (a party-member counsellor is not `not partyMember`), one part names
        #expect(both(.all([.role("counsellor"), .not(.match(CadreCriteria(partyMember: true)))])) == (false, false))
        #expect(both(.all([.role("counsellor"), .match(CadreCriteria(unitKinds: [.college]))])) == (true, false))
    }

    @Test("rules on everyone leave the counsellor out; a rule on posts: [辅导员] judges her talks")
    func countsBindNamedStaff() throws {
        let policy = ComplianceFixture.policy(roles: """
            counsellor: { label: 辅导员, posts: [辅导员] }
              student-work: { tags: [student-work] }
            """, rules: """
              - id: all-talks
                who: everyone
                count: { kinds: [heart-to-heart], atLeast: 2, per: term }
              - id: sw-talks
                who: student-work
                count: { kinds: [heart-to-heart], atLeast: 2, per: term }
              - id: counsellor-talks
                who: counsellor
                count: { kinds: [heart-to-heart], atLeast: 2, per: term }
            """)
        let scenario = ComplianceFixture.scenario(contacts: Self.talks, extraCadres: Self.counsellor)
        let report = try ComplianceFixture.evaluate(policy: policy, scenario: scenario, asOf: "2026-01-20")
        // everyone: the five cadres L001–L003, C001, C002 have a cell; S001 none
        #expect(Set(report.cells.filter { $0.ruleID == "all-talks" }.map(\.subject.id)) == ["L001", "L002", "L003", "C001", "C002"])
        // tags: [student-work] names no one, so only the cadre carrying it: L002 (no talks, term over: 0 < 2 missed), not S001
        #expect(Set(report.cells.filter { $0.ruleID == "sw-talks" }.map(\.subject.id)) == ["L002"])
        #expect(report.cell("L002", "sw-talks", "2025-2026-1")?.status == .missed)
        // posts: [辅导员]: S001 alone, 2 talks (s1, s2) ≥ 2 in term 1, met
        let cell = try #require(report.cell("S001", "counsellor-talks", "2025-2026-1"))
        #expect(report.cells.filter { $0.ruleID == "counsellor-talks" }.map(\.subject.id) == ["S001", "S001"])
        #expect(cell.achieved == 2 && cell.counted == ["s1", "s2"] && cell.status == .met)
    }

    @Test("a counsellor's pairing covers a class like a cadre's")
    func staffPairingCovers() throws {
        let policy = ComplianceFixture.policy(rules: """
              - id: classes
                who: { units: { kind: [college] } }
                coverage: { collectiveKinds: [class] }
            """)
        let scenario = ComplianceFixture.scenario(
            pairings: "[ { cadre: S001, collective: CS2501, kind: linked, year: 2025-2026 } ]", extraCadres: Self.counsellor)
        let report = try ComplianceFixture.evaluate(policy: policy, scenario: scenario, asOf: "2025-10-20")
        // CS has CS2501 (S001) and CS2502 (nobody): 1 of 2 covered
        let cell = try #require(report.cell("CS", "classes", "2025-2026"))
        #expect(cell.achieved == 1 && cell.required == 2 && cell.counted == ["CS2501"])
    }
}
