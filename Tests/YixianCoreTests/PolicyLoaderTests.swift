import Foundation
import Testing
@testable import YixianCore

/// The repository root, found from this file's path, so preset files are read where they live.
enum PolicyTestFiles {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("policies").path) { return url }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    static func text(_ relative: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
    }

    static let presetIDs = ["moe-2019", "seu-2019", "suda-2019", "hnust-2025", "bsu-2021"]

    /// The first ```yaml block after `marker` in docs/POLICY-FORMAT.md.
    static func formatExample(after marker: String) throws -> String {
        let doc = try text("docs/POLICY-FORMAT.md")
        let section = try #require(doc.range(of: marker))
        let tail = doc[section.upperBound...]
        let open = try #require(tail.range(of: "```yaml\n"))
        let close = try #require(tail[open.upperBound...].range(of: "```"))
        return String(tail[open.upperBound..<close.lowerBound])
    }
}

@Suite("Policy presets")
struct PolicyPresetTests {
    @Test("every preset loads without a diagnostic", arguments: PolicyTestFiles.presetIDs)
    func presetLoads(id: String) throws {
        // setup
        let text = try PolicyTestFiles.text("policies/\(id).yaml")
        // act
        let diagnostics = PolicyLoader.diagnostics(text)
        let policy = try PolicyLoader.load(text, fileName: "\(id).yaml")
        // check
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(policy.id == id)
        #expect(!policy.rules.isEmpty)
    }

    @Test("every preset rule quotes its source", arguments: PolicyTestFiles.presetIDs)
    func everyRuleQuotesSource(id: String) throws {
        // setup
        let policy = try PolicyLoader.load(try PolicyTestFiles.text("policies/\(id).yaml"))
        // act
        let unsourced = policy.rules.filter { ($0.source ?? "").isEmpty }.map(\.id)
        // check
        #expect(unsourced.isEmpty)
    }
}

@Suite("Policy loader errors")
struct PolicyLoaderErrorTests {
    /// A valid policy; each test breaks one line of it.
    static let valid = """
        id: demo
        title: 示例
        roles:
          school-leader: { rank: [school-leader] }
        rules:
          - id: weekly
            who: school-leader
            count: { kinds: [face-to-face], atLeast: 1, per: week }
        """

    static func diagnostics(replacing old: String, with new: String) -> [YAMLDiagnostic] {
        PolicyLoader.diagnostics(valid.replacingOccurrences(of: old, with: new))
    }

    @Test("the valid policy has no diagnostic")
    func validPolicy() {
        // act
        let diagnostics = PolicyLoader.diagnostics(Self.valid)
        // check
        #expect(diagnostics.isEmpty)
    }

    @Test("an unknown role is named with its line and column")
    func unknownRole() throws {
        // act
        let diagnostics = Self.diagnostics(replacing: "who: school-leader", with: "who: president")
        // check
        let only = try #require(diagnostics.first)
        #expect(diagnostics.count == 1)
        #expect(only.code == .unknownRole)
        #expect((only.line, only.column) == (7, 10))
        #expect(only.message.zh.contains("president") && only.message.en.contains("school-leader"))
    }

    @Test("an unknown activity kind is named with its line and column")
    func unknownKind() throws {
        // act
        let diagnostics = Self.diagnostics(replacing: "kinds: [face-to-face]", with: "kinds: [face-to-face, karaoke]")
        // check
        let only = try #require(diagnostics.first)
        #expect(diagnostics.count == 1)
        #expect(only.code == .unknownKind)
        #expect((only.line, only.column) == (8, 36))
        #expect(only.message.en.contains("karaoke"))
    }

    @Test("a count below zero is refused at its position")
    func negativeCount() throws {
        // act
        let diagnostics = Self.diagnostics(replacing: "atLeast: 1", with: "atLeast: -2")
        // check
        let only = try #require(diagnostics.first)
        #expect(diagnostics.count == 1)
        #expect(only.code == .negativeCount)
        #expect((only.line, only.column) == (8, 46))
    }

    @Test("optional fields: absent is fine, given and invalid is reported once, and groups may name earlier groups")
    func optionalFields() throws {
        // A filing rule without term or deadline, then with a bad term, then with a bad deadline.
        let filing = """
            id: demo
            title: 示例
            vocabulary:
              kindGroups:
                talks: [heart-to-heart]
                close: [talks, dorm-visit]
            rules:
              - id: summary
                who: school
                filing: { kind: semester-summary, per: term }
              - id: near
                who: school-leader
                count: { kinds: [close], atLeast: 1, per: term }
            roles:
              school-leader: { rank: [school-leader] }
            """
        let policy = try PolicyLoader.load(filing)
        guard case .filing(let body) = try #require(policy.rules.first).body else { Issue.record("not a filing rule"); return }
        #expect(body.term == nil && body.deadline == nil)
        guard case .count(let count) = policy.rules[1].body else { Issue.record("not a count rule"); return }
        #expect(count.filter.kinds == ["heart-to-heart", "dorm-visit"])
        let badTerm = PolicyLoader.diagnostics(filing.replacingOccurrences(of: "per: term }\n  - id: near", with: "per: term, term: 0 }\n  - id: near"))
        #expect(badTerm.map(\.code) == [.invalidValue], "\(badTerm)")
        #expect(badTerm.first?.message.en == "term counts from 1")
        let badDeadline = PolicyLoader.diagnostics(filing.replacingOccurrences(of: "per: term }\n  - id: near", with: "per: term, deadline: someday }\n  - id: near"))
        #expect(badDeadline.map(\.code) == [.badDeadline], "\(badDeadline)")
        let unknownInGroup = PolicyLoader.diagnostics(filing.replacingOccurrences(of: "[talks, dorm-visit]", with: "[talks, karaoke]"))
        #expect(unknownInGroup.map(\.code) == [.unknownKind] && unknownInGroup.first?.message.en == "unknown activity kind “karaoke”")
    }

    @Test("an unknown period lists the periods that exist")
    func unknownPeriod() throws {
        // act
        let diagnostics = Self.diagnostics(replacing: "per: week", with: "per: fortnight")
        // check
        let only = try #require(diagnostics.first)
        #expect(diagnostics.count == 1)
        #expect(only.code == .unknownPeriod)
        #expect((only.line, only.column) == (8, 54))
        #expect(only.message.en.contains("academic-year"))
    }

    @Test("several problems are all reported, in position order, with the file name")
    func severalProblems() {
        // setup
        let text = Self.valid.replacingOccurrences(of: "who: school-leader", with: "who: dean")
            .replacingOccurrences(of: "per: week", with: "per: decade")
            .replacingOccurrences(of: "rank: [school-leader]", with: "rank: [emperor]")
        // act
        let result = PolicyCLI.check(text: text, fileName: "bad.yaml")
        let codes = PolicyLoader.diagnostics(text).map(\.code)
        // check
        #expect(!result.ok)
        #expect(codes == [.unknownRank, .unknownRole, .unknownPeriod])
        #expect(result.output.hasPrefix("bad.yaml:4:"))
    }

    @Test("YAML syntax errors, unknown fields, a missing body and role cycles are reported")
    func structuralProblems() {
        // act
        let syntax = PolicyLoader.diagnostics("id: [unclosed\ntitle: x\n")
        let unknownField = Self.diagnostics(replacing: "    who: school-leader", with: "    who: school-leader\n    whom: school-leader")
        let noBody = Self.diagnostics(replacing: "    count: { kinds: [face-to-face], atLeast: 1, per: week }", with: "")
        let cycle = Self.diagnostics(replacing: "school-leader: { rank: [school-leader] }",
                                     with: "school-leader: { role: leader }\n  leader: { role: school-leader }")
        // check
        #expect(syntax.map(\.code) == [.syntax] && syntax.first.map { $0.line >= 2 } == true, "\(syntax)")
        #expect(unknownField.map(\.code) == [.unknownField] && unknownField.first?.line == 8)
        #expect(noBody.map(\.code) == [.missingField])
        #expect(cycle.map(\.code) == [.roleCycle, .roleCycle])
    }

    @Test("own-collectives through key-student pairings can never match and is refused")
    func keyStudentScopeIsRefused() throws {
        // act
        let refused = Self.diagnostics(replacing: "count: { kinds: [face-to-face], atLeast: 1, per: week }",
                                       with: "count: { kinds: [heart-to-heart], atLeast: 1, per: term, scope: own-collectives, pairingKinds: [key-student] }")
        let accepted = Self.diagnostics(replacing: "count: { kinds: [face-to-face], atLeast: 1, per: week }",
                                        with: "count: { kinds: [heart-to-heart], atLeast: 1, per: term, scope: own-collectives, pairingKinds: [linked] }")
        // check
        #expect(refused.map(\.code) == [.invalidValue], "\(refused)")
        #expect(refused.first?.message.zh.contains("重点联系学生") == true)
        #expect(accepted.isEmpty, "\(accepted)")
    }

    @Test("English messages name the format's parts in English")
    func englishMessagesAreEnglish() {
        // act
        let unknown = Self.diagnostics(replacing: "school-leader: { rank: [school-leader] }", with: "school-leader: { rank: [school-leader], grade: 3 }")
        let kind = Self.diagnostics(replacing: "count: { kinds: [face-to-face], atLeast: 1, per: week }",
                                    with: "pairing: { collectiveKinds: [college], atLeast: 1 }")
        // check
        #expect(unknown.first?.message.en.contains("in role selector") == true, "\(unknown)")
        #expect(unknown.first?.message.zh.contains("角色选择器") == true)
        #expect(kind.first?.message.en.contains("unknown collective kind “college”") == true, "\(kind)")
    }

    @Test("check accepts every preset and explain names every rule")
    func checkAndExplainPresets() throws {
        for id in PolicyTestFiles.presetIDs {
            // setup
            let text = try PolicyTestFiles.text("policies/\(id).yaml")
            // act
            let check = PolicyCLI.check(text: text, fileName: "\(id).yaml")
            let policy = try PolicyLoader.load(text)
            let explanation = PolicyCLI.explain(policy)
            // check
            #expect(check.ok, "\(check.output)")
            for rule in policy.rules { #expect(explanation.contains("〔\(rule.id)〕")) }
        }
    }
}

@Suite("Policy format documentation")
struct PolicyFormatDocTests {
    @Test("the complete example in docs/POLICY-FORMAT.md, and the one of two weeks, two months and days, load and evaluate", arguments: [
        ("## 7.", ["weekly-contact", "talks", "class-head", "summary"]),
        ("**Two weeks, two months, days.**", ["fortnightly-talk", "bimonthly-lecture", "daily-rounds", "reception"]),
        ("**Upper bounds and ranges.**", ["monthly-talks", "survey-cap"]),
    ])
    func documentedExampleLoads(marker: String, ids: [String]) throws {
        // setup: the first ```yaml block after the heading of section 7 (or the marker)
        let yaml = try PolicyTestFiles.formatExample(after: marker)
        // act
        let policy = try PolicyLoader.load(yaml, fileName: "POLICY-FORMAT.md")
        let report = try ComplianceFixture.evaluate(policy: yaml, scenario: ComplianceFixture.scenario(), asOf: "2025-10-20")
        // check: every rule of the example gives cells
        #expect(policy.rules.map(\.id) == ids)
        #expect(Set(report.cells.map(\.ruleID)) == Set(ids))
    }
}

@Suite("Policy coverage documentation")
struct PolicyCoverageDocTests {
    @Test("docs/POLICY-COVERAGE.md maps every preset rule", arguments: PolicyTestFiles.presetIDs)
    func everyRuleIsMapped(id: String) throws {
        // setup: the section of the document about this preset
        let doc = try PolicyTestFiles.text("docs/POLICY-COVERAGE.md")
        let start = try #require(doc.range(of: "\n## \(id)"))
        let rest = doc[start.upperBound...]
        let section = rest[..<(rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex)]
        let policy = try PolicyLoader.load(try PolicyTestFiles.text("policies/\(id).yaml"))
        // act
        let unmapped = policy.rules.map(\.id).filter { !section.contains("`\($0)`") }
        // check
        #expect(unmapped.isEmpty, "\(id): \(unmapped)")
    }
}
