import Foundation

/// The verdict of one cell. Order matters for roll-ups: worst first.
public enum ComplianceStatus: String, CaseIterable, Sendable, Codable, Labelled {
    case missed
    case atRisk = "at-risk"
    case onTrack = "on-track"
    case met
    case notYetDue = "not-yet-due"

    public var label: Localized {
        switch self {
        case .met: Localized(zh: "已完成", en: "Met")
        case .onTrack: Localized(zh: "进度正常", en: "On track")
        case .atRisk: Localized(zh: "有风险", en: "At risk")
        case .missed: Localized(zh: "未完成", en: "Missed")
        case .notYetDue: Localized(zh: "未到期", en: "Not yet due")
        }
    }
}

/// Why a ledger line (or a filing, a case, a collective) did not count in a cell.
public enum ComplianceExclusionReason: String, CaseIterable, Sendable, Codable, Labelled {
    case draft
    case flagged
    case voided
    case wrongKind = "wrong-kind"
    case wrongVenue = "wrong-venue"
    case unconfirmed
    case notOwnCollective = "not-own-collective"
    case wrongCollectiveKind = "wrong-collective-kind"
    case notLinkedCollege = "not-linked-college"
    case outsidePeriod = "outside-period"
    case afterDeadline = "after-deadline"
    /// In a week or month the calendar excludes (vacation, exam week).
    case pausedPeriod = "paused-period"
    /// The cadre did not hold the role in that week or month.
    case notInRole = "not-in-role"
    /// A filing submitted after its deadline.
    case late
    /// A collective no cadre is paired with (coverage rules).
    case uncovered
    case firstResponseLate = "first-response-late"
    case firstResponseOverdue = "first-response-overdue"
    case answerLate = "answer-late"
    case answerOverdue = "answer-overdue"
    /// A case still within its deadlines.
    case pending
    /// More participants than the rule's `maxParticipants` (“每次不超过 N 人”).
    case tooManyParticipants = "too-many-participants"
    /// Not on the day (or not in the time of day) of the rule's fixed slot (§4.11).
    case outsideSlot = "outside-slot"
    /// A student of the line already met the cadre on an earlier line of the rule in the window (§4.14).
    case repeatParticipant = "repeat-participant"
    /// The rule wants distinct participants, and the line names none (§4.14).
    case participantsUnrecorded = "participants-unrecorded"

    public var label: Localized {
        switch self {
        case .draft: Localized(zh: "草稿未提交", en: "Draft, not submitted")
        case .flagged: Localized(zh: "存疑待核", en: "Flagged for review")
        case .voided: Localized(zh: "已作废", en: "Voided")
        case .wrongKind: Localized(zh: "活动类型不符", en: "Wrong kind of contact")
        case .wrongVenue: Localized(zh: "场所不符", en: "Wrong venue")
        case .unconfirmed: Localized(zh: "未经学生确认", en: "Not confirmed by students")
        case .notOwnCollective: Localized(zh: "不是本人联系的学生集体", en: "Not one of the cadre's own collectives")
        case .wrongCollectiveKind: Localized(zh: "学生集体类型不符", en: "Wrong kind of collective")
        case .notLinkedCollege: Localized(zh: "不在联系的学院", en: "Not in a linked college")
        case .outsidePeriod: Localized(zh: "不在本期内", en: "Outside the period")
        case .afterDeadline: Localized(zh: "晚于截止日期", en: "After the deadline")
        case .pausedPeriod: Localized(zh: "在不计入的周（假期或考试周）", en: "In an excluded week (vacation or exams)")
        case .notInRole: Localized(zh: "当时未担任该职务", en: "Not in the role at the time")
        case .late: Localized(zh: "逾期提交", en: "Submitted late")
        case .uncovered: Localized(zh: "无人联系", en: "Not linked by any cadre")
        case .firstResponseLate: Localized(zh: "首次响应逾期", en: "First response late")
        case .firstResponseOverdue: Localized(zh: "首次响应已超期", en: "First response overdue")
        case .answerLate: Localized(zh: "答复逾期", en: "Answer late")
        case .answerOverdue: Localized(zh: "答复已超期", en: "Answer overdue")
        case .pending: Localized(zh: "办理中，未超期", en: "Open, within deadline")
        case .outsideSlot: Localized(zh: "不在规定的时段内", en: "Outside the rule's fixed slot")
        case .repeatParticipant: Localized(zh: "参加的学生此前已与该干部见过面（不重复的要求）", en: "A participant already met this cadre earlier in the window")
        case .participantsUnrecorded: Localized(zh: "未登记参加学生的学号，无法判断是否重复", en: "No student numbers recorded, so repeats cannot be ruled out")
        case .tooManyParticipants: Localized(zh: "参加人数超过每次上限", en: "More participants than the rule allows per session")
        }
    }
}

public struct ComplianceSubject: Hashable, Sendable, Codable {
    public enum Kind: String, Sendable, Codable { case cadre, unit, school }
    public var kind: Kind
    /// Staff number, unit code, or `school`.
    public var id: String
    public var name: String
    /// The unit the subject's cell rolls up to (`school` for the school).
    public var unitCode: String
}

public struct CompliancePeriod: Hashable, Sendable, Codable {
    public var kind: PeriodKind
    public var id: String
    public var start: LocalDate
    public var end: LocalDate
    public var label: Localized
}

public struct ComplianceExclusion: Hashable, Sendable, Codable {
    public var id: String
    public var reason: ComplianceExclusionReason
}

/// A piece of a cell: one week of an “every week” rule, or one case of a response rule.
public struct CompliancePart: Hashable, Sendable, Codable {
    public var id: String
    public var label: Localized
    public var start: LocalDate
    public var end: LocalDate
    /// False for weeks the calendar excludes or the subject was not in the role.
    public var counts: Bool
    public var required: Double
    public var achieved: Double
    /// For a part that does not count this says nothing (it is `notYetDue`); read `counts` and `note`.
    /// In JSON such a part's status is `excluded`, past or future.
    public var status: ComplianceStatus
    public var note: Localized?
}

extension CompliancePart {
    /// The JSON status of a part that does not count (a paused week, a week out of role).
    public static let excludedStatus = "excluded"

    private enum CodingKeys: String, CodingKey { case id, label, start, end, counts, required, achieved, status, note }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        label = try c.decode(Localized.self, forKey: .label)
        start = try c.decode(LocalDate.self, forKey: .start)
        end = try c.decode(LocalDate.self, forKey: .end)
        counts = try c.decode(Bool.self, forKey: .counts)
        required = try c.decode(Double.self, forKey: .required)
        achieved = try c.decode(Double.self, forKey: .achieved)
        let text = try c.decode(String.self, forKey: .status)
        if text == Self.excludedStatus, !counts {
            status = .notYetDue
        } else if let known = ComplianceStatus(rawValue: text) {
            status = known
        } else {
            throw DecodingError.dataCorruptedError(forKey: .status, in: c, debugDescription: "unknown status \(text)")
        }
        note = try c.decodeIfPresent(Localized.self, forKey: .note)
    }

    /// A week that does not count is `excluded`, not `not-yet-due`: a paused week in the past is not pending.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(label, forKey: .label)
        try c.encode(start, forKey: .start)
        try c.encode(end, forKey: .end)
        try c.encode(counts, forKey: .counts)
        try c.encode(required, forKey: .required)
        try c.encode(achieved, forKey: .achieved)
        try c.encode(counts ? status.rawValue : Self.excludedStatus, forKey: .status)
        try c.encodeIfPresent(note, forKey: .note)
    }
}

/// One (subject, rule, period) verdict, with everything needed to explain it.
public struct ComplianceCell: Hashable, Sendable, Codable {
    public var subject: ComplianceSubject
    public var ruleID: String
    public var severity: PolicyRule.Severity
    public var period: CompliancePeriod
    public var required: Double
    public var achieved: Double
    public var status: ComplianceStatus
    /// The last day allowed, when the rule has a deadline.
    public var due: LocalDate?
    /// For “every” rules: counting weeks (or months) already over — the denominator of met / elapsed.
    public var elapsed: Int?
    /// Ids of what counted: ledger lines, filings, cases, or paired collectives.
    public var counted: [String]
    public var excluded: [ComplianceExclusion]
    public var parts: [CompliancePart]
    /// The arithmetic behind the requirement, an upper bound passed, or why a deadline could not be resolved.
    public var note: Localized?
    /// The upper bound of a count rule with `atMost`; absent (not encoded) otherwise. `required` stays the lower bound.
    public var maximum: Double? = nil
    /// `perKeyStudent` count rules (§4.20): the student number of the key student this cell judges; absent otherwise.
    public var keyStudent: String? = nil
    /// Group rules (§4.15): the staff numbers of the members judged together, in turn order for a rota; absent otherwise.
    public var members: [String]? = nil
}

/// Status counts for a unit, rule and period.
public struct ComplianceTally: Hashable, Sendable, Codable {
    public var met = 0
    public var onTrack = 0
    public var atRisk = 0
    public var missed = 0
    public var notYetDue = 0

    public init() {}

    public mutating func add(_ status: ComplianceStatus) {
        switch status {
        case .met: met += 1
        case .onTrack: onTrack += 1
        case .atRisk: atRisk += 1
        case .missed: missed += 1
        case .notYetDue: notYetDue += 1
        }
    }

    public mutating func add(_ other: ComplianceTally) {
        met += other.met
        onTrack += other.onTrack
        atRisk += other.atRisk
        missed += other.missed
        notYetDue += other.notYetDue
    }

    public var total: Int { met + onTrack + atRisk + missed + notYetDue }

    /// The worst status present, for colouring a table cell.
    public var worst: ComplianceStatus? {
        if missed > 0 { return .missed }
        if atRisk > 0 { return .atRisk }
        if onTrack > 0 { return .onTrack }
        if met > 0 { return .met }
        return notYetDue > 0 ? .notYetDue : nil
    }
}

public struct ComplianceRollup: Hashable, Sendable, Codable {
    /// A unit code, or `school`.
    public var unitCode: String
    public var ruleID: String
    public var periodID: String
    public var tally: ComplianceTally
}

public struct ComplianceReport: Sendable, Codable {
    public var policyID: String
    public var academicYearID: String
    public var asOf: LocalDate
    /// Ordered by rule (policy order), subject, period start.
    public var cells: [ComplianceCell]
    /// Per unit, rule and period; units in code order, `school` last.
    public var rollups: [ComplianceRollup]
    /// Required rules only: one tally per unit over all its cells, and one for the school.
    public var unitTotals: [String: ComplianceTally]
    public var schoolTotal: ComplianceTally

    public func cells(forSubject id: String) -> [ComplianceCell] { cells.filter { $0.subject.id == id } }
    public func cells(forRule id: String) -> [ComplianceCell] { cells.filter { $0.ruleID == id } }
}
