import Fluent
import Vapor
import YixianCore

struct HandoverInput: Content {
    var fromStaffNumber: String?
    var toStaffNumber: String?
    var date: String?
}

struct HandoverDTO: Content {
    var ended: Int
    var started: Int
    var alreadyHeld: Int
}

/// 换岗交接: the successor inherits the predecessor's pairings from a day; who was linked when stays on record.
enum HandoverService {
    static func handover(_ input: HandoverInput, by actor: AuditTrail.Actor, on db: any Database) async throws -> HandoverDTO {
        var check = FieldChecker()
        let from = check.code("fromStaffNumber", input.fromStaffNumber, label: "原任干部工号", max: 32)
        let to = check.code("toStaffNumber", input.toStaffNumber, label: "接任干部工号", max: 32)
        let day = check.date("date", input.date, label: "交接日期")
        if let from, let to, from == to { check.fail("toStaffNumber", zh: "接任干部不能与原任干部相同", en: "the successor must differ from the predecessor") }
        try check.throwIfInvalid()
        return try await db.write { db in
            guard try await CadreModel.query(on: db).filter(\.$staffNumber == from!).first() != nil else {
                throw AppError.field("fromStaffNumber", zh: "工号“\(from!)”不存在", en: "Unknown staff number \(from!)")
            }
            guard let successor = try await CadreModel.query(on: db).filter(\.$staffNumber == to!).first() else {
                throw AppError.field("toStaffNumber", zh: "工号“\(to!)”不存在", en: "Unknown staff number \(to!)")
            }
            let world = try await PairingWorld.load(on: db)
            let result = Pairing.handover(world.pairings, from: from!, to: to!, on: day!)
            // The predecessor's running pairings end the day before; ones not yet begun never were theirs.
            for (pairing, id) in zip(world.pairings, world.pairingIDs) where pairing.cadreStaffNumber == from! && pairing.range.end >= day! {
                guard let row = try await PairingModel.find(id, on: db) else { continue }
                if pairing.range.start < day! {
                    row.endDate = day!.adding(days: -1).iso
                    try await row.save(on: db)
                } else {
                    try await row.delete(on: db)
                }
            }
            // Only the students of the pairings handed over, not the whole student body.
            let numbers = Array(Set(result.started.compactMap(\.studentNumber)))
            let studentIDs = Dictionary(uniqueKeysWithValues: try await StudentModel.query(on: db).filter(\.$studentNumber ~~ numbers).all()
                .map { ($0.studentNumber, $0.id!) })
            let cadreIDs = [to!: successor.id!]
            for pairing in result.started {
                try await PairingModel(pairing, cadreIDs: cadreIDs, collectiveIDs: world.organization.collectiveIDs, studentIDs: studentIDs,
                                       unitIDs: world.organization.unitIDs)?.create(on: db)
            }
            try await AuditTrail.record("pairing.handover", objectType: "cadre", objectID: "\(from!)→\(to!)",
                                        detail: "on \(day!.iso): ended \(result.ended.count), started \(result.started.count)", by: actor, on: db)
            return HandoverDTO(ended: result.ended.count, started: result.started.count, alreadyHeld: result.alreadyHeld.count)
        }
    }

    static func register(_ app: Application) {
        app.register(.init(method: .POST, path: "/pairings/handover",
                           summary: "换岗交接: the successor takes over the predecessor's pairings from a date; history is kept",
                           tag: "Pairing", access: .capability(.importRoster), requestBody: "HandoverInput", response: "Handover")) { req in
            try await handover(try req.decodeJSON(HandoverInput.self), by: .init(try req.requireUser()), on: req.db)
        }
    }
}
