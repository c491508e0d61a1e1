import Fluent
import Foundation

/// One line of the audit trail. `hash` chains each event to the one before it,
/// so a deleted or edited line breaks the chain and `AuditTrail.verify` finds it.
final class AuditEventModel: Model, @unchecked Sendable {
    static let schema = "audit_events"
    @ID var id: UUID?
    @Field(key: "seq") var seq: Int
    @Field(key: "at") var at: Date
    @OptionalField(key: "actor_id") var actorID: UUID?
    @Field(key: "actor_name") var actorName: String
    @Field(key: "action") var action: String
    @Field(key: "object_type") var objectType: String
    @Field(key: "object_id") var objectID: String
    @Field(key: "detail") var detail: String
    @Field(key: "prev_hash") var prevHash: String
    @Field(key: "hash") var hash: String

    init() {}
}
