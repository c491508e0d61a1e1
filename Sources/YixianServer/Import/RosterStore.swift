import Fluent
import SQLKit
import Foundation
import YixianCore

/// Writes validated roster values idempotently, keyed by code / staff number / student number:
/// re-importing the same file changes nothing and says so.
enum RosterStore {
    struct Outcome: Codable, Sendable, Equatable {
        var created = 0
        var updated = 0
        var unchanged = 0
        /// Cadre or student imports: the accounts made for people who had none (staff / student number as username).
        var accounts: Int?
    }

    typealias Progress = @Sendable (_ done: Int, _ total: Int) -> Void

    static let batchSize = 500

    // Codes and ids as plain rows: Fluent built a model, by reflection, for each of 2,000 collectives.
    /// The unit and collective codes a roster file may refer to.
    static func knownCodes(on db: any Database) async throws -> (units: Set<String>, collectives: Set<String>) {
        let known = (units: Set(try await idCodes(UnitModel.schema, on: db).map(\.code)),
                     collectives: Set(try await idCodes(CollectiveModel.schema, on: db).map(\.code)))
        PhaseClock.mark("known codes")
        return known
    }

    static func unitIDs(on db: any Database) async throws -> [String: UUID] {
        Dictionary(uniqueKeysWithValues: try await idCodes(UnitModel.schema, on: db).map { ($0.code, $0.id) })
    }

    private static func idCodes(_ table: String, on db: any Database) async throws -> [IDCode] {
        try await (db as! any SQLDatabase).raw("SELECT id, code FROM \(ident: table)").all(decoding: IDCode.self)
    }

    static func apply(units: [Unit], on db: any Database, progress: Progress? = nil) async throws -> Outcome {
        try await upsert(units, of: UnitModel.self, on: db, progress: progress)
    }

    static func apply(cadres: [Cadre], on db: any Database, progress: Progress? = nil) async throws -> Outcome {
        try await upsert(cadres, of: CadreModel.self, on: db, progress: progress)
    }

    static func apply(collectives: [Collective], on db: any Database, progress: Progress? = nil) async throws -> Outcome {
        try await upsert(collectives, of: CollectiveModel.self, on: db, progress: progress)
    }

    /// The one upsert loop of units, cadres and collectives: keyed rows that are equal are left
    /// alone, changed ones saved, new ones inserted in batches. A value whose unit is unknown is
    /// skipped (validation has already reported it).
    private static func upsert<M: RosterRowModel>(_ values: [M.Value], of _: M.Type,
                                                 on db: any Database, progress: Progress?) async throws -> Outcome {
        var outcome = Outcome()
        let unitIDs = try await unitIDs(on: db)
        let unitCodes = Dictionary(uniqueKeysWithValues: unitIDs.map { ($0.value, $0.key) })
        let existing = Dictionary(uniqueKeysWithValues: try await M.query(on: db).all().map { ($0.rosterKey, $0) })
        var fresh: [M] = []
        for (index, value) in values.enumerated() {
            var unitID: UUID?
            if let code = M.unitCode(of: value) {
                guard let id = unitIDs[code] else { continue }
                unitID = id
            }
            if let model = existing[M.key(of: value)] {
                if model.core(unitCodes: unitCodes) == value { outcome.unchanged += 1; continue }
                model.apply(value, unitID: unitID)
                try await model.save(on: db)
                if let cadre = model as? CadreModel { try await CadrePostHistory.record(cadre, isNew: false, on: db) }
                outcome.updated += 1
            } else {
                let model = M()
                model.id = UUID()
                model.apply(value, unitID: unitID)
                fresh.append(model)
            }
            if index % batchSize == 0 { progress?(index, values.count) }
        }
        try await insert(fresh, on: db)
        if let cadres = fresh as? [CadreModel] {
            let today = CadrePostHistory.today()
            try await insert(cadres.map { CadrePostHistory.opening($0, startedOn: nil, today: today) }, on: db)
        }
        outcome.created = fresh.count
        progress?(values.count, values.count)
        return outcome
    }

    static func apply(students: [Student], on db: any Database, progress: Progress? = nil) async throws -> Outcome {
        var writer = try await StudentWriter(on: db, chunks: 1)
        try await writer.apply(students, total: students.count, progress: progress)
        return writer.outcome
    }

    /// Writes validated students a chunk at a time, so that an import can store the rows already
    /// checked while the rest of the sheet is being checked (`ImportExport.streamStudents`).
    /// Applying every student in one chunk is `apply(students:)`.
    struct StudentWriter {
        private let db: any Database
        private let units: [String: UUID]
        private let collectiveIDs: [String: UUID]
        private let existing: [String: StoredStudent]
        private let memberships: [UUID: Set<String>]
        private var ids = UUIDBatch()
        /// New rows' ids are drawn from one band of the id space per chunk, bands in ascending order.
        private let chunks: Int
        private var chunk = 0
        private var done = 0
        private(set) var outcome = Outcome()

        /// Reads what is stored. `chunks`: how many times `apply` will be called (at most).
        init(on db: any Database, chunks: Int) async throws {
            self.db = db
            self.chunks = max(1, chunks)
            units = try await RosterStore.unitIDs(on: db)
            // The roster as plain rows: a re-import reads 30,000 students and 110,000 memberships, which
            // Fluent decoded by reflecting over every model's properties.
            let sql = db as! any SQLDatabase
            collectiveIDs = Dictionary(uniqueKeysWithValues: try await idCodes(CollectiveModel.schema, on: db).map { ($0.code, $0.id) })
            let collectiveCodes = Dictionary(uniqueKeysWithValues: collectiveIDs.map { ($0.value, $0.key) })
            existing = Dictionary(uniqueKeysWithValues: try await sql.raw("SELECT id, student_number, name, unit_id, active FROM students")
                .all(decoding: StoredStudent.self).map { ($0.student_number, $0) })
            var memberships: [UUID: Set<String>] = [:]
            for m in try await sql.raw("SELECT student_id, collective_id FROM student_collectives").all(decoding: StoredMembership.self) {
                memberships[m.student_id, default: []].insert(collectiveCodes[m.collective_id] ?? "")
            }
            self.memberships = memberships
            PhaseClock.mark("read stored")
        }

        mutating func apply(_ students: some Collection<Student>, total: Int, progress: Progress?) async throws {
            let sql = db as! any SQLDatabase
            // New rows get random ids handed out in ascending order, so each index on an id grows at
            // its end instead of at 100,000 random places (B-tree page splits and re-reads were most
            // of SQLite's share of an import). Chunk after chunk, the bands keep that order.
            let band = (index: min(chunk, chunks - 1), of: chunks)
            chunk += 1
            var pending: [(student: Student, unitID: UUID)] = []
            var newPairs: [(student: UUID, collective: UUID)] = []
            func pairs(of studentID: UUID, _ codes: Set<String>) -> [(student: UUID, collective: UUID)] {
                codes.sorted().compactMap { collectiveIDs[$0] }.map { (studentID, $0) }
            }
            for student in students {
                done += 1
                guard let unitID = units[student.unitCode] else { continue }
                let wanted = Set(student.collectiveCodes)
                if let stored = existing[student.studentNumber] {
                    let sameMemberships = memberships[stored.id, default: []] == wanted
                    if stored.name == student.name && stored.unit_id == unitID && stored.active == student.active && sameMemberships {
                        outcome.unchanged += 1
                        continue
                    }
                    try await sql.raw("""
                        UPDATE students SET name = \(bind: student.name), unit_id = \(bind: unitID), active = \(bind: student.active), \
                        updated_at = \(bind: Date()) WHERE id = \(bind: stored.id)
                        """).run()
                    if !sameMemberships {
                        try await sql.raw("DELETE FROM student_collectives WHERE student_id = \(bind: stored.id)").run()
                        newPairs += pairs(of: stored.id, wanted)
                    }
                    outcome.updated += 1
                } else {
                    pending.append((student, unitID))
                }
                if done % batchSize == 0 { progress?(done, total) }
            }
            let now = Date()
            var freshStudents: [[BulkValue]] = []
            freshStudents.reserveCapacity(pending.count)
            for (student, id) in zip(pending, ids.ascending(pending.count, band: band.index, of: band.of)) {
                freshStudents.append([.uuid(id), .text(student.student.studentNumber), .text(student.student.name), .uuid(student.unitID),
                                      .bool(student.student.active), .date(now)])
                newPairs += pairs(of: id, Set(student.student.collectiveCodes))
            }
            let freshMemberships: [[BulkValue]] = zip(newPairs, ids.ascending(newPairs.count, band: band.index, of: band.of)).map { pair, id in
                [.uuid(id), .uuid(pair.student), .uuid(pair.collective)]
            }
            PhaseClock.mark("compare")
            try await BulkInsert.run(into: StudentModel.schema, columns: ["id", "student_number", "name", "unit_id", "active", "updated_at"],
                                     freshStudents, on: db)
            PhaseClock.mark("students")
            try await BulkInsert.run(into: StudentCollectiveModel.schema, columns: ["id", "student_id", "collective_id"], freshMemberships, on: db)
            PhaseClock.mark("memberships")
            outcome.created += freshStudents.count
            progress?(min(done, total), total)
        }
    }

    private struct IDCode: Decodable { var id: UUID; var code: String }
    private struct StoredStudent: Decodable { var id: UUID; var student_number: String; var name: String; var unit_id: UUID; var active: Bool }
    private struct StoredMembership: Decodable { var student_id: UUID; var collective_id: UUID }

    /// Multi-row inserts in batches: one statement per 500 rows instead of one per row.
    static func insert<M: Model>(_ models: [M], on db: any Database) async throws {
        var start = 0
        while start < models.count {
            let end = min(start + batchSize, models.count)
            try await Array(models[start..<end]).create(on: db)
            start = end
        }
    }

    // MARK: - Export

    enum ExportFormat: String, Sendable { case csv, xlsx }

    /// The roster as a file with the import's own headers, so an export re-imports unchanged.
    static func export(_ kind: RosterKind, format: ExportFormat, scope: UUID?, on db: any Database) async throws -> Data {
        func encode<R: RosterRecord>(_ values: [R]) throws -> Data {
            format == .csv ? RosterExport.csv(values) : try RosterExport.xlsx(values, sheetName: kind.label.zh)
        }
        let unitCodes = Dictionary(uniqueKeysWithValues: try await unitIDs(on: db).map { ($0.value, $0.key) })
        switch kind {
        case .units:
            var query = UnitModel.query(on: db)
            if let scope { query = query.filter(\.$id == scope) }
            return try encode(try await query.all().map(\.core).sorted(by: Unit.inUniversityOrder))
        case .cadres:
            var query = CadreModel.query(on: db).sort(\.$staffNumber)
            if let scope { query = query.filter(\.$unit.$id == scope) }
            return try encode(try await query.all().map { $0.core(unitCode: unitCodes[$0.$unit.id] ?? "") })
        case .collectives:
            var query = CollectiveModel.query(on: db).sort(\.$code)
            if let scope { query = query.filter(\.$unit.$id == scope) }
            return try encode(try await query.all().map { $0.core(unitCode: unitCodes[$0.$unit.id] ?? "") })
        case .students:
            var query = StudentModel.query(on: db).sort(\.$studentNumber)
            if let scope { query = query.filter(\.$unit.$id == scope) }
            let students = try await query.all()
            let collectiveCodes = Dictionary(uniqueKeysWithValues: try await CollectiveModel.query(on: db).all().map { ($0.id!, $0.code) })
            var memberships: [UUID: [String]] = [:]
            for m in try await StudentCollectiveModel.query(on: db).all() {
                memberships[m.$student.id, default: []].append(collectiveCodes[m.$collective.id] ?? "")
            }
            return try encode(students.map {
                Student(studentNumber: $0.studentNumber, name: $0.name, unitCode: unitCodes[$0.$unit.id] ?? "",
                        collectiveCodes: (memberships[$0.id!] ?? []).sorted(), active: $0.active)
            })
        }
    }
}

/// A roster table whose rows are upserted by a natural key (code or staff number).
protocol RosterRowModel: Model where IDValue == UUID {
    associatedtype Value: Equatable
    static func key(of value: Value) -> String
    /// The unit a row belongs to; nil for a unit itself.
    static func unitCode(of value: Value) -> String?
    var rosterKey: String { get }
    func core(unitCodes: [UUID: String]) -> Value
    func apply(_ value: Value, unitID: UUID?)
}

extension UnitModel: RosterRowModel {
    static func key(of value: Unit) -> String { value.code }
    static func unitCode(of _: Unit) -> String? { nil }
    var rosterKey: String { code }
    func core(unitCodes _: [UUID: String]) -> Unit { core }
    func apply(_ value: Unit, unitID _: UUID?) { apply(value) }
}

extension CadreModel: RosterRowModel {
    static func key(of value: Cadre) -> String { value.staffNumber }
    static func unitCode(of value: Cadre) -> String? { value.unitCode }
    var rosterKey: String { staffNumber }
    func core(unitCodes: [UUID: String]) -> Cadre { core(unitCode: unitCodes[$unit.id] ?? "") }
    func apply(_ value: Cadre, unitID: UUID?) { apply(value, unitID: unitID!) }
}

extension CollectiveModel: RosterRowModel {
    static func key(of value: Collective) -> String { value.code }
    static func unitCode(of value: Collective) -> String? { value.unitCode }
    var rosterKey: String { code }
    func core(unitCodes: [UUID: String]) -> Collective { core(unitCode: unitCodes[$unit.id] ?? "") }
    func apply(_ value: Collective, unitID: UUID?) { apply(value, unitID: unitID!) }
}
