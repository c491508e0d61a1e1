import Fluent
import FluentSQL
import Foundation
import SQLKit
import Vapor
import YixianCore

/// A case as the API and the pages show it: its deadlines and escalation worked out for the day.
struct CaseDTO: Content {
    struct Event: Content {
        var at: Date
        var actor: String
        var action: String
        var unitCode: String?
        var unitName: String?
        var note: String
    }

    var id: UUID
    var number: String
    var channel: String
    var channelLabel: Localized
    var mailbox: String?
    var category: String
    var categoryLabel: Localized
    var urgent: Bool
    var tier: String
    var title: String
    var text: String
    var status: String
    var statusLabel: Localized
    var responsibleUnit: UnitRef?
    /// Anonymous letters name nobody; a handler never learns who wrote them.
    var anonymous: Bool
    var cadreName: String?
    var collectiveCode: String?
    var receivedOn: String
    var firstResponseDue: String?
    /// The answer's last day (“YYYY-MM-DD HH:MM” in an hours tier); empty when the tier needs no answer.
    var answerDue: String
    /// True for a tier that needs no answer (表扬、建议类“无需答复”, §4.17); absent otherwise.
    var noAnswerNeeded: Bool?
    /// A tier with a 督办 stage (§4.17): the day the notice goes out if still unanswered, and the answer's last day after it.
    var escalationDue: String?
    var escalatedAnswerDue: String?
    var firstRespondedOn: String?
    var answeredOn: String?
    var paused: Bool
    var escalation: String
    var escalationLabel: Localized
    var outcome: String?
    var answer: String?
    var rating: String?
    var ratingComment: String?
    var reopened: Bool
    /// 延期: approved days added to the answer deadline, a request waiting for the office, its reason.
    var extensionDays: Int
    var requestedExtension: Int?
    var extensionReason: String?
    /// `merged` or `split`: closed without an answer of its own (the history names the other cases).
    var closedAs: String?
    var events: [Event]?
}

/// What a student, or staff typing for one, sends to open a case.
struct CaseInput: Content {
    var channel: String?
    var mailbox: String?
    var unitCode: String?
    var category: String?
    var urgent: Bool?
    var title: String?
    var text: String?
    /// Hotline and reception-day entries: the student it was for, if they gave their number.
    var studentNumber: String?
    /// Portal: a linked leader the student writes to; the case is routed to the leader's unit.
    var cadreStaffNumber: String?
}

enum CasesAPI {
    /// Deadlines and escalation of many cases with one read of the policy versions.
    struct Judge: Sendable {
        var versions: [ComplianceService.Version]
        var today: LocalDate
        var workdays: WorkdayCalendar

        static func load(on db: any Database, today: LocalDate) async throws -> Judge {
            Judge(versions: try await ComplianceService.versions(on: db), today: today, workdays: try await WorkdayUploads.current(on: db))
        }

        func deadlines(_ state: CaseState, tier: String) -> CaseDeadlines {
            let rule = CaseService.rule(on: state.receivedOn, in: versions)
            // The tier's own unit (hours, workdays, days), else the rule's (§4.17).
            let tier = rule.clockTier(tier) ?? CaseService.defaultRule.clockTier("ordinary")!
            return state.deadlines(tier, workdays: workdays, on: today)
        }

        func dto(_ item: CaseModel, unit: UnitModel?, cadreName: String?, events: [CaseEventModel]?, unitNames: [String: String] = [:]) -> CaseDTO {
            let state = item.state
            let due = deadlines(state, tier: item.tier)
            let escalation = CaseEscalation.of(state, deadlines: due, asOf: today, workdays: workdays)
            let category = CaseCategory.standard(item.category)
            let channel = CaseChannel(rawValue: item.channel)
            return CaseDTO(
                id: item.id!, number: item.number, channel: item.channel, channelLabel: channel?.label ?? .same(item.channel),
                mailbox: item.mailbox, category: item.category, categoryLabel: category?.label ?? .same(item.category),
                urgent: item.urgent, tier: item.tier, title: item.title, text: item.text, status: item.status,
                statusLabel: state.status.label, responsibleUnit: unit.map { UnitRef(id: $0.id!, code: $0.code, name: $0.name) },
                anonymous: item.$submitter.id == nil && item.secretHash != nil, cadreName: cadreName, collectiveCode: item.collectiveCode,
                receivedOn: item.receivedOn, firstResponseDue: due.firstResponse.map { CaseDeadlines.text($0, minute: due.firstResponseMinute) },
                answerDue: due.answerRequired ? CaseDeadlines.text(due.answer, minute: due.answerMinute) : "",
                noAnswerNeeded: due.answerRequired ? nil : true, escalationDue: due.escalation?.iso, escalatedAnswerDue: due.escalatedAnswer?.iso,
                firstRespondedOn: item.firstRespondedOn, answeredOn: item.answeredOn, paused: item.pausedSince != nil,
                escalation: String(describing: escalation), escalationLabel: escalation.label, outcome: item.outcome,
                answer: item.answerText, rating: item.rating, ratingComment: item.ratingComment, reopened: item.reopened,
                extensionDays: state.extensionDays, requestedExtension: state.requestedExtension, extensionReason: item.extensionReason,
                closedAs: item.closedAs,
                events: events?.map { .init(at: $0.at, actor: $0.actor, action: $0.action, unitCode: $0.unitCode,
                                            unitName: $0.unitCode.flatMap { unitNames[$0] }, note: $0.note) })
        }
    }

    struct Filter: Sendable {
        var status: CaseStatus?
        var unitID: UUID?
        var category: String?
        var page: PageRequest

        init(_ req: Request) throws {
            if let raw = try req.stringParameter("status", maxLength: 20) {
                guard let status = CaseStatus(rawValue: raw) else {
                    throw AppError.field("status", zh: "状态无效，可选：\(CaseStatus.allCases.map(\.rawValue).joined(separator: "、"))",
                                         en: "status must be one of: \(CaseStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                self.status = status
            }
            unitID = try req.uuidParameter("unit")
            category = try req.stringParameter("category", maxLength: 40)
            page = try PageRequest(req)
        }

        static let queryParameters: [Endpoint.Parameter] = [
            .init(name: "status", description: "new, assigned, answered or closed"),
            .init(name: "unit", description: "responsible unit id"),
            .init(name: "category", description: "category code"),
        ] + PageRequest.queryParameters
    }

    /// Which cases a user may see, as one condition on `cases` — the rule of `CaseService.checkRead` —
    /// shared by the paged queue (through Fluent) and the whole-term pages (plain rows).
    static func scope(for user: CurrentUser) throws -> SQLQueryString {
        let sensitive: [any Encodable & Sendable] = CaseCategory.standard.filter(\.sensitive).map(\.code)
        let open: SQLQueryString = "cases.category NOT IN (\(binds: sensitive))"
        switch user.role {
        case .businessAdmin: return "1 = 1"
        case .assessor: return open
        case .student:
            guard let student = user.studentID else { throw AppError.forbidden }
            // Their own, and what was raised at a contact they confirmed they were at.
            return """
                (cases.submitter_student_id = \(bind: student) OR (cases.contact_record_id IN \
                (SELECT record_id FROM contact_confirmations WHERE student_id = \(bind: student)) AND \(open)))
                """
        case .unitSecretary:
            guard let unit = user.unitID else { throw AppError.forbidden }
            // The unit's cases, and the problems its cadres raised elsewhere: the unit's 问题清单.
            return "(cases.responsible_unit_id = \(bind: unit) OR (cases.cadre_id IN (SELECT id FROM cadres WHERE unit_id = \(bind: unit)) AND \(open)))"
        case .cadre:
            guard let unit = user.unitID else { throw AppError.forbidden }
            guard let cadre = user.cadreID else { return "cases.responsible_unit_id = \(bind: unit)" }
            return "(cases.responsible_unit_id = \(bind: unit) OR (cases.cadre_id = \(bind: cadre) AND \(open)))"
        default: throw AppError.forbidden
        }
    }

    /// The cases a user may see, newest first.
    static func query(_ filter: Filter, for user: CurrentUser, on db: any Database) throws -> QueryBuilder<CaseModel> {
        var query = CaseModel.query(on: db).filter(.sql(embed: try scope(for: user)))
            .sort(\.$receivedOn, .descending).sort(\.$number, .descending)
        if let status = filter.status { query = query.filter(\.$status == status.rawValue) }
        if let unit = filter.unitID { query = query.filter(\.$responsibleUnit.$id == unit) }
        if let category = filter.category { query = query.filter(\.$category == category) }
        return query
    }

    static func list(_ filter: Filter, for user: CurrentUser, today: LocalDate, on db: any Database) async throws -> ListPage<CaseDTO> {
        let (items, total) = try await query(filter, for: user, on: db).with(\.$responsibleUnit).with(\.$cadre).paged(filter.page)
        let judge = try await Judge.load(on: db, today: today)
        return ListPage(items: items.map { judge.dto($0, unit: $0.responsibleUnit, cadreName: $0.cadre?.name, events: nil) },
                        page: filter.page.page, per: filter.page.per, total: total)
    }

    /// Every case a user may see received in a range (or with one of `statuses`), as plain rows with
    /// the unit's and the cadre's names: the term's 问题清单, hot topics and the queue's counts.
    static func rows(for user: CurrentUser, receivedIn range: DateRange? = nil, statuses: [CaseStatus]? = nil, limit: Int = 20_000,
                     on db: any Database) async throws -> [CaseRow] {
        var conditions = [try scope(for: user)]
        if let range { conditions.append("cases.received_on BETWEEN \(bind: range.start.iso) AND \(bind: range.end.iso)") }
        if let statuses { conditions.append("cases.status IN (\(binds: statuses.map(\.rawValue)))") }
        return try await (db as! any SQLDatabase).raw("""
            SELECT cases.id, cases.number, cases.channel, cases.category, cases.text, cases.status, cases.tier, cases.outcome, cases.rating,
                   cases.received_on, cases.first_responded_on, cases.answered_on, cases.reopened, cases.pauses, cases.paused_since, cases.urgent,
                   cases.extension_days, cases.closed_as,
                   units.name AS unit_name, cadres.name AS cadre_name
            FROM cases LEFT JOIN units ON units.id = cases.responsible_unit_id LEFT JOIN cadres ON cadres.id = cases.cadre_id
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY cases.received_on DESC, cases.number DESC LIMIT \(literal: limit)
            """).all(decoding: CaseRow.self)
    }

    /// The clocks of the cases a user may see received in a range, merged and split ones left out.
    static func clocks(for user: CurrentUser, receivedIn range: DateRange, on db: any Database) async throws -> [CaseClock] {
        try await (db as! any SQLDatabase).raw("""
            SELECT cases.category, cases.status, cases.tier, cases.received_on, cases.first_responded_on, cases.answered_on, cases.reopened,
                   cases.pauses, cases.paused_since, cases.urgent, cases.extension_days, cases.responsible_unit_id, cases.cadre_id
            FROM cases
            WHERE \(try scope(for: user)) AND cases.closed_as IS NULL AND cases.received_on BETWEEN \(bind: range.start.iso) AND \(bind: range.end.iso)
            """).all(decoding: CaseClock.self)
    }

    /// The term asked for (`?term=`), else the one holding today, else the latest begun; and every term, newest first.
    static func term(_ req: Request) async throws -> (Term?, [Term]) {
        let calendar = AcademicCalendar(years: try await CalendarAPI.load(on: req.db))
        let today = LocalDate(req.now)
        let terms = calendar.years.flatMap(\.terms)
        if let id = try req.stringParameter("term", maxLength: 40) {
            guard let term = terms.first(where: { $0.id == id }) else { throw AppError.field("term", zh: "学期“\(id)”不存在", en: "Unknown term \(id)") }
            return (term, terms.reversed())
        }
        return (calendar.term(containing: today) ?? terms.last { $0.range.start <= today }, terms.reversed())
    }

    /// One case with its history; reading a sensitive one is audited.
    static func detail(_ id: UUID, for user: CurrentUser, today: LocalDate, on db: any Database) async throws -> CaseDTO {
        try await read(id, for: user, today: today, on: db).dto
    }

    /// The row and its DTO, for callers that also need what only the row holds (its submitter, its record).
    static func read(_ id: UUID, for user: CurrentUser, today: LocalDate, on db: any Database) async throws -> (row: CaseModel, dto: CaseDTO) {
        guard let item = try await CaseModel.query(on: db).filter(\.$id == id).with(\.$responsibleUnit).with(\.$cadre).first() else {
            throw AppError.notFound("case")
        }
        try await CaseService.checkRead(item, by: user, on: db)
        if CaseCategory.standard(item.category)?.sensitive == true {
            try await AuditTrail.recordAlone("case.read-sensitive", objectType: "case", objectID: id.uuidString, by: .init(user), on: db)
        }
        let events = try await CaseEventModel.query(on: db).filter(\.$studentCase.$id == id).sort(\.$at).all()
        let codes = Set(events.compactMap(\.unitCode))
        let names = Dictionary(try await UnitModel.query(on: db).filter(\.$code ~~ codes).all().map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        return (item, try await Judge.load(on: db, today: today).dto(item, unit: item.responsibleUnit, cadreName: item.cadre?.name, events: events, unitNames: names))
    }

    /// A case opened by a signed-in person: a student in the portal, or staff for a hotline call.
    static func open(_ input: CaseInput, by user: CurrentUser, now: Date, on db: any Database) async throws -> CaseModel {
        var check = FieldChecker()
        let text = check.text("text", input.text, label: "诉求内容", max: CaseWorkflow.maxTextLength)
        let title = check.text("title", input.title, label: "标题", max: 60, required: false)
        let categoryCode = input.category ?? "other"
        let category = CaseCategory.standard(categoryCode)
        if category == nil {
            check.fail("category", zh: "类别无效，可选：\(CaseCategory.standard.map(\.code).joined(separator: "、"))",
                       en: "category must be one of: \(CaseCategory.standard.map(\.code).joined(separator: ", "))")
        }
        var mailbox: CaseService.Mailbox?
        if let raw = input.mailbox, !raw.isEmpty {
            mailbox = CaseService.Mailbox(rawValue: raw)
            if mailbox == nil { check.fail("mailbox", zh: "信箱无效", en: "unknown mailbox") }
        }
        let channel: CaseChannel
        switch user.role {
        case .student: channel = mailbox == nil ? .portal : .mailbox
        case .businessAdmin, .unitSecretary: channel = .hotline
        default: throw AppError.forbidden
        }
        try check.throwIfInvalid()
        let chosenMailbox = mailbox
        return try await db.write { db in
            let mailbox = chosenMailbox
            var unitID: UUID?
            var cadreID: UUID?
            if let code = input.unitCode, !code.isEmpty { unitID = try await db.unit(code: code, field: "unitCode").id }
            if mailbox == .department, unitID == nil {
                throw AppError.field("unitCode", zh: "处长信箱须选择部门", en: "a department head's mailbox needs a department")
            }
            if let staff = input.cadreStaffNumber, !staff.isEmpty {
                guard let cadre = try await CadreModel.query(on: db).filter(\.$staffNumber == staff).filter(\.$active == true).first() else {
                    throw AppError.field("cadreStaffNumber", zh: "工号“\(staff)”不存在", en: "unknown staff number \(staff)")
                }
                cadreID = cadre.id
                unitID = unitID ?? cadre.$unit.id
            }
            // 书记信箱 and 校长信箱 go to the office, who dispatch them.
            if mailbox == .secretary || mailbox == .president { unitID = nil }
            var submitter = user.role == .student ? user.studentID : nil
            if user.role != .student, let number = input.studentNumber, !number.isEmpty {
                guard let student = try await StudentModel.query(on: db).filter(\.$studentNumber == number).first() else {
                    throw AppError.field("studentNumber", zh: "学号“\(number)”不存在", en: "unknown student number \(number)")
                }
                submitter = student.id
            }
            let new = CaseService.NewCase(channel: channel, mailbox: mailbox, category: category!, urgent: input.urgent ?? false,
                                          title: title.flatMap { $0.isEmpty ? nil : $0 } ?? String(text!.prefix(40)), text: text!,
                                          unitID: unitID, submitterStudentID: submitter, secretHash: nil, contactRecordID: nil,
                                          cadreID: cadreID, collectiveCode: nil, receivedOn: LocalDate(now),
                                          routeByCategory: mailbox != .secretary && mailbox != .president)
            return try await CaseService.create(new, actor: user.role == .student ? "学生" : user.displayName, audit: .init(user), now: now, on: db)
        }
    }

    static func register(_ app: Application) {
        let readers = Access.roles([.businessAdmin, .unitSecretary, .cadre, .assessor, .student])
        app.register(.init(method: .GET, path: "/cases", summary: "Students' cases (诉求): each sees their own, their unit's or, for the office, all",
                           tag: "Cases", access: readers, query: Filter.queryParameters, response: "CasePage")) { req in
            try await list(try Filter(req), for: try req.requireUser(), today: LocalDate(req.now), on: req.db)
        }
        app.register(.init(method: .POST, path: "/cases", summary: "Open a case: a student in the portal, or staff for a hotline call",
                           tag: "Cases", access: .roles([.student, .businessAdmin, .unitSecretary]), requestBody: "CaseInput",
                           response: "Case", successStatus: 201)) { req in
            let user = try req.requireUser()
            let item = try await open(try req.decodeJSON(CaseInput.self), by: user, now: req.now, on: req.db)
            return try await detail(item.id!, for: user, today: LocalDate(req.now), on: req.db)
        }
        app.register(.init(method: .GET, path: "/cases/:id", summary: "One case with its history", tag: "Cases", access: readers,
                           response: "Case")) { req in
            try await detail(try req.idParameter(), for: try req.requireUser(), today: LocalDate(req.now), on: req.db)
        }
        app.register(.init(method: .POST, path: "/cases/:id/actions",
                           summary: "A step: assign, transfer, send-back, acknowledge, pause, resume, answer (handlers) or rate (the student)",
                           tag: "Cases", access: readers, requestBody: "CaseActionInput", response: "Case")) { req in
            let user = try req.requireUser()
            let id = try req.idParameter()
            _ = try await CaseService.act(id, try req.decodeJSON(CaseActionInput.self), by: user, now: req.now, on: req.db)
            return try await detail(id, for: user, today: LocalDate(req.now), on: req.db)
        }
    }
}

/// OpenAPI schemas of the case endpoints, merged into the document's components.
enum CaseSchemas {
    static var all: [String: Any] {
        let string = Schemas.string, bool = Schemas.bool, localized = Schemas.localized
        return [
            "CaseInput": Schemas.object(["channel": string, "mailbox": ["type": "string", "enum": CaseService.Mailbox.allCases.map(\.rawValue)],
                                         "unitCode": string, "category": ["type": "string", "enum": CaseCategory.standard.map(\.code)],
                                         "urgent": bool, "title": string, "text": string, "studentNumber": string, "cadreStaffNumber": string],
                                        required: ["text"]),
            "CaseActionInput": Schemas.object(["action": ["type": "string", "enum": CaseActionInput.actions], "unitCode": string, "reason": string,
                                               "days": ["type": "integer", "minimum": 1, "maximum": CaseWorkflow.maxExtensionDays], "intoNumber": string, "parts": string,
                                               "outcome": ["type": "string", "enum": CaseOutcome.allCases.map(\.rawValue)], "answer": string,
                                               "rating": ["type": "string", "enum": CaseRating.allCases.map(\.rawValue)], "comment": string],
                                              required: ["action"]),
            "Case": Schemas.object([
                "id": Schemas.uuid, "number": string, "channel": string, "channelLabel": localized, "mailbox": string,
                "category": string, "categoryLabel": localized, "urgent": bool, "tier": string, "title": string, "text": string,
                "status": ["type": "string", "enum": CaseStatus.allCases.map(\.rawValue)], "statusLabel": localized,
                "responsibleUnit": Schemas.unitRef, "anonymous": bool, "cadreName": string, "collectiveCode": string,
                "receivedOn": string, "firstResponseDue": string, "answerDue": string, "firstRespondedOn": string, "answeredOn": string,
                "noAnswerNeeded": bool, "escalationDue": string, "escalatedAnswerDue": string,
                "extensionDays": Schemas.int, "requestedExtension": Schemas.int, "extensionReason": string,
                "closedAs": ["type": "string", "enum": CaseClosure.allCases.map(\.rawValue)],
                "paused": bool, "escalation": ["type": "string", "enum": ["none", "unitHead", "office"]], "escalationLabel": localized,
                "outcome": string, "answer": string, "rating": string, "ratingComment": string, "reopened": bool,
                "events": ["type": "array", "items": Schemas.object(["at": ["type": "string", "format": "date-time"], "actor": string,
                                                                     "action": string, "unitCode": string, "unitName": string, "note": string])],
            ]),
            "CasePage": Schemas.page("Case"),
            "NotificationList": ["type": "array", "items": Schemas.object(["id": Schemas.uuid, "kind": string, "caseId": Schemas.uuid,
                                                                          "text": localized, "createdAt": ["type": "string", "format": "date-time"],
                                                                          "read": bool])],
        ]
    }
}
