import Foundation
import Testing
@testable import YixianCore

/// Properties checked on seeded random universities, under the built-in benchmark policy (every rule kind)
/// and the richest preset.
@Suite("Compliance properties")
struct CompliancePropertyTests {
    static let seeds: [UInt64] = [1, 7, 42, 2025]

    static func policies() throws -> [Policy] {
        [try PolicyLoader.load(SyntheticUniversity.benchmarkPolicy), try PolicyLoader.load(try ComplianceFixture.preset("hnust-2025"))]
    }

    static func university(_ seed: UInt64) -> ComplianceScenario {
        SyntheticUniversity.make(seed: seed, cadres: 40, collectives: 120, contacts: 1_500)
    }

    static func key(_ cell: ComplianceCell) -> String { "\(cell.subject.id)|\(cell.ruleID)|\(cell.period.id)" }

    static func shuffled<T>(_ items: [T], _ random: inout SyntheticUniversity.Random) -> [T] {
        var items = items
        for i in stride(from: items.count - 1, to: 0, by: -1) { items.swapAt(i, random.int(0..<(i + 1))) }
        return items
    }

    @Test("adding a qualifying record never lowers an achieved count", arguments: seeds)
    func addingRecordNeverLowers(seed: UInt64) throws {
        for policy in try Self.policies() {
            // setup: one more submitted line for a random cadre, of a random kind, with one of the cadre's collectives
            let base = Self.university(seed)
            var random = SyntheticUniversity.Random(state: seed &* 31)
            var more = base
            for n in 0..<20 {
                let cadre = random.pick(base.roster.cadres)
                let own = base.pairings.filter { $0.cadreStaffNumber == cadre.staffNumber }.compactMap(\.collectiveCode)
                let day = LocalDate(year: 2025, month: 9, day: 1)!.adding(days: random.int(0..<200))
                let start = day.startInstant().addingTimeInterval(10 * 3600)
                more.contacts.append(ContactRecord(id: "extra-\(n)", cadreStaffNumber: cadre.staffNumber,
                                                   kind: random.pick(SyntheticUniversity.contactKinds), start: start,
                                                   end: start.addingTimeInterval(3600), venue: random.chance(0.5) ? "dorm" : nil,
                                                   collectiveCodes: own.isEmpty ? [] : [random.pick(own)], collegeCode: cadre.unitCode,
                                                   participantCount: 3, confirmedByStudents: 1))
            }
            let asOf = LocalDate("2026-04-30")!
            // act
            let before = ComplianceEngine.evaluate(base.input(policy: policy), asOf: asOf)
            let after = ComplianceEngine.evaluate(more.input(policy: policy), asOf: asOf)
            // check
            let afterByKey = Dictionary(after.cells.map { (Self.key($0), $0) }, uniquingKeysWith: { a, _ in a })
            #expect(after.cells.count == before.cells.count)
            var lowered: [String] = []
            for cell in before.cells where (afterByKey[Self.key(cell)]?.achieved ?? -1) < cell.achieved { lowered.append(Self.key(cell)) }
            #expect(lowered.isEmpty, "\(policy.id): \(lowered.prefix(5))")
            #expect(after.cells.map(\.achieved).reduce(0, +) > before.cells.map(\.achieved).reduce(0, +))
        }
    }

    @Test("verdicts do not depend on the order of the facts", arguments: seeds)
    func orderIndependence(seed: UInt64) throws {
        for policy in try Self.policies() {
            // setup
            let base = Self.university(seed)
            var random = SyntheticUniversity.Random(state: seed &+ 99)
            var shuffled = base
            shuffled.contacts = Self.shuffled(base.contacts, &random)
            shuffled.pairings = Self.shuffled(base.pairings, &random)
            shuffled.cases = Self.shuffled(base.cases, &random)
            shuffled.filings = Self.shuffled(base.filings, &random)
            shuffled.roster.cadres = Self.shuffled(base.roster.cadres, &random)
            shuffled.roster.units = Self.shuffled(base.roster.units, &random)
            shuffled.roster.collectives = Self.shuffled(base.roster.collectives, &random)
            let asOf = LocalDate("2025-12-10")!
            // act
            let first = PolicyCLI.json(ComplianceEngine.evaluate(base.input(policy: policy), asOf: asOf))
            let second = PolicyCLI.json(ComplianceEngine.evaluate(shuffled.input(policy: policy), asOf: asOf))
            // check
            #expect(first == second)
            #expect(first.count > 1_000)
        }
    }

    @Test("a later as-of day never turns met into missed for a closed period", arguments: seeds)
    func laterAsOfKeepsMet(seed: UInt64) throws {
        for policy in try Self.policies() {
            // setup
            let input = Self.university(seed).input(policy: policy)
            let days = ["2025-10-20", "2025-12-01", "2026-01-25", "2026-04-01", "2026-07-10"].map { LocalDate($0)! }
            // act
            let reports = days.map { ComplianceEngine.evaluate(input, asOf: $0) }
            // check
            var checked = 0
            for (earlier, later) in zip(reports, reports.dropFirst()) {
                let laterByKey = Dictionary(later.cells.map { (Self.key($0), $0) }, uniquingKeysWith: { a, _ in a })
                for cell in earlier.cells where cell.status == .met && cell.period.end < earlier.asOf {
                    checked += 1
                    #expect(laterByKey[Self.key(cell)]?.status == .met, "\(policy.id) \(Self.key(cell)) as of \(later.asOf)")
                }
            }
            #expect(checked > 0)
        }
    }

    @Test("evaluation is deterministic for the same input and as-of day")
    func deterministic() throws {
        // setup
        let input = Self.university(5).input(policy: try PolicyLoader.load(SyntheticUniversity.benchmarkPolicy))
        // act
        let runs = (0..<2).map { _ in PolicyCLI.json(ComplianceEngine.evaluate(input, asOf: LocalDate("2026-03-15")!)) }
        // check
        #expect(runs[0] == runs[1])
    }
}
