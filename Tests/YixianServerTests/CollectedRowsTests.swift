import Fluent
import Foundation
import SQLKit
import SQLiteKit
import Testing
@testable import YixianServer

@Suite("Rows gathered on SQLite's thread")
struct CollectedRowsTests {
    @Test("collectedRows gives the rows query(_:_:) gives, in order, with binds, inside a write too; an error surfaces as one")
    func sameRows() async throws {
        try await TestServer.with(seed: false) { server in
            guard let sqlite = server.app.db as? any SQLiteDatabase else {
                // PostgreSQL has no SQLite rows to gather: plain rows read through SQLKit there.
                let rows = try await server.app.db.plainRows("SELECT 1 AS one")
                #expect(try rows.map { try $0.value("one", as: Int.self) } == [1])
                return
            }
            let sql = server.app.db as! any SQLDatabase
            try await sql.raw("CREATE TABLE collected_probe (n INTEGER NOT NULL, label TEXT)").run()
            try await server.app.db.write { db in
                for n in 0..<1_500 { try await (db as! any SQLDatabase).raw("INSERT INTO collected_probe VALUES (\(bind: n), \(bind: n % 7 == 0 ? nil : "第\(n)行"))").run() }
            }
            let statement = "SELECT n, label FROM collected_probe WHERE n >= ? ORDER BY n DESC"
            @Sendable func values(_ rows: [SQLiteRow]) -> [String] { rows.map { "\($0.column("n")?.integer ?? -1)|\($0.column("label")?.string ?? "NULL")" } }
            let gathered = try await sqlite.collectedRows(statement, [.integer(20)])
            let queried = try await sqlite.query(statement, [.integer(20)])
            #expect(gathered.count == 1_480)
            #expect(values(gathered) == values(queried))
            let inWrite = try await server.app.db.write { db in values(try await (db as! any SQLiteDatabase).collectedRows(statement, [.integer(1_490)])) }
            #expect(inWrite == (1_490..<1_500).reversed().map { "\($0)|" + ($0 % 7 == 0 ? "NULL" : "第\($0)行") })
            #expect(inWrite.contains("1491|NULL") && inWrite.contains("1498|NULL"))
            await #expect(throws: (any Error).self) { _ = try await sqlite.collectedRows("SELECT nope FROM collected_probe") }
        }
    }
}
