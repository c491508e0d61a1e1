import Crypto
import Fluent
import Foundation
import SQLKit
import Vapor

/// The append-only audit trail. Each event's hash covers the previous event's hash,
/// so removing or editing a line is detectable by `verify`.
enum AuditTrail {
    struct Actor: Sendable {
        var id: UUID?
        var name: String

        static let system = Actor(id: nil, name: "system")
        init(id: UUID?, name: String) {
            self.id = id
            self.name = name
        }
        init(_ user: CurrentUser) {
            self.init(id: user.id, name: user.username)
        }
    }

    /// Appends an event. Call inside the same write transaction as the change it records,
    /// so both commit or neither does.
    static func record(_ action: String, objectType: String, objectID: String, detail: String = "", by actor: Actor,
                       on db: any Database) async throws {
        if !db.isSQLite, let sql = db as? any SQLDatabase {
            // Serialises appenders on PostgreSQL; SQLite's IMMEDIATE transaction already does.
            try await sql.raw("SELECT pg_advisory_xact_lock(7741)").run()
        }
        let last = try await AuditEventModel.query(on: db).sort(\.$seq, .descending).first()
        let event = AuditEventModel()
        event.seq = (last?.seq ?? 0) + 1
        // Whole milliseconds, so the hash recomputed from the stored value matches on every database.
        event.at = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded() / 1000)
        event.actorID = actor.id
        event.actorName = actor.name
        event.action = action
        event.objectType = objectType
        event.objectID = objectID
        event.detail = detail
        event.prevHash = last?.hash ?? ""
        event.hash = hash(of: event)
        try await event.create(on: db)
    }

    static func hash(of event: AuditEventModel) -> String {
        let millis = Int64((event.at.timeIntervalSince1970 * 1000).rounded())
        let fields = [String(event.seq), String(millis), event.actorID?.uuidString ?? "", event.actorName, event.action,
                      event.objectType, event.objectID, event.detail, event.prevHash]
        return SHA256.hash(data: Data(fields.joined(separator: "\u{1F}").utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The sequence numbers where the chain is broken (empty when intact).
    static func verify(on db: any Database) async throws -> [Int] {
        var broken: [Int] = []
        var previous = ""
        var expectedSeq = 1
        for event in try await AuditEventModel.query(on: db).sort(\.$seq).all() {
            if event.seq != expectedSeq || event.prevHash != previous || hash(of: event) != event.hash {
                broken.append(event.seq)
            }
            previous = event.hash
            expectedSeq = event.seq + 1
        }
        return broken
    }
}
