import Fluent
import Foundation
import FluentSQLiteDriver
import SQLKit
import Testing
import Vapor
import YixianCore
@testable import YixianServer

@Suite("Backup and recovery (MLPS 8.1.4.9)")
struct BackupTests {
    static func runBinary(_ arguments: [String], environment: [String: String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = try DurabilityTests.binary()
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for key in ["DATABASE_URL", "YIXIAN_SQLITE_PATH", "YIXIAN_DATA_DIR", "YIXIAN_AUDIT_KEY", "YIXIAN_DATA_KEY"] { env[key] = nil }
        process.environment = env.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("a backup taken while writers run restores into a fresh path with identical table hashes")
    func backupUnderLoad() async throws {
        try await TestServer.with { server in
            guard server.app.db.isSQLite else {
                // PostgreSQL: pg_dump when installed, else a clear error; never a half-written file claimed as a backup.
                let target = server.directory.appendingPathComponent("pg.dump").path
                do {
                    let summary = try await Backup.backup(to: target, app: server.app)
                    #expect(summary.contains("pg_dump"))
                    #expect(((try? FileManager.default.attributesOfItem(atPath: target)[.size] as? Int) ?? 0) > 0)
                } catch let failure as Backup.Failure {
                    #expect(failure.description.contains("pg_dump"))
                }
                return
            }
            let token = try await server.token("office")
            let acknowledged = LockedCounter()
            let writers = (0..<3).map { writer in
                Task {
                    for i in 0..<40 {
                        var headers = HTTPHeaders()
                        headers.bearerAuthorization = .init(token: token)
                        headers.contentType = .json
                        let body = try JSONSerialization.data(withJSONObject: ["code": "L\(writer)x\(i)", "name": "负载学院\(writer)-\(i)", "kind": "college"])
                        let reply = try await server.request(.POST, "/api/v1/units", headers: headers, body: body)
                        if reply.status == .created { acknowledged.increment() }
                    }
                }
            }
            // Wait for the first acknowledged write rather than a fixed time: under load 400 ms was sometimes not enough.
            let deadline = ContinuousClock.now + .seconds(30)
            while acknowledged.value == 0 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            let before = acknowledged.value
            let backup = server.directory.appendingPathComponent("load.backup").path
            let summary = try await Backup.backup(to: backup, app: server.app)
            let duringBackup = acknowledged.value
            for writer in writers { try await writer.value }
            #expect(acknowledged.value == 120)
            #expect(before > 0 && before < 120, "the backup ran while writes went on (\(before) before)")
            #expect(try await Backup.integrityCheck(sqliteFile: backup) == "ok", "\(summary)")
            let digest = try await Backup.digest(sqliteFile: backup)
            let units = try #require(digest["units"]).rows
            #expect(units >= 3 + before && units <= 3 + duringBackup + 3, "units in backup \(units), acknowledged before \(before)")

            // Restore with the binary into a fresh data directory that has the keys (kept apart from backups).
            let fresh = server.directory.appendingPathComponent("fresh")
            try FileManager.default.createDirectory(at: fresh, withIntermediateDirectories: true)
            for key in ["audit.key", "sensitive.key"] {
                try FileManager.default.copyItem(at: server.directory.appendingPathComponent(key), to: fresh.appendingPathComponent(key))
            }
            let environment = ["YIXIAN_DATA_DIR": fresh.path, "YIXIAN_SQLITE_PATH": fresh.appendingPathComponent("yixian.sqlite").path]
            let (restored, output) = try Self.runBinary(["restore", backup], environment: environment)
            #expect(restored == 0, "\(output)")
            let restoredDigest = try await Backup.digest(sqliteFile: fresh.appendingPathComponent("yixian.sqlite").path)
            #expect(restoredDigest == digest, "every table's row count and row hash match")
            #expect(digest.count >= 15)
            let mode = try FileManager.default.attributesOfItem(atPath: backup)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            let (verified, verifyOutput) = try Self.runBinary(["audit", "verify"], environment: environment)
            #expect(verified == 0, "\(verifyOutput)")
            #expect(verifyOutput.contains("intact"))
            // The sealed note opens in the restored copy with the copied keys.
            #expect(try Self.hitsPlain(fresh.appendingPathComponent("yixian.sqlite").path) == 0)

            // The live server's database is open in this process: another process may not replace it.
            let live = ["YIXIAN_DATA_DIR": server.directory.path, "YIXIAN_SQLITE_PATH": server.directory.appendingPathComponent("test.sqlite").path]
            let (refused, refusal) = try Self.runBinary(["restore", backup], environment: live)
            #expect(refused == 1)
            #expect(refusal.contains("in use"), "\(refusal)")
            // A file that is not a backup is refused before anything is replaced.
            let junk = server.directory.appendingPathComponent("junk.bin")
            try Data("not a database".utf8).write(to: junk)
            let (junkStatus, junkOutput) = try Self.runBinary(["restore", junk.path], environment: environment)
            #expect(junkStatus == 1, "\(junkOutput)")
            #expect(try await Backup.digest(sqliteFile: fresh.appendingPathComponent("yixian.sqlite").path) == digest)
        }
    }

    static func hitsPlain(_ path: String) throws -> Int {
        SensitiveEncryptionTests.hits(SensitiveEncryptionTests.seededNote, in: path)
    }

    @Test("audit verify on the command line fails with the first bad row")
    func verifyCommand() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("yixian-verify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("yixian.sqlite").path
        let environment = ["YIXIAN_DATA_DIR": directory.path, "YIXIAN_SQLITE_PATH": database]
        let (created, _) = try Self.runBinary(["user", "create", "--username", "auditor", "--role", "audit-admin", "--password", "Correct-Horse-9"], environment: environment)
        #expect(created == 0)
        let (intact, text) = try Self.runBinary(["audit", "verify"], environment: environment)
        #expect(intact == 0, "\(text)")
        let connection = try await SQLiteConnection.open(storage: .file(path: database))
        _ = try await connection.query("DROP TRIGGER audit_events_no_update").get()
        _ = try await connection.query("UPDATE audit_events SET actor_name = 'nobody' WHERE seq = 1").get()
        try await connection.close()
        let (broken, report) = try Self.runBinary(["audit", "verify"], environment: environment)
        #expect(broken == 1)
        #expect(report.contains("first bad row seq 1"), "\(report)")
    }
}

final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

@Suite("Personal information: lifecycle and access (MLPS 8.1.4.11, PIPL)")
struct LifecycleTests {
    @Test("anonymise replaces names, numbers and logins of students past retention, deletes sensitive rows, keeps counts")
    func anonymise() async throws {
        try await TestServer.with { server in
            let db = server.app.db
            let settings = Lifecycle.Settings(retentionYears: 3, programYears: 4)
            let students = try await StudentModel.query(on: db).count()
            let memberships = try await StudentCollectiveModel.query(on: db).count()
            // The fixture's classes entered in 2023: they graduate in 2027.
            let early = try await Lifecycle.anonymise(graduatedBefore: 2027, settings: settings, dryRun: false, by: .system, on: db)
            #expect(early == .init(students: 0, sensitiveRowsDeleted: 0, accountsClosed: 0))
            let dry = try await Lifecycle.anonymise(graduatedBefore: 2028, settings: settings, dryRun: true, by: .system, on: db)
            #expect(dry == .init(students: 2, sensitiveRowsDeleted: 1, accountsClosed: 1))
            #expect(try await server.student("2023010101").name == "陈晨", "a dry run changes nothing")
            let done = try await Lifecycle.anonymise(graduatedBefore: 2028, settings: settings, dryRun: false, by: .system, on: db)
            #expect(done == dry)
            #expect(try await StudentModel.query(on: db).count() == students)
            #expect(try await StudentCollectiveModel.query(on: db).count() == memberships)
            #expect(try await StudentSensitiveModel.query(on: db).count() == 0)
            let all = try await StudentModel.query(on: db).all()
            #expect(all.allSatisfy { $0.studentNumber.hasPrefix("ANON-") && !$0.active })
            #expect(!all.contains { $0.name == "陈晨" || $0.name == "刘洋" })
            #expect(try await StudentModel.query(on: db).filter(\.$studentNumber == "2023010101").count() == 0)
            let login = try await server.browser().login("student")
            #expect(login.status != .seeOther || login.headers.first(name: .location) == "/login", "the student's login is closed")
            let again = try await Lifecycle.anonymise(graduatedBefore: 2028, settings: settings, dryRun: false, by: .system, on: db)
            #expect(again.students == 0, "idempotent")
            #expect(try await AuditEventModel.query(on: db).filter(\.$action == "students.anonymise").count() == 1)
            #expect(try await AuditTrail.verify(on: db).isEmpty)
        }
    }

    @Test("a student sees what the system holds about them, flags included; the read is audited")
    func myData() async throws {
        try await TestServer.with { server in
            let page = server.browser()
            try await page.login("student")
            let mine = try await page.get("/account/my-data")
            #expect(mine.status == .ok)
            for text in ["陈晨", "2023010101", "计算机学院", "计算机2301班", SensitiveEncryptionTests.seededNote, "我作出的确认"] {
                #expect(mine.body.contains(text), "\(text)")
            }
            #expect(!mine.body.contains("刘洋"), "another student's data is not shown")
            let event = try await AuditEventModel.query(on: server.app.db).filter(\.$action == "personal.self-access").first()
            #expect(event?.objectID == "2023010101")
            let office = server.browser()
            try await office.login("office")
            #expect(try await office.get("/account/my-data").status == .forbidden)
        }
    }
}
