import Foundation

/// A named stretch of a term that is not ordinary teaching: exam weeks,
/// 湖南科技大学's 教学礼拜周, military training, sports meets.
public struct SpecialWeek: Hashable, Sendable, Codable {
    public enum Kind: String, CaseIterable, Sendable, Codable, Labelled {
        case exam
        case teachingWorship = "teaching-worship"
        case orientation
        case other

        public var label: Localized {
            switch self {
            case .exam: Localized(zh: "考试周", en: "Exam week")
            case .teachingWorship: Localized(zh: "教学礼拜周", en: "Teaching worship week")
            case .orientation: Localized(zh: "迎新周", en: "Orientation week")
            case .other: Localized(zh: "其他", en: "Other")
            }
        }
    }

    public var name: String
    public var kind: Kind
    public var range: DateRange
    /// Whether "every week" rules skip this week (exam weeks usually do).
    public var excludedFromWeeklyRules: Bool

    public init(name: String, kind: Kind, range: DateRange, excludedFromWeeklyRules: Bool) {
        self.name = name
        self.kind = kind
        self.range = range
        self.excludedFromWeeklyRules = excludedFromWeeklyRules
    }
}

/// One term (学期) of an academic year.
public struct Term: Hashable, Sendable, Codable {
    /// e.g. `2025-2026-1`.
    public var id: String
    public var name: String
    public var range: DateRange
    public var specialWeeks: [SpecialWeek]
    /// Holiday breaks inside the term (National Day week, Labour Day …) during which weekly rules pause.
    public var vacations: [DateRange]

    public init(id: String, name: String, range: DateRange, specialWeeks: [SpecialWeek] = [], vacations: [DateRange] = []) {
        self.id = id
        self.name = name
        self.range = range
        self.specialWeeks = specialWeeks
        self.vacations = vacations
    }
}

/// An academic year (学年): usually the autumn term, winter vacation, spring term, summer vacation.
public struct AcademicYear: Hashable, Sendable, Codable {
    /// e.g. `2025-2026`.
    public var id: String
    public var name: String
    public var range: DateRange
    public var terms: [Term]

    public init(id: String, name: String, range: DateRange, terms: [Term]) {
        self.id = id
        self.name = name
        self.range = range
        self.terms = terms
    }
}
