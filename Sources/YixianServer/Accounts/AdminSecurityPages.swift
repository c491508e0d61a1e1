import Fluent
import Plot
import Vapor
import YixianCore

/// 三员 separation on the users page. The system admin creates ordinary accounts and looks after them;
/// the security admin grants administrator roles (system, security, audit, business admin), resets
/// administrators' passwords and second factors, and unlocks accounts. A grant replaces the account's
/// password with one shown only to the security admin, so the account's creator cannot use it.
extension AdminPages {
    struct RoleForm: Content { var role: String?; var confirm: String? }
    struct ResetForm: Content { var confirm: String? }

    /// Roles the security admin may set on an existing account: those that need no unit, cadre or student link.
    static let grantableRoles: [Role] = Role.allCases.filter { $0.requiredLink == nil }

    static func registerSeparationOfDuties(_ app: Application) {
        app.routes.on(.POST, SitePattern.userRole.components, access: .capability(.manageSecurity)) { req -> Response in
            let actor = try req.requireUser()
            let form = try req.content.decode(RoleForm.self)
            guard let role = Role(rawValue: form.role ?? ""), grantableRoles.contains(role) else {
                throw AppError.field("role", zh: "请选择有效的角色", en: "choose a valid role")
            }
            if role.isPrivileged {
                // An administrator account is made by a second, deliberate step: the target's name typed again.
                guard let target = try await UserModel.find(try req.idParameter(), on: req.db) else { throw AppError.notFound("user") }
                guard form.confirm == target.username else {
                    throw AppError.field("confirm", zh: "授予管理员角色须输入用户名“\(target.username)”确认", en: "Type the username \(target.username) to confirm granting an administrator role")
                }
            }
            let password = try await Accounts.grantRole(userID: try req.idParameter(), role: role, by: actor,
                                                        cost: req.application.yixian.bcryptCost, pool: req.application.threadPool, on: req.db)
            guard let password, let user = try await UserModel.find(try req.idParameter(), on: req.db) else { return req.redirect(to: SiteRoute.users.path()) }
            return oneTimePasswordPage(req, username: user.username, password: password)
        }
        app.routes.on(.POST, SitePattern.userResetPassword.components, access: .roles([.systemAdmin, .securityAdmin])) { req -> Response in
            let actor = try req.requireUser()
            let form = try req.content.decode(ResetForm.self)
            guard let target = try await UserModel.find(try req.idParameter(), on: req.db) else { throw AppError.notFound("user") }
            guard Accounts.mayAdminister(actor, target: target.roleValue), target.id != actor.id else { throw AppError.forbidden }
            // Typing the name guards against a slip of the mouse (and a crawler) resetting the wrong account.
            guard form.confirm == target.username else {
                throw AppError.field("confirm", zh: "请输入用户名“\(target.username)”以确认重置", en: "Type the username \(target.username) to confirm the reset")
            }
            let password = Accounts.generatedPassword(for: target.username)
            try await Accounts.resetPassword(username: target.username, password: password, cost: req.application.yixian.bcryptCost,
                                             pool: req.application.threadPool, by: .init(actor), on: req.db)
            return oneTimePasswordPage(req, username: target.username, password: password)
        }
        app.routes.on(.POST, SitePattern.userResetTOTP.components, access: .capability(.manageSecurity)) { req -> Response in
            let actor = try req.requireUser()
            try await Accounts.resetTOTP(userID: try req.idParameter(), by: .init(actor), on: req.db)
            return req.redirect(to: SiteRoute.users.path())
        }
    }

    /// The actions a row of the users page offers this actor.
    static func userActions(_ ctx: PageContext, actor: CurrentUser, target u: UsersPageModel.UserRow) -> Node<HTML.BodyContext> {
        let id = u.id
        guard id != actor.id else { return .empty }
        return .group(
            .if(actor.can(.manageSecurity), .form(.class("inline"), .method(.post), .action(SiteRoute.userRole(id).path()), Layout.csrfField(ctx),
                .select(.attribute(named: "name", value: "role"), .attribute(named: "aria-label", value: ctx.t("角色", "Role")),
                        .forEach(grantableRoles) { Components.option(value: $0.rawValue, text: ctx.t($0.label), selected: $0 == u.role) }),
                .input(.type(.text), .name("confirm"), .attribute(named: "placeholder", value: ctx.t("管理员角色须输入用户名确认", "admin roles: type the username")),
                       .attribute(named: "aria-label", value: ctx.t("授予管理员角色时输入用户名确认", "Type the username to confirm an administrator role"))),
                .button(.type(.submit), .class("secondary"), .text(ctx.t("授予角色", "Grant role"))))),
            .if(actor.can(.manageSecurity) && u.totpEnrolled, .form(.class("inline"), .method(.post), .action(SiteRoute.userResetTOTP(id).path()), Layout.csrfField(ctx),
                .button(.type(.submit), .class("secondary"), .text(ctx.t("重置双因素", "Reset 2FA"))))),
            .if(u.active && Accounts.mayAdminister(actor, target: u.role), .form(.class("inline"), .method(.post), .action(SiteRoute.userResetPassword(id).path()), Layout.csrfField(ctx),
                .input(.type(.text), .name("confirm"), .attribute(named: "placeholder", value: ctx.t("输入用户名确认", "type the username")),
                       .attribute(named: "aria-label", value: ctx.t("输入用户名确认重置", "Type the username to confirm"))),
                .button(.type(.submit), .class("secondary"), .text(ctx.t("重置密码", "Reset password")))))
        )
    }

    static func oneTimePasswordPage(_ req: Request, username: String, password: String) -> Response {
        let ctx = PageContext(req)
        return ctx.render(title: ctx.t("临时密码", "One-time password"), content: .group(
            .h1(.text(ctx.t("已为 \(username) 设置临时密码", "A one-time password for \(username)"))),
            .div(.class("panel warning"),
                 .p(.text(ctx.t("请当面或通过可靠渠道交给本人。此密码只显示这一次；本人首次登录须立即修改。原有会话、访问令牌已全部失效。",
                                "Hand it over in person or through a trusted channel. It is shown only now and must be changed at first sign-in; the account's sessions and tokens were revoked."))),
                 .p(.code(.data(named: "one-time-password", value: password), .text(password)))),
            .a(.class("button"), .href(SiteRoute.users.path()), .text(ctx.t("返回用户管理", "Back to users")))
        ))
    }
}
