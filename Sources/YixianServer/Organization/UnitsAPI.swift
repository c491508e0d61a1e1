import Fluent
import Vapor
import YixianCore

/// Units: queries callable from tests and pages, and the thin API handlers over them.
enum UnitsAPI {
    static func list(_ filter: RosterFilter, scope: UUID?, on db: any Database) async throws -> ListPage<UnitDTO> {
        var query = UnitModel.query(on: db).search(["name", "code"], filter.likePattern)
        if let scope { query = query.filter(\.$id == scope) }
        if let active = filter.active { query = query.filter(\.$active == active) }
        if let kind = filter.kind { query = query.filter(\.$kind == kind) }
        if let unitID = filter.unitID { query = query.filter(\.$id == unitID) }
        // A university has tens of units, not thousands: ordered and paged here, in its own order
        // (排序, then kind and name), which SQL cannot express without repeating Unit.inUniversityOrder.
        let all = try await query.all().inUniversityOrder()
        let items = all.dropFirst(filter.page.offset).prefix(filter.page.per)
        return ListPage(items: items.map(UnitDTO.init), page: filter.page.page, per: filter.page.per, total: all.count)
    }

    static func validated(_ input: UnitInput, existing: UnitModel?) throws -> Unit {
        var check = FieldChecker()
        let code = existing.map { $0.code } ?? check.code("code", input.code, label: "单位代码")
        let name = check.text("name", input.name ?? existing?.name, label: "单位名称", max: 100)
        let kind = check.choice("kind", input.kind ?? existing?.kind, label: "单位类型", as: UnitKind.self)
        let order = input.sortOrder.flatMap { check.integer("sortOrder", $0, label: "排序", range: 0...99_999) }
        try check.throwIfInvalid()
        return Unit(code: code!, name: name!, kind: kind!, active: input.active ?? existing?.active ?? true,
                    sortOrder: order ?? existing?.sortOrder)
    }

    static func register(_ app: Application) {
        let read = Access.capability(.readRoster), write = Access.capability(.importRoster)
        app.register(.init(method: .GET, path: "/units", summary: "List units", tag: "Organization", access: read,
                           query: RosterFilter.queryParameters, response: "UnitPage")) { req in
            return try await list(RosterFilter(req), scope: try req.requireUser().rosterUnitScope(), on: req.db)
        }
        app.register(.init(method: .GET, path: "/units/:id", summary: "One unit", tag: "Organization", access: read, response: "Unit")) { req in
            guard let unit = try await UnitModel.find(try req.idParameter(), on: req.db) else { throw AppError.notFound("unit") }
            try req.requireUser().checkUnit(unit.requireID())
            return UnitDTO(unit)
        }
        app.register(.init(method: .POST, path: "/units", summary: "Create a unit", tag: "Organization", access: write,
                           requestBody: "UnitInput", response: "Unit", successStatus: 201)) { req in
            let user = try req.requireUser()
            let unit = try validated(try req.decodeJSON(UnitInput.self), existing: nil)
            return try await req.db.write { db in
                guard try await UnitModel.query(on: db).filter(\.$code == unit.code).first() == nil else {
                    throw AppError.conflict(field: "code", zh: "单位代码“\(unit.code)”已存在", en: "Unit code \(unit.code) already exists")
                }
                let model = UnitModel(unit)
                try await model.create(on: db)
                try await AuditTrail.record("unit.create", objectType: "unit", objectID: unit.code, by: .init(user), on: db)
                return UnitDTO(model)
            }
        }
        app.register(.init(method: .PATCH, path: "/units/:id", summary: "Change a unit", tag: "Organization", access: write,
                           requestBody: "UnitInput", response: "Unit")) { req in
            let user = try req.requireUser()
            let id = try req.idParameter()
            let input = try req.decodeJSON(UnitInput.self)
            return try await req.db.write { db in
                guard let model = try await UnitModel.find(id, on: db) else { throw AppError.notFound("unit") }
                model.apply(try validated(input, existing: model))
                try await model.save(on: db)
                try await AuditTrail.record("unit.update", objectType: "unit", objectID: model.code, by: .init(user), on: db)
                return UnitDTO(model)
            }
        }
    }
}
