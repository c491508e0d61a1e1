import Foundation

/// One kind of contact a cadre can log (听课, 走访宿舍 …). Codes are the stable
/// identifiers that policy files and ledger lines use; labels are what people see.
public struct ContactKind: Hashable, Sendable, Codable, Labelled {
    public var code: String
    public var label: Localized
    /// Whether the cadre meets students in person (counts as “面对面”); online contact and
    /// meetings without students do not.
    public var inPerson: Bool
    /// The venue a record of this kind gets when the cadre does not name one.
    public var defaultVenue: String?

    public init(code: String, label: Localized, inPerson: Bool, defaultVenue: String? = nil) {
        self.code = code
        self.label = label
        self.inPerson = inPerson
        self.defaultVenue = defaultVenue
    }
}

/// One of the “七进 / 九进” places a cadre goes to (课堂, 宿舍, 网络 …).
public struct ContactVenue: Hashable, Sendable, Codable, Labelled {
    public var code: String
    public var label: Localized

    public init(code: String, label: Localized) {
        self.code = code
        self.label = label
    }
}

/// The words a policy may use for kinds and venues: the standard set below, plus whatever a
/// policy file adds. Groups let one name stand for several kinds (`in-person` = every kind
/// that meets students face to face).
public struct ContactVocabulary: Sendable, Hashable {
    public private(set) var kinds: [ContactKind]
    public private(set) var venues: [ContactVenue]
    /// Group code → kind codes. `in-person` is always present and always up to date.
    public private(set) var kindGroups: [String: [String]]
    /// Group code → venue codes (`seven-entries`, `nine-entries`).
    public private(set) var venueGroups: [String: [String]]
    private var kindIndex: [String: Int]
    private var venueIndex: [String: Int]

    public static let inPersonGroup = "in-person"
    public static let anyKind = "any"

    public init(kinds: [ContactKind], venues: [ContactVenue], kindGroups: [String: [String]] = [:], venueGroups: [String: [String]] = [:]) {
        self.kinds = []
        self.venues = []
        self.kindGroups = kindGroups
        self.venueGroups = venueGroups
        self.kindIndex = [:]
        self.venueIndex = [:]
        for kind in kinds { add(kind) }
        for venue in venues { add(venue) }
    }

    public func kind(_ code: String) -> ContactKind? { kindIndex[code].map { kinds[$0] } }
    public func venue(_ code: String) -> ContactVenue? { venueIndex[code].map { venues[$0] } }

    /// Adds a kind or replaces the one with the same code.
    public mutating func add(_ kind: ContactKind) {
        if let i = kindIndex[kind.code] { kinds[i] = kind } else {
            kindIndex[kind.code] = kinds.count
            kinds.append(kind)
        }
        kindGroups[Self.inPersonGroup] = kinds.filter(\.inPerson).map(\.code)
    }

    public mutating func add(_ venue: ContactVenue) {
        if let i = venueIndex[venue.code] { venues[i] = venue } else {
            venueIndex[venue.code] = venues.count
            venues.append(venue)
        }
    }

    public mutating func setKindGroup(_ code: String, kinds: [String]) { kindGroups[code] = kinds }
    public mutating func setVenueGroup(_ code: String, venues: [String]) { venueGroups[code] = venues }

    /// Kind codes that a name in a rule stands for: a kind, a group, or `any`; nil if unknown.
    public func expandKind(_ name: String) -> [String]? {
        if name == Self.anyKind { return kinds.map(\.code) }
        if kindIndex[name] != nil { return [name] }
        return kindGroups[name]
    }

    public func expandVenue(_ name: String) -> [String]? {
        if venueIndex[name] != nil { return [name] }
        return venueGroups[name]
    }

    /// The defaults every policy starts from, taken from the five source documents.
    public static let standard: ContactVocabulary = {
        func k(_ code: String, _ zh: String, _ en: String, _ inPerson: Bool, _ venue: String?) -> ContactKind {
            ContactKind(code: code, label: Localized(zh: zh, en: en), inPerson: inPerson, defaultVenue: venue)
        }
        let kinds = [
            k("ideological-lecture", "思想政治理论课", "Ideological and political lecture", true, "classroom"),
            k("policy-lecture", "形势政策课", "Situation and policy lecture", true, "classroom"),
            k("party-lecture", "党课", "Party lecture", true, "lecture"),
            k("special-report", "专题报告", "Special report", true, "lecture"),
            k("first-lesson", "大学第一课", "First lesson of university", true, "lecture"),
            k("class-observation", "听课", "Class observation", true, "classroom"),
            k("dorm-visit", "走访宿舍", "Dorm visit", true, "dorm"),
            k("canteen-visit", "走访食堂", "Canteen visit", true, "canteen"),
            k("face-to-face", "面对面接触", "Face-to-face contact", true, nil),
            k("heart-to-heart", "谈心谈话", "Heart-to-heart talk", true, nil),
            k("class-meeting", "参加班会或班级活动", "Class meeting or class activity", true, "class"),
            k("party-league-day", "主题党日团日", "Party or league day", true, "class"),
            k("second-classroom", "第二课堂活动", "Second-classroom activity", true, "activity-site"),
            k("student-forum", "学生代表座谈会", "Student representatives' forum", true, nil),
            k("reception-day", "接待日", "Reception day", true, nil),
            k("survey", "调研", "Field survey", true, nil),
            k("hardship-visit", "慰问帮扶", "Visit to a student in difficulty", true, nil),
            k("social-practice", "集体活动或社会实践", "Group activity or social practice", true, "activity-site"),
            // 苏州大学 and 湖南科技大学 ask leaders into the branches' 组织生活会, the freshmen's first weeks and the graduation season.
            k("organization-life", "参加组织生活会", "Party branch organizational life meeting", true, "class"),
            k("freshman-orientation", "迎新工作", "Freshman orientation", true, "activity-site"),
            k("graduation-season", "毕业季活动", "Graduation-season activity", true, "activity-site"),
            k("online", "线上交流（键对键）", "Online contact (key-to-key)", false, "online"),
            k("mailbox-review", "查看信箱或平台", "Mailbox or platform review", false, "online"),
            k("analysis-meeting", "专题研判会", "Analysis meeting", false, nil),
            k("student-work-meeting", "学生工作专题会议", "Student-work meeting", false, nil),
            k("report-hearing", "听取汇报", "Hearing a report", false, nil),
            k("report-to-committee", "向党委汇报", "Report to the party committee", false, nil),
        ]
        func v(_ code: String, _ zh: String, _ en: String) -> ContactVenue {
            ContactVenue(code: code, label: Localized(zh: zh, en: en))
        }
        let venues = [
            v("classroom", "课堂", "Classroom"), v("lab", "实验室", "Lab"), v("class", "班级", "Class"),
            v("dorm", "宿舍", "Dorm"), v("canteen", "食堂", "Canteen"), v("club", "社团", "Club"),
            v("lecture", "讲座", "Lecture"), v("online", "网络", "Online"),
            v("morning-exercise", "早操", "Morning exercise"), v("activity-site", "学生活动现场", "Student activity site"),
        ]
        let seven = ["classroom", "class", "dorm", "canteen", "club", "lecture", "online"]
        return ContactVocabulary(
            kinds: kinds, venues: venues,
            kindGroups: ["lecture": ["ideological-lecture", "policy-lecture"]],
            venueGroups: ["seven-entries": seven,
                          "eight-entries": ["classroom", "lab"] + seven.dropFirst(),
                          "nine-entries": seven + ["morning-exercise", "activity-site"]])
    }()
}
