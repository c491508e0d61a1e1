import Fluent
import SQLKit

/// A change counter per table that the compliance and integrity caches read, bumped by triggers
/// inside the writing transaction — so the bump commits with the write or not at all, and no
/// write escapes it (the CLI, an import, a migration, a hand-run SQL statement). A reader reads the
/// counters first and the rows after, so rows can be newer than the counters but never older.
///
/// `contact_changes` logs which ledger line each `contact_records` bump was for, so the cached
/// ledger is refreshed line by line instead of reloaded. It keeps the last 20,000 changes.
///
/// The `instance` row is random per database: two databases in one process (tests) or a
/// restored backup never share a cache key.
struct CreateDataVersions: AsyncMigration {
    /// The tables the caches read. Students only count when a number changes or a row goes:
    /// a new student is in no pairing yet, and imports insert tens of thousands of them.
    static let tables = ["units", "cadres", "collectives", "students", "pairings", "academic_years", "terms", "special_weeks",
                         "term_vacations", "policy_versions", "filings", "contact_records", "attachments"]
    static let keptChanges = 20_000

    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        let sqlite = database.isSQLite
        try await sql.raw("CREATE TABLE data_versions (name TEXT PRIMARY KEY, version BIGINT NOT NULL)").run()
        try await sql.raw(sqlite ? "CREATE TABLE contact_changes (version INTEGER PRIMARY KEY, record_id BLOB NOT NULL)"
                                 : "CREATE TABLE contact_changes (version BIGINT PRIMARY KEY, record_id uuid NOT NULL)").run()
        for table in Self.tables {
            try await sql.raw("INSERT INTO data_versions (name, version) VALUES (\(bind: table), 0)").run()
        }
        try await sql.raw("INSERT INTO data_versions (name, version) VALUES ('instance', \(bind: Int64.random(in: 1...Int64.max)))").run()
        if sqlite {
            for table in Self.tables {
                for operation in ["INSERT", "UPDATE", "DELETE"] {
                    let row = operation == "DELETE" ? "OLD" : "NEW"
                    var event = operation
                    var when = ""
                    if table == "students" {
                        if operation == "INSERT" { continue }
                        if operation == "UPDATE" { event = "UPDATE OF student_number"; when = "WHEN OLD.student_number IS NOT NEW.student_number" }
                    }
                    let log = table != "contact_records" ? "" : """
                        INSERT INTO contact_changes (version, record_id) SELECT version, \(row).id FROM data_versions WHERE name = 'contact_records';
                        DELETE FROM contact_changes WHERE version <= (SELECT version FROM data_versions WHERE name = 'contact_records') - \(Self.keptChanges);
                        """
                    try await sql.raw("""
                        CREATE TRIGGER dv_\(unsafeRaw: table)_\(unsafeRaw: operation.lowercased()) AFTER \(unsafeRaw: event) ON \(unsafeRaw: table)
                        FOR EACH ROW \(unsafeRaw: when) BEGIN
                        UPDATE data_versions SET version = version + 1 WHERE name = '\(unsafeRaw: table)';
                        \(unsafeRaw: log)
                        END
                        """).run()
                }
            }
        } else {
            // Row-level: the bump takes the counter row's lock until commit, so versions are handed
            // out in commit order and a reader of `contact_changes` never skips a change still in flight.
            try await sql.raw("""
                CREATE OR REPLACE FUNCTION yixian_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE v bigint;
                BEGIN
                    UPDATE data_versions SET version = version + 1 WHERE name = TG_TABLE_NAME RETURNING version INTO v;
                    IF TG_TABLE_NAME = 'contact_records' THEN
                        IF TG_OP = 'DELETE' THEN
                            INSERT INTO contact_changes (version, record_id) VALUES (v, OLD.id);
                        ELSE
                            INSERT INTO contact_changes (version, record_id) VALUES (v, NEW.id);
                        END IF;
                        DELETE FROM contact_changes WHERE version <= v - \(unsafeRaw: String(Self.keptChanges));
                    END IF;
                    RETURN NULL;
                END $$
                """).run()
            for table in Self.tables where table != "students" {
                try await sql.raw("""
                    CREATE TRIGGER dv_\(unsafeRaw: table) AFTER INSERT OR UPDATE OR DELETE ON \(unsafeRaw: table)
                    FOR EACH ROW EXECUTE PROCEDURE yixian_bump_version()
                    """).run()
            }
            try await sql.raw("""
                CREATE TRIGGER dv_students_update AFTER UPDATE OF student_number ON students FOR EACH ROW
                WHEN (OLD.student_number IS DISTINCT FROM NEW.student_number) EXECUTE PROCEDURE yixian_bump_version()
                """).run()
            try await sql.raw("CREATE TRIGGER dv_students_delete AFTER DELETE ON students FOR EACH ROW EXECUTE PROCEDURE yixian_bump_version()").run()
        }
    }

    /// Adds a later table to the counters: its row, and a trigger bumping it on every change of the
    /// given kinds (a table whose new rows no cache has read yet may leave out INSERT).
    static func track(_ table: String, operations: [String] = ["INSERT", "UPDATE", "DELETE"], on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("INSERT INTO data_versions (name, version) VALUES (\(bind: table), 0)").run()
        if database.isSQLite {
            for operation in operations {
                try await sql.raw("""
                    CREATE TRIGGER dv_\(unsafeRaw: table)_\(unsafeRaw: operation.lowercased()) AFTER \(unsafeRaw: operation) ON \(unsafeRaw: table)
                    FOR EACH ROW BEGIN UPDATE data_versions SET version = version + 1 WHERE name = '\(unsafeRaw: table)'; END
                    """).run()
            }
        } else {
            try await sql.raw("""
                CREATE TRIGGER dv_\(unsafeRaw: table) AFTER \(unsafeRaw: operations.joined(separator: " OR ")) ON \(unsafeRaw: table)
                FOR EACH ROW EXECUTE PROCEDURE yixian_bump_version()
                """).run()
        }
    }

    /// Undoes `track`: the trigger and the counter go.
    static func untrack(_ table: String, on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        if database.isSQLite {
            for operation in ["insert", "update", "delete"] { try await sql.raw("DROP TRIGGER IF EXISTS dv_\(unsafeRaw: table)_\(unsafeRaw: operation)").run() }
        } else {
            try await sql.raw("DROP TRIGGER IF EXISTS dv_\(unsafeRaw: table) ON \(unsafeRaw: table)").run()
        }
        try await sql.raw("DELETE FROM data_versions WHERE name = \(bind: table)").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        if database.isSQLite {
            for table in Self.tables {
                for operation in ["insert", "update", "delete"] { try await sql.raw("DROP TRIGGER IF EXISTS dv_\(unsafeRaw: table)_\(unsafeRaw: operation)").run() }
            }
        } else {
            for table in Self.tables where table != "students" { try await sql.raw("DROP TRIGGER IF EXISTS dv_\(unsafeRaw: table) ON \(unsafeRaw: table)").run() }
            try await sql.raw("DROP TRIGGER IF EXISTS dv_students_update ON students").run()
            try await sql.raw("DROP TRIGGER IF EXISTS dv_students_delete ON students").run()
            try await sql.raw("DROP FUNCTION IF EXISTS yixian_bump_version()").run()
        }
        try await sql.raw("DROP TABLE contact_changes").run()
        try await sql.raw("DROP TABLE data_versions").run()
    }
}
