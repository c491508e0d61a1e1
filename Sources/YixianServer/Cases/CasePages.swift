import Fluent
import Plot
import Vapor
import YixianCore

/// The case queue, one case with its history and the steps the viewer may take, and the
/// student's form for a new case.
struct CaseListModel: Sendable {
    var status: String?
    var category: String?
    var page: ListPage<CaseDTO>
    /// Over the viewer's open cases: waiting for dispatch, past their answer day, supervised by the office.
    var toDispatch: Int
    var overdue: Int
    var escalated: Int
    var isStudent: Bool
    var mayOpen: Bool
    var query: [String: String]

    static func load(_ req: Request) async throws -> CaseListModel {
        let user = try req.requireUser()
        let filter = try CasesAPI.Filter(req)
        let today = LocalDate(req.now)
        let page = try await CasesAPI.list(filter, for: user, today: today, on: req.db)
        let judge = try await CasesAPI.Judge.load(on: req.db, today: today)
        let pending = try await CasesAPI.rows(for: user, statuses: [.new, .assigned], on: req.db)
        var overdue = 0, escalated = 0, toDispatch = 0
        for item in pending {
            if item.status == CaseStatus.new.rawValue { toDispatch += 1 }
            let state = item.state
            let level = CaseEscalation.of(state, deadlines: judge.deadlines(state, tier: item.tier), asOf: today, workdays: judge.workdays)
            if level >= .unitHead { overdue += 1 }
            if level == .office { escalated += 1 }
        }
        var query: [String: String] = [:]
        for key in ["status", "category"] { if let value = req.query[String.self, at: key], !value.isEmpty { query[key] = value } }
        return CaseListModel(status: filter.status?.rawValue, category: filter.category, page: page, toDispatch: toDispatch, overdue: overdue,
                             escalated: escalated, isStudent: user.role == .student,
                             mayOpen: [.student, .businessAdmin, .unitSecretary].contains(user.role), query: query)
    }
}

struct CaseDetailModel: Sendable {
    var item: CaseDTO
    var mayDispatch: Bool
    var mayHandle: Bool
    var mayRate: Bool
    /// (code, name) of the units a case can be given or passed to.
    var units: [(String, String)]
    /// Where its category would route it: the office's dispatch form starts there.
    var suggestedUnit: String?
    var problems: [AppError.FieldProblem]
    var done: Bool
    /// The office: decide a 延期 request; merge a duplicate or split a letter while the case is open.
    var mayDecideExtension = false
    var mayMergeOrSplit = false

    static func load(_ req: Request, problems: [AppError.FieldProblem] = [], done: Bool = false) async throws -> CaseDetailModel {
        let user = try req.requireUser()
        let id = try req.idParameter()
        let (row, item) = try await CasesAPI.read(id, for: user, today: LocalDate(req.now), on: req.db)
        let units = try await UnitModel.query(on: req.db).filter(\.$active == true).all().inUniversityOrder()
            .filter { $0.kind != UnitKind.leadership.rawValue }.map { ($0.code, $0.name) }
        let status = CaseStatus(rawValue: item.status) ?? .new
        let suggested = status == .new ? try await CaseService.route(CaseCategory.standard(item.category) ?? CaseCategory.standard("other")!, on: req.db)?.code : nil
        return CaseDetailModel(item: item, mayDispatch: user.role == .businessAdmin && status == .new,
                               mayHandle: CaseService.mayHandle(row, user) && status == .assigned,
                               mayRate: status == .answered ? try await CaseService.mayRate(row, user, viaSecret: false, on: req.db) : false,
                               units: units, suggestedUnit: suggested, problems: problems, done: done,
                               mayDecideExtension: user.role == .businessAdmin && item.requestedExtension != nil,
                               mayMergeOrSplit: user.role == .businessAdmin && (status == .new || status == .assigned))
    }
}

/// A student's (or a hotline operator's) form for a new case.
struct CaseFormModel: Sendable {
    struct Leader: Sendable {
        var staffNumber: String
        var name: String
        var posts: String
        var linkedVia: String
    }

    var input: CaseInput
    var problems: [AppError.FieldProblem]
    var isStudent: Bool
    /// The leaders linked to the student's class, dorm or branch this year.
    var leaders: [Leader]
    var departments: [(String, String)]

    static func load(_ req: Request, input: CaseInput = CaseInput(), problems: [AppError.FieldProblem] = []) async throws -> CaseFormModel {
        let user = try req.requireUser()
        var leaders: [Leader] = []
        if let student = user.studentID {
            let today = LocalDate(req.now).iso
            let memberships = try await StudentCollectiveModel.query(on: req.db).filter(\.$student.$id == student).with(\.$collective).all()
            let names = Dictionary(memberships.map { ($0.$collective.id, $0.collective.name) }, uniquingKeysWith: { a, _ in a })
            let pairings = try await PairingModel.query(on: req.db).filter(\.$collective.$id ~~ Array(names.keys))
                .filter(\.$startDate <= today).filter(\.$endDate >= today).with(\.$cadre).all()
            var seen: Set<String> = []
            for pairing in pairings where seen.insert(pairing.cadre.staffNumber).inserted {
                leaders.append(Leader(staffNumber: pairing.cadre.staffNumber, name: pairing.cadre.name, posts: pairing.cadre.postList.joined(separator: "、"),
                                      linkedVia: pairing.$collective.id.flatMap { names[$0] } ?? ""))
            }
        }
        return CaseFormModel(input: input, problems: problems, isStudent: user.role == .student, leaders: leaders,
                             departments: try await MailboxPages.departments(on: req.db))
    }
}

extension CasesAPI.Filter {
    static var all: Self { Self(status: nil, unitID: nil, category: nil, page: PageRequest()) }

    init(status: CaseStatus?, unitID: UUID?, category: String?, page: PageRequest) {
        self.status = status
        self.unitID = unitID
        self.category = category
        self.page = page
    }
}

enum CasePages {
    static func statusTag(_ ctx: PageContext, _ item: CaseDTO) -> Node<HTML.BodyContext> {
        let colour = switch item.status {
        case CaseStatus.new.rawValue: "orange"
        case CaseStatus.assigned.rawValue: "blue"
        case CaseStatus.answered.rawValue: "green"
        default: "grey"
        }
        return Components.tag(ctx.t(item.statusLabel), colour)
    }

    static func escalationTag(_ ctx: PageContext, _ item: CaseDTO) -> Node<HTML.BodyContext> {
        switch item.escalation {
        case "office": Components.tag(ctx.t(item.escalationLabel), "red")
        case "unitHead": Components.tag(ctx.t(item.escalationLabel), "orange")
        default: item.paused ? Components.tag(ctx.t("暂停计时", "Paused"), "grey") : .empty
        }
    }

    static func listView(_ ctx: PageContext, _ m: CaseListModel) -> Node<HTML.BodyContext> {
        let statusOptions = CaseStatus.allCases.map { ($0.rawValue, ctx.t($0.label)) }
        let categoryOptions = CaseCategory.standard.map { ($0.code, ctx.t($0.label)) }
        return .group(
            .h1(.text(m.isStudent ? ctx.t("我的诉求", "My cases") : ctx.t("学生诉求", "Students' cases"))),
            .if(!m.isStudent, .div(.class("cards"),
                Components.card("\(m.toDispatch)", ctx.t("待分派", "To dispatch")),
                Components.card("\(m.overdue)", ctx.t("已逾期", "Overdue")),
                Components.card("\(m.escalated)", ctx.t("学校督办", "Escalated to the office")))),
            .if(m.mayOpen, .div(.class("toolbar"),
                .a(.class("button"), .href(SiteRoute.caseNew.path()), .text(m.isStudent ? ctx.t("提出诉求", "Raise a case") : ctx.t("登记热线 / 接待日诉求", "Log a hotline case"))),
                .a(.class("button secondary"), .href(SiteRoute.mailbox.path()), .text(ctx.t("信箱", "Mailboxes"))),
                .if(!m.isStudent, .group(
                    .a(.class("button secondary"), .href(SiteRoute.caseForum.path()), .text(ctx.t("登记座谈会问题", "Log a forum"))),
                    .a(.class("button secondary"), .href(SiteRoute.caseTopics.path()), .text(ctx.t("热点问题", "Hot topics"))))))),
            .form(.class("toolbar"), .method(.get), .action(SiteRoute.cases.path()),
                  .label(.text(ctx.t("状态", "Status")),
                         .select(.attribute(named: "name", value: "status"),
                                 Components.option(value: "", text: ctx.t("全部", "All"), selected: m.status == nil),
                                 .forEach(statusOptions) { Components.option(value: $0.0, text: $0.1, selected: $0.0 == m.status) })),
                  .label(.text(ctx.t("类别", "Category")),
                         .select(.attribute(named: "name", value: "category"),
                                 Components.option(value: "", text: ctx.t("全部", "All"), selected: m.category == nil),
                                 .forEach(categoryOptions) { Components.option(value: $0.0, text: $0.1, selected: $0.0 == m.category) })),
                  .button(.type(.submit), .class("secondary"), .text(ctx.t("筛选", "Filter")))),
            Components.table(ctx, headers: [ctx.t("受理编号", "Number"), ctx.t("收到", "Received"), ctx.t("诉求", "Case"), ctx.t("类别", "Category"),
                                            ctx.t("责任单位", "Unit"), ctx.t("状态", "Status"), ctx.t("答复期限", "Answer due"), ""],
                             rows: m.page.items.map { item in
                                 [Components.cell(item.number), Components.cell(item.receivedOn),
                                  Components.cell(item.title, href: SiteRoute.caseDetail(item.id).path()),
                                  Components.cell(ctx.t(item.categoryLabel) + (item.urgent ? ctx.t("（紧急）", " (urgent)") : "")),
                                  Components.cell(item.responsibleUnit?.name ?? ctx.t("待分派", "—")), .td(statusTag(ctx, item)),
                                  Components.cell(item.answerDue), .td(escalationTag(ctx, item))]
                             }, empty: .text(m.isStudent ? ctx.t("您还没有提出过诉求。", "You have raised no case yet.") : ctx.t("没有符合条件的诉求。", "No cases match."))),
            Components.pager(ctx, page: m.page.page, per: m.page.per, total: m.page.total) { page in
                var query = m.query
                query["page"] = String(page)
                return SiteRoute.cases.path(query: query)
            }
        )
    }

    static func detailView(_ ctx: PageContext, _ m: CaseDetailModel) -> Node<HTML.BodyContext> {
        let item = m.item
        let unitOptions = m.units
        func actionForm(_ action: String, _ title: String, button: String, _ fields: Node<HTML.FormContext>) -> Node<HTML.BodyContext> {
            .div(.class("panel"), .h2(.text(title)),
                 .form(.method(.post), .action(SiteRoute.caseAct(item.id).path()), Layout.csrfField(ctx),
                       .input(.type(.hidden), .name("action"), .value(action)), fields,
                       .button(.type(.submit), .text(button))))
        }
        func unitSelect(_ chosen: String?) -> Node<HTML.FormContext> {
            .div(.class("field"), .label(.for("unitCode"), .text(ctx.t("单位", "Unit"))),
                 .select(.id("unitCode"), .attribute(named: "name", value: "unitCode"),
                         Components.option(value: "", text: ctx.t("请选择单位", "Choose a unit"), selected: chosen == nil),
                         .forEach(unitOptions) { Components.option(value: $0.0, text: $0.1, selected: $0.0 == chosen) }))
        }
        func reason() -> Node<HTML.FormContext> {
            Components.field(ctx, name: "reason", label: ctx.t("原因", "Reason"), problems: m.problems)
        }
        return .group(
            .h1(.text(item.title)),
            Components.notice(m.done ? ctx.t("已保存。", "Saved.") : nil),
            Components.errorSummary(ctx, m.problems),
            .div(.class("panel"), .dl(.class("props"),
                .dt(.text(ctx.t("受理编号", "Number"))), .dd(.text(item.number)),
                .dt(.text(ctx.t("来源", "Channel"))),
                .dd(.text((item.mailbox.flatMap(CaseService.Mailbox.init).map { ctx.t($0.label) } ?? ctx.t(item.channelLabel)) + (item.cadreName.map { "（\($0)）" } ?? ""))),
                .dt(.text(ctx.t("类别", "Category"))), .dd(.text(ctx.t(item.categoryLabel) + (item.urgent ? ctx.t("（紧急）", " (urgent)") : ""))),
                .dt(.text(ctx.t("状态", "Status"))), .dd(statusTag(ctx, item), escalationTag(ctx, item)),
                .dt(.text(ctx.t("责任单位", "Responsible unit"))), .dd(.text(item.responsibleUnit?.name ?? ctx.t("待分派", "To dispatch"))),
                .dt(.text(ctx.t("收到日期", "Received"))), .dd(.text(item.receivedOn)),
                .dt(.text(ctx.t("首次响应期限", "First response due"))), .dd(.text((item.firstResponseDue ?? "—") + (item.firstRespondedOn.map { ctx.t("（\($0) 已响应）", " (done \($0))") } ?? ""))),
                .dt(.text(ctx.t("答复期限", "Answer due"))),
                .dd(.text(item.noAnswerNeeded == true ? ctx.t("无需答复", "No answer needed")
                          : item.answerDue + (item.extensionDays > 0 ? ctx.t("（已延期 \(item.extensionDays) 天）", " (extended by \(item.extensionDays) days)") : "")
                          + (item.requestedExtension.map { ctx.t("；申请延期 \($0) 天，待审批", "; \($0) more days asked, awaiting approval") } ?? ""))),
                .unwrap(item.escalationDue) { notice in
                    .group(.dt(.text(ctx.t("督办", "Escalation"))),
                           .dd(.text(ctx.t("逾期未答复于 \(notice) 督办，督办后答复截止 \(item.escalatedAnswerDue ?? "—")",
                                           "if unanswered, escalated on \(notice), then due \(item.escalatedAnswerDue ?? "—")"))))
                },
                .unwrap(item.extensionReason) { .group(.dt(.text(ctx.t("延期原因", "Extension reason"))), .dd(.text($0))) },
                .unwrap(item.closedAs.flatMap(CaseClosure.init)) { .group(.dt(.text(ctx.t("结案方式", "Closed as"))), .dd(.text(ctx.t($0.label)))) },
                .dt(.text(ctx.t("提出人", "From"))),
                .dd(.text(item.anonymous ? ctx.t("匿名", "Anonymous")
                          : item.channel == CaseChannel.contact.rawValue ? ctx.t("学生在联系中反映", "Raised by students in a contact")
                          : ctx.t("学生", "A student"))))),
            .div(.class("panel"), .h2(.text(ctx.t("诉求内容", "What the student wrote"))), .p(.class("prewrap"), .text(item.text))),
            .unwrap(item.answer) { answer in
                .div(.class("panel"), .h2(.text(ctx.t("答复", "Answer") + (item.outcome.flatMap(CaseOutcome.init).map { "（" + ctx.t($0.label) + "）" } ?? ""))),
                     .p(.class("prewrap"), .text(answer)),
                     .unwrap(item.rating.flatMap(CaseRating.init)) { rating in
                         .p(.text(ctx.t("学生评价：", "Rating: ") + ctx.t(rating.label) + (item.ratingComment.map { "——" + $0 } ?? "")))
                     })
            },
            .if(m.mayDispatch, actionForm("assign", ctx.t("分派", "Dispatch"), button: ctx.t("分派", "Dispatch"), unitSelect(m.suggestedUnit))),
            .if(m.mayHandle, .group(
                .if(item.firstRespondedOn == nil, actionForm("acknowledge", ctx.t("受理告知", "Acknowledge"), button: ctx.t("告知学生已受理", "Tell the student it is in hand"), .empty)),
                actionForm("answer", ctx.t("答复（办结或解释说明）", "Answer (solved or explained)"), button: ctx.t("提交答复", "Send the answer"), .group(
                    .div(.class("field"), .label(.for("outcome"), .text(ctx.t("办理结果", "Outcome"))),
                         .select(.id("outcome"), .attribute(named: "name", value: "outcome"),
                                 .forEach(CaseOutcome.allCases) { Components.option(value: $0.rawValue, text: ctx.t($0.label), selected: $0 == .solved) })),
                    .div(.class("field"), .label(.for("answer"), .text(ctx.t("答复内容", "Answer"))),
                         .textarea(.id("answer"), .name("answer"), .attribute(named: "rows", value: "4"), .text(""))))),
                item.paused
                    ? actionForm("resume", ctx.t("恢复计时", "Resume"), button: ctx.t("学生已回复，恢复计时", "The student replied: resume"), .empty)
                    : actionForm("pause", ctx.t("暂停计时", "Pause"), button: ctx.t("等待学生补充材料，暂停计时", "Waiting for the student: pause"), .empty),
                actionForm("transfer", ctx.t("转办", "Transfer"), button: ctx.t("转办", "Transfer"), .group(unitSelect(nil), reason())),
                actionForm("send-back", ctx.t("退回", "Send back"), button: ctx.t("退回学工部重新分派", "Send back to the office"), reason()),
                .if(item.requestedExtension == nil, actionForm("request-extension", ctx.t("申请延期", "Ask for more time"), button: ctx.t("提交延期申请", "Ask"), .group(
                    Components.field(ctx, name: "days", label: ctx.t("延期天数（按规定的计日方式，最多 \(CaseWorkflow.maxExtensionDays) 天）", "Days (the rule's day unit, at most \(CaseWorkflow.maxExtensionDays))"),
                                     type: .number, problems: m.problems),
                    reason()))))),
            .if(m.mayDecideExtension, .group(
                actionForm("approve-extension", ctx.t("审批延期：同意", "Approve the extension"), button: ctx.t("同意延期", "Approve"), .empty),
                actionForm("refuse-extension", ctx.t("审批延期：不同意", "Refuse the extension"), button: ctx.t("不同意", "Refuse"), reason()))),
            .if(m.mayMergeOrSplit, .group(
                actionForm("merge", ctx.t("合并重复诉求", "Merge a duplicate"), button: ctx.t("合并到该诉求", "Merge into it"),
                           Components.field(ctx, name: "intoNumber", label: ctx.t("合并到（受理编号，如 YX-20261009-123456）", "Into (number, e.g. YX-20261009-123456)"), problems: m.problems)),
                actionForm("split", ctx.t("拆分为多件诉求", "Split into several cases"), button: ctx.t("拆分", "Split"),
                           .div(.class("field"), .label(.for("parts"), .text(ctx.t("每行一个问题（2 到 20 个）", "One problem per line (2 to 20)"))),
                                .textarea(.id("parts"), .name("parts"), .attribute(named: "rows", value: "4"), .text("")))))),
            .if(m.mayRate, actionForm("rate", ctx.t("评价答复", "Rate the answer"), button: ctx.t("提交评价", "Send"), ratingFields(ctx))),
            .unwrap(item.events) { events in
                .group(.h2(.text(ctx.t("办理经过", "History"))),
                       Components.table(ctx, headers: [ctx.t("时间", "When"), ctx.t("经办", "By"), ctx.t("事项", "Step"), ctx.t("单位", "Unit"), ctx.t("说明", "Note")],
                                        rows: events.map { e in
                                            [Components.cell(AdminPages.timestamp(e.at)), Components.cell(e.actor), Components.cell(stepLabel(ctx, e.action)),
                                             Components.cell(e.unitName ?? e.unitCode ?? ""), Components.cell(e.note)]
                                        }, empty: .empty))
            }
        )
    }

    static func ratingFields(_ ctx: PageContext) -> Node<HTML.FormContext> {
        .group(
            .div(.class("field"), .label(.for("rating"), .text(ctx.t("评价", "Rating"))),
                 .select(.id("rating"), .attribute(named: "name", value: "rating"),
                         .forEach(CaseRating.allCases) { Components.option(value: $0.rawValue, text: ctx.t($0.label), selected: $0 == .satisfied) })),
            .div(.class("field"), .label(.for("comment"), .text(ctx.t("说明（可选）", "Comment (optional)"))),
                 .textarea(.id("comment"), .name("comment"), .attribute(named: "rows", value: "2"), .text(""))),
            .p(.class("hint"), .text(ctx.t("选择“不满意”时，诉求将退回责任单位重新办理一次。", "“Dissatisfied” sends the case back to its unit once.")))
        )
    }

    static func stepLabel(_ ctx: PageContext, _ action: String) -> String {
        switch action {
        case "received": ctx.t("收到", "Received")
        case "assign": ctx.t("分派", "Dispatched")
        case "transfer": ctx.t("转办", "Transferred")
        case "send-back": ctx.t("退回", "Sent back")
        case "acknowledge": ctx.t("受理告知", "Acknowledged")
        case "pause": ctx.t("暂停计时", "Paused")
        case "resume": ctx.t("恢复计时", "Resumed")
        case "answer": ctx.t("答复", "Answered")
        case "rate": ctx.t("学生评价", "Rated")
        case "reopen": ctx.t("重新办理", "Reopened")
        default: action
        }
    }

    static func formView(_ ctx: PageContext, _ m: CaseFormModel) -> Node<HTML.BodyContext> {
        let input = m.input
        return .group(
            .h1(.text(m.isStudent ? ctx.t("提出诉求", "Raise a case") : ctx.t("登记热线 / 接待日诉求", "Log a hotline or reception-day case"))),
            Components.errorSummary(ctx, m.problems),
            .if(m.isStudent, .div(.class("panel"),
                .h2(.text(ctx.t("联系我的领导干部", "Leaders linked to me"))),
                m.leaders.isEmpty ? .p(.class("muted"), .text(ctx.t("本学年尚无领导干部联系你所在的集体。", "No leader is linked to your collectives this year.")))
                    : .ul(.forEach(m.leaders) { .li(.text("\($0.name)（\($0.posts)）· " + ctx.t("联系", "linked via ") + $0.linkedVia)) }))),
            .form(.method(.post), .action(SiteRoute.caseNew.path()), Layout.csrfField(ctx),
                  .if(m.isStudent && !m.leaders.isEmpty, .div(.class("field"), .label(.for("cadreStaffNumber"), .text(ctx.t("写给", "To"))),
                      .select(.id("cadreStaffNumber"), .attribute(named: "name", value: "cadreStaffNumber"),
                              Components.option(value: "", text: ctx.t("学工部（由学校分派）", "The student-affairs office"), selected: (input.cadreStaffNumber ?? "").isEmpty),
                              .forEach(m.leaders) { Components.option(value: $0.staffNumber, text: $0.name, selected: $0.staffNumber == input.cadreStaffNumber) }))),
                  .if(!m.isStudent, Components.field(ctx, name: "studentNumber", label: ctx.t("学生学号（可不填）", "Student number (optional)"),
                                                     value: input.studentNumber ?? "", problems: m.problems)),
                  .if(!m.isStudent, .div(.class("field"), .label(.for("unitCode"), .text(ctx.t("责任单位（可不填，按类别分派）", "Responsible unit (optional)"))),
                      .select(.id("unitCode"), .attribute(named: "name", value: "unitCode"),
                              Components.option(value: "", text: ctx.t("按类别分派", "By category"), selected: (input.unitCode ?? "").isEmpty),
                              .forEach(m.departments) { Components.option(value: $0.0, text: $0.1, selected: $0.0 == input.unitCode) }))),
                  MailboxPages.categorySelect(ctx, input.category),
                  Components.field(ctx, name: "title", label: ctx.t("标题", "Title"), value: input.title ?? "", problems: m.problems),
                  .div(.class("field"), .label(.for("text"), .text(ctx.t("诉求内容", "What is it about"))),
                       .textarea(.id("text"), .name("text"), .attribute(named: "rows", value: "6"), .text(input.text ?? ""))),
                  Components.checkbox(name: "urgent", value: "true", label: ctx.t("紧急（学生反映强烈、急需解决）", "Urgent"), checked: input.urgent == true),
                  .button(.type(.submit), .text(ctx.t("提交", "Submit"))))
        )
    }

    /// The form posts `urgent=true` when ticked and nothing otherwise.
    struct FormBody: Content {
        var category: String?
        var title: String?
        var text: String?
        var urgent: String?
        var unitCode: String?
        var studentNumber: String?
        var cadreStaffNumber: String?

        var input: CaseInput {
            CaseInput(channel: nil, mailbox: nil, unitCode: unitCode, category: category, urgent: urgent == "true", title: title, text: text,
                      studentNumber: studentNumber, cadreStaffNumber: cadreStaffNumber)
        }
    }

    static func register(_ app: Application) {
        let readers = Access.roles([.businessAdmin, .unitSecretary, .cadre, .assessor, .student])
        let openers = Access.roles([.student, .businessAdmin, .unitSecretary])
        app.routes.on(.GET, SitePattern.cases.components, access: readers) { req -> Response in
            let model = try await CaseListModel.load(req)
            let ctx = PageContext(req)
            return ctx.render(title: model.isStudent ? ctx.t("我的诉求", "My cases") : ctx.t("学生诉求", "Students' cases"), content: listView(ctx, model))
        }
        app.routes.on(.GET, SitePattern.caseNew.components, access: openers) { req -> Response in
            let model = try await CaseFormModel.load(req)
            let ctx = PageContext(req)
            return ctx.render(title: ctx.t("提出诉求", "Raise a case"), breadcrumbs: [(ctx.t("诉求", "Cases"), SiteRoute.cases.path()), (ctx.t("新诉求", "New"), nil)],
                              content: formView(ctx, model))
        }
        app.routes.on(.POST, SitePattern.caseNew.components, access: openers) { req -> Response in
            let input = try req.content.decode(FormBody.self).input
            do {
                let item = try await CasesAPI.open(input, by: try req.requireUser(), now: req.now, on: req.db)
                return req.redirect(to: SiteRoute.caseDetail(item.id!).path(query: ["done": "1"]))
            } catch let error as AppError where error.status == .unprocessableEntity {
                let model = try await CaseFormModel.load(req, input: input, problems: error.details)
                let ctx = PageContext(req)
                return ctx.render(title: ctx.t("提出诉求", "Raise a case"), status: .unprocessableEntity, content: formView(ctx, model))
            }
        }
        app.routes.on(.GET, SitePattern.caseDetail.components, access: readers) { req -> Response in
            let model = try await CaseDetailModel.load(req, done: req.query[String.self, at: "done"] != nil)
            let ctx = PageContext(req)
            return ctx.render(title: model.item.title, breadcrumbs: [(ctx.t("诉求", "Cases"), SiteRoute.cases.path()), (model.item.number, nil)],
                              content: detailView(ctx, model))
        }
        app.routes.on(.POST, SitePattern.caseAct.components, access: readers) { req -> Response in
            let id = try req.idParameter()
            let input = try req.content.decode(CaseActionInput.self)
            do {
                _ = try await CaseService.act(id, input, by: try req.requireUser(), now: req.now, on: req.db)
                return req.redirect(to: SiteRoute.caseDetail(id).path(query: ["done": "1"]))
            } catch let error as AppError where error.status == .unprocessableEntity {
                let model = try await CaseDetailModel.load(req, problems: error.details)
                let ctx = PageContext(req)
                return ctx.render(title: model.item.title, status: .unprocessableEntity, content: detailView(ctx, model))
            }
        }
    }
}
