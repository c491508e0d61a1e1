import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import YixianCore
@testable import YixianServer

/// An attacker with the database owner's rights (not the key files): drops the append-only triggers.
enum AuditTamper {
    static func disableTriggers(_ server: TestServer) async throws {
        let sql = server.app.db as! any SQLDatabase
        if server.app.db.isSQLite {
            try await sql.raw("DROP TRIGGER IF EXISTS audit_events_no_update").run()
            try await sql.raw("DROP TRIGGER IF EXISTS audit_events_no_delete").run()
        } else {
            try await sql.raw("ALTER TABLE audit_events DISABLE TRIGGER USER").run()
        }
    }

    static func exec(_ server: TestServer, _ statement: String) async throws {
        try await (server.app.db as! any SQLDatabase).raw(SQLQueryString(statement)).run()
    }

    /// Re-hashes the whole chain with unkeyed SHA-256 (all an attacker without the key can do).
    static func rehashWithoutKey(_ server: TestServer) async throws {
        var previous = ""
        for event in try await AuditEventModel.query(on: server.app.db).sort(\.$seq).all() {
            event.prevHash = previous
            event.hash = AuditTrail.legacyHash(of: event)
            try await event.save(on: server.app.db)
            previous = event.hash
        }
    }
}

@Suite("Audit trail that cannot be rewritten unseen (MLPS 8.1.4.3)")
struct AuditIntegrityTests {
    /// A server with some events, the checkpoint confirmed; returns the head seq.
    static func prepared(_ server: TestServer) async throws -> Int {
        for code in ["WY", "SX", "HX"] {
            let reply = try await server.api(.POST, "/api/v1/units", as: "office", json: ["code": code, "name": "学院\(code)", "kind": "college"])
            #expect(reply.status == .created)
        }
        let report = try await AuditTrail.verifyReport(on: server.app.db)
        #expect(report.intact, "\(report.problems)")
        #expect(report.checkpoint?.seq == report.headSeq, "the checkpoint holds the head")
        return try #require(report.headSeq)
    }

    @Test("UPDATE, DELETE (and TRUNCATE on PostgreSQL) are refused by the database")
    func appendOnly() async throws {
        try await TestServer.with { server in
            let head = try await Self.prepared(server)
            for statement in ["UPDATE audit_events SET detail = 'x' WHERE seq = 1", "DELETE FROM audit_events WHERE seq = \(head)",
                              "DELETE FROM audit_events"] {
                await #expect(throws: (any Error).self, "\(statement)") { try await AuditTamper.exec(server, statement) }
            }
            if !server.app.db.isSQLite {
                await #expect(throws: (any Error).self) { try await AuditTamper.exec(server, "TRUNCATE audit_events") }
            }
            #expect(try await AuditEventModel.query(on: server.app.db).count() == head)
            #expect(try await AuditTrail.verify(on: server.app.db).isEmpty)
        }
    }

    enum Attack: String, CaseIterable, Sendable {
        case editedRow, rehashedWithoutKey, rehashedWithAnotherKey, truncatedTail, renumberedTail, wipedTable, checkpointDeleted
    }

    @Test("each rewriting is found and the first bad row named", arguments: Attack.allCases)
    func attacks(_ attack: Attack) async throws {
        try await TestServer.with { server in
            // Signed in before the attack: a sign-in appends an event, which would change what is found.
            let page = server.browser()
            try await page.login("audit")
            let head = try await Self.prepared(server)
            try await AuditTamper.disableTriggers(server)
            let expectedFirst: Int
            switch attack {
            case .editedRow:
                try await AuditTamper.exec(server, "UPDATE audit_events SET detail = 'nothing happened' WHERE seq = 4")
                expectedFirst = 4
            case .rehashedWithoutKey:
                try await AuditTamper.exec(server, "UPDATE audit_events SET detail = 'nothing happened' WHERE seq = 4")
                try await AuditTamper.rehashWithoutKey(server)
                expectedFirst = 1
            case .rehashedWithAnotherKey:
                try await AuditTamper.exec(server, "UPDATE audit_events SET actor_name = 'someone' WHERE seq = 5")
                var previous = ""
                let key = SymmetricKeyFactory.make()
                for event in try await AuditEventModel.query(on: server.app.db).sort(\.$seq).all() {
                    event.prevHash = previous
                    event.hash = AuditTrail.keyedHash(of: event, key: key)
                    try await event.save(on: server.app.db)
                    previous = event.hash
                }
                expectedFirst = 1
            case .truncatedTail:
                try await AuditTamper.exec(server, "DELETE FROM audit_events WHERE seq > \(head - 3)")
                expectedFirst = head - 2
            case .renumberedTail:
                // Row 4 removed and the later rows moved down: the chain links look plausible, seqs are dense.
                try await AuditTamper.exec(server, "DELETE FROM audit_events WHERE seq = 4")
                for seq in 5...head { try await AuditTamper.exec(server, "UPDATE audit_events SET seq = \(seq - 1) WHERE seq = \(seq)") }
                expectedFirst = 4
            case .wipedTable:
                try await AuditTamper.exec(server, "DELETE FROM audit_events")
                expectedFirst = head
            case .checkpointDeleted:
                try FileManager.default.removeItem(atPath: server.directory.appendingPathComponent("audit.checkpoint").path)
                expectedFirst = head
            }
            let report = try await AuditTrail.verifyReport(on: server.app.db)
            #expect(!report.intact, "\(attack) must be found")
            #expect(report.firstBad?.seq == expectedFirst, "\(attack): \(report.problems)")
            #expect(try await AuditTrail.verify(on: server.app.db).isEmpty == false)
            let verify = try await page.get("/admin/audit/verify")
            #expect(verify.status == .ok)
            #expect(verify.body.contains("data-intact=\"false\""), "\(attack)")
            #expect(verify.body.contains("data-first-bad=\"\(expectedFirst)\""), "\(attack)")
            #expect(!verify.body.contains("哈希链校验：完整"))
        }
    }

    @Test("a database with events hashed by the old scheme is keyed on migration and verifies")
    func legacyEventsKeyed() async throws {
        try await TestServer.with { server in
            _ = try await Self.prepared(server)
            // What a database from before keying looks like: bare SHA-256 hashes, no checkpoint.
            try await AuditTamper.disableTriggers(server)
            try await AuditTamper.rehashWithoutKey(server)
            try FileManager.default.removeItem(atPath: server.directory.appendingPathComponent("audit.checkpoint").path)
            let before = try await AuditTrail.verifyReport(on: server.app.db)
            #expect(!before.intact, "an unkeyed chain alone is not trusted")
            let legacyCount = before.count
            try await KeyAuditChain().prepare(on: server.app.db)
            let after = try await AuditTrail.verifyReport(on: server.app.db)
            #expect(after.intact, "\(after.problems)")
            let keyed = try await AuditEventModel.query(on: server.app.db).sort(\.$seq, .descending).first()
            #expect(keyed?.action == "audit.chain.keyed")
            #expect(keyed?.seq == legacyCount + 1)
            #expect(keyed?.detail.contains("legacy chain verified intact") == true, "\(keyed?.detail ?? "")")
            // An edit of a legacy row is still found: the keyed row pins the legacy head.
            try await AuditTamper.exec(server, "UPDATE audit_events SET detail = 'x' WHERE seq = 2")
            #expect(try await AuditTrail.verifyReport(on: server.app.db).firstBad?.seq == 2)
        }
    }

    @Test("403s, exports and bulk reads of students are audited")
    func accessAudited() async throws {
        try await TestServer.with { server in
            func count(_ action: String) async throws -> Int {
                try await AuditEventModel.query(on: server.app.db).filter(\.$action == action).count()
            }
            let denied = try await server.api(.GET, "/api/v1/students", as: "student")
            #expect(denied.status == .forbidden)
            let refusal = try await AuditEventModel.query(on: server.app.db).filter(\.$action == "access.denied").first()
            #expect(refusal?.actorName == "student")
            #expect(refusal?.objectID == "GET /api/v1/students")
            #expect(try await server.api(.GET, "/api/v1/students", as: "office").status == .ok)
            #expect(try await count("personal.bulk-read") == 1)
            let browser = server.browser()
            try await browser.login("office")
            let export = try await browser.get("/export/students?format=csv")
            #expect(export.status == .ok, "\(export.body.prefix(300))")
            let exported = try await AuditEventModel.query(on: server.app.db).filter(\.$action == "export").all()
            #expect(exported.count == 1)
            #expect(exported.first?.actorName == "office")
            #expect(try await AuditTrail.verify(on: server.app.db).isEmpty)
        }
    }
}

@Suite("Sensitive fields encrypted at rest (MLPS 8.1.4.7/8.1.4.8)")
struct SensitiveEncryptionTests {
    static let seededNote = "家庭经济困难，已纳入资助"
    static let apiNote = "心理咨询中心跟进 PLAINTEXT-MARKER-7741"

    static func hits(_ needle: String, in path: String) -> Int {
        guard let data = FileManager.default.contents(atPath: path) else { return 0 }
        let pattern = Data(needle.utf8)
        var count = 0
        var range = data.startIndex..<data.endIndex
        while let found = data.range(of: pattern, in: range) {
            count += 1
            range = found.upperBound..<data.endIndex
        }
        return count
    }

    @Test("notes and flags are AES-GCM ciphertext in the file, its WAL and a backup; the API still reads them")
    func noPlaintextAtRest() async throws {
        try await TestServer.with { server in
            let student = try await server.student("2023010101")
            let put = try await server.api(.PUT, "/api/v1/students/\(student.id!)/sensitive", as: "office",
                                           json: ["familyHardship": true, "psychologicalAttention": true, "note": Self.apiNote])
            #expect(put.status == .ok, "\(put.body)")
            let other = try await server.student("2023020101")
            let second = try await server.api(.PUT, "/api/v1/students/\(other.id!)/sensitive", as: "office",
                                              json: ["disability": true, "note": Self.seededNote])
            #expect(second.status == .ok)
            let read = try await server.api(.GET, "/api/v1/students/\(student.id!)/sensitive", as: "office").json()
            #expect(read["note"] as? String == Self.apiNote)
            #expect(read["psychologicalAttention"] as? Bool == true)

            struct Row: Decodable { var note: String; var family_hardship: Bool; var sealed: String?; var key_id: String? }
            let rows = try await (server.app.db as! any SQLDatabase).raw("SELECT note, family_hardship, sealed, key_id FROM student_sensitive").all(decoding: Row.self)
            #expect(rows.count == 2)
            let current = try #require(server.app.dataProtection?.keyRing.currentID)
            for row in rows {
                #expect(row.note.isEmpty)
                #expect(row.family_hardship == false)
                #expect(row.key_id == current)
                #expect(row.sealed?.contains("PLAINTEXT") == false)
            }
            guard server.app.db.isSQLite else { return }
            let backup = server.directory.appendingPathComponent("grep.backup").path
            _ = try await Backup.backup(to: backup, app: server.app)
            let database = server.directory.appendingPathComponent("test.sqlite").path
            var total = 0
            for file in [database, database + "-wal", backup] {
                for needle in [Self.seededNote, Self.apiNote, "PLAINTEXT-MARKER-7741"] { total += Self.hits(needle, in: file) }
            }
            #expect(FileManager.default.fileExists(atPath: database + "-wal"))
            #expect(total == 0, "plaintext hits in the database, WAL and backup")
            // The grep can fail: the student's name is plain and is found.
            #expect(Self.hits("陈晨", in: database) + Self.hits("陈晨", in: database + "-wal") > 0)
        }
    }

    @Test("database, WAL, key files, checkpoint and backup are 0600")
    func filesArePrivate() async throws {
        try await TestServer.with { server in
            _ = try await server.api(.POST, "/api/v1/units", as: "office", json: ["code": "WY", "name": "外国语学院", "kind": "college"])
            _ = try await AuditTrail.verifyReport(on: server.app.db)
            var files = ["audit.key", "sensitive.key", "audit.checkpoint"].map { server.directory.appendingPathComponent($0).path }
            if server.app.db.isSQLite {
                let database = server.directory.appendingPathComponent("test.sqlite").path
                let backup = server.directory.appendingPathComponent("perm.backup").path
                _ = try await Backup.backup(to: backup, app: server.app)
                files += [database, database + "-wal", backup]
            }
            for file in files {
                let mode = try #require(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int, "\(file)")
                #expect(mode & 0o077 == 0, "\(file) mode \(String(mode, radix: 8))")
            }
        }
    }

    @Test("keys rotate re-encrypts every row under a new key; old keys stay readable until pruned")
    func rotation() async throws {
        try await TestServer.with { server in
            let protection = try #require(server.app.dataProtection)
            let first = protection.keyRing.currentID
            let student = try await server.student("2023010101")
            let summary = try await KeyRotation.rotate(protection, prune: false, on: server.app.db)
            let second = protection.keyRing.currentID
            #expect(second != first, "\(summary)")
            #expect(summary.contains("1 of 1 rows re-encrypted"), "\(summary)")
            let keyFile = try String(contentsOfFile: server.directory.appendingPathComponent("sensitive.key").path, encoding: .utf8)
            #expect(keyFile.split(separator: "\n").count == 2)
            let rows = try await StudentSensitiveModel.query(on: server.app.db).all()
            #expect(rows.allSatisfy { $0.keyID == second })
            let read = try await server.api(.GET, "/api/v1/students/\(student.id!)/sensitive", as: "office").json()
            #expect(read["note"] as? String == SensitiveEncryptionTests.seededNote)
            _ = try await KeyRotation.rotate(protection, prune: true, on: server.app.db)
            let pruned = try String(contentsOfFile: server.directory.appendingPathComponent("sensitive.key").path, encoding: .utf8)
            #expect(pruned.split(separator: "\n").count == 1)
            let again = try await server.api(.GET, "/api/v1/students/\(student.id!)/sensitive", as: "office").json()
            #expect(again["note"] as? String == SensitiveEncryptionTests.seededNote)
        }
    }

    @Test("rows from before encryption are sealed by the migration step")
    func legacyRowsSealed() async throws {
        try await TestServer.with { server in
            let other = try await server.student("2023020101")
            try await (server.app.db as! any SQLDatabase).insert(into: "student_sensitive")
                .columns("id", "student_id", "family_hardship", "disability", "psychological_attention", "note")
                .values(SQLBind(UUID()), SQLBind(other.id!), SQLBind(true), SQLBind(false), SQLBind(false), SQLBind("legacy plaintext note"))
                .run()
            let legacy = try #require(try await StudentSensitiveModel.query(on: server.app.db).filter(\.$student.$id == other.id!).first())
            #expect(legacy.sealed == nil)
            #expect(legacy.note == "legacy plaintext note")
            #expect(try await SealStudentSensitive.sealPlaintextRows(on: server.app.db) == 1)
            let sealed = try #require(try await StudentSensitiveModel.query(on: server.app.db).filter(\.$student.$id == other.id!).first())
            #expect(sealed.sealed != nil)
            #expect(sealed.storedNote.isEmpty)
            #expect(sealed.core == SensitiveFlags(familyHardship: true, note: "legacy plaintext note"))
        }
    }
}

@Suite("Audit checkpoint stays put once evidence exists")
struct AuditCheckpointStickyTests {
    @Test("appends after a truncation do not move the checkpoint past the evidence; a deleted checkpoint is remembered")
    func sticky() async throws {
        try await TestServer.with { server in
            let head = try await AuditIntegrityTests.prepared(server)
            try await AuditTamper.disableTriggers(server)
            try await AuditTamper.exec(server, "DELETE FROM audit_events WHERE seq > \(head - 2)")
            // Five honest appends carry the table past the old head.
            for code in ["A1", "A2", "A3", "A4", "A5"] {
                #expect(try await server.api(.POST, "/api/v1/units", as: "office", json: ["code": code, "name": code, "kind": "college"]).status == .created)
            }
            try await Task.sleep(for: .milliseconds(300))
            let report = try await AuditTrail.verifyReport(on: server.app.db)
            #expect(report.checkpoint?.seq == head, "the checkpoint did not move")
            #expect(report.firstBad?.seq == head, "\(report.problems)")

            try FileManager.default.removeItem(atPath: server.directory.appendingPathComponent("audit.checkpoint").path)
            #expect(try await server.api(.POST, "/api/v1/units", as: "office", json: ["code": "A6", "name": "A6", "kind": "college"]).status == .created)
            let after = try await AuditTrail.verifyReport(on: server.app.db)
            #expect(after.checkpoint?.missingSince != nil)
            #expect(!after.intact)
        }
    }

    @Test("the first two events of a fresh install, in one transaction, leave a checkpoint that records nothing missing")
    func firstBatch() async throws {
        try await TestServer.with(seed: false) { server in
            try await server.app.db.write { db in
                try await AuditTrail.record("probe.first", objectType: "probe", objectID: "1", detail: "", by: .system, on: db)
                try await AuditTrail.record("probe.second", objectType: "probe", objectID: "2", detail: "", by: .system, on: db)
            }
            let report = try await AuditTrail.verifyReport(on: server.app.db)
            #expect(report.count == 2)
            #expect(report.checkpoint != nil)
            #expect(report.checkpoint?.missingSince == nil, "a fresh install's first batch is not a removed checkpoint")
        }
    }
}

@Suite("Hex digests")
struct HexStringTests {
    @Test("hexString writes every byte as two lower-case digits, as String(format: \"%02x\") does")
    func matchesFormat() {
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 16, 32, 33] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) } + [0, 9, 10, 255]
            #expect(bytes.hexString == bytes.map { String(format: "%02x", $0) }.joined())
        }
        #expect(Data([0x00, 0xAB, 0x0F]).hexString == "00ab0f")
    }
}
