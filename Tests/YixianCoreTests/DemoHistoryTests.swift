import Foundation
import Testing
@testable import YixianCore

/// The standard demo with a history as of a day in the autumn term (the previous term is last
/// year's spring) and one in the spring term (both terms in the current year).
enum DemoHistoryFixture {
    static let autumnDay = LocalDate(year: 2025, month: 11, day: 20)!
    static let springDay = LocalDate(year: 2026, month: 4, day: 15)!
    static let seed: UInt64 = 2019_0034

    static let autumnDemo = DemoUniversity.generate(scale: .standard, seed: seed, asOf: autumnDay)
    static let springDemo = DemoUniversity.generate(scale: .standard, seed: seed, asOf: springDay)
    static let hnust = preset("hnust-2025")
    static let moe = preset("moe-2019")
    static let autumn = DemoHistory.generate(for: autumnDemo, policy: hnust, asOf: autumnDay, seed: seed)
    static let spring = DemoHistory.generate(for: springDemo, policy: hnust, asOf: springDay, seed: seed)

    /// A preset from the repository's `policies/`, found from this file's path.
    static func preset(_ id: String) -> Policy {
        var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        while url.path != "/" {
            url.deleteLastPathComponent()
            let file = url.appendingPathComponent("policies/\(id).yaml")
            if let text = try? String(contentsOf: file, encoding: .utf8) {
                do { return try PolicyLoader.load(text, fileName: "\(id).yaml") } catch { fatalError("\(id) does not load: \(error)") }
            }
        }
        fatalError("policies/\(id).yaml not found above \(#filePath)")
    }

    /// Cadre cells of both academic years the history touches, as of its day, for periods that
    /// start in a covered term (last year's autumn has no history, so it is left out).
    static func cadreCells(_ history: DemoHistory, demo: DemoUniversity, policy: Policy) -> [ComplianceCell] {
        let index = ComplianceIndex(history.complianceInput(for: demo, policy: policy))
        let first = AcademicCalendar(years: demo.academicYears).term(id: history.termIDs[0])!.range.start
        return demo.academicYears.flatMap { year in
            ComplianceEngine.evaluate(index, asOf: history.asOf, academicYearID: year.id).cells
                .filter { $0.subject.kind == .cadre && $0.period.start >= first }
        }
    }
}

// MARK: Shape of the ledger

@Test func demoHistoryNeverRecordsAfterTheAsOfDay() {
    // setup
    let histories = [DemoHistoryFixture.autumn, DemoHistoryFixture.spring]

    // check
    for history in histories {
        #expect(!history.contacts.isEmpty)
        #expect(history.contacts.allSatisfy { $0.endDay <= history.asOf })
        #expect(history.filings.allSatisfy { $0.submittedOn <= history.asOf })
    }
}

@Test func demoHistoryIsDeterministicBySeed() {
    // setup
    let demo = DemoHistoryFixture.autumnDemo, policy = DemoHistoryFixture.hnust, day = DemoHistoryFixture.autumnDay

    // act
    let again = DemoHistory.generate(for: demo, policy: policy, asOf: day, seed: DemoHistoryFixture.seed)
    let other = DemoHistory.generate(for: demo, policy: policy, asOf: day, seed: DemoHistoryFixture.seed + 1)

    // check
    #expect(again == DemoHistoryFixture.autumn)
    #expect(other.contacts != DemoHistoryFixture.autumn.contacts)
    #expect(other.diligence != DemoHistoryFixture.autumn.diligence)
}

@Test func demoHistoryCoversThePreviousAndTheCurrentTerm() throws {
    // setup
    let history = DemoHistoryFixture.autumn
    let calendar = AcademicCalendar(years: DemoHistoryFixture.autumnDemo.academicYears)

    // act
    let terms = history.contacts.map { calendar.term(containing: $0.startDay)?.id }

    // check: last academic year whole and this one so far; every line lies in a covered term, each has plenty
    #expect(history.termIDs == ["2024-2025-1", "2024-2025-2", "2025-2026-1"])
    let outside = zip(history.contacts, terms).filter { $0.1 == nil || !history.termIDs.contains($0.1!) }.map { $0.0.startDay.iso }
    #expect(outside.isEmpty, "\(outside.prefix(10))")
    for id in history.termIDs { #expect(terms.count { $0 == id } > 500) }
    #expect((3_000...18_000).contains(history.contacts.count))
}

@Test func demoHistoryRefersOnlyToTheRosterAndTheVocabulary() {
    // setup
    let demo = DemoHistoryFixture.autumnDemo, history = DemoHistoryFixture.autumn, vocabulary = DemoHistoryFixture.hnust.vocabulary
    let cadres = Set(demo.cadres.map(\.staffNumber)), collectives = Set(demo.collectives.map(\.code)), units = Set(demo.units.map(\.code))

    // check
    for record in history.contacts {
        #expect(cadres.contains(record.cadreStaffNumber), "\(record.id)")
        #expect(record.collectiveCodes.allSatisfy(collectives.contains), "\(record.id)")
        #expect(record.collegeCode.map(units.contains) ?? true, "\(record.id)")
        #expect(vocabulary.kind(record.kind) != nil, "\(record.id)")
        #expect(record.venue.map { vocabulary.venue($0) != nil } ?? true, "\(record.id)")
        #expect(record.participantCount >= 0 && record.confirmedByStudents <= max(record.participantCount, 0))
    }
    #expect(history.filings.allSatisfy { units.contains($0.unitCode) || $0.unitCode == Filing.schoolUnitCode })
    #expect(history.earlierPairings.allSatisfy { cadres.contains($0.cadreStaffNumber) && ($0.collectiveCode.map(collectives.contains) ?? true) })
}

@Test func demoHistoryLinesMostlyUseTheCadresOwnCollectives() {
    // setup
    let demo = DemoHistoryFixture.springDemo, history = DemoHistoryFixture.spring
    var own: [String: Set<String>] = [:]
    for pairing in demo.pairings + history.addedPairings { if let code = pairing.collectiveCode { own[pairing.cadreStaffNumber, default: []].insert(code) } }
    let linkedCadres = Set(own.keys)

    // act
    let withCollective = history.contacts.filter { !$0.collectiveCodes.isEmpty && linkedCadres.contains($0.cadreStaffNumber) }
    let withOwn = withCollective.filter { record in record.collectiveCodes.contains { own[record.cadreStaffNumber]!.contains($0) } }

    // check
    #expect(Double(withOwn.count) > 0.5 * Double(withCollective.count))
    #expect(history.contacts.contains { $0.confirmedByStudents > 0 && $0.status == .confirmed })
    #expect(history.contacts.contains { $0.confirmedByStudents == 0 && $0.status == .submitted })
}

@Test func demoHistoryHappensOnWorkingDaysAtWorkingHoursWithFewExceptions() {
    // setup
    let history = DemoHistoryFixture.autumn
    let terms = DemoHistoryFixture.autumnDemo.academicYears.flatMap(\.terms)
    func offDay(_ day: LocalDate) -> Bool {
        !WorkdayCalendar.prc.isWorkday(day) || terms.contains { $0.vacations.contains { $0.contains(day) } }
    }

    // act
    let hours = history.contacts.map { Calendar.chinaHour(of: $0.start) }
    let off = history.contacts.count { offDay($0.startDay) }

    // check: daytime and evenings only; weekends and holidays are rare but happen
    #expect(hours.allSatisfy { (8...21).contains($0) })
    #expect(off > 0)
    #expect(Double(off) < 0.05 * Double(history.contacts.count))
}

@Test func demoHistoryDrawsTheAgreedBehaviourMix() {
    // setup
    let diligence = DemoHistoryFixture.autumn.diligence

    // act
    let share = { (kind: DemoDiligence) in Double(diligence.values.count { $0 == kind }) / Double(diligence.count) }

    // check
    #expect(diligence.count == DemoHistoryFixture.autumnDemo.cadres.count)
    #expect(abs(share(.diligent) - 0.70) < 0.02)
    #expect(abs(share(.partial) - 0.15) < 0.02)
    #expect(abs(share(.behind) - 0.15) < 0.02)
}

// MARK: What the engine makes of it

@Test(arguments: ["hnust-2025", "moe-2019"])
func demoHistoryGivesMetAndMissedCellsAndDiligentCadresDoBetter(policyID: String) {
    // setup
    let policy = policyID == "hnust-2025" ? DemoHistoryFixture.hnust : DemoHistoryFixture.moe
    let demo = DemoHistoryFixture.autumnDemo
    let history = DemoHistory.generate(for: demo, policy: policy, asOf: DemoHistoryFixture.autumnDay, seed: DemoHistoryFixture.seed)

    // act
    let cells = DemoHistoryFixture.cadreCells(history, demo: demo, policy: policy).filter { $0.severity == .required }
    func metRate(_ kind: DemoDiligence) -> Double {
        let mine = cells.filter { history.diligence[$0.subject.id] == kind && $0.status != .notYetDue }
        return Double(mine.count { $0.status == .met }) / Double(max(1, mine.count))
    }
    let diligentMet = cells.count { history.diligence[$0.subject.id] == .diligent && $0.status == .met }
    let behindMet = cells.count { history.diligence[$0.subject.id] == .behind && $0.status == .met }

    // check
    #expect(cells.contains { $0.status == .met })
    #expect(cells.contains { $0.status == .missed })
    #expect(diligentMet > behindMet)
    #expect(metRate(.diligent) > metRate(.behind) + 0.2)
}

@Test func demoHistoryShowsEveryVerdictUnderTheDemoPolicy() {
    // setup
    let history = DemoHistoryFixture.spring, demo = DemoHistoryFixture.springDemo

    // act
    let statuses = Set(DemoHistoryFixture.cadreCells(history, demo: demo, policy: DemoHistoryFixture.hnust).map(\.status))

    // check
    #expect(statuses.isSuperset(of: [.met, .onTrack, .atRisk, .missed]))
}

@Test func demoHistoryFilesSomeOnTimeSomeLateSomeNever() {
    // setup
    let history = DemoHistoryFixture.spring, demo = DemoHistoryFixture.springDemo
    let input = history.complianceInput(for: demo, policy: DemoHistoryFixture.hnust)

    // act
    let report = ComplianceEngine.evaluate(input, asOf: history.asOf)
    let filingRules = Set(DemoHistoryFixture.hnust.rules.filter { if case .filing = $0.body { true } else { false } }.map(\.id))
    let closed = report.cells.filter { filingRules.contains($0.ruleID) && ($0.due.map { $0 < history.asOf } ?? false) }

    // check
    #expect(closed.contains { $0.status == .met })
    #expect(closed.contains { $0.status == .missed && $0.excluded.contains { $0.reason == .late } })
    #expect(closed.contains { $0.status == .missed && $0.excluded.isEmpty })
}

@Test func demoHistoryCarriesLinksBackOnlyIntoAnEarlierYear() {
    // setup
    let autumn = DemoHistoryFixture.autumn, spring = DemoHistoryFixture.spring
    let collectives = Dictionary(uniqueKeysWithValues: DemoHistoryFixture.autumnDemo.collectives.map { ($0.code, $0) })

    // check: last year's links exist for last year, and no class in them is younger than that year
    for history in [autumn, spring] {
        #expect(!history.earlierPairings.isEmpty)
        #expect(history.earlierPairings.allSatisfy { $0.academicYearID == "2024-2025" })
        #expect(history.earlierPairings.allSatisfy { p in p.collectiveCode.flatMap { collectives[$0]?.grade }.map { $0 <= 2024 } ?? true })
    }
}

// MARK: Scale

@Test func demoHistoryAtLargeScaleHoldsAboutFortyThousandLinesAYear() {
    // setup: as of the end of the spring term, the history is two whole academic years
    let day = LocalDate(year: 2026, month: 7, day: 5)!
    let demo = DemoUniversity.generate(scale: .large, seed: 7, asOf: day)

    // act
    let history = DemoHistory.generate(for: demo, policy: DemoHistoryFixture.hnust, asOf: day, seed: 7)

    // check
    #expect(history.termIDs == ["2024-2025-1", "2024-2025-2", "2025-2026-1", "2025-2026-2"])
    let thisYear = demo.academicYears.last!.range
    #expect((35_000...45_000).contains(history.contacts.count { thisYear.contains($0.startDay) }))
    #expect((70_000...90_000).contains(history.contacts.count))
}

extension Calendar {
    /// The hour of an instant on a China Standard Time clock.
    fileprivate static func chinaHour(of instant: Date) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 8 * 3600)!
        return calendar.component(.hour, from: instant)
    }
}

@Test func demoHistoryGivesDiligentCadresThePairingsThePolicyRequires() {
    // setup
    let history = DemoHistoryFixture.autumn, demo = DemoHistoryFixture.autumnDemo, policy = DemoHistoryFixture.hnust
    let pairingRules = Set(policy.rules.filter { if case .pairing = $0.body { true } else { false } }.map(\.id))

    // act
    let cells = DemoHistoryFixture.cadreCells(history, demo: demo, policy: policy).filter { pairingRules.contains($0.ruleID) && $0.status != .notYetDue }
    let diligent = cells.filter { history.diligence[$0.subject.id] == .diligent }
    let behind = cells.filter { history.diligence[$0.subject.id] == .behind }

    // check: every diligent cadre has the links; some clearly behind ones still lack them
    #expect(!history.addedPairings.isEmpty)
    #expect(!diligent.isEmpty)
    #expect(diligent.allSatisfy { $0.status == .met }, "\(diligent.filter { $0.status != .met }.map { "\($0.subject.id) \($0.ruleID)" }.prefix(5))")
    #expect(behind.contains { $0.status != .met })
    #expect(history.addedPairings.allSatisfy { $0.academicYearID == demo.currentAcademicYear.id && $0.collectiveCode != nil })
}

@Test func demoHistoryRarelyOverlapsAndDiligentCadresGetConfirmed() {
    // setup
    let history = DemoHistoryFixture.autumn, vocabulary = DemoHistoryFixture.hnust.vocabulary
    let inputs = history.contacts.map { IntegrityInput(record: $0, createdAt: $0.end) }
    let inPerson = Set(vocabulary.kinds.filter(\.inPerson).map(\.code))

    // act
    let flags = IntegrityDetector.flags(records: inputs, kindsExpectingStudents: inPerson, asOf: history.asOf)
    let overlaps = flags.count { $0.kind == .overlap }
    func unconfirmedShare(_ kind: DemoDiligence) -> Double {
        let lines = history.contacts.filter { history.diligence[$0.cadreStaffNumber] == kind && inPerson.contains($0.kind) }
        return Double(lines.count { $0.confirmedByStudents == 0 }) / Double(max(1, lines.count))
    }

    // check: one cadre does one thing after another; flags point at the cadres who are behind
    #expect(Double(overlaps) < 0.005 * Double(history.contacts.count), "\(overlaps) overlaps")
    #expect(unconfirmedShare(.diligent) < 0.05)
    #expect(unconfirmedShare(.behind) > unconfirmedShare(.diligent) + 0.3)
}
