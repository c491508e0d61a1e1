import Fluent
import Foundation
import Plot
import Vapor
import YixianCore

final class GoodPracticeModel: Model, @unchecked Sendable {
    static let schema = "good_practices"
    @ID var id: UUID?
    @Parent(key: "record_id") var record: ContactRecordModel
    @Field(key: "title") var title: String
    @Field(key: "note") var note: String
    @Field(key: "marked_by") var markedBy: String
    @Field(key: "marked_at") var markedAt: Date

    init() {}
}

/// 典型经验 (宣传报道): the office or an assessor marks an exemplary ledger line from its page; the
/// showcase lists them for everyone who works with the ledger, and a bulletin's draft names them.
enum Showcase {
    static let readers = Access.roles([.businessAdmin, .assessor, .unitSecretary, .cadre])
    static let markers = Access.roles([.businessAdmin, .assessor])

    struct Input: Content {
        var record: String?
        var title: String?
        var note: String?
    }

    static func mark(_ input: Input, by user: CurrentUser, on db: any Database) async throws -> UUID {
        var check = FieldChecker()
        let title = check.text("title", input.title, label: "典型经验标题", max: 100)
        let note = check.text("note", input.note, label: "推荐理由", max: 1_000, multiline: true)
        try check.throwIfInvalid()
        return try await db.write { db in
            guard let id = input.record.flatMap(UUID.init(uuidString:)), let record = try await ContactRecordModel.find(id, on: db),
                  record.submittedAt != nil, !record.isVoided, record.status != ContactRecord.Status.flagged.rawValue else {
                throw AppError.field("record", zh: "只能推荐已提交、未作废且无存疑的记录", en: "Only a submitted record that is neither voided nor doubtful can be showcased")
            }
            guard try await GoodPracticeModel.query(on: db).filter(\.$record.$id == id).first() == nil else {
                throw AppError.conflict(field: "record", zh: "该记录已是典型经验", en: "This record is already showcased")
            }
            let model = GoodPracticeModel()
            model.$record.id = id
            model.title = title!
            model.note = note!
            model.markedBy = user.displayName
            model.markedAt = Date()
            try await model.create(on: db)
            try await AuditTrail.record("showcase.mark", objectType: "contact", objectID: id.uuidString, detail: title!, by: .init(user), on: db)
            return id
        }
    }

    /// The period's examples as a report names them: 标题（单位干部）.
    static func named(in range: DateRange, on db: any Database) async throws -> [String] {
        try await entries(on: db).filter { range.contains(LocalDate($0.model.record.startAt)) }.map { "\($0.model.title)（\($0.unit)\($0.cadre)）" }
    }

    /// Titles with their cadre's and unit's names, newest first, for the page and for bulletins.
    static func entries(on db: any Database) async throws -> [(model: GoodPracticeModel, cadre: String, unit: String)] {
        let rows = try await GoodPracticeModel.query(on: db).with(\.$record) { $0.with(\.$cadre) { $0.with(\.$unit) } }.sort(\.$markedAt, .descending).all()
        return rows.map { ($0, $0.record.cadre.name, $0.record.cadre.unit.name) }
    }

    /// The marking form on a record's page, for those who may mark.
    static func form(_ ctx: PageContext, record: UUID) -> Node<HTML.BodyContext> {
        .form(.class("panel"), .method(.post), .action(SiteRoute.showcase.path()), Layout.csrfField(ctx),
              .h2(.text(ctx.t("推荐为典型经验", "Showcase as good practice"))),
              .input(.type(.hidden), .name("record"), .value(record.uuidString)),
              Components.field(ctx, name: "title", label: ctx.t("标题", "Title")),
              Components.field(ctx, name: "note", label: ctx.t("推荐理由", "Why")),
              .button(.type(.submit), .class("secondary"), .text(ctx.t("推荐", "Showcase"))))
    }

    static func page(_ req: Request, problems: [AppError.FieldProblem] = [], status: HTTPResponseStatus = .ok) async throws -> Response {
        let entries = try await entries(on: req.db)
        let ctx = PageContext(req)
        return ctx.render(title: ctx.t("典型经验", "Good practice"), status: status, content: .group(
            .h1(.text(ctx.t("典型经验", "Good practice"))),
            .p(.class("muted"), .text(ctx.t("考核人员和业务管理员从工作台账中推荐的典型做法，供各单位学习交流；推荐入口在每条记录的页面上。",
                                            "Exemplary ledger lines chosen by assessors and the office, for every unit to learn from; they are marked from each record's page."))),
            Components.errorSummary(ctx, problems),
            entries.isEmpty ? .div(.class("panel empty"), .text(ctx.t("尚无典型经验。", "Nothing showcased yet.")))
                : .forEach(entries) { entry in
                    .div(.class("panel"),
                         .h2(.a(.href(SiteRoute.ledgerRecord(entry.model.$record.id).path()), .text(entry.model.title))),
                         .p(.class("muted"), .text("\(entry.unit) · \(entry.cadre) · \(AdminPages.timestamp(entry.model.record.startAt).prefix(10))")),
                         .p(.text(entry.model.note)),
                         .p(.class("muted"), .text(ctx.t("推荐人：", "Chosen by ") + entry.model.markedBy)))
                }
        ))
    }

    static func register(_ app: Application) {
        app.routes.on(.GET, SitePattern.showcase.components, access: readers) { req in try await page(req) }
        app.routes.on(.POST, SitePattern.showcase.components, access: markers) { req -> Response in
            let input = try req.content.decode(Input.self)
            do {
                let id = try await mark(input, by: try req.requireUser(), on: req.db)
                return req.redirect(to: SiteRoute.ledgerRecord(id).path())
            } catch let error as AppError where [.unprocessableEntity, .conflict].contains(error.status) {
                return try await page(req, problems: error.details.isEmpty ? [.init(field: "record", message: error.message)] : error.details,
                                      status: error.status)
            }
        }
    }
}
