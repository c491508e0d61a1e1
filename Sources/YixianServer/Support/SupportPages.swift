import Fluent
import Foundation
import Plot
import Vapor
import YixianCore

/// One help or talk with a student in special difficulty (精准帮扶); see `CreateSupportLogs`.
final class SupportLogModel: Model, @unchecked Sendable {
    static let schema = "support_logs"
    @ID var id: UUID?
    @Parent(key: "student_id") var student: StudentModel
    @Parent(key: "cadre_id") var cadre: CadreModel
    /// ISO date of the help.
    @Field(key: "day") var day: String
    /// A `SupportKind` code.
    @Field(key: "kind") var kind: String
    @Field(key: "note") var note: String
    @Field(key: "created_at") var createdAt: Date
    /// Username of who logged it.
    @Field(key: "created_by") var createdBy: String

    init() {}
}

/// What a helper does for a student in difficulty; 走访 is the visit 湖南科技大学 五(五) counts per student.
enum SupportKind: String, CaseIterable, Sendable, Codable, Labelled {
    case talk
    case visit
    case aid = "financial-aid"
    case psychological = "psychological-support"
    case study = "academic-support"

    var label: Localized {
        switch self {
        case .talk: Localized(zh: "谈心谈话", en: "Talk")
        case .visit: Localized(zh: "走访", en: "Visit")
        case .aid: Localized(zh: "资助", en: "Financial aid")
        case .psychological: Localized(zh: "心理支持", en: "Psychological support")
        case .study: Localized(zh: "学业帮扶", en: "Academic support")
        }
    }
}

struct SupportAssignInput: Content {
    var studentNumber: String?
    var staffNumber: String?
}

struct SupportLogInput: Content {
    var studentNumber: String?
    var date: String?
    var kind: String?
    var note: String?
}

/// One flagged student as the list shows them.
struct SupportEntry: Sendable {
    var studentID: UUID
    var studentNumber: String
    var name: String
    var unitName: String
    /// The flag kinds, never the note.
    var kinds: [Localized]
    var helpers: [(staffNumber: String, name: String)]
    var last: (day: String, kind: Localized, helper: String, note: String?)?
    /// Logs in the running term, in total and by kind.
    var termCount: Int
    var termByKind: [(Localized, Int)]
    /// The reader is one of the helpers: may log help for this student.
    var mine: Bool
}

/// 精准帮扶: the students flagged for hardship, disability or psychological attention in the
/// reader's scope, their helpers and the help logged. Listing flags is a sensitive read: each
/// view writes one `sensitive.read` audit row naming the scope and how many students it showed.
struct SupportPageModel: Sendable {
    var entries: [SupportEntry]
    var termName: String?
    var mayAssign: Bool
    var mayLog: Bool
    /// May open the sealed note page (`/students/:id/sensitive`) and read the log notes.
    var mayReadNotes: Bool
    var assign = SupportAssignInput()
    var log = SupportLogInput()
    var problems: [AppError.FieldProblem] = []
    var notice: String?
}

enum SupportPages {
    static let readers: Set<Role> = [.businessAdmin, .unitSecretary, .cadre]
    static let assigners: Set<Role> = [.businessAdmin, .unitSecretary]

    static func flagKinds(_ f: SensitiveFlags) -> [Localized] {
        var kinds: [Localized] = []
        if f.familyHardship { kinds.append(Localized(zh: "家庭经济困难", en: "Family hardship")) }
        if f.disability { kinds.append(Localized(zh: "残疾", en: "Disability")) }
        if f.psychologicalAttention { kinds.append(Localized(zh: "心理关注", en: "Psychological attention")) }
        return kinds
    }

    static func isFlagged(_ f: SensitiveFlags) -> Bool { f.familyHardship || f.disability || f.psychologicalAttention }

    /// The running term, or the last one begun when today falls between terms.
    static func term(_ years: [AcademicYear], today: LocalDate) -> Term? {
        let terms = years.flatMap(\.terms)
        return terms.first { $0.range.contains(today) } ?? terms.filter { $0.range.start <= today }.max { $0.range.start < $1.range.start }
    }

    /// Key-student pairings in force today of the current academic year.
    static func helperPairings(year: AcademicYear?, today: LocalDate, on db: any Database) async throws -> [PairingModel] {
        guard let year else { return [] }
        return try await PairingModel.query(on: db).filter(\.$kind == Pairing.Kind.keyStudent.rawValue).filter(\.$academicYear == year.id)
            .filter(\.$endDate >= today.iso).filter(\.$startDate <= today.iso).with(\.$cadre).all()
    }

    static func load(_ req: Request, assign: SupportAssignInput = .init(), log: SupportLogInput = .init(),
                     problems: [AppError.FieldProblem] = [], notice: String? = nil) async throws -> SupportPageModel {
        let user = try req.requireUser()
        let today = LocalDate(req.now)
        let years = try await CalendarAPI.load(on: req.db)
        let year = years.first { $0.range.contains(today) } ?? years.last
        let term = term(years, today: today)
        let mayReadNotes = user.can(.readSensitive)
        let entries = try await req.db.write { db -> [SupportEntry] in
            let pairings = try await helperPairings(year: year, today: today, on: db)
            var students = StudentModel.query(on: db).with(\.$unit)
            let scope: String
            switch user.role {
            case .businessAdmin:
                scope = "all"
            case .unitSecretary:
                guard let unitID = user.unitID else { return [] }
                students = students.filter(\.$unit.$id == unitID)
                scope = "unit:\(user.unitCode ?? unitID.uuidString)"
            default:
                // Cadres may not read sensitive flags by role: only those of the students they are assigned to.
                guard let cadreID = user.cadreID else { return [] }
                let mine = pairings.filter { $0.$cadre.id == cadreID }.compactMap { $0.$student.id }
                students = students.filter(\.$id ~~ mine)
                scope = "helper:\(user.username)"
            }
            let inScope = try await students.all()
            let ids = inScope.compactMap(\.id)
            let sealed = ids.isEmpty ? [] : try await StudentSensitiveModel.query(on: db).filter(\.$student.$id ~~ ids).all()
            var flags: [UUID: SensitiveFlags] = [:]
            for row in sealed where isFlagged(row.core) { flags[row.$student.id] = row.core }
            let flagged = inScope.filter { flags[$0.id!] != nil }
                .sorted { ($0.unit.sortOrder ?? Int.max, $0.unit.code, $0.studentNumber) < ($1.unit.sortOrder ?? Int.max, $1.unit.code, $1.studentNumber) }
            let flaggedIDs = flagged.compactMap(\.id)
            let logs = flaggedIDs.isEmpty ? [] : try await SupportLogModel.query(on: db).filter(\.$student.$id ~~ flaggedIDs).with(\.$cadre).all()
            try await AuditTrail.record("sensitive.read", objectType: "support-list", objectID: scope,
                                        detail: "\(flagged.count) students", by: .init(user), on: db)
            return flagged.map { student in
                let helpers = pairings.filter { $0.$student.id == student.id }.map { (staffNumber: $0.cadre.staffNumber, name: $0.cadre.name) }
                let own = logs.filter { $0.$student.id == student.id }
                let latest = own.max { ($0.day, $0.createdAt) < ($1.day, $1.createdAt) }
                let inTerm = term.map { t in own.filter { LocalDate($0.day).map(t.range.contains) ?? false } } ?? []
                let byKind = SupportKind.allCases.compactMap { kind -> (Localized, Int)? in
                    let n = inTerm.filter { $0.kind == kind.rawValue }.count
                    return n == 0 ? nil : (kind.label, n)
                }
                let mine = user.cadreID.map { id in pairings.contains { $0.$cadre.id == id && $0.$student.id == student.id } } ?? false
                return SupportEntry(
                    studentID: student.id!, studentNumber: student.studentNumber, name: student.name, unitName: student.unit.name,
                    kinds: flagKinds(flags[student.id!]!), helpers: helpers,
                    last: latest.map { l in
                        (day: l.day, kind: SupportKind(rawValue: l.kind)?.label ?? .same(l.kind), helper: l.cadre.name,
                         note: mayReadNotes || l.createdBy == user.username ? l.note : nil)
                    },
                    termCount: inTerm.count, termByKind: byKind, mine: mine)
            }
        }
        return SupportPageModel(entries: entries, termName: term?.name, mayAssign: assigners.contains(user.role),
                                mayLog: user.role == .cadre && entries.contains { $0.mine }, mayReadNotes: mayReadNotes,
                                assign: assign, log: log, problems: problems, notice: notice)
    }

    // MARK: - Writes

    /// Makes a cadre the helper of a flagged student: a `key-student` pairing for the current year.
    static func assign(_ input: SupportAssignInput, by user: CurrentUser, today: LocalDate, on db: any Database) async throws {
        var check = FieldChecker()
        let number = check.code("studentNumber", input.studentNumber, label: "学号")
        let staff = check.code("staffNumber", input.staffNumber, label: "干部工号")
        try check.throwIfInvalid()
        guard let year = try await PairingService.currentYear(on: db, asOf: today) else {
            throw AppError.field("studentNumber", zh: "尚未设置校历，无法确定结对学年", en: "No calendar yet: the academic year of the pairing is unknown")
        }
        try await db.write { db in
            var query = StudentModel.query(on: db).filter(\.$studentNumber == number!)
            if user.role != .businessAdmin {
                guard let unitID = user.unitID else { throw AppError.forbidden }
                query = query.filter(\.$unit.$id == unitID)
            }
            guard let student = try await query.first() else {
                throw AppError.field("studentNumber", zh: "本单位没有学号为“\(number!)”的学生", en: "No student \(number!) in your scope")
            }
            let flags = try await StudentSensitiveModel.query(on: db).filter(\.$student.$id == student.id!).first()?.core ?? SensitiveFlags()
            guard isFlagged(flags) else {
                throw AppError.field("studentNumber", zh: "该学生未标记为家庭经济困难、残疾或心理关注，无需指定帮扶干部",
                                     en: "This student is not flagged for hardship, disability or psychological attention")
            }
            guard let cadre = try await CadreModel.query(on: db).filter(\.$staffNumber == staff!).first() else {
                throw AppError.field("staffNumber", zh: "工号“\(staff!)”不存在", en: "Unknown staff number \(staff!)")
            }
            guard cadre.$unit.id == student.$unit.id || user.role == .businessAdmin else {
                throw AppError.field("staffNumber", zh: "该干部不属于学生所在单位；跨单位指定请由学工部门办理",
                                     en: "This cadre is not of the student's unit; only the office assigns across units")
            }
            let existing = try await PairingModel.query(on: db).filter(\.$kind == Pairing.Kind.keyStudent.rawValue)
                .filter(\.$academicYear == year.id).filter(\.$cadre.$id == cadre.id!).filter(\.$student.$id == student.id!).first()
            guard existing == nil else {
                throw AppError.field("staffNumber", zh: "本学年已指定该干部为该学生的帮扶干部", en: "This cadre already helps this student this year")
            }
            _ = try await PairingService.add(staffNumber: cadre.staffNumber, collectiveCode: nil, studentNumber: student.studentNumber,
                                             kind: .keyStudent, year: year, range: DateRange(start: max(today, year.range.start), end: year.range.end),
                                             actor: .init(user), on: db)
        }
    }

    /// Logs a help or talk by the signed-in cadre, who must be paired with the student on that day.
    static func log(_ input: SupportLogInput, by user: CurrentUser, today: LocalDate, now: Date, on db: any Database) async throws {
        var check = FieldChecker()
        let number = check.code("studentNumber", input.studentNumber, label: "学号")
        let day = check.date("date", input.date, label: "日期")
        let kind = check.choice("kind", input.kind, label: "方式", as: SupportKind.self)
        let note = check.text("note", input.note, label: "简要记录", max: 200, required: false)
        if let day, day > today { check.fail("date", zh: "日期不能晚于今天", en: "The date is after today") }
        try check.throwIfInvalid()
        guard let cadreID = user.cadreID else { throw AppError.forbidden }
        try await db.write { db in
            // One answer for an unknown student and one not paired: a cadre cannot probe the roster.
            let notPaired = AppError.field("studentNumber", zh: "你在\(day!.iso)未与学号“\(number!)”的学生结对（重点联系学生），不能记录",
                                           en: "You were not paired with student \(number!) (key student) on \(day!.iso)")
            guard let student = try await StudentModel.query(on: db).filter(\.$studentNumber == number!).first() else { throw notPaired }
            let paired = try await PairingModel.query(on: db).filter(\.$kind == Pairing.Kind.keyStudent.rawValue)
                .filter(\.$cadre.$id == cadreID).filter(\.$student.$id == student.id!)
                .filter(\.$startDate <= day!.iso).filter(\.$endDate >= day!.iso).first()
            guard paired != nil else { throw notPaired }
            let row = SupportLogModel()
            row.$student.id = student.id!
            row.$cadre.id = cadreID
            row.day = day!.iso
            row.kind = kind!.rawValue
            row.note = note ?? ""
            row.createdAt = now
            row.createdBy = user.username
            try await row.create(on: db)
            try await AuditTrail.record("support.log", objectType: "student", objectID: student.studentNumber,
                                        detail: "\(kind!.rawValue) \(day!.iso)", by: .init(user), on: db)
        }
    }

    // MARK: - Routes

    static func register(_ app: Application) {
        app.routes.on(.GET, SitePattern.support.components, access: .roles(readers)) { req -> Response in
            let notice: String? = switch req.query[String.self, at: "done"] {
            case "assigned": PageContext(req).t("已指定帮扶干部。", "Helper assigned.")
            case "logged": PageContext(req).t("已记录帮扶。", "Help logged.")
            default: nil
            }
            return render(req, try await load(req, log: SupportLogInput(studentNumber: req.query[String.self, at: "student"]), notice: notice))
        }
        app.routes.on(.POST, SitePattern.supportAssign.components, access: .roles(assigners)) { req -> Response in
            let input = try req.content.decode(SupportAssignInput.self)
            do {
                try await assign(input, by: try req.requireUser(), today: LocalDate(req.now), on: req.db)
                return req.redirect(to: SiteRoute.support.path(query: ["done": "assigned"]))
            } catch let error as AppError where error.status == .unprocessableEntity {
                return render(req, try await load(req, assign: input, problems: error.details), status: .unprocessableEntity)
            }
        }
        app.routes.on(.POST, SitePattern.supportLog.components, access: .roles([.cadre])) { req -> Response in
            let input = try req.content.decode(SupportLogInput.self)
            do {
                try await log(input, by: try req.requireUser(), today: LocalDate(req.now), now: req.now, on: req.db)
                return req.redirect(to: SiteRoute.support.path(query: ["done": "logged"]))
            } catch let error as AppError where error.status == .unprocessableEntity {
                return render(req, try await load(req, log: input, problems: error.details), status: .unprocessableEntity)
            }
        }
    }

    // MARK: - Page

    static func render(_ req: Request, _ model: SupportPageModel, status: HTTPResponseStatus = .ok) -> Response {
        let ctx = PageContext(req)
        return ctx.render(title: ctx.t("精准帮扶", "Students in special difficulty"), status: status, content: view(ctx, model))
    }

    static func view(_ ctx: PageContext, _ m: SupportPageModel) -> Node<HTML.BodyContext> {
        let termHeader = m.termName.map { ctx.t("本学期（\($0)）次数", "This term (\($0))") } ?? ctx.t("本学期次数", "This term")
        let rows: [[Node<HTML.TableRowContext>]] = m.entries.map { e in
            [
                .td(.text("\(e.name)（\(e.studentNumber)）"),
                    .if(m.mayReadNotes, .group(.br(), .a(.href(SiteRoute.studentSensitive(e.studentID).path()), .text(ctx.t("特殊困难信息", "Details")))))),
                Components.cell(e.unitName),
                .td(.forEach(e.kinds) { .span(.class("tag amber"), .text(ctx.t($0))) }),
                Components.cell(e.helpers.isEmpty ? ctx.t("未指定", "None") : e.helpers.map { "\($0.name)（\($0.staffNumber)）" }.joined(separator: "、")),
                .td(.unwrap(e.last, { l in
                    .group(.text("\(l.day) \(ctx.t(l.kind)) · \(l.helper)"), .unwrap(l.note.flatMap { $0.isEmpty ? nil : $0 }) { .group(.br(), .span(.class("muted"), .text($0))) })
                }, else: .text("—"))),
                .td(.text(String(e.termCount)),
                    .if(!e.termByKind.isEmpty, .span(.class("muted"), .text("（" + e.termByKind.map { "\(ctx.t($0.0)) \($0.1)" }.joined(separator: "、") + "）")))),
                .td(.if(e.mine, .a(.href(SiteRoute.support.path(query: ["student": e.studentNumber]) + "#log"), .text(ctx.t("记录帮扶", "Log help"))))),
            ]
        }
        let mine = m.entries.filter(\.mine)
        return .group(
            .h1(.text(ctx.t("精准帮扶", "Students in special difficulty"))),
            .p(.class("muted"), .text(ctx.t("家庭经济困难、残疾或心理关注的学生及其帮扶干部。此名单属敏感信息，每次查看均记入审计日志；列表只显示类别，不显示备注。",
                                             "Students flagged for hardship, disability or psychological attention, and their helpers. Each view of this list is audited; it shows the kind of flag, never the note."))),
            Components.notice(m.notice),
            Components.errorSummary(ctx, m.problems),
            Components.table(ctx, headers: [ctx.t("学生", "Student"), ctx.t("单位", "Unit"), ctx.t("类别", "Flags"), ctx.t("帮扶干部", "Helpers"),
                                             ctx.t("最近帮扶", "Last help"), termHeader, ""],
                             rows: rows, empty: .text(ctx.t("范围内没有需要帮扶的学生。", "No flagged students in your scope.")), exports: []),
            .if(m.mayAssign, assignForm(ctx, m)),
            .if(m.mayLog, logForm(ctx, m, students: mine)))
    }

    static func assignForm(_ ctx: PageContext, _ m: SupportPageModel) -> Node<HTML.BodyContext> {
        .div(.class("panel"), .id("assign"),
             .h2(.text(ctx.t("指定帮扶干部", "Assign a helper"))),
             .p(.class("muted"), .text(ctx.t("帮扶干部须为学生所在单位的干部（学工部门可跨单位指定），记为本学年的“重点联系学生”结对。",
                                              "The helper is a cadre of the student's unit (the office may assign across units); stored as this year's key-student pairing."))),
             .form(.method(.post), .action(SiteRoute.supportAssign.path()),
                   Layout.csrfField(ctx),
                   Components.field(ctx, name: "studentNumber", label: ctx.t("学号", "Student number"), value: m.assign.studentNumber ?? "", problems: m.problems),
                   Components.field(ctx, name: "staffNumber", label: ctx.t("干部工号", "Staff number"), value: m.assign.staffNumber ?? "", problems: m.problems),
                   .button(.type(.submit), .text(ctx.t("指定", "Assign")))))
    }

    static func logForm(_ ctx: PageContext, _ m: SupportPageModel, students: [SupportEntry]) -> Node<HTML.BodyContext> {
        let problem = { (field: String) in m.problems.first { $0.field == field } }
        return .div(.class("panel"), .id("log"),
                    .h2(.text(ctx.t("记录帮扶", "Log help"))),
                    .form(.method(.post), .action(SiteRoute.supportLog.path()),
                          Layout.csrfField(ctx),
                          .div(.class(problem("studentNumber") == nil ? "field" : "field has-error"),
                               .label(.for("studentNumber"), .text(ctx.t("学生", "Student"))),
                               .unwrap(problem("studentNumber")) { .span(.class("field-error"), .text(ctx.t($0.message))) },
                               .select(.id("studentNumber"), .attribute(named: "name", value: "studentNumber"),
                                       .forEach(students) { Components.option(value: $0.studentNumber, text: "\($0.name)（\($0.studentNumber)）",
                                                                              selected: $0.studentNumber == m.log.studentNumber) })),
                          Components.field(ctx, name: "date", label: ctx.t("日期", "Date"), value: m.log.date ?? ctx.today.iso, type: .date, problems: m.problems),
                          .div(.class(problem("kind") == nil ? "field" : "field has-error"),
                               .label(.for("kind"), .text(ctx.t("方式", "Kind"))),
                               .unwrap(problem("kind")) { .span(.class("field-error"), .text(ctx.t($0.message))) },
                               .select(.id("kind"), .attribute(named: "name", value: "kind"),
                                       .forEach(SupportKind.allCases) { Components.option(value: $0.rawValue, text: ctx.t($0.label), selected: $0.rawValue == (m.log.kind ?? "talk")) })),
                          Components.field(ctx, name: "note", label: ctx.t("简要记录", "Short note"), value: m.log.note ?? "",
                                           hint: ctx.t("不超过 200 字；心理评估等敏感内容请勿填写。", "At most 200 characters; no psychological assessments."), problems: m.problems),
                          .button(.type(.submit), .text(ctx.t("记录", "Log")))))
    }
}
