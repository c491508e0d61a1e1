import Foundation

/// Something a unit submits or holds for a term (备案): an arrangement plan, a semester summary,
/// a pairing table, a problem list, or the minutes of a required meeting.
public struct Filing: Hashable, Sendable, Codable {
    public var id: String
    /// The unit that filed; `school` for obligations of the university as a whole.
    public var unitCode: String
    public var termID: String
    /// A filing kind named by the policy, e.g. `arrangement-plan`, `analysis-meeting`.
    public var kind: String
    public var submittedOn: LocalDate
    /// For monthly filings: the month reported on (`2025-10`), as `Period` ids write it.
    public var periodID: String?

    public static let schoolUnitCode = "school"

    public init(id: String, unitCode: String, termID: String, kind: String, submittedOn: LocalDate, periodID: String? = nil) {
        self.id = id
        self.unitCode = unitCode
        self.termID = termID
        self.kind = kind
        self.submittedOn = submittedOn
        self.periodID = periodID
    }
}
