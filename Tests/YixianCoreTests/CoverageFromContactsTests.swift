import Foundation
import Testing
@testable import YixianCore

/// Coverage measured from contacts and as a share of a population (issue 10 item 5; POLICY-FORMAT §4.19).
///
/// `ComplianceFixture` plus dorms CSD1–CSD3 (CS) and MED1 (ME), and classes CS2503–CS2505, so CS has five
/// classes (CS2501–CS2505) and ME one (ME2501). October and November 2025 lie wholly in term 1.
@Suite("Coverage from contacts and shares")
struct CoverageFromContactsTests {
    static func scenario(contacts: String = "[]", pairings: String = "[]") -> String {
        let last = "  - { code: ME2501, kind: class, unit: ME, size: 31 }"
        return ComplianceFixture.scenario(contacts: contacts, pairings: pairings).replacingOccurrences(of: last, with: last + """

              - { code: CS2503, kind: class, unit: CS, size: 30 }
              - { code: CS2504, kind: class, unit: CS, size: 30 }
              - { code: CS2505, kind: class, unit: CS, size: 30 }
              - { code: CSD1, kind: dorm, unit: CS, size: 6 }
              - { code: CSD2, kind: dorm, unit: CS, size: 6 }
              - { code: CSD3, kind: dorm, unit: CS, size: 6 }
              - { code: MED1, kind: dorm, unit: ME, size: 6 }
            """)
    }

    static func rule(_ coverage: String) -> String {
        ComplianceFixture.policy(rules: """
              - id: r
                who: { units: { kind: [college] } }
                coverage: \(coverage)
            """)
    }

    @Test("every dorm visited each month: a cell per college and month, the unvisited dorms listed, whoever visits")
    func everyDormMonthly() throws {
        let contacts = """
            [ { id: o1, cadre: C001, kind: dorm-visit, start: "2025-10-09T19:00", collectives: [CSD1] },
              { id: o2, cadre: C002, kind: dorm-visit, start: "2025-10-15T19:00", collectives: [CSD2] },
              { id: o3, cadre: L001, kind: dorm-visit, start: "2025-10-20T19:00", collectives: [CSD3] },
              { id: o4, cadre: L002, kind: face-to-face, start: "2025-10-10T19:00", collectives: [MED1] },
              { id: n1, cadre: C001, kind: dorm-visit, start: "2025-11-05T19:00", collectives: [CSD1] },
              { id: n2, cadre: C002, kind: dorm-visit, start: "2025-11-06T19:00", collectives: [CSD2], status: draft } ]
            """
        let report = try ComplianceFixture.evaluate(policy: Self.rule("{ collectiveKinds: [dorm], from: contacts, per: month, kinds: [dorm-visit] }"),
                                                    scenario: Self.scenario(contacts: contacts), asOf: "2025-11-10")
        // October, CS: CSD1 (o1), CSD2 (o2), CSD3 (o3, a school leader's visit counts too) → 3 of 3, met
        let october = try #require(report.cell("CS", "r", "2025-10"))
        #expect(october.required == 3 && october.achieved == 3 && october.status == .met && october.counted == ["CSD1", "CSD2", "CSD3"])
        // October, ME: MED1 only had a face-to-face line (o4, not a dorm visit) → 0 of 1, closed: missed, MED1 listed
        let me = try #require(report.cell("ME", "r", "2025-10"))
        #expect(me.achieved == 0 && me.status == .missed && me.excluded == [ComplianceExclusion(id: "MED1", reason: .uncovered)])
        // November (running, 10 of 30 days): CSD1 (n1); CSD2's visit is a draft → 1 of 3 ≥ ⌊3 × 10/30⌋ = 1: on track
        let november = try #require(report.cell("CS", "r", "2025-11"))
        #expect(november.achieved == 1 && november.status == .onTrack)
        #expect(november.excluded.map(\.id) == ["CSD2", "CSD3"])
        // September: nothing → 0 of 3 missed; December not begun → no cell
        #expect(report.cell("CS", "r", "2025-09")?.status == .missed)
        #expect(report.cell("CS", "r", "2025-12") == nil)
    }

    @Test("a share of classes visited per term: 40 % of CS's 5 is 2, of ME's 1 is 1 (rounded up)")
    func shareFromContacts() throws {
        let contacts = """
            [ { id: a, cadre: C001, kind: class-meeting, start: "2025-10-09T19:00", collectives: [CS2501] },
              { id: b, cadre: L001, kind: class-meeting, start: "2025-11-09T19:00", collectives: [CS2501] },
              { id: c, cadre: L002, kind: class-observation, start: "2025-10-10T10:00", collectives: [ME2501] } ]
            """
        let report = try ComplianceFixture.evaluate(
            policy: Self.rule("{ collectiveKinds: [class], from: contacts, per: term, share: 0.4, kinds: [class-meeting, class-observation] }"),
            scenario: Self.scenario(contacts: contacts), asOf: "2026-01-20")
        // CS: ⌈0.4 × 5⌉ = 2 required; only CS2501 reached (twice) → 1 < 2, term over: missed
        let cs = try #require(report.cell("CS", "r", "2025-2026-1"))
        #expect(cs.required == 2 && cs.achieved == 1 && cs.status == .missed && cs.counted == ["CS2501"] && cs.excluded.count == 4)
        #expect(cs.note?.zh == "按比例 40%：5 个中至少 2 个")
        // ME: ⌈0.4 × 1⌉ = 1; ME2501 observed → met
        #expect(report.cell("ME", "r", "2025-2026-1")?.status == .met)
    }

    @Test("a share of classes paired: 20 % of CS's 5 is 1")
    func shareFromPairings() throws {
        let report = try ComplianceFixture.evaluate(policy: Self.rule("{ collectiveKinds: [class], share: 0.2 }"),
                                                    scenario: Self.scenario(pairings: "[ { cadre: C001, collective: CS2503 } ]"), asOf: "2025-10-20")
        // CS: ⌈0.2 × 5⌉ = 1, CS2503 paired → met (the other four still listed uncovered); ME: ⌈0.2 × 1⌉ = 1, none → missed
        let cs = try #require(report.cell("CS", "r", "2025-2026"))
        #expect(cs.required == 1 && cs.achieved == 1 && cs.status == .met && cs.excluded.count == 4)
        #expect(report.cell("ME", "r", "2025-2026")?.status == .missed)
    }

    @Test("explain says which collectives, how often and from what")
    func explained() throws {
        let policy = try PolicyLoader.load(Self.rule("{ collectiveKinds: [dorm], from: contacts, per: month, kinds: [dorm-visit] }"), fileName: "p.yaml")
        let text = PolicyExplainer.describe(policy)
        #expect(text.contains("每月本单位每个宿舍都要有联系记录到达"), "\(text)")
    }

    @Test(arguments: [
        ("coverage: { collectiveKinds: [dorm], from: contacts, per: month, pairingKinds: [linked] }", 84, "pairingKinds 不适用"),
        ("coverage: { collectiveKinds: [dorm], from: contacts, per: month, deadline: \"term-start +14d\" }", 80, "不设 deadline"),
        ("coverage: { collectiveKinds: [dorm], per: month }", 47, "只用于 from: contacts"),
        ("coverage: { collectiveKinds: [dorm], from: ledger }", 48, "from 应为 pairings"),
        ("coverage: { collectiveKinds: [dorm], share: 0 }", 49, "比例应大于 0"),
        ("coverage: { collectiveKinds: [dorm], from: contacts, per: day }", 63, "day"),
        ("coverage: { collectiveKinds: [dorm], from: contacts, per: month, kinds: [] }", 77, "kinds 不能为空"),
        ("coverage: { collectiveKinds: [dorm], from: contacts, per: month, scope: own-collectives }", 77, "scope 不适用"),
    ])
    func refused(rule: String, column: Int, words: String) throws {
        let found = PolicyNonsenseTests.diagnostics(rule, who: "{ units: any }")
        #expect(found.count == 1, "\(found)")
        let only = try #require(found.first)
        #expect(only.line == 8 && only.column == column && only.message.zh.contains(words) && !only.message.en.isEmpty, "\(only)")
    }
}
