import Fluent
import FluentSQL
import SQLKit
import Vapor
import YixianCore

struct ContactVersionDTO: Content {
    var version: Int
    var snapshot: ContactSnapshot
    var reason: String
    var changedBy: String
    var changedAt: Date
}

extension ContactSnapshot: Content {}

struct VoidInput: Content {
    var reason: String?
}

struct ConfirmInput: Content {
    var code: String?
}

struct ProblemListItem: Content {
    var recordId: UUID
    var cadre: String
    var unitCode: String
    var date: String
    var text: String
    var category: String
    var collectiveCode: String?
}

enum LedgerAPI {
    /// What an inspection searches the ledger by; every field lives in the URL, so a search can be
    /// shared, bookmarked and exported exactly as shown.
    struct ListFilter: Sendable {
        var cadreID: UUID?
        var unitID: UUID?
        var from: LocalDate?
        var to: LocalDate?
        var kind: String?
        var venue: String?
        var collective: String?
        var confirmed: Bool?
        var status: ContactRecord.Status?
        var text: String?
        var page: PageRequest

        static let queryParameters: [Endpoint.Parameter] = [
            .init(name: "cadre", description: "cadre id"), .init(name: "unit", description: "unit id (the cadres' unit)"),
            .init(name: "from", description: "YYYY-MM-DD"), .init(name: "to", description: "YYYY-MM-DD"),
            .init(name: "kind", description: "contact kind code"), .init(name: "venue", description: "venue code"),
            .init(name: "collective", description: "collective code"), .init(name: "confirmed", description: "true: confirmed by students; false: not", type: "boolean"),
            .init(name: "status", description: "submitted, confirmed, flagged or voided"), .init(name: "q", description: "text in the place or the summary"),
        ]

        init(_ req: Request) throws {
            cadreID = try req.uuidParameter("cadre")
            unitID = try req.uuidParameter("unit")
            var check = FieldChecker()
            from = req.query[String.self, at: "from"].flatMap { $0.isEmpty ? nil : $0 }.flatMap { check.date("from", $0, label: "开始日期") }
            to = req.query[String.self, at: "to"].flatMap { $0.isEmpty ? nil : $0 }.flatMap { check.date("to", $0, label: "结束日期") }
            if let from, let to, to < from { check.fail("to", zh: "结束日期不能早于开始日期", en: "to cannot be before from") }
            try check.throwIfInvalid()
            kind = try req.stringParameter("kind", maxLength: 40)
            venue = try req.stringParameter("venue", maxLength: 40)
            collective = try req.stringParameter("collective", maxLength: 40)
            confirmed = try req.boolParameter("confirmed")
            if let raw = try req.stringParameter("status", maxLength: 20) {
                guard let status = ContactRecord.Status(rawValue: raw), status != .draft else {
                    throw AppError.field("status", zh: "状态只能是 submitted、confirmed、flagged 或 voided", en: "status must be submitted, confirmed, flagged or voided")
                }
                self.status = status
            }
            text = try req.stringParameter("q", maxLength: 100)
            page = try PageRequest(req)
        }

        /// The filter as query items (for links that keep it: pages, exports).
        var query: [String: String] {
            var items: [String: String] = [:]
            items["cadre"] = cadreID?.uuidString
            items["unit"] = unitID?.uuidString
            items["from"] = from?.iso
            items["to"] = to?.iso
            items["kind"] = kind
            items["venue"] = venue
            items["collective"] = collective
            items["confirmed"] = confirmed.map { $0 ? "true" : "false" }
            items["status"] = status?.rawValue
            items["q"] = text
            return items
        }
    }

    /// Records the user may read, newest first.
    static func query(_ filter: ListFilter, for user: CurrentUser, on db: any Database) throws -> QueryBuilder<ContactRecordModel> {
        var query = ContactRecordModel.query(on: db).sort(\.$startAt, .descending)
        if user.role == .cadre {
            guard let cadreID = user.cadreID else { throw AppError.forbidden }
            query = query.filter(\.$cadre.$id == cadreID)
        } else {
            guard user.can(.readRoster) else { throw AppError.forbidden }
            if let scope = try user.rosterUnitScope() {
                query = query.join(CadreModel.self, on: \ContactRecordModel.$cadre.$id == \CadreModel.$id).filter(CadreModel.self, \.$unit.$id == scope)
            }
            // Drafts are the cadre's own business until submitted.
            query = query.filter(\.$submittedAt != nil)
        }
        if let cadreID = filter.cadreID { query = query.filter(\.$cadre.$id == cadreID) }
        if let unitID = filter.unitID {
            query = query.filter(.sql(embed: "contact_records.cadre_id IN (SELECT id FROM cadres WHERE unit_id = \(bind: unitID))"))
        }
        if let from = filter.from { query = query.filter(\.$startAt >= from.startInstant()) }
        if let to = filter.to { query = query.filter(\.$startAt < to.adding(days: 1).startInstant()) }
        if let kind = filter.kind { query = query.filter(\.$kind == kind) }
        if let venue = filter.venue { query = query.filter(\.$venue == venue) }
        if let collective = filter.collective {
            // Codes are stored joined by commas: match a whole code, not a prefix of another.
            let escaped = String(RosterFilter(text: collective).likePattern!.dropFirst().dropLast())
            query = query.filter(.sql(embed: "(',' || contact_records.collective_codes || ',') LIKE \(bind: "%," + escaped + ",%") ESCAPE '\\'"))
        }
        if let confirmed = filter.confirmed {
            query = confirmed ? query.filter(\.$confirmedCount > 0) : query.filter(\.$confirmedCount == 0)
        }
        if let status = filter.status { query = query.filter(\.$status == status.rawValue) }
        return query.search(["place", "summary"], RosterFilter(text: filter.text).likePattern)
    }

    static func find(_ req: Request) async throws -> ContactRecordModel {
        let user = try req.requireUser()
        guard let record = try await ContactRecordModel.find(try req.idParameter(), on: req.db) else { throw AppError.notFound("contact") }
        try await LedgerService.checkRead(record, by: user, on: req.db)
        if record.submittedAt == nil, user.cadreID != record.$cadre.id { throw AppError.notFound("contact") }
        return record
    }

    static func register(_ app: Application) {
        let readers = Access.roles([.cadre, .businessAdmin, .unitSecretary, .assessor])
        app.register(.init(method: .GET, path: "/contacts", summary: "Ledger lines (cadres: their own; secretaries: their unit's)", tag: "Ledger",
                           access: readers,
                           query: ListFilter.queryParameters + PageRequest.queryParameters,
                           response: "ContactPage")) { req in
            let user = try req.requireUser()
            let filter = try ListFilter(req)
            let (records, total) = try await query(filter, for: user, on: req.db).paged(filter.page)
            return ListPage(items: try await LedgerService.dtos(records, for: user, on: req.db), page: filter.page.page, per: filter.page.per, total: total)
        }
        app.register(.init(method: .POST, path: "/contacts",
                           summary: "Record a contact (cadres; 代录: a unit secretary or the office names cadreId); submit: false keeps a draft", tag: "Ledger",
                           access: .roles([.cadre, .unitSecretary, .businessAdmin]), requestBody: "ContactInput", response: "Contact", successStatus: 201)) { req in
            let user = try req.requireUser()
            let created = try await LedgerService.create(try req.decodeJSON(ContactInput.self), by: user, config: req.application.yixian,
                                                         data: req.authDataVersions, on: req.db)
            return LedgerService.dto(created, for: user)
        }
        app.register(.init(method: .GET, path: "/contacts/:id", summary: "One ledger line", tag: "Ledger", access: readers, response: "Contact")) { req in
            try await LedgerService.dto(try await find(req), for: try req.requireUser(), on: req.db)
        }
        app.register(.init(method: .PATCH, path: "/contacts/:id",
                           summary: "Edit a draft, or correct a submitted record (reason required; the previous version is kept)",
                           tag: "Ledger", access: .roles([.cadre]), requestBody: "ContactInput", response: "Contact")) { req in
            let user = try req.requireUser()
            let record = try await LedgerService.correct(try req.idParameter(), try req.decodeJSON(ContactInput.self), by: user, config: req.application.yixian, on: req.db)
            return try await LedgerService.dto(record, for: user, on: req.db)
        }
        app.register(.init(method: .DELETE, path: "/contacts/:id", summary: "Delete a draft (submitted records cannot be deleted)", tag: "Ledger",
                           access: .roles([.cadre]), response: "Empty", successStatus: 204)) { req -> HTTPStatus in
            try await LedgerService.deleteDraft(try req.idParameter(), by: try req.requireUser(), on: req.db)
            return .noContent
        }
        app.register(.init(method: .POST, path: "/contacts/:id/void",
                           summary: "Void (作废) a submitted record with a reason: it stays in the ledger and stops counting",
                           tag: "Ledger", access: .roles([.cadre, .businessAdmin]), requestBody: "VoidInput", response: "Contact")) { req in
            let user = try req.requireUser()
            let record = try await LedgerService.void(try req.idParameter(), reason: try req.decodeJSON(VoidInput.self).reason, by: user, now: req.now, on: req.db)
            return try await LedgerService.dto(record, for: user, on: req.db)
        }
        app.register(.init(method: .GET, path: "/contacts/:id/history", summary: "Earlier versions of a corrected record", tag: "Ledger",
                           access: readers, response: "ContactHistory")) { req in
            let record = try await find(req)
            return try await ContactRecordVersionModel.query(on: req.db).filter(\.$record.$id == record.id!).sort(\.$version).all().map {
                ContactVersionDTO(version: $0.version, snapshot: try JSONDecoder().decode(ContactSnapshot.self, from: Data($0.snapshot.utf8)),
                                  reason: $0.reason, changedBy: $0.changedBy, changedAt: $0.changedAt)
            }
        }
        app.register(.init(method: .POST, path: "/confirmations", summary: "A student confirms a contact they attended, by its code", tag: "Ledger",
                           access: .roles([.student]), requestBody: "ConfirmInput", response: "Confirmation")) { req in
            let user = try req.requireUser()
            let record = try await LedgerService.confirm(code: try req.decodeJSON(ConfirmInput.self).code ?? "", by: user, now: req.now,
                                                          windowDays: req.application.yixian.confirmWindowDays, on: req.db)
            return ConfirmationDTO(recordId: record.id!, confirmations: record.confirmedCount)
        }
        app.register(.init(method: .GET, path: "/problems", summary: "Problems students raised in contacts, per cadre and unit", tag: "Ledger",
                           access: readers, query: [.init(name: "cadre", description: "cadre id")] + PageRequest.queryParameters,
                           response: "ProblemList")) { req in
            try await problems(req)
        }
    }

    static func problems(_ req: Request) async throws -> [ProblemListItem] {
        let user = try req.requireUser()
        let filter = try ListFilter(req)
        let records = try await query(filter, for: user, on: req.db).all()
        let ids = records.compactMap(\.id)
        guard !ids.isEmpty else { return [] }
        let byID = Dictionary(uniqueKeysWithValues: records.map { ($0.id!, $0) })
        let cadres = Dictionary(uniqueKeysWithValues: try await CadreModel.query(on: req.db).with(\.$unit).all().map { ($0.id!, $0) })
        return try await ContactProblemModel.query(on: req.db).filter(\.$record.$id ~~ ids).all().compactMap { p in
            guard let record = byID[p.$record.id], let cadre = cadres[record.$cadre.id] else { return nil }
            return ProblemListItem(recordId: record.id!, cadre: cadre.name, unitCode: cadre.unit.code, date: LocalDate(record.startAt).iso,
                                   text: p.text, category: p.category, collectiveCode: p.collectiveCode)
        }.sorted { ($0.date, $0.cadre) > ($1.date, $1.cadre) }
    }
}

struct ConfirmationDTO: Content {
    var recordId: UUID
    var confirmations: Int
}
