import Fluent
import Foundation
import SQLKit

/// Help and talks logged per student in special difficulty (精准帮扶, 苏州大学 三3(3)): one row per
/// help, naming the student and the helper. The ledger's contact records name collectives and a
/// head count, never a student, so these live apart; the helper assignment itself is a
/// `key-student` pairing and needs no table.
struct CreateSupportLogs: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(SupportLogModel.schema)
            .id()
            .field("student_id", .uuid, .required, .references("students", "id"))
            .field("cadre_id", .uuid, .required, .references("cadres", "id"))
            .field("day", .string, .required)
            .field("kind", .string, .required)
            .field("note", .string, .required)
            .field("created_at", .datetime, .required)
            .field("created_by", .string, .required)
            .create()
        try await (database as! any SQLDatabase).create(index: "support_logs_student").on(SupportLogModel.schema).column("student_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(SupportLogModel.schema).delete()
    }
}
