import Fluent
import FluentSQLiteDriver
import Foundation
import SQLKit
import Vapor
import YixianCore

/// Accounts for everyone on the roster: a cadre signs in with their staff number, a student with
/// their student number. Accounts are made without a password; the person chooses one at first
/// sign-in with a one-time activation code that the office or their unit's secretary prints or sends.
enum RosterAccounts {
    /// `password_hash` of an account that has not been activated: no password can match it.
    static let noPassword = "!activation"
    static let codeLifetimeDays = 30
    /// No 0/O, 1/I: read off paper and typed on a phone.
    static let codeAlphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
    static let codeLength = 10

    enum Who: String, CaseIterable, Sendable, Codable {
        case all, cadres, students

        var label: Localized {
            switch self {
            case .all: Localized(zh: "干部和学生", en: "Cadres and students")
            case .cadres: Localized(zh: "干部", en: "Cadres")
            case .students: Localized(zh: "学生", en: "Students")
            }
        }

        var roles: [Role] {
            switch self {
            case .all: [.cadre, .student]
            case .cadres: [.cadre]
            case .students: [.student]
            }
        }
    }

    /// Who a user may provision and issue codes for: the whole roster, or their own unit.
    static func scope(of user: CurrentUser) throws -> UUID? {
        switch user.role {
        case .businessAdmin: return nil
        case .unitSecretary:
            guard let unit = user.unitID else { throw AppError.forbidden }
            return unit
        default: throw AppError.forbidden
        }
    }

    struct Provisioned: Content, Equatable {
        var cadres = 0
        var students = 0
        /// Staff or student numbers already used as another account's username: left for a person to resolve.
        var conflicts: [String] = []
    }

    private struct Conflict: Decodable { var number: String }

    /// A random (version 4) UUID as SQLite stores Fluent's: upper-case text.
    private static let sqliteRandomUUID = """
        (hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || \
        substr('89AB', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))
        """

    private struct Changes: Decodable { var count: Int }

    private struct Candidate: Decodable {
        var id: UUID
        var number: String
        var name: String
        var unit_id: UUID
        var taken: Int
    }

    /// Makes the missing accounts of active cadres and students (inside the caller's write).
    /// Running it again makes nothing: a person is matched by their link, not their name.
    static func provision(_ who: Who = .all, unit: UUID? = nil, by actor: AuditTrail.Actor, now: Date, on db: any Database) async throws -> Provisioned {
        let sql = db as! any SQLDatabase
        var result = Provisioned()
        var ids = UUIDBatch()
        for role in who.roles {
            let (table, number, link) = role == .cadre ? ("cadres", "staff_number", "cadre_id") : ("students", "student_number", "student_id")
            let unitCondition: SQLQueryString = unit.map { "AND p.unit_id = \(bind: $0)" } ?? ""
            if db is any SQLiteDatabase {
                // The accounts are made inside SQLite by one INSERT … SELECT: reading 30,000 new students
                // back into Swift and binding them again was a tenth of an import.
                let missing: SQLQueryString = """
                    FROM \(unsafeRaw: table) p
                    WHERE p.active = \(bind: true) AND NOT EXISTS (SELECT 1 FROM users u WHERE u.\(unsafeRaw: link) = p.id) \(unitCondition)
                    """
                let taken: SQLQueryString = "EXISTS (SELECT 1 FROM users t WHERE t.username = p.\(unsafeRaw: number))"
                result.conflicts += try await sql.raw("SELECT p.\(unsafeRaw: number) AS number \(missing) AND \(taken) ORDER BY p.\(unsafeRaw: number)")
                    .all(decoding: Conflict.self).map(\.number)
                try await sql.raw("""
                    INSERT INTO users (id, username, display_name, password_hash, role, unit_id, cadre_id, student_id, active, failed_logins, \
                    created_at, must_change_password)
                    SELECT \(unsafeRaw: sqliteRandomUUID), p.\(unsafeRaw: number), p.name, \(bind: noPassword), \(bind: role.rawValue), p.unit_id, \
                    \(unsafeRaw: role == .cadre ? "p.id" : "NULL"), \(unsafeRaw: role == .student ? "p.id" : "NULL"), \(bind: true), 0, \(bind: now), \(bind: false)
                    \(missing) AND NOT \(taken) ORDER BY p.\(unsafeRaw: number)
                    """).run()
                // Counted by SQLite on the same connection: RETURNING handed 30,000 rows back to Swift.
                let made = try await sql.raw("SELECT changes() AS count").first(decoding: Changes.self)?.count ?? 0
                if role == .cadre { result.cadres = made } else { result.students = made }
                continue
            }
            let candidates = try await sql.raw("""
                SELECT p.id, p.\(unsafeRaw: number) AS number, p.name, p.unit_id,
                       (SELECT COUNT(*) FROM users t WHERE t.username = p.\(unsafeRaw: number)) AS taken
                FROM \(unsafeRaw: table) p
                WHERE p.active = \(bind: true) AND NOT EXISTS (SELECT 1 FROM users u WHERE u.\(unsafeRaw: link) = p.id) \(unitCondition)
                ORDER BY p.\(unsafeRaw: number)
                """).all(decoding: Candidate.self)
            let free = candidates.filter { $0.taken == 0 }
            result.conflicts += candidates.filter { $0.taken > 0 }.map(\.number)
            let rows: [[BulkValue]] = zip(free, ids.ascending(free.count)).map { person, id in
                [.uuid(id), .text(person.number), .text(person.name), .text(noPassword), .text(role.rawValue), .uuid(person.unit_id),
                 .optionalUUID(role == .cadre ? person.id : nil), .optionalUUID(role == .student ? person.id : nil),
                 .bool(true), .int(0), .date(now), .bool(false)]
            }
            try await BulkInsert.run(into: UserModel.schema, columns: [
                "id", "username", "display_name", "password_hash", "role", "unit_id", "cadre_id", "student_id",
                "active", "failed_logins", "created_at", "must_change_password",
            ], rows, on: db)
            if role == .cadre { result.cadres = rows.count } else { result.students = rows.count }
        }
        if result.cadres + result.students + result.conflicts.count > 0 {
            try await AuditTrail.record("accounts.provision", objectType: "roster", objectID: unit?.uuidString ?? "institution",
                                        detail: "cadres \(result.cadres), students \(result.students), username taken \(result.conflicts.count)",
                                        by: actor, on: db)
        }
        return result
    }

    // MARK: - Counts

    struct Counts: Content, Equatable {
        /// Active roster people with no account.
        var withoutAccount: Int
        /// Accounts made for the roster and not yet activated.
        var pending: Int
        /// Of those, how many hold a live code.
        var pendingWithCode: Int
        var activated: Int
    }

    private struct CountRow: Decodable { var n: Int }

    static func counts(_ who: Who, unit: UUID?, now: Date, on db: any Database) async throws -> Counts {
        let sql = db as! any SQLDatabase
        func count(_ query: SQLQueryString) async throws -> Int { try await sql.raw(query).first(decoding: CountRow.self)?.n ?? 0 }
        var counts = Counts(withoutAccount: 0, pending: 0, pendingWithCode: 0, activated: 0)
        for role in who.roles {
            let (table, link) = role == .cadre ? ("cadres", "cadre_id") : ("students", "student_id")
            let inUnit: SQLQueryString = unit.map { "AND unit_id = \(bind: $0)" } ?? ""
            counts.withoutAccount += try await count("""
                SELECT COUNT(*) AS n FROM \(unsafeRaw: table) p WHERE p.active = \(bind: true)
                AND NOT EXISTS (SELECT 1 FROM users u WHERE u.\(unsafeRaw: link) = p.id) \(inUnit)
                """)
            let accounts: SQLQueryString = "FROM users WHERE role = \(bind: role.rawValue) AND active = \(bind: true) \(inUnit)"
            counts.pending += try await count("SELECT COUNT(*) AS n \(accounts) AND password_hash = \(bind: noPassword)")
            counts.pendingWithCode += try await count("""
                SELECT COUNT(*) AS n \(accounts) AND password_hash = \(bind: noPassword)
                AND EXISTS (SELECT 1 FROM activation_codes a WHERE a.user_id = users.id AND a.expires_at > \(bind: now))
                """)
            counts.activated += try await count("SELECT COUNT(*) AS n \(accounts) AND password_hash <> \(bind: noPassword)")
        }
        return counts
    }

    // MARK: - Codes

    /// One code as printed on a slip or written to the CSV: shown once, only its hash is kept.
    struct IssuedCode: Content, Equatable {
        var username: String
        var name: String
        var role: String
        var unit: String
        var code: String
        var expiresOn: String
    }

    private struct PendingRow: Decodable {
        var id: UUID
        var username: String
        var display_name: String
        var role: String
        var unit_name: String?
    }

    static func newCode() -> String {
        // 32 symbols: the low five bits of a random byte pick one without bias.
        let symbols = [UInt8].random(count: codeLength).map { codeAlphabet[Int($0 & 31)] }
        return String(symbols.prefix(5)) + "-" + String(symbols.dropFirst(5))
    }

    /// What a person typed, as the code was issued: case, spaces and dashes do not matter.
    static func normalize(_ typed: String) -> String {
        String(typed.uppercased().filter { $0.isLetter || $0.isNumber })
    }

    static func codeHash(_ code: String) -> String { Secrets.sha256("activation:" + normalize(code)) }

    /// New codes for the accounts not yet activated (inside the caller's write). A new code
    /// replaces the person's earlier one; `onlyWithoutCode` leaves those who hold a live one alone.
    static func issueCodes(_ who: Who, unit: UUID?, onlyWithoutCode: Bool, maximum: Int? = nil, by actor: AuditTrail.Actor, now: Date,
                           on db: any Database) async throws -> [IssuedCode] {
        let sql = db as! any SQLDatabase
        let inUnit: SQLQueryString = unit.map { "AND users.unit_id = \(bind: $0)" } ?? ""
        let fresh: SQLQueryString = onlyWithoutCode
            ? "AND NOT EXISTS (SELECT 1 FROM activation_codes a WHERE a.user_id = users.id AND a.expires_at > \(bind: now))" : ""
        let roles: [any Encodable & Sendable] = who.roles.map(\.rawValue)
        let pending = try await sql.raw("""
            SELECT users.id, users.username, users.display_name, users.role, units.name AS unit_name
            FROM users LEFT JOIN units ON units.id = users.unit_id
            WHERE users.password_hash = \(bind: noPassword) AND users.active = \(bind: true) AND users.role IN (\(binds: roles)) \(inUnit) \(fresh)
            ORDER BY units.name, users.role, users.username
            """).all(decoding: PendingRow.self)
        guard !pending.isEmpty else { return [] }
        if let maximum, pending.count > maximum {
            throw AppError.field("unit", zh: "共 \(pending.count) 人，一次最多打印 \(maximum) 份通知单：请选择单位或对象，或导出 CSV",
                                 en: "\(pending.count) people; at most \(maximum) slips print at once: choose a unit or who, or download the CSV")
        }
        let expires = now.addingTimeInterval(Double(codeLifetimeDays) * 86_400)
        let expiresOn = LocalDate(expires).iso
        var issued: [IssuedCode] = []
        var rows: [[BulkValue]] = []
        var ids = UUIDBatch()
        for person in pending {
            let code = newCode()
            rows.append([.uuid(ids.next()), .uuid(person.id), .text(codeHash(code)), .date(now), .date(expires), .text(actor.name)])
            issued.append(IssuedCode(username: person.username, name: person.display_name,
                                     role: (Role(rawValue: person.role) ?? .student).label.zh, unit: person.unit_name ?? "", code: code,
                                     expiresOn: expiresOn))
        }
        for chunk in stride(from: 0, to: pending.count, by: RosterStore.batchSize) {
            let users: [any Encodable & Sendable] = pending[chunk..<min(chunk + RosterStore.batchSize, pending.count)].map(\.id)
            try await sql.raw("DELETE FROM activation_codes WHERE user_id IN (\(binds: users))").run()
        }
        try await BulkInsert.run(into: "activation_codes", columns: ["id", "user_id", "code_hash", "issued_at", "expires_at", "issued_by"],
                                 rows, on: db)
        try await AuditTrail.record("activation.issue", objectType: "roster", objectID: unit?.uuidString ?? "institution",
                                    detail: "\(issued.count) codes for \(who.rawValue), valid until \(expiresOn)", by: actor, on: db)
        return issued
    }

    /// The codes as a CSV for a mail merge (the shared writer: a BOM for Excel in China, formulas neutralised).
    static func csv(_ codes: [IssuedCode]) -> Data {
        CSV.write([["用户名", "姓名", "身份", "单位", "激活码", "有效期至"]] + codes.map { [$0.username, $0.name, $0.role, $0.unit, $0.code, $0.expiresOn] })
    }

    // MARK: - Activation

    enum ActivationResult: Sendable {
        case success(UserModel)
        /// Unknown name, wrong, used or expired code, an account already active: one answer for all.
        case invalid
        case throttled(retryAfter: Int)
    }

    /// First sign-in: the code proves who the person is, and they choose their password. Failures
    /// count against the same throttle as passwords (by name and by client), so codes cannot be guessed.
    static func activate(username: String, code: String, password: String, client: String, now: Date, cost: Int,
                         pool: NIOThreadPool, on db: any Database) async throws -> ActivationResult {
        if let wait = try await Accounts.throttle(username: username, client: client, now: now, on: db) { return .throttled(retryAfter: wait) }
        // Hashed before looking anything up, so a known and an unknown name take the same time.
        let hash = try await Accounts.hash(password, cost: cost, pool: pool)
        let typed = codeHash(code)
        return try await db.write { db in
            let user = try await UserModel.query(on: db).filter(\.$username == username).first()
            var codeRow: ActivationCodeModel?
            if let user, user.active, user.passwordHash == noPassword {
                codeRow = try await ActivationCodeModel.query(on: db).filter(\.$user.$id == user.requireID()).first()
            }
            guard let user, let codeRow, codeRow.expiresAt > now, Secrets.constantTimeEqual(codeRow.codeHash, typed) else {
                _ = try await Accounts.countFailure(username: username, client: client, now: now, on: db)
                try await AuditTrail.record("activation.failure", objectType: "user", objectID: String(username.prefix(40)),
                                            detail: "client \(client)", by: .init(id: user?.id, name: user?.username ?? "anonymous"), on: db)
                return .invalid
            }
            user.passwordHash = hash
            user.mustChangePassword = false
            user.passwordChangedAt = now
            user.failedLogins = 0
            user.lockedUntil = nil
            try await user.save(on: db)
            try await codeRow.delete(on: db)
            try await Accounts.clearAccountThrottle(username, on: db)
            try await AuditTrail.record("account.activate", objectType: "user", objectID: user.username, detail: "client \(client)",
                                        by: .init(id: user.id, name: user.username), on: db)
            return .success(user)
        }
    }
}

final class ActivationCodeModel: Model, @unchecked Sendable {
    static let schema = "activation_codes"
    @ID var id: UUID?
    @Parent(key: "user_id") var user: UserModel
    @Field(key: "code_hash") var codeHash: String
    @Field(key: "issued_at") var issuedAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @Field(key: "issued_by") var issuedBy: String

    init() {}
}
