import Foundation

/// A cadre linked to a student collective (or to one key student) for an academic year.
public struct Pairing: Hashable, Sendable, Codable {
    public enum Kind: String, CaseIterable, Sendable, Codable, Labelled {
        case linked
        case honoraryClassHead = "honorary-class-head"
        case keyStudent = "key-student"

        public var label: Localized {
            switch self {
            case .linked: Localized(zh: "联系", en: "Linked")
            case .honoraryClassHead: Localized(zh: "名誉班主任", en: "Honorary class head")
            case .keyStudent: Localized(zh: "重点联系学生", en: "Key student")
            }
        }
    }

    public var cadreStaffNumber: String
    public var kind: Kind
    /// Set for collective pairings.
    public var collectiveCode: String?
    /// Set for key-student pairings.
    public var studentNumber: String?
    public var academicYearID: String
    public var range: DateRange

    public init(cadreStaffNumber: String, kind: Kind, collectiveCode: String? = nil, studentNumber: String? = nil,
                academicYearID: String, range: DateRange) {
        self.cadreStaffNumber = cadreStaffNumber
        self.kind = kind
        self.collectiveCode = collectiveCode
        self.studentNumber = studentNumber
        self.academicYearID = academicYearID
        self.range = range
    }
}
