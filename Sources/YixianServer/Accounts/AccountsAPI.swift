import Fluent
import Vapor
import YixianCore

struct MeDTO: Content {
    var id: UUID
    var username: String
    var displayName: String
    var role: String
    var roleLabel: Localized
    var unitId: UUID?
    var cadreId: UUID?
    var studentId: UUID?
}

struct UserDTO: Content {
    var id: UUID
    var username: String
    var displayName: String
    var role: String
    var active: Bool
    var locked: Bool

    init(_ m: UserModel) {
        id = m.id!
        username = m.username
        displayName = m.displayName
        role = m.role
        active = m.active
        locked = (m.lockedUntil ?? .distantPast) > Date()
    }
}

struct UserInput: Content {
    var username: String?
    var displayName: String?
    var password: String?
    var role: String?
    var unitCode: String?
    var cadreStaffNumber: String?
    var studentNumber: String?
}

struct AuditEventDTO: Content {
    var seq: Int
    var at: Date
    var actor: String
    var action: String
    var objectType: String
    var objectId: String
    var detail: String
    var hash: String
}

enum AccountsAPI {
    static func register(_ app: Application) {
        app.register(.init(method: .GET, path: "/me", summary: "The signed-in user", tag: "Accounts", access: .signedIn, response: "Me")) { req in
            let u = try req.requireUser()
            return MeDTO(id: u.id, username: u.username, displayName: u.displayName, role: u.role.rawValue, roleLabel: u.role.label,
                         unitId: u.unitID, cadreId: u.cadreID, studentId: u.studentID)
        }
        app.register(.init(method: .GET, path: "/users", summary: "List user accounts", tag: "Accounts",
                           access: .roles([.systemAdmin, .securityAdmin]), query: PageRequest.queryParameters, response: "UserPage")) { req in
            let page = try PageRequest(req)
            let (items, total) = try await UserModel.query(on: req.db).sort(\.$username).paged(page)
            return ListPage(items: items.map(UserDTO.init), page: page.page, per: page.per, total: total)
        }
        app.register(.init(method: .POST, path: "/users", summary: "Create a user account", tag: "Accounts", access: .capability(.manageUsers),
                           requestBody: "UserInput", response: "User", successStatus: 201)) { req in
            let user = try req.requireUser()
            let input = try req.decodeJSON(UserInput.self)
            var check = FieldChecker()
            let role = check.choice("role", input.role, label: "角色", as: Role.self)
            try check.throwIfAny()
            let created = try await Accounts.createUser(
                .init(username: input.username ?? "", displayName: input.displayName ?? "", password: input.password ?? "", role: role!,
                      unitCode: input.unitCode, cadreStaffNumber: input.cadreStaffNumber, studentNumber: input.studentNumber),
                cost: req.application.yixian.bcryptCost, pool: req.application.threadPool, by: .init(user), on: req.db)
            return UserDTO(created)
        }
        app.register(.init(method: .GET, path: "/audit", summary: "The audit trail, newest first", tag: "Audit",
                           access: .capability(.readAudit), query: PageRequest.queryParameters + [.init(name: "action", description: "e.g. sensitive.read")],
                           response: "AuditPage")) { req in
            let page = try PageRequest(req)
            var query = AuditEventModel.query(on: req.db).sort(\.$seq, .descending)
            if let action = try req.query.stringParameter("action", maxLength: 64) { query = query.filter(\.$action == action) }
            let (items, total) = try await query.paged(page)
            return ListPage(items: items.map { AuditEventDTO(seq: $0.seq, at: $0.at, actor: $0.actorName, action: $0.action, objectType: $0.objectType,
                                                         objectId: $0.objectID, detail: $0.detail, hash: $0.hash) },
                        page: page.page, per: page.per, total: total)
        }
    }
}
