import Foundation
import Plot
import Vapor
import YixianCore

/// 待办与预警: one list, across the units the reader sees, of the items missed and at risk — instead of
/// opening every unit's page to find them. Filterable by status, unit and rule; exported as shown.
struct AttentionModel: Sendable {
    struct Row: Sendable, Equatable {
        var unit: String
        var subject: String
        var rule: String
        var period: Localized
        var status: ComplianceStatus
        var required: Double
        var achieved: Double
        var advisory: Bool
        var note: Localized?
        var link: String
    }

    var asOf: LocalDate
    var rows: [Row]
    /// The filter as query items (the export link keeps it).
    var filter: [String: String]
    var units: [(String, String)]
    var rules: [(String, String)]

    static let statuses: [ComplianceStatus] = [.missed, .atRisk]

    static func load(_ req: Request, evaluation: ComplianceService.Evaluation) throws -> AttentionModel {
        let user = try req.requireUser()
        let status = try req.stringParameter("status", maxLength: 20)
        let wanted: Set<ComplianceStatus>
        if let status {
            guard let parsed = ComplianceStatus(rawValue: status), statuses.contains(parsed) else {
                throw AppError.field("status", zh: "状态只能是 missed 或 at-risk", en: "status must be missed or at-risk")
            }
            wanted = [parsed]
        } else {
            wanted = Set(statuses)
        }
        let unitFilter = try req.stringParameter("unit", maxLength: 40)
        let ruleFilter = try req.stringParameter("rule", maxLength: 80)
        let includeAdvisory = try req.boolParameter("advisory") ?? false
        // A secretary sees their unit's; readers of the whole school, every unit's and the school's own.
        let scoped = try user.rosterUnitScope() != nil ? user.unitCode : nil
        var cells: [ComplianceCell]
        if let scoped {
            cells = evaluation.current(ofUnit: scoped)
        } else {
            cells = evaluation.currentOfSchool + evaluation.index.currentByUnit.keys.sorted().flatMap { evaluation.current(ofUnit: $0) }
        }
        cells = cells.filter { wanted.contains($0.status) && (includeAdvisory || $0.severity == .required) }
        if let unitFilter { cells = cells.filter { $0.subject.unitCode == unitFilter } }
        if let ruleFilter { cells = cells.filter { $0.ruleID == ruleFilter } }
        let unitNames = evaluation.units.mapValues(\.name)
        let rows = cells.map { cell in
            Row(unit: cell.subject.kind == .school ? "全校" : unitNames[cell.subject.unitCode] ?? cell.subject.unitCode, subject: cell.subject.name,
                rule: evaluation.title(cell.ruleID), period: cell.period.label, status: cell.status, required: cell.required, achieved: cell.achieved,
                advisory: cell.severity == .advisory, note: cell.note, link: CompliancePages.cellLink(cell, asOf: evaluation.asOf))
        }.sorted { ($0.status == .missed ? 0 : 1, $0.unit, $0.subject, $0.rule) < ($1.status == .missed ? 0 : 1, $1.unit, $1.subject, $1.rule) }
        var filter: [String: String] = ["asOf": evaluation.asOf.iso]
        filter["status"] = status
        filter["unit"] = unitFilter
        filter["rule"] = ruleFilter
        if includeAdvisory { filter["advisory"] = "true" }
        let units = scoped == nil ? evaluation.units.values.sorted(by: Unit.inUniversityOrder).map { ($0.code, $0.name) } : []
        let rules = evaluation.rules.values.sorted { ($0.title ?? $0.id) < ($1.title ?? $1.id) }.map { ($0.id, $0.title ?? $0.id) }
        return AttentionModel(asOf: evaluation.asOf, rows: rows, filter: filter, units: units, rules: rules)
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    func xlsx() throws -> Data {
        let header = ["状态", "单位", "对象", "要求", "期间", "应达", "已达", "说明"]
        return try XLSXWriter.write([XLSXWorksheet(name: "未完成与有风险", header: header, rows: rows.map { r in
            [.text(r.status.label.zh), .text(r.unit), .text(r.subject), .text(r.rule + (r.advisory ? "（倡导）" : "")), .text(r.period.zh),
             .number(r.required), .number(r.achieved), .text(r.note?.zh ?? "")]
        })])
    }
}

enum AttentionPage {
    static func register(_ app: Application) {
        app.routes.on(.GET, SitePattern.complianceAttention.components, access: .capability(.readCompliance)) { req -> Response in
            let ctx = PageContext(req)
            let title = ctx.t("未完成与有风险事项", "Missed and at risk")
            guard let evaluation = try await CompliancePages.evaluation(req) else { return CompliancePages.noPolicy(ctx, title: title) }
            let model = try AttentionModel.load(req, evaluation: evaluation)
            if let format = req.query[String.self, at: "format"] {
                guard format == "xlsx" else { throw AppError.field("format", zh: "格式只能是 xlsx", en: "format must be xlsx") }
                let response = Response(status: .ok, body: .init(data: try model.xlsx()))
                response.headers.contentType = HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
                response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"attention-\(model.asOf.iso).xlsx\"")
                return response
            }
            return ctx.render(title: title, breadcrumbs: [(ctx.t("落实情况", "Compliance"), SiteRoute.compliance.path()), (title, nil)],
                              content: view(ctx, model, title: title))
        }
    }

    static func view(_ ctx: PageContext, _ m: AttentionModel, title: String) -> Node<HTML.BodyContext> {
        func select(_ name: String, _ label: String, _ options: [(String, String)]) -> Node<HTML.FormContext> {
            .label(.text(label), .select(.attribute(named: "name", value: name),
                                         Components.option(value: "", text: ctx.t("全部", "All"), selected: m.filter[name] == nil),
                                         .forEach(options) { Components.option(value: $0.0, text: $0.1, selected: m.filter[name] == $0.0) }))
        }
        var export = m.filter
        export["format"] = "xlsx"
        return .group(
            .h1(.text(title)),
            .p(.class("muted"), .text(ctx.t("截至 \(m.asOf.iso)，本学期已开始的各项要求中未完成和有风险的，先列未完成；共 \(m.rows.count) 项。",
                                            "As of \(m.asOf.iso), this term's requirements already begun that are missed or at risk, missed first: \(m.rows.count)."))),
            .form(.class("toolbar"), .method(.get), .action(SiteRoute.complianceAttention.path()),
                  .input(.type(.hidden), .name("asOf"), .value(m.asOf.iso)),
                  select("status", ctx.t("状态", "Status"), AttentionModel.statuses.map { ($0.rawValue, ctx.t($0.label)) }),
                  .if(!m.units.isEmpty, select("unit", ctx.t("单位", "Unit"), m.units)),
                  select("rule", ctx.t("要求", "Rule"), m.rules),
                  Components.checkbox(name: "advisory", value: "true", label: ctx.t("含倡导性要求", "Include advisory"), checked: m.filter["advisory"] != nil),
                  .button(.type(.submit), .text(ctx.t("筛选", "Filter"))),
                  .a(.class("button secondary"), .href(SiteRoute.complianceAttention.path(query: export)), .text(ctx.t("导出 Excel", "Export .xlsx")))),
            Components.table(ctx, headers: [ctx.t("状态", "Status"), ctx.t("单位", "Unit"), ctx.t("对象", "Who"), ctx.t("要求", "Rule"),
                                            ctx.t("期间", "Period"), ctx.t("完成", "Done"), ctx.t("说明", "Note")],
                             rows: m.rows.prefix(1_000).map { r in
                                 [.td(Components.tag(ctx.t(r.status.label), CompliancePages.colour(r.status))), Components.cell(r.unit),
                                  Components.cell(r.subject, href: r.link), Components.cell(r.rule + (r.advisory ? ctx.t("（倡导）", " (advisory)") : "")),
                                  Components.cell(ctx.t(r.period)),
                                  Components.cell("\(AttentionModel.number(r.achieved)) / \(AttentionModel.number(r.required))"),
                                  Components.cell(r.note.map { ctx.t($0) } ?? "")]
                             }, empty: .text(ctx.t("没有未完成或有风险的事项。", "Nothing missed or at risk.")), exports: ["csv"]),
            .if(m.rows.count > 1_000, .p(.class("muted"), .text(ctx.t("只显示前 1000 项，请筛选或导出。", "The first 1,000 are shown; filter or export."))))
        )
    }
}
