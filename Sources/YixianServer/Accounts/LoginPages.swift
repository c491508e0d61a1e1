import Fluent
import Plot
import Vapor
import YixianCore

enum LoginPages {
    struct LoginForm: Content {
        var username: String?
        var password: String?
        var next: String?
    }

    static func register(_ app: Application) {
        app.routes.on(.GET, SitePattern.login.components, access: .anyone) { req -> Response in
            if req.currentUser != nil { return req.redirect(to: LocalPath.safe(req.query[String.self, at: "next"])) }
            return render(req, username: "", problems: [], status: .ok, next: req.query[String.self, at: "next"])
        }
        app.routes.on(.POST, SitePattern.login.components, access: .anyone) { req -> Response in
            let form = try req.content.decode(LoginForm.self)
            var check = FieldChecker()
            let username = check.text("username", form.username, label: "用户名", max: 40)
            let password = form.password ?? ""
            if password.isEmpty { check.fail("password", zh: "请填写密码", en: "password is required") }
            if password.count > 200 { check.fail("password", zh: "密码过长", en: "password is too long") }
            guard check.problems.isEmpty, let username else {
                return render(req, username: form.username ?? "", problems: check.problems, status: .unprocessableEntity, next: form.next)
            }
            let client = req.clientAddress
            switch try await Accounts.login(username: username, password: password, client: client, next: LocalPath.safe(form.next), now: Date(),
                                            cost: req.application.yixian.bcryptCost, pool: req.application.threadPool, on: req.db) {
            case .success(let user):
                return try await signedIn(req, user: user, next: LocalPath.safe(form.next))
            case .secondFactor(let challenge):
                let response = req.redirect(to: SiteRoute.secondFactor.path())
                response.cookies[AccountPages.challengeCookie] = HTTPCookies.Value(
                    string: challenge, maxAge: Int(Accounts.challengeLifetime), path: "/", isSecure: req.application.yixian.secureCookies,
                    isHTTPOnly: true, sameSite: .strict)
                return response
            case .invalid:
                return render(req, username: username, problems: [.init(field: "password", message: Localized(
                    zh: "用户名或密码错误；多次错误后须等待一段时间才能再试", en: "Wrong username or password; after repeated failures you must wait before trying again"))],
                              status: .unauthorized, next: form.next)
            case .throttled(let seconds):
                return throttled(render(req, username: username, problems: [throttledProblem(seconds)], status: .tooManyRequests, next: form.next), seconds)
            }
        }
        app.routes.on(.POST, SitePattern.logout.components, access: .signedIn) { req -> Response in
            if let secret = req.cookies[AuthMiddleware.sessionCookie]?.string {
                try await Accounts.endSession(secret: secret, on: req.db)
            }
            let response = req.redirect(to: SiteRoute.login.path())
            response.cookies[AuthMiddleware.sessionCookie] = HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/", isHTTPOnly: true, sameSite: .lax)
            return response
        }
        app.routes.on(.GET, SitePattern.language.components, access: .anyone) { req -> Response in
            let to = Language(rawValue: req.query[String.self, at: "to"] ?? "") ?? .zh
            // Only local paths, so the switch cannot be used as an open redirect.
            let back = LocalPath.safe(req.query[String.self, at: "back"])
            let response = req.redirect(to: back)
            response.cookies["lang"] = HTTPCookies.Value(string: to.rawValue, maxAge: 365 * 86400, path: "/", isHTTPOnly: true, sameSite: .lax)
            return response
        }
    }

    /// The same words whether the name exists or not, and whether the account or the client waits.
    static func throttledProblem(_ seconds: Int) -> AppError.FieldProblem {
        let wait = seconds < 120 ? Localized(zh: "\(seconds) 秒", en: "\(seconds) seconds") : Localized(zh: "\((seconds + 59) / 60) 分钟", en: "\((seconds + 59) / 60) minutes")
        return .init(field: "username", message: Localized(
            zh: "尝试次数过多，请 \(wait.zh)后再试；如需立即解锁请联系安全管理员", en: "Too many attempts; try again in \(wait.en), or ask the security admin to unlock the account"))
    }

    static func throttled(_ response: Response, _ seconds: Int) -> Response {
        response.headers.replaceOrAdd(name: .retryAfter, value: String(seconds))
        return response
    }

    /// The session cookie for a completed sign-in, and on to where the person was going.
    static func signedIn(_ req: Request, user: UserModel, next: String) async throws -> Response {
        let secret = try await Accounts.startSession(for: user, replacing: req.cookies[AuthMiddleware.sessionCookie]?.string, on: req.db)
        let response = req.redirect(to: user.mustChange ? SiteRoute.accountPassword.path() : next)
        response.cookies[AuthMiddleware.sessionCookie] = HTTPCookies.Value(
            string: secret, path: "/", isSecure: req.application.yixian.secureCookies, isHTTPOnly: true, sameSite: .lax)
        return response
    }

    static func render(_ req: Request, username: String, problems: [AppError.FieldProblem], status: HTTPResponseStatus, next: String? = nil) -> Response {
        PageContext.renderPublic(req, title: { $0.t("登录", "Sign in") }, status: status) { ctx in
            .div(.class("login panel"),
                 .h1(.text(ctx.t("登录一线平台", "Sign in to Yixian"))),
                 .p(.class("muted"), .text(ctx.t("领导干部深入基层联系学生工作平台", "The platform for leaders' front-line contact with students"))),
                 Components.errorSummary(ctx, problems),
                 .form(.method(.post), .action(SiteRoute.login.path()),
                       Layout.csrfField(ctx),
                       .unwrap(next) { .input(.type(.hidden), .name("next"), .value(LocalPath.safe($0))) },
                       Components.field(ctx, name: "username", label: ctx.t("用户名", "Username"), value: username, problems: problems, autocomplete: "username"),
                       Components.field(ctx, name: "password", label: ctx.t("密码", "Password"), type: .password, problems: problems, autocomplete: "current-password"),
                       .button(.type(.submit), .text(ctx.t("登录", "Sign in")))),
                 .if(req.application.yixian.cas != nil,
                     .p(.a(.class("button secondary cas"), .href(SiteRoute.casLogin.path(query: next.map { ["next": LocalPath.safe($0)] } ?? [:])),
                           .text(ctx.t("统一身份认证登录", "Sign in with the university account"))))),
                 .p(.a(.href(SiteRoute.activate.path()), .text(ctx.t("首次登录？用激活码激活账号", "First time here? Activate your account with your code")))),
                 .p(.class("muted"), .a(.href(SiteRoute.mailbox.path()), .text(ctx.t("给校长信箱、书记信箱、处长信箱写信（无需登录，可匿名）",
                                                                                 "Write to the president's or a department's mailbox (no account, may be anonymous)")))))
        }
    }
}
