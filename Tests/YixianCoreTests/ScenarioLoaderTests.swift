import Foundation
import Testing
@testable import YixianCore

@Suite("Scenario loader")
struct ScenarioLoaderTests {
    @Test("the example scenario loads and every preset evaluates it", arguments: PolicyTestFiles.presetIDs)
    func exampleScenario(id: String) throws {
        // setup
        let scenarioText = try PolicyTestFiles.text("scenarios/small-university.yaml")
        let policyText = try PolicyTestFiles.text("policies/\(id).yaml")
        // act
        let scenario = try ScenarioLoader.load(scenarioText)
        let json = PolicyCLI.evaluate(policyText: policyText, scenarioText: scenarioText, asOf: LocalDate("2025-10-20")!, format: .json)
        let csv = PolicyCLI.evaluate(policyText: policyText, scenarioText: scenarioText, asOf: LocalDate("2025-10-20")!, format: .csv)
        let table = PolicyCLI.evaluate(policyText: policyText, scenarioText: scenarioText, asOf: LocalDate("2025-10-20")!, format: .table)
        // check
        #expect(scenario.roster.cadres.count == 6 && scenario.contacts.count == 11 && scenario.roster.cadreChanges.count == 1)
        let decoded = try JSONDecoder().decode(ComplianceReport.self, from: Data(json.utf8))
        #expect(decoded.policyID == id && !decoded.cells.isEmpty)
        #expect(csv.split(separator: "\n").count == decoded.cells.count + 1)
        #expect(table.contains("截至 2025-10-20"))
    }

    @Test("instants: China time by default, offsets and UTC honoured, bare dates at 09:00")
    func instants() throws {
        // act
        let local = try #require(ScenarioLoader.instant("2025-09-07T23:59:59"))
        let offset = try #require(ScenarioLoader.instant("2025-09-07T23:59:59+08:00"))
        let utc = try #require(ScenarioLoader.instant("2025-09-07T15:59:59Z"))
        let bare = try #require(ScenarioLoader.instant("2025-09-07"))
        // check
        #expect(local == offset && offset == utc)
        #expect(LocalDate(local) == LocalDate("2025-09-07"))
        #expect(LocalDate(local.addingTimeInterval(1)) == LocalDate("2025-09-08"))
        #expect(bare == LocalDate("2025-09-07")!.startInstant().addingTimeInterval(9 * 3600))
        #expect(ScenarioLoader.instant("2025-09-07T25:00") == nil && ScenarioLoader.instant("yesterday") == nil)
    }

    @Test("unknown references and bad values are named with line and column")
    func errors() throws {
        // setup
        let text = ComplianceFixture.scenario(
            contacts: """
            [ { id: a, cadre: NOBODY, kind: dorm-visit, start: "2025-09-04T19:00" },
              { id: b, cadre: L001, kind: dorm-visit, start: "at dawn" } ]
            """,
            pairings: "[ { cadre: L001, collective: NOWHERE } ]")
        // act
        var diagnostics: [YAMLDiagnostic] = []
        do { _ = try ScenarioLoader.load(text) } catch { diagnostics = error.diagnostics }
        // check
        #expect(diagnostics.map(\.code) == [.unknownReference, .unknownReference, .invalidValue])
        #expect(diagnostics.allSatisfy { $0.line > 30 && $0.column > 1 })
        #expect(diagnostics.contains { $0.message.en.contains("NOBODY") })
        #expect(diagnostics.contains { $0.message.en.contains("NOWHERE") })
    }

    @Test("a post change keeps the fields it does not name")
    func postChange() throws {
        // setup
        let text = ComplianceFixture.scenario(changes: "[ { staff: C001, from: 2025-11-01, unit: XGB, posts: [学生工作部部长] } ]")
        // act
        let scenario = try ScenarioLoader.load(text)
        // check
        let change = try #require(scenario.roster.cadreChanges.first)
        #expect(change.effectiveOn == LocalDate("2025-11-01"))
        #expect(change.cadre.unitCode == "XGB" && change.cadre.posts == ["学生工作部部长"])
        #expect(change.cadre.rank == .director && change.cadre.partyMember && change.cadre.name == "刘院长")
    }
}
