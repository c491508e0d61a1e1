import Fluent
import Foundation
import SQLKit

/// The people plans bind (issue 10 item 2, POLICY-FORMAT §4.18 and §4.20):
///
/// - a pairing whose target is a college (东南大学 二1 “每个部处根据各自的工作实际联系相关院（系）”):
///   `pairings.college_id`, a unit of kind college, set instead of `collective_id` and `student_id`.
///   A plain column: SQLite cannot add a foreign-key constraint to an existing table, so
///   `PairingService.add` checks the unit exists and is a college before a row is written, and units
///   are never deleted (they are made inactive);
/// - `support_logs` joins `data_versions`: `perKeyStudent` count rules judge key-student talks from
///   it, so the compliance facts must be read again when a log is added.
struct AddPairingCollege: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PairingModel.schema).field("college_id", .uuid).update()
        try await CreateDataVersions.track(SupportLogModel.schema, on: database)
    }

    func revert(on database: any Database) async throws {
        try await CreateDataVersions.untrack(SupportLogModel.schema, on: database)
        try await database.schema(PairingModel.schema).deleteField("college_id").update()
    }
}
