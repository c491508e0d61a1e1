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
        try await CreateDataVersions.track("workday_uploads", on: database)
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("DELETE FROM data_versions WHERE name = 'workday_uploads'").run()
        try await database.schema("workday_uploads").delete()
    }
}
