import Fluent

/// 问责: what was done about a cadre's failings (提醒谈话, 批评教育, 通报批评 …), with the evidence that
/// led to it; shown on the cadre's dossier.
struct CreateAccountabilityRecords: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("accountability_records")
            .id()
            .field("cadre_id", .uuid, .required, .references("cadres", "id"))
            .field("kind", .string, .required)
            .field("decided_on", .string, .required)
            .field("reason", .string, .required)
            .field("evidence", .string, .required)
            .field("recorded_by", .string, .required)
            .field("recorded_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("accountability_records").delete()
    }
}
