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
        return URL(fileURLWithPath: "/work/main")
    }()

    static func text(_ relative: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
    }

    static let presetIDs = ["moe-2019", "seu-2019", "suda-2019", "hnust-2025", "bsu-2021"]
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
