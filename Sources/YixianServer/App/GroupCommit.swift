import Fluent
import NIOConcurrencyHelpers
import SQLKit

/// Group commit for one SQLite file. Writers queue their transaction bodies; one drainer runs
/// everything queued so far inside a single `BEGIN IMMEDIATE … COMMIT`, each body in its own
/// savepoint, and acknowledges every writer only after that shared commit. One fsync then covers
/// the whole batch, and the write lock passes from body to body without an event-loop hop per
/// writer, which is what limited a busy server: a lone writer's statements queued behind every
/// reader's work on its event loop while all other writers waited for the lock.
///
/// A body that throws is rolled back to its savepoint and only its writer sees the error; the
/// rest of the batch commits. If the savepoint cannot be rolled back or the commit fails, nothing
/// of the batch is kept and every writer in it gets the error. Writers are served in arrival
/// order, and waiting holds no thread and no connection (SQLite's own busy handler polls with
/// growing sleeps, and writers on a busy event loop starved one past its timeout). Durability is unchanged: `synchronous=FULL`, and no writer hears "done" before the
/// commit that holds its rows has returned.
final class GroupCommit: Sendable {
    /// Upper bound on one batch, so one commit never holds the lock for an unbounded queue.
    static let maximumBatch = 128

    private let queue = Queue()
    /// Work bodies ask for once per batch, just before its commit (keyed: the last request wins);
    /// nil while no batch runs.
    private let preCommit = NIOLockedValueBox<[String: @Sendable () -> Void]?>(nil)

    /// Runs `action` once, right before the running batch commits, instead of once per writer; a
    /// later call with the same key in the same batch replaces it. False when no batch is running
    /// (a caller outside `Database.write`): then the caller must do the work itself.
    func beforeCommit(_ key: String, _ action: @escaping @Sendable () -> Void) -> Bool {
        preCommit.withLockedValue { actions in
            guard actions != nil else { return false }
            actions![key] = action
            return true
        }
    }

    /// Values one body leaves for the next bodies of the running batch (the audit chain's head, so
    /// each writer need not read back what the one before it appended). Forgotten when a body is
    /// rolled back to its savepoint and when the batch ends; nil while no batch runs.
    private let memo = NIOLockedValueBox<[String: any Sendable]?>(nil)

    /// What an earlier body of the running batch remembered under `key`.
    func remembered<T: Sendable>(_ key: String, as type: T.Type = T.self) -> T? {
        memo.withLockedValue { $0?[key] as? T }
    }

    /// Keeps `value` for the later bodies of the running batch; nothing when no batch runs.
    func remember(_ key: String, _ value: any Sendable) {
        memo.withLockedValue { values in
            if values != nil { values![key] = value }
        }
    }

    /// How many transactions have been begun for batches (for tests and the benchmark's log).
    var batchesBegun: Int { get async { await queue.batchesTaken } }

    /// Runs `body` in the next batch and returns its result once the batch has committed.
    /// `committed` runs after the commit, before the writer resumes.
    /// A `bulk` body runs in a batch of its own with SQLite's foreign-key checks off (see
    /// `Database.write(bulk:)`).
    func submit<T: Sendable>(on database: any Database, bulk: Bool = false,
                             _ body: @escaping @Sendable (any Database) async throws -> T,
                             committed: @escaping @Sendable () -> Void) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let result = ResultBox<T>()
            let job = Job(
                bulk: bulk,
                run: { db in result.value = try await body(db) },
                succeed: {
                    committed()
                    continuation.resume(returning: result.value!)
                },
                fail: { continuation.resume(throwing: $0) })
            Task.detached { [self] in
                guard await queue.enqueue(job) else { return }
                await drain(on: database)
            }
        }
    }

    private func drain(on database: any Database) async {
        while true {
            let batch = await queue.takeBatch(maximum: Self.maximumBatch)
            if batch.isEmpty { return }
            await run(batch, on: database)
        }
    }

    private func run(_ batch: [Job], on database: any Database) async {
        // Each writer's own error (nil: its body succeeded), filled as the batch runs.
        let outcomes = Outcomes()
        // `Queue.takeBatch` gives a bulk job a batch of its own.
        let bulk = batch.first?.bulk == true
        do {
            try await database.withConnection { conn in
                let sql = conn as! any SQLDatabase
                guard bulk else {
                    return try await self.transaction(batch, on: conn, outcomes: outcomes)
                }
                // The pragmas are the connection's: set around the transaction (foreign_keys is a
                // no-op inside one), and set back before the connection goes back to the pool.
                // A bulk commit puts tens of megabytes in the WAL; copying them into the database
                // file (the checkpoint SQLite runs in a commit past 1,000 pages) is left to a task
                // started once the writer has its answer. The commit's fsync of the WAL is what
                // makes it durable, as for every other write.
                try await sql.raw("PRAGMA foreign_keys=OFF").run()
                try await sql.raw("PRAGMA wal_autocheckpoint=0").run()
                func restore() async throws {
                    try await sql.raw("PRAGMA foreign_keys=ON").run()
                    try await sql.raw("PRAGMA wal_autocheckpoint=\(unsafeRaw: String(Self.walAutocheckpoint))").run()
                }
                do {
                    try await self.transaction(batch, on: conn, outcomes: outcomes)
                } catch {
                    try await restore()
                    throw error
                }
                try await restore()
            }
        } catch {
            // A writer whose own body failed gets that error; the others the one that undid the batch.
            for (index, job) in batch.enumerated() {
                job.fail(index < outcomes.errors.count ? outcomes.errors[index] ?? error : error)
            }
            return
        }
        for (job, outcome) in zip(batch, outcomes.errors) {
            if let outcome { job.fail(outcome) } else { job.succeed() }
        }
        if bulk {
            // PASSIVE: copies what no reader still needs, waits for nobody.
            Task { try? await (database as! any SQLDatabase).raw("PRAGMA wal_checkpoint(PASSIVE)").run() }
        }
    }

    /// SQLite's default: a commit that leaves the WAL over this many pages copies them into the file.
    static let walAutocheckpoint = 1000

    /// One `BEGIN IMMEDIATE … COMMIT` around the batch, each of several writers in a savepoint.
    private func transaction(_ batch: [Job], on conn: any Database, outcomes: Outcomes) async throws {
        let sql = conn as! any SQLDatabase
        try await sql.raw("BEGIN IMMEDIATE").run()
        preCommit.withLockedValue { $0 = [:] }
        memo.withLockedValue { $0 = [:] }
        defer { memo.withLockedValue { $0 = nil } }
        do {
            if batch.count == 1 {
                // Nothing to isolate it from: its error rolls the transaction back below.
                try await batch[0].run(conn)
                outcomes.errors.append(nil)
            } else {
                // Savepoints are never released: COMMIT ends them all, and `ROLLBACK TO` goes back
                // to the newest of that name, the failing writer's own. A RELEASE per writer was one
                // statement in six of a contact POST.
                for job in batch {
                    try await sql.raw("SAVEPOINT writer").run()
                    do {
                        try await job.run(conn)
                        outcomes.errors.append(nil)
                    } catch {
                        outcomes.errors.append(error)
                        memo.withLockedValue { $0 = [:] }
                        // If this fails too, SQLite has already abandoned the transaction.
                        try await sql.raw("ROLLBACK TO writer").run()
                    }
                }
            }
            let actions = preCommit.withLockedValue { actions in
                defer { actions = nil }
                return Array((actions ?? [:]).values)
            }
            for action in actions { action() }
            try await sql.raw("COMMIT").run()
        } catch {
            preCommit.withLockedValue { $0 = nil }
            try? await sql.raw("ROLLBACK").run()
            throw error
        }
    }

    struct Job: Sendable {
        let bulk: Bool
        let run: @Sendable (any Database) async throws -> Void
        let succeed: @Sendable () -> Void
        let fail: @Sendable (any Error) -> Void
    }

    actor Queue {
        private var pending: [Job] = []
        private var draining = false
        private(set) var batchesTaken = 0

        /// Queues a job; true when the caller must start draining (no drainer is running).
        func enqueue(_ job: Job) -> Bool {
            pending.append(job)
            guard !draining else { return false }
            draining = true
            return true
        }

        /// The next batch in arrival order; empty (and the drainer stops) when nothing waits.
        func takeBatch(maximum: Int) -> [Job] {
            guard !pending.isEmpty else {
                draining = false
                return []
            }
            // A bulk job is a batch of its own: the jobs before it go first, the ones after it next.
            let firstBulk = pending.firstIndex(where: \.bulk)
            let count = firstBulk == 0 ? 1 : min(maximum, pending.count, firstBulk ?? .max)
            let batch = Array(pending.prefix(count))
            pending.removeFirst(count)
            batchesTaken += 1
            return batch
        }
    }
}

/// Only the drainer's task touches it, one statement after another.
private final class Outcomes: @unchecked Sendable {
    var errors: [(any Error)?] = []
}

/// Carries a body's result from the batch to its writer; written once before `succeed` reads it.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
