import Fluent

/// CAS tickets already presented (their SHA-256), so a replayed ticket is refused by us as well
/// as by the CAS server. Rows older than two days are pruned as new ones arrive.
struct CreateCASTickets: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("cas_tickets")
            .id()
            .field("ticket_hash", .string, .required)
            .field("used_at", .datetime, .required)
            .unique(on: "ticket_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("cas_tickets").delete()
    }
}
