import Fluent
import Plot
import Vapor
import YixianCore

/// Each signed-in person's own account: password change (forced after an administrator chose it),
/// two-factor enrolment with a QR code and recovery codes, personal access tokens; and the second
/// step of signing in.
enum AccountPages {
    static let challengeCookie = "yixian_mfa"

    struct CodeForm: Content { var code: String? }
    struct PasswordForm: Content { var current: String?; var new: String?; var confirmation: String? }
    struct TokenForm: Content { var name: String?; var days: String? }

    static func register(_ app: Application) {
        // MARK: second step of signing in
        app.routes.on(.GET, SitePattern.secondFactor.components, access: .anyone) { req -> Response in
            guard req.cookies[challengeCookie] != nil else { return req.redirect(to: SiteRoute.login.path()) }
            return secondFactorPage(req, problems: [], status: .ok)
        }
        app.routes.on(.POST, SitePattern.secondFactor.components, access: .anyone) { req -> Response in
            guard let secret = req.cookies[challengeCookie]?.string else { return req.redirect(to: SiteRoute.login.path()) }
            let form = try req.content.decode(CodeForm.self)
            let code = String((form.code ?? "").prefix(40))
            switch try await Accounts.completeSecondFactor(challenge: secret, code: code, client: req.clientAddress, now: Date(), on: req.db) {
            case .success(let user, let next):
                let response = try await LoginPages.signedIn(req, user: user, next: LocalPath.safe(next))
                response.cookies[challengeCookie] = HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/", isHTTPOnly: true)
                return response
            case .wrongCode(let left):
                return secondFactorPage(req, problems: [.init(field: "code", message: Localized(
                    zh: "验证码不正确，还可尝试 \(left) 次", en: "Wrong code; \(left) attempts left"))], status: .unauthorized)
            case .expired:
                let response = LoginPages.render(req, username: "", problems: [.init(field: "username", message: Localized(
                    zh: "验证已过期或次数用尽，请重新登录", en: "The verification expired or ran out of attempts; sign in again"))], status: .unauthorized)
                response.cookies[challengeCookie] = HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/", isHTTPOnly: true)
                return response
            case .throttled(let seconds):
                return LoginPages.throttled(secondFactorPage(req, problems: [LoginPages.throttledProblem(seconds)], status: .tooManyRequests), seconds)
            }
        }

        // MARK: password
        app.routes.on(.GET, SitePattern.accountPassword.components, access: .signedIn) { req -> Response in
            passwordPage(req, problems: [], status: .ok)
        }
        app.routes.on(.POST, SitePattern.accountPassword.components, access: .signedIn) { req -> Response in
            let user = try req.requireUser()
            let form = try req.content.decode(PasswordForm.self)
            do {
                try await Accounts.changePassword(userID: user.id, current: String((form.current ?? "").prefix(200)), new: form.new ?? "",
                                                  confirmation: form.confirmation ?? "", keepSession: user.sessionID,
                                                  cost: req.application.yixian.bcryptCost, pool: req.application.threadPool, on: req.db)
            } catch let error as AppError where error.status == .unprocessableEntity {
                return passwordPage(req, problems: error.details, status: .unprocessableEntity)
            }
            return req.redirect(to: SiteRoute.accountSecurity.path(query: ["changed": "1"]))
        }

        // MARK: security overview and TOTP enrolment
        app.routes.on(.GET, SitePattern.accountSecurity.components, access: .signedIn) { req -> Response in
            try await securityPage(req)
        }
        app.routes.on(.POST, SitePattern.totpStart.components, access: .signedIn) { req -> Response in
            let user = try req.requireUser()
            guard !user.totpEnrolled else { return req.redirect(to: SiteRoute.accountSecurity.path()) }
            let secret = try await Accounts.startTOTP(userID: user.id, on: req.db)
            return enrolPage(req, secret: secret, problems: [], status: .ok)
        }
        app.routes.on(.POST, SitePattern.totpConfirm.components, access: .signedIn) { req -> Response in
            let user = try req.requireUser()
            let form = try req.content.decode(CodeForm.self)
            do {
                let codes = try await Accounts.confirmTOTP(userID: user.id, code: String((form.code ?? "").prefix(40)), now: Date(), on: req.db)
                return recoveryCodesPage(req, codes: codes)
            } catch let error as AppError where error.status == .unprocessableEntity || error.status == .conflict {
                guard let pending = try await UserModel.find(user.id, on: req.db)?.totpPendingSecret.flatMap(Base32.decode) else {
                    return req.redirect(to: SiteRoute.accountSecurity.path())
                }
                let problems = error.details.isEmpty ? [AppError.FieldProblem(field: "code", message: error.message)] : error.details
                return enrolPage(req, secret: pending, problems: problems, status: .unprocessableEntity)
            }
        }

        // MARK: tokens
        app.routes.on(.GET, SitePattern.tokens.components, access: .signedIn) { req -> Response in
            try await tokensPage(req, created: nil, problems: [], status: .ok)
        }
        app.routes.on(.POST, SitePattern.tokenCreate.components, access: .signedIn) { req -> Response in
            let user = try req.requireUser()
            let form = try req.content.decode(TokenForm.self)
            do {
                guard let days = Int(form.days ?? "\(Accounts.defaultTokenDays)") else {
                    throw AppError.field("days", zh: "有效期须为整数天", en: "The lifetime must be a whole number of days")
                }
                let secret = try await Accounts.createToken(username: user.username, name: form.name ?? "", days: days, by: .init(user), on: req.db)
                return try await tokensPage(req, created: secret, problems: [], status: .created)
            } catch let error as AppError where error.status == .unprocessableEntity {
                return try await tokensPage(req, created: nil, problems: error.details, status: .unprocessableEntity)
            }
        }
        app.routes.on(.POST, SitePattern.tokenRevoke.components, access: .signedIn) { req -> Response in
            try await Accounts.revokeToken(id: try req.idParameter(), by: try req.requireUser(), on: req.db)
            return req.redirect(to: SiteRoute.tokens.path())
        }
    }

    /// Shown on the home page of an administrator without a second factor.
    static func homeWarning(_ ctx: PageContext) -> Node<HTML.BodyContext> {
        guard let user = ctx.user, user.role.isPrivileged, !user.totpEnrolled else { return .empty }
        return .div(.class("panel warning"), .attribute(named: "role", value: "alert"), .data(named: "warning", value: "totp-missing"),
                    .h2(.text(ctx.t("⚠ 您的管理员账号尚未启用双因素认证", "⚠ Your administrator account has no second factor"))),
                    .p(.text(ctx.t("等保三级要求管理员采用两种以上鉴别技术。请用手机验证器（如微信小程序“腾讯身份验证器”、Google Authenticator、Microsoft Authenticator）绑定动态口令。",
                                   "MLPS level 3 requires two authentication factors for administrators. Enrol an authenticator app (Google or Microsoft Authenticator, FreeOTP…)."))),
                    .a(.class("button"), .href(SiteRoute.accountSecurity.path()), .text(ctx.t("立即绑定", "Enrol now"))))
    }

    static func secondFactorPage(_ req: Request, problems: [AppError.FieldProblem], status: HTTPResponseStatus) -> Response {
        var ctx = PageContext(req)
        var newToken: String?
        if ctx.csrfToken.isEmpty {
            newToken = Secrets.random()
            ctx.csrfToken = newToken!
        }
        let response = ctx.render(title: ctx.t("双因素验证", "Two-factor check"), status: status, content:
            .div(.class("login panel"),
                 .h1(.text(ctx.t("输入动态验证码", "Enter your code"))),
                 .p(.class("muted"), .text(ctx.t("打开手机验证器，输入 6 位动态口令；手机丢失时可输入一个恢复码（每个只能用一次）。",
                                                "Open your authenticator app and type the 6-digit code, or one of your recovery codes (each works once)."))),
                 Components.errorSummary(ctx, problems),
                 .form(.method(.post), .action(SiteRoute.secondFactor.path()),
                       Layout.csrfField(ctx),
                       Components.field(ctx, name: "code", label: ctx.t("验证码或恢复码", "Code or recovery code"), problems: problems, autocomplete: "one-time-code"),
                       .button(.type(.submit), .text(ctx.t("验证", "Verify"))))))
        if let newToken {
            response.cookies[CSRF.anonymousCookie] = HTTPCookies.Value(string: newToken, path: "/", isSecure: req.application.yixian.secureCookies,
                                                                       isHTTPOnly: true, sameSite: .strict)
        }
        return response
    }

    static func passwordPage(_ req: Request, problems: [AppError.FieldProblem], status: HTTPResponseStatus) -> Response {
        let ctx = PageContext(req)
        let forced = ctx.user?.mustChangePassword == true
        return ctx.render(title: ctx.t("修改密码", "Change password"), status: status, content: .group(
            .h1(.text(ctx.t("修改密码", "Change password"))),
            .if(forced, .div(.class("panel warning"), .data(named: "warning", value: "must-change-password"),
                             .p(.text(ctx.t("您的密码由管理员设置，请先设置只有您知道的新密码，然后才能继续使用系统。",
                                            "An administrator set your password: choose one only you know before going on."))))),
            .div(.class("panel"),
                 Components.errorSummary(ctx, problems),
                 .form(.method(.post), .action(SiteRoute.accountPassword.path()),
                       Layout.csrfField(ctx),
                       Components.field(ctx, name: "current", label: ctx.t("当前密码", "Current password"), type: .password, problems: problems, autocomplete: "current-password"),
                       Components.field(ctx, name: "new", label: ctx.t("新密码", "New password"), type: .password,
                                        hint: ctx.t("至少 \(PasswordPolicy.minimumLength) 个字符；不能是常见密码、重复或连续字符，不能包含用户名。可以用一句话。",
                                                    "At least \(PasswordPolicy.minimumLength) characters; not a common password, not repeated or consecutive characters, not your username. A sentence works well."),
                                        problems: problems, autocomplete: "new-password"),
                       Components.field(ctx, name: "confirmation", label: ctx.t("再次输入新密码", "New password again"), type: .password, problems: problems, autocomplete: "new-password"),
                       .button(.type(.submit), .text(ctx.t("保存新密码", "Save the new password")))))
        ))
    }

    static func securityPage(_ req: Request) async throws -> Response {
        let model = try await SecurityPageModel.load(req)
        let ctx = PageContext(req)
        return ctx.render(title: ctx.t("账户安全", "Account security"), content: securityView(ctx, model))
    }

    static func securityView(_ ctx: PageContext, _ user: SecurityPageModel) -> Node<HTML.BodyContext> {
        let left = user.recoveryCodesLeft
        return .group(
            .h1(.text(ctx.t("账户安全", "Account security"))),
            .if(user.passwordJustChanged, Components.notice(ctx.t("密码已修改；其他会话和访问令牌已失效。", "Password changed; other sessions and access tokens were revoked."))),
            homeWarning(ctx),
            .div(.class("panel"),
                 .h2(.text(ctx.t("密码", "Password"))),
                 .p(.text(user.passwordChangedAt.map { ctx.t("上次修改：", "Last changed: ") + AdminPages.timestamp($0) } ?? ctx.t("尚未修改过。", "Never changed."))),
                 .a(.class("button secondary"), .href(SiteRoute.accountPassword.path()), .text(ctx.t("修改密码", "Change password")))),
            .div(.class("panel"),
                 .h2(.text(ctx.t("双因素认证（动态口令）", "Two-factor authentication (TOTP)"))),
                 user.totpEnrolled
                    ? .group(.p(.data(named: "totp", value: "enrolled"),
                                .text(ctx.t("已启用，绑定于 ", "Enabled since ") + (user.totpEnabledAt.map(AdminPages.timestamp) ?? "—") + ctx.t("；剩余恢复码 \(left) 个。", "; \(left) recovery codes left."))),
                             .p(.class("muted"), .text(ctx.t("手机和恢复码都丢失时，请安全管理员重置。", "If you lose both the phone and the codes, the security admin can reset it."))))
                    : .group(.p(.data(named: "totp", value: "off"), .text(ctx.t("未启用。登录时除密码外还将要求手机验证器上的 6 位动态口令。",
                                                                              "Off. Once enabled, signing in asks for the 6-digit code of an authenticator app after the password."))),
                             .form(.method(.post), .action(SiteRoute.totpStart.path()), Layout.csrfField(ctx),
                                   .button(.type(.submit), .text(ctx.t("开始绑定", "Start enrolment")))))),
            .div(.class("panel"),
                 .h2(.text(ctx.t("访问令牌", "Access tokens"))),
                 .a(.href(SiteRoute.tokens.path()), .text(ctx.t("管理个人访问令牌", "Manage personal access tokens"))))
        )
    }

    static func enrolPage(_ req: Request, secret: [UInt8], problems: [AppError.FieldProblem], status: HTTPResponseStatus) -> Response {
        let ctx = PageContext(req)
        let account = ctx.user?.username ?? "user"
        let uri = TOTP.provisioningURI(secret: secret, account: account, issuer: "Yixian")
        let qr = try? QRCode.encode(uri, correction: .medium).svg(moduleSize: 5)
        let grouped = Base32.encode(secret).enumerated().map { $0.offset > 0 && $0.offset % 4 == 0 ? " \($0.element)" : "\($0.element)" }.joined()
        return ctx.render(title: ctx.t("绑定手机验证器", "Enrol an authenticator"), status: status, content: .group(
            .h1(.text(ctx.t("绑定手机验证器", "Enrol an authenticator"))),
            .div(.class("panel"),
                 .p(.text(ctx.t("1. 用验证器扫描二维码（或手动输入下面的密钥，类型“基于时间”）。", "1. Scan the QR code with the app (or type the key below, time-based)."))),
                 .unwrap(qr) { .div(.class("qr"), .raw($0)) },
                 .p(.code(.data(named: "totp-secret", value: Base32.encode(secret)), .text(grouped))),
                 .p(.text(ctx.t("2. 输入验证器显示的 6 位数字完成绑定。", "2. Type the 6 digits the app shows to finish."))),
                 Components.errorSummary(ctx, problems),
                 .form(.method(.post), .action(SiteRoute.totpConfirm.path()), Layout.csrfField(ctx),
                       Components.field(ctx, name: "code", label: ctx.t("6 位验证码", "6-digit code"), problems: problems, autocomplete: "one-time-code"),
                       .button(.type(.submit), .text(ctx.t("完成绑定", "Finish")))))
        ))
    }

    static func recoveryCodesPage(_ req: Request, codes: [String]) -> Response {
        let ctx = PageContext(req)
        return ctx.render(title: ctx.t("恢复码", "Recovery codes"), content: .group(
            .h1(.text(ctx.t("双因素认证已启用", "Two-factor authentication is on"))),
            .div(.class("panel warning"),
                 .p(.text(ctx.t("请抄下或打印这 \(codes.count) 个恢复码并妥善保管：手机丢失时每个可代替动态口令登录一次。此页只显示一次。",
                                "Write down or print these \(codes.count) recovery codes: each signs you in once without the phone. They are shown only now."))),
                 .ul(.class("recovery-codes"), .forEach(codes) { .li(.code(.text($0))) })),
            .a(.class("button"), .href(SiteRoute.accountSecurity.path()), .text(ctx.t("我已保存", "I have saved them")))
        ))
    }

    static func tokensPage(_ req: Request, created: String?, problems: [AppError.FieldProblem], status: HTTPResponseStatus) async throws -> Response {
        let user = try req.requireUser()
        let tokens = try await APITokenModel.query(on: req.db).filter(\.$user.$id == user.id).sort(\.$createdAt, .descending).all()
        // Token expiry is security time: the system clock, not the business date.
        let model = TokensPageModel(tokens: tokens.map { TokenDTO($0) }, now: Date(), created: created, problems: problems,
                                    mayCreate: user.role != .student)
        let ctx = PageContext(req)
        return ctx.render(title: ctx.t("访问令牌", "Access tokens"), status: status, content: tokensView(ctx, model))
    }

    static func tokensView(_ ctx: PageContext, _ m: TokensPageModel) -> Node<HTML.BodyContext> {
        let now = m.now, created = m.created, problems = m.problems
        return .group(
            .h1(.text(ctx.t("个人访问令牌", "Personal access tokens"))),
            .p(.text(ctx.t("API 客户端使用 “Authorization: Bearer 令牌” 访问 /api/v1。令牌到期自动失效（默认 \(Accounts.defaultTokenDays) 天），修改或重置密码时全部吊销；也可用命令 yixian token create --user 用户名 --days 天数 生成。",
                           "API clients send “Authorization: Bearer TOKEN” to /api/v1. Tokens expire (default \(Accounts.defaultTokenDays) days) and are all revoked when the password changes or is reset; `yixian token create --user NAME --days N` makes one too."))),
            .unwrap(created) { secret in
                .div(.class("panel notice"), .data(named: "new-token", value: secret),
                     .p(.text(ctx.t("新令牌（只显示这一次，请立即复制）：", "New token (shown only now; copy it):"))),
                     .p(.code(.text(secret))))
            },
            Components.table(ctx, headers: [ctx.t("名称", "Name"), ctx.t("创建时间", "Created"), ctx.t("到期", "Expires"), ctx.t("最近使用", "Last used"),
                                            ctx.t("状态", "Status"), ctx.t("操作", "Actions")],
                             rows: m.tokens.map { t in
                                 let usable = !t.revoked && t.expiresAt > now
                                 let status: Node<HTML.BodyContext> = t.revoked ? Components.tag(ctx.t("已吊销", "Revoked"), "grey")
                                     : usable ? Components.tag(ctx.t("有效", "Active"), "green") : Components.tag(ctx.t("已过期", "Expired"), "grey")
                                 return [Components.cell(t.name), Components.cell(AdminPages.timestamp(t.createdAt)), Components.cell(AdminPages.timestamp(t.expiresAt)),
                                         Components.cell(t.lastUsedAt.map(AdminPages.timestamp) ?? "—"), .td(status),
                                         .td(.if(usable, .form(.class("inline"), .method(.post), .action(SiteRoute.tokenRevoke(t.id).path()), Layout.csrfField(ctx),
                                                                             .button(.type(.submit), .class("secondary"), .text(ctx.t("吊销", "Revoke"))))))]
                             }, empty: .text(ctx.t("您还没有访问令牌。", "You have no tokens."))),
            .if(m.mayCreate, .div(.class("panel"),
                .h2(.text(ctx.t("新建令牌", "New token"))),
                Components.errorSummary(ctx, problems),
                .form(.method(.post), .action(SiteRoute.tokenCreate.path()), Layout.csrfField(ctx),
                      Components.field(ctx, name: "name", label: ctx.t("用途", "What it is for"), problems: problems),
                      Components.field(ctx, name: "days", label: ctx.t("有效期（天，1–\(Accounts.maximumTokenDays)）", "Lifetime (days, 1–\(Accounts.maximumTokenDays))"),
                                       value: String(Accounts.defaultTokenDays), problems: problems),
                      .button(.type(.submit), .text(ctx.t("生成令牌", "Create token"))))))
        )
    }
}

/// The account-security page of the signed-in person.
struct SecurityPageModel: Sendable {
    var passwordChangedAt: Date?
    var totpEnrolled: Bool
    var totpEnabledAt: Date?
    var recoveryCodesLeft: Int
    /// Just back from changing the password.
    var passwordJustChanged: Bool

    static func load(_ req: Request) async throws -> SecurityPageModel {
        let current = try req.requireUser()
        guard let user = try await UserModel.find(current.id, on: req.db) else { throw AppError.unauthenticated }
        let left = try await RecoveryCodeModel.query(on: req.db).filter(\.$user.$id == current.id).filter(\.$usedAt == nil).count()
        return SecurityPageModel(passwordChangedAt: user.passwordChangedAt, totpEnrolled: user.totpEnrolled, totpEnabledAt: user.totpEnabledAt,
                                 recoveryCodesLeft: left, passwordJustChanged: req.query[String.self, at: "changed"] == "1")
    }
}

/// A person's own access tokens; `created` is a new token's secret, shown once.
struct TokensPageModel: Sendable {
    var tokens: [TokenDTO]
    var now: Date
    var created: String?
    var problems: [AppError.FieldProblem]
    var mayCreate: Bool
}
