import Foundation

/// The four rosters a university uploads, in the order they depend on each other.
public enum RosterKind: String, CaseIterable, Sendable, Codable, Labelled {
    case units, collectives, cadres, students

    public var label: Localized {
        switch self {
        case .units: Localized(zh: "单位", en: "Units")
        case .collectives: Localized(zh: "学生集体", en: "Collectives")
        case .cadres: Localized(zh: "干部", en: "Cadres")
        case .students: Localized(zh: "学生", en: "Students")
        }
    }

    public var columns: [RosterColumn] {
        switch self {
        case .units: [
            RosterColumn(key: "code", header: "单位代码", english: "unit code", aliases: ["code", "unitCode"]),
            RosterColumn(key: "name", header: "单位名称", english: "unit name", aliases: ["name", "unitName"]),
            RosterColumn(key: "kind", header: "单位类型", english: "unit kind", aliases: ["kind", "type", "unit type", "unitKind"]),
            RosterColumn(key: "order", header: "排序", english: "order", aliases: ["排序号", "显示顺序", "sortOrder", "sort order"],
                         isRequired: false, isNumeric: true),
        ]
        case .collectives: [
            RosterColumn(key: "code", header: "集体代码", english: "collective code", aliases: ["code", "collectiveCode"]),
            RosterColumn(key: "name", header: "名称", english: "name", aliases: ["集体名称", "collective name"]),
            RosterColumn(key: "kind", header: "类型", english: "kind", aliases: ["集体类型", "type", "collective kind"]),
            RosterColumn(key: "unit", header: "所属单位代码", english: "unit code", aliases: ["单位代码", "unitCode"]),
            RosterColumn(key: "grade", header: "年级", english: "grade", aliases: [], isNumeric: true),
            RosterColumn(key: "size", header: "人数", english: "size", aliases: ["students"], isNumeric: true),
        ]
        case .cadres: [
            RosterColumn(key: "staffNumber", header: "工号", english: "staff number", aliases: ["职工号", "教工号", "staffNumber"]),
            RosterColumn(key: "name", header: "姓名", english: "name", aliases: []),
            RosterColumn(key: "unit", header: "单位代码", english: "unit code", aliases: ["所属单位代码", "unitCode"]),
            RosterColumn(key: "posts", header: "职务", english: "posts", aliases: ["post"]),
            RosterColumn(key: "rank", header: "职级", english: "rank", aliases: []),
            RosterColumn(key: "partyMember", header: "是否党员", english: "party member", aliases: ["党员", "partyMember"]),
            RosterColumn(key: "tags", header: "标签", english: "tags", aliases: [], isRequired: false),
        ]
        case .students: [
            RosterColumn(key: "studentNumber", header: "学号", english: "student number", aliases: ["studentNumber"]),
            RosterColumn(key: "name", header: "姓名", english: "name", aliases: []),
            RosterColumn(key: "unit", header: "所属单位代码", english: "unit code", aliases: ["单位代码", "unitCode"]),
            RosterColumn(key: "collectives", header: "所在集体代码", english: "collective codes", aliases: ["集体代码", "collectives", "collectiveCodes"]),
        ]
        }
    }
}

/// A column of a roster file: the Chinese header we write, and the spellings we accept.
public struct RosterColumn: Hashable, Sendable {
    /// Stable identifier used by the validators.
    public var key: String
    /// The header written on export and shown in messages.
    public var header: String
    /// Used in English messages, and accepted as a header.
    public var english: String
    public var aliases: [String]
    /// A file without this column is rejected as a whole.
    public var isRequired: Bool
    /// Written as a number in .xlsx exports.
    public var isNumeric: Bool

    public init(key: String, header: String, english: String, aliases: [String], isRequired: Bool = true, isNumeric: Bool = false) {
        self.key = key
        self.header = header
        self.english = english
        self.aliases = aliases
        self.isRequired = isRequired
        self.isNumeric = isNumeric
    }

    func matches(normalizedHeader: String) -> Bool {
        ([header, english] + aliases).contains { RosterColumn.normalize($0) == normalizedHeader }
    }

    /// Header cells as people type them: `* 学号`, `学号（必填）`, `Student Number`, `学　号`.
    static func normalize(_ header: String) -> String {
        var text = header.unicodeScalars.filter { !$0.isTabularBlank && $0 != "*" && $0 != "＊" && $0 != "_" && $0 != "-" }
            .reduce(into: "") { $0.unicodeScalars.append($1) }
        if let open = text.firstIndex(where: { $0 == "(" || $0 == "（" }), open != text.startIndex,
           text.last == ")" || text.last == "）" {
            text = String(text[..<open])
        }
        return text.lowercased()
    }
}
