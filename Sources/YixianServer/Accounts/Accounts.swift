import Fluent
import Foundation
import Vapor
import YixianCore

/// Account rules: passwords, lockout, sessions, tokens. Called by pages, the API and the CLI.
enum Accounts {
    static let maxFailures = 5
    static let lockout: TimeInterval = 30 * 60
    static let minimumPasswordLength = 8

    enum LoginResult: Sendable {
        case success(UserModel)
        case invalid
        case locked(until: Date)
    }

    static func hash(_ password: String, cost: Int, pool: NIOThreadPool) async throws -> String {
        try await pool.runIfActive { try Bcrypt.hash(password, cost: cost) }
    }

    /// Checks a password, counting failures; the fifth failure locks the account for 30 minutes.
    /// Unknown users cost the same bcrypt work, so timing does not reveal which usernames exist.
    static func login(username: String, password: String, now: Date, pool: NIOThreadPool, on db: any Database) async throws -> LoginResult {
        let user = try await UserModel.query(on: db).filter(\.$username == username).first()
        guard let user, user.active else {
            _ = try? await pool.runIfActive { try Bcrypt.verify(password, created: dummyHash) }
            return .invalid
        }
        if let until = user.lockedUntil, until > now { return .locked(until: until) }
        let ok = (try? await pool.runIfActive { try Bcrypt.verify(password, created: user.passwordHash) }) ?? false
        return try await db.write { db in
            guard let fresh = try await UserModel.find(user.id, on: db) else { return .invalid }
            if ok {
                fresh.failedLogins = 0
                fresh.lockedUntil = nil
                try await fresh.save(on: db)
                try await AuditTrail.record("login.success", objectType: "user", objectID: fresh.username, by: .init(id: fresh.id, name: fresh.username), on: db)
                return .success(fresh)
            }
            fresh.failedLogins += 1
            var result = LoginResult.invalid
            if fresh.failedLogins >= maxFailures {
                fresh.lockedUntil = now.addingTimeInterval(lockout)
                fresh.failedLogins = 0
                result = .locked(until: fresh.lockedUntil!)
            }
            try await fresh.save(on: db)
            try await AuditTrail.record("login.failure", objectType: "user", objectID: fresh.username,
                                        detail: fresh.lockedUntil != nil ? "locked" : "", by: .init(id: fresh.id, name: fresh.username), on: db)
            return result
        }
    }

    /// Starts a fresh session: a new random id every login (no fixation), old one removed.
    static func startSession(for user: UserModel, replacing oldSecret: String?, on db: any Database) async throws -> String {
        let secret = Secrets.random()
        try await db.write { db in
            if let oldSecret {
                try await SessionModel.query(on: db).filter(\.$secretHash == Secrets.sha256(oldSecret)).delete()
            }
            let session = SessionModel()
            session.secretHash = Secrets.sha256(secret)
            session.$user.id = try user.requireID()
            session.csrfToken = Secrets.random()
            session.createdAt = Date()
            session.lastSeenAt = Date()
            try await session.create(on: db)
        }
        return secret
    }

    static func endSession(secret: String, on db: any Database) async throws {
        try await db.write { db in
            try await SessionModel.query(on: db).filter(\.$secretHash == Secrets.sha256(secret)).delete()
        }
    }

    struct NewUser: Sendable {
        var username: String
        var displayName: String
        var password: String
        var role: Role
        var unitCode: String?
        var cadreStaffNumber: String?
        var studentNumber: String?
    }

    static func validate(_ new: NewUser) throws {
        var check = FieldChecker()
        _ = check.code("username", new.username, label: "用户名", max: 40)
        _ = check.text("displayName", new.displayName, label: "显示名称", max: 50)
        if new.password.count < minimumPasswordLength {
            check.fail("password", zh: "密码至少 \(minimumPasswordLength) 位", en: "password must have at least \(minimumPasswordLength) characters")
        }
        if new.password.count > 72 {
            check.fail("password", zh: "密码最多 72 位", en: "password must have at most 72 characters")
        }
        switch new.role.requiredLink {
        case .unit? where (new.unitCode ?? "").isEmpty:
            check.fail("unitCode", zh: "单位秘书必须关联单位", en: "a unit secretary needs a unit")
        case .cadre? where (new.cadreStaffNumber ?? "").isEmpty:
            check.fail("cadreStaffNumber", zh: "干部账号必须关联干部工号", en: "a cadre account needs a staff number")
        case .student? where (new.studentNumber ?? "").isEmpty:
            check.fail("studentNumber", zh: "学生账号必须关联学号", en: "a student account needs a student number")
        default: break
        }
        try check.throwIfAny()
    }

    @discardableResult
    static func createUser(_ new: NewUser, cost: Int, pool: NIOThreadPool, by actor: AuditTrail.Actor, on db: any Database) async throws -> UserModel {
        try validate(new)
        let hash = try await hash(new.password, cost: cost, pool: pool)
        return try await db.write { db in
            guard try await UserModel.query(on: db).filter(\.$username == new.username).first() == nil else {
                throw AppError.conflict(field: "username", zh: "用户名“\(new.username)”已被使用", en: "Username \(new.username) is taken")
            }
            let user = UserModel()
            user.username = new.username
            user.displayName = new.displayName
            user.passwordHash = hash
            user.role = new.role.rawValue
            user.active = true
            user.failedLogins = 0
            if let code = new.unitCode, !code.isEmpty { user.$unit.id = try await db.unit(code: code, field: "unitCode").id }
            if let number = new.cadreStaffNumber, !number.isEmpty {
                guard let cadre = try await CadreModel.query(on: db).filter(\.$staffNumber == number).first() else {
                    throw AppError.field("cadreStaffNumber", zh: "工号“\(number)”不存在", en: "Unknown staff number \(number)")
                }
                user.$cadre.id = cadre.id
            }
            if let number = new.studentNumber, !number.isEmpty {
                guard let student = try await StudentModel.query(on: db).filter(\.$studentNumber == number).first() else {
                    throw AppError.field("studentNumber", zh: "学号“\(number)”不存在", en: "Unknown student number \(number)")
                }
                user.$student.id = student.id
            }
            try await user.create(on: db)
            try await AuditTrail.record("user.create", objectType: "user", objectID: new.username, detail: new.role.rawValue, by: actor, on: db)
            return user
        }
    }

    static func resetPassword(username: String, password: String, cost: Int, pool: NIOThreadPool, by actor: AuditTrail.Actor,
                              on db: any Database) async throws {
        guard password.count >= minimumPasswordLength, password.count <= 72 else {
            throw AppError.field("password", zh: "密码长度须为 \(minimumPasswordLength)–72 位", en: "password must have 8–72 characters")
        }
        let hash = try await hash(password, cost: cost, pool: pool)
        try await db.write { db in
            guard let user = try await UserModel.query(on: db).filter(\.$username == username).first() else {
                throw AppError.field("username", zh: "用户“\(username)”不存在", en: "Unknown user \(username)")
            }
            user.passwordHash = hash
            user.failedLogins = 0
            user.lockedUntil = nil
            try await user.save(on: db)
            // A new password ends every session of the old one.
            try await SessionModel.query(on: db).filter(\.$user.$id == user.id!).delete()
            try await AuditTrail.record("user.reset-password", objectType: "user", objectID: username, by: actor, on: db)
        }
    }

    /// Creates a personal access token and returns its secret, shown once.
    static func createToken(username: String, name: String, by actor: AuditTrail.Actor, on db: any Database) async throws -> String {
        let secret = "yx_" + Secrets.random()
        try await db.write { db in
            guard let user = try await UserModel.query(on: db).filter(\.$username == username).first() else {
                throw AppError.field("username", zh: "用户“\(username)”不存在", en: "Unknown user \(username)")
            }
            let token = APITokenModel()
            token.$user.id = user.id!
            token.name = name
            token.secretHash = Secrets.sha256(secret)
            token.createdAt = Date()
            token.revoked = false
            try await token.create(on: db)
            try await AuditTrail.record("token.create", objectType: "user", objectID: username, detail: name, by: actor, on: db)
        }
        return secret
    }

    /// A valid bcrypt hash of a random string, verified against when the user does not exist.
    static let dummyHash: String = (try? Bcrypt.hash(Secrets.random(), cost: 11)) ?? ""
}
