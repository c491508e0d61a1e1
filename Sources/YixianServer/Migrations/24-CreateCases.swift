import Fluent
import SQLKit

/// Students' cases (诉求) from every channel and the history of each step taken on them. A case's
/// deadlines and escalation are computed from these rows and the day, so nothing waits on a timer.
/// `cases` joins `data_versions`: the compliance pages judge the policy's `response` rules on them.
struct CreateCases: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("cases")
            .id()
            .field("number", .string, .required)
            .field("channel", .string, .required)
            .field("mailbox", .string)
            .field("category", .string, .required)
            .field("urgent", .bool, .required)
            .field("tier", .string, .required)
            .field("title", .string, .required)
            .field("text", .string, .required)
            .field("status", .string, .required)
            .field("responsible_unit_id", .uuid, .references("units", "id"))
            // Null for anonymous letters: who wrote them is not stored.
            .field("submitter_student_id", .uuid, .references("students", "id", onDelete: .setNull))
            .field("secret_hash", .string)
            .field("contact_record_id", .uuid, .references("contact_records", "id", onDelete: .setNull))
            .field("cadre_id", .uuid, .references("cadres", "id", onDelete: .setNull))
            .field("collective_code", .string)
            .field("received_on", .string, .required)
            .field("first_responded_on", .string)
            .field("answered_on", .string)
            .field("outcome", .string)
            .field("answer_text", .string)
            .field("rating", .string)
            .field("rating_comment", .string)
            .field("reopened", .bool, .required)
            .field("pauses", .string, .required)
            .field("paused_since", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "number")
            .create()
        try await database.schema("case_events")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("at", .datetime, .required)
            .field("actor", .string, .required)
            .field("action", .string, .required)
            .field("unit_code", .string)
            .field("note", .string, .required)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX cases_unit_status ON cases (responsible_unit_id, status)").run()
        try await sql.raw("CREATE INDEX cases_submitter ON cases (submitter_student_id)").run()
        try await sql.raw("CREATE INDEX case_events_case ON case_events (case_id, at)").run()
        try await CreateDataVersions.track("cases", on: database)
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("DELETE FROM data_versions WHERE name = 'cases'").run()
        try await database.schema("case_events").delete()
        try await database.schema("cases").delete()
    }
}
