import Foundation

/// 干部任用参考 (三个纳入: 教党函〔2019〕34号 四, 湖南科技大学 科大党发〔2025〕30号 六(三)): a cadre's
/// student-work experience and compliance history, and the findings on a proposed appointment.
///
/// The texts say: a cadre's contact work is "an important basis for appointment" (重要依据 — an input,
/// not a veto); "a newly promoted head of a party-committee work department should have student-work
/// experience" (教党函 四: 新提任的党委工作部门负责人应有学生工作经历; 湖南科技大学: 应有一定的学生工作经历,
/// and one without it should build it through 分工联系、兼任职务、岗位锻炼); and 不到位 or 弄虚作假 is
/// held to account. How many years count as "一定的" and how heavily a missed requirement weighs are the
/// university's choice: they are `Thresholds`, not constants.
public struct AppointmentCheck: Sendable {
    /// One stretch of time in which the cadre held the same posts in the same unit.
    public struct Spell: Hashable, Sendable {
        public var unitCode: String
        public var posts: [String]
        /// The first day of the spell; nil when it began before the roster kept history (then only
        /// `recordedFrom` is known: the spell lasted at least from that day).
        public var from: LocalDate?
        /// The day the system first recorded the spell.
        public var recordedFrom: LocalDate
        /// The last day; nil while it runs.
        public var to: LocalDate?

        public init(unitCode: String, posts: [String], from: LocalDate?, recordedFrom: LocalDate, to: LocalDate?) {
            self.unitCode = unitCode
            self.posts = posts
            self.from = from
            self.recordedFrom = recordedFrom
            self.to = to
        }
    }

    /// One academic year's verdicts on the cadre's own required cells, judged as of the year's end
    /// (or today while it runs), with the integrity findings confirmed and the 问责 measures decided in it.
    public struct YearRecord: Hashable, Sendable {
        public var yearID: String
        public var name: Localized
        public var range: DateRange
        /// Whether the year has ended on the day of the check.
        public var completed: Bool
        public var tally: ComplianceTally
        public var confirmedFindings: Int
        public var measures: [Localized]

        public init(yearID: String, name: Localized, range: DateRange, completed: Bool, tally: ComplianceTally,
                    confirmedFindings: Int = 0, measures: [Localized] = []) {
            self.yearID = yearID
            self.name = name
            self.range = range
            self.completed = completed
            self.tally = tally
            self.confirmedFindings = confirmedFindings
            self.measures = measures
        }
    }

    public enum Severity: String, Sendable, CaseIterable, Comparable, Labelled {
        /// The appointment should not go ahead as proposed.
        case blocking
        /// The appointing body should weigh it and say how.
        case attention
        case info

        public var label: Localized {
            switch self {
            case .blocking: Localized(zh: "不符合", en: "Blocking")
            case .attention: Localized(zh: "需关注", en: "Attention")
            case .info: Localized(zh: "说明", en: "Information")
            }
        }

        private var order: Int { Severity.allCases.firstIndex(of: self)! }
        public static func < (a: Severity, b: Severity) -> Bool { a.order < b.order }
    }

    public struct Finding: Hashable, Sendable {
        public enum Code: String, Sendable {
            case headPost = "head-post", notHeadPost = "not-head-post", noExperience = "no-experience", shortExperience = "short-experience"
            case missed, atRisk = "at-risk", noCompletedYear = "no-completed-year", integrity, accountability
        }
        public var code: Code
        public var severity: Severity
        public var reason: Localized
    }

    /// The university's choices, each with the default this product ships and why.
    public struct Thresholds: Hashable, Sendable {
        /// Years of student-work experience a student-work head post asks for. Default 2: the texts
        /// only say "一定的"; two academic years is one full cycle of the plans' yearly duties twice over.
        public var minimumYears: Double = 2
        /// Below `minimumYears` but not none: default attention (湖南科技大学 lets it be built up).
        public var shortExperienceSeverity: Severity = .attention
        /// No student-work post on record at all: default blocking (教党函 四: 应有学生工作经历).
        public var noExperienceSeverity: Severity = .blocking
        /// How many of the last completed academic years must be free of missed requirements. Default 1.
        public var recentCompletedYears: Int = 1
        /// Missed requirements tolerated in each of those years. Default 0.
        public var tolerableMissed: Int = 0
        /// Default attention: compliance is 重要依据 (an important basis), not a veto.
        public var missedSeverity: Severity = .attention
        /// A confirmed integrity finding (弄虚作假) in the years shown. Default blocking: the texts
        /// single it out for 追责问责.
        public var integritySeverity: Severity = .blocking
        /// A 问责 measure decided in the years shown. Default attention.
        public var accountabilitySeverity: Severity = .attention
        /// Units whose head posts are "党委工作部门负责人" posts the rule binds.
        public var headUnitKinds: Set<UnitKind> = [.studentWork, .partyDepartment]
        /// Words that make a post a head (or deputy head) post in such a unit.
        public var headPostWords: [String] = ["部长", "处长", "主任", "书记", "负责人"]
        /// Words that make a post a student-work post in any unit (辅导员、班主任 after 《深化新时代教育评价改革总体方案》).
        public var studentWorkPostWords: [String] = ["学生工作", "学工", "辅导员", "团委", "班主任"]

        public init() {}
    }

    public var cadre: Cadre
    public var unitKinds: [String: UnitKind]
    public var spells: [Spell]
    /// Newest first or in any order; `years` sorts them newest first.
    public var history: [YearRecord]
    public var asOf: LocalDate
    public var thresholds: Thresholds

    public init(cadre: Cadre, unitKinds: [String: UnitKind], spells: [Spell], history: [YearRecord], asOf: LocalDate,
                thresholds: Thresholds = Thresholds()) {
        self.cadre = cadre
        self.unitKinds = unitKinds
        self.spells = spells
        self.history = history
        self.asOf = asOf
        self.thresholds = thresholds
    }

    // MARK: Experience

    public func isStudentWork(_ spell: Spell) -> Bool {
        unitKinds[spell.unitCode] == .studentWork
            || spell.posts.contains { post in thresholds.studentWorkPostWords.contains { post.contains($0) } }
    }

    public var studentWorkSpells: [Spell] { spells.filter(isStudentWork) }

    /// Days in student-work spells up to `asOf`, overlaps counted once; a spell of unknown start counts
    /// from the day it was recorded, so the figure is a lower bound whenever `startsUnknown`.
    public var studentWorkDays: Int {
        var days = Set<Int>()
        for spell in studentWorkSpells {
            let start = (spell.from ?? spell.recordedFrom).dayNumber
            let end = min((spell.to ?? asOf).dayNumber, asOf.dayNumber)
            if start <= end { days.formUnion(start...end) }
        }
        return days.count
    }

    /// Years of student-work experience, one decimal, at 365.25 days a year.
    public var studentWorkYears: Double { (Double(studentWorkDays) / 365.25 * 10).rounded(.down) / 10 }

    /// Whether some student-work spell began before the records: the true experience may be longer.
    public var startsUnknown: Bool { studentWorkSpells.contains { $0.from == nil } }

    /// The academic years, newest first.
    public var years: [YearRecord] { history.sorted { $0.range.start > $1.range.start } }

    // MARK: The proposed post

    public func isHeadPost(post: String, unitCode: String) -> Bool {
        let words = thresholds.headPostWords
        if let kind = unitKinds[unitCode], thresholds.headUnitKinds.contains(kind), words.contains(where: { post.contains($0) }) { return true }
        // A college's 分管学生工作副书记 heads its student work.
        return post.contains("学生工作") && words.contains { post.contains($0) }
    }

    /// The findings on appointing the cadre to `post` in `unitCode`, most severe first.
    public func findings(post: String, unitCode: String) -> [Finding] {
        var out: [Finding] = []
        let t = thresholds
        let years = String(format: "%.1f", studentWorkYears)
        let minimum = t.minimumYears == t.minimumYears.rounded() ? String(Int(t.minimumYears)) : String(t.minimumYears)
        let since = studentWorkSpells.filter { $0.from == nil }.map(\.recordedFrom).min()
        let lowerBound = since.map { Localized(zh: "（名册自 \($0.iso) 起有记录，此前任职未入库，实际经历可能更长，请对照干部人事档案）",
                                              en: " (the roster has records from \($0.iso); earlier posts are not on record, so the real experience may be longer — check the personnel file)") }
            ?? Localized(zh: "", en: "")
        if isHeadPost(post: post, unitCode: unitCode) {
            out.append(Finding(code: .headPost, severity: .info, reason: Localized(
                zh: "拟任“\(post)”属党委工作部门（学生工作）负责人岗位：新提任者应有学生工作经历（教党函〔2019〕34号 四；湖南科技大学 六(三)）。",
                en: "“\(post)” is a head post of a party-committee (student-work) department: a newly appointed head should have student-work experience (MOE 2019-34 §4; HNUST §6(3)).")))
            if studentWorkSpells.isEmpty {
                out.append(Finding(code: .noExperience, severity: t.noExperienceSeverity, reason: Localized(
                    zh: "名册中无学生工作经历（学生工作部门任职，或辅导员、班主任、团委、分管学生工作等职务）\(lowerBound.zh)。没有学生工作经历的，应通过分工联系、兼任职务、岗位锻炼等方式加强与学生的联系。",
                    en: "No student-work experience on record (a post in a student-work unit, or as counsellor, class adviser, League committee or in charge of student work)\(lowerBound.en). Without it, experience should be built through assigned contact, a concurrent post or a placement.")))
            } else if studentWorkYears < t.minimumYears {
                out.append(Finding(code: .shortExperience, severity: t.shortExperienceSeverity, reason: Localized(
                    zh: "学生工作经历 \(years) 年，少于本校要求的 \(minimum) 年\(lowerBound.zh)。",
                    en: "\(years) years of student-work experience, fewer than the \(minimum) this university asks for\(lowerBound.en).")))
            }
        } else {
            out.append(Finding(code: .notHeadPost, severity: .info, reason: Localized(
                zh: "拟任“\(post)”不属学生工作部门负责人岗位，学生工作经历要求不适用；落实情况仍作为任用的重要依据。",
                en: "“\(post)” is not a student-work head post: the experience requirement does not apply; the compliance record still counts as an important basis.")))
        }
        let all = self.years
        let recent = all.filter(\.completed).prefix(max(t.recentCompletedYears, 0))
        if recent.isEmpty {
            out.append(Finding(code: .noCompletedYear, severity: .info, reason: Localized(
                zh: "尚无已结束的学年可供核对落实情况。", en: "No completed academic year to check the compliance record against.")))
        }
        for year in recent where year.tally.missed > t.tolerableMissed {
            out.append(Finding(code: .missed, severity: t.missedSeverity, reason: Localized(
                zh: "\(year.name.zh)未完成 \(year.tally.missed) 项工作要求（可接受 \(t.tolerableMissed) 项）。",
                en: "\(year.tally.missed) requirements missed in \(year.name.en) (\(t.tolerableMissed) tolerated).")))
        }
        if let running = all.first(where: { !$0.completed }), running.tally.missed + running.tally.atRisk > 0 {
            out.append(Finding(code: .atRisk, severity: .info, reason: Localized(
                zh: "本学年（\(running.name.zh)）至今未完成 \(running.tally.missed) 项、有风险 \(running.tally.atRisk) 项。",
                en: "So far this year (\(running.name.en)): \(running.tally.missed) missed, \(running.tally.atRisk) at risk.")))
        }
        for year in all where year.confirmedFindings > 0 {
            out.append(Finding(code: .integrity, severity: t.integritySeverity, reason: Localized(
                zh: "\(year.name.zh)有 \(year.confirmedFindings) 项经核实的诚信问题（弄虚作假应依规依纪追责问责）。",
                en: "\(year.confirmedFindings) confirmed integrity findings in \(year.name.en) (faked records are to be held to account).")))
        }
        for year in all where !year.measures.isEmpty {
            out.append(Finding(code: .accountability, severity: t.accountabilitySeverity, reason: Localized(
                zh: "\(year.name.zh)受到问责：\(year.measures.map(\.zh).joined(separator: "、"))。",
                en: "Held to account in \(year.name.en): \(year.measures.map(\.en).joined(separator: ", ")).")))
        }
        return out.enumerated().sorted { ($0.element.severity, $0.offset) < ($1.element.severity, $1.offset) }.map(\.element)
    }

    /// The most severe finding's severity: what the check comes to.
    public static func outcome(_ findings: [Finding]) -> Severity { findings.map(\.severity).min() ?? .info }
}
