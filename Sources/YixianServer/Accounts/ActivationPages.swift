import Fluent
import Plot
import Vapor
import YixianCore

/// Accounts for the roster (the office, the system admin, a unit secretary for their unit) and the
/// public first sign-in with an activation code.
enum ActivationPages {
    /// Not the system admin: the slips carry students' names and numbers, and the 三员 read no student data.
    static let managers = Access.roles([.businessAdmin, .unitSecretary])
    /// A printable page of more slips than this is too big to render or print: a unit at a time, or the CSV.
    static let maximumSlips = 1_000

    struct ActivateForm: Content {
        var username: String?
        var code: String?
        var password: String?
        var confirmation: String?
    }

    struct IssueInput: Content {
        var who: String?
        var unit: String?
        var onlyWithoutCode: String?
        var format: String?
    }

    struct ProvisionInput: Content {
        var who: String?
        var unit: String?
    }

    struct CodesInput: Content {
        var who: RosterAccounts.Who?
        var unit: UUID?
        var onlyWithoutCode: Bool?
    }

    static func register(_ app: Application) {
        app.routes.on(.GET, SitePattern.activate.components, access: .anyone) { req -> Response in
            if req.currentUser != nil { return req.redirect(to: SiteRoute.home.path()) }
            let username = String((req.query[String.self, at: "u"] ?? "").prefix(40))
            return renderActivate(req, username: username, problems: [], status: .ok)
        }
        app.routes.on(.POST, SitePattern.activate.components, access: .anyone) { req -> Response in
            try await activate(req)
        }
        app.routes.on(.GET, SitePattern.accountsRoster.components, access: managers) { req -> Response in
            try await rosterPage(req, notice: nil)
        }
        app.routes.on(.POST, SitePattern.accountsProvision.components, access: managers) { req -> Response in
            let user = try req.requireUser()
            let form = try req.content.decode(ProvisionInput.self)
            let (who, unit) = try parse(who: form.who, unit: form.unit, for: user)
            let now = req.now
            let made = try await req.db.write { db in try await RosterAccounts.provision(who, unit: unit, by: .init(user), now: now, on: db) }
            return try await rosterPage(req, notice: provisionNotice(PageContext(req), made))
        }
        app.routes.on(.POST, SitePattern.accountsCodes.components, access: managers) { req -> Response in
            let user = try req.requireUser()
            let form = try req.content.decode(IssueInput.self)
            let (who, unit) = try parse(who: form.who, unit: form.unit, for: user)
            let csv = form.format == "csv"
            // Codes expire in real time, like every security timer (activation checks against the system clock).
            let now = Date()
            let codes: [RosterAccounts.IssuedCode]
            do {
                codes = try await req.db.write { db in
                    try await RosterAccounts.issueCodes(who, unit: unit, onlyWithoutCode: form.onlyWithoutCode != nil,
                                                        maximum: csv ? nil : maximumSlips, by: .init(user), now: now, on: db)
                }
            } catch let error as AppError where error.status == .unprocessableEntity {
                return try await rosterPage(req, notice: nil, problems: error.details, status: error.status)
            }
            if csv {
                let response = Response(status: .ok, body: .init(data: RosterAccounts.csv(codes)))
                response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
                response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"activation-codes.csv\"")
                response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
                return response
            }
            let ctx = PageContext(req)
            let response = ctx.render(title: ctx.t("账号激活通知单", "Activation slips"), content: slipsView(ctx, codes, base: req.publicBase))
            // The codes are secrets: not kept by the browser's or a proxy's cache.
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
            return response
        }
        registerAPI(app)
    }

    static func registerAPI(_ app: Application) {
        let tag = "Accounts"
        app.register(Endpoint(method: .GET, path: "/accounts/roster", summary: "How many roster people have no account, and accounts not yet activated",
                              tag: tag, access: managers,
                              query: [.init(name: "who", description: "all (default), cadres or students"), .init(name: "unit", description: "unit id")],
                              response: "RosterAccountCounts")) { req -> RosterAccounts.Counts in
            let user = try req.requireUser()
            let (who, unit) = try parse(who: try req.stringParameter("who", maxLength: 20), unit: try req.stringParameter("unit", maxLength: 40), for: user)
            return try await RosterAccounts.counts(who, unit: unit, now: Date(), on: req.db)
        }
        app.register(Endpoint(method: .POST, path: "/accounts/provision", summary: "Make the missing accounts of active cadres and students",
                              tag: tag, access: managers, requestBody: "ProvisionRequest", response: "Provisioned")) { req -> RosterAccounts.Provisioned in
            let user = try req.requireUser()
            // The page's form and the API's JSON are the same two fields, parsed by one rule.
            let input = try req.decodeJSON(ProvisionInput.self)
            let (who, unit) = try parse(who: input.who, unit: input.unit, for: user)
            let now = req.now
            return try await req.db.write { db in try await RosterAccounts.provision(who, unit: unit, by: .init(user), now: now, on: db) }
        }
        app.register(Endpoint(method: .POST, path: "/accounts/activation-codes", summary: "New one-time activation codes for accounts not yet activated (shown once)",
                              tag: tag, access: managers, requestBody: "ActivationCodesRequest", response: "ActivationCodes")) { req -> ActivationCodesDTO in
            let user = try req.requireUser()
            let input = try req.decodeJSON(CodesInput.self)
            let (who, unit) = try parse(who: input.who?.rawValue, unit: input.unit?.uuidString, for: user)
            // Codes expire in real time, like every security timer (activation checks against the system clock).
            let now = Date()
            let codes = try await req.db.write { db in
                try await RosterAccounts.issueCodes(who, unit: unit, onlyWithoutCode: input.onlyWithoutCode ?? false, by: .init(user), now: now, on: db)
            }
            return ActivationCodesDTO(items: codes)
        }
    }

    struct ActivationCodesDTO: Content { var items: [RosterAccounts.IssuedCode] }

    /// Which people and which unit: a secretary is held to their own unit whatever they send.
    static func parse(who raw: String?, unit rawUnit: String?, for user: CurrentUser) throws -> (RosterAccounts.Who, UUID?) {
        let who: RosterAccounts.Who
        if let raw, !raw.isEmpty {
            guard let parsed = RosterAccounts.Who(rawValue: raw) else {
                throw AppError.field("who", zh: "对象只能是 all、cadres 或 students", en: "who must be all, cadres or students")
            }
            who = parsed
        } else {
            who = .all
        }
        let scope = try RosterAccounts.scope(of: user)
        var unit: UUID?
        if let rawUnit, !rawUnit.isEmpty {
            guard let id = UUID(uuidString: rawUnit) else { throw AppError.field("unit", zh: "单位无效", en: "unknown unit") }
            unit = id
        }
        if let scope {
            if let unit, unit != scope { throw AppError.notFound("unit") }
            return (who, scope)
        }
        return (who, unit)
    }


    // MARK: - First sign-in

    static func activate(_ req: Request) async throws -> Response {
        let form = try req.content.decode(ActivateForm.self)
        var check = FieldChecker()
        let username = check.text("username", form.username, label: "用户名（工号或学号）", max: 40)
        let code = String((form.code ?? "").prefix(40))
        if RosterAccounts.normalize(code).isEmpty { check.fail("code", zh: "请填写激活码", en: "the activation code is required") }
        let password = form.password ?? ""
        if password.count > 200 { check.fail("password", zh: "密码过长", en: "password is too long") }
        if let username, password.count <= 200 {
            for problem in Accounts.passwordProblems(password, username: username) { check.fail(problem.field, zh: problem.message.zh, en: problem.message.en) }
        }
        if password != (form.confirmation ?? "") { check.fail("confirmation", zh: "两次输入的密码不一致", en: "the passwords differ") }
        guard check.problems.isEmpty, let username else {
            return renderActivate(req, username: form.username ?? "", problems: check.problems, status: .unprocessableEntity)
        }
        switch try await RosterAccounts.activate(username: username, code: code, password: password, client: req.clientAddress, now: Date(),
                                                 cost: req.application.yixian.bcryptCost, pool: req.application.threadPool, on: req.db) {
        case .success(let user):
            return try await LoginPages.signedIn(req, user: user, next: SiteRoute.home.path())
        case .invalid:
            return renderActivate(req, username: username, problems: [.init(field: "code", message: Localized(
                zh: "用户名或激活码不正确，或激活码已使用、已过期；请向本单位秘书或学生工作部门索取新的激活码",
                en: "Wrong username or code, or the code was used or has expired; ask your unit's secretary or the student affairs office for a new one"))],
                                  status: .unauthorized)
        case .throttled(let seconds):
            return LoginPages.throttled(renderActivate(req, username: username, problems: [LoginPages.throttledProblem(seconds)], status: .tooManyRequests), seconds)
        }
    }

    static func renderActivate(_ req: Request, username: String, problems: [AppError.FieldProblem], status: HTTPResponseStatus) -> Response {
        PageContext.renderPublic(req, title: { $0.t("激活账号", "Activate your account") }, status: status) { ctx in
            .div(.class("login panel"),
                 .h1(.text(ctx.t("首次登录：激活账号", "First sign-in: activate your account"))),
                 .p(.class("muted"), .text(ctx.t("用户名是你的工号（教职工）或学号（学生）。激活码见单位发放的通知单，只能使用一次。",
                                                 "Your username is your staff number or student number. The code is on the slip your unit gave you and works once."))),
                 Components.errorSummary(ctx, problems),
                 .form(.method(.post), .action(SiteRoute.activate.path()),
                       Layout.csrfField(ctx),
                       Components.field(ctx, name: "username", label: ctx.t("用户名（工号或学号）", "Username (staff or student number)"), value: username,
                                        problems: problems, autocomplete: "username"),
                       Components.field(ctx, name: "code", label: ctx.t("激活码", "Activation code"), hint: ctx.t("例如 ABCDE-FGHJK，不区分大小写", "e.g. ABCDE-FGHJK, any case"),
                                        problems: problems, autocomplete: "one-time-code"),
                       Components.field(ctx, name: "password", label: ctx.t("设置密码", "Choose a password"), type: .password,
                                        hint: ctx.t("至少 \(PasswordPolicy.minimumLength) 位，不能是常见密码或含用户名", "At least \(PasswordPolicy.minimumLength) characters, not a common one, not your username"),
                                        problems: problems, autocomplete: "new-password"),
                       Components.field(ctx, name: "confirmation", label: ctx.t("再次输入密码", "Repeat the password"), type: .password, problems: problems,
                                        autocomplete: "new-password"),
                       .button(.type(.submit), .text(ctx.t("激活并登录", "Activate and sign in")))),
                 .p(.class("muted"), .a(.href(SiteRoute.login.path()), .text(ctx.t("已有密码？直接登录", "Already have a password? Sign in")))))
        }
    }

    // MARK: - The office's page

    static func provisionNotice(_ ctx: PageContext, _ made: RosterAccounts.Provisioned) -> String {
        var text = ctx.t("已新建账号：干部 \(made.cadres) 个，学生 \(made.students) 个。", "Accounts made: \(made.cadres) cadres, \(made.students) students.")
        if !made.conflicts.isEmpty {
            let shown = made.conflicts.prefix(20).joined(separator: "、")
            text += ctx.t("以下工号或学号已被其他账号用作用户名，未建账号，请在用户管理中核对：\(shown)\(made.conflicts.count > 20 ? " 等 \(made.conflicts.count) 个" : "")",
                          " These numbers are already another account's username and got no account; check them under Users: \(shown)\(made.conflicts.count > 20 ? " and \(made.conflicts.count - 20) more" : "")")
        }
        return text
    }

    static func rosterPage(_ req: Request, notice: String?, problems: [AppError.FieldProblem] = [],
                           status: HTTPResponseStatus = .ok) async throws -> Response {
        let user = try req.requireUser()
        let scope = try RosterAccounts.scope(of: user)
        let model = try await ActivationPageModel.load(scope: scope, now: Date(), on: req.db)
        let ctx = PageContext(req)
        return ctx.render(title: ctx.t("名册账号与激活码", "Roster accounts and activation codes"), status: status,
                          content: rosterView(ctx, model, notice: notice, problems: problems))
    }

    static func rosterView(_ ctx: PageContext, _ m: ActivationPageModel, notice: String?, problems: [AppError.FieldProblem] = []) -> Node<HTML.BodyContext> {
        func whoSelect() -> Node<HTML.FormContext> {
            .div(.class("field"), .label(.for("who"), .text(ctx.t("对象", "Who"))),
                 .select(.id("who"), .attribute(named: "name", value: "who"),
                         .forEach(RosterAccounts.Who.allCases) { Components.option(value: $0.rawValue, text: ctx.t($0.label), selected: $0 == .all) }))
        }
        func unitSelect() -> Node<HTML.FormContext> {
            .if(m.units.count > 1,
                .div(.class("field"), .label(.for("unit"), .text(ctx.t("单位", "Unit"))),
                     .select(.id("unit"), .attribute(named: "name", value: "unit"),
                             Components.option(value: "", text: ctx.t("全校", "Whole university"), selected: true),
                             .forEach(m.units) { Components.option(value: $0.id.uuidString, text: $0.name, selected: false) })))
        }
        return .group(
            .h1(.text(ctx.t("名册账号与激活码", "Roster accounts and activation codes"))),
            Components.notice(notice),
            Components.errorSummary(ctx, problems),
            .p(.class("muted"), .text(ctx.t("干部以工号、学生以学号为用户名。导入名册时自动建账号；账号首次登录须用激活码设置密码（或经统一身份认证登录）。激活码只在生成时显示一次，\(RosterAccounts.codeLifetimeDays) 天内有效，重新生成即作废旧码。",
                                           "Cadres sign in with their staff number, students with their student number. Importing the roster makes their accounts; at first sign-in a person sets a password with an activation code. Codes are shown once when made, last \(RosterAccounts.codeLifetimeDays) days, and a new code voids the old one."))),
            .div(.class("cards"),
                 Components.card(String(m.counts.withoutAccount), ctx.t("名册中尚无账号", "On the roster, no account")),
                 Components.card(String(m.counts.pending), ctx.t("账号未激活", "Not yet activated")),
                 Components.card(String(m.counts.pendingWithCode), ctx.t("其中已发有效激活码", "Of those, holding a live code")),
                 Components.card(String(m.counts.activated), ctx.t("已激活", "Activated"))),
            .div(.class("panel"),
                 .h2(.text(ctx.t("为名册建立账号", "Make accounts for the roster"))),
                 .form(.method(.post), .action(SiteRoute.accountsProvision.path()), Layout.csrfField(ctx), whoSelect(), unitSelect(),
                       .button(.type(.submit), .text(ctx.t("建立缺少的账号", "Make the missing accounts"))))),
            .div(.class("panel"),
                 .h2(.text(ctx.t("生成激活码", "Make activation codes"))),
                 .form(.method(.post), .action(SiteRoute.accountsCodes.path()), Layout.csrfField(ctx), whoSelect(), unitSelect(),
                       Components.checkbox(name: "onlyWithoutCode", value: "1", label: ctx.t("只为还没有有效激活码的人生成", "Only for people without a live code"), checked: true),
                       .div(.class("field"), .label(.for("format"), .text(ctx.t("形式", "As"))),
                            .select(.id("format"), .attribute(named: "name", value: "format"),
                                    Components.option(value: "print", text: ctx.t("打印通知单（A4）", "Printable slips (A4)"), selected: true),
                                    Components.option(value: "csv", text: ctx.t("CSV 文件（邮件或短信群发）", "CSV file (for mail or SMS merge)"), selected: false))),
                       .button(.type(.submit), .text(ctx.t("生成", "Make codes")))))
        )
    }

    static func slipsView(_ ctx: PageContext, _ codes: [RosterAccounts.IssuedCode], base: String) -> Node<HTML.BodyContext> {
        let link = base + SiteRoute.activate.path()
        return .group(
            .h1(.class("no-print"), .text(ctx.t("账号激活通知单（\(codes.count) 份）", "Activation slips (\(codes.count))"))),
            .p(.class("muted no-print"), .text(codes.isEmpty
                ? ctx.t("没有需要激活码的账号：先为名册建立账号，或取消“只为还没有有效激活码的人生成”。", "No account needs a code: make the roster's accounts first, or untick “only for people without a live code”.")
                : ctx.t("激活码只显示这一次。请打印后裁开分发，或另存为 PDF；关闭本页后无法再次查看。", "The codes are shown this once: print and cut, or save as PDF; they cannot be shown again."))),
            .div(.class("slips"),
                 .forEach(codes) { c in
                     .div(.class("slip"), .data(named: "username", value: c.username),
                          .div(.class("slip-text"),
                               .h3(.text("\(c.name)（\(c.role)）")),
                               .p(.text(c.unit)),
                               .p(.text(ctx.t("用户名：", "Username: ")), .strong(.text(c.username))),
                               .p(.text(ctx.t("激活码：", "Code: ")), .span(.class("code"), .data(named: "code", value: c.code), .text(c.code))),
                               .p(.class("muted"), .text(ctx.t("有效期至 \(c.expiresOn)，只能使用一次。", "Valid until \(c.expiresOn), once."))),
                               .p(.class("muted"), .text(ctx.t("激活地址：", "Activate at: ") + link))),
                          .raw((try? QRCode.encode(base + SiteRoute.activate.path(query: ["u": c.username]))
                                .svg(moduleSize: 2, quietZone: 2)) ?? ""))
                 })
        )
    }
}

/// The counts and the unit list of the roster accounts page.
struct ActivationPageModel: Sendable {
    struct UnitOption: Sendable { var id: UUID; var name: String }
    var counts: RosterAccounts.Counts
    var units: [UnitOption]

    static func load(scope: UUID?, now: Date, on db: any Database) async throws -> ActivationPageModel {
        var query = UnitModel.query(on: db).filter(\.$active == true).sort(\.$name)
        if let scope { query = query.filter(\.$id == scope) }
        let units = try await query.all().map { UnitOption(id: $0.id!, name: $0.name) }
        return ActivationPageModel(counts: try await RosterAccounts.counts(.all, unit: scope, now: now, on: db), units: units)
    }
}
