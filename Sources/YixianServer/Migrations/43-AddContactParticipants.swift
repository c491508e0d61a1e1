import Fluent

/// The students who took part in a ledger line, by student number, joined by `,` (POLICY-FORMAT §4.14: “校领导每次接待
/// 不同的学生”, “同一学生一年内不重复”). Optional: most lines name collectives and a head count, not students; a rule with
/// `distinctParticipantsWithin` needs them. Stored like `collective_codes`, a list the line owns and replaces whole.
struct AddContactParticipants: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("contact_records").field("participant_numbers", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("contact_records").deleteField("participant_numbers").update()
    }
}
