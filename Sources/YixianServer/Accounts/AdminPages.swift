import Fluent
import Plot
import Vapor
import YixianCore

/// Account administration (system and security admins), the audit log (audit admin)
/// and each user's own access tokens.
enum AdminPages {
    struct NewUserForm: Content {
        var username: String?
        var displayName: String?
        var password: String?
        var role: String?
        var unitCode: String?
        var cadreStaffNumber: String?
        var studentNumber: String?
    }

    static func register(_ app: Application) {
        let admins = Access.roles([.systemAdmin, .securityAdmin])
        app.routes.on(.GET, SitePattern.users.components, access: admins) { req -> Response in
            try await usersPage(req, form: NewUserForm(), problems: [], status: .ok)
        }
        app.routes.on(.POST, SitePattern.userCreate.components, access: .capability(.manageUsers)) { req -> Response in
            let user = try req.requireUser()
            let form = try req.content.decode(NewUserForm.self)
            do {
                guard let role = Role(rawValue: form.role ?? "") else {
                    throw AppError.field("role", zh: "请选择角色", en: "choose a role")
                }
                // 三员: the system admin creates ordinary accounts; administrator roles come from the security admin.
                guard !role.isPrivileged else {
                    throw AppError.field("role", zh: Accounts.privilegedGrantRefused.message.zh, en: Accounts.privilegedGrantRefused.message.en)
                }
                try await Accounts.createUser(.init(username: form.username ?? "", displayName: form.displayName ?? "", password: form.password ?? "",
                                                    role: role, unitCode: form.unitCode, cadreStaffNumber: form.cadreStaffNumber,
                                                    studentNumber: form.studentNumber, provenance: .administrator),
                                              cost: req.application.yixian.bcryptCost, pool: req.application.threadPool, by: .init(user), on: req.db)
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
            let page = try PageRequest(req)
            let (events, total) = try await AuditEventModel.query(on: req.db).sort(\.$seq, .descending).paged(page)
            let broken = try await AuditTrail.verify(on: req.db)
            return ctx.render(title: ctx.t("审计日志", "Audit log"), content: .group(
                .h1(.text(ctx.t("审计日志", "Audit log"))),
                .p(.text(broken.isEmpty ? ctx.t("哈希链校验：完整。", "Hash chain: intact.") : ctx.t("哈希链校验：在序号 \(broken.map(String.init).joined(separator: ", ")) 处断裂！", "Hash chain broken at \(broken)"))),
                Components.table(ctx, headers: [ctx.t("序号", "Seq"), ctx.t("时间", "Time"), ctx.t("操作人", "Actor"), ctx.t("操作", "Action"), ctx.t("对象", "Object"), ctx.t("详情", "Detail")],
                                 rows: events.map { e in
                                     [Components.cell(String(e.seq)), Components.cell(Self.timestamp(e.at)), Components.cell(e.actorName),
                                      Components.cell(e.action), Components.cell("\(e.objectType) \(e.objectID)"), Components.cell(e.detail)]
                                 }, empty: .text(ctx.t("暂无审计事件。", "No events yet."))),
                Components.pager(ctx, page: page.page, per: page.per, total: total) { SiteRoute.audit.path(query: ["page": String($0)]) }
            ))
        }
        registerSeparationOfDuties(app)
    }

    static func timestamp(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970) + 8 * 3600
        let day = LocalDate(dayNumber: Int((Double(seconds) / 86400).rounded(.down)))
        let rest = ((seconds % 86400) + 86400) % 86400
        return String(format: "%@ %02d:%02d:%02d", day.iso, rest / 3600, rest / 60 % 60, rest % 60)
    }

    static func usersPage(_ req: Request, form: NewUserForm, problems: [AppError.FieldProblem], status: HTTPResponseStatus) async throws -> Response {
        let ctx = PageContext(req)
        let user = try req.requireUser()
        let page = try PageRequest(req)
        let (users, total) = try await UserModel.query(on: req.db).sort(\.$username).paged(page)
        return ctx.render(title: ctx.t("用户管理", "Users"), status: status, content: .group(
            .h1(.text(ctx.t("用户管理", "Users"))),
            Components.table(ctx, headers: [ctx.t("用户名", "Username"), ctx.t("姓名", "Name"), ctx.t("角色", "Role"), ctx.t("状态", "Status"), ctx.t("操作", "Actions")],
                             rows: users.map { u in
                                 let locked = (u.lockedUntil ?? .distantPast) > Date()
                                 return [Components.cell(u.username), Components.cell(u.displayName),
                                         Components.cell(ctx.t(u.roleValue.label)),
                                         .td(locked ? Components.tag(ctx.t("已锁定", "Locked"), "red") : Components.tag(u.active ? ctx.t("正常", "Active") : ctx.t("已停用", "Inactive"), u.active ? "green" : "grey")),
                                         .td(.if(locked && user.can(.manageSecurity),
                                                 .form(.class("inline"), .method(.post), .action(SiteRoute.userUnlock(u.id!).path()), Layout.csrfField(ctx),
                                                       .button(.type(.submit), .class("secondary"), .text(ctx.t("解锁", "Unlock"))))),
                                             .if(u.active && Accounts.mayAdminister(user, target: u.roleValue) && u.id != user.id,
                                                 .form(.class("inline"), .method(.post), .action(SiteRoute.userDeactivate(u.id!).path()), Layout.csrfField(ctx),
                                                       .button(.type(.submit), .class("secondary"), .text(ctx.t("停用", "Deactivate"))))),
                                             userActions(ctx, actor: user, target: u))]
                             }, empty: .text("")),
            Components.pager(ctx, page: page.page, per: page.per, total: total) { SiteRoute.users.path(query: ["page": String($0)]) },
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
                           .select(.id("role"), .attribute(named: "name", value: "role"),
                                   .forEach(Role.allCases.filter { !$0.isPrivileged }) { Components.option(value: $0.rawValue, text: ctx.t($0.label), selected: $0.rawValue == form.role) })),
                      Components.field(ctx, name: "unitCode", label: ctx.t("单位代码（单位秘书）", "Unit code (unit secretary)"), value: form.unitCode ?? "", problems: problems),
                      Components.field(ctx, name: "cadreStaffNumber", label: ctx.t("干部工号（干部）", "Staff number (cadre)"), value: form.cadreStaffNumber ?? "", problems: problems),
                      Components.field(ctx, name: "studentNumber", label: ctx.t("学号（学生）", "Student number (student)"), value: form.studentNumber ?? "", problems: problems),
                      .button(.type(.submit), .text(ctx.t("创建", "Create"))))))
        ))
    }
}
