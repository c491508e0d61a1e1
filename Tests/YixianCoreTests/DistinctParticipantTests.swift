import Foundation
import Testing
@testable import YixianCore

/// Participant tracking (issue 10 item 5; POLICY-FORMAT §4.14): “校领导每次接待不同的学生”, “同一学生一年内不重复”.
@Suite("Distinct participants")
struct DistinctParticipantTests {
    static func policy(_ within: String) -> String {
        ComplianceFixture.policy(rules: """
              - id: r
                who: school-leader
                count: { kinds: [reception-day], atLeast: 1, per: month, distinctParticipantsWithin: \(within) }
            """)
    }

    /// `(id, day, student numbers or nil)`, all L001's.
    static let scenario = ComplianceFixture.scenario(contacts: "[ " + [
        ("r1", "2025-10-09", "[S1, S2]"),
        ("r2", "2025-11-05", "[S2, S3]"),   // S2 again
        ("r3", "2025-11-12", "[S4]"),
        ("r4", "2025-12-03", nil),          // names no one
        ("r5", "2025-12-10", "[S3]"),       // S3 only took part in r2, which did not count
        ("r6", "2026-03-10", "[S1]"),       // term 2: S1 met in October
    ].map { "{ id: \($0.0), cadre: L001, kind: reception-day, start: \"\($0.1)T10:00\"" + ($0.2.map { ", participantNumbers: \($0)" } ?? "") + " }" }
        .joined(separator: ",\n  ") + " ]")

    @Test("within the academic year: a repeat and a line with no numbers are excluded with their reasons")
    func academicYear() throws {
        let report = try ComplianceFixture.evaluate(policy: Self.policy("academic-year"), scenario: Self.scenario, asOf: "2026-04-01")
        // October: r1 (S1, S2), new: met
        #expect(report.cell("L001", "r", "2025-10")?.counted == ["r1"])
        // November: r2 names S2, met in r1: excluded; r3 (S4) is new: met with 1
        let november = try #require(report.cell("L001", "r", "2025-11"))
        #expect(november.status == .met && november.counted == ["r3"] && november.excluded == [ComplianceExclusion(id: "r2", reason: .repeatParticipant)])
        // December: r4 names no one; r5's S3 took part only in the refused r2, so S3 is new
        let december = try #require(report.cell("L001", "r", "2025-12"))
        #expect(december.counted == ["r5"] && december.excluded == [ComplianceExclusion(id: "r4", reason: .participantsUnrecorded)])
        // March 2026: S1 met in October, the same academic year: nothing counts, missed
        let march = try #require(report.cell("L001", "r", "2026-03"))
        #expect(march.status == .missed && march.excluded == [ComplianceExclusion(id: "r6", reason: .repeatParticipant)])
    }

    @Test("within the term: the spring term starts afresh")
    func term() throws {
        let report = try ComplianceFixture.evaluate(policy: Self.policy("term"), scenario: Self.scenario, asOf: "2026-04-01")
        // r6 (S1) is term 2's first line: S1's October meeting was in term 1
        #expect(report.cell("L001", "r", "2026-03")?.status == .met && report.cell("L001", "r", "2026-03")?.counted == ["r6"])
        #expect(report.cell("L001", "r", "2025-11")?.excluded == [ComplianceExclusion(id: "r2", reason: .repeatParticipant)])
    }

    @Test("without the option numbers change nothing")
    func withoutOption() throws {
        let policy = ComplianceFixture.policy(rules: """
              - id: r
                who: school-leader
                count: { kinds: [reception-day], atLeast: 2, per: month }
            """)
        let report = try ComplianceFixture.evaluate(policy: policy, scenario: Self.scenario, asOf: "2026-04-01")
        // November: r2 and r3 both count: 2 ≥ 2
        #expect(report.cell("L001", "r", "2025-11")?.status == .met)
    }

    @Test("an unknown window is refused at its position")
    func nonsense() throws {
        let found = PolicyNonsenseTests.diagnostics("count: { kinds: [reception-day], atLeast: 1, per: month, distinctParticipantsWithin: week }")
        #expect(found.count == 1 && found.first?.line == 8 && found.first?.message.zh.contains("week") == true, "\(found)")
        let text = PolicyExplainer.describe(try PolicyLoader.load(Self.policy("academic-year"), fileName: "t.yaml"))
        #expect(text.contains("同一学生一学年内不重复"), "\(text)")
    }

    @Test("a contact record without participantNumbers still decodes (older JSON)")
    func codable() throws {
        let record = ContactRecord(id: "x", cadreStaffNumber: "L001", kind: "reception-day", start: Date(timeIntervalSince1970: 0),
                                   end: Date(timeIntervalSince1970: 3600), participantNumbers: ["S1"])
        var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(record)) as! [String: Any]
        #expect(json["participantNumbers"] as? [String] == ["S1"])
        json.removeValue(forKey: "participantNumbers")
        let old = try JSONDecoder().decode(ContactRecord.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(old.participantNumbers == nil)
    }
}
