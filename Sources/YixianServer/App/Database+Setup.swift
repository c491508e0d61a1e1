import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import SQLKit
import Vapor
import YixianCore

extension Application {
    /// Registers the configured database. SQLite gets WAL, `synchronous=FULL` and a busy
    /// timeout so that an acknowledged write survives a kill -9 and concurrent writers wait
    /// instead of failing.
    func configureDatabase(_ config: AppConfig) throws {
        switch config.storage {
        case .sqlite(let path):
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            // Private to the server's user (0600); SQLite gives its -wal and -shm the same mode.
            if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) }
            chmod(path, 0o600)
            // One connection per event loop: a long import holds its loop's connection, so a
            // request queued behind it waits up to 60 s rather than failing after the default 10.
            let sqlite = DatabaseConfigurationFactory.sqlite(.file(path), connectionPoolTimeout: .seconds(60), sqlLogLevel: .debug)
            databases.use(.init(make: { GatedConfiguration(base: sqlite.make(), committer: GroupCommit()) }), as: .sqlite)
        case .postgres(let url):
            var pg = try SQLPostgresConfiguration(url: url)
            pg.searchPath = ["public"]
            databases.use(.postgres(configuration: pg, maxConnectionsPerEventLoop: 4, sqlLogLevel: .debug), as: .psql)
        }
    }

    /// Each SQLite connection's page cache, in SQLite's notation (negative: KiB).
    static let sqliteCacheSize = "-16000"

    /// Applies per-connection SQLite settings. Fluent keeps one SQLite connection per event
    /// loop for the life of the process, so visiting every loop once covers every connection.
    func prepareSQLiteConnections() async throws {
        guard case .sqlite = yixian.storage else { return }
        for eventLoop in eventLoopGroup.makeIterator() {
            let db = databases.database(logger: logger, on: eventLoop)!
            guard let sql = db as? any SQLDatabase else { continue }
            try await sql.raw("PRAGMA journal_mode=WAL").run()
            try await sql.raw("PRAGMA synchronous=FULL").run()
            try await sql.raw("PRAGMA busy_timeout=30000").run()
            try await sql.raw("PRAGMA foreign_keys=ON").run()
            // 16 MB of page cache instead of 2 MB: a 30,000-student import otherwise spills and
            // re-reads index pages while it inserts.
            try await sql.raw("PRAGMA cache_size=\(unsafeRaw: Self.sqliteCacheSize)").run()
            // Statement journals (how one multi-row INSERT inside a larger transaction is undone on
            // a constraint error) in memory rather than in a temp file: an import wrote each page
            // it touched there once per 500-row statement, 50 times the pages the import stores.
            try await sql.raw("PRAGMA temp_store=MEMORY").run()
        }
    }
}

extension Database {
    var isSQLite: Bool { (self as? any SQLDatabase)?.dialect.name == "sqlite" }

    /// The SQLite file's group committer; nil on PostgreSQL.
    var groupCommitter: GroupCommit? { (context.configuration as? GatedConfiguration)?.committer }

    /// A write transaction. On SQLite it joins the file's group commit (`GroupCommit`): concurrent
    /// writers share one IMMEDIATE transaction and its fsync, each in its own savepoint, and return
    /// only after that commit. IMMEDIATE takes the write lock up front: two deferred transactions
    /// that both read and then write would otherwise deadlock and one would fail with SQLITE_BUSY.
    ///
    /// A `bulk` write (a roster import) runs in a batch of its own with SQLite's foreign-key checks
    /// off: they were a third of its inserts' cost, and every reference such a body writes is an id
    /// it has just read or made under the same write lock. Tests check the result with
    /// `PRAGMA foreign_key_check`.
    func write<T: Sendable>(bulk: Bool = false, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        let claim = Idempotency.current
        let phases = PhaseClock.current
        // The request's Idempotency-Key commits with its write, or neither does.
        let claimed: @Sendable (any Database) async throws -> T = { db in
            // The group commit runs bodies in its own task: a benchmark's phase clock goes along.
            let result = if let phases { try await PhaseClock.$current.withValue(phases) { try await body(db) } } else { try await body(db) }
            try await Idempotency.claimIfNeeded(claim, on: db)
            return result
        }
        // Every SQLite file is registered with its committer (`configureDatabase`); PostgreSQL has none.
        guard let committer = groupCommitter else {
            let result = try await transaction(claimed)
            claim?.committed = true
            return result
        }
        return try await committer.submit(on: self, bulk: bulk, claimed) { claim?.committed = true }
    }
}

/// The SQLite configuration with the file's `GroupCommit` beside it, so that `Database.write`
/// finds the committer from any `Database` of that file (`context.configuration`).
struct GatedConfiguration: DatabaseConfiguration {
    var base: any DatabaseConfiguration
    let committer: GroupCommit
    var middleware: [any AnyModelMiddleware] {
        get { base.middleware }
        set { base.middleware = newValue }
    }
    func makeDriver(for databases: Databases) -> any DatabaseDriver { base.makeDriver(for: databases) }
}
