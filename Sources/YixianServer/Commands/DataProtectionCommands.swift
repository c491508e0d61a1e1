import ConsoleKit
import Fluent
import Foundation
import Vapor

/// `audit verify`, `keys rotate`, `backup FILE`, `restore FILE`, `students anonymise`.
extension Application {
    func registerDataProtectionCommands() {
        asyncCommands.use(AuditCommands(), as: "audit")
        asyncCommands.use(KeyCommands(), as: "keys")
        asyncCommands.use(BackupCommand(), as: "backup")
        asyncCommands.use(RestoreCommand(), as: "restore")
        asyncCommands.use(StudentCommands(), as: "students")
    }
}

enum DataProtectionCLI {
    /// Prints a failure in both languages and exits 1.
    static func report<T>(_ context: CommandContext, _ body: () async throws -> T) async throws -> T {
        do {
            return try await CLIErrors.report(context, body)
        } catch let failure as Backup.Failure {
            context.console.error(failure.description)
            throw ExitCode(1)
        } catch let failure as Sealer.Failure {
            context.console.error(failure.description)
            throw ExitCode(1)
        } catch let failure as KeyFiles.Problem {
            context.console.error(failure.description)
            throw ExitCode(1)
        }
    }
}

struct AuditCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] = ["verify": AuditVerifyCommand()]
    var help: String { "The audit trail" }
}

struct AuditVerifyCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Verify the keyed hash chain against the checkpoint; exit 1 and name the first bad row when broken" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        let report = try await AuditTrail.verifyReport(on: app.db)
        let checkpoint = report.checkpoint.map { "checkpoint seq \($0.seq) \($0.hash)" } ?? "no checkpoint"
        if report.intact {
            context.console.print("审计链完整 / audit chain intact: \(report.count) events, head seq \(report.headSeq.map(String.init) ?? "—"), \(checkpoint)")
            for note in report.notes { context.console.print("  note: \(note.zh) / \(note.en)") }
            return
        }
        let first = report.firstBad!
        context.console.error("审计链断裂 / audit chain BROKEN: first bad row seq \(first.seq): \(first.reason.zh) / \(first.reason.en)")
        for problem in report.problems.sorted(by: { $0.seq < $1.seq }).prefix(50) {
            context.console.error("  seq \(problem.seq): \(problem.reason.en)")
        }
        context.console.error("  \(report.count) events, \(checkpoint)")
        throw ExitCode(1)
    }
}

struct KeyCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] = ["rotate": KeyRotateCommand()]
    var help: String { "Keys that seal sensitive data at rest" }
}

struct KeyRotateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "prune", help: "Afterwards drop old keys from sensitive.key (every row is then under the new key)") var prune: Bool
    }
    var help: String { "Re-encrypt every sensitive row with a new data key; old keys stay readable until pruned" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        guard let protection = app.dataProtection else { throw ExitCode(1) }
        if protection.keyRing.fromEnvironment {
            context.console.print("YIXIAN_DATA_KEY is set: re-encrypting under its last key \(protection.keyRing.currentID)")
        }
        let summary = try await DataProtectionCLI.report(context) {
            try await KeyRotation.rotate(protection, prune: signature.prune, on: app.db)
        }
        await protection.checkpoint.confirmNow()
        context.console.print(summary)
    }
}

struct BackupCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "where to write the backup (must not exist)") var file: String
    }
    var help: String { "Back up the database online, while the server keeps writing (file created 0600)" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        let summary = try await DataProtectionCLI.report(context) { try await Backup.backup(to: signature.file, app: app) }
        await app.dataProtection?.checkpoint.confirmNow()
        context.console.print(summary)
    }
}

struct RestoreCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "a file written by `yixian backup`") var file: String
    }
    var help: String { "Replace the database with a backup (stop the server first; refused while it runs)" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let summary = try await DataProtectionCLI.report(context) { try await Backup.restore(from: signature.file, app: app) }
        context.console.print(summary)
    }
}

struct StudentCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] = ["anonymise": StudentAnonymiseCommand()]
    var help: String { "Students' personal data" }
}

struct StudentAnonymiseCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "graduated-before", help: "a year; default: this year minus YIXIAN_RETENTION_YEARS (3)") var graduatedBefore: String?
        @Flag(name: "dry-run", help: "count only") var dryRun: Bool
    }
    var help: String { "Anonymise students who graduated before a year: pseudonyms for name, number and login; sensitive rows deleted; counts kept" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        let settings = Lifecycle.Settings.fromEnvironment()
        let year: Int
        if let text = signature.graduatedBefore {
            guard let value = Int(text), (1900...3000).contains(value) else {
                context.console.error("--graduated-before 须为年份，如 2022 / --graduated-before must be a year such as 2022")
                throw ExitCode(2)
            }
            year = value
        } else {
            year = settings.cutoff(inYear: Calendar(identifier: .gregorian).component(.year, from: Date()))
        }
        let result = try await DataProtectionCLI.report(context) {
            try await Lifecycle.anonymise(graduatedBefore: year, settings: settings, dryRun: signature.dryRun, by: .init(id: nil, name: "cli"), on: app.db)
        }
        await app.dataProtection?.checkpoint.confirmNow()
        context.console.print("\(signature.dryRun ? "would anonymise" : "anonymised") \(result.students) students graduated before \(year); "
            + "sensitive rows deleted: \(result.sensitiveRowsDeleted); accounts closed: \(result.accountsClosed)")
    }
}
