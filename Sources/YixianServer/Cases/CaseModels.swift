import Fluent
import Foundation
import YixianCore

/// A student's case (诉求) as stored. Deadlines and escalation are not columns: they follow from
/// the policy's response rule, the calendar and the day.
final class CaseModel: Model, @unchecked Sendable {
    static let schema = "cases"
    @ID var id: UUID?
    /// The tracking number (受理编号) the student is given, e.g. `YX-20251009-4821`.
    @Field(key: "number") var number: String
    @Field(key: "channel") var channel: String
    /// Which mailbox a letter went to (`president`, `secretary`, `department`).
    @OptionalField(key: "mailbox") var mailbox: String?
    @Field(key: "category") var category: String
    @Field(key: "urgent") var urgent: Bool
    @Field(key: "tier") var tier: String
    @Field(key: "title") var title: String
    @Field(key: "text") var text: String
    @Field(key: "status") var status: String
    @OptionalParent(key: "responsible_unit_id") var responsibleUnit: UnitModel?
    @OptionalParent(key: "submitter_student_id") var submitter: StudentModel?
    /// SHA-256 of the follow-up secret of a letter sent without an account.
    @OptionalField(key: "secret_hash") var secretHash: String?
    @OptionalParent(key: "contact_record_id") var contact: ContactRecordModel?
    /// The cadre who recorded it (from a contact) or to whom a student addressed it.
    @OptionalParent(key: "cadre_id") var cadre: CadreModel?
    @OptionalField(key: "collective_code") var collectiveCode: String?
    @Field(key: "received_on") var receivedOn: String
    @OptionalField(key: "first_responded_on") var firstRespondedOn: String?
    @OptionalField(key: "answered_on") var answeredOn: String?
    @OptionalField(key: "outcome") var outcome: String?
    @OptionalField(key: "answer_text") var answerText: String?
    @OptionalField(key: "rating") var rating: String?
    @OptionalField(key: "rating_comment") var ratingComment: String?
    @Field(key: "reopened") var reopened: Bool
    /// Closed pauses as JSON `[{"start":"…","end":"…"}]`.
    @Field(key: "pauses") var pauses: String
    @OptionalField(key: "paused_since") var pausedSince: String?
    /// 延期 approved (nil on rows from before extensions: none).
    @OptionalField(key: "extension_days") var extensionDays: Int?
    @OptionalField(key: "requested_extension") var requestedExtension: Int?
    /// Why the last extension was asked for.
    @OptionalField(key: "extension_reason") var extensionReason: String?
    /// `merged` or `split`: closed without an answer of its own.
    @OptionalField(key: "closed_as") var closedAs: String?
    @OptionalField(key: "merged_into_id") var mergedInto: UUID?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    /// The workflow's view of the row.
    var state: CaseState {
        var state = CaseState(stored: status, unitCode: $responsibleUnit.value??.code, receivedOn: receivedOn, firstRespondedOn: firstRespondedOn,
                              answeredOn: answeredOn, outcome: outcome, rating: rating, reopened: reopened, pauses: pauses, pausedSince: pausedSince,
                              urgent: urgent, extensionDays: extensionDays, requestedExtension: requestedExtension, closedAs: closedAs)
        // Hours tiers (§4.17) count from the time it came in: the row's creation, when it was entered the day it was received.
        if let day = LocalDate(receivedOn), LocalDate(createdAt) == day {
            state.receivedMinute = Int(createdAt.timeIntervalSince(day.startInstant()) / 60)
        }
        return state
    }

    /// Writes the workflow's result back (the unit is set by the caller, who knows its id).
    func apply(_ state: CaseState) {
        status = state.status.rawValue
        firstRespondedOn = state.firstRespondedOn?.iso
        answeredOn = state.answeredOn?.iso
        outcome = state.outcome?.rawValue
        rating = state.rating?.rawValue
        reopened = state.reopened
        pauses = String(decoding: (try? JSONEncoder().encode(state.pauses)) ?? Data("[]".utf8), as: UTF8.self)
        pausedSince = state.pausedSince?.iso
        extensionDays = state.extensionDays
        requestedExtension = state.requestedExtension
        closedAs = state.closedAs?.rawValue
    }
}

extension CaseState {
    /// From the stored columns, however they were read (a Fluent model or a plain row).
    init(stored status: String, unitCode: String?, receivedOn: String, firstRespondedOn: String?, answeredOn: String?, outcome: String?,
         rating: String?, reopened: Bool, pauses: String, pausedSince: String?, urgent: Bool, extensionDays: Int? = nil,
         requestedExtension: Int? = nil, closedAs: String? = nil) {
        self.init(status: CaseStatus(rawValue: status) ?? .new, responsibleUnitCode: unitCode, receivedOn: LocalDate(receivedOn) ?? LocalDate(dayNumber: 0),
                  firstRespondedOn: firstRespondedOn.flatMap(LocalDate.init), answeredOn: answeredOn.flatMap(LocalDate.init),
                  outcome: outcome.flatMap(CaseOutcome.init), rating: rating.flatMap(CaseRating.init), reopened: reopened,
                  // Most cases never paused: skip the decoder for the empty list.
                  pauses: pauses == "[]" ? [] : (try? JSONDecoder().decode([DateRange].self, from: Data(pauses.utf8))) ?? [],
                  pausedSince: pausedSince.flatMap(LocalDate.init), urgent: urgent, extensionDays: extensionDays ?? 0,
                  requestedExtension: requestedExtension, closedAs: closedAs.flatMap(CaseClosure.init))
    }
}

/// Only what a case's clock needs (category, deadlines, answer), for the charts that count the
/// term's cases by timeliness: no text, no names to join.
struct CaseClock: Decodable, Sendable {
    var category: String
    var status: String
    var tier: String
    var received_on: String
    var first_responded_on: String?
    var answered_on: String?
    var reopened: Bool
    var pauses: String
    var paused_since: String?
    var urgent: Bool
    var extension_days: Int?
    var responsible_unit_id: UUID?
    var cadre_id: UUID?

    var state: CaseState {
        CaseState(stored: status, unitCode: nil, receivedOn: received_on, firstRespondedOn: first_responded_on, answeredOn: answered_on,
                  outcome: nil, rating: nil, reopened: reopened, pauses: pauses, pausedSince: paused_since, urgent: urgent,
                  extensionDays: extension_days)
    }
}

/// A case as the whole-term pages read it: plain columns and two names, no model to reflect over.
struct CaseRow: Decodable, Sendable {
    var id: UUID
    var number: String
    var channel: String
    var category: String
    var text: String
    var status: String
    var tier: String
    var outcome: String?
    var rating: String?
    var received_on: String
    var first_responded_on: String?
    var answered_on: String?
    var reopened: Bool
    var pauses: String
    var paused_since: String?
    var urgent: Bool
    var extension_days: Int?
    var closed_as: String?
    var unit_name: String?
    var cadre_name: String?

    var state: CaseState {
        CaseState(stored: status, unitCode: nil, receivedOn: received_on, firstRespondedOn: first_responded_on, answeredOn: answered_on,
                  outcome: outcome, rating: rating, reopened: reopened, pauses: pauses, pausedSince: paused_since, urgent: urgent,
                  extensionDays: extension_days, closedAs: closed_as)
    }
}

/// One step in a case's history: who did what, to which unit, and why.
final class CaseEventModel: Model, @unchecked Sendable {
    static let schema = "case_events"
    @ID var id: UUID?
    @Parent(key: "case_id") var studentCase: CaseModel
    @Field(key: "at") var at: Date
    /// The display name of who acted (`学生` for the student themself, `系统` for escalation).
    @Field(key: "actor") var actor: String
    @Field(key: "action") var action: String
    @OptionalField(key: "unit_code") var unitCode: String?
    @Field(key: "note") var note: String

    init() {}
}
