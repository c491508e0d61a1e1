import Fluent
import Foundation
import Vapor
import YixianCore

/// Turns the stored facts into the engine's input and evaluates them, each period judged by
/// the policy version in force when that period ended (or today, for periods still running).
enum ComplianceService {
    struct Version: Sendable {
        var model: PolicyVersionModel
        var policy: Policy
        var effectiveFrom: LocalDate
    }

    /// The evaluation behind every compliance page and API answer.
    struct Evaluation: Sendable {
        var asOf: LocalDate
        var cells: [ComplianceCell]
        /// The version that judged each rule id (the newest one when several did).
        var rules: [String: PolicyRule]
        var versions: [Version]
        var contacts: [String: ContactRecord]
        var filings: [String: Filing]
        var units: [String: Unit]
        var cadres: [String: Cadre]
        var cadreIDs: [String: UUID]
        var term: Term?

        func rule(_ id: String) -> PolicyRule? { rules[id] }
        func title(_ id: String) -> String { rules[id]?.title ?? id }
    }

    /// Versions never change once stored, so parsed ones are kept until a new version appears.
    static func versions(on db: any Database) async throws -> [Version] {
        // Keyed by the newest version's number, upload time and policy id: cheap to read, and
        // distinct between databases that happen to share this process (as tests do).
        guard let newest = try await PolicyVersionModel.query(on: db).sort(\.$version, .descending).field(\.$version)
            .field(\.$uploadedAt).field(\.$policyCode).first() else { return [] }
        let key = "\(newest.version)|\(newest.uploadedAt.timeIntervalSince1970)|\(newest.policyCode)"
        if let cached = await parsedVersions.get(key) { return cached }
        let parsed = try await parseVersions(on: db)
        await parsedVersions.put(key, parsed)
        return parsed
    }

    actor ParsedVersions {
        private var entries: [String: [Version]] = [:]
        func get(_ key: String) -> [Version]? { entries[key] }
        func put(_ key: String, _ versions: [Version]) {
            if entries.count > 16 { entries.removeAll() }
            entries[key] = versions
        }
    }

    static let parsedVersions = ParsedVersions()

    static func parseVersions(on db: any Database) async throws -> [Version] {
        try await PolicyVersionModel.query(on: db).sort(\.$version).all().compactMap { model in
            guard let policy = try? PolicyLoader.load(model.sourceText, fileName: "v\(model.version).yaml"),
                  let from = LocalDate(model.effectiveFrom) else { return nil }
            return Version(model: model, policy: policy, effectiveFrom: from)
        }
    }

    /// The version in force on a day: the latest whose effective date is on or before it.
    static func version(on day: LocalDate, in versions: [Version]) -> Int? {
        versions.indices.filter { versions[$0].effectiveFrom <= day }.max { versions[$0].effectiveFrom < versions[$1].effectiveFrom ||
            (versions[$0].effectiveFrom == versions[$1].effectiveFrom && versions[$0].model.version < versions[$1].model.version) }
    }

    /// A fingerprint of every table the evaluation reads. Cheap aggregate queries, computed from the
    /// database itself, so a cached evaluation is never stale on any node.
    static func stamp(on db: any Database) async throws -> String {
        // Confirmations and corrections change a record in place, so counts and creation times alone
        // miss them. The calendar is a few dozen rows: its dates themselves are the fingerprint.
        async let contacts = ContactRecordModel.query(on: db).count()
        async let latest = ContactRecordModel.query(on: db).max(\.$createdAt)
        async let submitted = ContactRecordModel.query(on: db).max(\.$submittedAt)
        // Rows, not sums: PostgreSQL sums a bigint column as numeric, which does not decode as Int.
        async let confirmations = ContactConfirmationModel.query(on: db).count()
        async let corrections = ContactRecordVersionModel.query(on: db).count()
        async let versions = PolicyVersionModel.query(on: db).max(\.$version)
        async let filings = FilingModel.query(on: db).count()
        async let pairings = PairingModel.query(on: db).count()
        async let cadres = CadreModel.query(on: db).max(\.$updatedAt)
        async let cadreCount = CadreModel.query(on: db).count()
        async let collectives = CollectiveModel.query(on: db).max(\.$updatedAt)
        async let units = UnitModel.query(on: db).max(\.$updatedAt)
        async let terms = TermModel.query(on: db).all().map { "\($0.code)\($0.startDate)\($0.endDate)" }
        async let weeks = SpecialWeekModel.query(on: db).all().map { "\($0.startDate)\($0.endDate)\($0.excluded)" }
        async let vacations = VacationModel.query(on: db).all().map { "\($0.startDate)\($0.endDate)" }
        let parts: [String] = try await [
            "\(contacts)", "\(latest?.timeIntervalSince1970 ?? 0)", "\(submitted?.timeIntervalSince1970 ?? 0)",
            "\(confirmations)", "\(corrections)", "\(versions ?? 0)", "\(filings)", "\(pairings)",
            "\(cadres?.timeIntervalSince1970 ?? 0)", "\(cadreCount)", "\(collectives?.timeIntervalSince1970 ?? 0)",
            "\(units?.timeIntervalSince1970 ?? 0)",
        ] + (try await terms + weeks + vacations).sorted()
        return parts.joined(separator: "|")
    }

    static func evaluate(asOf: LocalDate, on db: any Database, cache: EvaluationCache? = nil) async throws -> Evaluation? {
        guard let cache else { return try await compute(asOf: asOf, on: db) }
        let key = "\(asOf.iso)#\(try await stamp(on: db))"
        if let hit = await cache.get(key) { return hit }
        let evaluation = try await compute(asOf: asOf, on: db)
        if let evaluation { await cache.put(key, evaluation) }
        return evaluation
    }

    static func compute(asOf: LocalDate, on db: any Database) async throws -> Evaluation? {
        let versions = try await versions(on: db)
        guard !versions.isEmpty else { return nil }
        let units = try await UnitModel.query(on: db).all()
        let unitCodes = Dictionary(uniqueKeysWithValues: units.map { ($0.id!, $0.code) })
        let cadreModels = try await CadreModel.query(on: db).all()
        let cadres = cadreModels.map { $0.core(unitCode: unitCodes[$0.$unit.id] ?? "") }
        let staffNumbers = Dictionary(uniqueKeysWithValues: cadreModels.map { ($0.id!, $0.staffNumber) })
        let collectiveModels = try await CollectiveModel.query(on: db).all()
        let collectiveCodes = Dictionary(uniqueKeysWithValues: collectiveModels.map { ($0.id!, $0.code) })
        let studentNumbers = Dictionary(uniqueKeysWithValues: try await StudentModel.query(on: db).field(\.$id).field(\.$studentNumber).all()
            .map { ($0.id!, $0.studentNumber) })
        let pairings: [Pairing] = try await PairingModel.query(on: db).all().compactMap { p in
            guard let staff = staffNumbers[p.$cadre.id], let start = LocalDate(p.startDate), let end = LocalDate(p.endDate), start <= end,
                  let kind = Pairing.Kind(rawValue: p.kind) else { return nil }
            return Pairing(cadreStaffNumber: staff, kind: kind, collectiveCode: p.$collective.id.flatMap { collectiveCodes[$0] },
                           studentNumber: p.$student.id.flatMap { studentNumbers[$0] }, academicYearID: p.academicYear, range: DateRange(start: start, end: end))
        }
        let contacts = try await ContactRecordModel.query(on: db).all().compactMap { model in
            staffNumbers[model.$cadre.id].map { model.core(staffNumber: $0) }
        }
        let filings: [Filing] = try await FilingModel.query(on: db).all().compactMap { f in
            guard let day = LocalDate(f.submittedOn) else { return nil }
            return Filing(id: f.id!.uuidString, unitCode: unitCodes[f.$unit.id] ?? "", termID: f.termCode, kind: f.kind, submittedOn: day, periodID: f.periodID)
        }
        let calendar = AcademicCalendar(years: try await CalendarAPI.load(on: db))
        let roster = ComplianceRoster(units: units.map(\.core), cadres: cadres, collectives: collectiveModels.map { $0.core(unitCode: unitCodes[$0.$unit.id] ?? "") })
        let yearID = calendar.academicYear(containing: asOf)?.id

        var cells: [ComplianceCell] = []
        var rules: [String: PolicyRule] = [:]
        for (index, version) in versions.enumerated() {
            let input = ComplianceInput(policy: version.policy, calendar: calendar, roster: roster, pairings: pairings,
                                        contacts: contacts, cases: [], filings: filings, workdays: .prc)
            let report = ComplianceEngine.evaluate(input, asOf: asOf, academicYearID: yearID)
            let judged = report.cells.filter { cell in
                Self.version(on: min(cell.period.end, asOf), in: versions) == index
            }
            guard !judged.isEmpty else { continue }
            cells += judged
            for rule in version.policy.rules { rules[rule.id] = rule }
        }
        return Evaluation(asOf: asOf, cells: cells, rules: rules, versions: versions,
                          contacts: Dictionary(uniqueKeysWithValues: contacts.map { ($0.id, $0) }),
                          filings: Dictionary(filings.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }),
                          units: Dictionary(uniqueKeysWithValues: units.map { ($0.code, $0.core) }),
                          cadres: Dictionary(uniqueKeysWithValues: cadres.map { ($0.staffNumber, $0) }),
                          cadreIDs: Dictionary(uniqueKeysWithValues: cadreModels.map { ($0.staffNumber, $0.id!) }),
                          term: calendar.term(containing: asOf))
    }

    /// Tallies of a set of cells, for roll-ups per unit and for the school.
    static func tally(_ cells: some Sequence<ComplianceCell>) -> ComplianceTally {
        var tally = ComplianceTally()
        for cell in cells { tally.add(cell.status) }
        return tally
    }

    /// Validates and stores a new version; it applies from `effectiveFrom`.
    static func upload(text: String, effectiveFrom: LocalDate, by actor: AuditTrail.Actor, on db: any Database) async throws -> PolicyVersionModel {
        guard text.utf8.count <= 512 * 1024 else {
            throw AppError.field("text", zh: "策略文件过大（最多 512 KB）", en: "The policy file is too large (at most 512 KB)")
        }
        let policy: Policy
        do {
            policy = try PolicyLoader.load(text, fileName: "policy.yaml")
        } catch {
            let problems = PolicyLoader.diagnostics(text).map {
                AppError.FieldProblem(field: "text", message: Localized(zh: "第 \($0.line) 行第 \($0.column) 列：\($0.message.zh)",
                                                                       en: "line \($0.line), column \($0.column): \($0.message.en)"))
            }
            throw AppError.validation(problems.isEmpty ? [.init(field: "text", message: Localized(zh: "策略文件无效", en: "Invalid policy file"))] : problems)
        }
        return try await db.write { db in
            let next = (try await PolicyVersionModel.query(on: db).max(\.$version) ?? 0) + 1
            let model = PolicyVersionModel()
            model.policyCode = policy.id
            model.version = next
            model.title = policy.title
            model.sourceText = text
            model.effectiveFrom = effectiveFrom.iso
            model.uploadedBy = actor.name
            model.uploadedAt = Date()
            try await model.create(on: db)
            try await AuditTrail.record("policy.upload", objectType: "policy", objectID: "\(policy.id) v\(next)",
                                        detail: "effective from \(effectiveFrom.iso)", by: actor, on: db)
            return model
        }
    }

    /// The preset files shipped in `policies/`, found from the working directory or the source tree.
    static func presetText(_ name: String) -> String? {
        let candidates: [String?] = [ProcessInfo.processInfo.environment["YIXIAN_POLICY_DIR"], "policies",
                          URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../policies").path]
        for directory in candidates.compactMap({ $0 }) {
            if let data = FileManager.default.contents(atPath: "\(directory)/\(name).yaml"), let text = String(data: data, encoding: .utf8) {
                return text
            }
        }
        return nil
    }
}

/// The last few evaluations, keyed by as-of date and data fingerprint.
actor EvaluationCache {
    private var entries: [(key: String, value: ComplianceService.Evaluation)] = []
    private let capacity = 4

    func get(_ key: String) -> ComplianceService.Evaluation? { entries.first { $0.key == key }?.value }

    func put(_ key: String, _ value: ComplianceService.Evaluation) {
        entries.removeAll { $0.key == key }
        entries.insert((key, value), at: 0)
        if entries.count > capacity { entries.removeLast() }
    }
}

struct EvaluationCacheKey: StorageKey { typealias Value = EvaluationCache }

extension Application {
    var evaluationCache: EvaluationCache {
        if let cache = storage[EvaluationCacheKey.self] { return cache }
        let cache = EvaluationCache()
        storage[EvaluationCacheKey.self] = cache
        return cache
    }
}
