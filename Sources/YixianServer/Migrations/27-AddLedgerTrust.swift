import Fluent
import SQLKit

/// Ledger lines that can be trusted: a submitted record is voided (作废) with a reason instead of
/// deleted, and a student's confirmation names the version of the record it was given for, so a
/// correction that changes what happened asks the students again. A student may then confirm once
/// per version, so the (record, student) uniqueness becomes (record, student, version): the table is
/// rebuilt, since SQLite cannot drop a constraint in place.
struct AddLedgerTrust: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        for (key, type) in [("voided_at", DatabaseSchema.DataType.datetime), ("voided_by", .string), ("void_reason", .string)] as [(FieldKey, DatabaseSchema.DataType)] {
            try await database.schema("contact_records").field(key, type).update()
        }
        try await database.schema("contact_confirmations_v2")
            .id()
            .field("record_id", .uuid, .required, .references("contact_records", "id", onDelete: .cascade))
            .field("student_id", .uuid, .required, .references("students", "id"))
            .field("confirmed_at", .datetime, .required)
            .field("record_version", .int, .required)
            .unique(on: "record_id", "student_id", "record_version")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("""
            INSERT INTO contact_confirmations_v2 (id, record_id, student_id, confirmed_at, record_version)
            SELECT id, record_id, student_id, confirmed_at, 1 FROM contact_confirmations
            """).run()
        try await sql.raw("DROP TABLE contact_confirmations").run()
        try await sql.raw("ALTER TABLE contact_confirmations_v2 RENAME TO contact_confirmations").run()
        try await sql.raw("CREATE INDEX contact_confirmations_student ON contact_confirmations (student_id)").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("DROP INDEX contact_confirmations_student").run()
        try await sql.raw("DELETE FROM contact_confirmations WHERE record_version > 1").run()
        try await database.schema("contact_confirmations").deleteField("record_version").update()
        for key in ["voided_at", "voided_by", "void_reason"] {
            try await database.schema("contact_records").deleteField(.string(key)).update()
        }
    }
}
