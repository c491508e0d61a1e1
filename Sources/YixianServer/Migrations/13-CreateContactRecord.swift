import Fluent
import SQLKit

struct CreateContactRecord: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("contact_records")
            .id()
            .field("cadre_id", .uuid, .required, .references("cadres", "id"))
            .field("kind", .string, .required)
            .field("start_at", .datetime, .required)
            .field("end_at", .datetime, .required)
            .field("place", .string, .required)
            .field("venue", .string)
            .field("collective_codes", .string, .required)
            .field("college_code", .string)
            .field("participant_count", .int, .required)
            .field("hours", .double, .required)
            .field("confirmed_count", .int, .required)
            .field("status", .string, .required)
            .field("summary", .string, .required)
            .field("created_at", .datetime, .required)
            .field("created_by", .uuid)
            .field("submitted_at", .datetime)
            .field("version", .int, .required)
            .field("confirm_code", .string, .required)
            .field("backdate_reason", .string)
            .unique(on: "confirm_code")
            .create()
        try await (database as! any SQLDatabase).create(index: "contact_records_cadre_start_idx")
            .on("contact_records").column("cadre_id").column("start_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("contact_records").delete()
    }
}
