import Fluent
import SQLKit

/// The PRC holiday and 调休 schedules the business admin uploads when the State Council publishes a
/// year: each upload replaces the years it declares, over the built-in data. The table joins
/// `data_versions`, so deadlines and verdicts computed on workdays are recomputed after an upload.
struct CreateWorkdayUploads: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("workday_uploads")
            .id()
            .field("text", .string, .required)
            .field("years", .string, .required)
            .field("uploaded_by", .string, .required)
            .field("uploaded_at", .datetime, .required)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("INSERT INTO data_versions (name, version) VALUES ('workday_uploads', 0)").run()
        if database.isSQLite {
            for operation in ["INSERT", "UPDATE", "DELETE"] {
                try await sql.raw("""
                    CREATE TRIGGER dv_workday_uploads_\(unsafeRaw: operation.lowercased()) AFTER \(unsafeRaw: operation) ON workday_uploads
                    FOR EACH ROW BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'workday_uploads'; END
                    """).run()
            }
        } else {
            try await sql.raw("""
                CREATE TRIGGER dv_workday_uploads AFTER INSERT OR UPDATE OR DELETE ON workday_uploads
                FOR EACH ROW EXECUTE PROCEDURE yixian_bump_version()
                """).run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("DELETE FROM data_versions WHERE name = 'workday_uploads'").run()
        try await database.schema("workday_uploads").delete()
    }
}
