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

    /// As the account lists show it to the 三员, who read no student data: a student account's
    /// number and name masked (2023****02, 陈*), enough to tell accounts apart, not to know who.
    static func listed(_ m: UserModel) -> UserDTO {
        var dto = UserDTO(m)
        if m.roleValue == .student { (dto.username, dto.displayName) = Self.masked(username: m.username, name: m.displayName) }
        return dto
    }

    static func masked(username: String, name: String) -> (String, String) {
        let number = username.count > 6 ? String(username.prefix(4)) + "****" + String(username.suffix(2)) : String(username.prefix(1)) + "****"
        return (number, String(name.prefix(1)) + "*")
    }
}

/// A new account as an administrator types it: the API's body and the users page's form.
struct UserInput: Content {
    var username: String?
    var displayName: String?
    var password: String?
    var role: String?
    var unitCode: String?
    var cadreStaffNumber: String?
    var studentNumber: String?

    /// 三员: administrator roles are granted by the security admin afterwards (POST /users/:id/role), never chosen at creation.
    func ordinaryAccount() throws -> Accounts.NewUser {
        guard let raw = role, !raw.isEmpty else { throw AppError.field("role", zh: "请选择角色", en: "choose a role") }
        var check = FieldChecker()
        let role = check.choice("role", raw, label: "角色", as: Role.self)
        try check.throwIfInvalid()
        guard let role, !role.isPrivileged else { throw Accounts.privilegedGrantRefused }
        return Accounts.NewUser(username: username ?? "", displayName: displayName ?? "", password: password ?? "", role: role,
                                unitCode: unitCode, cadreStaffNumber: cadreStaffNumber, studentNumber: studentNumber, provenance: .administrator)
    }
}

struct RoleGrantInput: Content { var role: String? }

struct RoleGrantDTO: Content {
    var user: UserDTO
    /// Set when an administrator role was granted: the new one-time password, shown once.
    var initialPassword: String?
}

struct TokenInput: Content {
    var name: String?
    var days: Int?
}

struct TokenDTO: Content {
    var id: UUID
    var name: String
    var createdAt: Date
    var expiresAt: Date
    var lastUsedAt: Date?
    var revoked: Bool

    init(_ m: APITokenModel) {
        id = m.id!
        name = m.name
        createdAt = m.createdAt
        expiresAt = m.effectiveExpiry
        lastUsedAt = m.lastUsedAt
        revoked = m.revoked
    }
}

struct TokenCreatedDTO: Content {
    var token: TokenDTO
    var secret: String
}

/// OpenAPI schemas of the account endpoints, merged into the document's components.
enum AccountSchemas {
    static var all: [String: Any] {
        let string: [String: Any] = ["type": "string"], bool: [String: Any] = ["type": "boolean"]
        let uuid: [String: Any] = ["type": "string", "format": "uuid"], date: [String: Any] = ["type": "string", "format": "date-time"]
        let token: [String: Any] = ["type": "object", "properties": ["id": uuid, "name": string, "createdAt": date, "expiresAt": date, "lastUsedAt": date, "revoked": bool]]
        return [
            "RoleGrantInput": ["type": "object", "properties": ["role": string], "required": ["role"]],
            "RoleGrant": ["type": "object", "properties": ["user": ["$ref": "#/components/schemas/User"], "initialPassword": string]],
            "Token": token,
            "TokenList": ["type": "array", "items": ["$ref": "#/components/schemas/Token"]],
            "TokenInput": ["type": "object", "properties": ["name": string, "days": ["type": "integer", "minimum": 1, "maximum": Accounts.maximumTokenDays]], "required": ["name"]],
            "TokenCreated": ["type": "object", "properties": ["token": ["$ref": "#/components/schemas/Token"], "secret": string]],
            "RosterAccountCounts": Schemas.object(["withoutAccount": Schemas.int, "pending": Schemas.int, "pendingWithCode": Schemas.int, "activated": Schemas.int]),
            "ProvisionRequest": Schemas.object(["who": ["type": "string", "enum": RosterAccounts.Who.allCases.map(\.rawValue)], "unit": uuid]),
            "Provisioned": Schemas.object(["cadres": Schemas.int, "students": Schemas.int, "conflicts": Schemas.strings]),
            "ActivationCodesRequest": Schemas.object(["who": ["type": "string", "enum": RosterAccounts.Who.allCases.map(\.rawValue)], "unit": uuid,
                                                      "onlyWithoutCode": bool]),
            "ActivationCodes": Schemas.object(["items": ["type": "array", "items": Schemas.object([
                "username": string, "name": string, "role": string, "unit": string, "code": string, "expiresOn": string])]]),
        ]
    }
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
            return ListPage(items: items.map(UserDTO.listed), page: page.page, per: page.per, total: total)
        }
        app.register(.init(method: .POST, path: "/users", summary: "Create a user account", tag: "Accounts", access: .capability(.manageUsers),
                           requestBody: "UserInput", response: "User", successStatus: 201)) { req in
            let user = try req.requireUser()
            let input = try req.decodeJSON(UserInput.self)
            let created = try await Accounts.createUser(try input.ordinaryAccount(), cost: req.application.yixian.bcryptCost,
                                                        pool: req.application.threadPool, by: .init(user), on: req.db)
            return UserDTO(created)
        }
        app.register(.init(method: .POST, path: "/users/:id/role", summary: "Grant a role (security admin); an administrator role resets the password, returned once",
                           tag: "Accounts", access: .capability(.manageSecurity), requestBody: "RoleGrantInput", response: "RoleGrant")) { req in
            let actor = try req.requireUser()
            let input = try req.decodeJSON(RoleGrantInput.self)
            var check = FieldChecker()
            let role = check.choice("role", input.role, label: "角色", as: Role.self)
            try check.throwIfInvalid()
            guard AdminPages.grantableRoles.contains(role!) else {
                throw AppError.field("role", zh: "该角色需要关联单位、干部或学生，请由系统管理员新建账号", en: "This role needs a unit, cadre or student link")
            }
            let id = try req.idParameter()
            let password = try await Accounts.grantRole(userID: id, role: role!, by: actor, cost: req.application.yixian.bcryptCost,
                                                        pool: req.application.threadPool, on: req.db)
            guard let user = try await UserModel.find(id, on: req.db) else { throw AppError.notFound("user") }
            return RoleGrantDTO(user: UserDTO(user), initialPassword: password)
        }
        app.register(.init(method: .GET, path: "/tokens", summary: "The signed-in user's access tokens", tag: "Accounts", access: .signedIn, response: "TokenList")) { req in
            let user = try req.requireUser()
            return try await APITokenModel.query(on: req.db).filter(\.$user.$id == user.id).sort(\.$createdAt, .descending).all().map(TokenDTO.init)
        }
        app.register(.init(method: .POST, path: "/tokens", summary: "Create an access token for oneself; the secret is returned once",
                           tag: "Accounts", access: .signedIn, requestBody: "TokenInput", response: "TokenCreated", successStatus: 201)) { req in
            let user = try req.requireUser()
            let input = try req.decodeJSON(TokenInput.self)
            let secret = try await Accounts.createToken(username: user.username, name: input.name ?? "", days: input.days ?? Accounts.defaultTokenDays,
                                                        by: .init(user), on: req.db)
            guard let token = try await APITokenModel.query(on: req.db).filter(\.$secretHash == Secrets.sha256(secret)).first() else { throw AppError.notFound("token") }
            return TokenCreatedDTO(token: TokenDTO(token), secret: secret)
        }
        app.register(.init(method: .DELETE, path: "/tokens/:id", summary: "Revoke a token: one's own, or any (security admin)", tag: "Accounts",
                           access: .signedIn, response: "Token")) { req in
            let id = try req.idParameter()
            try await Accounts.revokeToken(id: id, by: try req.requireUser(), on: req.db)
            guard let token = try await APITokenModel.find(id, on: req.db) else { throw AppError.notFound("token") }
            return TokenDTO(token)
        }
        app.register(.init(method: .GET, path: "/audit", summary: "The audit trail, newest first", tag: "Audit",
                           access: .capability(.readAudit), query: PageRequest.queryParameters + [.init(name: "action", description: "e.g. sensitive.read")],
                           response: "AuditPage")) { req in
            let page = try PageRequest(req)
            var query = AuditEventModel.query(on: req.db).sort(\.$seq, .descending)
            if let action = try req.stringParameter("action", maxLength: 64) { query = query.filter(\.$action == action) }
            let (items, total) = try await query.paged(page)
            return ListPage(items: items.map { AuditEventDTO(seq: $0.seq, at: $0.at, actor: $0.actorName, action: $0.action, objectType: $0.objectType,
                                                         objectId: $0.objectID, detail: $0.detail, hash: $0.hash) },
                        page: page.page, per: page.per, total: total)
        }
    }
}
