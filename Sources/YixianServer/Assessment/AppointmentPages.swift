import Fluent
import Foundation
import Plot
import Vapor
import YixianCore

/// 干部任用参考 (三个纳入): on a cadre's page, their student-work experience and their compliance per
/// academic year; for the office and assessors, the check of a proposed post (拟任职务审核) on a page of
/// its own that can be bookmarked, each read audited.
enum AppointmentPages {
    /// Who may run the check: it weighs a person for promotion, so not their own unit's secretary.
    static let checkers: Set<Role> = [.businessAdmin, .assessor]
    /// Academic years shown, newest first: enough for "the last completed year" and the one before.
    static let yearsShown = 3

    /// What the panel shows beside the check itself.
    struct Record: Sendable {
        var cadreID: UUID
        var check: AppointmentCheck
        var unitNames: [String: String]
        /// Active units the check may name, in the university's order.
        var units: [Unit]
        /// The earliest pairing and ledger line: activity on record, not posts held.
        var firstPairing: LocalDate?
        var firstContact: LocalDate?
    }

    /// The cadre's record: posts from `cadre_posts`, and per academic year begun (the last `yearsShown`)
    /// the engine's verdicts on their required cells as of the day that year is judged on — the same
    /// cells and filter as the dossier list — with confirmed integrity findings and 问责 measures.
    static func record(_ req: Request, cadre model: CadreModel) async throws -> Record {
        let facts = try await req.application.complianceStore.facts.facts(on: req.db)
        let units = facts.organization.units
        let unitCodes = Dictionary(facts.organization.unitIDs.map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let cadre = model.core(unitCode: unitCodes[model.$unit.id] ?? "")
        let today = LocalDate(req.now)
        var history: [AppointmentCheck.YearRecord] = []
        for year in try await DossierSource.periods(on: req.db, today: today).filter({ $0.kind == .year }).prefix(yearsShown) {
            let source = try await DossierSource.load(req, period: year, cadres: [cadre])
            var tally = ComplianceTally()
            for cell in source.cellsByCadre[cadre.staffNumber] ?? [] where cell.severity == .required
                && year.range.contains(cell.period.start) && cell.period.end <= year.range.end {
                tally.add(cell.status)
            }
            let confirmed = (source.findingsByCadre[cadre.staffNumber] ?? []).filter { $0.verdict == CadreDossier.confirmedVerdict }.count
            history.append(.init(yearID: year.id, name: year.name, range: year.range, completed: today > year.range.end, tally: tally,
                                 confirmedFindings: confirmed, measures: (source.measuresByCadre[cadre.staffNumber] ?? []).map(\.kind)))
        }
        let spells = try await CadrePostHistory.spells(of: model.id!, unitCodes: unitCodes, on: req.db)
        let firstPairing = try await PairingModel.query(on: req.db).filter(\.$cadre.$id == model.id!).all(\.$startDate).compactMap(LocalDate.init).min()
        let firstContact = try await ContactRecordModel.query(on: req.db).filter(\.$cadre.$id == model.id!).sort(\.$startAt).first().map { LocalDate($0.startAt) }
        return Record(cadreID: model.id!,
                      check: AppointmentCheck(cadre: cadre, unitKinds: Dictionary(units.map { ($0.code, $0.kind) }, uniquingKeysWith: { a, _ in a }),
                                              spells: spells, history: history, asOf: today),
                      unitNames: Dictionary(units.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a }),
                      units: units.filter(\.active).sorted(by: Unit.inUniversityOrder), firstPairing: firstPairing, firstContact: firstContact)
    }

    // MARK: Views

    /// 学生工作经历与落实情况, on the cadre's page and above a check's findings.
    static func panel(_ ctx: PageContext, _ r: Record, form: (post: String, unit: String, problems: [AppError.FieldProblem])?) -> Node<HTML.BodyContext> {
        let check = r.check
        let years = String(format: "%.1f", check.studentWorkYears)
        let dash = "—"
        return .div(.class("panel"), .id("appointment-record"),
            .h2(.text(ctx.t("学生工作经历与落实情况", "Student-work experience and compliance"))),
            .p(.class("muted"), .text(ctx.t("落实联系学生工作情况是干部任用的重要依据（三个纳入）；新提任的党委工作部门负责人应有学生工作经历（教党函〔2019〕34号 四）。",
                                            "Contact work is an important basis for appointment (the three inclusions); a newly appointed head of a party-committee work department should have student-work experience (MOE 2019-34 §4)."))),
            .p(.id("student-work-years"), .data(named: "years", value: years),
               .text(ctx.t("学生工作经历：\(check.startsUnknown ? "至少 " : "")\(years) 年", "Student-work experience: \(check.startsUnknown ? "at least " : "")\(years) years"))),
            .p(.class("muted"), .text(ctx.t(
                "任职经历取自名册变动记录：名册自启用变动记录起，每次职务或单位变动都会记下；此前的任职没有记录，不作推断，请对照干部人事档案。",
                "Posts come from the roster's change records, kept since they were introduced: every change of post or unit is recorded; earlier posts are not on record and none are inferred — check the personnel file."))),
            Components.table(ctx, headers: [ctx.t("单位", "Unit"), ctx.t("职务", "Posts"), ctx.t("起", "From"), ctx.t("止", "To"), ctx.t("学生工作", "Student work")],
                             rows: check.spells.reversed().map { s in
                                 [Components.cell(r.unitNames[s.unitCode] ?? s.unitCode), Components.cell(s.posts.joined(separator: "、")),
                                  Components.cell(s.from?.iso ?? ctx.t("\(s.recordedFrom.iso) 前（起始未记录）", "before \(s.recordedFrom.iso) (start not on record)")),
                                  Components.cell(s.to?.iso ?? ctx.t("至今", "now")),
                                  Components.cell(check.isStudentWork(s) ? ctx.t("是", "Yes") : ctx.t("否", "No"))]
                             }, empty: .text(ctx.t("名册中没有任职记录。", "No posts on record."))),
            .p(.class("muted"), .text(ctx.t("最早结对：\(r.firstPairing?.iso ?? dash)；最早联系学生记录：\(r.firstContact?.iso ?? dash)（仅说明开展工作的时间，不计入任职经历）。",
                                            "First pairing: \(r.firstPairing?.iso ?? dash); first contact on record: \(r.firstContact?.iso ?? dash) (activity only, not counted as posts held)."))),
            .h3(.text(ctx.t("各学年落实情况", "Compliance per academic year"))),
            Components.table(ctx, headers: [ctx.t("学年", "Academic year"), ctx.t("状态", "State"), ctx.t("已完成", "Met"), ctx.t("未完成", "Missed"),
                                            ctx.t("有风险", "At risk"), ctx.t("诚信问题（已认定）", "Integrity (confirmed)"), ctx.t("问责", "Accountability")],
                             rows: check.years.map { y in
                                 [Components.cell(ctx.t(y.name)), Components.cell(y.completed ? ctx.t("已结束", "Ended") : ctx.t("进行中", "Running")),
                                  Components.cell("\(y.tally.met)"), Components.cell("\(y.tally.missed)"), Components.cell("\(y.tally.atRisk)"),
                                  Components.cell("\(y.confirmedFindings)"),
                                  Components.cell(y.measures.isEmpty ? dash : y.measures.map { ctx.t($0) }.joined(separator: ctx.t("、", ", ")))]
                             }, empty: .text(ctx.t("尚未设置校历或没有已开始的学年。", "No academic year has begun."))),
            .unwrap(form) { f in checkForm(ctx, r, post: f.post, unit: f.unit, problems: f.problems) }
        )
    }

    static func checkForm(_ ctx: PageContext, _ r: Record, post: String, unit: String, problems: [AppError.FieldProblem]) -> Node<HTML.BodyContext> {
        let unitProblem = problems.first { $0.field == "unit" }
        return .div(.class("panel"), .id("appointment-form"),
            .h3(.text(ctx.t("拟任职务审核", "Check a proposed appointment"))),
            Components.errorSummary(ctx, problems),
            .form(.method(.get), .action(SiteRoute.cadreAppointment(r.cadreID).path()),
                  Components.field(ctx, name: "post", label: ctx.t("拟任职务", "Proposed post"), value: post,
                                   hint: ctx.t("如：党委学生工作部部长", "e.g. 党委学生工作部部长"), problems: problems),
                  .div(.class(unitProblem == nil ? "field" : "field has-error"),
                       .label(.for("unit"), .text(ctx.t("拟任单位", "Unit"))),
                       .unwrap(unitProblem) { .span(.class("field-error"), .text(ctx.t($0.message))) },
                       .select(.id("unit"), .attribute(named: "name", value: "unit"),
                               Components.option(value: "", text: ctx.t("请选择", "Choose"), selected: unit.isEmpty),
                               .forEach(r.units) { Components.option(value: $0.code, text: "\($0.name)（\($0.code)）", selected: $0.code == unit) })),
                  .button(.type(.submit), .text(ctx.t("审核", "Check")))))
    }

    static func findingsView(_ ctx: PageContext, _ findings: [AppointmentCheck.Finding], post: String, unitName: String) -> Node<HTML.BodyContext> {
        let outcome = AppointmentCheck.outcome(findings)
        return .div(.class("panel"), .id("appointment-findings"), .data(named: "outcome", value: outcome.rawValue),
            .h2(.text(ctx.t("审核结果：\(unitName) \(post)", "Findings: \(post), \(unitName)"))),
            .p(.text(ctx.t("结论：\(outcome.label.zh)", "Outcome: \(outcome.label.en)"))),
            .ul(.forEach(findings) { f in
                .li(.data(named: "code", value: f.code.rawValue), .data(named: "severity", value: f.severity.rawValue),
                    .span(.class("tag \(f.severity == .blocking ? "bad" : f.severity == .attention ? "warn" : "muted")"), .text(ctx.t(f.severity.label))),
                    .text(" " + ctx.t(f.reason)))
            }),
            .p(.class("muted"), .text(ctx.t("审核仅供党委及组织部门参考，由其综合考量后决定。",
                                            "For the party committee and organisation department to weigh; they decide."))))
    }

    // MARK: The check

    struct Query: Sendable { var post: String; var unit: Unit }

    /// `post` and `unit` as asked, or nil when neither was given (the empty form).
    static func query(_ req: Request, units: [Unit]) throws -> Query? {
        let post = req.query[String.self, at: "post"], unit = req.query[String.self, at: "unit"]
        guard post != nil || unit != nil else { return nil }
        var check = FieldChecker()
        let text = check.text("post", post, label: "拟任职务", max: 50)
        let code = check.text("unit", unit, label: "拟任单位", max: 64)
        var found: Unit?
        if let code {
            found = units.first { $0.code == code && $0.active }
            if found == nil { check.fail("unit", zh: "单位代码“\(code)”不存在或已停用", en: "No active unit with code \(code)") }
        }
        try check.throwIfInvalid()
        return Query(post: text!, unit: found!)
    }

    static func appointment(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let model = try await CadresAPI.find(try req.idParameter(), for: user, on: req.db)
        let record = try await record(req, cadre: model)
        let ctx = PageContext(req)
        let post = req.query[String.self, at: "post"] ?? "", unit = req.query[String.self, at: "unit"] ?? ""
        func page(_ status: HTTPResponseStatus, _ findings: Node<HTML.BodyContext>, _ problems: [AppError.FieldProblem]) -> Response {
            ctx.render(title: ctx.t("拟任职务审核", "Appointment check"), breadcrumbs: [
                (ctx.t("干部", "Cadres"), SiteRoute.cadres.path()), (model.name, SiteRoute.cadre(record.cadreID).path()), (ctx.t("拟任职务审核", "Appointment check"), nil),
            ], status: status, content: .group(
                .h1(.text(ctx.t("拟任职务审核：\(model.name)", "Appointment check: \(model.name)"))),
                findings,
                panel(ctx, record, form: (post, unit, problems))))
        }
        let asked: Query?
        do {
            asked = try query(req, units: record.units)
        } catch let error as AppError where error.status == .unprocessableEntity {
            return page(.unprocessableEntity, .empty, error.details)
        }
        guard let asked else { return page(.ok, .empty, []) }
        let findings = record.check.findings(post: asked.post, unitCode: asked.unit.code)
        try await AuditTrail.recordAlone("appointment.check", objectType: "cadre", objectID: model.staffNumber,
                                         detail: "\(asked.unit.code) \(asked.post) → \(AppointmentCheck.outcome(findings).rawValue)", by: .init(user), on: req.db)
        return page(.ok, findingsView(ctx, findings, post: asked.post, unitName: asked.unit.name), [])
    }

    static func register(_ app: Application) {
        app.routes.on(.GET, SitePattern.cadreAppointment.components, access: .roles(checkers)) { req in try await appointment(req) }
    }
}
