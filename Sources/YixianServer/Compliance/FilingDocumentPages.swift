import Fluent
import Foundation
import Plot
import Vapor
import YixianCore

/// The pages of 报送文书: the scope's documents with a form to draft one, and one document as an
/// A4 page with what the reader may do with it (edit and submit, approve or return), its versions
/// and its files; `?format=docx` downloads it.
enum FilingDocumentPages {
    static func kindLabel(_ code: String) -> Localized {
        FilingKind.standard.first { $0.code == code }?.label ?? .same(code)
    }

    static func listPage(_ req: Request, problems: [AppError.FieldProblem] = [], input: FilingDocuments.DraftInput = .init(),
                         status: HTTPResponseStatus = .ok) async throws -> Response {
        let user = try req.requireUser()
        var query = FilingDocumentModel.query(on: req.db).with(\.$unit).sort(\.$updatedAt, .descending)
        if user.scope != .institution { query = query.filter(\.$unit.$id == (user.unitID ?? UUID())) }
        let documents = try await query.all()
        let periods = try await DossierSource.periods(on: req.db, today: LocalDate(req.now)).filter { $0.kind == .term }
        let termNames = Dictionary(periods.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        let units = user.scope == .institution ? try await UnitModel.query(on: req.db).filter(\.$active == true).all().inUniversityOrder()
            .filter { $0.kind != UnitKind.leadership.rawValue } : []
        let kinds = FilingDocuments.draftedKinds.filter { user.scope == .institution || !FilingDocuments.isSchoolLevel($0) }
        // The office reads what waits for it first.
        let ordered = documents.filter { $0.state == .submitted } + documents.filter { $0.state != .submitted }
        let ctx = PageContext(req)
        func select(_ name: String, _ label: String, _ options: [(String, String)], _ selected: String?) -> Node<HTML.FormContext> {
            Components.selectField(ctx, name: name, label: label, options: options, selected: selected, problems: problems)
        }
        return ctx.render(title: ctx.t("报送文书", "Filed documents"), status: status, content: .group(
            .h1(.text(ctx.t("报送文书", "Filed documents"))),
            .p(.class("muted"), .text(ctx.t("工作安排、工作总结和向党委的报告由系统根据结对、台账、落实情况和学生诉求起草，单位修改后提交，学工部审核通过即记为按提交日期报送。",
                                            "The arrangement plan, the semester summary and the report to the party committee are drafted from the pairings, the ledger, the verdicts and the cases; the unit edits and submits; once the office approves, it counts as filed on the day it was submitted."))),
            .p(.a(.href(SiteRoute.filings.path()), .text(ctx.t("← 报送记录", "← Filings")))),
            .div(.class("panel"),
                 .h2(.text(ctx.t("起草文书", "Draft a document"))),
                 Components.errorSummary(ctx, problems),
                 .form(.method(.post), .action(SiteRoute.filingDocuments.path()),
                       Layout.csrfField(ctx),
                       select("kind", ctx.t("文书", "Document"), kinds.map { ($0, ctx.t(kindLabel($0))) }, input.kind),
                       select("termCode", ctx.t("学期", "Term"), periods.map { ($0.id, ctx.t($0.name)) }, input.termCode),
                       .if(!units.isEmpty, select("unitCode", ctx.t("单位（向党委的报告不需选择）", "Unit (not for the report to the party committee)"),
                                                  [("", ctx.t("请选择", "Choose"))] + units.map { ($0.code, $0.name) }, input.unitCode)),
                       .button(.type(.submit), .text(ctx.t("起草 / 打开", "Draft or open"))))),
            Components.table(ctx, headers: [ctx.t("单位", "Unit"), ctx.t("文书", "Document"), ctx.t("学期", "Term"), ctx.t("状态", "Status"),
                                            ctx.t("稿次", "Version"), ctx.t("提交日期", "Submitted")],
                             rows: ordered.map { d in
                                 [Components.cell(d.unit.name), Components.cell(d.title, href: SiteRoute.filingDocument(d.id!).path()),
                                  Components.cell(termNames[d.termCode].map(ctx.t) ?? d.termCode), Components.cell(ctx.t(d.state.label)),
                                  Components.cell(d.version == 0 ? "—" : String(d.version)), Components.cell(d.submittedOn ?? "—")]
                             }, empty: .text(ctx.t("尚无文书。", "No documents yet.")))
        ))
    }

    static func page(_ req: Request, problems: [AppError.FieldProblem] = [], typed: FilingDocuments.ActInput? = nil,
                     status: HTTPResponseStatus = .ok) async throws -> Response {
        let user = try req.requireUser()
        guard let model = try await FilingDocumentModel.query(on: req.db).filter(\.$id == (try req.idParameter())).with(\.$unit).first(),
              FilingDocuments.visible(model, to: user) else { throw AppError.notFound("filing document") }
        let blocks = FilingText.blocks(title: model.title, subtitle: nil, body: model.body)
        if req.query[String.self, at: "format"] == "docx" {
            return ImportExport.download(try DOCXWriter.write(blocks), name: "\(model.unit.name)-\(model.title).docx", ascii: "document-\(model.id!).docx",
                                         type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        }
        let versions = try await FilingDocumentVersionModel.query(on: req.db).filter(\.$document.$id == model.id!).sort(\.$version, .descending).all()
        let files = try await FilingDocumentFileModel.query(on: req.db).filter(\.$document.$id == model.id!).sort(\.$createdAt).all()
        let ctx = PageContext(req)
        func e(_ text: String) -> String { Components.escape(text) }
        let here = SiteRoute.filingDocument(model.id!).path()
        let state = model.state
        let mayEdit = state.editable
        let mayReview = state == .submitted && user.role == .businessAdmin && model.$unit.id != user.unitID && model.submittedByID != user.id
        let errors = Components.errorSummary(ctx, problems).render()
        var panels = ""
        if state == .returned, let comment = model.comment {
            panels += "<div class=\"notice warning\" id=\"returned\">\(e(ctx.t("退回意见：", "Returned: ")))\(e(comment))</div>"
        }
        if mayEdit {
            let fileProblem = problems.first { $0.field == "files" }.map { "<span class=\"field-error\">\(e(ctx.t($0.message)))</span>" } ?? ""
            let school = FilingDocuments.isSchoolLevel(model.kind)
            panels += """
            <div class="panel" id="edit"><h2>\(e(ctx.t("修改", "Edit")))</h2>\(errors)
            <p class="muted">\(e(ctx.t("以“一、”开头的行是标题，以“|”开头的行是表格；【…】处需要填写，提交前须补充或删去。",
                                         "Lines starting 一、 are headings, lines starting with | are table rows; fill in or delete each 【…】 before submitting.")))</p>
            <form method="post" action="\(e(here))" enctype="multipart/form-data">\(Layout.csrfField(ctx).render())
            \(field("title", ctx.t("标题", "Title"), problems, ctx) { "<input type=\"text\" id=\"title\" name=\"title\" value=\"\(e(typed?.title ?? model.title))\">" })
            \(field("body", ctx.t("正文", "Text"), problems, ctx) { "<textarea id=\"body\" name=\"body\" rows=\"24\">\(e(typed?.body ?? model.body))</textarea>" })
            <div class="field\(fileProblem.isEmpty ? "" : " has-error")"><label for="files">\(e(ctx.t("附件（PDF、JPEG 或 PNG，最多 \(FilingPages.maxAttachments) 个）", "Files (PDF, JPEG or PNG, up to \(FilingPages.maxAttachments))")))</label>\(fileProblem)
            <input type="file" id="files" name="files[]" multiple accept="application/pdf,image/jpeg,image/png"></div>
            <button type="submit" name="action" value="save" class="secondary">\(e(ctx.t("保存", "Save")))</button>
            <button type="submit" name="action" value="submit">\(e(school ? ctx.t("提交并报送", "Submit and file") : ctx.t("提交审核", "Submit for review")))</button>
            </form></div>
            """
        }
        if mayReview {
            panels += """
            <div class="panel" id="review"><h2>\(e(ctx.t("审核", "Review")))</h2>\(errors)
            <form method="post" action="\(e(here))">\(Layout.csrfField(ctx).render())
            \(field("comment", ctx.t("审核意见（退回时必填）", "Comment (required to return)"), problems, ctx) { "<textarea id=\"comment\" name=\"comment\" rows=\"3\">\(e(typed?.comment ?? ""))</textarea>" })
            <button type="submit" name="action" value="approve">\(e(ctx.t("审核通过", "Approve")))</button>
            <button type="submit" name="action" value="return" class="secondary">\(e(ctx.t("退回修改", "Return for changes")))</button>
            </form></div>
            """
        } else if !mayEdit && !problems.isEmpty {
            panels += errors
        }
        if !versions.isEmpty {
            panels += "<div class=\"panel\" id=\"versions\"><h2>\(e(ctx.t("提交记录", "Versions")))</h2><table class=\"table\"><thead><tr>"
                + [ctx.t("稿次", "Version"), ctx.t("提交日期", "Submitted"), ctx.t("提交人", "By"), ctx.t("审核", "Outcome"), ctx.t("意见", "Comment")]
                    .map { "<th>\(e($0))</th>" }.joined() + "</tr></thead><tbody>"
                + versions.map { v in
                    let outcome = v.outcome.flatMap(FilingDocumentStatus.init(rawValue:)).map { ctx.t($0.label) } ?? ctx.t("待审核", "Awaiting review")
                    return "<tr><td>\(v.version)</td><td>\(e(v.submittedOn))</td><td>\(e(v.submittedBy))</td><td>\(e(outcome))\(v.decidedBy.map { "（\(e($0))）" } ?? "")</td><td>\(e(v.comment ?? "—"))</td></tr>"
                }.joined() + "</tbody></table></div>"
        }
        if !files.isEmpty {
            panels += "<div class=\"panel\" id=\"files-list\"><h2>\(e(ctx.t("附件", "Files")))</h2><ul class=\"plain\">"
                + files.map { "<li><a href=\"\(e(SiteRoute.filingDocumentFile($0.id!).path()))\">\(e($0.originalName))</a></li>" }.joined() + "</ul></div>"
        }
        let toolbar = """
        <nav class="doc-toolbar no-print"><a href="\(e(SiteRoute.filingDocuments.path()))">\(e(ctx.t("← 报送文书", "← Documents")))</a>
        <span class="muted" id="doc-status">\(e(model.unit.name)) · \(e(ctx.t(kindLabel(model.kind)))) · \(e(ctx.t(state.label)))\(model.version > 0 ? e(ctx.t(" · 第 \(model.version) 稿", " · version \(model.version)")) : "")</span>
        <a class="button secondary" href="\(e(SiteRoute.filingDocument(model.id!).path(query: ["format": "docx"])))">\(e(ctx.t("下载 Word", "Download .docx")))</a>
        <span class="muted">\(e(ctx.t("用浏览器打印即为 A4 文稿。", "Print from the browser for A4.")))</span></nav>
        """
        return .html(DossierPages.documentPage(title: model.title, role: user.role.rawValue, status: status,
                                               before: toolbar + "<div class=\"no-print doc-panels\">\(panels)</div>", main: DossierPages.blocksHTML(blocks)),
                     status: status)
    }

    private static func field(_ name: String, _ label: String, _ problems: [AppError.FieldProblem], _ ctx: PageContext, control: () -> String) -> String {
        let problem = problems.first { $0.field == name }
        return "<div class=\"field\(problem == nil ? "" : " has-error")\"><label for=\"\(name)\">\(Components.escape(label))</label>"
            + (problem.map { "<span class=\"field-error\">\(Components.escape(ctx.t($0.message)))</span>" } ?? "") + control() + "</div>"
    }

    static func register(_ app: Application) {
        let access = FilingDocuments.access
        app.routes.on(.GET, SitePattern.filingDocuments.components, access: access) { req in try await listPage(req) }
        app.routes.on(.POST, SitePattern.filingDocuments.components, access: access) { req -> Response in
            let input = try req.content.decode(FilingDocuments.DraftInput.self)
            do {
                return req.redirect(to: SiteRoute.filingDocument(try await FilingDocuments.draft(input, req)).path())
            } catch let error as AppError where error.status == .unprocessableEntity {
                return try await listPage(req, problems: error.details, input: input, status: .unprocessableEntity)
            }
        }
        app.routes.on(.GET, SitePattern.filingDocument.components, access: access) { req in try await page(req) }
        app.routes.on(.POST, SitePattern.filingDocument.components, access: access, body: .collect(maxSize: "30mb")) { req -> Response in
            let id = try req.idParameter()
            let input = try req.content.decode(FilingDocuments.ActInput.self)
            let uploads = (try? req.content.decode(FilingFiles.self))?.uploads ?? []
            do {
                let files = try await EvidenceService.sanitizeOffLoop(uploads, limit: FilingPages.maxAttachments, field: "files")
                try await FilingDocuments.act(id, input, files: files, req)
            } catch let error as AppError where [.unprocessableEntity, .conflict, .forbidden].contains(error.status) {
                // Refused: the page again with the reason beside what was typed, nothing stored.
                var problems = error.details.isEmpty ? [AppError.FieldProblem(field: error.field ?? "action", message: error.message)] : error.details
                if !uploads.isEmpty && !problems.contains(where: { $0.field == "files" }) {
                    problems.append(.init(field: "files", message: Localized(zh: "请重新选择附件", en: "Choose the files again")))
                }
                return try await page(req, problems: problems, typed: input, status: error.status)
            }
            return req.redirect(to: SiteRoute.filingDocument(id).path())
        }
        app.routes.on(.GET, SitePattern.filingDocumentFile.components, access: access) { req -> Response in
            let user = try req.requireUser()
            guard let file = try await FilingDocumentFileModel.find(try req.idParameter(), on: req.db),
                  let document = try await FilingDocumentModel.find(file.$document.id, on: req.db),
                  FilingDocuments.visible(document, to: user) else { throw AppError.notFound("attachment") }
            return try EvidenceService.fileResponse(sha256: file.sha256, kind: file.kind, downloadName: file.originalName,
                                                    store: req.application.evidenceStore)
        }
    }
}
