import Foundation

/// A cadre linked to a student collective, to one key student, or to a college (院系) for an academic year.
/// A college link is how a 机关部处 “联系相关院（系）” (东南大学 二1): its holder is the department's cadre
/// (or staff) who keeps the link; only units of kind `college` can be the target.
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
    /// Set for college pairings: the code of a unit of kind `college`.
    public var collegeCode: String?
    public var academicYearID: String
    public var range: DateRange

    public init(cadreStaffNumber: String, kind: Kind, collectiveCode: String? = nil, studentNumber: String? = nil, collegeCode: String? = nil,
                academicYearID: String, range: DateRange) {
        self.cadreStaffNumber = cadreStaffNumber
        self.kind = kind
        self.collectiveCode = collectiveCode
        self.studentNumber = studentNumber
        self.collegeCode = collegeCode
        self.academicYearID = academicYearID
        self.range = range
    }

    /// The code of what the pairing links to, whichever kind of target it has.
    public var targetCode: String { collectiveCode ?? studentNumber ?? collegeCode ?? "" }

    /// Why `unit` cannot be the target of a college pairing, or nil when it can (a unit of kind `college`).
    public static func collegeTargetProblem(_ unit: Unit?, code: String) -> Localized? {
        guard let unit else { return Localized(zh: "单位代码“\(code)”不存在", en: "Unknown unit \(code)") }
        guard unit.kind == .college else {
            return Localized(zh: "只能与院（系）结对：“\(unit.name)”是\(unit.kind.label.zh)", en: "Only a college can be paired with: \(unit.name) is a \(unit.kind.label.en.lowercased())")
        }
        return nil
    }
}
