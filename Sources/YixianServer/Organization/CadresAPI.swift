import Fluent
import SQLKit
import Vapor
import YixianCore

enum CadresAPI {
    /// The `kind` filter value for 领导干部 only: every rank but `staff` (辅导员, 班主任 … are staff, not cadres).
    static let cadresOnly = "cadres"

    /// One statement for a page and its total (a scalar subquery SQLite computes once), read as
    /// plain columns: the Fluent query was a count, the page and an eager load of units, each
    /// decoded by reflection, and every further statement is another trip to the database thread.
    static func list(_ filter: RosterFilter, scope: UUID?, on db: any Database) async throws -> ListPage<CadreDTO> {
        let sql = db as! any SQLDatabase
        var conditions: [SQLQueryString] = []
        if let pattern = filter.likePattern?.lowercased() {
            conditions.append("(LOWER(c.name) LIKE \(bind: pattern) ESCAPE '\\' OR LOWER(c.staff_number) LIKE \(bind: pattern) ESCAPE '\\' OR LOWER(c.posts) LIKE \(bind: pattern) ESCAPE '\\')")
        }
        if let scope { conditions.append("c.unit_id = \(bind: scope)") }
        if let unitID = filter.unitID { conditions.append("c.unit_id = \(bind: unitID)") }
        if let active = filter.active { conditions.append("c.active = \(bind: active)") }
        if filter.kind == cadresOnly {
            conditions.append("c.rank <> \(bind: Rank.staff.rawValue)")
        } else if let rank = filter.kind {
            conditions.append("c.rank = \(bind: rank)")
        }
        let whereClause: SQLQueryString = conditions.isEmpty ? "" : "WHERE \(conditions.joined(separator: " AND "))"
        // The page walks the staff-number index and stops after `per` rows. A window count
        // (`COUNT(*) OVER ()`) made SQLite materialise and sort every matching cadre on every request.
        let rows = try await db.plainRows("""
            SELECT c.id, c.staff_number, c.name, c.posts, c.rank, c.party_member, c.tags, c.active, \
            u.id AS unit_id, u.code AS unit_code, u.name AS unit_name, (SELECT COUNT(*) FROM cadres c \(whereClause)) AS total \
            FROM cadres c JOIN units u ON u.id = c.unit_id \(whereClause) \
            ORDER BY c.staff_number LIMIT \(bind: filter.page.per) OFFSET \(bind: filter.page.offset)
            """)
        let items = try rows.map { row in
            let rank = try row.string("rank")
            return CadreDTO(id: try row.uuid("id"), staffNumber: try row.string("staff_number"), name: try row.string("name"),
                            unit: UnitRef(id: try row.uuid("unit_id"), code: try row.string("unit_code"), name: try row.string("unit_name")),
                            posts: CadreModel.list(try row.string("posts"), separator: "、"), rank: rank,
                            rankLabel: Rank(rawValue: rank)?.label ?? Localized(zh: rank, en: rank), partyMember: try row.bool("party_member"),
                            tags: CadreModel.list(try row.string("tags"), separator: ","), active: try row.bool("active"))
        }
        // Past the last page there is no row to carry the total.
        let total = if let first = rows.first {
            try first.int("total")
        } else {
            try await sql.raw("SELECT COUNT(*) AS total FROM cadres c \(whereClause)").first(decoding: Total.self)?.total ?? 0
        }
        return ListPage(items: items, page: filter.page.page, per: filter.page.per, total: total)
    }

    private struct Total: Decodable { var total: Int }

    static func find(_ id: UUID, for user: CurrentUser, on db: any Database) async throws -> CadreModel {
        guard let cadre = try await CadreModel.query(on: db).filter(\.$id == id).with(\.$unit).first() else { throw AppError.notFound("cadre") }
        // A cadre may always read their own record.
        if user.cadreID != id { try user.checkUnit(cadre.$unit.id) }
        return cadre
    }

    static func validated(_ input: CadreInput, existing: CadreModel?, on db: any Database) async throws -> (Cadre, UnitModel) {
        var check = FieldChecker()
        let staffNumber = existing.map { $0.staffNumber } ?? check.code("staffNumber", input.staffNumber, label: "工号", max: 32)
        let name = check.text("name", input.name ?? existing?.name, label: "姓名", max: 50)
        let rank = check.choice("rank", input.rank ?? existing?.rank, label: "职级", as: Rank.self)
        let posts = (input.posts ?? existing?.postList ?? []).compactMap { check.text("posts", $0, label: "职务", max: 50) }
        if posts.count > 10 { check.fail("posts", zh: "职务最多 10 项", en: "at most 10 posts") }
        let tags = (input.tags ?? existing?.tagList ?? []).compactMap { check.code("tags", $0, label: "标签", max: 32) }
        let unitCode = check.code("unitCode", input.unitCode ?? existing?.unit.code, label: "单位代码")
        try check.throwIfInvalid()
        let unit = try await db.unit(code: unitCode!, field: "unitCode")
        let cadre = Cadre(staffNumber: staffNumber!, name: name!, unitCode: unit.code, posts: posts, rank: rank!,
                          partyMember: input.partyMember ?? existing?.partyMember ?? false, tags: tags,
                          active: input.active ?? existing?.active ?? true)
        return (cadre, unit)
    }

    static func register(_ app: Application) {
        let read = Access.capability(.readRoster), write = Access.capability(.writeRoster)
        app.register(.init(method: .GET, path: "/cadres", summary: "List cadres (scoped to the user's unit for unit secretaries)",
                           tag: "Organization", access: read, query: RosterFilter.queryParameters, response: "CadrePage")) { req in
            let user = try req.requireUser()
            return try await list(RosterFilter(req), scope: try user.rosterUnitScope(), on: req.db).jsonResponse
        }
        app.register(.init(method: .GET, path: "/cadres/:id", summary: "One cadre", tag: "Organization", access: .signedIn, response: "Cadre")) { req in
            let user = try req.requireUser()
            let id = try req.idParameter()
            guard user.cadreID == id || user.can(.readRoster) else { throw AppError.forbidden }
            return CadreDTO(try await find(id, for: user, on: req.db))
        }
        app.register(.init(method: .POST, path: "/cadres", summary: "Create a cadre", tag: "Organization", access: write,
                           requestBody: "CadreInput", response: "Cadre", successStatus: 201)) { req in
            let user = try req.requireUser()
            let input = try req.decodeJSON(CadreInput.self)
            return try await req.db.write { db in
                let (cadre, unit) = try await validated(input, existing: nil, on: db)
                try user.checkUnit(unit.id!)
                guard try await CadreModel.query(on: db).filter(\.$staffNumber == cadre.staffNumber).first() == nil else {
                    throw AppError.conflict(field: "staffNumber", zh: "工号“\(cadre.staffNumber)”已存在", en: "Staff number \(cadre.staffNumber) already exists")
                }
                let model = CadreModel()
                model.apply(cadre, unitID: unit.id!)
                try await model.create(on: db)
                try await CadrePostHistory.record(model, isNew: true, on: db)
                model.$unit.value = unit
                try await AuditTrail.record("cadre.create", objectType: "cadre", objectID: cadre.staffNumber, by: .init(user), on: db)
                return CadreDTO(model)
            }
        }
        app.register(.init(method: .PATCH, path: "/cadres/:id", summary: "Change or deactivate a cadre (active: false); never deleted",
                           tag: "Organization", access: write, requestBody: "CadreInput", response: "Cadre")) { req in
            let user = try req.requireUser()
            let id = try req.idParameter()
            let input = try req.decodeJSON(CadreInput.self)
            return try await req.db.write { db in
                let model = try await find(id, for: user, on: db)
                let (cadre, unit) = try await validated(input, existing: model, on: db)
                // Moving a cadre into another unit needs scope over the target unit too.
                try user.checkUnit(unit.id!)
                model.apply(cadre, unitID: unit.id!)
                try await model.save(on: db)
                try await CadrePostHistory.record(model, isNew: false, on: db)
                model.$unit.value = unit
                try await AuditTrail.record("cadre.update", objectType: "cadre", objectID: cadre.staffNumber, by: .init(user), on: db)
                return CadreDTO(model)
            }
        }
    }
}
