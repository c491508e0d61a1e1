import Fluent
import FluentSQLiteDriver
import Foundation
import SQLKit
import Vapor

/// One value of a row written by `BulkInsert`, typed so that SQLite's binds are made directly:
/// through SQLKit each value went through an `Encodable` encoder and a dynamic cast, and every
/// statement was serialised placeholder by placeholder — a sixth of a 30,000-student import.
enum BulkValue: Sendable {
    case uuid(UUID)
    case optionalUUID(UUID?)
    case text(String)
    case int(Int)
    case bool(Bool)
    case date(Date)

    /// As SQLiteKit stores it (upper-case UUID text, 0/1, seconds since 1970), so rows read back the
    /// same whichever path wrote them.
    var sqlite: SQLiteData {
        switch self {
        case .uuid(let id): .text(id.text)
        case .optionalUUID(let id): id.map { .text($0.text) } ?? .null
        case .text(let text): .text(text)
        case .int(let int): .integer(int)
        case .bool(let bool): .integer(bool ? 1 : 0)
        case .date(let date): .float(date.timeIntervalSince1970)
        }
    }

    /// The bind PostgreSQL gets, as Fluent would send it.
    var encodable: any Encodable & Sendable {
        switch self {
        case .uuid(let id): id
        case .optionalUUID(let id): id
        case .text(let text): text
        case .int(let int): int
        case .bool(let bool): bool
        case .date(let date): date
        }
    }
}

/// Plain multi-row INSERTs for the large writes of an import and of account provisioning.
enum BulkInsert {
    static let rowsPerStatement = 500

    static func run(into table: String, columns: [String], _ rows: [[BulkValue]], on db: any Database) async throws {
        if let sqlite = db as? any SQLiteDatabase {
            // One statement text per chunk size, binds straight from the values.
            let head = "INSERT INTO \"\(table)\" (\(columns.map { "\"\($0)\"" }.joined(separator: ", "))) VALUES "
            let tuple = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
            func statement(_ count: Int) -> String { head + Array(repeating: tuple, count: count).joined(separator: ", ") }
            let full = statement(rowsPerStatement)
            // The next chunk's binds are made here while SQLite, on its own thread, stores the one
            // before: one statement at a time on the connection, and the two cores both busy.
            var running: Task<Void, any Error>?
            for start in stride(from: 0, to: rows.count, by: rowsPerStatement) {
                let chunk = rows[start..<min(start + rowsPerStatement, rows.count)]
                var binds: [SQLiteData] = []
                binds.reserveCapacity(chunk.count * columns.count)
                for row in chunk {
                    precondition(row.count == columns.count, "a bulk row has one value per column")
                    for value in row { binds.append(value.sqlite) }
                }
                let text = chunk.count == rowsPerStatement ? full : statement(chunk.count)
                try await running?.value
                running = Task { _ = try await sqlite.query(text, binds) }
            }
            try await running?.value
            return
        }
        let sql = db as! any SQLDatabase
        for start in stride(from: 0, to: rows.count, by: rowsPerStatement) {
            var insert = sql.insert(into: table).columns(columns)
            for row in rows[start..<min(start + rowsPerStatement, rows.count)] { insert = insert.values(row.map(\.encodable)) }
            try await insert.run()
        }
    }
}

extension BulkInsert {
    /// Runs a large write with SQLite's page cache raised to 256 MB (a bound, not an allocation), so
    /// the pages it dirties stay in memory until its commit. With the everyday 16 MB a 30,000-student
    /// import spilled dirty pages to the WAL and rewrote them: 49,000 writes and 26,000 reads for a
    /// 52 MB file. The everyday size comes back before the commit, and the pages over it are freed
    /// as the commit releases them.
    static func withRoomyCache<T: Sendable>(on db: any Database, _ body: () async throws -> T) async throws -> T {
        guard let sqlite = db as? any SQLiteDatabase else { return try await body() }
        _ = try await sqlite.query("PRAGMA cache_size=-262144")
        let result: T
        do {
            result = try await body()
        } catch {
            _ = try? await sqlite.query("PRAGMA cache_size=\(Application.sqliteCacheSize)")
            throw error
        }
        _ = try await sqlite.query("PRAGMA cache_size=\(Application.sqliteCacheSize)")
        return result
    }
}
