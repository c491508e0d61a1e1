import Fluent
import SQLKit

/// Adds the ciphertext columns to `student_sensitive` and seals the rows written in plaintext
/// before. On SQLite `secure_delete` zeroes the freed plaintext and a checkpoint empties the WAL.
struct SealStudentSensitive: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per ALTER: SQLite adds one at a time.
        try await database.schema("student_sensitive").field("sealed", .string).update()
        try await database.schema("student_sensitive").field("key_id", .string).update()
        let sql = database as! any SQLDatabase
        if database.isSQLite { try await sql.raw("PRAGMA secure_delete=ON").run() }
        let sealed = try await Self.sealPlaintextRows(on: database)
        if database.isSQLite, sealed > 0 {
            // The plaintext lived in pages now free: rebuild the file and empty the WAL.
            try await sql.raw("VACUUM").run()
            try await sql.raw("PRAGMA wal_checkpoint(TRUNCATE)").run()
        }
    }

    /// Seals every row still in plaintext; returns how many.
    static func sealPlaintextRows(on database: any Database) async throws -> Int {
        try await database.write { db in
            let rows = try await StudentSensitiveModel.query(on: db).all().filter { $0.sealed == nil }
            for row in rows {
                row.apply(row.core)
                try await row.save(on: db)
            }
            if !rows.isEmpty {
                try await AuditTrail.record("sensitive.seal", objectType: "student_sensitive", objectID: "*",
                                            detail: "\(rows.count) rows sealed with AES-256-GCM", by: .system, on: db)
            }
            return rows.count
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("student_sensitive").deleteField("key_id").update()
        try await database.schema("student_sensitive").deleteField("sealed").update()
    }
}
