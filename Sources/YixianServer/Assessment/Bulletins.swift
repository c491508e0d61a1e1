import Fluent
import Foundation
import Plot
import Vapor
import YixianCore

final class BulletinModel: Model, @unchecked Sendable {
    static let schema = "bulletins"
    @ID var id: UUID?
    @Field(key: "title") var title: String
    /// `term:ID` or `year:ID`.
    @Field(key: "period") var period: String
    @Field(key: "period_name") var periodName: String
    @Field(key: "body") var body: String
    /// `draft` or `published`.
    @Field(key: "status") var status: String
    /// Comma-joined codes of the units the bulletin names; their secretaries read it once published.
    @Field(key: "concerned") var concerned: String
    @Field(key: "created_by") var createdBy: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "published_by") var publishedBy: String?
    @OptionalField(key: "published_at") var publishedAt: Date?

    init() {}

    var isPublished: Bool { status == "published" }
    var units: [String] { concerned.split(separator: ",").map(String.init) }
}

/// 督查 · 通报: the office drafts a circular from a period's verdicts (who did everything, who is
/// behind and on what), edits it, and publishes it to the units it names; printable on A4.
enum Bulletins {
    static let readers = Access.roles([.businessAdmin, .assessor, .unitSecretary])
    static let writers = Access.roles([.businessAdmin])

    struct EditInput: Content {
        var title: String?
        var body: String?
        var action: String?
    }

    /// What a reader may open: the office and assessors everything; a secretary what was published to their unit.
    static func visible(_ bulletin: BulletinModel, to user: CurrentUser) -> Bool {
        user.scope == .institution || (bulletin.isPublished && user.unitCode.map(bulletin.units.contains) == true)
    }

    static func draft(_ req: Request) async throws -> BulletinModel {
        let user = try req.requireUser()
        let (period, _) = try await DossierSource.period(req)
        let asOf = period.judgedOn
        guard let evaluation = try await req.evaluation(asOf: asOf) else {
            throw AppError(.conflict, code: .noPolicy, zh: "尚未启用工作规定，无法起草通报", en: "No policy is active yet")
        }
        let facts = try await req.application.complianceStore.facts.facts(on: req.db)
        let practices = try await Showcase.named(in: period.range, on: req.db)
        let bulletin = Bulletin(periodName: period.name, cells: evaluation.cells, rules: evaluation.rules, units: facts.organization.units,
                                cadres: facts.organization.cadres, range: period.range, practices: practices)
        let model = BulletinModel()
        model.title = bulletin.title
        model.period = "\(period.kind.rawValue):\(period.id)"
        model.periodName = period.name.zh
        model.body = bulletin.draft
        model.status = "draft"
        model.concerned = bulletin.concerned.joined(separator: ",")
        model.createdBy = user.displayName
        model.createdAt = req.now
        try await req.db.write { db in
            try await model.create(on: db)
            try await AuditTrail.record("bulletin.draft", objectType: "bulletin", objectID: model.id!.uuidString, detail: model.period, by: .init(user), on: db)
        }
        return model
    }

    static func edit(_ id: UUID, _ input: EditInput, _ req: Request) async throws {
        let user = try req.requireUser()
        var check = FieldChecker()
        let title = check.text("title", input.title, label: "标题", max: 200)
        let body = check.text("body", input.body, label: "正文", max: 20_000, multiline: true)
        let action = input.action ?? "save"
        if !["save", "publish"].contains(action) { check.fail("action", zh: "操作只能是保存或发布", en: "action must be save or publish") }
        try check.throwIfInvalid()
        try await req.db.write { db in
            guard let model = try await BulletinModel.find(id, on: db) else { throw AppError.notFound("bulletin") }
            guard !model.isPublished else {
                throw AppError.conflict(field: nil, zh: "通报已发布，不能再修改", en: "The bulletin is published and can no longer change")
            }
            model.title = title!
            model.body = body!
            if action == "publish" {
                model.status = "published"
                model.publishedBy = user.displayName
                model.publishedAt = req.now
            }
            try await model.save(on: db)
            try await AuditTrail.record("bulletin.\(action)", objectType: "bulletin", objectID: id.uuidString, detail: model.title, by: .init(user), on: db)
            guard action == "publish" else { return }
            // The secretaries of the units it names hear of it, in the same transaction.
            let unitIDs = try await UnitModel.query(on: db).filter(\.$code ~~ model.units).all().compactMap(\.id)
            let readers = unitIDs.isEmpty ? [] : try await UserModel.query(on: db).filter(\.$active == true)
                .filter(\.$role == Role.unitSecretary.rawValue).filter(\.$unit.$id ~~ unitIDs).all()
            try await Notifications.send("bulletin", about: nil, to: readers.compactMap(\.id), zh: "学校发布通报：\(model.title)",
                                         en: "The university published a bulletin: \(model.title)", now: req.now, on: db)
        }
    }

    // MARK: Pages

    static func listPage(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let all = try await BulletinModel.query(on: req.db).sort(\.$createdAt, .descending).all().filter { visible($0, to: user) }
        let ctx = PageContext(req)
        let periods = writers.allows(user) ? try await DossierSource.periods(on: req.db, today: LocalDate(req.now)) : []
        return ctx.render(title: ctx.t("通报", "Bulletins"), content: .group(
            .h1(.text(ctx.t("通报", "Bulletins"))),
            .p(.class("muted"), .text(ctx.t("按期间起草落实情况通报（表现突出的单位、存在的问题、未完成事项较多的干部），修改后发布给所涉单位，可打印。",
                                            "Draft a bulletin on a period (exemplary units, problems, cadres behind), edit it, publish it to the units it names, print it."))),
            .if(!periods.isEmpty, .form(.class("toolbar"), .method(.post), .action(SiteRoute.bulletins.path()),
                Layout.csrfField(ctx),
                .label(.text(ctx.t("期间", "Period")), .select(.attribute(named: "name", value: "period"),
                    .forEach(periods) { p in Components.option(value: p.picked, text: ctx.t(p.name), selected: false) })),
                .button(.type(.submit), .text(ctx.t("起草通报", "Draft a bulletin"))))),
            Components.table(ctx, headers: [ctx.t("标题", "Title"), ctx.t("期间", "Period"), ctx.t("状态", "Status"), ctx.t("发布", "Published")],
                             rows: all.map { b in
                                 [Components.cell(b.title, href: SiteRoute.bulletin(b.id!).path()), Components.cell(b.periodName),
                                  Components.cell(b.isPublished ? ctx.t("已发布", "Published") : ctx.t("草稿", "Draft")),
                                  Components.cell(b.publishedAt.map { String(AdminPages.timestamp($0).prefix(16)) } ?? "—")]
                             }, empty: .text(ctx.t("尚无通报。", "No bulletins yet.")))
        ))
    }

    static func page(_ req: Request, problems: [AppError.FieldProblem] = [], status: HTTPResponseStatus = .ok) async throws -> Response {
        let user = try req.requireUser()
        guard let model = try await BulletinModel.find(try req.idParameter(), on: req.db), visible(model, to: user) else {
            throw AppError.notFound("bulletin")
        }
        let ctx = PageContext(req)
        func e(_ text: String) -> String { Components.escape(text) }
        // The same text conventions as a filed document: 一、 headings, | table rows.
        let document = DossierPages.blocksHTML(FilingText.blocks(title: model.title, subtitle: nil, body: model.body))
        let stamp = model.publishedAt.map { "<p class=\"doc-para\" style=\"text-align:right\">\(e(LocalDate($0).chinese))</p>" } ?? ""
        let editable = writers.allows(user) && !model.isPublished
        let form = editable ? """
        <div class="panel no-print" id="edit"><h2>\(e(ctx.t("修改并发布", "Edit and publish")))</h2>
        \(Components.errorSummary(ctx, problems).render())
        <form method="post" action="\(e(SiteRoute.bulletin(model.id!).path()))">\(Layout.csrfField(ctx).render())
        <div class="field"><label for="title">\(e(ctx.t("标题", "Title")))</label><input type="text" id="title" name="title" value="\(e(model.title))"></div>
        <div class="field"><label for="body">\(e(ctx.t("正文", "Text")))</label><textarea id="body" name="body" rows="18">\(e(model.body))</textarea></div>
        <button type="submit" name="action" value="save" class="secondary">\(e(ctx.t("保存草稿", "Save draft")))</button>
        <button type="submit" name="action" value="publish">\(e(ctx.t("发布给所涉单位", "Publish to the units named")))</button>
        </form></div>
        """ : ""
        let toolbar = """
        <nav class="doc-toolbar no-print"><a href="\(e(SiteRoute.bulletins.path()))">\(e(ctx.t("← 通报", "← Bulletins")))</a>
        <span class="muted">\(e(model.isPublished ? ctx.t("已发布", "Published") : ctx.t("草稿，尚未发布", "Draft, not published")))</span></nav>
        """
        let html = DossierPages.documentPage(title: model.title, role: user.role.rawValue, status: status, before: toolbar + form,
                                             main: document + stamp)
        let response = Response(status: status, body: .init(string: html))
        response.headers.contentType = .html
        return response
    }

    static func register(_ app: Application) {
        app.routes.on(.GET, SitePattern.bulletins.components, access: readers) { req in try await listPage(req) }
        app.routes.on(.POST, SitePattern.bulletins.components, access: writers) { req -> Response in
            let model = try await draft(req)
            return req.redirect(to: SiteRoute.bulletin(model.id!).path())
        }
        app.routes.on(.GET, SitePattern.bulletin.components, access: readers) { req in try await page(req) }
        app.routes.on(.POST, SitePattern.bulletin.components, access: writers) { req -> Response in
            let id = try req.idParameter()
            do {
                try await edit(id, try req.content.decode(EditInput.self), req)
            } catch let error as AppError where error.status == .unprocessableEntity {
                return try await page(req, problems: error.details, status: .unprocessableEntity)
            }
            return req.redirect(to: SiteRoute.bulletin(id).path())
        }
    }
}
