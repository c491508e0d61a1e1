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

/// Names of terms and academic years for each language. The Chinese name is the university's own
/// (as typed in its calendar); the English one is read from the conventional id `2026-2027-1`, the
/// first term being autumn, the second spring — a name that does not follow it stays as typed.
public enum CalendarNames {
    public static func term(id: String, name: String) -> Localized {
        let parts = id.split(separator: "-")
        guard parts.count == 3, let years = academicYear(String(parts[0]), String(parts[1])), let number = Int(parts[2]) else {
            return Localized(zh: name, en: name)
        }
        let season = [1: "Autumn", 2: "Spring", 3: "Summer"][number].map { "\($0) term" } ?? "Term \(number)"
        return Localized(zh: name, en: "\(season) \(years)")
    }

    public static func academicYear(id: String, name: String) -> Localized {
        let parts = id.split(separator: "-")
        guard parts.count == 2, let years = academicYear(String(parts[0]), String(parts[1])) else { return Localized(zh: name, en: name) }
        return Localized(zh: name, en: "\(years) academic year")
    }

    /// `2026`, `2027` → `2026–27`; nil unless they are consecutive years.
    private static func academicYear(_ first: String, _ second: String) -> String? {
        guard first.count == 4, second.count == 4, let a = Int(first), let b = Int(second), b == a + 1 else { return nil }
        return "\(a)–\(String(second.suffix(2)))"
    }
}

extension Term {
    /// The term's name in the reader's language (`CalendarNames`).
    public var label: Localized { CalendarNames.term(id: id, name: name) }
}

extension AcademicYear {
    public var label: Localized { CalendarNames.academicYear(id: id, name: name) }
}
