import Fluent
import Vapor
import YixianCore

enum CollectivesAPI {
    static func list(_ filter: RosterFilter, grade: Int? = nil, scope: UUID?, on db: any Database) async throws -> ListPage<CollectiveDTO> {
        var query = CollectiveModel.query(on: db).with(\.$unit).search(["name", "code"], filter.likePattern).sort(\.$code)
        if let scope { query = query.filter(\.$unit.$id == scope) }
        if let unitID = filter.unitID { query = query.filter(\.$unit.$id == unitID) }
        if let active = filter.active { query = query.filter(\.$active == active) }
        if let kind = filter.kind { query = query.filter(\.$kind == kind) }
        if let grade { query = query.filter(\.$grade == grade) }
        let (items, total) = try await query.paged(filter.page)
        return ListPage(items: items.map(CollectiveDTO.init), page: filter.page.page, per: filter.page.per, total: total)
    }

    static func find(_ id: UUID, for user: CurrentUser, on db: any Database) async throws -> CollectiveModel {
        guard let model = try await CollectiveModel.query(on: db).filter(\.$id == id).with(\.$unit).first() else {
            throw AppError.notFound("collective")
        }
        try user.checkUnit(model.$unit.id)
        return model
    }

    static func validated(_ input: CollectiveInput, existing: CollectiveModel?, on db: any Database) async throws -> (Collective, UnitModel) {
        var check = FieldChecker()
        let code = existing.map { $0.code } ?? check.code("code", input.code, label: "集体代码")
        let name = check.text("name", input.name ?? existing?.name, label: "名称", max: 100)
        let kind = check.choice("kind", input.kind ?? existing?.kind, label: "类型", as: CollectiveKind.self)
        let grade = check.integer("grade", input.grade ?? existing?.grade, label: "年级", range: 1990...2100, required: false)
        let size = check.integer("size", input.size ?? existing?.size ?? 0, label: "人数", range: 0...10_000)
        let unitCode = check.code("unitCode", input.unitCode ?? existing?.unit.code, label: "所属单位代码")
        try check.throwIfInvalid()
        let unit = try await db.unit(code: unitCode!, field: "unitCode")
        return (Collective(code: code!, name: name!, kind: kind!, unitCode: unit.code, grade: grade, size: size!,
                           active: input.active ?? existing?.active ?? true), unit)
    }

    static func register(_ app: Application) {
        let read = Access.capability(.readRoster), write = Access.capability(.writeRoster)
        app.register(.init(method: .GET, path: "/collectives", summary: "List student collectives", tag: "Organization", access: read,
                           query: RosterFilter.queryParameters + [.init(name: "grade", description: "entry year", type: "integer")],
                           response: "CollectivePage")) { req in
            let user = try req.requireUser()
            return try await list(RosterFilter(req), grade: try req.intParameter("grade"), scope: try user.rosterUnitScope(), on: req.db)
        }
        app.register(.init(method: .GET, path: "/collectives/:id", summary: "One collective", tag: "Organization", access: read,
                           response: "Collective")) { req in
            CollectiveDTO(try await find(try req.idParameter(), for: try req.requireUser(), on: req.db))
        }
        app.register(.init(method: .POST, path: "/collectives", summary: "Create a collective", tag: "Organization", access: write,
                           requestBody: "CollectiveInput", response: "Collective", successStatus: 201)) { req in
            let user = try req.requireUser()
            let input = try req.decodeJSON(CollectiveInput.self)
            return try await req.db.write { db in
                let (collective, unit) = try await validated(input, existing: nil, on: db)
                try user.checkUnit(unit.id!)
                guard try await CollectiveModel.query(on: db).filter(\.$code == collective.code).first() == nil else {
                    throw AppError.conflict(field: "code", zh: "集体代码“\(collective.code)”已存在", en: "Collective code \(collective.code) already exists")
                }
                let model = CollectiveModel()
                model.apply(collective, unitID: unit.id!)
                try await model.create(on: db)
                model.$unit.value = unit
                try await AuditTrail.record("collective.create", objectType: "collective", objectID: collective.code, by: .init(user), on: db)
                return CollectiveDTO(model)
            }
        }
        app.register(.init(method: .PATCH, path: "/collectives/:id", summary: "Change or deactivate a collective", tag: "Organization",
                           access: write, requestBody: "CollectiveInput", response: "Collective")) { req in
            let user = try req.requireUser()
            let id = try req.idParameter()
            let input = try req.decodeJSON(CollectiveInput.self)
            return try await req.db.write { db in
                let model = try await find(id, for: user, on: db)
                let (collective, unit) = try await validated(input, existing: model, on: db)
                try user.checkUnit(unit.id!)
                model.apply(collective, unitID: unit.id!)
                try await model.save(on: db)
                model.$unit.value = unit
                try await AuditTrail.record("collective.update", objectType: "collective", objectID: collective.code, by: .init(user), on: db)
                return CollectiveDTO(model)
            }
        }
    }
}
