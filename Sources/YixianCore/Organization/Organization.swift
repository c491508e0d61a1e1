import Foundation

/// The kinds of unit a Chinese university is made of.
public enum UnitKind: String, CaseIterable, Sendable, Codable, Labelled {
    case college
    case functionalDepartment = "functional-department"
    case studentWork = "student-work"
    case partyDepartment = "party-department"
    case affiliated
    case leadership

    public var label: Localized {
        switch self {
        case .college: Localized(zh: "院（系）", en: "College")
        case .functionalDepartment: Localized(zh: "机关部处", en: "Functional department")
        case .studentWork: Localized(zh: "学生工作部门", en: "Student-work department")
        case .partyDepartment: Localized(zh: "党群部门", en: "Party department")
        case .affiliated: Localized(zh: "直属单位", en: "Directly affiliated unit")
        case .leadership: Localized(zh: "校领导", en: "University leadership")
        }
    }
}

/// A cadre's rank, highest first. `staff` (无职级) is last: counsellors (辅导员), class advisers (班主任),
/// party-member teachers and other staff who hold no cadre rank but are in the roster because a plan
/// binds them or pairs them. They are not 领导干部: counts of cadres leave them out, and a policy role
/// binds them only when it names them (`rank: [staff]` or their exact `posts:`; see `RoleSelector`).
public enum Rank: String, CaseIterable, Sendable, Codable, Labelled, Comparable {
    case schoolLeader = "school-leader"
    case partyCommitteeMember = "party-committee-member"
    case director
    case deputyDirector = "deputy-director"
    case sectionChief = "section-chief"
    case deputySectionChief = "deputy-section-chief"
    case staff

    public var label: Localized {
        switch self {
        case .schoolLeader: Localized(zh: "校领导", en: "School leader")
        case .partyCommitteeMember: Localized(zh: "校党委委员", en: "Party committee member")
        case .director: Localized(zh: "正处级", en: "Director level")
        case .deputyDirector: Localized(zh: "副处级", en: "Deputy director level")
        case .sectionChief: Localized(zh: "正科级", en: "Section chief level")
        case .deputySectionChief: Localized(zh: "副科级", en: "Deputy section chief level")
        case .staff: Localized(zh: "无职级", en: "Staff (no cadre rank)")
        }
    }

    /// Seniority: 0 is the most senior, so `正处级以上` is `seniority <= director.seniority`.
    public var seniority: Int { Rank.allCases.firstIndex(of: self)! }

    public static func < (a: Rank, b: Rank) -> Bool { a.seniority > b.seniority }

    /// Accepts the code or either label, as spreadsheets write either.
    public init?(flexible text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let r = Rank(rawValue: t) { self = r; return }
        let aliases: [String: Rank] = ["正处": .director, "副处": .deputyDirector, "正科": .sectionChief, "副科": .deputySectionChief,
                                       "校领导班子成员": .schoolLeader, "党委委员": .partyCommitteeMember,
                                       "无": .staff, "教职工": .staff, "非干部": .staff]
        if let r = aliases[t] ?? Rank.allCases.first(where: { $0.label.zh == t || $0.label.en.lowercased() == t.lowercased() }) {
            self = r
        } else { return nil }
    }
}

public enum CollectiveKind: String, CaseIterable, Sendable, Codable, Labelled {
    case `class`
    case leagueBranch = "league-branch"
    case partyBranch = "party-branch"
    case dorm
    case club
    case lab
    case studentUnion = "student-union"
    case graduateUnion = "graduate-union"

    public var label: Localized {
        switch self {
        case .class: Localized(zh: "班级", en: "Class")
        case .leagueBranch: Localized(zh: "团支部", en: "League branch")
        case .partyBranch: Localized(zh: "学生党支部", en: "Party branch")
        case .dorm: Localized(zh: "宿舍", en: "Dorm")
        case .club: Localized(zh: "社团", en: "Club")
        case .lab: Localized(zh: "实验室", en: "Lab")
        case .studentUnion: Localized(zh: "学生会", en: "Student union")
        case .graduateUnion: Localized(zh: "研究生会", en: "Graduate union")
        }
    }

    public init?(flexible text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let k = CollectiveKind(rawValue: t) { self = k; return }
        let aliases: [String: CollectiveKind] = ["党支部": .partyBranch, "学生宿舍": .dorm, "学生社团": .club]
        if let k = aliases[t] ?? CollectiveKind.allCases.first(where: { $0.label.zh == t || $0.label.en.lowercased() == t.lowercased() }) {
            self = k
        } else { return nil }
    }
}

extension UnitKind {
    public init?(flexible text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let k = UnitKind(rawValue: t) { self = k; return }
        let aliases: [String: UnitKind] = ["学院": .college, "院系": .college, "职能部门": .functionalDepartment,
                                           "学工部门": .studentWork, "党委部门": .partyDepartment, "直属单位": .affiliated, "领导班子": .leadership]
        if let k = aliases[t] ?? UnitKind.allCases.first(where: { $0.label.zh == t || $0.label.en.lowercased() == t.lowercased() }) {
            self = k
        } else { return nil }
    }
}

public struct Unit: Hashable, Sendable, Codable {
    /// Stable code, e.g. `CS` or `XGB`; imports match on it.
    public var code: String
    public var name: String
    public var kind: UnitKind
    public var active: Bool
    /// The university's own order (its 排序 column): how its lists and tables run. Units without one
    /// follow, by kind and then name — never by code, which people do not read.
    public var sortOrder: Int?

    public init(code: String, name: String, kind: UnitKind, active: Bool = true, sortOrder: Int? = nil) {
        self.code = code
        self.name = name
        self.kind = kind
        self.active = active
        self.sortOrder = sortOrder
    }

    /// `units.sorted(by: Unit.inUniversityOrder)`: the order every page and export lists units in.
    public static func inUniversityOrder(_ a: Unit, _ b: Unit) -> Bool {
        a.orderKey < b.orderKey
    }

    private var orderKey: (Int, Int, String, String) {
        (sortOrder ?? Int.max, UnitKind.allCases.firstIndex(of: kind) ?? UnitKind.allCases.count, name, code)
    }
}

public struct Cadre: Hashable, Sendable, Codable {
    public var staffNumber: String
    public var name: String
    public var unitCode: String
    /// Posts held, as the university writes them: 党委书记, 副校长, 院长, 分管学生工作副书记 …
    public var posts: [String]
    public var rank: Rank
    public var partyMember: Bool
    /// Free tags such as `student-work`, `logistics`, `security`.
    public var tags: [String]
    public var active: Bool

    /// A 领导干部 (any cadre rank), as opposed to staff of rank `staff` (辅导员, 班主任 …) who are in the
    /// roster to be bound or paired but are not counted where a page means cadres.
    public var isCadre: Bool { rank != .staff }

    public init(staffNumber: String, name: String, unitCode: String, posts: [String], rank: Rank,
                partyMember: Bool, tags: [String] = [], active: Bool = true) {
        self.staffNumber = staffNumber
        self.name = name
        self.unitCode = unitCode
        self.posts = posts
        self.rank = rank
        self.partyMember = partyMember
        self.tags = tags
        self.active = active
    }
}

public struct Collective: Hashable, Sendable, Codable {
    public var code: String
    public var name: String
    public var kind: CollectiveKind
    public var unitCode: String
    /// Entry year, e.g. 2024; nil for collectives that span grades (clubs, unions).
    public var grade: Int?
    public var size: Int
    public var active: Bool

    public init(code: String, name: String, kind: CollectiveKind, unitCode: String, grade: Int?, size: Int, active: Bool = true) {
        self.code = code
        self.name = name
        self.kind = kind
        self.unitCode = unitCode
        self.grade = grade
        self.size = size
        self.active = active
    }
}

public struct Student: Hashable, Sendable, Codable {
    public var studentNumber: String
    public var name: String
    public var unitCode: String
    public var collectiveCodes: [String]
    public var active: Bool

    public init(studentNumber: String, name: String, unitCode: String, collectiveCodes: [String], active: Bool = true) {
        self.studentNumber = studentNumber
        self.name = name
        self.unitCode = unitCode
        self.collectiveCodes = collectiveCodes
        self.active = active
    }
}

/// Kept apart from `Student` on purpose: only roles that need it may read it, and each read is audited.
public struct SensitiveFlags: Hashable, Sendable, Codable {
    public var familyHardship: Bool
    public var disability: Bool
    public var psychologicalAttention: Bool
    public var note: String

    public init(familyHardship: Bool = false, disability: Bool = false, psychologicalAttention: Bool = false, note: String = "") {
        self.familyHardship = familyHardship
        self.disability = disability
        self.psychologicalAttention = psychologicalAttention
        self.note = note
    }

    public var isEmpty: Bool { !familyHardship && !disability && !psychologicalAttention && note.isEmpty }
}

/// The names people read for the roster's tags, which the policy and the routing use as codes.
/// A tag the university invented itself reads as it was typed.
public enum CadreTag {
    public static let labels: [String: Localized] = [
        "student-work": Localized(zh: "学生工作", en: "Student work"),
        "graduate-work": Localized(zh: "研究生工作", en: "Graduate work"),
        "teaching": Localized(zh: "教学", en: "Teaching"),
        "undergraduate-school": Localized(zh: "本科生院", en: "Undergraduate school"),
        "logistics": Localized(zh: "后勤", en: "Logistics"),
        "infrastructure": Localized(zh: "基建", en: "Infrastructure"),
        "security": Localized(zh: "安全稳定", en: "Safety and security"),
        "mental-health": Localized(zh: "心理健康", en: "Mental health"),
        "health": Localized(zh: "卫生健康", en: "Health"),
        "employment": Localized(zh: "就业", en: "Employment"),
        "college-party-committee": Localized(zh: "院系党委", en: "College party committee"),
    ]

    public static func label(_ tag: String) -> Localized { labels[tag] ?? .same(tag) }
}

