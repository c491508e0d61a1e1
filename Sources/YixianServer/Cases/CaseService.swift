import Fluent
import Foundation
import Vapor
import YixianCore

/// The feedback loop (诉求闭环): every problem a student raises becomes a case with a responsible
/// unit, deadlines from the policy, an answer, and the student's rating.
enum CaseService {
    /// Used when the policy in force has no `response` rule: a default the university can replace.
    static let defaultRule = ResponseRule(tiers: [
        .init(name: "ordinary", label: "一般诉求", firstResponse: 2, answer: 5),
        .init(name: "complex", label: "复杂诉求", firstResponse: 2, answer: 15),
        .init(name: "urgent", label: "紧急诉求", firstResponse: 1, answer: 2),
    ])

    /// The mailboxes letters can be written to. 处长信箱 names a department.
    enum Mailbox: String, CaseIterable, Sendable, Labelled {
        case secretary, president, department

        var label: Localized {
            switch self {
            case .secretary: Localized(zh: "书记信箱", en: "Party secretary's mailbox")
            case .president: Localized(zh: "校长信箱", en: "President's mailbox")
            case .department: Localized(zh: "处长信箱", en: "Department head's mailbox")
            }
        }
    }

    struct NewCase: Sendable {
        var channel: CaseChannel
        var mailbox: Mailbox?
        var category: CaseCategory
        var urgent: Bool
        var title: String
        var text: String
        /// Given: the case goes straight to this unit; nil: routed by its category, else the office dispatches it.
        var unitID: UUID?
        var submitterStudentID: UUID?
        var secretHash: String?
        var contactRecordID: UUID?
        var cadreID: UUID?
        var collectiveCode: String?
        var receivedOn: LocalDate
        /// 书记信箱 and 校长信箱 letters wait for the office even when their category has a home.
        var routeByCategory = true
    }

    // MARK: - Reading

    /// The response rule of the policy in force on a day, or the default.
    static func rule(on day: LocalDate, in versions: [ComplianceService.Version]) -> ResponseRule {
        guard let index = ComplianceService.version(on: day, in: versions) else { return defaultRule }
        for rule in versions[index].policy.rules { if case .response(let body) = rule.body { return body } }
        return defaultRule
    }

    static func tierName(urgent: Bool, in rule: ResponseRule) -> String {
        urgent && rule.tiers.contains(where: { $0.name == "urgent" }) ? "urgent" : (rule.tiers.first?.name ?? "ordinary")
    }

    /// Who may see a case: its submitter, the students who confirmed the contact it came from, the
    /// handlers of its unit, the cadre it came from, the office; assessors see all but sensitive ones.
    /// Everyone else is told it does not exist.
    static func checkRead(_ item: CaseModel, by user: CurrentUser, on db: any Database) async throws {
        let category = CaseCategory.standard(item.category)
        switch user.role {
        case .businessAdmin: return
        case .student:
            if let mine = user.studentID, item.$submitter.id == mine { return }
            if try await isWitness(item, user, on: db) { return }
        case .unitSecretary, .cadre:
            if let unit = user.unitID, item.$responsibleUnit.id == unit { return }
            if category?.sensitive != true, let cadre = user.cadreID, item.$cadre.id == cadre { return }
            // A secretary follows the problems their unit's cadres raised, wherever they went: the unit's 问题清单.
            if user.role == .unitSecretary, category?.sensitive != true, let unit = user.unitID, let raisedBy = item.$cadre.id,
               try await CadreModel.find(raisedBy, on: db)?.$unit.id == unit { return }
        case .assessor:
            if category?.sensitive != true { return }
        default: break
        }
        throw AppError.notFound("case")
    }

    /// A student who confirmed being at the contact a case came from: they may follow it and rate its answer.
    static func isWitness(_ item: CaseModel, _ user: CurrentUser, on db: any Database) async throws -> Bool {
        // A sensitive problem raised in front of others stays with its handlers.
        guard let student = user.studentID, let record = item.$contact.id, CaseCategory.standard(item.category)?.sensitive != true else { return false }
        return try await ContactConfirmationModel.query(on: db).filter(\.$record.$id == record).filter(\.$student.$id == student).count() > 0
    }

    /// 回访 is the submitter's: the student themself, a student who was at the contact, or whoever holds the letter's secret.
    static func mayRate(_ item: CaseModel, _ user: CurrentUser?, viaSecret: Bool, on db: any Database) async throws -> Bool {
        if viaSecret { return true }
        guard let user, let student = user.studentID else { return false }
        if item.$submitter.id == student { return true }
        return try await isWitness(item, user, on: db)
    }

    /// Handlers: the office, and the secretary and cadres of the responsible unit.
    static func mayHandle(_ item: CaseModel, _ user: CurrentUser) -> Bool {
        switch user.role {
        case .businessAdmin: true
        case .unitSecretary, .cadre: user.unitID != nil && item.$responsibleUnit.id == user.unitID
        default: false
        }
    }

    // MARK: - Writing

    /// A tracking number that reads aloud over the phone: the day and six random digits.
    static func newNumber(on day: LocalDate) -> String {
        let digits = String(format: "%06d", Int.random(in: 0..<1_000_000))
        return "YX-" + day.iso.replacingOccurrences(of: "-", with: "") + "-" + digits
    }

    /// The unit a category routes to: the first active unit carrying its tag.
    static func route(_ category: CaseCategory, on db: any Database) async throws -> UnitModel? {
        guard let tag = category.routeTag else { return nil }
        // A unit's tags are its cadres' (the roster keeps tags on people): 后勤管理处's head carries `logistics`.
        // LIKE narrows to the few tagged cadres; `tagList` then matches the tag exactly.
        let cadres = try await CadreModel.query(on: db).filter(\.$active == true).filter(\.$tags, .contains(inverse: false, .anywhere), tag)
            .with(\.$unit).all().filter { $0.tagList.contains(tag) }
        let handling: Set<String> = [UnitKind.college.rawValue, UnitKind.leadership.rawValue]
        return cadres.map(\.unit).filter { $0.active && !handling.contains($0.kind) }.min { $0.code < $1.code }
    }

    /// Inside the caller's transaction.
    @discardableResult
    static func create(_ new: NewCase, actor: String, audit: AuditTrail.Actor, now: Date, on db: any Database) async throws -> CaseModel {
        let item = CaseModel()
        item.id = UUID()
        item.number = newNumber(on: new.receivedOn)
        while try await CaseModel.query(on: db).filter(\.$number == item.number).count() > 0 { item.number = newNumber(on: new.receivedOn) }
        item.channel = new.channel.rawValue
        item.mailbox = new.mailbox?.rawValue
        item.category = new.category.code
        item.urgent = new.urgent
        item.title = new.title
        item.text = new.text
        var routed: UnitModel?
        if let unitID = new.unitID { routed = try await UnitModel.find(unitID, on: db) }
        else if new.routeByCategory { routed = try await route(new.category, on: db) }
        item.$responsibleUnit.id = routed?.id
        item.status = (routed == nil ? CaseStatus.new : .assigned).rawValue
        item.$submitter.id = new.submitterStudentID
        item.secretHash = new.secretHash
        item.$contact.id = new.contactRecordID
        item.$cadre.id = new.cadreID
        item.collectiveCode = new.collectiveCode
        item.receivedOn = new.receivedOn.iso
        let versions = try await ComplianceService.versions(on: db)
        item.tier = tierName(urgent: new.urgent, in: rule(on: new.receivedOn, in: versions))
        item.reopened = false
        item.pauses = "[]"
        item.createdAt = now
        item.updatedAt = now
        try await item.create(on: db)
        try await event(item, actor: actor, action: "received", unitCode: nil, note: new.channel.label.zh, at: now, on: db)
        if let routed {
            try await event(item, actor: "系统", action: "assign", unitCode: routed.code, note: "按类别“\(new.category.label.zh)”分派", at: now, on: db)
        }
        try await Notifications.after("received", item, now: now, on: db)
        try await AuditTrail.record("case.create", objectType: "case", objectID: item.id!.uuidString,
                                    detail: "\(new.channel.rawValue) \(new.category.code)", by: audit, on: db)
        return item
    }

    /// Every problem of a submitted contact record becomes a case once, linked to the record, its
    /// cadre and the collective named. Inside the record's transaction.
    static func openFromContact(_ record: ContactRecordModel, by user: CurrentUser, now: Date, on db: any Database) async throws {
        guard record.submittedAt != nil else { return }
        let problems = try await ContactProblemModel.query(on: db).filter(\.$record.$id == record.id!).sort(\.$createdAt).all()
        guard !problems.isEmpty else { return }
        let opened = Set(try await CaseModel.query(on: db).filter(\.$contact.$id == record.id!).all().map(\.text))
        for problem in problems where !opened.contains(problem.text) {
            let category = CaseCategory.standard.first { $0.code == problem.category || $0.label.zh == problem.category }
                ?? CaseCategory.standard("other")!
            try await create(NewCase(channel: .contact, mailbox: nil, category: category, urgent: false,
                                     title: String(problem.text.prefix(40)), text: problem.text, unitID: nil, submitterStudentID: nil,
                                     secretHash: nil, contactRecordID: record.id, cadreID: record.$cadre.id,
                                     collectiveCode: problem.collectiveCode ?? record.collectiveList.first,
                                     receivedOn: LocalDate(record.startAt)),
                             actor: user.displayName, audit: .init(user), now: now, on: db)
        }
    }

    static func event(_ item: CaseModel, actor: String, action: String, unitCode: String?, note: String, at: Date, on db: any Database) async throws {
        let row = CaseEventModel()
        row.$studentCase.id = item.id!
        // Strictly after the case's last step, so the history keeps its order when the clock stands still.
        let last = try await CaseEventModel.query(on: db).filter(\.$studentCase.$id == item.id!).sort(\.$at, .descending).first()?.at
        row.at = last.map { max(at, $0.addingTimeInterval(0.001)) } ?? at
        row.actor = actor
        row.action = action
        row.unitCode = unitCode
        row.note = note
        try await row.create(on: db)
    }

    /// One step by a signed-in person (or the holder of a letter's secret when `user` is nil).
    static func act(_ id: UUID, _ input: CaseActionInput, by user: CurrentUser?, viaSecret: Bool = false, now: Date,
                    on db: any Database) async throws -> CaseModel {
        try await db.write { db in
            guard let item = try await CaseModel.query(on: db).filter(\.$id == id).with(\.$responsibleUnit).first() else {
                throw AppError.notFound("case")
            }
            if let user { try await checkRead(item, by: user, on: db) } else if !viaSecret { throw AppError.unauthenticated }
            let action = try input.parsed()
            let isRating: Bool
            if case .rate = action { isRating = true } else { isRating = false }
            if isRating {
                guard try await mayRate(item, user, viaSecret: viaSecret, on: db) else { throw AppError.forbidden }
            } else {
                guard let user else { throw AppError.forbidden }
                if CaseActionInput.officeActions.contains(input.action ?? "") { guard user.role == .businessAdmin else { throw AppError.forbidden } }
                else { guard mayHandle(item, user) else { throw AppError.forbidden } }
            }
            let today = LocalDate(now)
            // A merge needs its target before anything changes: another open or answered case, by number.
            var target: CaseModel?
            if input.action == "merge" {
                let number = (input.intoNumber ?? "").trimmingCharacters(in: .whitespaces).uppercased()
                target = try await CaseModel.query(on: db).filter(\.$number == number).first()
                guard let target, target.id != item.id, target.closedAs == nil else {
                    throw AppError.field("intoNumber", zh: "找不到可合并到的诉求“\(number.prefix(40))”（须为另一件未合并、未拆分的诉求）",
                                         en: "No case \(number.prefix(40)) to merge into (another case, not merged or split)")
                }
            }
            let next: CaseState
            do throws(FieldErrors) { next = try CaseWorkflow.apply(action, to: item.state, on: today) } catch { throw AppError(error) }
            item.apply(next)
            var unitCode: String?
            switch action {
            case .assign(let code), .transfer(let code, _):
                let unit = try await db.unit(code: code, field: "unitCode")
                item.$responsibleUnit.id = unit.id
                unitCode = unit.code
            case .sendBack:
                item.$responsibleUnit.id = nil
            case .requestExtension:
                item.extensionReason = (input.reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            case .close(.merged):
                item.mergedInto = target?.id
            case .answer(_, let text):
                item.answerText = text.trimmingCharacters(in: .whitespacesAndNewlines)
            case .rate:
                let comment = (input.comment ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                item.ratingComment = comment.isEmpty ? nil : String(comment.prefix(500))
                if next.status == .assigned { (item.answerText, item.ratingComment) = (nil, nil) }
            default: break
            }
            item.updatedAt = now
            try await item.save(on: db)
            let actor = user.map { $0.role == .student ? "学生" : $0.displayName } ?? "学生"
            let note = input.note(for: action)
            var closingNote = note
            if let target {
                closingNote = "合并到 \(target.number)"
                try await event(target, actor: actor, action: "merged-from", unitCode: nil, note: "合并了重复的诉求 \(item.number)", at: now, on: db)
            }
            if input.action == "split" {
                // Each problem becomes a case from the same source: the same student (or the same letter's
                // secret, so the writer follows every part with it), category and urgency, routed afresh.
                var numbers: [String] = []
                for part in input.splitParts {
                    let piece = try await create(NewCase(channel: CaseChannel(rawValue: item.channel) ?? .portal, mailbox: item.mailbox.flatMap(Mailbox.init),
                                                         category: CaseCategory.standard(item.category) ?? CaseCategory.standard[0], urgent: item.urgent,
                                                         title: String(part.prefix(40)), text: part, submitterStudentID: item.$submitter.id,
                                                         secretHash: item.secretHash, contactRecordID: item.$contact.id, cadreID: item.$cadre.id,
                                                         collectiveCode: item.collectiveCode, receivedOn: LocalDate(item.receivedOn) ?? today,
                                                         routeByCategory: item.mailbox != Mailbox.secretary.rawValue && item.mailbox != Mailbox.president.rawValue),
                                                 actor: actor, audit: user.map(AuditTrail.Actor.init) ?? .system, now: now, on: db)
                    try await event(piece, actor: actor, action: "split-from", unitCode: nil, note: "由 \(item.number) 拆分", at: now, on: db)
                    numbers.append(piece.number)
                }
                closingNote = "拆分为 " + numbers.joined(separator: "、")
            }
            try await event(item, actor: actor, action: input.action ?? "", unitCode: unitCode, note: closingNote, at: now, on: db)
            if isRating, next.status == .assigned {
                try await event(item, actor: "系统", action: "reopen", unitCode: nil, note: "学生不满意，重新办理", at: now, on: db)
            }
            try await Notifications.after(input.action ?? "", item, now: now, on: db)
            try await AuditTrail.record("case.\(input.action ?? "")", objectType: "case", objectID: id.uuidString, detail: note,
                                        by: user.map(AuditTrail.Actor.init) ?? AuditTrail.Actor(id: nil, name: "letter-secret"), on: db)
            return item
        }
    }
}

/// One step as typed or sent: `action` names it, the rest are its arguments.
struct CaseActionInput: Content {
    var action: String?
    var unitCode: String?
    var reason: String?
    var outcome: String?
    var answer: String?
    var rating: String?
    var comment: String?
    /// 延期: the days asked for.
    var days: Int?
    /// 合并: the number of the case this one duplicates.
    var intoNumber: String?
    /// 拆分: one problem per line, each to become a case of its own.
    var parts: String?

    static let actions = ["assign", "transfer", "send-back", "acknowledge", "pause", "resume", "answer", "rate",
                          "request-extension", "approve-extension", "refuse-extension", "merge", "split"]
    /// Steps only the office takes.
    static let officeActions: Set<String> = ["assign", "approve-extension", "refuse-extension", "merge", "split"]

    /// The problems of a split, one per line, blank lines left out.
    var splitParts: [String] {
        (parts ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func parsed() throws -> CaseAction {
        var check = FieldChecker()
        let name = action ?? ""
        guard Self.actions.contains(name) else {
            throw AppError.field("action", zh: "操作无效，可选：\(Self.actions.joined(separator: "、"))", en: "action must be one of: \(Self.actions.joined(separator: ", "))")
        }
        func unit() -> String? { check.code("unitCode", unitCode, label: "单位代码") }
        let result: CaseAction?
        switch name {
        case "assign": result = unit().map { .assign(unitCode: $0) }
        case "transfer":
            let code = unit()
            result = code.map { .transfer(unitCode: $0, reason: reason ?? "") }
        case "send-back": result = .sendBack(reason: reason ?? "")
        case "acknowledge": result = .acknowledge
        case "pause": result = .pause
        case "resume": result = .resume
        case "answer":
            let outcome = check.choice("outcome", outcome, label: "办理结果", as: CaseOutcome.self)
            result = outcome.map { .answer($0, text: answer ?? "") }
        case "request-extension":
            if days == nil { check.fail("days", zh: "请填写延期天数", en: "days is required") }
            result = days.map { .requestExtension(days: $0, reason: reason ?? "") }
        case "approve-extension": result = .approveExtension
        case "refuse-extension": result = .refuseExtension(reason: reason ?? "")
        case "merge":
            if (intoNumber ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                check.fail("intoNumber", zh: "请填写要合并到的诉求编号", en: "name the case to merge into")
            }
            result = .close(.merged)
        case "split":
            let parts = splitParts
            if parts.count < 2 || parts.count > 20 { check.fail("parts", zh: "拆分须写 2 到 20 个问题，每行一个", en: "a split names 2 to 20 problems, one per line") }
            if parts.contains(where: { $0.count > CaseWorkflow.maxTextLength }) {
                check.fail("parts", zh: "每个问题不能超过 \(CaseWorkflow.maxTextLength) 字", en: "each problem is at most \(CaseWorkflow.maxTextLength) characters")
            }
            result = .close(.split)
        default:
            let rating = check.choice("rating", rating, label: "评价", as: CaseRating.self)
            if (comment ?? "").count > 500 { check.fail("comment", zh: "评价说明不能超过 500 字", en: "the comment is at most 500 characters") }
            result = rating.map { .rate($0) }
        }
        try check.throwIfInvalid()
        return result!
    }

    func note(for action: CaseAction) -> String {
        switch action {
        case .transfer(_, let reason), .sendBack(let reason): reason.trimmingCharacters(in: .whitespacesAndNewlines)
        case .answer(let outcome, _): outcome.label.zh
        case .rate(let rating): rating.label.zh + ((comment ?? "").isEmpty ? "" : "：" + String((comment ?? "").prefix(500)))
        case .requestExtension(let days, let reason): "申请延期 \(days) 天：" + reason.trimmingCharacters(in: .whitespacesAndNewlines)
        case .approveExtension: "同意延期"
        case .refuseExtension(let reason): "不同意延期：" + reason.trimmingCharacters(in: .whitespacesAndNewlines)
        default: ""
        }
    }
}
