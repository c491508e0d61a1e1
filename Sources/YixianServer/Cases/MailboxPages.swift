import Fluent
import Plot
import Vapor
import YixianCore

/// 书记信箱, 校长信箱 and 处长信箱: a letter needs no account. Written without signing, it is
/// anonymous — nobody's identity is stored — and the writer follows it up with the tracking
/// number and a secret shown once.
enum MailboxPages {
    struct LetterForm: Content {
        var mailbox: String?
        var unitCode: String?
        var category: String?
        var title: String?
        var text: String?
        /// A signed-in student may sign the letter; it then appears under 我的诉求.
        var signed: String?
    }

    struct TrackForm: Content {
        var number: String?
        var secret: String?
        var rating: String?
        var comment: String?
    }

    struct Receipt: Sendable {
        var number: String
        var secret: String?
    }

    /// Departments a 处长信箱 letter can go to.
    static func departments(on db: any Database) async throws -> [(String, String)] {
        let kinds = [UnitKind.functionalDepartment, .studentWork, .partyDepartment, .affiliated].map(\.rawValue)
        return try await UnitModel.query(on: db).filter(\.$active == true).filter(\.$kind ~~ kinds).all().inUniversityOrder().map { ($0.code, $0.name) }
    }

    static func categorySelect(_ ctx: PageContext, _ chosen: String?) -> Node<HTML.FormContext> {
        .div(.class("field"), .label(.for("category"), .text(ctx.t("类别", "Category"))),
             .select(.id("category"), .attribute(named: "name", value: "category"),
                     .forEach(CaseCategory.standard) { Components.option(value: $0.code, text: ctx.t($0.label), selected: $0.code == (chosen ?? "other")) }))
    }

    static func letterView(_ ctx: PageContext, form: LetterForm, departments: [(String, String)], problems: [AppError.FieldProblem],
                           receipt: Receipt?) -> Node<HTML.BodyContext> {
        .group(
            .h1(.text(ctx.t("校长信箱 · 书记信箱 · 处长信箱", "Mailboxes"))),
            receipt.map { receiptView(ctx, $0) } ?? letterForm(ctx, form: form, departments: departments, problems: problems))
    }

    static func receiptView(_ ctx: PageContext, _ receipt: Receipt) -> Node<HTML.BodyContext> {
        let secretNote: Node<HTML.BodyContext> = receipt.secret.map { secret in
            .group(.p(.text(ctx.t("查询密码（只显示这一次，请抄下）：", "Follow-up secret (shown only now; write it down): ")),
                      .code(.data(named: "secret", value: secret), .text(secret))),
                   .p(.class("muted"), .text(ctx.t("凭受理编号和查询密码可在“来信查询”中查看办理情况和答复、评价答复。本信未署名，系统不保存你的身份。",
                                                   "With the number and the secret you can follow the letter and rate the answer. It is unsigned: the system keeps no identity."))))
        } ?? .p(.class("muted"), .text(ctx.t("已署名：可在“我的诉求”中跟进。", "Signed: follow it under My cases.")))
        return .div(.class("panel notice"), .data(named: "receipt", value: receipt.number),
                    .p(.text(ctx.t("来信已收到。受理编号：", "Received. Tracking number: ")), .strong(.text(receipt.number))),
                    secretNote,
                    .p(.a(.href(SiteRoute.mailboxTrack.path()), .text(ctx.t("来信查询", "Follow up a letter")))))
    }

    static func letterForm(_ ctx: PageContext, form: LetterForm, departments: [(String, String)], problems: [AppError.FieldProblem]) -> Node<HTML.BodyContext> {
        let mailboxes: [Node<HTML.SelectContext>] = CaseService.Mailbox.allCases.map {
            Components.option(value: $0.rawValue, text: ctx.t($0.label), selected: $0.rawValue == (form.mailbox ?? "president"))
        }
        let units: [Node<HTML.SelectContext>] = [Components.option(value: "", text: "—", selected: (form.unitCode ?? "").isEmpty)]
            + departments.map { Components.option(value: $0.0, text: $0.1, selected: $0.0 == form.unitCode) }
        let signable = ctx.user?.role == .student
        return .group(
            .p(.class("muted"), .text(ctx.t("来信由学校分派给责任单位办理，并在规定时限内答复。可以不署名；不署名时系统不保存你的身份。",
                                            "Letters are given to the responsible unit and answered on time. You may write without signing; then no identity is kept."))),
            Components.errorSummary(ctx, problems),
            .form(.method(.post), .action(SiteRoute.mailbox.path()), Layout.csrfField(ctx),
                  .div(.class("field"), .label(.for("mailbox"), .text(ctx.t("信箱", "Mailbox"))),
                       .select(.id("mailbox"), .attribute(named: "name", value: "mailbox"), .group(mailboxes))),
                  .div(.class("field"), .label(.for("unitCode"), .text(ctx.t("部门（处长信箱）", "Department (for a department head)"))),
                       .select(.id("unitCode"), .attribute(named: "name", value: "unitCode"), .group(units))),
                  categorySelect(ctx, form.category),
                  Components.field(ctx, name: "title", label: ctx.t("标题", "Title"), value: form.title ?? "", problems: problems),
                  .div(.class("field"), .label(.for("text"), .text(ctx.t("来信内容", "Your letter"))),
                       .textarea(.id("text"), .name("text"), .attribute(named: "rows", value: "8"), .text(form.text ?? ""))),
                  .if(signable, Components.checkbox(name: "signed", value: "true", label: ctx.t("署名（在“我的诉求”中跟进）", "Sign it (follow it under My cases)"),
                                                    checked: form.signed == "true")),
                  .button(.type(.submit), .text(ctx.t("寄出", "Send")))),
            .p(.a(.href(SiteRoute.mailboxTrack.path()), .text(ctx.t("已寄出来信？来信查询", "Sent one already? Follow it up")))))
    }

    static func trackView(_ ctx: PageContext, form: TrackForm, item: CaseDTO?, problems: [AppError.FieldProblem], rated: Bool) -> Node<HTML.BodyContext> {
        .group(
            .h1(.text(ctx.t("来信查询", "Follow up a letter"))),
            Components.notice(rated ? ctx.t("评价已提交，谢谢。", "Thank you for your rating.") : nil),
            Components.errorSummary(ctx, problems),
            .form(.method(.post), .action(SiteRoute.mailboxTrack.path()), Layout.csrfField(ctx),
                  Components.field(ctx, name: "number", label: ctx.t("受理编号", "Tracking number"), value: form.number ?? "", problems: problems),
                  Components.field(ctx, name: "secret", label: ctx.t("查询密码", "Secret"), value: form.secret ?? "", problems: problems, autocomplete: "off"),
                  .button(.type(.submit), .text(ctx.t("查询", "Look up")))),
            .unwrap(item) { item in
                .div(.class("panel"), .data(named: "case-status", value: item.status),
                     .h2(.text(item.title)),
                     .p(.text(ctx.t("状态：", "Status: ") + ctx.t(item.statusLabel) + ctx.t("；答复期限 ", "; answer due ") + item.answerDue)),
                     .p(.class("prewrap"), .text(item.text)),
                     .unwrap(item.answer) { answer in
                         .group(.h2(.text(ctx.t("答复", "Answer"))), .p(.class("prewrap"), .text(answer)))
                     },
                     .if(item.status == CaseStatus.answered.rawValue,
                         .form(.method(.post), .action(SiteRoute.mailboxRate.path()), Layout.csrfField(ctx),
                               .input(.type(.hidden), .name("number"), .value(form.number ?? "")),
                               .input(.type(.hidden), .name("secret"), .value(form.secret ?? "")),
                               CasePages.ratingFields(ctx),
                               .button(.type(.submit), .text(ctx.t("提交评价", "Send the rating"))))),
                     .unwrap(item.rating.flatMap(CaseRating.init)) { .p(.text(ctx.t("你的评价：", "Your rating: ") + ctx.t($0.label))) })
            }
        )
    }

    /// The same answer for an unknown number and a wrong secret, so neither can be guessed apart.
    static let notFound = AppError.field("number", zh: "受理编号或查询密码不正确", en: "The number or the secret is wrong")

    static func find(_ form: TrackForm, req: Request) async throws -> CaseModel {
        let limiter = req.application.rateLimiter
        if limiter.settings.enabled, let wait = limiter.take("track:" + req.clientAddress, limit: .init(rate: 0.2, burst: 10)) {
            throw AppError(.tooManyRequests, code: .rateLimited, zh: "查询过于频繁，请 \(wait) 秒后再试", en: "Too many look-ups; try again in \(wait) s")
        }
        let number = (form.number ?? "").trimmingCharacters(in: .whitespaces).uppercased()
        let secret = (form.secret ?? "").trimmingCharacters(in: .whitespaces).uppercased()
        guard number.count <= 40, secret.count <= 40, !number.isEmpty, !secret.isEmpty,
              let item = try await CaseModel.query(on: req.db).filter(\.$number == number).first(),
              let hash = item.secretHash, Secrets.constantTimeEqual(hash, Secrets.sha256(secret)) else { throw notFound }
        return item
    }

    static func dto(_ item: CaseModel, req: Request) async throws -> CaseDTO {
        // A letter's writer sees its state and answer, never who handles it inside.
        var dto = try await CasesAPI.Judge.load(on: req.db, today: LocalDate(req.now)).dto(item, unit: nil, cadreName: nil, events: nil)
        dto.responsibleUnit = nil
        return dto
    }

    static func render(_ req: Request, title: String, status: HTTPResponseStatus = .ok,
                       content: (PageContext) -> Node<HTML.BodyContext>) -> Response {
        PageContext.renderPublic(req, title: { _ in title }, status: status, content: content)
    }

    static func register(_ app: Application) {
        app.routes.on(.GET, SitePattern.mailbox.components, access: .anyone) { req -> Response in
            let departments = try await departments(on: req.db)
            return render(req, title: "信箱") { letterView($0, form: LetterForm(), departments: departments, problems: [], receipt: nil) }
        }
        app.routes.on(.POST, SitePattern.mailbox.components, access: .anyone) { req -> Response in
            let form = try req.content.decode(LetterForm.self)
            let departments = try await departments(on: req.db)
            do {
                let receipt = try await send(form, req: req)
                return render(req, title: "信箱") { letterView($0, form: form, departments: departments, problems: [], receipt: receipt) }
            } catch let error as AppError where error.status == .unprocessableEntity {
                return render(req, title: "信箱", status: .unprocessableEntity) {
                    letterView($0, form: form, departments: departments, problems: error.details, receipt: nil)
                }
            }
        }
        app.routes.on(.GET, SitePattern.mailboxTrack.components, access: .anyone) { req -> Response in
            render(req, title: "来信查询") { trackView($0, form: TrackForm(), item: nil, problems: [], rated: false) }
        }
        app.routes.on(.POST, SitePattern.mailboxTrack.components, access: .anyone) { req -> Response in
            let form = try req.content.decode(TrackForm.self)
            do {
                let item = try await dto(try await find(form, req: req), req: req)
                return render(req, title: "来信查询") { trackView($0, form: form, item: item, problems: [], rated: false) }
            } catch let error as AppError where error.status == .unprocessableEntity {
                return render(req, title: "来信查询", status: .unprocessableEntity) { trackView($0, form: form, item: nil, problems: error.details, rated: false) }
            }
        }
        app.routes.on(.POST, SitePattern.mailboxRate.components, access: .anyone) { req -> Response in
            let form = try req.content.decode(TrackForm.self)
            do {
                let found = try await find(form, req: req)
                let input = CaseActionInput(action: "rate", rating: form.rating, comment: form.comment)
                let rated = try await CaseService.act(found.id!, input, by: nil, viaSecret: true, now: req.now, on: req.db)
                let item = try await dto(rated, req: req)
                return render(req, title: "来信查询") { trackView($0, form: form, item: item, problems: [], rated: true) }
            } catch let error as AppError where error.status == .unprocessableEntity {
                return render(req, title: "来信查询", status: .unprocessableEntity) { trackView($0, form: form, item: nil, problems: error.details, rated: false) }
            }
        }
    }

    static func send(_ form: LetterForm, req: Request) async throws -> Receipt {
        var check = FieldChecker()
        let text = check.text("text", form.text, label: "来信内容", max: CaseWorkflow.maxTextLength)
        let title = check.text("title", form.title, label: "标题", max: 60, required: false)
        let mailbox = CaseService.Mailbox(rawValue: form.mailbox ?? "")
        if mailbox == nil { check.fail("mailbox", zh: "请选择信箱", en: "choose a mailbox") }
        let category = CaseCategory.standard(form.category ?? "other")
        if category == nil { check.fail("category", zh: "类别无效", en: "unknown category") }
        if mailbox == .department, (form.unitCode ?? "").isEmpty { check.fail("unitCode", zh: "处长信箱须选择部门", en: "choose the department") }
        try check.throwIfInvalid()
        let user = req.currentUser
        let signed = user?.role == .student && form.signed == "true"
        var generator = SystemRandomNumberGenerator()
        let secret = signed ? nil : (0..<3).map { _ in ConfirmationCode.make(using: &generator).prefix(4) }.joined(separator: "-")
        let now = req.now
        let unitCode = mailbox == .department ? form.unitCode : nil
        let item = try await req.db.write { db in
            let unitID = try await unitCode.asyncMap { try await db.unit(code: $0, field: "unitCode").id }
            let new = CaseService.NewCase(channel: .mailbox, mailbox: mailbox, category: category!, urgent: false,
                                          title: title.flatMap { $0.isEmpty ? nil : $0 } ?? String(text!.prefix(40)), text: text!,
                                          unitID: unitID ?? nil, submitterStudentID: signed ? user?.studentID : nil,
                                          secretHash: secret.map(Secrets.sha256), contactRecordID: nil, cadreID: nil, collectiveCode: nil,
                                          receivedOn: LocalDate(now), routeByCategory: mailbox == .department)
            // An unsigned letter is audited as the mailbox's, not the signed-in person's.
            let audit = signed ? AuditTrail.Actor(user!) : AuditTrail.Actor(id: nil, name: "mailbox")
            return try await CaseService.create(new, actor: signed ? "学生" : "匿名来信", audit: audit, now: now, on: db)
        }
        return Receipt(number: item.number, secret: secret)
    }
}
