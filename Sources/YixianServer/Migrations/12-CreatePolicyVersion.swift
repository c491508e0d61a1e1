import Fluent

struct CreatePolicyVersion: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("policy_versions")
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
        try await database.schema("policy_versions").delete()
    }
}
