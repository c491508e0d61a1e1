import Foundation

/// A university's plan as data: roles picked out of the roster and the rules that bind them.
/// Loaded from YAML by `PolicyLoader`; the format is described in docs/POLICY-FORMAT.md.
public struct Policy: Sendable, Hashable {
    public var id: String
    public var title: String
    public var document: String?
    public var issuer: String?
    public var issuedOn: LocalDate?
    public var roles: [PolicyRole]
    public var vocabulary: ContactVocabulary
    public var filingKinds: [FilingKind]
    public var rules: [PolicyRule]

    public init(id: String, title: String, document: String? = nil, issuer: String? = nil, issuedOn: LocalDate? = nil,
                roles: [PolicyRole], vocabulary: ContactVocabulary = .standard,
                filingKinds: [FilingKind] = FilingKind.standard, rules: [PolicyRule]) {
        self.id = id
        self.title = title
        self.document = document
        self.issuer = issuer
        self.issuedOn = issuedOn
        self.roles = roles
        self.vocabulary = vocabulary
        self.filingKinds = filingKinds
        self.rules = rules
    }

    public func role(_ name: String) -> PolicyRole? { roles.first { $0.name == name } }
    public func rule(_ id: String) -> PolicyRule? { rules.first { $0.id == id } }

    /// Role name → selector, as `RoleSelector.matches` wants it.
    public var roleSelectors: [String: RoleSelector] {
        Dictionary(roles.map { ($0.name, $0.selector) }, uniquingKeysWith: { first, _ in first })
    }
}

public struct PolicyRole: Sendable, Hashable {
    public var name: String
    /// The policy's own words for the role, e.g. `校领导班子成员`.
    public var label: String?
    public var selector: RoleSelector

    public init(name: String, label: String? = nil, selector: RoleSelector) {
        self.name = name
        self.label = label
        self.selector = selector
    }
}

/// A kind of filing a unit submits (工作安排, 工作总结, 结对表 …) or a meeting it records.
public struct FilingKind: Sendable, Hashable, Labelled {
    public var code: String
    public var label: Localized
    /// A meeting record (专题研判会, 例会): held, not written; `explain` says 召开 rather than 报送 (§4.16).
    public var meeting: Bool

    public init(code: String, label: Localized, meeting: Bool = false) {
        self.code = code
        self.label = label
        self.meeting = meeting
    }

    public static let standard: [FilingKind] = [
        FilingKind(code: "arrangement-plan", label: Localized(zh: "工作安排", en: "Arrangement plan")),
        FilingKind(code: "semester-summary", label: Localized(zh: "工作总结", en: "Semester summary")),
        FilingKind(code: "pairing-table", label: Localized(zh: "结对表", en: "Pairing table")),
        FilingKind(code: "problem-list", label: Localized(zh: "问题清单", en: "Problem list")),
        FilingKind(code: "activity-list", label: Localized(zh: "学生活动列表清单", en: "Student activity list")),
        FilingKind(code: "analysis-meeting", label: Localized(zh: "学生工作专题研判会", en: "Student-work analysis meeting"), meeting: true),
        FilingKind(code: "student-work-report", label: Localized(zh: "学生工作专题汇报", en: "Student-work report to the party committee")),
        FilingKind(code: "leader-contact-report", label: Localized(zh: "校领导联系学生情况报告", en: "Report on leaders' contact with students")),
    ]

    /// Kinds the university files as a whole (to its party committee), never a college.
    public static let schoolLevelCodes: Set<String> = ["leader-contact-report", "student-work-report"]
}

public struct PolicyRule: Sendable, Hashable {
    public enum Severity: String, Sendable, Hashable, Codable {
        /// 要求 / 至少: a gap is a compliance failure.
        case required
        /// 倡导 / 鼓励: shown, but kept out of the failure counts.
        case advisory
    }

    public var id: String
    /// A short name for tables, e.g. `每周面对面接触学生`.
    public var title: String?
    public var subject: RuleSubject
    public var severity: Severity
    /// The clause of the source document this rule implements, quoted.
    public var source: String?
    public var body: RuleBody
    /// `who: { group: …, quota: … }` (§4.15): the cadres the roles pick are judged together, not one by one.
    public var group: GroupQuota?

    public init(id: String, title: String? = nil, subject: RuleSubject, severity: Severity = .required,
                source: String? = nil, body: RuleBody, group: GroupQuota? = nil) {
        self.id = id
        self.title = title
        self.subject = subject
        self.severity = severity
        self.source = source
        self.body = body
        self.group = group
    }
}

/// Whom a rule binds: cadres picked by a role, units, or the university as a whole.
public enum RuleSubject: Sendable, Hashable {
    case cadres(RoleSelector)
    case units(UnitSelector)
    case school
}

public enum RuleBody: Sendable, Hashable {
    case count(CountRule)
    case every(EveryPeriodRule)
    case pairing(PairingRule)
    case coverage(CoverageRule)
    case timeShare(TimeShareRule)
    case filing(FilingRule)
    case response(ResponseRule)
}

/// Where a contact must happen to count.
public enum ContactScope: String, Sendable, Hashable, CaseIterable {
    case any
    /// With a collective the cadre is paired with (on the day of the contact).
    case ownCollectives = "own-collectives"
    /// In a college the cadre is linked to: the college of a paired collective, or the cadre's own college.
    case linkedCollege = "linked-college"
}

public enum ContactMeasure: String, Sendable, Hashable, CaseIterable {
    case events
    case personTimes = "person-times"
    case hours
    /// Different venues reached (七进: how many of the seven).
    case distinctVenues = "distinct-venues"
    /// Different colleges reached (§4.18): the college a line names, or its collectives' colleges.
    case distinctColleges = "distinct-colleges"
    /// 课时 (§4.13): each line's hours in whole class periods of the rule's `periodMinutes` (45 by default), rounded down.
    case classPeriods = "class-periods"
}

/// Which ledger lines a rule counts.
public struct ContactFilter: Sendable, Hashable {
    /// Kind names as written in the policy (kinds, groups or `any`), for explanations.
    public var kindNames: [String]
    /// The kind codes they stand for.
    public var kinds: Set<String>
    public var venueNames: [String]?
    public var venues: Set<String>?
    public var scope: ContactScope
    /// The contact must involve a collective of these kinds (one of the cadre's own, with `own-collectives`).
    public var collectiveKinds: Set<CollectiveKind>?
    /// With `own-collectives`: which pairings make a collective “own” (all collective pairings when nil).
    public var pairingKinds: Set<Pairing.Kind>?
    public var confirmedOnly: Bool

    public init(kindNames: [String], kinds: Set<String>, venueNames: [String]? = nil, venues: Set<String>? = nil,
                scope: ContactScope = .any, collectiveKinds: Set<CollectiveKind>? = nil,
                pairingKinds: Set<Pairing.Kind>? = nil, confirmedOnly: Bool = false) {
        self.kindNames = kindNames
        self.kinds = kinds
        self.venueNames = venueNames
        self.venues = venues
        self.scope = scope
        self.collectiveKinds = collectiveKinds
        self.pairingKinds = pairingKinds
        self.confirmedOnly = confirmedOnly
    }
}

/// A number that may depend on the subject's role: the first matching role wins, else `fallback`.
/// With no fallback, cadres matching none of the roles are not bound by the rule.
public struct RuleQuantity: Sendable, Hashable {
    public struct ByRole: Sendable, Hashable {
        public var role: String
        public var value: Double
        public init(role: String, value: Double) {
            self.role = role
            self.value = value
        }
    }

    public var byRole: [ByRole]
    public var fallback: Double?

    public init(_ value: Double) {
        self.byRole = []
        self.fallback = value
    }

    public init(byRole: [ByRole], fallback: Double?) {
        self.byRole = byRole
        self.fallback = fallback
    }
}

/// At least N (and/or at most M) events / person-times / hours per period.
public struct CountRule: Sendable, Hashable {
    public var filter: ContactFilter
    public var measure: ContactMeasure
    /// The lower bound; 0 when the rule gives only `atMost`.
    public var atLeast: RuleQuantity
    public var per: PeriodKind
    /// For term rules: contacts must be made by this day of the term (“在教学礼拜周之前完成”).
    public var deadline: DeadlineSpec?
    /// For `per: week` and `per: month`: which weeks (months) the calendar pauses are still required.
    public var pauses: CalendarPauses
    /// The upper bound (`atMost`, “不超过 N 次”): more than this in a period is missed at once, even while it runs.
    public var atMost: Double?
    /// At most this many participants per line (`maxParticipants`, “每次不超过 N 人”): a larger session does not count.
    public var maxParticipants: Int?
    /// `perKeyStudent: true` (§4.20): each `key-student` pairing judged on its own, from the logs for that student.
    public var perKeyStudent = false
    /// A fixed calendar slot (§4.11): each occurrence is a one-day period, and only contacts in it count.
    public var slot: CalendarSlot?
    /// Counted in the days after each line of other kinds (§4.12, “讲座后3日内”): one period per such line.
    public var after: EventTrigger?
    /// With `measure: class-periods`: the length of one 课时 in minutes (45, or the university's 50).
    public var periodMinutes: Int = 45
    /// `distinctParticipantsWithin` (§4.14, “同一学生一年内不重复”): `term` or `academic-year`; a line naming a student
    /// who already took part in an earlier counted line of this rule with the cadre in that window does not count.
    public var distinctParticipantsWithin: PeriodKind?

    public init(filter: ContactFilter, measure: ContactMeasure = .events, atLeast: RuleQuantity, per: PeriodKind,
                deadline: DeadlineSpec? = nil, pauses: CalendarPauses = .skipBoth, atMost: Double? = nil, maxParticipants: Int? = nil,
                slot: CalendarSlot? = nil, after: EventTrigger? = nil) {
        self.filter = filter
        self.measure = measure
        self.atLeast = atLeast
        self.per = per
        self.deadline = deadline
        self.pauses = pauses
        self.atMost = atMost
        self.maxParticipants = maxParticipants
        self.slot = slot
        self.after = after
    }

    /// True when the rule gives an upper bound and no lower one (`atMost` alone, or with `atLeast: 0`).
    public var onlyUpperBound: Bool {
        atMost != nil && atLeast.byRole.allSatisfy { $0.value == 0 } && (atLeast.fallback ?? 0) == 0
    }
}

/// Whether a weekly or monthly requirement still holds in a week (month) the calendar pauses: one wholly
/// inside the term's vacations, or inside special weeks marked excluded (exam weeks). By default both are
/// skipped; a plan that asks for contact in holiday weeks says `includeVacations: true`.
public struct CalendarPauses: Sendable, Hashable {
    /// Weeks wholly inside the term's vacations are required like any other (`includeVacations: true`).
    public var includeVacations: Bool
    /// Special weeks the calendar marks excluded (exam weeks) are required like any other (`includeExamWeeks: true`).
    public var includeExamWeeks: Bool

    public init(includeVacations: Bool = false, includeExamWeeks: Bool = false) {
        self.includeVacations = includeVacations
        self.includeExamWeeks = includeExamWeeks
    }

    /// Vacations and exam weeks skipped: the calendar's own exclusions, as before these keys existed.
    public static let skipBoth = CalendarPauses()

    /// 0 … 3, one per combination; the engine keeps which periods count under each.
    var index: Int { (includeVacations ? 1 : 0) | (includeExamWeeks ? 2 : 0) }
}

/// “Every week at least one”: judged over a term (or year) as periods met out of periods elapsed;
/// weeks the calendar excludes (vacations, exam weeks) are skipped unless `pauses` includes them.
public struct EveryPeriodRule: Sendable, Hashable {
    public var filter: ContactFilter
    public var measure: ContactMeasure
    public var atLeast: RuleQuantity
    /// `week` or `month`.
    public var per: PeriodKind
    /// `term` or `academic-year`.
    public var within: PeriodKind
    /// Share of counting periods that must be met; 1 = every one.
    public var share: Double
    /// Which weeks (months) the calendar pauses are still required; by default none.
    public var pauses: CalendarPauses

    public init(filter: ContactFilter, measure: ContactMeasure = .events, atLeast: RuleQuantity, per: PeriodKind,
                within: PeriodKind = .term, share: Double = 1, pauses: CalendarPauses = .skipBoth) {
        self.filter = filter
        self.measure = measure
        self.atLeast = atLeast
        self.per = per
        self.within = within
        self.share = share
        self.pauses = pauses
    }
}

/// How many collectives a cadre must be paired with in the academic year.
public struct PairingRule: Sendable, Hashable {
    /// nil: any pairing of the given pairing kinds (a key student has no collective).
    public var collectiveKinds: Set<CollectiveKind>?
    public var pairingKinds: Set<Pairing.Kind>
    public var minimum: Int
    public var maximum: Int?
    /// Pairings may be made up to this deadline before a gap counts as missed.
    public var deadline: DeadlineSpec?
    /// `target: college` (§4.18): count the colleges linked directly (东南大学 二1 “联系相关院（系）”) — per cadre, or
    /// per unit (the distinct colleges its cadres link) — instead of collectives and key students.
    public var countsColleges: Bool

    public init(collectiveKinds: Set<CollectiveKind>?, pairingKinds: Set<Pairing.Kind> = [.linked, .honoraryClassHead],
                minimum: Int, maximum: Int? = nil, deadline: DeadlineSpec? = nil, countsColleges: Bool = false) {
        self.collectiveKinds = collectiveKinds
        self.pairingKinds = pairingKinds
        self.minimum = minimum
        self.maximum = maximum
        self.deadline = deadline
        self.countsColleges = countsColleges
    }
}

/// Every collective of the given kinds in a unit is paired with at least N cadres — or, `from: contacts`
/// (§4.19), reached by at least N ledger lines in each period; `share` asks for only part of them (抽查 20%).
public struct CoverageRule: Sendable, Hashable {
    public var collectiveKinds: Set<CollectiveKind>
    public var pairingKinds: Set<Pairing.Kind>
    /// Cadres per collective; with `contacts`, lines per collective in the period.
    public var atLeast: Int
    public var deadline: DeadlineSpec?
    /// Share of the unit's collectives that must be covered (0 < share ≤ 1); the required number is rounded up.
    public var share: Double
    /// `from: contacts`: covered by the ledger in each period rather than by pairings.
    public var contacts: ContactCoverage?

    public init(collectiveKinds: Set<CollectiveKind>, pairingKinds: Set<Pairing.Kind> = [.linked, .honoraryClassHead],
                atLeast: Int = 1, deadline: DeadlineSpec? = nil, share: Double = 1, contacts: ContactCoverage? = nil) {
        self.collectiveKinds = collectiveKinds
        self.pairingKinds = pairingKinds
        self.atLeast = atLeast
        self.deadline = deadline
        self.share = share
        self.contacts = contacts
    }
}

/// Coverage measured from the ledger (“每月走访所有学生宿舍”): which lines reach a collective, per which period.
public struct ContactCoverage: Sendable, Hashable {
    /// Kinds and `confirmedOnly`; by anyone in the roster.
    public var filter: ContactFilter
    /// `week`, `month`, `term` or `academic-year`.
    public var per: PeriodKind

    public init(filter: ContactFilter, per: PeriodKind) {
        self.filter = filter
        self.per = per
    }
}

/// “More than half of working time with students”: hours recorded over working hours elapsed.
public struct TimeShareRule: Sendable, Hashable {
    public var filter: ContactFilter
    public var atLeast: Double
    public var per: PeriodKind
    public var hoursPerWorkday: Double

    public init(filter: ContactFilter, atLeast: Double, per: PeriodKind = .term, hoursPerWorkday: Double = 8) {
        self.filter = filter
        self.atLeast = atLeast
        self.per = per
        self.hoursPerWorkday = hoursPerWorkday
    }
}

/// A unit (or the school) files or holds something N times per term or year, by a deadline.
public struct FilingRule: Sendable, Hashable {
    public var kind: String
    public var atLeast: Int
    /// `week`, `month`, `term` or `academic-year`; weekly and monthly filings name their week or month in
    /// `Filing.periodID`, or belong to the one their day falls in.
    public var per: PeriodKind
    /// For yearly filings tied to one term (“每年9月…”): 1-based term of the year the deadline is reckoned from.
    public var term: Int?
    public var deadline: DeadlineSpec?
    /// Filed within days after each ledger line of some kinds (§4.12, “讲座后3日内报送”): one period per such line.
    public var after: EventTrigger?

    public init(kind: String, atLeast: Int = 1, per: PeriodKind, term: Int? = nil, deadline: DeadlineSpec? = nil) {
        self.kind = kind
        self.atLeast = atLeast
        self.per = per
        self.term = term
        self.deadline = deadline
    }
}

/// Response deadlines for student cases, per tier, in two stages (and a 督办 stage, §4.17).
public struct ResponseRule: Sendable, Hashable {
    /// What a tier's numbers count (§4.17): clock hours from receipt, PRC workdays, or calendar days.
    public enum Unit: String, Sendable, Hashable, CaseIterable {
        case hours, workdays, days
    }

    /// 督办: `after` units past the answer deadline an unanswered case gets a supervision notice, and must then be
    /// answered within `answer` more units of the notice.
    public struct Escalation: Sendable, Hashable {
        public var after: Int
        public var answer: Int

        public init(after: Int, answer: Int) {
            self.after = after
            self.answer = answer
        }
    }

    public struct Tier: Sendable, Hashable {
        public var name: String
        public var label: String?
        /// Units after receipt for the first response (acknowledgement); nil when not required.
        public var firstResponse: Int?
        /// Units after receipt for the final answer (or explanation 解释说明); unused when `needsAnswer` is false.
        public var answer: Int
        /// The tier's own unit; nil: the rule's `days`.
        public var unit: Unit?
        public var escalation: Escalation?
        /// False for `answer: none` (表扬、建议类“无需答复”): the case is not judged on an answer.
        public var needsAnswer: Bool

        public init(name: String, label: String? = nil, firstResponse: Int?, answer: Int, unit: Unit? = nil,
                    escalation: Escalation? = nil, needsAnswer: Bool = true) {
            self.name = name
            self.label = label
            self.firstResponse = firstResponse
            self.answer = answer
            self.unit = unit
            self.escalation = escalation
            self.needsAnswer = needsAnswer
        }
    }

    public var tiers: [Tier]
    /// Workdays (the PRC working calendar, 调休 included) or calendar days.
    public var workdays: Bool

    public init(tiers: [Tier], workdays: Bool = true) {
        self.tiers = tiers
        self.workdays = workdays
    }

    public func tier(_ name: String) -> Tier? { tiers.first { $0.name == name } ?? tiers.first }

    /// The tier with its unit spelled out: its own, or the rule's `days`. What a case clock reads.
    public func clockTier(_ name: String) -> Tier? {
        guard var tier = tier(name) else { return nil }
        if tier.unit == nil { tier.unit = workdays ? .workdays : .days }
        return tier
    }
}
