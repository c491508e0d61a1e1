import Fluent
import Plot
import Vapor
import YixianCore

final class NotificationModel: Model, @unchecked Sendable {
    static let schema = "notifications"
    @ID var id: UUID?
    @Parent(key: "user_id") var user: UserModel
    @Field(key: "kind") var kind: String
    @OptionalParent(key: "case_id") var studentCase: CaseModel?
    @Field(key: "text_zh") var textZh: String
    @Field(key: "text_en") var textEn: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "read_at") var readAt: Date?

    init() {}
}

struct NotificationDTO: Content {
    var id: UUID
    var kind: String
    var caseId: UUID?
    var text: Localized
    var createdAt: Date
    var read: Bool
}

/// Who hears of a step on a case, written in the step's own transaction so a notification exists
/// exactly when the step does. Due-soon and overdue are not stored: the queue computes them.
enum Notifications {
    /// The handlers of a unit: its secretaries and the cadres of the unit who have an account.
    static func handlers(of unitID: UUID, on db: any Database) async throws -> [UUID] {
        let cadres = try await CadreModel.query(on: db).filter(\.$unit.$id == unitID).all().map(\.id!)
        let users = try await UserModel.query(on: db).filter(\.$active == true).group(.or) { or in
            or.group(.and) { and in and.filter(\.$role == Role.unitSecretary.rawValue).filter(\.$unit.$id == unitID) }
            if !cadres.isEmpty { or.filter(\.$cadre.$id ~~ cadres) }
        }.all()
        return users.map(\.id!)
    }

    static func office(on db: any Database) async throws -> [UUID] {
        try await UserModel.query(on: db).filter(\.$active == true).filter(\.$role == Role.businessAdmin.rawValue).all().map(\.id!)
    }

    static func submitter(of item: CaseModel, on db: any Database) async throws -> [UUID] {
        guard let student = item.$submitter.id else { return [] }
        return try await UserModel.query(on: db).filter(\.$student.$id == student).filter(\.$active == true).all().map(\.id!)
    }

    static func send(_ kind: String, about item: CaseModel?, to users: [UUID], zh: String, en: String, now: Date, on db: any Database) async throws {
        for user in Set(users) {
            let row = NotificationModel()
            row.$user.id = user
            row.kind = kind
            row.$studentCase.id = item?.id
            row.textZh = zh
            row.textEn = en
            row.createdAt = now
            try await row.create(on: db)
        }
    }

    /// After a case was opened or took a step.
    static func after(_ action: String, _ item: CaseModel, now: Date, on db: any Database) async throws {
        let title = String(item.title.prefix(30))
        switch action {
        case "received":
            if let unit = item.$responsibleUnit.id {
                try await send("assigned", about: item, to: try await handlers(of: unit, on: db),
                               zh: "新诉求交本单位办理：\(title)", en: "A new case for your unit: \(title)", now: now, on: db)
            } else {
                try await send("dispatch", about: item, to: try await office(on: db),
                               zh: "新诉求待分派：\(title)", en: "A new case to dispatch: \(title)", now: now, on: db)
            }
        case "assign", "transfer":
            if let unit = item.$responsibleUnit.id {
                try await send("assigned", about: item, to: try await handlers(of: unit, on: db),
                               zh: "诉求交本单位办理：\(title)", en: "A case for your unit: \(title)", now: now, on: db)
            }
        case "send-back":
            try await send("dispatch", about: item, to: try await office(on: db),
                           zh: "诉求被退回，待重新分派：\(title)", en: "A case sent back for dispatch: \(title)", now: now, on: db)
        case "answer":
            try await send("answered", about: item, to: try await submitter(of: item, on: db),
                           zh: "你的诉求已答复，请评价：\(title)", en: "Your case was answered; please rate it: \(title)", now: now, on: db)
        case "rate":
            if let unit = item.$responsibleUnit.id {
                let reopened = item.status == CaseStatus.assigned.rawValue
                try await send(reopened ? "reopened" : "rated", about: item, to: try await handlers(of: unit, on: db),
                               zh: reopened ? "学生不满意，诉求重新办理：\(title)" : "学生已评价：\(title)",
                               en: reopened ? "The student was dissatisfied; the case is reopened: \(title)" : "The student rated: \(title)",
                               now: now, on: db)
            }
        default: break
        }
    }

    static func list(for user: CurrentUser, on db: any Database) async throws -> [NotificationDTO] {
        try await NotificationModel.query(on: db).filter(\.$user.$id == user.id).sort(\.$createdAt, .descending).limit(100).all().map {
            NotificationDTO(id: $0.id!, kind: $0.kind, caseId: $0.$studentCase.id, text: Localized(zh: $0.textZh, en: $0.textEn),
                            createdAt: $0.createdAt, read: $0.readAt != nil)
        }
    }

    static func markRead(for user: CurrentUser, now: Date, on db: any Database) async throws {
        try await db.write { db in
            try await NotificationModel.query(on: db).filter(\.$user.$id == user.id).filter(\.$readAt == nil).set(\.$readAt, to: now).update()
        }
    }

    static func view(_ ctx: PageContext, _ items: [NotificationDTO]) -> Node<HTML.BodyContext> {
        .group(
            .h1(.text(ctx.t("消息", "Notifications"))),
            .if(items.contains { !$0.read }, .form(.method(.post), .action(SiteRoute.notificationsRead.path()), Layout.csrfField(ctx),
                                                   .button(.type(.submit), .class("secondary"), .text(ctx.t("全部标为已读", "Mark all as read"))))),
            Components.table(ctx, headers: [ctx.t("时间", "When"), ctx.t("消息", "Message"), ""],
                             rows: items.map { n in
                                 [Components.cell(AdminPages.timestamp(n.createdAt)),
                                  n.caseId.map { Components.cell(ctx.t(n.text), href: SiteRoute.caseDetail($0).path()) } ?? Components.cell(ctx.t(n.text)),
                                  .td(n.read ? .empty : Components.tag(ctx.t("未读", "Unread"), "blue"))]
                             }, empty: .text(ctx.t("暂无消息。", "No notifications.")))
        )
    }

    static func register(_ app: Application) {
        app.routes.on(.GET, SitePattern.notifications.components, access: .signedIn) { req -> Response in
            let items = try await list(for: try req.requireUser(), on: req.db)
            let ctx = PageContext(req)
            return ctx.render(title: ctx.t("消息", "Notifications"), content: view(ctx, items))
        }
        app.routes.on(.POST, SitePattern.notificationsRead.components, access: .signedIn) { req -> Response in
            try await markRead(for: try req.requireUser(), now: Date(), on: req.db)
            return req.redirect(to: SiteRoute.notifications.path())
        }
        app.register(.init(method: .GET, path: "/notifications", summary: "My notifications, newest first (the last 100)", tag: "Cases",
                           access: .signedIn, response: "NotificationList")) { req in
            try await list(for: try req.requireUser(), on: req.db)
        }
    }
}
