import Fluent
import Foundation
import YixianCore

/// A ledger line (联系记录). Issue 4 adds evidence, confirmations and corrections around it.
final class ContactRecordModel: Model, @unchecked Sendable {
    static let schema = "contact_records"
    @ID var id: UUID?
    @Parent(key: "cadre_id") var cadre: CadreModel
    @Field(key: "kind") var kind: String
    @Field(key: "start_at") var startAt: Date
    @Field(key: "end_at") var endAt: Date
    @Field(key: "place") var place: String
    @OptionalField(key: "venue") var venue: String?
    /// Collective codes joined by `,`.
    @Field(key: "collective_codes") var collectiveCodes: String
    @OptionalField(key: "college_code") var collegeCode: String?
    @Field(key: "participant_count") var participantCount: Int
    @Field(key: "hours") var hours: Double
    @Field(key: "confirmed_count") var confirmedCount: Int
    @Field(key: "status") var status: String
    @Field(key: "summary") var summary: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var collectiveList: [String] { collectiveCodes.split(separator: ",").map(String.init) }

    func core(staffNumber: String) -> ContactRecord {
        ContactRecord(id: id!.uuidString, cadreStaffNumber: staffNumber, kind: kind, start: startAt, end: endAt, place: place, venue: venue,
                      collectiveCodes: collectiveList, collegeCode: collegeCode, participantCount: participantCount, hours: hours,
                      confirmedByStudents: confirmedCount, status: ContactRecord.Status(rawValue: status) ?? .submitted)
    }
}
