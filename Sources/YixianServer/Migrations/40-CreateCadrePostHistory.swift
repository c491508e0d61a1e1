import Fluent
import Foundation
import SQLKit

/// A cadre's posts and unit over time, for the appointment check (三个纳入): a row per stretch in which
/// both stayed the same. Rows are written by `CadrePostHistory.record` in the transaction that
/// changes the cadre. Cadres already in the roster get one open row whose start is unknown
/// (`started_on` NULL): the roster did not keep history before, and none is made up.
struct CreateCadrePostHistory: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(CadrePostModel.schema)
            .id()
            .field("cadre_id", .uuid, .required, .references("cadres", "id"))
            .field("unit_id", .uuid, .required, .references("units", "id"))
            .field("posts", .string, .required)
            .field("started_on", .string)
            .field("recorded_on", .string, .required)
            .field("ended_on", .string)
            .create()
        try await (database as! any SQLDatabase).create(index: "cadre_posts_cadre").on(CadrePostModel.schema).column("cadre_id").run()
        let today = CadrePostHistory.today()
        let rows = try await CadreModel.query(on: database).all().map { CadrePostHistory.opening($0, startedOn: nil, today: today) }
        try await RosterStore.insert(rows, on: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CadrePostModel.schema).delete()
    }
}
