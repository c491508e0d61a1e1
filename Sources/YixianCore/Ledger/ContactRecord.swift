import Foundation

/// One ledger line (联系记录): a cadre's contact with students.
public struct ContactRecord: Hashable, Sendable, Codable {
    public enum Status: String, CaseIterable, Sendable, Codable, Labelled {
        case draft, submitted, confirmed, flagged
        /// 作废: withdrawn by its cadre or the office with a reason; kept in the history, counted nowhere.
        case voided

        public var label: Localized {
            switch self {
            case .draft: Localized(zh: "草稿", en: "Draft")
            case .submitted: Localized(zh: "已提交", en: "Submitted")
            case .confirmed: Localized(zh: "学生已确认", en: "Confirmed")
            case .flagged: Localized(zh: "存疑待核", en: "Flagged")
            case .voided: Localized(zh: "已作废", en: "Voided")
            }
        }
    }

    public var id: String
    public var cadreStaffNumber: String
    /// A `ContactKind` code of the policy's vocabulary.
    public var kind: String
    public var start: Date
    public var end: Date
    /// The local days of `start` and `end`: periods and deadlines are judged on these.
    public var startDay: LocalDate
    public var endDay: LocalDate
    public var place: String
    /// A `ContactVenue` code, if known.
    public var venue: String?
    public var collectiveCodes: [String]
    /// The college visited, for contacts with no particular collective (调研 in a 联系教学院).
    public var collegeCode: String?
    /// Person-times (人次): students met.
    public var participantCount: Int
    public var hours: Double
    /// Students who confirmed in their portal that the contact took place.
    public var confirmedByStudents: Int
    public var status: Status
    /// The student numbers of those who took part, when the line names them (§4.14, “同一学生一年内不重复”); nil when
    /// it does not. Not a count: `participantCount` stays the person-times.
    public var participantNumbers: [String]?

    /// Days are derived from the instants in the given UTC offset (China Standard Time by default);
    /// `hours` defaults to the duration.
    public init(id: String, cadreStaffNumber: String, kind: String, start: Date, end: Date, place: String = "",
                venue: String? = nil, collectiveCodes: [String] = [], collegeCode: String? = nil,
                participantCount: Int = 1, hours: Double? = nil, confirmedByStudents: Int = 0,
                status: Status = .submitted, utcOffsetSeconds: Int = 8 * 3600, participantNumbers: [String]? = nil) {
        self.id = id
        self.cadreStaffNumber = cadreStaffNumber
        self.kind = kind
        self.start = start
        self.end = max(start, end)
        self.startDay = LocalDate(start, utcOffsetSeconds: utcOffsetSeconds)
        self.endDay = LocalDate(self.end, utcOffsetSeconds: utcOffsetSeconds)
        self.place = place
        self.venue = venue
        self.collectiveCodes = collectiveCodes
        self.collegeCode = collegeCode
        self.participantCount = participantCount
        self.hours = hours ?? self.end.timeIntervalSince(start) / 3600
        self.confirmedByStudents = confirmedByStudents
        self.status = status
        self.participantNumbers = participantNumbers
    }

    /// Confirmed by the students in it, or marked confirmed by a reviewer.
    public var isConfirmed: Bool { status == .confirmed || confirmedByStudents > 0 }
}
