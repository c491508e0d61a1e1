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
    /// For monthly and weekly filings: the month (`2025-10`) or ISO week (`2025-W41`) reported on, as `Period` ids
    /// write it. Without it a filing belongs to the month or week of its day (a meeting record, the day it was held).
    public var periodID: String?
    /// A filing of one cadre (每位校领导每学期提交 1 份报告, §4.16): it counts for that cadre's cells only.
    public var cadreStaffNumber: String?

    public static let schoolUnitCode = "school"

    public init(id: String, unitCode: String, termID: String, kind: String, submittedOn: LocalDate, periodID: String? = nil,
                cadreStaffNumber: String? = nil) {
        self.id = id
        self.unitCode = unitCode
        self.termID = termID
        self.kind = kind
        self.submittedOn = submittedOn
        self.periodID = periodID
        self.cadreStaffNumber = cadreStaffNumber
    }
}
