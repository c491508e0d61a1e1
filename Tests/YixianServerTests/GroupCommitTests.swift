import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor
@testable import YixianServer

@Suite("Group commit: concurrent writers share one SQLite transaction, each in its own savepoint")
struct GroupCommitTests {
    struct Probe: Decodable { var n: Int }

    /// SQLite's committer; nil on PostgreSQL, which keeps one ordinary transaction per writer.
    static func committer(_ server: TestServer) throws -> GroupCommit? {
        guard TestServer.postgresURL == nil else { return nil }
        return try #require((server.app.db.context.configuration as? GatedConfiguration)?.committer, "SQLite runs with a group committer")
    }

    @Test("40 concurrent writers: one that fails is undone alone, the other 39 are kept, in fewer transactions than writers")
    func oneFailureUndoesOnlyItself() async throws {
        try await TestServer.with(seed: false) { server in
            let db = server.app.db
            let sql = try #require(db as? any SQLDatabase)
            try await sql.raw("CREATE TABLE group_commit_probe (n INTEGER NOT NULL UNIQUE)").run()
            // The row writer 13 collides with is there before any writer starts, so the collision does
            // not depend on the order writers arrive in (on PostgreSQL they run side by side).
            try await sql.raw("INSERT INTO group_commit_probe (n) VALUES (-1)").run()
            let committer = try Self.committer(server)
            let before = await committer?.batchesBegun ?? 0
            let failing = 13
            let results = await withTaskGroup(of: (Int, Bool).self) { group in
                for n in 0..<40 {
                    group.addTask {
                        do {
                            try await db.write { db in
                                let sql = db as! any SQLDatabase
                                // The first writer holds the lock a while, so the others queue behind it.
                                if n == 0 { try await Task.sleep(for: .milliseconds(200)) }
                                try await sql.raw("INSERT INTO group_commit_probe (n) VALUES (\(bind: n))").run()
                                // Writer 13 writes its row and then breaks the unique rule: both must go.
                                if n == failing { try await sql.raw("INSERT INTO group_commit_probe (n) VALUES (-1)").run() }
                            }
                            return (n, true)
                        } catch {
                            return (n, false)
                        }
                    }
                }
                var results: [Int: Bool] = [:]
                for await (n, ok) in group { results[n] = ok }
                return results
            }
            #expect(results.filter { !$0.value }.map(\.key) == [failing])
            let kept = try await sql.raw("SELECT n FROM group_commit_probe ORDER BY n").all(decoding: Probe.self).map(\.n)
            #expect(kept == [-1] + Array(0..<40).filter { $0 != failing })
            // 40 writers and at most a handful of transactions: the 39 queued behind writer 0 share them.
            if let committer {
                let batches = await committer.batchesBegun - before
                #expect(batches >= 2 && batches <= 10, "\(batches) transactions for 40 writers")
            }
        }
    }

    @Test("a lone writer whose body throws leaves nothing behind, and the next writer commits")
    func loneFailure() async throws {
        try await TestServer.with(seed: false) { server in
            let sql = try #require(server.app.db as? any SQLDatabase)
            try await sql.raw("CREATE TABLE group_commit_probe (n INTEGER NOT NULL UNIQUE)").run()
            struct Refused: Error {}
            await #expect(throws: Refused.self) {
                try await server.app.db.write { db in
                    try await (db as! any SQLDatabase).raw("INSERT INTO group_commit_probe (n) VALUES (1)").run()
                    throw Refused()
                }
            }
            let value = try await server.app.db.write { db in
                try await (db as! any SQLDatabase).raw("INSERT INTO group_commit_probe (n) VALUES (2)").run()
                return 2
            }
            #expect(value == 2)
            let kept = try await sql.raw("SELECT n FROM group_commit_probe").all(decoding: Probe.self).map(\.n)
            #expect(kept == [2])
        }
    }

    struct ForeignKeys: Decodable { var foreign_keys: Int }

    @Test("a bulk write runs in a batch of its own with foreign-key checks off; every other writer, and every connection afterwards, has them on")
    func bulkWriteRunsAlone() async throws {
        try await TestServer.with(seed: true) { server in
            let db = server.app.db
            guard try Self.committer(server) != nil else {
                // PostgreSQL: an ordinary transaction, its rows kept.
                let report = try await ImportExport.run(.students, data: Data("学号,姓名,所属单位代码,所在集体代码\n9990001,甲,CS,\n".utf8), fileName: "s.csv",
                                                        mode: .commit, language: .zh, actor: .system, on: db)
                #expect(report.outcome?.created == 1)
                return
            }
            let seen = NIOLockedValueBox<[String: Int]>([:])
            @Sendable func foreignKeys(_ db: any Database) async throws -> Int {
                try await (db as! any SQLDatabase).raw("PRAGMA foreign_keys").first(decoding: ForeignKeys.self)?.foreign_keys ?? -1
            }
            struct Refused: Error {}
            await withTaskGroup(of: Void.self) { group in
                for n in 0..<12 {
                    group.addTask {
                        // Writer 0 holds the lock while the others queue: two bulk writers (one fails) among plain ones.
                        try? await db.write(bulk: n == 5 || n == 8) { db in
                            if n == 0 { try await Task.sleep(for: .milliseconds(200)) }
                            let value = try await foreignKeys(db)
                            seen.withLockedValue { $0["\(n)"] = value }
                            if n == 8 { throw Refused() }
                        }
                    }
                    if n == 0 { try? await Task.sleep(for: .milliseconds(50)) }
                }
            }
            let values = seen.withLockedValue { $0 }
            #expect(values.count == 12)
            #expect(values.filter { $0.value == 0 }.keys.sorted() == ["5", "8"], "\(values)")
            // Every event loop's connection is back to checking, and to checkpointing in its commits.
            struct Autocheckpoint: Decodable { var wal_autocheckpoint: Int }
            for eventLoop in server.app.eventLoopGroup.makeIterator() {
                let connection = server.app.databases.database(logger: server.app.logger, on: eventLoop)!
                #expect(try await foreignKeys(connection) == 1)
                let pages = try await (connection as! any SQLDatabase).raw("PRAGMA wal_autocheckpoint").first(decoding: Autocheckpoint.self)
                #expect(pages?.wal_autocheckpoint == GroupCommit.walAutocheckpoint)
            }
            // A real import through the bulk path leaves no dangling reference.
            let report = try await ImportExport.run(.students, data: Data("学号,姓名,所属单位代码,所在集体代码\n9990001,甲,CS,CS2301\n9990002,乙,CS,\n".utf8),
                                                    fileName: "s.csv", mode: .commit, language: .zh, actor: .system, on: db)
            #expect(report.outcome?.created == 2, "\(report.errors.map(\.message))")
            let dangling = try await (db as! any SQLDatabase).raw("PRAGMA foreign_key_check").all()
            #expect(dangling.isEmpty)
        }
    }
}

@Suite("Group commit and the audit checkpoint")
struct GroupCommitAuditTests {
    @Test("24 concurrent audited writes: a gapless chain, and the checkpoint file names the last append of the last batch")
    func checkpointNamesTheLastAppend() async throws {
        try await TestServer.with(seed: false) { server in
            let db = server.app.db
            await withTaskGroup(of: Void.self) { group in
                for n in 0..<24 {
                    group.addTask {
                        try? await AuditTrail.recordAlone("probe.write", objectType: "probe", objectID: String(n), by: .system, on: db)
                    }
                }
            }
            let events = try await AuditEventModel.query(on: db).sort(\.$seq).all()
            #expect(events.map(\.seq) == Array(1...events.count), "numbered without gaps or repeats")
            #expect(events.filter { $0.action == "probe.write" }.count == 24)
            let head = try #require(events.last)
            let checkpoint = try #require(try db.requireDataProtection().checkpoint.read())
            // Either still pending (confirmation runs 100 ms later) or already confirmed: both name the head.
            #expect(checkpoint.pendingSeq == head.seq || checkpoint.seq == head.seq, "checkpoint \(checkpoint), head \(head.seq)")
            #expect(checkpoint.pendingHash == head.hash || checkpoint.hash == head.hash)
            let report = try await AuditTrail.verifyReport(on: db)
            #expect(report.problems.isEmpty, "\(report.problems)")
        }
    }
}

@Suite("Group commit and the audit chain's head")
struct GroupCommitChainHeadTests {
    struct Failed: Error {}

    @Test("30 audited writers in shared batches, every third undone after its append: the chain stays gapless and verifies")
    func undoneAppendsLeaveNoGap() async throws {
        try await TestServer.with(seed: false) { server in
            let db = server.app.db
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for n in 0..<30 {
                    group.addTask {
                        do {
                            try await db.write { db in
                                // The first writer holds the lock a while, so the others share batches behind it.
                                if n == 0 { try await Task.sleep(for: .milliseconds(200)) }
                                try await AuditTrail.record("probe.write", objectType: "probe", objectID: String(n), by: .system, on: db)
                                // Appended, then undone: the next writer must not chain onto the undone event.
                                if n % 3 == 1 { throw Failed() }
                            }
                            return true
                        } catch {
                            return false
                        }
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 20)
            let events = try await AuditEventModel.query(on: db).sort(\.$seq).all()
            #expect(events.map(\.seq) == Array(1...events.count), "numbered without gaps or repeats")
            #expect(Set(events.filter { $0.action == "probe.write" }.map(\.objectID)) == Set((0..<30).filter { $0 % 3 != 1 }.map(String.init)))
            let report = try await AuditTrail.verifyReport(on: db)
            #expect(report.problems.isEmpty, "\(report.problems)")
        }
    }
}

@Suite("Freed memory goes back to the system")
struct ReturnFreedMemoryTests {
    @Test("glibc's malloc_trim is found, and a trim after freeing 64 MB answers that memory was released")
    func trimIsAvailable() throws {
        let trim = try #require(ReturnFreedMemory.trim, "without it the server's resident memory only grows")
        // Many mid-sized blocks (below the mmap threshold) land in the heap; once freed, a trim returns them.
        var blocks: [UnsafeMutableRawPointer] = []
        for _ in 0..<1024 {
            let block = malloc(64 * 1024)!
            memset(block, 1, 64 * 1024)
            blocks.append(block)
        }
        // A block kept above them stops free() itself from shrinking the heap's top: only a trim gives the pages back.
        let fence = malloc(64 * 1024)!
        blocks.forEach { free($0) }
        #expect(trim(0) == 1)
        free(fence)
    }
}
