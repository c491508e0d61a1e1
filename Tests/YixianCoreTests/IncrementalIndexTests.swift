import Foundation
import Testing
@testable import YixianCore

/// An index updated for a few cadres' changed lines judges exactly as one built afresh from the same facts.
@Test func indexUpdatedForChangedCadresJudgesAsAFreshOne() throws {
    // setup: the autumn demo's ledger, indexed whole
    let demo = DemoHistoryFixture.autumnDemo, history = DemoHistoryFixture.autumn
    var before = history.complianceInput(for: demo, policy: DemoHistoryFixture.hnust)
    let busy = Dictionary(grouping: before.contacts, by: \.cadreStaffNumber).filter { $0.value.count >= 3 }.keys.sorted()
    try #require(busy.count >= 3)
    let edited = busy[0], removed = busy[1], idle = busy[2]
    before.contacts.removeAll { $0.cadreStaffNumber == idle }
    let previous = ComplianceIndex(before)
    var after = before
    // One cadre loses a line and has another re-kinded to a kind and venue the ledger never had,
    // one loses every line, and one who had none gains one naming a student never named before.
    let editedLines = after.contacts.indices.filter { after.contacts[$0].cadreStaffNumber == edited }
    after.contacts[editedLines[1]].kind = "never-seen-kind"
    after.contacts[editedLines[1]].venue = "never-seen-venue"
    after.contacts.remove(at: editedLines[0])
    after.contacts.removeAll { $0.cadreStaffNumber == removed }
    var added = try #require(before.contacts.first { $0.cadreStaffNumber == edited })
    added.id = "added-line"
    added.cadreStaffNumber = idle
    added.participantNumbers = ["S-NEVER-NAMED", "S-NEVER-NAMED"]
    after.contacts.append(added)
    let changed: Set = [edited, removed, idle]
    var onlyChanged = after
    onlyChanged.contacts = after.contacts.filter { changed.contains($0.cadreStaffNumber) }

    // act
    let updated = try #require(ComplianceIndex(onlyChanged, updating: previous, changed: changed))
    let fresh = ComplianceIndex(after)

    // check: the same lines per cadre, and the same verdicts in both academic years
    #expect(Set(updated.linesByCadre.keys) == Set(fresh.linesByCadre.keys))
    #expect(updated.linesByCadre[removed] == nil && updated.linesByCadre[idle]?.count == 1)
    for (staff, range) in fresh.linesByCadre {
        #expect(updated.lineIDs[updated.linesByCadre[staff]!] == fresh.lineIDs[range], "lines of \(staff)")
    }
    var judged = 0
    for year in demo.academicYears {
        let a = ComplianceEngine.evaluate(updated, asOf: history.asOf, academicYearID: year.id)
        let b = ComplianceEngine.evaluate(fresh, asOf: history.asOf, academicYearID: year.id)
        #expect(a.cells == b.cells)
        #expect(a.rollups == b.rollups)
        judged += a.cells.count
    }
    #expect(judged > 1_000)
    // The edit shows: the previous index still judges the old ledger.
    let old = ComplianceEngine.evaluate(previous, asOf: history.asOf, academicYearID: demo.academicYears.last!.id)
    let new = ComplianceEngine.evaluate(updated, asOf: history.asOf, academicYearID: demo.academicYears.last!.id)
    #expect(old.cells.filter { $0.subject.id == removed } != new.cells.filter { $0.subject.id == removed })
}

@Test func indexUpdateRefusesARosterNumberedOtherwise() {
    // setup
    let demo = DemoHistoryFixture.autumnDemo, history = DemoHistoryFixture.autumn
    let input = history.complianceInput(for: demo, policy: DemoHistoryFixture.hnust)
    let previous = ComplianceIndex(input)
    var moved = input
    moved.contacts = []
    moved.roster.collectives.insert(Collective(code: "NEW-CLASS", name: "新班", kind: .class, unitCode: input.roster.units[0].code,
                                               grade: 2025, size: 30), at: 0)

    // act / check: lines name collectives by number, so a renumbered roster needs a full build
    #expect(ComplianceIndex(moved, updating: previous, changed: []) == nil)
    var same = input
    same.contacts = []
    #expect(ComplianceIndex(same, updating: previous, changed: [])?.lineIDs == previous.lineIDs)
}
