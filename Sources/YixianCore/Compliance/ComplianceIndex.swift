import Foundation

/// The facts of a `ComplianceInput` indexed once — ledger lines reduced to numbers and grouped by
/// cadre in time order, collectives and units numbered — so that evaluating for another as-of day
/// (or another policy over the same facts) does not redo it. The server keeps one per data version.
public final class ComplianceIndex: Sendable {
    /// The input without its ledger lines: they live on as `lines`, and a second copy of a
    /// school's forty thousand records per data version is memory for nothing.
    public let input: ComplianceInput
    /// Ledger lines reduced to numbers, ordered by (cadre, start, id) so that one cadre's lines sit
    /// together in memory; `lineIDs` and `lineDays` run in the same order.
    let lines: [CompactContact]
    let lineIDs: [String]
    let lineDays: [Int32]
    let contactCollectives: [Int32]
    /// The students lines name (`participantNumbers`), numbered in order of first use; sliced by each line.
    let participantIDs: [Int32]
    /// Kind and venue codes seen in the ledger, numbered in order of first use.
    let kindIDs: [String: Int32]
    let kindCodes: [String]
    let venueIDs: [String: Int32]
    let collectiveIndex: [String: Int32]
    /// By collective index: its kind and the index of its unit (-1 when unknown).
    let collectiveKinds: [CollectiveKind]
    let collectiveUnits: [Int32]
    let unitIndex: [String: Int32]
    let unitIsCollege: [Bool]
    let unitByCode: [String: Unit]
    let collectiveByCode: [String: Collective]
    let cadres: [Cadre]
    /// Per cadre: its positions in `lines`.
    let linesByCadre: [String: Range<Int>]
    let pairingsByCadre: [String: [Pairing]]
    let changesByCadre: [String: [CadreChange]]

    public init(_ input: ComplianceInput) {
        var kept = input
        kept.contacts = []
        self.input = kept
        var unitIndex: [String: Int32] = [:]
        for unit in input.roster.units where unitIndex[unit.code] == nil { unitIndex[unit.code] = Int32(unitIndex.count) }
        var unitIsCollege = Array(repeating: false, count: unitIndex.count)
        for unit in input.roster.units where unit.kind == .college { unitIsCollege[Int(unitIndex[unit.code]!)] = true }
        var collectiveIndex: [String: Int32] = [:], kinds: [CollectiveKind] = [], units: [Int32] = []
        for collective in input.roster.collectives where collectiveIndex[collective.code] == nil {
            collectiveIndex[collective.code] = Int32(kinds.count)
            kinds.append(collective.kind)
            units.append(unitIndex[collective.unitCode] ?? -1)
        }
        // Lines by (cadre, start, id): verdicts and listings never depend on the order the ledger came in.
        let contacts = input.contacts
        let starts = contacts.map(\.start.timeIntervalSince1970)
        var byCadre: [String: [Int]] = [:]
        for (index, record) in contacts.enumerated() { byCadre[record.cadreStaffNumber, default: []].append(index) }
        let order = byCadre.keys.sorted().flatMap { staff in
            byCadre[staff]!.sorted { a, b in starts[a] != starts[b] ? starts[a] < starts[b] : contacts[a].id < contacts[b].id }
        }
        var kindIDs: [String: Int32] = [:], kindCodes: [String] = [], venueIDs: [String: Int32] = [:]
        var lines: [CompactContact] = [], flat: [Int32] = []
        var participantIDs: [Int32] = [], studentIDs: [String: Int32] = [:]
        lines.reserveCapacity(contacts.count)
        var linesByCadre: [String: Range<Int>] = [:]
        var runStart = 0
        for (position, index) in order.enumerated() {
            let record = contacts[index]
            let kind = kindIDs[record.kind] ?? {
                kindIDs[record.kind] = Int32(kindCodes.count)
                kindCodes.append(record.kind)
                return Int32(kindCodes.count - 1)
            }()
            let venue = record.venue.map { code in venueIDs[code] ?? { venueIDs[code] = Int32(venueIDs.count); return Int32(venueIDs.count - 1) }() } ?? -1
            let start = Int32(flat.count)
            for code in record.collectiveCodes { if let index = collectiveIndex[code] { flat.append(index) } }
            let participantsStart = Int32(participantIDs.count)
            for number in Set(record.participantNumbers ?? []).sorted() {
                participantIDs.append(studentIDs[number] ?? { studentIDs[number] = Int32(studentIDs.count); return Int32(studentIDs.count - 1) }())
            }
            let standing: CompactContact.Standing = switch record.status {
            case .draft: .draft
            case .flagged: .flagged
            case .voided: .voided
            case .submitted, .confirmed: .counts
            }
            lines.append(CompactContact(day: Int32(record.startDay.dayNumber), kind: kind, venue: venue, standing: standing,
                                        confirmed: record.isConfirmed, college: record.collegeCode.flatMap { unitIndex[$0] } ?? -1,
                                        participants: Double(record.participantCount), hours: record.hours,
                                        startMinute: Self.minuteOfDay(record.start, on: record.startDay),
                                        endMinute: record.endDay > record.startDay ? 1440 : Self.minuteOfDay(record.end, on: record.startDay),
                                        participantsStart: participantsStart, participantsCount: Int32(participantIDs.count) - participantsStart,
                                        collectivesStart: start, collectivesCount: Int32(flat.count) - start))
            if position + 1 == order.count || contacts[order[position + 1]].cadreStaffNumber != record.cadreStaffNumber {
                linesByCadre[record.cadreStaffNumber] = runStart..<(position + 1)
                runStart = position + 1
            }
        }
        var pairings: [String: [Pairing]] = [:]
        for pairing in input.pairings { pairings[pairing.cadreStaffNumber, default: []].append(pairing) }
        var changes: [String: [CadreChange]] = [:]
        for change in input.roster.cadreChanges { changes[change.staffNumber, default: []].append(change) }
        self.lines = lines
        self.lineIDs = order.map { contacts[$0].id }
        self.lineDays = lines.map(\.day)
        self.contactCollectives = flat
        self.participantIDs = participantIDs
        self.kindIDs = kindIDs
        self.kindCodes = kindCodes
        self.venueIDs = venueIDs
        self.collectiveIndex = collectiveIndex
        self.collectiveKinds = kinds
        self.collectiveUnits = units
        self.unitIndex = unitIndex
        self.unitIsCollege = unitIsCollege
        self.unitByCode = Dictionary(input.roster.units.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        self.collectiveByCode = Dictionary(input.roster.collectives.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        self.cadres = input.roster.cadres.sorted { $0.staffNumber < $1.staffNumber }
        self.linesByCadre = linesByCadre
        self.pairingsByCadre = pairings
        self.changesByCadre = changes.mapValues { $0.sorted { $0.effectiveOn < $1.effectiveOn } }
    }

    /// Minutes from the local (China Standard Time) midnight of `day`, clamped to the day: slot rules (§4.11) compare times of day.
    static func minuteOfDay(_ instant: Date, on day: LocalDate) -> Int16 {
        Int16(max(0, min(1440, Int(instant.timeIntervalSince(day.startInstant()) / 60))))
    }
}
