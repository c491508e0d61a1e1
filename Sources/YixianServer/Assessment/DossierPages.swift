import Fluent
import Foundation
import Plot
import Vapor
import YixianCore

/// 考核材料 pages: the list of cadres in the reader's scope, one cadre's dossier as a printable A4
/// page, .docx or .xlsx, and a whole unit's (or the school's) as one .zip built in the background.
enum DossierPages {
    static let access = Access.roles([.businessAdmin, .assessor, .unitSecretary, .cadre])

    /// The active cadres the user may read dossiers of: everyone, their unit's, or themselves.
    static func cadres(for user: CurrentUser, unitCode: String?, on req: Request) async throws -> [Cadre] {
        let facts = try await req.application.complianceStore.facts.facts(on: req.db)
        let all = facts.organization.cadres.filter(\.active)
        switch user.scope {
        case .institution: return unitCode.map { code in all.filter { $0.unitCode == code } } ?? all
        case .unit: return all.filter { $0.unitCode == user.unitCode }
        case .own: return all.filter { cadre in user.cadreID.map { facts.organization.cadreIDs[cadre.staffNumber] == $0 } ?? false }
        }
    }

    static func render(_ req: Request, staff: String, format: String?) async throws -> Response {
        let user = try req.requireUser()
        // Outside the reader's scope is "not found", as for every object of another unit.
        guard let cadre = try await cadres(for: user, unitCode: nil, on: req).first(where: { $0.staffNumber == staff }) else {
            throw AppError.notFound("cadre")
        }
        let (period, periods) = try await DossierSource.period(req)
        let dossier = try await DossierSource.load(req, period: period, cadres: [cadre]).dossier(cadre)
        try await AuditTrail.recordAlone("dossier.read", objectType: "cadre", objectID: cadre.staffNumber, detail: "\(period.id) \(format ?? "html")",
                                    by: .init(user), on: req.db)
        switch format {
        case nil, "html":
            return .html(printPage(PageContext(req), title: dossier.title, blocks: dossier.documentBlocks(), narrative: dossier.narrative.zh,
                                   here: .dossierCadre(staff: cadre.staffNumber), switchField: ("cadre", cadre.staffNumber), period: period, periods: periods))
        case "docx":
            return ImportExport.download(try DOCXWriter.write(dossier.documentBlocks()), name: dossier.fileStem + ".docx", ascii: "dossier-\(cadre.staffNumber).docx",
                            type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        case "xlsx":
            return ImportExport.download(try XLSXWriter.write(dossier.worksheets()), name: dossier.fileStem + ".xlsx", ascii: "dossier-\(cadre.staffNumber).xlsx",
                            type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        default: throw AppError.field("format", zh: "格式只能是 html、docx 或 xlsx", en: "format must be html, docx or xlsx")
        }
    }

    /// A document on A4 in 公文 style. The summary paragraph is editable in place (no script), so an
    /// assessor can adjust the wording before printing; the toolbar does not print.
    static func printPage(_ ctx: PageContext, title: String, blocks: [DOCXBlock], narrative: String, here: SiteRoute, switchField: (String, String),
                          period: DossierSource.Period, periods: [DossierSource.Period]) -> String {
        func e(_ text: String) -> String { Components.escape(text) }
        let body = blocksHTML(blocks, editable: narrative)
        let options = periods.map { p in
            "<option value=\"\(e(p.picked))\"\(p == period ? " selected" : "")>\(e(ctx.t(p.name)))</option>"
        }.joined()
        let toolbar = """
        <nav class="doc-toolbar no-print" aria-label="\(e(ctx.t("操作", "Actions")))">
        <a href="\(e(SiteRoute.dossiers.path(query: period.query)))">\(e(ctx.t("← 考核材料", "← Dossiers")))</a>
        <form method="get" action="\(e(SiteRoute.dossiers.path()))" class="inline"><input type="hidden" name="\(e(switchField.0))" value="\(e(switchField.1))">
        <label>\(e(ctx.t("期间", "Period"))) <select name="period">\(options)</select></label> <button type="submit" class="secondary">\(e(ctx.t("切换", "Show")))</button></form>
        <a class="button secondary" href="\(e(here.path(query: period.query.merging(["format": "docx"]) { a, _ in a })))">\(e(ctx.t("下载 Word", "Download .docx")))</a>
        <a class="button secondary" href="\(e(here.path(query: period.query.merging(["format": "xlsx"]) { a, _ in a })))">\(e(ctx.t("下载 Excel", "Download .xlsx")))</a>
        <span class="muted">\(e(ctx.t("小结一段可直接修改，再用浏览器打印（A4）。", "The summary paragraph can be edited here; then print from the browser (A4).")))</span>
        </nav>
        """
        return documentPage(title: title, role: ctx.user?.role.rawValue ?? "", status: .ok, before: toolbar, main: body)
    }

    /// The blocks of a document as A4 HTML; the paragraph equal to `editable` can be changed in place.
    static func blocksHTML(_ blocks: [DOCXBlock], editable: String? = nil) -> String {
        func e(_ text: String) -> String { Components.escape(text) }
        var body = ""
        for block in blocks {
            switch block {
            case .title(let text): body += "<h1 class=\"doc-title\">\(e(text))</h1>"
            case .subtitle(let text): body += "<p class=\"doc-subtitle\">\(e(text))</p>"
            case .heading(let text): body += "<h2 class=\"doc-heading\">\(e(text))</h2>"
            case .paragraph(let text) where text == editable:
                body += "<div class=\"doc-para narrative\" contenteditable=\"true\" title=\"可直接修改后打印\">\(e(text))</div>"
            case .paragraph(let text): body += "<p class=\"doc-para\">\(e(text))</p>"
            case .table(_, let rows) where rows.isEmpty: body += "<p class=\"doc-para\">—</p>"
            case .table(let header, let rows):
                body += "<table class=\"doc-table\"><thead><tr>" + header.map { "<th>\(e($0))</th>" }.joined() + "</tr></thead><tbody>"
                    + rows.map { "<tr>" + $0.map { "<td>\(e($0))</td>" }.joined() + "</tr>" }.joined() + "</tbody></table>"
            case .pageBreak: body += "<div class=\"page-break\"></div>"
            }
        }
        return body
    }

    /// An A4 document (dossier, bulletin) in 公文 style: what comes `before` the page (toolbar, forms)
    /// does not print; `main` is already escaped HTML.
    static func documentPage(title: String, role: String, status: HTTPResponseStatus, before: String, main: String) -> String {
        """
        <!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(Components.escape(title))</title><link rel="stylesheet" href="\(SiteRoute.stylesheet.path())"></head>
        <body class="print-page" data-user-role="\(Components.escape(role))" data-status="\(status.code)">\(before)<main class="a4 dossier" id="main">\(main)</main></body></html>
        """
    }

    /// The unit's dossier for its leadership's 述职评议: the office and assessors for any unit, a secretary for their own.
    static func renderUnit(_ req: Request, code: String, format: String?) async throws -> Response {
        let user = try req.requireUser()
        let facts = try await req.application.complianceStore.facts.facts(on: req.db)
        guard let unit = facts.organization.units.first(where: { $0.code == code }),
              user.scope == .institution || user.unitCode == code else { throw AppError.notFound("unit") }
        let (period, periods) = try await DossierSource.period(req)
        let dossier = try await DossierSource.unitDossier(req, period: period, unit: unit)
        try await AuditTrail.recordAlone("dossier.read", objectType: "unit", objectID: code, detail: "\(period.id) \(format ?? "html")", by: .init(user), on: req.db)
        let stem = "\(unit.name)-\(period.name.zh)-述职评议材料"
        switch format {
        case nil, "html":
            return .html(printPage(PageContext(req), title: dossier.title, blocks: dossier.documentBlocks(), narrative: dossier.narrative.zh,
                                   here: .dossierUnit(code: code), switchField: ("unitDossier", code), period: period, periods: periods))
        case "docx":
            return ImportExport.download(try DOCXWriter.write(dossier.documentBlocks()), name: stem + ".docx", ascii: "unit-\(code).docx",
                            type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        case "xlsx":
            return ImportExport.download(try XLSXWriter.write(dossier.worksheets()), name: stem + ".xlsx", ascii: "unit-\(code).xlsx",
                            type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        default: throw AppError.field("format", zh: "格式只能是 html、docx 或 xlsx", en: "format must be html, docx or xlsx")
        }
    }

    // MARK: The list and the batch

    struct IndexModel: Sendable {
        var period: DossierSource.Period
        var periods: [DossierSource.Period]
        var units: [(code: String, name: String)]
        var unitCode: String?
        var rows: [(cadre: Cadre, unitName: String, tally: ComplianceTally)]
        var problems: [AppError.FieldProblem] = []
    }

    static func index(_ req: Request, problems: [AppError.FieldProblem] = [], status: HTTPResponseStatus = .ok) async throws -> Response {
        let user = try req.requireUser()
        // `?period=term:ID` from the picker, `?cadre=` to go straight to one dossier.
        if req.query[String.self, at: "period"] != nil {
            var query = try await DossierSource.period(req).0.query
            if let unit = req.query[String.self, at: "unit"], !unit.isEmpty { query["unit"] = unit }
            if let cadre = req.query[String.self, at: "cadre"], !cadre.isEmpty {
                return req.redirect(to: SiteRoute.dossierCadre(staff: cadre).path(query: query))
            }
            if let unit = req.query[String.self, at: "unitDossier"], !unit.isEmpty {
                return req.redirect(to: SiteRoute.dossierUnit(code: unit).path(query: query))
            }
            return req.redirect(to: SiteRoute.dossiers.path(query: query))
        }
        let (period, periods) = try await DossierSource.period(req)
        let facts = try await req.application.complianceStore.facts.facts(on: req.db)
        let unitCode = user.scope == .institution ? req.query[String.self, at: "unit"].flatMap { $0.isEmpty ? nil : $0 } : user.unitCode
        let cadres = try await cadres(for: user, unitCode: unitCode, on: req)
        let units = facts.organization.units.filter(\.active).sorted(by: Unit.inUniversityOrder)
        let position = Dictionary(units.enumerated().map { ($1.code, $0) }, uniquingKeysWith: { a, _ in a })
        let unitNames = Dictionary(units.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        let asOf = period.judgedOn
        let evaluation = try await req.evaluation(asOf: asOf)
        var tallies: [String: ComplianceTally] = [:]
        for cell in evaluation?.cells ?? [] where cell.subject.kind == .cadre && cell.severity == .required
            && period.range.contains(cell.period.start) && cell.period.end <= period.range.end {
            tallies[cell.subject.id, default: ComplianceTally()].add(cell.status)
        }
        let rows = cadres.sorted { (position[$0.unitCode] ?? Int.max, $0.staffNumber) < (position[$1.unitCode] ?? Int.max, $1.staffNumber) }
            .map { (cadre: $0, unitName: unitNames[$0.unitCode] ?? $0.unitCode, tally: tallies[$0.staffNumber] ?? ComplianceTally()) }
        let model = IndexModel(period: period, periods: periods, units: user.scope == .institution ? units.map { ($0.code, $0.name) } : [],
                               unitCode: unitCode, rows: rows, problems: problems)
        let ctx = PageContext(req)
        return ctx.render(title: ctx.t("考核材料", "Assessment dossiers"), status: status, content: indexView(ctx, model, mayBatch: user.role != .cadre))
    }

    static func indexView(_ ctx: PageContext, _ m: IndexModel, mayBatch: Bool) -> Node<HTML.BodyContext> {
        let periodValue = m.period.picked
        return .group(
            .h1(.text(ctx.t("考核材料", "Assessment dossiers") + ctx.t("（\(m.period.name.zh)）", " (\(m.period.name.en))"))),
            .p(.class("muted"), .text(ctx.t("每名干部一份：落实工作规定情况、联系学生情况、结对集体、学生反映问题办理、诚信核查和工作小结，可打印（A4）或下载 Word、Excel，供述职评议、民主生活会和干部考核使用。",
                                            "One per cadre: the policy's verdicts, contacts, linked collectives, problems raised and how they ended, integrity findings and a drafted summary — to print (A4) or download as .docx and .xlsx for assessment."))),
            .form(.class("toolbar"), .method(.get), .action(SiteRoute.dossiers.path()),
                  .label(.text(ctx.t("期间", "Period")),
                         .select(.attribute(named: "name", value: "period"),
                                 .forEach(m.periods) { p in Components.option(value: p.picked, text: ctx.t(p.name), selected: p == m.period) })),
                  .if(!m.units.isEmpty, .label(.text(ctx.t("单位", "Unit")),
                                               .select(.attribute(named: "name", value: "unit"),
                                                       Components.option(value: "", text: ctx.t("全校", "Whole school"), selected: m.unitCode == nil),
                                                       .forEach(m.units) { Components.option(value: $0.code, text: $0.name, selected: $0.code == m.unitCode) }))),
                  .button(.type(.submit), .text(ctx.t("显示", "Show")))),
            .unwrap(mayBatch ? m.unitCode : nil) { code in
                .p(.a(.class("button secondary"), .href(SiteRoute.dossierUnit(code: code).path(query: m.period.query)),
                      .text(ctx.t("本单位述职评议材料", "The unit's dossier"))))
            },
            .if(mayBatch && !m.rows.isEmpty, .div(.class("panel"),
                .h2(.text(ctx.t("批量导出", "Batch export"))),
                Components.errorSummary(ctx, m.problems),
                .form(.method(.post), .action(SiteRoute.dossierBatch.path()),
                      Layout.csrfField(ctx),
                      .input(.type(.hidden), .name("period"), .value(periodValue)),
                      .input(.type(.hidden), .name("unit"), .value(m.unitCode ?? "")),
                      .p(.text(ctx.t("将下表 \(m.rows.count) 名干部的考核材料（Word）打包为一个 .zip 文件。",
                                     "Pack the dossiers (.docx) of the \(m.rows.count) cadres below into one .zip."))),
                      .button(.type(.submit), .text(ctx.t("生成压缩包", "Build the .zip")))))),
            Components.table(ctx, headers: [ctx.t("单位", "Unit"), ctx.t("干部", "Cadre"), ctx.t("职务", "Posts"),
                                            ctx.t("已完成", "Met"), ctx.t("未完成", "Missed"), ctx.t("有风险", "At risk"), ctx.t("材料", "Dossier")],
                             rows: m.rows.prefix(1_000).map { row in
                                 let path = SiteRoute.dossierCadre(staff: row.cadre.staffNumber)
                                 return [Components.cell(row.unitName), Components.cell(row.cadre.name), Components.cell(row.cadre.posts.joined(separator: "、")),
                                         Components.cell("\(row.tally.met)"), Components.cell("\(row.tally.missed)"), Components.cell("\(row.tally.atRisk)"),
                                         .td(.a(.href(path.path(query: m.period.query)), .text(ctx.t("查看 / 打印", "View / print"))), .text(" · "),
                                             .a(.href(path.path(query: m.period.query.merging(["format": "docx"]) { a, _ in a })), .text("Word")), .text(" · "),
                                             .a(.href(path.path(query: m.period.query.merging(["format": "xlsx"]) { a, _ in a })), .text("Excel")),
                                             .if(m.period.kind == .term, .group(.text(" · "),
                                                 .a(.href(SiteRoute.dashboard.path(query: ["cadre": row.cadre.staffNumber, "term": m.period.id])), .text(ctx.t("看板", "Dashboard"))))))]
                             }, empty: .text(ctx.t("范围内没有干部。", "No cadres in scope.")))
        )
    }

    struct BatchForm: Content {
        var period: String?
        var unit: String?
    }

    static func startBatch(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let form = try req.content.decode(BatchForm.self)
        let period = try DossierSource.period(picked: form.period, in: try await DossierSource.periods(on: req.db, today: LocalDate(req.now)))
        let unitCode = user.scope == .institution ? form.unit.flatMap { $0.isEmpty ? nil : $0 } : user.unitCode
        let cadres = try await cadres(for: user, unitCode: unitCode, on: req)
        guard !cadres.isEmpty else { throw AppError.field("unit", zh: "该范围内没有干部", en: "No cadres in that scope") }
        let source = try await DossierSource.load(req, period: period, cadres: cadres)
        let unitName = unitCode.flatMap { code in source.unitNames[code] } ?? "全校"
        let job = DossierJob(id: UUID(), ownerID: user.id, title: "\(unitName)\(period.name.zh)考核材料", total: cadres.count,
                                      fileName: "\(unitName)-\(period.name.zh)-考核材料.zip")
        let jobs = req.application.dossierJobs
        await jobs.add(job)
        try await AuditTrail.recordAlone("dossier.batch", objectType: "unit", objectID: unitCode ?? "school", detail: "\(period.id) \(cadres.count)",
                                    by: .init(user), on: req.db)
        // Built off the request: the page polls for progress and offers the file when it is there.
        Task.detached {
            do {
                let zip = try await build(source, cadres: cadres) { done in await jobs.update(job.id) { $0.done = done } }
                await jobs.update(job.id) { $0.zip = zip; $0.state = .done; $0.done = cadres.count }
            } catch {
                await jobs.update(job.id) { $0.state = .failed; $0.failure = Localized(zh: "生成失败：\(error)", en: "Failed: \(error)") }
            }
        }
        return req.redirect(to: SiteRoute.dossierBatchJob(job.id).path())
    }

    /// One .docx per cadre, in a folder per unit, zipped.
    static func build(_ source: DossierSource, cadres: [Cadre], progress: @Sendable (Int) async -> Void) async throws -> Data {
        var parts: [(path: String, data: Data)] = []
        var names = Set<String>()
        for (n, cadre) in cadres.enumerated() {
            let dossier = source.dossier(cadre)
            var path = "\(dossier.unitName)/\(dossier.fileStem).docx"
            if !names.insert(path).inserted { path = "\(dossier.unitName)/\(dossier.fileStem)-\(n).docx" }
            parts.append((path, try DOCXWriter.write(dossier.documentBlocks())))
            if n % 20 == 19 { await progress(n + 1) }
        }
        return try ZipFile.make(parts)
    }

    static func job(_ req: Request) async throws -> DossierJob {
        let user = try req.requireUser()
        guard let job = await req.application.dossierJobs.get(try req.idParameter()), job.ownerID == user.id else {
            throw AppError.notFound("dossier-batch")
        }
        return job
    }

    static func jobView(_ ctx: PageContext, _ job: DossierJob) -> Node<HTML.BodyContext> {
        .group(
            .h1(.text(job.title)),
            .div(.class("panel"), .id("batch"), .data(named: "state", value: job.state.rawValue),
                 .element(named: "progress", nodes: [.attribute(named: "max", value: "\(job.total)"), .attribute(named: "value", value: "\(job.done)"),
                                                     .text("\(job.done) / \(job.total)")]),
                 .p(.text(ctx.t("已生成 \(job.done) / \(job.total) 份", "\(job.done) of \(job.total) done"))),
                 .if(job.state == .done, .a(.class("button"), .href(SiteRoute.dossierBatchDownload(job.id).path()),
                                            .text(ctx.t("下载压缩包", "Download the .zip")))),
                 .unwrap(job.failure) { .p(.class("field-error"), .text(ctx.t($0))) },
                 .if(job.state == .running, .p(.class("muted"), .text(ctx.t("本页每秒自动刷新。", "This page refreshes every second.")))))
        )
    }

    static func register(_ app: Application) {
        app.routes.on(.GET, SitePattern.dossiers.components, access: access) { req in try await index(req) }
        app.routes.on(.GET, SitePattern.dossierCadre.components, access: access) { req -> Response in
            guard let staff = req.parameters.get("code") else { throw AppError.notFound("cadre") }
            return try await render(req, staff: staff, format: req.query[String.self, at: "format"])
        }
        app.routes.on(.GET, SitePattern.dossierUnit.components, access: .roles([.businessAdmin, .assessor, .unitSecretary])) { req -> Response in
            guard let code = req.parameters.get("code") else { throw AppError.notFound("unit") }
            return try await renderUnit(req, code: code, format: req.query[String.self, at: "format"])
        }
        app.routes.on(.POST, SitePattern.dossierBatch.components, access: .roles([.businessAdmin, .assessor, .unitSecretary])) { req -> Response in
            do {
                return try await startBatch(req)
            } catch let error as AppError where error.status == .unprocessableEntity {
                return try await index(req, problems: error.details, status: .unprocessableEntity)
            }
        }
        app.routes.on(.GET, SitePattern.dossierBatchJob.components, access: .roles([.businessAdmin, .assessor, .unitSecretary])) { req -> Response in
            let job = try await job(req)
            let ctx = PageContext(req)
            let response = ctx.render(title: ctx.t("考核材料", "Assessment dossiers"),
                                      breadcrumbs: [(ctx.t("考核材料", "Dossiers"), SiteRoute.dossiers.path()), (ctx.t("批量导出", "Batch"), nil)],
                                      content: jobView(ctx, job))
            if job.state == .running { response.headers.replaceOrAdd(name: "Refresh", value: "1") }
            return response
        }
        app.routes.on(.GET, SitePattern.dossierBatchDownload.components, access: .roles([.businessAdmin, .assessor, .unitSecretary])) { req -> Response in
            let job = try await job(req)
            guard let zip = job.zip else { throw AppError(.conflict, code: .conflict, zh: "压缩包尚未生成完毕", en: "The .zip is not ready yet") }
            return ImportExport.download(zip, name: job.fileName, ascii: "dossiers.zip", type: "application/zip")
        }
    }
}
