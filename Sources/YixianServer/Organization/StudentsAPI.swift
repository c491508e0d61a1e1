import Fluent
import Vapor
import YixianCore

enum StudentsAPI {
    static func list(_ filter: RosterFilter, collectiveID: UUID? = nil, scope: UUID?, on db: any Database) async throws -> ListPage<StudentDTO> {
        var query = StudentModel.query(on: db).with(\.$unit).search(["name", "student_number"], filter.likePattern).sort(\.$studentNumber)
        if let scope { query = query.filter(\.$unit.$id == scope) }
        if let unitID = filter.unitID { query = query.filter(\.$unit.$id == unitID) }
        if let active = filter.active { query = query.filter(\.$active == active) }
        if let collectiveID {
            query = query.join(StudentCollectiveModel.self, on: \StudentModel.$id == \StudentCollectiveModel.$student.$id)
                .filter(StudentCollectiveModel.self, \.$collective.$id == collectiveID)
        }
        let (items, total) = try await query.paged(filter.page)
        return ListPage(items: try await dtos(items, on: db), page: filter.page.page, per: filter.page.per, total: total)
    }

    /// Students with their collectives, in two queries whatever the page size.
    static func dtos(_ students: [StudentModel], on db: any Database) async throws -> [StudentDTO] {
        let ids = students.compactMap(\.id)
        let memberships = ids.isEmpty ? [] : try await StudentCollectiveModel.query(on: db).filter(\.$student.$id ~~ ids).with(\.$collective).all()
        let byStudent = Dictionary(grouping: memberships, by: { $0.$student.id })
        return students.map { s in
            StudentDTO(id: s.id!, studentNumber: s.studentNumber, name: s.name,
                       unit: UnitRef(id: s.unit.id!, code: s.unit.code, name: s.unit.name),
                       collectives: (byStudent[s.id!] ?? []).map {
                           CollectiveRef(id: $0.collective.id!, code: $0.collective.code, name: $0.collective.name, kind: $0.collective.kind)
                       }.sorted { $0.code < $1.code },
                       active: s.active)
        }
    }

    static func find(_ id: UUID, for user: CurrentUser, on db: any Database) async throws -> StudentModel {
        guard let model = try await StudentModel.query(on: db).filter(\.$id == id).with(\.$unit).first() else {
            throw AppError.notFound("student")
        }
        if user.studentID != id { try user.checkUnit(model.$unit.id) }
        return model
    }

    /// A unit secretary may put a student only into collectives of their own unit: otherwise the
    /// student could confirm another college's records. Memberships the student already has elsewhere
    /// (a dorm kept by the student-affairs department) may stay.
    static func checkCollectiveScope(_ collectives: [CollectiveModel], for user: CurrentUser, existing: StudentModel?,
                                     on db: any Database) async throws {
        guard let scope = try user.rosterUnitScope() else { return }
        var kept: Set<UUID> = []
        if let existing {
            kept = Set(try await StudentCollectiveModel.query(on: db).filter(\.$student.$id == existing.requireID()).all().map { $0.$collective.id })
        }
        if let outside = collectives.first(where: { $0.$unit.id != scope && !kept.contains($0.id!) }) {
            throw AppError.field("collectiveCodes", zh: "集体代码“\(outside.code)”不存在或不属于本单位", en: "Collective \(outside.code) does not exist in your unit")
        }
    }

    static func validated(_ input: StudentInput, existing: StudentModel?, for user: CurrentUser, on db: any Database) async throws -> (Student, UnitModel, [CollectiveModel]) {
        var check = FieldChecker()
        let number = existing.map { $0.studentNumber } ?? check.code("studentNumber", input.studentNumber, label: "学号", max: 32)
        let name = check.text("name", input.name ?? existing?.name, label: "姓名", max: 50)
        let unitCode = check.code("unitCode", input.unitCode ?? existing?.unit.code, label: "所属单位代码")
        let codes = (input.collectiveCodes ?? []).compactMap { check.code("collectiveCodes", $0, label: "集体代码") }
        if codes.count > 20 { check.fail("collectiveCodes", zh: "所在集体最多 20 个", en: "at most 20 collectives") }
        try check.throwIfInvalid()
        let unit = try await db.unit(code: unitCode!, field: "unitCode")
        let collectives = codes.isEmpty ? [] : try await CollectiveModel.query(on: db).filter(\.$code ~~ codes).all()
        if let missing = Set(codes).subtracting(collectives.map(\.code)).sorted().first {
            throw AppError.field("collectiveCodes", zh: "集体代码“\(missing)”不存在", en: "Unknown collective code \(missing)")
        }
        try await checkCollectiveScope(collectives, for: user, existing: existing, on: db)
        return (Student(studentNumber: number!, name: name!, unitCode: unit.code, collectiveCodes: codes,
                        active: input.active ?? existing?.active ?? true), unit, collectives)
    }

    static func register(_ app: Application) {
        let read = Access.capability(.readRoster), write = Access.capability(.writeRoster)
        app.register(.init(method: .GET, path: "/students", summary: "List students (no sensitive data)", tag: "Organization", access: read,
                           query: RosterFilter.queryParameters + [.init(name: "collective", description: "collective id")],
                           response: "StudentPage")) { req in
            let user = try req.requireUser()
            return try await list(RosterFilter(req), collectiveID: try req.uuidParameter("collective"),
                                  scope: try user.rosterUnitScope(), on: req.db)
        }
        app.register(.init(method: .GET, path: "/students/:id", summary: "One student (students may read themselves)", tag: "Organization",
                           access: .signedIn, response: "Student")) { req in
            let user = try req.requireUser()
            let id = try req.idParameter()
            guard user.studentID == id || user.can(.readRoster) else { throw AppError.forbidden }
            return try await dtos([try await find(id, for: user, on: req.db)], on: req.db)[0]
        }
        app.register(.init(method: .POST, path: "/students", summary: "Create a student", tag: "Organization", access: write,
                           requestBody: "StudentInput", response: "Student", successStatus: 201)) { req in
            let user = try req.requireUser()
            let input = try req.decodeJSON(StudentInput.self)
            return try await req.db.write { db in
                let (student, unit, collectives) = try await validated(input, existing: nil, for: user, on: db)
                try user.checkUnit(unit.id!)
                guard try await StudentModel.query(on: db).filter(\.$studentNumber == student.studentNumber).first() == nil else {
                    throw AppError.conflict(field: "studentNumber", zh: "学号“\(student.studentNumber)”已存在", en: "Student number \(student.studentNumber) already exists")
                }
                let model = StudentModel()
                model.studentNumber = student.studentNumber
                model.name = student.name
                model.$unit.id = unit.id!
                model.active = student.active
                try await model.create(on: db)
                for c in collectives { try await StudentCollectiveModel(studentID: model.id!, collectiveID: c.id!).create(on: db) }
                model.$unit.value = unit
                try await AuditTrail.record("student.create", objectType: "student", objectID: student.studentNumber, by: .init(user), on: db)
                return try await dtos([model], on: db)[0]
            }
        }
        app.register(.init(method: .PATCH, path: "/students/:id", summary: "Change or deactivate a student; collectiveCodes replaces memberships",
                           tag: "Organization", access: write, requestBody: "StudentInput", response: "Student")) { req in
            let user = try req.requireUser()
            let id = try req.idParameter()
            let input = try req.decodeJSON(StudentInput.self)
            return try await req.db.write { db in
                let model = try await find(id, for: user, on: db)
                let (student, unit, collectives) = try await validated(input, existing: model, for: user, on: db)
                try user.checkUnit(unit.id!)
                model.name = student.name
                model.$unit.id = unit.id!
                model.active = student.active
                try await model.save(on: db)
                if input.collectiveCodes != nil {
                    try await StudentCollectiveModel.query(on: db).filter(\.$student.$id == id).delete()
                    for c in collectives { try await StudentCollectiveModel(studentID: id, collectiveID: c.id!).create(on: db) }
                }
                model.$unit.value = unit
                try await AuditTrail.record("student.update", objectType: "student", objectID: student.studentNumber, by: .init(user), on: db)
                return try await dtos([model], on: db)[0]
            }
        }
        app.register(.init(method: .GET, path: "/students/:id/sensitive",
                           summary: "Sensitive flags (hardship, disability, psychological); every read is audited",
                           tag: "Organization", access: .capability(.readSensitive), response: "Sensitive")) { req in
            let user = try req.requireUser()
            return try await readSensitive(try req.idParameter(), by: user, on: req.db)
        }
        app.register(.init(method: .PUT, path: "/students/:id/sensitive", summary: "Set sensitive flags", tag: "Organization",
                           access: .capability(.writeSensitive), requestBody: "SensitiveInput", response: "Sensitive")) { req in
            let user = try req.requireUser()
            let id = try req.idParameter()
            let input = try req.decodeJSON(SensitiveInput.self)
            var check = FieldChecker()
            let note = check.text("note", input.note, label: "备注", max: 500, required: false)
            try check.throwIfInvalid()
            return try await req.db.write { db in
                let student = try await find(id, for: user, on: db)
                let model = try await StudentSensitiveModel.query(on: db).filter(\.$student.$id == id).first() ?? {
                    let m = StudentSensitiveModel(); m.$student.id = id; return m
                }()
                model.apply(SensitiveFlags(familyHardship: input.familyHardship ?? false, disability: input.disability ?? false,
                                           psychologicalAttention: input.psychologicalAttention ?? false, note: note ?? ""))
                try await model.save(on: db)
                try await AuditTrail.record("sensitive.write", objectType: "student", objectID: student.studentNumber, by: .init(user), on: db)
                return SensitiveDTO(studentId: id, familyHardship: model.familyHardship, disability: model.disability,
                                    psychologicalAttention: model.psychologicalAttention, note: model.note)
            }
        }
    }

    /// Reads a student's sensitive flags and writes the audit line in the same transaction:
    /// if the audit cannot be written, the data is not returned.
    static func readSensitive(_ id: UUID, by user: CurrentUser, on db: any Database) async throws -> SensitiveDTO {
        try await db.write { db in
            let student = try await find(id, for: user, on: db)
            let flags = try await StudentSensitiveModel.query(on: db).filter(\.$student.$id == id).first()?.core ?? SensitiveFlags()
            try await AuditTrail.record("sensitive.read", objectType: "student", objectID: student.studentNumber, by: .init(user), on: db)
            return SensitiveDTO(studentId: id, familyHardship: flags.familyHardship, disability: flags.disability,
                                psychologicalAttention: flags.psychologicalAttention, note: flags.note)
        }
    }
}
