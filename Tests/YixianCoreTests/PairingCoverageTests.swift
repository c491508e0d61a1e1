import Testing
@testable import YixianCore

@Suite struct PairingCoverageTests {
    typealias F = PairingFixtures

    static let collectives = [
        F.collective("CS-C1", .class, unit: "CS"), F.collective("CS-C2", .class, unit: "CS"),
        F.collective("CS-P1", .partyBranch, unit: "CS"),
        F.collective("EE-C1", .class, unit: "EE"), F.collective("EE-D1", .dorm, unit: "EE"),
    ]
    static let cadres = [F.cadre("A", unit: "CS"), F.cadre("B", unit: "ORG", party: false), F.cadre("C", unit: "EE")]
    static let pairings = [
        F.pairing("A", "CS-C1"), F.pairing("A", "CS-P1"),
        // B's class pairing ended in October, so on the as-of day EE-C1 has nobody.
        F.pairing("B", "EE-C1", range: DateRange(start: F.yearStart, end: LocalDate(year: 2025, month: 10, day: 31)!)),
        F.pairing("C", "EE-D1"),
    ]

    static func report() -> PairingCoverageReport {
        PairingCoverage.analyze(policy: F.policy, units: F.units, cadres: cadres, collectives: collectives, pairings: pairings,
                                academicYearID: F.yearID, asOf: LocalDate(year: 2025, month: 12, day: 1)!)
    }

    @Test func uncoveredCollectivesAreThoseWithNoRunningPairing() {
        // act
        let report = Self.report()
        // check
        #expect(report.uncovered.map(\.code) == ["CS-C2", "EE-C1"])
        #expect(report.coverageRuleGaps.map(\.collectiveCode) == ["CS-C2", "EE-C1"])
        #expect(report.coverageRuleGaps.allSatisfy { $0.ruleID == "every-class" && $0.required == 1 && $0.has == 0 })
    }

    @Test func cadreGapsNameTheRuleAndWhatIsMissing() throws {
        // act
        let gaps = Self.report().cadreGaps
        // check: A has both; B (not a party member) lacks only the class; C has a dorm, which is not a class
        #expect(gaps.map { "\($0.staffNumber)/\($0.ruleID)" } == ["B/link-class", "C/link-class", "C/party-branch"])
        let branch = try #require(gaps.first { $0.ruleID == "party-branch" })
        #expect(branch.message.en == "needs 1 party branch, has 0")
        #expect(branch.message.zh == "需联系 1 个学生党支部，现有 0 个")
        #expect(gaps.allSatisfy { $0.problem == .missing && $0.has == 0 })
    }

    @Test func matrixGivesCoverageRatiosPerCollegeAndKind() throws {
        // act
        let matrix = Self.report().matrix
        // check
        #expect(matrix.kinds == [.class, .partyBranch, .dorm])
        #expect(matrix.rows.map(\.unitCode) == ["CS", "EE"])
        #expect(matrix.cell(unit: "CS", kind: .class) == CoverageCell(collectives: 2, covered: 1))
        #expect(matrix.cell(unit: "CS", kind: .class)?.ratio == 0.5)
        #expect(matrix.cell(unit: "EE", kind: .class)?.ratio == 0)
        #expect(matrix.cell(unit: "EE", kind: .partyBranch)?.ratio == nil)
        #expect(matrix.school.cells == [CoverageCell(collectives: 3, covered: 1), CoverageCell(collectives: 1, covered: 1),
                                        CoverageCell(collectives: 1, covered: 1)])
        let ee = try #require(matrix.rows.last)
        #expect(ee.total == CoverageCell(collectives: 2, covered: 1))
    }

    @Test func overMaximumIsAGapToo() {
        // setup: a policy allowing exactly one class
        var policy = F.policy
        policy.rules[0].body = .pairing(PairingRule(collectiveKinds: [.class], minimum: 1, maximum: 1))
        let pairings = Self.pairings + [F.pairing("A", "CS-C2")]
        // act
        let gaps = PairingCoverage.analyze(policy: policy, units: F.units, cadres: Self.cadres, collectives: Self.collectives,
                                           pairings: pairings, academicYearID: F.yearID, asOf: F.yearStart).cadreGaps
        // check
        let over = gaps.filter { $0.problem == .overMaximum }
        #expect(over.map(\.staffNumber) == ["A"])
        #expect(over.first?.counted == ["CS-C1", "CS-C2"])
    }

    @Test func handoverEndsThePredecessorTheDayBeforeAndKeepsHistory() throws {
        // setup
        let day = LocalDate(year: 2026, month: 3, day: 1)!
        let earlier = F.pairing("A", "CS-C2", range: DateRange(start: F.yearStart, end: LocalDate(year: 2025, month: 10, day: 1)!))
        let pairings = Self.pairings + [earlier]
        // act
        let handover = Pairing.handover(pairings, from: "A", to: "D", on: day)
        // check: A keeps the record of who was linked until the day before
        #expect(handover.ended.map(\.collectiveCode) == ["CS-C1", "CS-P1"])
        #expect(handover.ended.allSatisfy { $0.range == DateRange(start: F.yearStart, end: LocalDate(year: 2026, month: 2, day: 28)!) })
        #expect(handover.started.map(\.cadreStaffNumber) == ["D", "D"])
        #expect(handover.started.allSatisfy { $0.range == DateRange(start: day, end: F.yearEnd) })
        #expect(handover.pairings.count == pairings.count + 2)
        #expect(handover.pairings.contains(earlier))
        // coverage before and after the day names the right cadre
        let before = PairingCoverage.analyze(policy: F.policy, units: F.units, cadres: Self.cadres + [F.cadre("D", unit: "CS")],
                                             collectives: Self.collectives, pairings: handover.pairings, academicYearID: F.yearID,
                                             asOf: day.adding(days: -1))
        let after = PairingCoverage.analyze(policy: F.policy, units: F.units, cadres: Self.cadres + [F.cadre("D", unit: "CS")],
                                            collectives: Self.collectives, pairings: handover.pairings, academicYearID: F.yearID, asOf: day)
        #expect(before.cadreGaps.filter { $0.staffNumber == "A" }.isEmpty)
        #expect(before.cadreGaps.filter { $0.staffNumber == "D" }.count == 2)
        #expect(after.cadreGaps.filter { $0.staffNumber == "D" }.isEmpty)
        #expect(after.cadreGaps.filter { $0.staffNumber == "A" }.count == 2)
        #expect(before.uncovered == after.uncovered)
    }

    @Test func handoverMovesFuturePairingsWholeAndSkipsWhatTheSuccessorHolds() {
        // setup
        let day = LocalDate(year: 2026, month: 3, day: 1)!
        let future = F.pairing("A", "EE-D1", range: DateRange(start: LocalDate(year: 2026, month: 4, day: 1)!, end: F.yearEnd))
        let pairings = [F.pairing("A", "CS-C1"), future, F.pairing("D", "CS-C1")]
        // act
        let handover = Pairing.handover(pairings, from: "A", to: "D", on: day)
        // check
        #expect(handover.alreadyHeld.map(\.collectiveCode) == ["CS-C1"])
        #expect(handover.started.map(\.collectiveCode) == ["EE-D1"])
        #expect(handover.started.first?.range == future.range)
        #expect(!handover.pairings.contains(future))
        #expect(handover.pairings.filter { $0.cadreStaffNumber == "D" && $0.collectiveCode == "CS-C1" }.count == 1)
    }
}
