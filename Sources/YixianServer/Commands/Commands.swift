import ConsoleKit
import Fluent
import Foundation
import Vapor
import YixianCore

/// Applies pending migrations without asking (Fluent's own command prompts, which breaks scripts).
struct MigrateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "revert", help: "Revert the last batch instead") var revert: Bool
    }
    var help: String { "Apply database migrations (SQLite or PostgreSQL, as configured)" }

    func run(using context: CommandContext, signature: Signature) async throws {
        if signature.revert {
            try await context.application.autoRevert()
        } else {
            try await context.application.autoMigrate()
        }
        context.console.print("migrations done")
    }
}

struct DemoCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "scale", help: "standard (default) or large") var scale: String?
    }
    var help: String { "Generate the demo university into an empty database" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let scale = DemoScale(rawValue: signature.scale ?? "standard") else {
            throw AppError.field("scale", zh: "规模只能是 standard 或 large", en: "scale must be standard or large")
        }
        try await app.autoMigrate()
        guard try await DemoLoader.isEmpty(on: app.db) else {
            context.console.error("数据库不为空，未生成演示数据。The database is not empty; nothing generated.")
            throw ExitCode(1)
        }
        let start = Date()
        let summary = try await DemoLoader.load(app, scale: scale)
        context.console.print(DemoLoader.banner(summary, address: "http://127.0.0.1:8080"))
        context.console.print(String(format: "generated in %.1f s", Date().timeIntervalSince(start)))
    }
}

struct UserCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] = ["create": UserCreateCommand(), "reset-password": UserResetPasswordCommand()]
    var help: String { "Manage user accounts" }
}

struct UserCreateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "username") var username: String?
        @Option(name: "role", help: "system-admin, security-admin, audit-admin, business-admin, unit-secretary, cadre, assessor, student") var role: String?
        @Option(name: "name", help: "display name") var name: String?
        @Option(name: "password", help: "omit to generate one") var password: String?
        @Option(name: "unit", help: "unit code (unit secretaries)") var unit: String?
        @Option(name: "staff-number", help: "cadre staff number (cadres)") var staffNumber: String?
        @Option(name: "student-number", help: "student number (students)") var studentNumber: String?
    }
    var help: String { "Create a user account" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let username = signature.username, let role = signature.role.flatMap(Role.init(rawValue:)) else {
            context.console.error("需要 --username 和有效的 --role。--username and a valid --role are required.")
            throw ExitCode(2)
        }
        let password = signature.password ?? Accounts.generatedPassword(for: signature.username ?? "")
        try await app.autoMigrate()
        try await CLIErrors.report(context) {
            try await Accounts.createUser(.init(username: username, displayName: signature.name ?? username, password: password, role: role,
                                                unitCode: signature.unit, cadreStaffNumber: signature.staffNumber, studentNumber: signature.studentNumber),
                                          cost: app.yixian.bcryptCost, pool: app.threadPool, by: .init(id: nil, name: "cli"), on: app.db)
        }
        context.console.print("created \(username) (\(role.rawValue))" + (signature.password == nil ? "; password: \(password)" : ""))
    }
}

struct UserResetPasswordCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "username") var username: String?
        @Option(name: "password", help: "omit to generate one") var password: String?
    }
    var help: String { "Set a new password, unlock the account and end its sessions" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let username = signature.username else {
            context.console.error("需要 --username。--username is required.")
            throw ExitCode(2)
        }
        let password = signature.password ?? Accounts.generatedPassword(for: signature.username ?? "")
        try await CLIErrors.report(context) {
            try await Accounts.resetPassword(username: username, password: password, cost: app.yixian.bcryptCost, pool: app.threadPool,
                                             by: .init(id: nil, name: "cli"), on: app.db)
        }
        context.console.print("password reset for \(username)" + (signature.password == nil ? "; new password: \(password)" : ""))
    }
}

struct TokenCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] = ["create": TokenCreateCommand(), "list": TokenListCommand(), "revoke": TokenRevokeCommand()]
    var help: String { "Personal access tokens for API clients" }
}

struct TokenCreateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "user", help: "username") var user: String?
        @Option(name: "name", help: "what the token is for") var name: String?
        @Option(name: "days", help: "lifetime in days, 1-366 (default 90)") var days: Int?
    }
    var help: String { "Create a token and print it once" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let user = signature.user else {
            context.console.error("需要 --user。--user is required.")
            throw ExitCode(2)
        }
        let secret = try await CLIErrors.report(context) {
            try await Accounts.createToken(username: user, name: signature.name ?? "cli", days: signature.days ?? Accounts.defaultTokenDays,
                                           by: .init(id: nil, name: "cli"), on: context.application.db)
        }
        context.console.print(secret)
    }
}

struct TokenListCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "user", help: "username") var user: String?
    }
    var help: String { "List a user's tokens: id, name, expiry, state" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let username = signature.user else {
            context.console.error("需要 --user。--user is required.")
            throw ExitCode(2)
        }
        let db = context.application.db
        guard let user = try await UserModel.query(on: db).filter(\.$username == username).first() else {
            context.console.error("用户“\(username)”不存在 / Unknown user \(username)")
            throw ExitCode(1)
        }
        let now = Date()
        for t in try await APITokenModel.query(on: db).filter(\.$user.$id == user.id!).sort(\.$createdAt).all() {
            let state = t.revoked ? "revoked" : (t.effectiveExpiry <= now ? "expired" : "active")
            context.console.print("\(t.id!.uuidString)\t\(t.name)\texpires \(AdminPages.timestamp(t.effectiveExpiry))\t\(state)")
        }
    }
}

struct TokenRevokeCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "id", help: "token id (from token list)") var id: String?
        @Option(name: "user", help: "revoke every token of this user") var user: String?
    }
    var help: String { "Revoke one token (--id) or all of a user's tokens (--user)" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let db = context.application.db
        let cli = AuditTrail.Actor(id: nil, name: "cli")
        if let raw = signature.id {
            guard let id = UUID(uuidString: raw) else {
                context.console.error("--id 不是有效的令牌编号 / --id is not a token id")
                throw ExitCode(2)
            }
            try await CLIErrors.report(context) { try await Accounts.revokeToken(id: id, by: nil, cliActor: cli, on: db) }
            context.console.print("revoked \(raw)")
        } else if let username = signature.user {
            let ids = try await CLIErrors.report(context) { () -> [UUID] in
                guard let user = try await UserModel.query(on: db).filter(\.$username == username).first() else {
                    throw AppError.field("user", zh: "用户“\(username)”不存在", en: "Unknown user \(username)")
                }
                return try await APITokenModel.query(on: db).filter(\.$user.$id == user.id!).filter(\.$revoked == false).all().compactMap(\.id)
            }
            for id in ids { try await Accounts.revokeToken(id: id, by: nil, cliActor: cli, on: db) }
            context.console.print("revoked \(ids.count) token(s) of \(username)")
        } else {
            context.console.error("需要 --id 或 --user。--id or --user is required.")
            throw ExitCode(2)
        }
    }
}

enum CLIErrors {
    /// Prints an `AppError` in both languages and exits 1, instead of a stack of Swift noise.
    static func report<T>(_ context: CommandContext, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as AppError {
            context.console.error("\(error.message.zh) / \(error.message.en)")
            for detail in error.details.dropFirst() { context.console.error("  \(detail.field): \(detail.message.zh) / \(detail.message.en)") }
            throw ExitCode(1)
        }
    }
}

struct ExitCode: Error, DebuggableError {
    var code: Int32
    init(_ code: Int32) { self.code = code }
    var identifier: String { "exit\(code)" }
    var reason: String { "exit code \(code)" }
    /// The command already said what went wrong; Vapor need not log it again.
    var logLevel: Logger.Level { .debug }
}

extension Application {
    public func registerCommands() {
        asyncCommands.use(MigrateCommand(), as: "migrate")
        asyncCommands.use(DemoCommand(), as: "demo")
        asyncCommands.use(UserCommands(), as: "user")
        asyncCommands.use(AccountCommands(), as: "accounts")
        asyncCommands.use(CalendarCommands(), as: "calendar")
        asyncCommands.use(TokenCommands(), as: "token")
        asyncCommands.use(BenchCommand(), as: "bench")
        asyncCommands.use(PolicyCommands(), as: "policy")
        registerDataProtectionCommands()
    }
}

struct AccountCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] = ["provision": AccountProvisionCommand(), "codes": AccountCodesCommand()]
    var help: String { "Accounts for the roster: make them, and issue activation codes" }
}

/// `--who` and `--unit` as the page takes them, the unit by its code.
private func rosterSelection(who: String?, unit: String?, on db: any Database) async throws -> (RosterAccounts.Who, UUID?) {
    guard let parsed = RosterAccounts.Who(rawValue: who ?? "all") else {
        throw AppError.field("who", zh: "--who 只能是 all、cadres 或 students", en: "--who must be all, cadres or students")
    }
    guard let unit, !unit.isEmpty else { return (parsed, nil) }
    return (parsed, try await db.unit(code: unit, field: "unit").id)
}

struct AccountProvisionCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "who", help: "all (default), cadres or students") var who: String?
        @Option(name: "unit", help: "only this unit (code)") var unit: String?
    }
    var help: String { "Make the missing accounts of active cadres (staff number) and students (student number)" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        let made = try await CLIErrors.report(context) {
            let (who, unit) = try await rosterSelection(who: signature.who, unit: signature.unit, on: app.db)
            return try await app.db.write { db in try await RosterAccounts.provision(who, unit: unit, by: .init(id: nil, name: "cli"), now: app.now, on: db) }
        }
        context.console.print("accounts made: \(made.cadres) cadres, \(made.students) students")
        if !made.conflicts.isEmpty {
            context.console.print("username already taken by another account (no account made): " + made.conflicts.joined(separator: ", "))
        }
    }
}

struct AccountCodesCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "who", help: "all (default), cadres or students") var who: String?
        @Option(name: "unit", help: "only this unit (code)") var unit: String?
        @Option(name: "out", help: "write the CSV here (mode 0600) instead of standard output") var out: String?
        @Flag(name: "all", help: "also replace codes that are still valid") var replace: Bool
    }
    var help: String { "Issue one-time activation codes for accounts not yet activated, as CSV (shown once)" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let codes = try await CLIErrors.report(context) {
            let (who, unit) = try await rosterSelection(who: signature.who, unit: signature.unit, on: app.db)
            return try await app.db.write { db in
                try await RosterAccounts.issueCodes(who, unit: unit, onlyWithoutCode: !signature.replace, by: .init(id: nil, name: "cli"), now: Date(), on: db)
            }
        }
        let csv = RosterAccounts.csv(codes)
        if let out = signature.out {
            guard FileManager.default.createFile(atPath: out, contents: csv, attributes: [.posixPermissions: 0o600]) else {
                context.console.error("cannot write \(out)")
                throw ExitCode(1)
            }
            context.console.print("\(codes.count) codes written to \(out)")
        } else {
            context.console.output(String(decoding: csv, as: UTF8.self).consoleText(), newLine: false)
        }
    }
}

struct CalendarCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] = ["import": CalendarImportCommand(), "export": CalendarExportCommand()]
    var help: String { "The academic calendar as one sheet (.xlsx or .csv): years, terms, special weeks, vacations" }
}

struct CalendarImportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: ".xlsx or .csv in the columns of `calendar export`") var file: String
        @Flag(name: "commit", help: "write it (only when every row is valid); without it, check only") var commit: Bool
    }
    var help: String { "Check, and with --commit import, the academic calendar" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        guard let data = FileManager.default.contents(atPath: signature.file) else {
            context.console.error("cannot read \(signature.file)")
            throw ExitCode(2)
        }
        let report = try await CLIErrors.report(context) {
            try await CalendarAdmin.run(data: data, commit: signature.commit, today: LocalDate(app.now), actor: .init(id: nil, name: "cli"), on: app.db)
        }
        for issue in report.issues {
            context.console.print("\(signature.file):\(issue.row):\(issue.column): \(issue.warning ? "warning" : "error"): \(issue.message.zh)")
        }
        if !report.rejudged.isEmpty { context.console.print("re-judged (begun, dates changed): " + report.rejudged.joined(separator: ", ")) }
        context.console.print((report.committed ? "imported: " : "checked: ") + report.years.joined(separator: ", ") + " (\(report.terms) terms)")
        if report.issues.contains(where: { !$0.warning }) { throw ExitCode(1) }
    }
}

struct CalendarExportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "out", help: "file to write (.xlsx or .csv by its extension)") var out: String?
    }
    var help: String { "Export the academic calendar in the import's columns" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let rows = CalendarSheet.rows(try await CalendarAPI.load(on: context.application.db))
        guard let out = signature.out else {
            context.console.output(String(decoding: CSV.write(rows), as: UTF8.self).consoleText(), newLine: false)
            return
        }
        let data = out.hasSuffix(".xlsx") ? try XLSXWriter.write([XLSXWorksheet(name: "校历", header: rows[0], rows: rows.dropFirst().map { $0.map(XLSXCell.text) })])
                                          : CSV.write(rows)
        guard FileManager.default.createFile(atPath: out, contents: data) else {
            context.console.error("cannot write \(out)")
            throw ExitCode(1)
        }
        context.console.print("\(rows.count - 1) rows written to \(out)")
    }
}
