import Fluent
import SQLKit

struct CreatePolicyVersion: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PolicyVersionModel.schema)
            .id()
            .field("policy_code", .string, .required)
            .field("version", .int, .required)
            .field("title", .string, .required)
            .field("source_text", .string, .required)
            .field("effective_from", .string, .required)
            .field("uploaded_by", .string, .required)
            .field("uploaded_at", .datetime, .required)
            .unique(on: "version")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PolicyVersionModel.schema).delete()
    }
}

struct CreateContactRecord: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ContactRecordModel.schema)
            .id()
            .field("cadre_id", .uuid, .required, .references(CadreModel.schema, "id"))
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
            .on(ContactRecordModel.schema).column("cadre_id").column("start_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ContactRecordModel.schema).delete()
    }
}

struct CreateFiling: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(FilingModel.schema)
            .id()
            .field("unit_id", .uuid, .required, .references(UnitModel.schema, "id"))
            .field("term_code", .string, .required)
            .field("kind", .string, .required)
            .field("period_id", .string)
            .field("submitted_on", .string, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(FilingModel.schema).delete()
    }
}
