import Fluent
import FluentSQL
import SQLKit
import Foundation
import Vapor
import YixianCore

/// The roster filter every list shares: free text, unit, active, paging.
struct RosterFilter: Sendable {
    var text: String?
    var unitID: UUID?
    var active: Bool?
    var kind: String?
    var page: PageRequest

    static let queryParameters: [Endpoint.Parameter] = [
        .init(name: "q", description: "search in name and code / number"),
        .init(name: "unit", description: "unit id", type: "string"),
        .init(name: "active", description: "true or false", type: "boolean"),
        .init(name: "kind", description: "kind or rank code"),
    ] + PageRequest.queryParameters

    init(text: String? = nil, unitID: UUID? = nil, active: Bool? = nil, kind: String? = nil, page: PageRequest = .init()) {
        self.text = text
        self.unitID = unitID
        self.active = active
        self.kind = kind
        self.page = page
    }

    init(_ req: Request) throws {
        self.init(text: try req.stringParameter("q"),
                  unitID: try req.uuidParameter("unit"),
                  active: try req.boolParameter("active"),
                  kind: try req.stringParameter("kind", maxLength: 40),
                  page: try PageRequest(req))
    }

    /// `%` and `_` in what people type are literal, not wildcards.
    var likePattern: String? {
        text.map { "%" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%" }
    }
}

extension CurrentUser {
    /// The unit a roster read or write is confined to: nil means the whole institution.
    /// Roles without roster access never get here (route access), but fail closed anyway.
    func rosterUnitScope() throws -> UUID? {
        switch scope {
        case .institution: return nil
        case .unit: guard let unitID else { throw AppError.forbidden }; return unitID
        case .own: throw AppError.forbidden
        }
    }

    /// Object-level check: may this user touch a record of that unit?
    func checkUnit(_ unitID: UUID) throws {
        if let scoped = try rosterUnitScope(), scoped != unitID {
            // Not found rather than forbidden: guessing ids must not reveal what exists elsewhere.
            throw AppError.notFound()
        }
    }
}

extension QueryBuilder {
    /// Case-insensitive for ASCII, with `\` as the escape character on both SQLite and PostgreSQL.
    func search(_ columns: [String], _ pattern: String?) -> Self {
        guard let pattern else { return self }
        var parts: [any SQLExpression] = []
        for (index, column) in columns.enumerated() {
            if index > 0 { parts.append(SQLRaw("OR")) }
            parts.append(contentsOf: [any SQLExpression](arrayLiteral: SQLFunction("LOWER", args: SQLColumn(column, table: Model.schema)), SQLRaw("LIKE"),
                                      SQLBind(pattern.lowercased()), SQLRaw("ESCAPE '\\'")))
        }
        return filter(.sql(SQLGroupExpression(SQLList(parts, separator: SQLRaw(" ")))))
    }

    func paged(_ page: PageRequest) async throws -> (items: [Model], total: Int) {
        let total = try await copy().count()
        let items = try await range(page.offset..<(page.offset + page.per)).all()
        return (items, total)
    }
}

extension Database {
    func unit(code: String, field: String) async throws -> UnitModel {
        guard let unit = try await UnitModel.query(on: self).filter(\.$code == code).first() else {
            throw AppError.field(field, zh: "单位代码“\(code)”不存在", en: "Unknown unit code \(code)")
        }
        return unit
    }
}
