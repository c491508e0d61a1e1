import Fluent

/// An assessor's finding on an integrity flag: dismissed (with the reason it is fine) or confirmed
/// (弄虚作假 or a real error: its records stop counting). One per flag, by the flag's stable id.
struct CreateIntegrityVerdicts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("integrity_verdicts")
            .id()
            .field("flag_id", .string, .required)
            .field("verdict", .string, .required)
            .field("reason", .string, .required)
            .field("record_ids", .string, .required)
            .field("decided_by", .string, .required)
            .field("decided_at", .datetime, .required)
            .unique(on: "flag_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("integrity_verdicts").delete()
    }
}
