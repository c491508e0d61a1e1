import Foundation

/// Where a case came from.
public enum CaseChannel: String, CaseIterable, Sendable, Codable, Labelled {
    /// A problem raised in a contact record (联系记录).
    case contact
    /// A letter to a mailbox (书记信箱, 校长信箱, 处长信箱), possibly anonymous.
    case mailbox
    /// Typed by staff from a hotline call or a reception day (热线, 接待日).
    case hotline
    /// Written by a signed-in student in the portal.
    case portal
    /// One of many problems raised at a forum (座谈会, 午餐会).
    case forum

    public var label: Localized {
        switch self {
        case .contact: Localized(zh: "联系记录", en: "Contact record")
        case .mailbox: Localized(zh: "信箱", en: "Mailbox")
        case .hotline: Localized(zh: "热线 / 接待日", en: "Hotline / reception day")
        case .portal: Localized(zh: "学生门户", en: "Student portal")
        case .forum: Localized(zh: "座谈会", en: "Forum")
        }
    }
}

/// A kind of problem, and where it goes unless the office decides otherwise: the unit carrying
/// `routeTag` (a unit's roster tag, e.g. 后勤 → `logistics`), so one catalogue fits any university.
public struct CaseCategory: Hashable, Sendable, Codable {
    public var code: String
    public var label: Localized
    /// Cases of a sensitive category are read only by their handlers and the office; each read is audited.
    public var sensitive: Bool
    public var routeTag: String?

    public init(code: String, label: Localized, sensitive: Bool = false, routeTag: String? = nil) {
        self.code = code
        self.label = label
        self.sensitive = sensitive
        self.routeTag = routeTag
    }

    public static let standard: [CaseCategory] = [
        CaseCategory(code: "ideology", label: Localized(zh: "思想", en: "Ideology")),
        CaseCategory(code: "study", label: Localized(zh: "学业", en: "Study"), routeTag: "teaching"),
        CaseCategory(code: "psychology", label: Localized(zh: "心理", en: "Psychology"), sensitive: true, routeTag: "mental-health"),
        CaseCategory(code: "life", label: Localized(zh: "生活", en: "Daily life")),
        CaseCategory(code: "logistics", label: Localized(zh: "后勤", en: "Logistics"), routeTag: "logistics"),
        CaseCategory(code: "safety", label: Localized(zh: "安全", en: "Safety"), routeTag: "security"),
        CaseCategory(code: "employment", label: Localized(zh: "就业", en: "Employment"), routeTag: "employment"),
        CaseCategory(code: "other", label: Localized(zh: "其他", en: "Other")),
    ]

    public static func standard(_ code: String) -> CaseCategory? { standard.first { $0.code == code } }
}

public enum CaseStatus: String, CaseIterable, Sendable, Codable, Labelled {
    /// Received, no responsible unit yet: the office dispatches it (待分派).
    case new
    /// With a responsible unit (办理中).
    case assigned
    /// Answered or explained; waiting for the student's rating (待评价).
    case answered
    /// Rated, or answered and closed without a rating (已办结).
    case closed

    public var label: Localized {
        switch self {
        case .new: Localized(zh: "待分派", en: "To dispatch")
        case .assigned: Localized(zh: "办理中", en: "In progress")
        case .answered: Localized(zh: "待评价", en: "Answered")
        case .closed: Localized(zh: "已办结", en: "Closed")
        }
    }
}

/// How a case was settled: solved, or explained to the student (解释说明) when it cannot be.
public enum CaseOutcome: String, CaseIterable, Sendable, Codable, Labelled {
    case solved, explained

    public var label: Localized {
        switch self {
        case .solved: Localized(zh: "已解决", en: "Solved")
        case .explained: Localized(zh: "已解释说明", en: "Explained")
        }
    }
}

/// The student's 回访 answer.
public enum CaseRating: String, CaseIterable, Sendable, Codable, Labelled {
    case satisfied
    case basicallySatisfied = "basically-satisfied"
    case dissatisfied

    public var label: Localized {
        switch self {
        case .satisfied: Localized(zh: "满意", en: "Satisfied")
        case .basicallySatisfied: Localized(zh: "基本满意", en: "Basically satisfied")
        case .dissatisfied: Localized(zh: "不满意", en: "Dissatisfied")
        }
    }
}

/// What the workflow needs to know of a case.
public struct CaseState: Hashable, Sendable, Codable {
    public var status: CaseStatus
    public var responsibleUnitCode: String?
    public var receivedOn: LocalDate
    public var firstRespondedOn: LocalDate?
    public var answeredOn: LocalDate?
    public var outcome: CaseOutcome?
    public var rating: CaseRating?
    /// A 不满意 rating reopens a case once; the second stands.
    public var reopened: Bool
    /// Days the clock stood still while the handler waited for the student (closed pauses).
    public var pauses: [DateRange]
    /// The day the running pause began, if the clock stands still now.
    public var pausedSince: LocalDate?
    /// 学生反映强烈、急需解决: flagged from the start.
    public var urgent: Bool
    /// 延期: approved extra days (in the rule's day unit) added to the answer deadline.
    public var extensionDays: Int
    /// Days the unit asked for, awaiting the office's approval.
    public var requestedExtension: Int?
    /// Closed without an answer of its own: merged into another case, or split into several.
    public var closedAs: CaseClosure?
    /// Minutes from local midnight of `receivedOn` the case came in, when known: hours tiers count from it (§4.17).
    public var receivedMinute: Int? = nil

    public init(status: CaseStatus = .new, responsibleUnitCode: String? = nil, receivedOn: LocalDate, firstRespondedOn: LocalDate? = nil,
                answeredOn: LocalDate? = nil, outcome: CaseOutcome? = nil, rating: CaseRating? = nil, reopened: Bool = false,
                pauses: [DateRange] = [], pausedSince: LocalDate? = nil, urgent: Bool = false, extensionDays: Int = 0,
                requestedExtension: Int? = nil, closedAs: CaseClosure? = nil) {
        self.extensionDays = extensionDays
        self.requestedExtension = requestedExtension
        self.closedAs = closedAs
        self.status = status
        self.responsibleUnitCode = responsibleUnitCode
        self.receivedOn = receivedOn
        self.firstRespondedOn = firstRespondedOn
        self.answeredOn = answeredOn
        self.outcome = outcome
        self.rating = rating
        self.reopened = reopened
        self.pauses = pauses
        self.pausedSince = pausedSince
        self.urgent = urgent
    }
}

/// One step a person takes on a case.
public enum CaseAction: Hashable, Sendable {
    /// The office gives a new case to a unit.
    case assign(unitCode: String)
    /// 转办: the responsible unit passes it to another, with a reason.
    case transfer(unitCode: String, reason: String)
    /// 退回: the unit sends it back to the office, with a reason.
    case sendBack(reason: String)
    /// The first response (受理告知): the student hears it is being handled.
    case acknowledge
    /// Waiting for the student: the deadlines stand still from this day until `resume`.
    case pause
    case resume
    /// 办结 or 解释说明, with the text the student reads.
    case answer(CaseOutcome, text: String)
    /// 回访: the student's rating.
    case rate(CaseRating)
    /// 延期: the responsible unit asks for more days, with a reason; the office approves or refuses.
    case requestExtension(days: Int, reason: String)
    case approveExtension
    case refuseExtension(reason: String)
    /// The office closes a duplicate into another case, or a letter split into several cases.
    case close(CaseClosure)
}

/// Why a case was closed without an answer of its own.
public enum CaseClosure: String, CaseIterable, Sendable, Codable, Labelled {
    /// 合并: a duplicate, answered with the case it was merged into.
    case merged
    /// 拆分: one letter raising several problems, each now a case of its own.
    case split

    public var label: Localized {
        switch self {
        case .merged: Localized(zh: "已合并", en: "Merged")
        case .split: Localized(zh: "已拆分", en: "Split")
        }
    }
}

/// The case's life as pure functions of its state, the action and the day: the same rules for
/// the pages, the API and the tests.
public enum CaseWorkflow {
    public static let maxTextLength = 2000
    /// The most days one extension may add.
    public static let maxExtensionDays = 30

    public static func apply(_ action: CaseAction, to state: CaseState, on day: LocalDate) throws(FieldErrors) -> CaseState {
        var next = state
        func refuse(_ field: String, _ zh: String, _ en: String) -> FieldErrors { .field(field, zh: zh, en: en) }
        func requireReason(_ reason: String) throws(FieldErrors) {
            let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { throw refuse("reason", "请填写原因", "a reason is required") }
            if trimmed.count > 500 { throw refuse("reason", "原因不能超过 500 字", "the reason is at most 500 characters") }
        }
        switch action {
        case .assign(let unit):
            guard state.status == .new else { throw refuse("status", "只有待分派的诉求可以分派", "only a case waiting for dispatch can be assigned") }
            next.status = .assigned
            next.responsibleUnitCode = unit
        case .transfer(let unit, let reason):
            guard state.status == .assigned else { throw refuse("status", "只有办理中的诉求可以转办", "only a case in progress can be transferred") }
            try requireReason(reason)
            guard unit != state.responsibleUnitCode else { throw refuse("unitCode", "不能转办给本单位", "the case is already with this unit") }
            next.responsibleUnitCode = unit
        case .sendBack(let reason):
            guard state.status == .assigned else { throw refuse("status", "只有办理中的诉求可以退回", "only a case in progress can be sent back") }
            try requireReason(reason)
            next.status = .new
            next.responsibleUnitCode = nil
        case .acknowledge:
            guard state.status == .assigned else { throw refuse("status", "只有办理中的诉求可以受理", "only a case in progress can be acknowledged") }
            guard state.firstRespondedOn == nil else { throw refuse("status", "已经受理过", "already acknowledged") }
            next.firstRespondedOn = day
        case .pause:
            guard state.status == .assigned else { throw refuse("status", "只有办理中的诉求可以暂停计时", "only a case in progress can be paused") }
            guard state.pausedSince == nil else { throw refuse("status", "计时已经暂停", "already paused") }
            next.pausedSince = day
        case .resume:
            guard let since = state.pausedSince else { throw refuse("status", "计时没有暂停", "not paused") }
            next.pausedSince = nil
            // The day of resuming counts again; resuming on the day it paused pauses nothing.
            if day > since { next.pauses.append(DateRange(start: since, end: day.adding(days: -1))) }
        case .answer(let outcome, let text):
            guard state.status == .assigned else { throw refuse("status", "只有办理中的诉求可以答复", "only a case in progress can be answered") }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { throw refuse("answer", "请填写答复内容", "the answer needs a text") }
            if trimmed.count > maxTextLength { throw refuse("answer", "答复不能超过 \(maxTextLength) 字", "the answer is at most \(maxTextLength) characters") }
            if state.pausedSince != nil { next = try apply(.resume, to: next, on: day) }
            next.status = .answered
            next.outcome = outcome
            next.answeredOn = day
            if next.firstRespondedOn == nil { next.firstRespondedOn = day }
        case .rate(let rating):
            guard state.status == .answered else { throw refuse("rating", "只有已答复的诉求可以评价", "only an answered case can be rated") }
            next.rating = rating
            if rating == .dissatisfied && !state.reopened {
                // Reopened once: back to its unit, answered again, rated again.
                next.status = .assigned
                next.reopened = true
                next.answeredOn = nil
                next.outcome = nil
                // The next answer waits for its own rating; the first one stays in the history.
                next.rating = nil
            } else {
                next.status = .closed
            }
        case .requestExtension(let days, let reason):
            guard state.status == .assigned else { throw refuse("status", "只有办理中的诉求可以申请延期", "only a case in progress can be extended") }
            guard state.requestedExtension == nil else { throw refuse("days", "已有延期申请待审批", "an extension is already waiting for approval") }
            guard (1...maxExtensionDays).contains(days) else {
                throw refuse("days", "延期天数应为 1 到 \(maxExtensionDays)", "the extension is 1 to \(maxExtensionDays) days")
            }
            try requireReason(reason)
            next.requestedExtension = days
        case .approveExtension:
            guard let days = state.requestedExtension, state.status == .assigned else { throw refuse("status", "没有待审批的延期申请", "no extension is waiting") }
            next.extensionDays += days
            next.requestedExtension = nil
        case .refuseExtension(let reason):
            guard state.requestedExtension != nil else { throw refuse("status", "没有待审批的延期申请", "no extension is waiting") }
            try requireReason(reason)
            next.requestedExtension = nil
        case .close(let closure):
            guard state.status == .new || state.status == .assigned else {
                throw refuse("status", "只有待分派或办理中的诉求可以合并或拆分", "only an open case can be merged or split")
            }
            next.status = .closed
            next.closedAs = closure
            next.pausedSince = nil
            next.requestedExtension = nil
        }
        return next
    }
}

extension CaseState {
    /// The pauses as they stand on `day`: a running pause counts up to that day.
    public func pauses(through day: LocalDate) -> [DateRange] {
        guard let since = pausedSince, since <= day else { return pauses }
        return pauses + [DateRange(start: since, end: day)]
    }

    /// Deadlines of this case under a response rule's tier, as they stand on `day`.
    public func deadlines(_ tier: ResponseRule.Tier, workdays: WorkdayCalendar?, on day: LocalDate) -> CaseDeadlines {
        CaseDeadlines(receivedOn: receivedOn, tier: tier, workdays: workdays, pauses: pauses(through: day), extensionDays: extensionDays,
                      receivedMinute: receivedMinute)
    }
}

/// When a case must be first answered and finally answered, and how late it is.
public struct CaseDeadlines: Hashable, Sendable {
    public var firstResponse: LocalDate?
    /// The answer's last day; for a tier that needs no answer, the receipt day (and `answerRequired` false).
    public var answer: LocalDate
    /// Hours tiers (§4.17): the time of day, in minutes from local midnight, on the first response's and the answer's day.
    public var firstResponseMinute: Int?
    public var answerMinute: Int?
    /// False for a tier that needs no answer (`answer: none`): nothing is due and nothing escalates.
    public var answerRequired: Bool
    /// 督办 (§4.17): the day an unanswered case gets its supervision notice, and the answer's last day after it.
    public var escalation: LocalDate?
    public var escalatedAnswer: LocalDate?

    /// Days count from the day after receipt: workdays of `workdays` (holidays skipped, 调休 make-up days counted) or
    /// calendar days, as the tier's unit says (without one: workdays when `workdays` is given, else calendar days);
    /// hours count from the receipt time (`receivedMinute`, midnight when unknown). Paused days do not count.
    public init(receivedOn: LocalDate, tier: ResponseRule.Tier, workdays: WorkdayCalendar?, pauses: [DateRange] = [], extensionDays: Int = 0,
                receivedMinute: Int? = nil) {
        let unit = tier.unit ?? (workdays == nil ? .days : .workdays)
        let calendar = workdays ?? .prc
        let paused = { (day: LocalDate) in pauses.contains { $0.contains(day) } }
        /// `n` units after a moment (a day, and for hours its minute).
        func advance(_ start: LocalDate, _ minute: Int?, _ n: Int) -> (day: LocalDate, minute: Int?) {
            if unit == .hours {
                // Clock hours, weekends and holidays included; a paused day adds a day.
                let total = (minute ?? 0) + n * 60
                var end = start.adding(days: total / 1440), day = start
                while day < end {
                    day = day.adding(days: 1)
                    if paused(day) { end = end.adding(days: 1) }
                }
                return (end, total % 1440)
            }
            if pauses.isEmpty { return (unit == .workdays ? calendar.addingWorkdays(n, to: start) : start.adding(days: n), nil) }
            var day = start, remaining = n
            while remaining > 0 {
                day = day.adding(days: 1)
                if paused(day) { continue }
                if unit != .workdays || calendar.isWorkday(day) { remaining -= 1 }
            }
            return (day, nil)
        }
        let received = unit == .hours ? receivedMinute ?? 0 : nil
        let first = tier.firstResponse.map { advance(receivedOn, received, $0) }
        firstResponse = first?.day
        firstResponseMinute = first?.minute
        answerRequired = tier.needsAnswer
        guard tier.needsAnswer else {
            answer = receivedOn
            return
        }
        // An approved 延期 moves the answer, never the first response; in an hours tier a day of it is 24 hours.
        let due = advance(receivedOn, received, tier.answer + extensionDays * (unit == .hours ? 24 : 1))
        answer = due.day
        answerMinute = due.minute
        if let stage = tier.escalation {
            let notice = advance(due.day, due.minute, stage.after)
            escalation = notice.day
            escalatedAnswer = advance(notice.day, notice.minute, stage.answer).day
        }
    }

    /// “2025-11-15 17:00” for hours tiers, the day otherwise.
    public static func text(_ day: LocalDate, minute: Int?) -> String {
        guard let minute else { return day.iso }
        return day.iso + String(format: " %02d:%02d", minute / 60, minute % 60)
    }
}

/// 督办: how far up an overdue case has gone. Computed from the data and the day, so a restart
/// or a missed timer loses nothing.
public enum CaseEscalation: Int, Comparable, Sendable, Codable, Labelled {
    case none = 0
    /// Past its answer deadline: the responsible unit's head is told.
    case unitHead = 1
    /// Still open `officeAfter` workdays later: the office (党政办 / 学工部) supervises it.
    case office = 2

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    public var label: Localized {
        switch self {
        case .none: Localized(zh: "未督办", en: "Not escalated")
        case .unitHead: Localized(zh: "单位督办", en: "Escalated to the unit head")
        case .office: Localized(zh: "学校督办", en: "Escalated to the office")
        }
    }

    public static let officeAfterWorkdays = 3

    public static func of(_ state: CaseState, deadlines: CaseDeadlines, asOf: LocalDate, workdays: WorkdayCalendar?) -> CaseEscalation {
        guard deadlines.answerRequired, state.status == .new || state.status == .assigned, state.pausedSince == nil, asOf > deadlines.answer else { return .none }
        // A tier with its own 督办 stage (§4.17) says when the office's notice goes out.
        if let notice = deadlines.escalation { return asOf >= notice ? .office : .unitHead }
        let late = workdays?.workdaysBetween(deadlines.answer, asOf) ?? (asOf.dayNumber - deadlines.answer.dayNumber)
        return late >= officeAfterWorkdays ? .office : .unitHead
    }
}
