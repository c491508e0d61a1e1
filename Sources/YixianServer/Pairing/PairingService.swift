import Fluent
import Foundation
import Vapor
import YixianCore

struct PairingDTO: Content {
    var id: UUID
    var cadre: ContactDTO.CadreRef
    var kind: String
    var kindLabel: Localized
    var collective: CollectiveRef?
    var studentNumber: String?
    /// A college pairing's college (§4.18).
    var college: UnitRef?
    var academicYear: String
    var start: String
    var end: String
}

struct PairingInput: Content {
    var staffNumber: String?
    var collectiveCode: String?
    var studentNumber: String?
    /// The code of a college (a unit of kind college) to pair with instead of a collective or student.
    var unitCode: String?
    var kind: String?
    var academicYear: String?
    var start: String?
    var end: String?
}

/// The roster as core values plus the pairings of the database, for tables, coverage and matching.
struct PairingWorld: Sendable {
    var organization: OrganizationFacts
    var pairings: [Pairing]
    /// Row ids, parallel to `pairings`.
    var pairingIDs: [UUID]

    var units: [Unit] { organization.units }
    var cadres: [Cadre] { organization.cadres }
    var collectives: [Collective] { organization.collectives }

    static func load(on db: any Database) async throws -> PairingWorld {
        let organization = try await OrganizationFacts.load(on: db)
        let stored = try await StoredPairings.load(organization, on: db)
        return PairingWorld(organization: organization, pairings: stored.pairings, pairingIDs: stored.ids)
    }
}

enum PairingService {
    static func currentYear(on db: any Database, asOf: LocalDate) async throws -> AcademicYear? {
        let years = try await CalendarAPI.load(on: db)
        return years.first { $0.range.contains(asOf) } ?? years.last
    }

    /// Adds a pairing unless the same one already exists in that year (imports are idempotent).
    @discardableResult
    static func add(staffNumber: String, collectiveCode: String?, studentNumber: String?, unitCode: String? = nil, kind: Pairing.Kind,
                    year: AcademicYear, range: DateRange, actor: AuditTrail.Actor, on db: any Database) async throws -> (PairingModel, created: Bool) {
        guard let cadre = try await CadreModel.query(on: db).filter(\.$staffNumber == staffNumber).first() else {
            throw AppError.field("staffNumber", zh: "工号“\(staffNumber)”不存在", en: "Unknown staff number \(staffNumber)")
        }
        let collective = try await collectiveCode.asyncMap { code -> CollectiveModel in
            guard let c = try await CollectiveModel.query(on: db).filter(\.$code == code).first() else {
                throw AppError.field("collectiveCode", zh: "集体代码“\(code)”不存在", en: "Unknown collective \(code)")
            }
            return c
        }
        let student = try await studentNumber.asyncMap { number -> StudentModel in
            guard let s = try await StudentModel.query(on: db).filter(\.$studentNumber == number).first() else {
                throw AppError.field("studentNumber", zh: "学号“\(number)”不存在", en: "Unknown student \(number)")
            }
            return s
        }
        let college = try await unitCode.asyncMap { code -> UnitModel in
            let unit = try await UnitModel.query(on: db).filter(\.$code == code).first()
            if let problem = Pairing.collegeTargetProblem(unit?.core, code: code) { throw AppError.field("unitCode", zh: problem.zh, en: problem.en) }
            return unit!
        }
        guard [collective != nil, student != nil, college != nil].filter({ $0 }).count == 1 else {
            throw AppError.field("collectiveCode", zh: "请指定一个学生集体、一名重点联系学生或一个院（系）", en: "give one collective, one key student or one college")
        }
        if college != nil && kind != .linked {
            throw AppError.field("kind", zh: "与院（系）的结对只能是“联系”", en: "a college pairing can only be of kind linked")
        }
        var existing = PairingModel.query(on: db).filter(\.$cadre.$id == cadre.id!).filter(\.$academicYear == year.id).filter(\.$kind == kind.rawValue)
        if let collective { existing = existing.filter(\.$collective.$id == collective.id!) }
        if let student { existing = existing.filter(\.$student.$id == student.id!) }
        if let college { existing = existing.filter(\.$college.$id == college.id!) }
        if let found = try await existing.first() { return (found, false) }
        let model = PairingModel()
        model.$cadre.id = cadre.id!
        model.kind = kind.rawValue
        model.$collective.id = collective?.id
        model.$student.id = student?.id
        model.$college.id = college?.id
        model.academicYear = year.id
        model.startDate = range.start.iso
        model.endDate = range.end.iso
        try await model.create(on: db)
        try await AuditTrail.record("pairing.create", objectType: "pairing", objectID: model.id!.uuidString,
                                    detail: "\(staffNumber) \(kind.rawValue) \(collectiveCode ?? studentNumber ?? unitCode ?? "")", by: actor, on: db)
        return (model, true)
    }

    static func dto(_ p: PairingModel, cadre: CadreModel) -> PairingDTO {
        PairingDTO(id: p.id!, cadre: .init(id: cadre.id!, staffNumber: cadre.staffNumber, name: cadre.name), kind: p.kind,
                   kindLabel: Pairing.Kind(rawValue: p.kind)?.label ?? Localized(zh: p.kind, en: p.kind),
                   collective: p.collective.map { CollectiveRef(id: $0.id!, code: $0.code, name: $0.name, kind: $0.kind) },
                   studentNumber: p.student?.studentNumber, college: p.college.map { UnitRef(id: $0.id!, code: $0.code, name: $0.name) },
                   academicYear: p.academicYear, start: p.startDate, end: p.endDate)
    }
}
