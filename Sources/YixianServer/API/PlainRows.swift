import FluentKit
import Foundation
import SQLKit
import SQLiteKit
import SQLiteNIO

extension Database {
    /// The rows of `query` as plain columns. On SQLite the statement goes to SQLiteNIO directly:
    /// SQLiteKit hands out its rows only behind `SQLRow`, whose every column is a `Decodable` pass.
    func plainRows(_ query: SQLQueryString) async throws -> [PlainRow] {
        let sql = self as! any SQLDatabase
        guard let sqlite = self as? any SQLiteDatabase else { return try await sql.raw(query).all().map(PlainRow.init) }
        let (text, binds) = sql.serialize(query)
        let encoder = SQLiteDataEncoder()
        return try await sqlite.query(text, try binds.map { try encoder.encode($0) }).map(PlainRow.init)
    }
}

extension SQLiteDatabase {
    /// Every row of a statement, gathered on SQLite's thread and handed over once. SQLiteNIO's
    /// `query(_:_:)`, which SQLiteKit and Fluent use, hands each row to the event loop as a task of
    /// its own: reading the 55,000-line ledger at start-up was 55,000 tasks and wake-ups, and `serve`
    /// was ready after 1.07–1.17 s instead of 0.78–0.85 s. For a few rows (a page's data versions, a
    /// list of 20) the task this starts costs more than the hops it saves, so they keep `query`.
    func collectedRows(_ text: String, _ binds: [SQLiteData] = []) async throws -> [SQLiteRow] {
        try await withConnection { connection in
            let collected = CollectedRows()
            // The connection's own variant calls back on the thread that steps the statement.
            try await connection.query(text, binds) { collected.rows.append($0) }
            return collected.rows
        }
    }
}

/// Filled by one thread, one row after another, and read once the statement is done.
private final class CollectedRows: @unchecked Sendable {
    var rows: [SQLiteRow] = []
}

/// The columns of a result row read without a `Decodable` pass: SQLite's own values where the
/// database is SQLite (a keyed decoder per row was 10 % of a cadre list), `SQLRow.decode` elsewhere.
struct PlainRow {
    private enum Source {
        case sqlite(SQLiteRow)
        case other(any SQLRow)
    }

    private let source: Source

    init(_ row: any SQLRow) { source = .other(row) }
    init(_ row: SQLiteRow) { source = .sqlite(row) }

    /// Through `SQLRow`: NULL is nil, anything else is decoded.
    private static func decode<T: Decodable>(_ row: any SQLRow, _ column: String, as type: T.Type) throws -> T? {
        try row.decodeNil(column: column) ? nil : row.decode(column: column, as: T.self)
    }

    func value<T: Decodable & SQLiteDataConvertible>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let value = try optional(column, as: T.self) else {
            throw DecodingError.valueNotFound(T.self, .init(codingPath: [], debugDescription: "column \(column) is NULL"))
        }
        return value
    }

    func optional<T: Decodable & SQLiteDataConvertible>(_ column: String, as type: T.Type = T.self) throws -> T? {
        switch source {
        case .other(let row):
            return try Self.decode(row, column, as: T.self)
        case .sqlite(let row):
            guard let data = row.column(column) else {
                throw DecodingError.valueNotFound(T.self, .init(codingPath: [], debugDescription: "no column \(column)"))
            }
            if case .null = data { return nil }
            guard let value = T(sqliteData: data) else {
                throw DecodingError.typeMismatch(T.self, .init(codingPath: [], debugDescription: "column \(column) holds \(data)"))
            }
            return value
        }
    }

    func string(_ column: String) throws -> String { try value(column) }
    func int(_ column: String) throws -> Int { try value(column) }
    func bool(_ column: String) throws -> Bool { try value(column) }
    func uuid(_ column: String) throws -> UUID {
        guard let id = try optionalUUID(column) else {
            throw DecodingError.valueNotFound(UUID.self, .init(codingPath: [], debugDescription: "column \(column) is NULL"))
        }
        return id
    }

    /// SQLite keeps ids as text.
    func optionalUUID(_ column: String) throws -> UUID? {
        if case .other(let row) = source { return try Self.decode(row, column, as: UUID.self) }
        guard let text = try optional(column, as: String.self) else { return nil }
        guard let id = UUID(text: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "column \(column) is not a UUID"))
        }
        return id
    }
}
