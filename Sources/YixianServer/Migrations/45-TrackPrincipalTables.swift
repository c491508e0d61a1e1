import Fluent

/// The tables a signed-in request's account is read from join `data_versions`, so the account
/// behind a token or a session can be kept between requests (`AuthMiddleware.PrincipalRow.cached`)
/// and read again as soon as any of them changes: a revoked token, a disabled or locked account, a
/// new notification, a cadre moved to another unit (units and cadres are counted already).
///
/// A new account, token or session is in no one's cache yet, so only their changes count: a roster
/// import creates tens of thousands of accounts. A new notification counts: it changes a badge.
struct TrackPrincipalTables: AsyncMigration {
    static let changesOnly = ["users", "api_tokens", "sessions"]

    func prepare(on database: any Database) async throws {
        for table in Self.changesOnly { try await CreateDataVersions.track(table, operations: ["UPDATE", "DELETE"], on: database) }
        try await CreateDataVersions.track("notifications", on: database)
    }

    func revert(on database: any Database) async throws {
        for table in Self.changesOnly + ["notifications"] { try await CreateDataVersions.untrack(table, on: database) }
    }
}
