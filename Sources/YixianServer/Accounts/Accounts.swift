import Fluent
import Foundation
import Vapor
import YixianCore

/// Account rules: passwords, throttling, second factor, sessions, tokens, role grants.
/// Called by pages, the API and the CLI.
enum Accounts {
    /// Legacy floor for seeded accounts (demo, test fixtures); people's own choices meet `PasswordPolicy`.
    static let seedMinimumPasswordLength = 8
    static let defaultTokenDays = 90
    static let maximumTokenDays = 366
    static let recoveryCodeCount = 10
    static let challengeLifetime: TimeInterval = 5 * 60
    static let challengeAttempts = 5

    enum LoginResult: Sendable {
        case success(UserModel)
        /// Password right, TOTP awaited: the secret of the pending challenge (cookie).
        case secondFactor(challenge: String)
        case invalid
        /// Too many failures for this name or from this client; the same for names that do not exist.
        case throttled(retryAfter: Int)
    }

    static func hash(_ password: String, cost: Int, pool: NIOThreadPool) async throws -> String {
        try await pool.runIfActive { try Bcrypt.hash(password, cost: cost) }
    }

    static func verify(_ password: String, hash: String, pool: NIOThreadPool) async -> Bool {
        (try? await pool.runIfActive { try Bcrypt.verify(password, created: hash) }) ?? false
    }

    // MARK: - Throttling

    /// Growing delays instead of a hard lock: the account or client waits `base · 2^(failures − threshold)`
    /// seconds, up to `cap`. Attempts while waiting are refused unchecked and do not count, and the
    /// count is forgotten `forgetAfter` after the last failure. The client cap is longer than the
    /// account cap, so one client cannot keep an account closed: it is itself held back longer.
    struct ThrottleRule: Sendable {
        var threshold: Int
        var base: TimeInterval
        var cap: TimeInterval
        var forgetAfter: TimeInterval

        func delay(afterFailures failures: Int) -> TimeInterval? {
            guard failures >= threshold else { return nil }
            return min(cap, base * pow(2, Double(min(20, failures - threshold))))
        }
    }

    static let accountRule = ThrottleRule(threshold: 5, base: 30, cap: 15 * 60, forgetAfter: 3600)
    static let clientRule = ThrottleRule(threshold: 30, base: 60, cap: 3600, forgetAfter: 86400)

    static func accountKey(_ username: String) -> String { "account:" + username.lowercased() }
    static func clientKey(_ client: String) -> String { "client:" + client }

    /// Seconds until both the account and the client may try again, or nil when neither waits.
    static func throttle(username: String, client: String, now: Date, on db: any Database) async throws -> Int? {
        let keys = [accountKey(username), clientKey(client)]
        let rows = try await LoginThrottleModel.query(on: db).filter(\.$key ~~ keys).all()
        let until = rows.compactMap(\.blockedUntil).filter { $0 > now }.max()
        return until.map { max(1, Int($0.timeIntervalSince(now).rounded(.up))) }
    }

    /// Counts a failure under both keys (inside the caller's write); returns the new block of the account, if any.
    @discardableResult
    static func countFailure(username: String, client: String, now: Date, on db: any Database) async throws -> Date? {
        var accountBlock: Date?
        for (key, rule) in [(accountKey(username), accountRule), (clientKey(client), clientRule)] {
            let row = try await LoginThrottleModel.query(on: db).filter(\.$key == key).first() ?? {
                let m = LoginThrottleModel()
                m.key = key
                m.failures = 0
                m.lastFailureAt = now
                return m
            }()
            if now.timeIntervalSince(row.lastFailureAt) > rule.forgetAfter { row.failures = 0 }
            row.failures += 1
            row.lastFailureAt = now
            row.blockedUntil = rule.delay(afterFailures: row.failures).map { now.addingTimeInterval($0) } ?? row.blockedUntil
            try await row.save(on: db)
            if key.hasPrefix("account:") { accountBlock = row.blockedUntil.flatMap { $0 > now ? $0 : nil } }
        }
        return accountBlock
    }

    static func clearAccountThrottle(_ username: String, on db: any Database) async throws {
        try await LoginThrottleModel.query(on: db).filter(\.$key == accountKey(username)).delete()
    }

    // MARK: - Sign-in

    /// Checks a password. Unknown, inactive and known names take the same path: the same throttle
    /// (keyed by the name typed), the same bcrypt work at the same cost, the same write and audit event,
    /// and the same answer, so neither status nor timing tells which names exist.
    static func login(username: String, password: String, client: String, next: String, now: Date, cost: Int,
                      pool: NIOThreadPool, on db: any Database) async throws -> LoginResult {
        if let wait = try await throttle(username: username, client: client, now: now, on: db) { return .throttled(retryAfter: wait) }
        let user = try await UserModel.query(on: db).filter(\.$username == username).first()
        // An account not yet activated has no password: it costs the same bcrypt work as any other
        // and fails, so timing does not tell who has activated.
        let stored = user.map(\.passwordHash).flatMap { $0 == RosterAccounts.noPassword ? nil : $0 }
        let ok = await verify(password, hash: stored ?? dummyHash(cost: cost), pool: pool) && stored != nil && user?.active == true
        let challengeSecret = Secrets.random()
        return try await db.write { db in
            let fresh = try await user.asyncMap { try await UserModel.find($0.id, on: db) } ?? nil
            if ok, let fresh {
                if fresh.totpEnrolled {
                    let challenge = LoginChallengeModel()
                    challenge.secretHash = Secrets.sha256(challengeSecret)
                    challenge.$user.id = try fresh.requireID()
                    challenge.next = next
                    challenge.expiresAt = now.addingTimeInterval(challengeLifetime)
                    challenge.attempts = 0
                    try await challenge.create(on: db)
                    try await AuditTrail.record("login.password-ok", objectType: "user", objectID: fresh.username, detail: "client \(client); second factor awaited",
                                                by: .init(id: fresh.id, name: fresh.username), on: db)
                    return .secondFactor(challenge: challengeSecret)
                }
                try await succeed(fresh, client: client, detail: "password", on: db)
                return .success(fresh)
            }
            let block = try await countFailure(username: username, client: client, now: now, on: db)
            let reason = fresh == nil ? "unknown account" : (fresh!.active ? "wrong password" : "inactive account")
            if let fresh {
                fresh.failedLogins += 1
                fresh.lockedUntil = block
                try await fresh.save(on: db)
            }
            try await AuditTrail.record("login.failure", objectType: "user", objectID: String(username.prefix(40)),
                                        detail: "client \(client); \(reason)" + (block.map { "; throttled until \(Int($0.timeIntervalSince1970))" } ?? ""),
                                        by: .init(id: fresh?.id, name: fresh?.username ?? "anonymous"), on: db)
            return .invalid
        }
    }

    static func succeed(_ user: UserModel, client: String, detail: String, on db: any Database) async throws {
        user.failedLogins = 0
        user.lockedUntil = nil
        try await user.save(on: db)
        try await clearAccountThrottle(user.username, on: db)
        try await AuditTrail.record("login.success", objectType: "user", objectID: user.username, detail: "client \(client); \(detail)",
                                    by: .init(id: user.id, name: user.username), on: db)
    }

    enum SecondFactorResult: Sendable {
        case success(UserModel, next: String)
        case wrongCode(attemptsLeft: Int)
        /// Expired, used up or never issued: sign in again.
        case expired
        case throttled(retryAfter: Int)
    }

    /// The second step: a TOTP code (or one recovery code) for a pending challenge.
    static func completeSecondFactor(challenge secret: String, code: String, client: String, now: Date, on db: any Database) async throws -> SecondFactorResult {
        guard secret.count < 200,
              let challenge = try await LoginChallengeModel.query(on: db).filter(\.$secretHash == Secrets.sha256(secret)).with(\.$user).first()
        else { return .expired }
        let user = challenge.user
        if let wait = try await throttle(username: user.username, client: client, now: now, on: db) { return .throttled(retryAfter: wait) }
        return try await db.write { db in
            guard let challenge = try await LoginChallengeModel.find(challenge.id, on: db), challenge.expiresAt > now,
                  challenge.attempts < challengeAttempts, let user = try await UserModel.find(user.id, on: db), user.active,
                  let secretText = user.totpSecret, let totpSecret = Base32.decode(secretText) else {
                try await LoginChallengeModel.query(on: db).filter(\.$secretHash == Secrets.sha256(secret)).delete()
                return .expired
            }
            if let step = TOTP.verify(code, secret: totpSecret, at: Int64(now.timeIntervalSince1970), usedStep: user.totpLastStep) {
                user.totpLastStep = step
                try await challenge.delete(on: db)
                try await succeed(user, client: client, detail: "password + TOTP", on: db)
                return .success(user, next: challenge.next)
            }
            let normalized = normalizeRecoveryCode(code)
            if !normalized.isEmpty,
               let recovery = try await RecoveryCodeModel.query(on: db).filter(\.$user.$id == user.id!)
                .filter(\.$codeHash == Secrets.sha256(normalized)).filter(\.$usedAt == nil).first() {
                recovery.usedAt = now
                try await recovery.save(on: db)
                try await challenge.delete(on: db)
                let left = try await RecoveryCodeModel.query(on: db).filter(\.$user.$id == user.id!).filter(\.$usedAt == nil).count()
                try await succeed(user, client: client, detail: "password + recovery code (\(left) left)", on: db)
                return .success(user, next: challenge.next)
            }
            challenge.attempts += 1
            try await challenge.save(on: db)
            let block = try await countFailure(username: user.username, client: client, now: now, on: db)
            user.lockedUntil = block
            try await user.save(on: db)
            try await AuditTrail.record("login.second-factor-failure", objectType: "user", objectID: user.username, detail: "client \(client)",
                                        by: .init(id: user.id, name: user.username), on: db)
            return .wrongCode(attemptsLeft: max(0, challengeAttempts - challenge.attempts))
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

    // MARK: - Accounts and passwords

    struct NewUser: Sendable {
        /// Who chose the password. `.seed` is the demo loader and test fixtures: a published demo
        /// password, no forced change. `.administrator` is the users page, the API and the CLI:
        /// the full password policy, and the person must choose their own at first sign-in.
        enum Provenance: Sendable { case seed, administrator }

        var username: String
        var displayName: String
        var password: String
        var role: Role
        var unitCode: String?
        var cadreStaffNumber: String?
        var studentNumber: String?
        var provenance: Provenance = .seed
    }

    /// The policy's problems as field errors.
    static func passwordProblems(_ password: String, username: String, field: String = "password") -> [AppError.FieldProblem] {
        PasswordPolicy.problems(password, username: username).map { AppError.FieldProblem(field: field, message: $0.message) }
    }

    static func checkPassword(_ password: String, username: String, field: String = "password") throws {
        let problems = passwordProblems(password, username: username, field: field)
        if !problems.isEmpty { throw AppError.validation(problems) }
    }

    static func validate(_ new: NewUser) throws {
        var check = FieldChecker()
        _ = check.code("username", new.username, label: "用户名", max: 40)
        _ = check.text("displayName", new.displayName, label: "显示名称", max: 50)
        switch new.provenance {
        case .administrator:
            for problem in PasswordPolicy.problems(new.password, username: new.username) {
                check.fail("password", zh: problem.message.zh, en: problem.message.en)
            }
        case .seed:
            if new.password.count < seedMinimumPasswordLength {
                check.fail("password", zh: "密码至少 \(seedMinimumPasswordLength) 位", en: "password must have at least \(seedMinimumPasswordLength) characters")
            }
            if new.password.utf8.count > PasswordPolicy.maximumBytes {
                check.fail("password", zh: "密码最多 72 字节", en: "password must have at most 72 bytes")
            }
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
        try check.throwIfInvalid()
    }

    /// 三员 separation: an administrator role (system, security, audit, business admin) is granted only
    /// by the security admin (`grantRole`); the system admin creates ordinary accounts.
    static let privilegedGrantRefused = AppError(.forbidden, code: .roleGrantRequiresSecurityAdmin,
                                                 zh: "管理员角色（系统、安全、审计、业务管理员）只能由安全管理员授予：请先建普通账号，再由安全管理员授权",
                                                 en: "Administrator roles (system, security, audit, business admin) are granted only by the security admin: create an ordinary account, then ask the security admin")

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
            user.mustChangePassword = new.provenance == .administrator
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
            // A name typed before the account existed must not leave it throttled.
            try await clearAccountThrottle(new.username, on: db)
            try await AuditTrail.record("user.create", objectType: "user", objectID: new.username,
                                        detail: new.role.rawValue + (user.mustChange ? "; must change password" : ""), by: actor, on: db)
            return user
        }
    }

    /// A random password that meets the policy, for resets and role grants (shown once).
    static func generatedPassword(for username: String) -> String {
        while true {
            let candidate = String(Secrets.random().prefix(16))
            if PasswordPolicy.problems(candidate, username: username).isEmpty { return candidate }
        }
    }

    /// Ends every session and API token of an account (inside the caller's write).
    static func revokeCredentials(of userID: UUID, reason: String, now: Date = Date(), on db: any Database) async throws {
        try await SessionModel.query(on: db).filter(\.$user.$id == userID).delete()
        try await LoginChallengeModel.query(on: db).filter(\.$user.$id == userID).delete()
        for token in try await APITokenModel.query(on: db).filter(\.$user.$id == userID).filter(\.$revoked == false).all() {
            token.revoked = true
            token.revokedAt = now
            try await token.save(on: db)
        }
    }

    /// An administrator sets a password (CLI, users page): unlocked, sessions and tokens ended,
    /// and the person must choose their own at next sign-in.
    static func resetPassword(username: String, password: String, cost: Int, pool: NIOThreadPool, by actor: AuditTrail.Actor,
                              on db: any Database) async throws {
        try checkPassword(password, username: username)
        let hash = try await hash(password, cost: cost, pool: pool)
        try await db.write { db in
            guard let user = try await UserModel.query(on: db).filter(\.$username == username).first() else {
                throw AppError.field("username", zh: "用户“\(username)”不存在", en: "Unknown user \(username)")
            }
            user.passwordHash = hash
            user.failedLogins = 0
            user.lockedUntil = nil
            user.mustChangePassword = true
            try await user.save(on: db)
            try await clearAccountThrottle(username, on: db)
            // A new password ends every session and token of the old one.
            try await revokeCredentials(of: user.requireID(), reason: "reset", on: db)
            try await AuditTrail.record("user.reset-password", objectType: "user", objectID: username, detail: "sessions and tokens revoked; must change password",
                                        by: actor, on: db)
        }
    }

    /// The person changes their own password: the current one is checked, the new one meets the policy,
    /// other sessions and every token end; the session that changed it is kept.
    static func changePassword(userID: UUID, current: String, new: String, confirmation: String, keepSession: UUID?, cost: Int,
                               pool: NIOThreadPool, on db: any Database) async throws {
        guard let user = try await UserModel.find(userID, on: db) else { throw AppError.unauthenticated }
        var problems: [AppError.FieldProblem] = []
        if !(await verify(current, hash: user.passwordHash, pool: pool)) {
            problems.append(.init(field: "current", message: Localized(zh: "当前密码不正确", en: "The current password is wrong")))
        }
        problems += passwordProblems(new, username: user.username, field: "new")
        if new != confirmation {
            problems.append(.init(field: "confirmation", message: Localized(zh: "两次输入的新密码不一致", en: "The two new passwords differ")))
        }
        if problems.isEmpty, new == current {
            problems.append(.init(field: "new", message: Localized(zh: "新密码不能与当前密码相同", en: "The new password must differ from the current one")))
        }
        if !problems.isEmpty {
            let fields = problems.map(\.field).joined(separator: ",")
            try await db.write { db in
                try await AuditTrail.record("user.change-password-refused", objectType: "user", objectID: user.username,
                                            detail: fields, by: .init(id: user.id, name: user.username), on: db)
            }
            throw AppError.validation(problems)
        }
        let hash = try await hash(new, cost: cost, pool: pool)
        try await db.write { db in
            guard let fresh = try await UserModel.find(userID, on: db) else { throw AppError.unauthenticated }
            fresh.passwordHash = hash
            fresh.mustChangePassword = false
            fresh.passwordChangedAt = Date()
            try await fresh.save(on: db)
            var sessions = SessionModel.query(on: db).filter(\.$user.$id == userID)
            if let keepSession { sessions = sessions.filter(\.$id != keepSession) }
            try await sessions.delete()
            for token in try await APITokenModel.query(on: db).filter(\.$user.$id == userID).filter(\.$revoked == false).all() {
                token.revoked = true
                token.revokedAt = Date()
                try await token.save(on: db)
            }
            try await AuditTrail.record("user.change-password", objectType: "user", objectID: fresh.username, detail: "other sessions and tokens revoked",
                                        by: .init(id: fresh.id, name: fresh.username), on: db)
        }
    }

    // MARK: - Role grants (三员)

    /// The security admin grants a role to an account. Granting an administrator role resets the
    /// account's password (returned, shown once to the security admin), ends its sessions and tokens
    /// and its second factor, so whoever created the account no longer holds its credentials.
    static func grantRole(userID: UUID, role: Role, by actor: CurrentUser, cost: Int, pool: NIOThreadPool, on db: any Database) async throws -> String? {
        guard actor.role == .securityAdmin else { throw privilegedGrantRefused }
        guard userID != actor.id else {
            throw AppError(.conflict, code: .selfGrant, zh: "不能修改自己账号的角色", en: "You cannot change the role of your own account")
        }
        if role.requiredLink != nil {
            throw AppError.field("role", zh: "该角色需要关联单位、干部或学生，请由系统管理员新建账号", en: "This role needs a unit, cadre or student link; the system admin creates such accounts")
        }
        guard let target = try await UserModel.find(userID, on: db) else { throw AppError.notFound("user") }
        let password = role.isPrivileged ? generatedPassword(for: target.username) : nil
        let hash = try await password.asyncMap { try await Self.hash($0, cost: cost, pool: pool) }
        try await db.write { db in
            guard let user = try await UserModel.find(userID, on: db) else { throw AppError.notFound("user") }
            let old = user.roleValue
            if old == .securityAdmin, role != .securityAdmin,
               try await UserModel.query(on: db).filter(\.$role == Role.securityAdmin.rawValue).filter(\.$active == true).count() <= 1 {
                throw AppError(.conflict, code: .lastSecurityAdmin, zh: "这是最后一个安全管理员账号，不能改为其他角色", en: "This is the last security admin; its role cannot be changed")
            }
            user.role = role.rawValue
            user.$unit.id = nil
            user.$cadre.id = nil
            user.$student.id = nil
            if let hash {
                user.passwordHash = hash
                user.mustChangePassword = true
                user.totpSecret = nil
                user.totpPendingSecret = nil
                user.totpEnabledAt = nil
                try await RecoveryCodeModel.query(on: db).filter(\.$user.$id == userID).delete()
            }
            try await user.save(on: db)
            try await revokeCredentials(of: userID, reason: "role grant", on: db)
            try await AuditTrail.record("user.grant-role", objectType: "user", objectID: user.username,
                                        detail: "\(old.rawValue) → \(role.rawValue)" + (hash != nil ? "; password reset, sessions, tokens and second factor revoked" : ""),
                                        by: .init(actor), on: db)
        }
        return password
    }

    /// Whether the actor may manage (deactivate, reset) this account: the system admin ordinary
    /// accounts, the security admin administrator accounts.
    static func mayAdminister(_ actor: CurrentUser, target: Role) -> Bool {
        target.isPrivileged ? actor.role == .securityAdmin : actor.role == .systemAdmin
    }

    // MARK: - Tokens

    /// Creates a personal access token and returns its secret, shown once. It expires after `days` (1–366).
    static func createToken(username: String, name: String, days: Int = defaultTokenDays, by actor: AuditTrail.Actor, on db: any Database) async throws -> String {
        let cleanName = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !cleanName.isEmpty, cleanName.count <= 60 else {
            throw AppError.field("name", zh: "令牌名称须为 1–60 个字符", en: "The token name needs 1–60 characters")
        }
        guard (1...maximumTokenDays).contains(days) else {
            throw AppError.field("days", zh: "有效期须为 1–\(maximumTokenDays) 天", en: "The lifetime must be 1–\(maximumTokenDays) days")
        }
        let secret = "yx_" + Secrets.random()
        try await db.write { db in
            guard let user = try await UserModel.query(on: db).filter(\.$username == username).first() else {
                throw AppError.field("username", zh: "用户“\(username)”不存在", en: "Unknown user \(username)")
            }
            let token = APITokenModel()
            token.$user.id = user.id!
            token.name = cleanName
            token.secretHash = Secrets.sha256(secret)
            token.createdAt = Date()
            token.expiresAt = Date().addingTimeInterval(Double(days) * 86400)
            token.revoked = false
            try await token.create(on: db)
            try await AuditTrail.record("token.create", objectType: "user", objectID: username, detail: "\(cleanName); \(days) days", by: actor, on: db)
        }
        return secret
    }

    /// Revokes one token. Its owner may, and so may the security admin (`manageSecurity`); others get 404.
    static func revokeToken(id: UUID, by actor: CurrentUser?, cliActor: AuditTrail.Actor? = nil, on db: any Database) async throws {
        try await db.write { db in
            guard let token = try await APITokenModel.query(on: db).filter(\.$id == id).with(\.$user).first(),
                  actor == nil || token.$user.id == actor!.id || actor!.can(.manageSecurity) else { throw AppError.notFound("token") }
            guard !token.revoked else { return }
            token.revoked = true
            token.revokedAt = Date()
            try await token.save(on: db)
            try await AuditTrail.record("token.revoke", objectType: "user", objectID: token.user.username, detail: token.name,
                                        by: actor.map(AuditTrail.Actor.init) ?? cliActor ?? .system, on: db)
        }
    }

    // MARK: - TOTP enrolment

    /// A fresh secret, pending until the person proves they stored it by typing a code.
    static func startTOTP(userID: UUID, on db: any Database) async throws -> [UInt8] {
        let secret = [UInt8].random(count: TOTP.secretLength)
        try await db.write { db in
            guard let user = try await UserModel.find(userID, on: db) else { throw AppError.unauthenticated }
            user.totpPendingSecret = Base32.encode(secret)
            try await user.save(on: db)
        }
        return secret
    }

    /// Confirms enrolment with a code from the app; returns the recovery codes, shown once.
    static func confirmTOTP(userID: UUID, code: String, now: Date, on db: any Database) async throws -> [String] {
        let codes = (0..<recoveryCodeCount).map { _ in newRecoveryCode() }
        try await db.write { db in
            guard let user = try await UserModel.find(userID, on: db) else { throw AppError.unauthenticated }
            guard let pending = user.totpPendingSecret, let secret = Base32.decode(pending) else {
                throw AppError(.conflict, code: .noPendingEnrolment, zh: "请先开始绑定", en: "Start the enrolment first")
            }
            guard let step = TOTP.verify(code, secret: secret, at: Int64(now.timeIntervalSince1970)) else {
                throw AppError.field("code", zh: "验证码不正确，请核对手机时间后重试", en: "The code is wrong; check the phone's clock and try again")
            }
            user.totpSecret = pending
            user.totpPendingSecret = nil
            user.totpEnabledAt = now
            user.totpLastStep = step
            try await user.save(on: db)
            try await RecoveryCodeModel.query(on: db).filter(\.$user.$id == userID).delete()
            for code in codes {
                let m = RecoveryCodeModel()
                m.$user.id = userID
                m.codeHash = Secrets.sha256(normalizeRecoveryCode(code))
                try await m.create(on: db)
            }
            try await AuditTrail.record("totp.enrol", objectType: "user", objectID: user.username, detail: "\(recoveryCodeCount) recovery codes issued",
                                        by: .init(id: user.id, name: user.username), on: db)
        }
        return codes
    }

    /// Removes a second factor: the security admin for someone who lost phone and codes.
    static func resetTOTP(userID: UUID, by actor: AuditTrail.Actor, on db: any Database) async throws {
        try await db.write { db in
            guard let user = try await UserModel.find(userID, on: db) else { throw AppError.notFound("user") }
            user.totpSecret = nil
            user.totpPendingSecret = nil
            user.totpEnabledAt = nil
            try await user.save(on: db)
            try await RecoveryCodeModel.query(on: db).filter(\.$user.$id == userID).delete()
            try await AuditTrail.record("totp.reset", objectType: "user", objectID: user.username, by: actor, on: db)
        }
    }

    /// Ten characters from an alphabet without look-alikes, shown as `xxxxx-xxxxx`.
    static func newRecoveryCode() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")
        var generator = SystemRandomNumberGenerator()
        let chars = (0..<10).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
        return String(chars[0..<5]) + "-" + String(chars[5...])
    }

    static func normalizeRecoveryCode(_ typed: String) -> String {
        let cleaned = typed.lowercased().filter { $0.isLetter || $0.isNumber }
        return cleaned.count == 10 && cleaned.allSatisfy(\.isASCII) ? cleaned : ""
    }

    /// A bcrypt hash that matches nothing, at the cost of real hashes: verifying an unknown name costs the
    /// same work as a known one. bcrypt's work is set by the cost field, so the salt and digest can be fixed.
    static func dummyHash(cost: Int) -> String {
        String(format: "$2b$%02d$", cost) + "C6UzMDM.H6dfI/f/IKxGhuEG5VGEtCq1ZPqB6ZrNc0S6DyfS2xD7S"
    }
}
