import Fluent
import Foundation
import Vapor
import YixianCore

/// 考核材料: gathers, for one period and a set of cadres, what `CadreDossier` reads — the engine's
/// cells as of the period's end (or today), the ledger, pairings, the cases raised in the cadres'
/// contacts, and integrity findings — once, however many dossiers are then built from it.
struct DossierSource: Sendable {
    /// A term or an academic year, as people pick it.
    struct Period: Sendable, Hashable {
        enum Kind: String, Sendable { case term, year }
        var kind: Kind
        var id: String
        var name: Localized
        var range: DateRange
        /// The day it is judged on: today while it runs; once it has ended, the day after it if that
        /// is still in the same academic year — on its last day what is not done is only "at risk",
        /// the day after it is missed — else its last day.
        var judgedOn: LocalDate

        var query: [String: String] { [kind.rawValue: id] }
        /// `term:ID` or `year:ID`, as the pickers post it.
        var picked: String { kind.rawValue + ":" + id }
    }

    let period: Period
    let asOf: LocalDate
    let evaluation: ComplianceService.Evaluation?
    let unitNames: [String: String]
    let cellsByCadre: [String: [ComplianceCell]]
    let contactsByCadre: [String: [ContactRecord]]
    let linksByCadre: [String: [CadreDossier.Link]]
    let problemsByCadre: [String: [CadreDossier.ProblemLine]]
    let findingsByCadre: [String: [CadreDossier.Finding]]
    let measuresByCadre: [String: [CadreDossier.Measure]]

    func dossier(_ cadre: Cadre) -> CadreDossier {
        CadreDossier(.init(cadre: cadre, unitName: unitNames[cadre.unitCode] ?? cadre.unitCode, periodName: period.name, range: period.range,
                           asOf: asOf, cells: cellsByCadre[cadre.staffNumber] ?? [], rules: evaluation?.rules ?? [:],
                           contacts: contactsByCadre[cadre.staffNumber] ?? [], vocabulary: evaluation?.vocabulary(on: asOf) ?? .standard,
                           links: linksByCadre[cadre.staffNumber] ?? [], problems: problemsByCadre[cadre.staffNumber] ?? [],
                           findings: findingsByCadre[cadre.staffNumber] ?? [], measures: measuresByCadre[cadre.staffNumber] ?? []))
    }

    /// The terms and academic years begun by `today`, newest first: what a dossier can cover.
    static func periods(on db: any Database, today: LocalDate) async throws -> [Period] {
        let all = try await CalendarAPI.load(on: db)
        let calendar = AcademicCalendar(years: all)
        func judged(_ range: DateRange) -> LocalDate {
            guard today > range.end else { return today }
            let after = range.end.adding(days: 1)
            let sameYear = calendar.academicYear(containing: range.end)?.id == calendar.academicYear(containing: after)?.id
            return sameYear && after <= today ? after : range.end
        }
        let years = all.filter { $0.range.start <= today }.sorted { $0.range.start > $1.range.start }
        return years.flatMap { year in
            year.terms.filter { $0.range.start <= today }.sorted { $0.range.start > $1.range.start }
                .map { Period(kind: .term, id: $0.id, name: $0.label, range: $0.range, judgedOn: judged($0.range)) }
                + [Period(kind: .year, id: year.id, name: year.label, range: year.range, judgedOn: judged(year.range))]
        }
    }

    /// The period a picker posted (`term:ID` or `year:ID`), among those begun.
    static func period(picked: String?, in periods: [Period]) throws -> Period {
        guard let found = periods.first(where: { $0.picked == picked }) else {
            throw AppError.field("period", zh: "考核期间不存在或尚未开始", en: "No such period that has begun")
        }
        return found
    }

    /// The period named by `?term=` or `?year=` (or a picker's `period=term:ID`); by default the running
    /// term, or the last one begun.
    static func period(_ req: Request) async throws -> (Period, [Period]) {
        let all = try await periods(on: req.db, today: LocalDate(req.now))
        guard !all.isEmpty else { throw AppError(.conflict, code: .noCalendar, zh: "尚未设置校历，无法确定考核期间", en: "No academic calendar yet") }
        if let picked = (try? req.content.get(String.self, at: "period")) ?? req.query[String.self, at: "period"] {
            return (try period(picked: picked, in: all), all)
        }
        if let term = req.query[String.self, at: "term"] {
            guard let found = all.first(where: { $0.kind == .term && $0.id == term }) else {
                throw AppError.field("term", zh: "学期“\(term)”不存在或尚未开始", en: "No term \(term) that has begun")
            }
            return (found, all)
        }
        if let year = req.query[String.self, at: "year"] {
            guard let found = all.first(where: { $0.kind == .year && $0.id == year }) else {
                throw AppError.field("year", zh: "学年“\(year)”不存在或尚未开始", en: "No academic year \(year) that has begun")
            }
            return (found, all)
        }
        return (all.first { $0.kind == .term }!, all)
    }

    /// Everything the dossiers of `cadres` need for `period`.
    static func load(_ req: Request, period: Period, cadres: [Cadre]) async throws -> DossierSource {
        let asOf = period.judgedOn
        let evaluation = try await req.evaluation(asOf: asOf)
        let facts = try await req.application.complianceStore.facts.facts(on: req.db)
        let wanted = Set(cadres.map(\.staffNumber))
        // Through the indexes: the cells of the cadres' units, the lines of each cadre — not a scan of
        // the school's hundred thousand cells and every ledger line for one dossier.
        var cells: [String: [ComplianceCell]] = [:]
        if let evaluation {
            for unit in Set(cadres.map(\.unitCode)) {
                for position in evaluation.index.byUnit[unit] ?? [] {
                    let cell = evaluation.cells[position]
                    if cell.subject.kind == .cadre && wanted.contains(cell.subject.id) { cells[cell.subject.id, default: []].append(cell) }
                }
            }
        }
        var contacts: [String: [ContactRecord]] = [:]
        for cadre in cadres {
            guard let id = facts.organization.cadreIDs[cadre.staffNumber] else { continue }
            for recordID in facts.contactsByCadre[id] ?? [] {
                guard let record = facts.contacts[recordID]?.record, period.range.contains(record.startDay) else { continue }
                contacts[cadre.staffNumber, default: []].append(record)
            }
        }
        let collectives = Dictionary(facts.organization.collectives.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        var links: [String: [CadreDossier.Link]] = [:]
        for pairing in facts.pairings where wanted.contains(pairing.cadreStaffNumber) && pairing.range.overlaps(period.range) {
            guard let collective = pairing.collectiveCode.flatMap({ collectives[$0] }) else { continue }
            links[pairing.cadreStaffNumber, default: []].append(.init(collective: collective, kind: pairing.kind))
        }
        return DossierSource(period: period, asOf: asOf, evaluation: evaluation,
                             unitNames: Dictionary(facts.organization.units.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a }),
                             cellsByCadre: cells, contactsByCadre: contacts, linksByCadre: links,
                             problemsByCadre: try await problems(req, period: period, cadreIDs: facts.organization.cadreIDs, wanted: wanted),
                             findingsByCadre: try await findings(req, contacts: contacts),
                             measuresByCadre: try await measures(req, period: period, cadreIDs: facts.organization.cadreIDs, wanted: wanted))
    }

    /// One unit's dossier: its cadres' and its own cells, its cadres' lines, its collectives and who
    /// links them, and the cases it was responsible for in the period.
    static func unitDossier(_ req: Request, period: Period, unit: Unit) async throws -> UnitDossier {
        let asOf = period.judgedOn
        let evaluation = try await req.evaluation(asOf: asOf)
        let facts = try await req.application.complianceStore.facts.facts(on: req.db)
        let cells = (evaluation?.index.byUnit[unit.code] ?? []).compactMap { evaluation?.cells[$0] }
        let members = facts.organization.cadres.filter { $0.unitCode == unit.code }
        let contacts = members.compactMap { facts.organization.cadreIDs[$0.staffNumber] }.flatMap { id in
            (facts.contactsByCadre[id] ?? []).compactMap { facts.contacts[$0]?.record }.filter { period.range.contains($0.startDay) }
        }
        var problems: [CadreDossier.ProblemLine] = [], ratings: [CaseRating?] = []
        if let unitID = facts.organization.unitIDs[unit.code] {
            let judge = try await CasesAPI.Judge.load(on: req.db, today: LocalDate(req.now))
            let rows = try await CaseModel.query(on: req.db).filter(\.$responsibleUnit.$id == unitID)
                .filter(\.$receivedOn >= period.range.start.iso).filter(\.$receivedOn <= period.range.end.iso).all()
            // Merged and split cases are answered through the others: they leave the counts, as they leave the response rule's.
            for item in rows where item.closedAs == nil {
                guard let line = problemLine(item, judge: judge) else { continue }
                problems.append(line)
                ratings.append(item.rating.flatMap(CaseRating.init(rawValue:)))
            }
        }
        return UnitDossier(.init(unit: unit, periodName: period.name, range: period.range, asOf: asOf, cells: cells, rules: evaluation?.rules ?? [:],
                                 cadres: members, contacts: contacts, collectives: facts.organization.collectives.filter { $0.unitCode == unit.code },
                                 pairings: facts.pairings, problems: problems, ratings: ratings))
    }

    static func problemLine(_ item: CaseModel, judge: CasesAPI.Judge) -> CadreDossier.ProblemLine? {
        guard let received = LocalDate(item.receivedOn) else { return nil }
        let state = item.state
        // A tier that needs no answer (表扬、建议, §4.17) is no problem to follow.
        guard judge.deadlines(state, tier: item.tier).answerRequired else { return nil }
        return .init(number: item.number, title: item.title, category: CaseCategory.standard(item.category)?.label ?? .same(item.category),
                     receivedOn: received, answeredOn: item.answeredOn.flatMap(LocalDate.init), answerDue: judge.deadlines(state, tier: item.tier).answer,
                     status: state.status.label, rating: item.rating.flatMap(CaseRating.init(rawValue:))?.label)
    }

    /// Cases raised in the cadres' contacts in the period, with their deadlines as the case pages reckon them.
    static func problems(_ req: Request, period: Period, cadreIDs: [String: UUID], wanted: Set<String>) async throws -> [String: [CadreDossier.ProblemLine]] {
        let ids = wanted.compactMap { cadreIDs[$0] }
        guard !ids.isEmpty else { return [:] }
        let staffByID = Dictionary(wanted.compactMap { staff in cadreIDs[staff].map { ($0, staff) } }, uniquingKeysWith: { a, _ in a })
        let judge = try await CasesAPI.Judge.load(on: req.db, today: LocalDate(req.now))
        var result: [String: [CadreDossier.ProblemLine]] = [:]
        let rows = try await CaseModel.query(on: req.db).filter(\.$cadre.$id ~~ ids)
            .filter(\.$receivedOn >= period.range.start.iso).filter(\.$receivedOn <= period.range.end.iso).all()
        for item in rows {
            guard let cadreID = item.$cadre.id, let staff = staffByID[cadreID], let line = problemLine(item, judge: judge) else { continue }
            result[staff, default: []].append(line)
        }
        return result
    }

    /// 问责 measures decided in the period about the cadres.
    static func measures(_ req: Request, period: Period, cadreIDs: [String: UUID], wanted: Set<String>) async throws -> [String: [CadreDossier.Measure]] {
        let staffByID = Dictionary(wanted.compactMap { staff in cadreIDs[staff].map { ($0, staff) } }, uniquingKeysWith: { a, _ in a })
        guard !staffByID.isEmpty else { return [:] }
        var result: [String: [CadreDossier.Measure]] = [:]
        for row in try await AccountabilityModel.query(on: req.db).filter(\.$cadre.$id ~~ Array(staffByID.keys))
            .filter(\.$decidedOn >= period.range.start.iso).filter(\.$decidedOn <= period.range.end.iso).all() {
            guard let staff = staffByID[row.$cadre.id], let day = LocalDate(row.decidedOn) else { continue }
            result[staff, default: []].append(.init(kind: AccountabilityKind(rawValue: row.kind)?.label ?? .same(row.kind), decidedOn: day,
                                                    reason: row.reason, evidence: row.evidence))
        }
        return result
    }

    /// Flags on the cadres' lines still to be decided, and the verdicts given on them.
    static func findings(_ req: Request, contacts: [String: [ContactRecord]]) async throws -> [String: [CadreDossier.Finding]] {
        var owner: [String: String] = [:]
        for (staff, lines) in contacts { for line in lines { owner[line.id] = staff } }
        guard !owner.isEmpty else { return [:] }
        var result: [String: [CadreDossier.Finding]] = [:]
        let verdicts = try await IntegrityVerdicts.all(on: req.db)
        var decided = Set<String>()
        for verdict in verdicts.values.sorted(by: { $0.decidedAt < $1.decidedAt }) {
            let ids = verdict.recordIDs.split(separator: ",").map(String.init)
            guard let staff = ids.lazy.compactMap({ owner[$0] }).first else { continue }
            decided.insert(verdict.flagID)
            let kind = verdict.flagID.split(separator: ":").first.flatMap { IntegrityFlagKind(rawValue: String($0)) }
            let isConfirmed = verdict.verdict == IntegrityVerdicts.Verdict.confirmed.rawValue
            result[staff, default: []].append(.init(kind: kind?.label ?? .same(verdict.flagID), reason: .same(verdict.reason),
                                                    verdict: isConfirmed ? CadreDossier.confirmedVerdict : CadreDossier.dismissedVerdict))
        }
        // Call-backs of a spot check that found something (不属实 or nobody to ask) belong on the dossier too.
        let recordIDs = owner.keys.compactMap(UUID.init(uuidString:))
        for item in try await SpotCheckItemModel.query(on: req.db).filter(\.$record.$id ~~ recordIDs).all() {
            guard let outcome = item.result.flatMap(SpotCheckResult.init(rawValue:)), outcome != .confirmed,
                  let staff = owner[item.$record.id.uuidString] else { continue }
            let said = [item.student, item.note].compactMap { $0 }.joined(separator: "：")
            result[staff, default: []].append(.init(kind: Localized(zh: "抽查回访", en: "Spot check"),
                                                    reason: Localized(zh: said.isEmpty ? outcome.label.zh : said, en: said.isEmpty ? outcome.label.en : said),
                                                    verdict: outcome.label))
        }
        let snapshot = try await IntegrityService.snapshot(on: req.db, app: req.application)
        for flag in snapshot.flags where !decided.contains(flag.id) {
            guard let staff = flag.recordIDs.lazy.compactMap({ owner[$0] }).first else { continue }
            result[staff, default: []].append(.init(kind: flag.kind.label, reason: flag.reason, verdict: nil))
        }
        return result
    }
}

/// A batch of dossiers built in the background, so the page can show how far it has got.
struct DossierJob: BackgroundJob {
    enum State: String, Sendable { case running, done, failed }
    var id: UUID
    var ownerID: UUID
    var title: String
    var state: State = .running
    var done = 0
    var total: Int
    var zip: Data?
    var fileName: String
    var failure: Localized?
    var createdAt = Date()
}

typealias DossierJobStore = JobStore<DossierJob>

struct DossierJobStoreKey: StorageKey { typealias Value = DossierJobStore }

extension Application {
    var dossierJobs: DossierJobStore {
        if let store = storage[DossierJobStoreKey.self] { return store }
        let store = DossierJobStore()
        storage[DossierJobStoreKey.self] = store
        return store
    }
}
