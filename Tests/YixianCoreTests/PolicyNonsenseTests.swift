import Testing
import YixianCore

/// `policy check` refuses what a real plan can never mean, each with its line, column and reason
/// (before these checks each of them loaded silently).
@Suite("Policy check refuses nonsense")
struct PolicyNonsenseTests {
    static func diagnostics(_ rule: String, who: String = "leader") -> [YAMLDiagnostic] {
        PolicyLoader.diagnostics("""
            id: t
            title: t
            roles:
              leader: { rank: [school-leader] }
            rules:
              - id: r
                who: \(who)
                \(rule)
            """)
    }

    @Test(arguments: [
        ("count: { kinds: [], atLeast: 1, per: term }", "kinds"),
        ("count: { kinds: [any], atLeast: 1.5, per: term }", "atLeast"),
        ("timeShare: { atLeast: 0, per: term }", "比例"),
        ("timeShare: { atLeast: 0.5, per: term, hoursPerWorkday: 0 }", "hoursPerWorkday"),
        ("timeShare: { atLeast: 0.5, per: term, hoursPerWorkday: 30 }", "hoursPerWorkday"),
    ])
    func refused(rule: String, word: String) throws {
        let found = Self.diagnostics(rule)
        #expect(found.count == 1, "\(found)")
        let only = try #require(found.first)
        #expect(only.line == 8 && only.column > 1 && only.message.zh.contains(word) && !only.message.en.isEmpty, "\(only)")
    }

    @Test("a first response due after the answer is refused")
    func responseOrder() {
        let found = Self.diagnostics("response: { days: workdays, tiers: { ordinary: { firstResponse: 9, answer: 5 } } }", who: "school")
        #expect(found.map(\.message.zh).contains { $0.contains("首次响应时限") }, "\(found)")
        #expect(Self.diagnostics("response: { days: workdays, tiers: { ordinary: { firstResponse: 2, answer: 5 } } }", who: "school").isEmpty)
    }

    @Test("sensible values still load: hours may be fractional, a whole count is fine")
    func sensible() {
        #expect(Self.diagnostics("count: { kinds: [any], atLeast: 2, per: term }").isEmpty)
        #expect(Self.diagnostics("count: { kinds: [any], measure: hours, atLeast: 1.5, per: term }").isEmpty)
        #expect(Self.diagnostics("timeShare: { atLeast: 0.5, per: term, hoursPerWorkday: 7.5 }").isEmpty)
    }
}
