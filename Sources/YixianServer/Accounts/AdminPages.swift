import Fluent
import Plot
import Vapor
import YixianCore

/// Account administration (system and security admins), the audit log (audit admin)
/// and each user's own access tokens.
enum AdminPages {
    static func register(_ app: Application) {
        let admins = Access.roles([.systemAdmin, .securityAdmin])
        app.routes.on(.GET, SitePattern.users.components, access: admins) { req -> Response in
            try await usersPage(req, form: UserInput(), problems: [])
        }
        app.routes.on(.POST, SitePattern.userCreate.components, access: .capability(.manageUsers)) { req -> Response in
            let user = try req.requireUser()
            let form = try req.content.decode(UserInput.self)
            do {
                let account: Accounts.NewUser
                do { account = try form.ordinaryAccount() } catch let error as AppError where error.code == .roleGrantRequiresSecurityAdmin {
                    // On the form the refusal belongs beside the role it names.
                    throw AppError.field("role", zh: error.message.zh, en: error.message.en)
                }
                try await Accounts.createUser(account, cost: req.application.yixian.bcryptCost, pool: req.application.threadPool, by: .init(user), on: req.db)
                return req.redirect(to: SiteRoute.users.path())
            } catch let error as AppError where error.status == .unprocessableEntity || error.status == .conflict {
                let problems = error.details.isEmpty ? [AppError.FieldProblem(field: error.field ?? "username", message: error.message)] : error.details
                return try await usersPage(req, form: form, problems: problems, status: error.status)
            }
        }
        app.routes.on(.POST, SitePattern.userUnlock.components, access: .capability(.manageSecurity)) { req -> Response in
            let actor = try req.requireUser()
            let id = try req.idParameter()
            try await req.db.write { db in
                guard let user = try await UserModel.find(id, on: db) else { throw AppError.notFound("user") }
                user.lockedUntil = nil
                user.failedLogins = 0
                try await user.save(on: db)
                try await Accounts.clearAccountThrottle(user.username, on: db)
                try await AuditTrail.record("user.unlock", objectType: "user", objectID: user.username, by: .init(actor), on: db)
            }
            return req.redirect(to: SiteRoute.users.path())
        }
        app.routes.on(.POST, SitePattern.userDeactivate.components, access: admins) { req -> Response in
            let actor = try req.requireUser()
            let id = try req.idParameter()
            guard id != actor.id else { throw AppError(.conflict, code: .selfDeactivation, zh: "不能停用自己的账号", en: "You cannot deactivate yourself") }
            try await req.db.write { db in
                guard let user = try await UserModel.find(id, on: db) else { throw AppError.notFound("user") }
                // The system admin cannot switch off the security or audit admin that watch over them.
                guard Accounts.mayAdminister(actor, target: user.roleValue) else { throw AppError.forbidden }
                user.active = false
                try await user.save(on: db)
                try await Accounts.revokeCredentials(of: id, reason: "deactivated", on: db)
                try await AuditTrail.record("user.deactivate", objectType: "user", objectID: user.username, by: .init(actor), on: db)
            }
            return req.redirect(to: SiteRoute.users.path())
        }
        app.routes.on(.GET, SitePattern.audit.components, access: .capability(.readAudit)) { req -> Response in
            let ctx = PageContext(req)
            return ctx.render(title: ctx.t("审计日志", "Audit log"), content: auditView(ctx, try await AuditPageModel.load(req)))
        }
        registerSeparationOfDuties(app)
    }

    static func timestamp(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970) + 8 * 3600
        let day = LocalDate(dayNumber: Int((Double(seconds) / 86400).rounded(.down)))
        let rest = ((seconds % 86400) + 86400) % 86400
        return String(format: "%@ %02d:%02d:%02d", day.iso, rest / 3600, rest / 60 % 60, rest % 60)
    }

    static func usersPage(_ req: Request, form: UserInput, problems: [AppError.FieldProblem], status: HTTPResponseStatus = .ok) async throws -> Response {
        let ctx = PageContext(req)
        return ctx.render(title: ctx.t("用户管理", "Users"), status: status, content: usersView(ctx, try await UsersPageModel.load(req, form: form, problems: problems)))
    }

    static func auditView(_ ctx: PageContext, _ m: AuditPageModel) -> Node<HTML.BodyContext> {
        .group(
            .h1(.text(ctx.t("审计日志", "Audit log"))),
            .p(.text(m.breaks.isEmpty ? ctx.t("哈希链校验：完整。", "Hash chain: intact.")
                : ctx.t("哈希链校验：在序号 \(m.breaks.map(String.init).joined(separator: ", ")) 处断裂！", "Hash chain broken at \(m.breaks.map(String.init).joined(separator: ", "))"))),
            Components.table(ctx, headers: [ctx.t("序号", "Seq"), ctx.t("时间", "Time"), ctx.t("操作人", "Actor"), ctx.t("操作", "Action"), ctx.t("对象", "Object"), ctx.t("详情", "Detail")],
                             rows: m.events.map { e in
                                 [Components.cell(String(e.seq)), Components.cell(Self.timestamp(e.at)), Components.cell(e.actor),
                                  Components.cell(e.action), Components.cell(e.object), Components.cell(e.detail)]
                             }, empty: .text(ctx.t("暂无审计事件。", "No events yet."))),
            Components.pager(ctx, page: m.page, per: m.per, total: m.total) { SiteRoute.audit.path(query: ["page": String($0)]) }
        )
    }

    static func usersView(_ ctx: PageContext, _ m: UsersPageModel) -> Node<HTML.BodyContext> {
        guard let user = ctx.user else { return .empty }
        let form = m.form, problems = m.problems
        return .group(
            .h1(.text(ctx.t("用户管理", "Users"))),
            Components.table(ctx, headers: [ctx.t("用户名", "Username"), ctx.t("姓名", "Name"), ctx.t("角色", "Role"), ctx.t("状态", "Status"), ctx.t("操作", "Actions")],
                             rows: m.users.map { u in
                                 [Components.cell(u.username), Components.cell(u.displayName),
                                  Components.cell(ctx.t(u.role.label)),
                                  .td(u.locked ? Components.tag(ctx.t("已锁定", "Locked"), "red") : Components.tag(u.active ? ctx.t("正常", "Active") : ctx.t("已停用", "Inactive"), u.active ? "green" : "grey")),
                                  .td(.if(u.locked && user.can(.manageSecurity),
                                          .form(.class("inline"), .method(.post), .action(SiteRoute.userUnlock(u.id).path()), Layout.csrfField(ctx),
                                                .button(.type(.submit), .class("secondary"), .text(ctx.t("解锁", "Unlock"))))),
                                      .if(u.active && Accounts.mayAdminister(user, target: u.role) && u.id != user.id,
                                          .form(.class("inline"), .method(.post), .action(SiteRoute.userDeactivate(u.id).path()), Layout.csrfField(ctx),
                                                .button(.type(.submit), .class("secondary"), .text(ctx.t("停用", "Deactivate"))))),
                                      userActions(ctx, actor: user, target: u))]
                             }, empty: .text("")),
            Components.pager(ctx, page: m.page, per: m.per, total: m.total) { SiteRoute.users.path(query: ["page": String($0)]) },
            .if(user.can(.manageUsers), .div(.class("panel"),
                .h2(.text(ctx.t("新建用户", "New user"))),
                Components.errorSummary(ctx, problems),
                .form(.method(.post), .action(SiteRoute.userCreate.path()),
                      Layout.csrfField(ctx),
                      Components.field(ctx, name: "username", label: ctx.t("用户名", "Username"), value: form.username ?? "", problems: problems),
                      Components.field(ctx, name: "displayName", label: ctx.t("显示名称", "Display name"), value: form.displayName ?? "", problems: problems),
                      Components.field(ctx, name: "password", label: ctx.t("初始密码", "Initial password"), type: .password,
                                       hint: ctx.t("至少 \(PasswordPolicy.minimumLength) 位，不能是常见密码；用户首次登录须修改", "At least \(PasswordPolicy.minimumLength) characters, not a common one; changed at first sign-in"), problems: problems),
                      .div(.class("field"), .label(.for("role"), .text(ctx.t("角色", "Role"))),
                           .span(.class("hint"), .text(ctx.t("管理员角色由安全管理员在账号建好后授予。", "Administrator roles are granted by the security admin once the account exists."))),
                           .select(.id("role"), .attribute(named: "name", value: "role"), .attribute(named: "required", value: "required"),
                                   // Nothing chosen until someone chooses: a form filled in a hurry is refused, not given a role.
                                   Components.option(value: "", text: ctx.t("请选择角色", "Choose a role"), selected: (form.role ?? "").isEmpty),
                                   .forEach(Role.allCases.filter { !$0.isPrivileged }) { Components.option(value: $0.rawValue, text: ctx.t($0.label), selected: $0.rawValue == form.role) })),
                      Components.field(ctx, name: "unitCode", label: ctx.t("单位代码（单位秘书）", "Unit code (unit secretary)"), value: form.unitCode ?? "", problems: problems),
                      Components.field(ctx, name: "cadreStaffNumber", label: ctx.t("干部工号（干部）", "Staff number (cadre)"), value: form.cadreStaffNumber ?? "", problems: problems),
                      Components.field(ctx, name: "studentNumber", label: ctx.t("学号（学生）", "Student number (student)"), value: form.studentNumber ?? "", problems: problems),
                      .button(.type(.submit), .text(ctx.t("创建", "Create"))))))
        )
    }
}

/// One page of accounts, by username, with the new-user form (what was typed after a refusal).
struct UsersPageModel: Sendable {
    struct UserRow: Sendable {
        var id: UUID
        var username: String
        var displayName: String
        var role: Role
        var active: Bool
        /// Locked out by failed sign-ins right now (the system clock: lock-outs measure real time).
        var locked: Bool
        var totpEnrolled: Bool
    }

    var users: [UserRow]
    var page: Int
    var per: Int
    var total: Int
    var form: UserInput
    var problems: [AppError.FieldProblem]

    static func load(_ req: Request, form: UserInput, problems: [AppError.FieldProblem]) async throws -> UsersPageModel {
        let page = try PageRequest(req)
        let (users, total) = try await UserModel.query(on: req.db).sort(\.$username).paged(page)
        let now = Date()
        return UsersPageModel(users: users.map { u in
            let listed = UserDTO.listed(u)
            return UserRow(id: u.id!, username: listed.username, displayName: listed.displayName, role: u.roleValue, active: u.active,
                    locked: (u.lockedUntil ?? .distantPast) > now, totpEnrolled: u.totpEnrolled)
        }, page: page.page, per: page.per, total: total, form: form, problems: problems)
    }
}

/// One page of the audit trail, newest first, with where the hash chain breaks (if anywhere).
struct AuditPageModel: Sendable {
    struct Event: Sendable {
        var seq: Int
        var at: Date
        var actor: String
        var action: String
        var object: String
        var detail: String
    }

    var events: [Event]
    var breaks: [Int]
    var page: Int
    var per: Int
    var total: Int

    static func load(_ req: Request) async throws -> AuditPageModel {
        let page = try PageRequest(req)
        let (events, total) = try await AuditEventModel.query(on: req.db).sort(\.$seq, .descending).paged(page)
        return AuditPageModel(events: events.map { Event(seq: $0.seq, at: $0.at, actor: $0.actorName, action: $0.action,
                                                         object: "\($0.objectType) \($0.objectID)", detail: $0.detail) },
                              breaks: try await AuditTrail.verify(on: req.db), page: page.page, per: page.per, total: total)
    }
}
