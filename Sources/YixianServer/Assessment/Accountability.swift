import Fluent
import Foundation
import Plot
import Vapor
import YixianCore

final class AccountabilityModel: Model, @unchecked Sendable {
    static let schema = "accountability_records"
    @ID var id: UUID?
    @Parent(key: "cadre_id") var cadre: CadreModel
    @Field(key: "kind") var kind: String
    @Field(key: "decided_on") var decidedOn: String
    @Field(key: "reason") var reason: String
    /// What led to it, as the recorder names it: a confirmed integrity finding, a spot check found untrue, a bulletin.
    @Field(key: "evidence") var evidence: String
    @Field(key: "recorded_by") var recordedBy: String
    @Field(key: "recorded_at") var recordedAt: Date

    init() {}
}

/// 问责 records: the office or an assessor records a measure taken about a cadre with the evidence
/// behind it; the list is scoped like every roster page and each record shows on the cadre's dossier.
enum Accountability {
    static let readers = Access.roles([.businessAdmin, .assessor, .unitSecretary])
    static let writers = Access.roles([.businessAdmin, .assessor])

    struct Input: Content {
        var staffNumber: String?
        var kind: String?
        var decidedOn: String?
        var reason: String?
        var evidence: String?
    }

    static func create(_ input: Input, by user: CurrentUser, today: LocalDate, on db: any Database) async throws -> AccountabilityModel {
        var check = FieldChecker()
        let staff = check.code("staffNumber", input.staffNumber, label: "工号")
        let kind = check.choice("kind", input.kind, label: "问责方式", as: AccountabilityKind.self)
        let day = check.date("decidedOn", input.decidedOn, label: "决定日期")
        if let day, day > today { check.fail("decidedOn", zh: "决定日期不能晚于今天", en: "The date cannot be in the future") }
        let reason = check.text("reason", input.reason, label: "问责事由", max: 1_000, multiline: true)
        let evidence = check.text("evidence", input.evidence, label: "依据", max: 1_000, required: false, multiline: true)
        try check.throwIfInvalid()
        return try await db.write { db in
            guard let cadre = try await CadreModel.query(on: db).filter(\.$staffNumber == staff!).first() else {
                throw AppError.field("staffNumber", zh: "工号“\(staff!)”不存在", en: "Unknown staff number \(staff!)")
            }
            let model = AccountabilityModel()
            model.$cadre.id = cadre.id!
            model.kind = kind!.rawValue
            model.decidedOn = day!.iso
            model.reason = reason!
            model.evidence = evidence ?? ""
            model.recordedBy = user.displayName
            model.recordedAt = Date()
            try await model.create(on: db)
            try await AuditTrail.record("accountability.create", objectType: "cadre", objectID: cadre.staffNumber,
                                        detail: "\(kind!.rawValue) \(day!.iso): \(reason!)", by: .init(user), on: db)
            return model
        }
    }

    static func records(for user: CurrentUser, cadreIDs: [UUID]? = nil, on db: any Database) async throws -> [AccountabilityModel] {
        var query = AccountabilityModel.query(on: db).with(\.$cadre).sort(\.$decidedOn, .descending)
        if let cadreIDs { query = query.filter(\.$cadre.$id ~~ cadreIDs) }
        if let scope = try user.rosterUnitScope() {
            query = query.join(CadreModel.self, on: \AccountabilityModel.$cadre.$id == \CadreModel.$id).filter(CadreModel.self, \.$unit.$id == scope)
        }
        return try await query.all()
    }

    static func page(_ req: Request, input: Input = Input(), problems: [AppError.FieldProblem] = [], status: HTTPResponseStatus = .ok) async throws -> Response {
        let user = try req.requireUser()
        let rows = try await records(for: user, on: req.db)
        let ctx = PageContext(req)
        let kinds = AccountabilityKind.allCases
        return ctx.render(title: ctx.t("问责记录", "Accountability"), status: status, content: .group(
            .h1(.text(ctx.t("问责记录", "Accountability records"))),
            .p(.class("muted"), .text(ctx.t("对联系学生工作不到位或弄虚作假的干部采取的措施及其依据（如认定的诚信提示、抽查不属实、通报），记入干部考核材料。",
                                            "Measures taken about cadres whose contact work fell short or was faked, with the evidence; shown on their dossiers."))),
            .if(writers.allows(user), .div(.class("panel"),
                .h2(.text(ctx.t("新增问责记录", "Record a measure"))),
                Components.errorSummary(ctx, problems),
                .form(.method(.post), .action(SiteRoute.accountability.path()),
                      Layout.csrfField(ctx),
                      Components.field(ctx, name: "staffNumber", label: ctx.t("干部工号", "Staff number"), value: input.staffNumber ?? "", problems: problems),
                      .div(.class("field"), .label(.for("kind"), .text(ctx.t("问责方式", "Measure"))),
                           .select(.id("kind"), .attribute(named: "name", value: "kind"),
                                   .forEach(kinds) { Components.option(value: $0.rawValue, text: ctx.t($0.label), selected: $0.rawValue == input.kind) })),
                      Components.field(ctx, name: "decidedOn", label: ctx.t("决定日期", "Decided on"), value: input.decidedOn ?? ctx.today.iso, type: .date,
                                       problems: problems),
                      Components.field(ctx, name: "reason", label: ctx.t("问责事由", "Reason"), value: input.reason ?? "", problems: problems),
                      Components.field(ctx, name: "evidence", label: ctx.t("依据（诚信提示、抽查、通报等）", "Evidence (finding, spot check, bulletin…)"),
                                       value: input.evidence ?? "", problems: problems),
                      .button(.type(.submit), .text(ctx.t("记录", "Record")))))),
            .div(.class("toolbar"),
                 .a(.class("button secondary"), .href(SiteRoute.accountability.path(query: ["format": "xlsx"])), .text(ctx.t("导出 Excel", "Export .xlsx"))),
                 .a(.class("button secondary"), .href(SiteRoute.accountability.path(query: ["format": "csv"])), .text(ctx.t("导出 CSV", "Export .csv")))),
            Components.table(ctx, headers: [ctx.t("决定日期", "Date"), ctx.t("干部", "Cadre"), ctx.t("方式", "Measure"), ctx.t("事由", "Reason"),
                                            ctx.t("依据", "Evidence"), ctx.t("记录人", "By")],
                             rows: rows.map { r in
                                 [Components.cell(r.decidedOn), Components.cell(r.cadre.name),
                                  Components.cell(AccountabilityKind(rawValue: r.kind).map { ctx.t($0.label) } ?? r.kind),
                                  Components.cell(r.reason), Components.cell(r.evidence.isEmpty ? "—" : r.evidence), Components.cell(r.recordedBy)]
                             }, empty: .text(ctx.t("尚无问责记录。", "No records yet.")), exports: [])
        ))
    }

    static func register(_ app: Application) {
        app.routes.on(.GET, SitePattern.accountability.components, access: readers) { req -> Response in
            guard let format = req.query[String.self, at: "format"] else { return try await page(req) }
            let rows = try await records(for: try req.requireUser(), on: req.db).map { r in
                [r.decidedOn, r.cadre.staffNumber, r.cadre.name, AccountabilityKind(rawValue: r.kind)?.label.zh ?? r.kind, r.reason, r.evidence, r.recordedBy]
            }
            return try ImportExport.table(header: ["决定日期", "工号", "干部", "问责方式", "事由", "依据", "记录人"], rows: rows,
                                          format: format, name: "问责记录", ascii: "accountability")
        }
        app.routes.on(.POST, SitePattern.accountability.components, access: writers) { req -> Response in
            let input = try req.content.decode(Input.self)
            do {
                _ = try await create(input, by: try req.requireUser(), today: LocalDate(req.now), on: req.db)
            } catch let error as AppError where error.status == .unprocessableEntity {
                return try await page(req, input: input, problems: error.details, status: .unprocessableEntity)
            }
            return req.redirect(to: SiteRoute.accountability.path())
        }
    }
}
