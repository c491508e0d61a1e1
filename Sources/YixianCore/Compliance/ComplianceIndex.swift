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

    /// Students named by lines, by number: kept so an update numbers new names after the old ones.
    let studentIDs: [String: Int32]

    public convenience init(_ input: ComplianceInput) {
        self.init(input, lines: LineBuilder(input.roster), reusing: nil, keep: { _ in false })
    }

    /// The index after a change to some cadres' ledger lines only: `input.contacts` holds every
    /// current line of the cadres in `changed` (and nothing else); the other cadres' lines are
    /// copied from `previous` as they are, not re-read from records. Nil when the roster's units or
    /// collectives differ from `previous`'s: lines name them by number, so only a full build will do.
    public convenience init?(_ input: ComplianceInput, updating previous: ComplianceIndex, changed: Set<String>) {
        guard LineBuilder.sameNumbering(input.roster, as: previous) else { return nil }
        self.init(input, lines: LineBuilder(continuing: previous), reusing: previous, keep: { !changed.contains($0) })
    }

    private init(_ input: ComplianceInput, lines builder: LineBuilder, reusing previous: ComplianceIndex?, keep: (String) -> Bool) {
        var kept = input
        kept.contacts = []
        self.input = kept
        var builder = builder
        // Lines by (cadre, start, id): verdicts and listings never depend on the order the ledger came in.
        let contacts = input.contacts
        let starts = contacts.map(\.start.timeIntervalSince1970)
        var byCadre: [String: [Int]] = [:]
        for (index, record) in contacts.enumerated() { byCadre[record.cadreStaffNumber, default: []].append(index) }
        var staffNumbers = Set(byCadre.keys)
        if let previous { for staff in previous.linesByCadre.keys where keep(staff) { staffNumbers.insert(staff) } }
        var linesByCadre: [String: Range<Int>] = [:]
        // Kept cadres' lines are copied a run at a time: neighbours in staff-number order sit
        // side by side in `previous` too, with their collectives and students in the same order.
        var pending: Range<Int>?
        func flush() {
            if let run = pending, let previous { builder.copy(run, from: previous) }
            pending = nil
        }
        for staff in staffNumbers.sorted() {
            if let previous, keep(staff), let range = previous.linesByCadre[staff] {
                let start = builder.lines.count + (pending?.count ?? 0)
                if let run = pending, run.upperBound == range.lowerBound {
                    pending = run.lowerBound..<range.upperBound
                } else {
                    flush()
                    pending = range
                }
                linesByCadre[staff] = start..<(start + range.count)
                continue
            }
            flush()
            let start = builder.lines.count
            let order = byCadre[staff, default: []].sorted { a, b in
                starts[a] != starts[b] ? starts[a] < starts[b] : contacts[a].id < contacts[b].id
            }
            for index in order { builder.append(contacts[index]) }
            if builder.lines.count > start { linesByCadre[staff] = start..<builder.lines.count }
        }
        flush()
        var pairings: [String: [Pairing]] = [:]
        for pairing in input.pairings { pairings[pairing.cadreStaffNumber, default: []].append(pairing) }
        var changes: [String: [CadreChange]] = [:]
        for change in input.roster.cadreChanges { changes[change.staffNumber, default: []].append(change) }
        self.lines = builder.lines
        self.lineIDs = builder.lineIDs
        self.lineDays = builder.lines.map(\.day)
        self.contactCollectives = builder.collectives
        self.participantIDs = builder.participants
        self.studentIDs = builder.studentIDs
        self.kindIDs = builder.kindIDs
        self.kindCodes = builder.kindCodes
        self.venueIDs = builder.venueIDs
        self.collectiveIndex = builder.collectiveIndex
        self.collectiveKinds = builder.collectiveKinds
        self.collectiveUnits = builder.collectiveUnits
        self.unitIndex = builder.unitIndex
        self.unitIsCollege = builder.unitIsCollege
        self.unitByCode = previous?.unitByCode ?? Dictionary(input.roster.units.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        self.collectiveByCode = previous?.collectiveByCode
            ?? Dictionary(input.roster.collectives.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        self.cadres = input.roster.cadres.sorted { $0.staffNumber < $1.staffNumber }
        self.linesByCadre = linesByCadre
        self.pairingsByCadre = pairings
        self.changesByCadre = changes.mapValues { $0.sorted { $0.effectiveOn < $1.effectiveOn } }
    }

    /// Ledger lines reduced to numbers, appended cadre by cadre.
    private struct LineBuilder {
        var unitIndex: [String: Int32] = [:]
        var unitIsCollege: [Bool] = []
        var collectiveIndex: [String: Int32] = [:]
        var collectiveKinds: [CollectiveKind] = []
        var collectiveUnits: [Int32] = []
        var kindIDs: [String: Int32] = [:]
        var kindCodes: [String] = []
        var venueIDs: [String: Int32] = [:]
        var studentIDs: [String: Int32] = [:]
        var lines: [CompactContact] = []
        var lineIDs: [String] = []
        var collectives: [Int32] = []
        var participants: [Int32] = []

        init(_ roster: ComplianceRoster) {
            for unit in roster.units where unitIndex[unit.code] == nil { unitIndex[unit.code] = Int32(unitIndex.count) }
            unitIsCollege = Array(repeating: false, count: unitIndex.count)
            for unit in roster.units where unit.kind == .college { unitIsCollege[Int(unitIndex[unit.code]!)] = true }
            for collective in roster.collectives where collectiveIndex[collective.code] == nil {
                collectiveIndex[collective.code] = Int32(collectiveKinds.count)
                collectiveKinds.append(collective.kind)
                collectiveUnits.append(unitIndex[collective.unitCode] ?? -1)
            }
        }

        /// Numbering carried on from `previous`, so its lines can be copied unchanged.
        init(continuing previous: ComplianceIndex) {
            unitIndex = previous.unitIndex
            unitIsCollege = previous.unitIsCollege
            collectiveIndex = previous.collectiveIndex
            collectiveKinds = previous.collectiveKinds
            collectiveUnits = previous.collectiveUnits
            kindIDs = previous.kindIDs
            kindCodes = previous.kindCodes
            venueIDs = previous.venueIDs
            studentIDs = previous.studentIDs
            lines.reserveCapacity(previous.lines.count + 64)
            lineIDs.reserveCapacity(previous.lines.count + 64)
            collectives.reserveCapacity(previous.contactCollectives.count + 64)
            participants.reserveCapacity(previous.participantIDs.count + 64)
        }

        /// Whether `roster` numbers units and collectives as `index` does: the same codes in the same
        /// order, with the kinds and units the numbers stand for.
        static func sameNumbering(_ roster: ComplianceRoster, as index: ComplianceIndex) -> Bool {
            let old = index.input.roster
            return roster.units.elementsEqual(old.units) { $0.code == $1.code && $0.kind == $1.kind }
                && roster.collectives.elementsEqual(old.collectives) { $0.code == $1.code && $0.kind == $1.kind && $0.unitCode == $1.unitCode }
        }

        /// Lines of `previous` in `range`, with their collectives and students moved to the new
        /// slices. A range's slices are contiguous and in line order (every build appends them so),
        /// so each pool is copied in one piece and the lines' offsets shift by one amount.
        mutating func copy(_ range: Range<Int>, from previous: ComplianceIndex) {
            guard let first = range.first, let last = range.last else { return }
            lineIDs.append(contentsOf: previous.lineIDs[range])
            let from = previous.lines[first], to = previous.lines[last]
            let collectivesShift = Int32(collectives.count) - from.collectivesStart
            let participantsShift = Int32(participants.count) - from.participantsStart
            collectives.append(contentsOf: previous.contactCollectives[Int(from.collectivesStart)..<Int(to.collectivesStart + to.collectivesCount)])
            participants.append(contentsOf: previous.participantIDs[Int(from.participantsStart)..<Int(to.participantsStart + to.participantsCount)])
            let base = lines.count
            lines.append(contentsOf: previous.lines[range])
            for n in base..<lines.count {
                lines[n].collectivesStart += collectivesShift
                lines[n].participantsStart += participantsShift
            }
        }

        mutating func append(_ record: ContactRecord) {
            let kind = kindIDs[record.kind] ?? {
                kindIDs[record.kind] = Int32(kindCodes.count)
                kindCodes.append(record.kind)
                return Int32(kindCodes.count - 1)
            }()
            let venue = record.venue.map { code in venueIDs[code] ?? { venueIDs[code] = Int32(venueIDs.count); return Int32(venueIDs.count - 1) }() } ?? -1
            let start = Int32(collectives.count)
            for code in record.collectiveCodes { if let index = collectiveIndex[code] { collectives.append(index) } }
            let participantsStart = Int32(participants.count)
            for number in Set(record.participantNumbers ?? []).sorted() {
                participants.append(studentIDs[number] ?? { studentIDs[number] = Int32(studentIDs.count); return Int32(studentIDs.count - 1) }())
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
                                        startMinute: ComplianceIndex.minuteOfDay(record.start, on: record.startDay),
                                        endMinute: record.endDay > record.startDay ? 1440 : ComplianceIndex.minuteOfDay(record.end, on: record.startDay),
                                        participantsStart: participantsStart, participantsCount: Int32(participants.count) - participantsStart,
                                        collectivesStart: start, collectivesCount: Int32(collectives.count) - start))
            lineIDs.append(record.id)
        }
    }

    /// Minutes from the local (China Standard Time) midnight of `day`, clamped to the day: slot rules (§4.11) compare times of day.
    static func minuteOfDay(_ instant: Date, on day: LocalDate) -> Int16 {
        Int16(max(0, min(1440, Int(instant.timeIntervalSince(day.startInstant()) / 60))))
    }
}
