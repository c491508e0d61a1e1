import Fluent
import Plot
import Vapor
import YixianCore

/// 座谈会、午餐会、学生代表座谈会: many problems raised at once, typed one per line by the office or
/// a secretary; each becomes its own case, routed by its category like any other.
enum ForumPage {
    struct Form: Content {
        var title: String?
        var date: String?
        var problems: String?
        var problemCategory: String?
    }

    static let maxProblems = 50

    static func view(_ ctx: PageContext, _ form: Form, problems: [AppError.FieldProblem], opened: Int?) -> Node<HTML.BodyContext> {
        let chosen = form.problemCategory ?? "other"
        let options: [Node<HTML.SelectContext>] = CaseCategory.standard.map {
            Components.option(value: $0.code, text: ctx.t($0.label), selected: chosen == $0.code)
        }
        return .group(
            .h1(.text(ctx.t("登记座谈会问题", "Log the problems of a forum"))),
            Components.notice(opened.map { ctx.t("已登记 \($0) 件诉求，按类别分派办理。", "\($0) cases opened and routed by category.") }),
            Components.errorSummary(ctx, problems),
            .form(.method(.post), .action(SiteRoute.caseForum.path()), Layout.csrfField(ctx),
                  Components.field(ctx, name: "title", label: ctx.t("座谈会名称", "Forum"), value: form.title ?? "",
                                   hint: ctx.t("如：学生代表座谈会、校领导午餐会", "e.g. student representatives' forum"), problems: problems),
                  Components.field(ctx, name: "date", label: ctx.t("日期", "Date"), value: form.date ?? ctx.today.iso, type: .date, problems: problems),
                  .div(.class("field"), .label(.for("problems"), .text(ctx.t("学生反映的问题（每行一条，最多 \(maxProblems) 条）", "Problems (one per line)"))),
                       .textarea(.id("problems"), .name("problems"), .attribute(named: "rows", value: "8"), .text(form.problems ?? "")),
                       .p(.class("hint"), .text(ctx.t("行首可写类别，如“后勤：食堂排队太久”。", "A line may start with its category, e.g. “后勤：…”.")))),
                  .div(.class("field"), .label(.for("problemCategory"), .text(ctx.t("其余问题的类别", "Category of the other lines"))),
                       .select(.id("problemCategory"), .attribute(named: "name", value: "problemCategory"), .group(options))),
                  .button(.type(.submit), .text(ctx.t("登记", "Log them"))))
        )
    }

    static func open(_ form: Form, by user: CurrentUser, now: Date, on db: any Database) async throws -> Int {
        var check = FieldChecker()
        let title = check.text("title", form.title, label: "座谈会名称", max: 60)
        let day = LocalDate(form.date ?? "")
        if day == nil { check.fail("date", zh: "日期无效（YYYY-MM-DD）", en: "date is not a valid date") }
        if let day, day > LocalDate(now) { check.fail("date", zh: "不能登记尚未召开的座谈会", en: "the forum has not happened yet") }
        let lines = (form.problems ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if lines.isEmpty { check.fail("problems", zh: "请至少填写一条问题", en: "type at least one problem") }
        if lines.count > maxProblems { check.fail("problems", zh: "一次最多 \(maxProblems) 条", en: "at most \(maxProblems) at once") }
        let parsed = lines.map { LedgerPages.ContactForm.problem($0, defaultCategory: form.problemCategory) }
        for problem in parsed { _ = check.text("problems", problem.text, label: "问题描述", max: 500) }
        try check.throwIfInvalid()
        return try await db.write { db in
            for problem in parsed {
                let category = CaseCategory.standard.first { $0.label.zh == problem.category } ?? CaseCategory.standard("other")!
                let text = problem.text ?? ""
                try await CaseService.create(CaseService.NewCase(channel: .forum, mailbox: nil, category: category, urgent: false,
                                                                 title: String(text.prefix(40)), text: text + "（\(title!)）", unitID: nil,
                                                                 submitterStudentID: nil, secretHash: nil, contactRecordID: nil, cadreID: nil,
                                                                 collectiveCode: nil, receivedOn: day!),
                                             actor: user.displayName, audit: .init(user), now: now, on: db)
            }
            return parsed.count
        }
    }

    static func register(_ app: Application) {
        let staff = Access.roles([.businessAdmin, .unitSecretary])
        app.routes.on(.GET, SitePattern.caseForum.components, access: staff) { req -> Response in
            let ctx = PageContext(req)
            let opened = req.query[Int.self, at: "opened"]
            return ctx.render(title: ctx.t("登记座谈会问题", "Log a forum"), breadcrumbs: [(ctx.t("诉求", "Cases"), SiteRoute.cases.path()), (ctx.t("座谈会", "Forum"), nil)],
                              content: view(ctx, Form(), problems: [], opened: opened))
        }
        app.routes.on(.POST, SitePattern.caseForum.components, access: staff) { req -> Response in
            let form = try req.content.decode(Form.self)
            do {
                let count = try await open(form, by: try req.requireUser(), now: req.now, on: req.db)
                return req.redirect(to: SiteRoute.caseForum.path(query: ["opened": String(count)]))
            } catch let error as AppError where error.status == .unprocessableEntity {
                let ctx = PageContext(req)
                return ctx.render(title: ctx.t("登记座谈会问题", "Log a forum"), status: .unprocessableEntity, content: view(ctx, form, problems: error.details, opened: nil))
            }
        }
    }
}
