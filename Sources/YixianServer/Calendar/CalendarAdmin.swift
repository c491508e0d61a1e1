import Fluent
import Foundation
import Plot
import Vapor
import YixianCore

/// The university maintains its own calendar: one sheet (`CalendarSheet`) imported from .xlsx or
/// .csv — checked first, every bad row named, nothing written until it is clean — and exported in
/// the same columns. A year in the file replaces the stored year of that code; years the file does
/// not name stay.
enum CalendarAdmin {
    struct IssueDTO: Content, Equatable {
        var row: Int
        var column: String
        var message: Localized
        var warning: Bool
    }

    struct Report: Content {
        var years: [String]
        var terms: Int
        var issues: [IssueDTO]
        /// Terms that have begun and whose dates change: their periods are judged again.
        var rejudged: [String]
        var committed: Bool
    }

    /// The file checked against the stored calendar: what would be written, and the report.
    static func check(data: Data, today: LocalDate, on db: any Database) async throws -> (years: [AcademicYear], report: Report) {
        let records: [[String]]
        do {
            records = try SpreadsheetFile.load(data, sheetName: nil).records
        } catch let error as TabularError {
            throw AppError(.unprocessableEntity, code: .unreadableFile, field: "file", zh: "无法读取文件：\(error.reason.zh)", en: "Cannot read the file: \(error.reason.en)")
        }
        let result = CalendarSheet.parse(records)
        var issues = result.issues
        let stored = try await CalendarAPI.load(on: db)
        let names = Set(result.years.map(\.id))
        // The file's years beside the stored ones it leaves alone must still not overlap.
        let merged = (stored.filter { !names.contains($0.id) } + result.years).sorted { $0.range.start < $1.range.start }
        if issues.allSatisfy(\.isWarning) {
            let known = Set(issues.map(\.message))
            issues += CalendarSheet.check(merged).filter { !known.contains($0.message) && !$0.isWarning }
        }
        let before = Dictionary(stored.flatMap(\.terms).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let rejudged = result.years.flatMap(\.terms).filter { term in
            guard let old = before[term.id], old.range.start <= today else { return false }
            return old.range != term.range || old.specialWeeks != term.specialWeeks || old.vacations != term.vacations
        }.map(\.name)
        return (result.years, Report(years: result.years.map(\.name), terms: result.years.map(\.terms.count).reduce(0, +),
                                     issues: issues.map { IssueDTO(row: $0.row, column: $0.column, message: $0.message, warning: $0.isWarning) },
                                     rejudged: rejudged, committed: false))
    }

    /// Why a checked file cannot be written, or nil when it can.
    static func refusal(_ years: [AcademicYear], _ report: Report) -> AppError? {
        let errors = report.issues.filter { !$0.warning }
        guard !errors.isEmpty || years.isEmpty else { return nil }
        return AppError(.unprocessableEntity, code: .importHasErrors, field: "file",
                        zh: errors.isEmpty ? "文件中没有学年" : "校历有 \(errors.count) 处错误，未导入任何内容。请修正后重试。",
                        en: errors.isEmpty ? "The file has no academic year" : "The calendar has \(errors.count == 1 ? "1 error" : "\(errors.count) errors"); nothing was imported.",
                        details: errors.map { AppError.FieldProblem(field: "file", message: Localized(
                            zh: "第 \($0.row) 行“\($0.column)”：\($0.message.zh)", en: "Row \($0.row), \($0.column): \($0.message.en)")) })
    }

    static func write(_ years: [AcademicYear], _ report: Report, actor: AuditTrail.Actor, on db: any Database) async throws -> Report {
        try await db.write { db in
            try await CalendarAPI.save(years, on: db)
            try await AuditTrail.record("calendar.import", objectType: "calendar", objectID: years.map(\.id).joined(separator: ","),
                                        detail: "\(report.terms) terms" + (report.rejudged.isEmpty ? "" : "; re-judged: " + report.rejudged.joined(separator: ", ")),
                                        by: actor, on: db)
        }
        var written = report
        written.committed = true
        return written
    }

    /// Checks and, with `commit`, writes — only a clean file (CLI and API).
    static func run(data: Data, commit: Bool, today: LocalDate, actor: AuditTrail.Actor, on db: any Database) async throws -> Report {
        let (years, report) = try await check(data: data, today: today, on: db)
        guard commit else { return report }
        if let refusal = refusal(years, report) { throw refusal }
        return try await write(years, report, actor: actor, on: db)
    }

    static func export(format: String, on db: any Database) async throws -> Response {
        let rows = CalendarSheet.rows(try await CalendarAPI.load(on: db))
        let data: Data
        let type: HTTPMediaType
        if format == "csv" {
            data = CSV.write(rows)
            type = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        } else {
            data = try XLSXWriter.write([XLSXWorksheet(name: "校历", header: rows[0], rows: rows.dropFirst().map { $0.map(XLSXCell.text) })])
            type = HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        }
        let response = Response(status: .ok, body: .init(data: data))
        response.headers.contentType = type
        response.headers.replaceOrAdd(name: .contentDisposition, value: ImportExport.contentDisposition(ascii: "calendar.\(format)", name: "校历.\(format)"))
        return response
    }

    static func format(_ req: Request) throws -> String {
        let format = req.query[String.self, at: "format"] ?? "xlsx"
        guard format == "xlsx" || format == "csv" else { throw AppError.field("format", zh: "格式只能是 xlsx 或 csv", en: "format must be xlsx or csv") }
        return format
    }

    static func register(_ app: Application) {
        let access = Access.capability(.manageCalendar)
        app.register(.init(method: .POST, path: "/calendar/import",
                           summary: "Import the academic calendar (years, terms, special weeks, vacations) from the raw .xlsx or .csv body",
                           tag: "Calendar", access: access,
                           query: [.init(name: "mode", description: "dry-run (default) or commit")], requestBody: "binary", response: "CalendarImportReport"),
                     body: .collect(maxSize: ByteCount(value: ImportExport.maxUpload))) { req -> Report in
            let user = try req.requireUser()
            let mode = req.query[String.self, at: "mode"] ?? "dry-run"
            guard mode == "dry-run" || mode == "commit" else { throw AppError.field("mode", zh: "mode 只能是 dry-run 或 commit", en: "mode must be dry-run or commit") }
            guard let body = req.body.data, body.readableBytes > 0 else { throw AppError.field("file", zh: "请上传文件", en: "upload a file") }
            return try await run(data: Data(buffer: body), commit: mode == "commit", today: LocalDate(req.now), actor: .init(user), on: req.db)
        }
        app.register(.init(method: .GET, path: "/calendar/export", summary: "The academic calendar in the import's columns, as .xlsx or .csv",
                           tag: "Calendar", access: .signedIn, query: [.init(name: "format", description: "xlsx (default) or csv")], response: "binary")) { req in
            try await export(format: try format(req), on: req.db)
        }
        app.routes.on(.GET, SitePattern.calendarExport.components, access: .signedIn) { req -> Response in
            try await export(format: try format(req), on: req.db)
        }
        app.routes.on(.POST, SitePattern.calendarImport.components, access: access, body: .collect(maxSize: ByteCount(value: ImportExport.maxUpload + 65_536))) { req -> Response in
            let user = try req.requireUser()
            struct Form: Content { var file: File?; var mode: String? }
            let form = try? req.content.decode(Form.self)
            guard let file = form?.file, file.data.readableBytes > 0 else {
                return try await CalendarPage.render(req, problems: [.init(field: "file", message: Localized(zh: "请选择校历文件", en: "Choose a calendar file"))],
                                                     status: .unprocessableEntity)
            }
            do {
                // Checked once; the report shows beside the refusal when a commit cannot be written.
                let (years, report) = try await check(data: Data(buffer: file.data), today: LocalDate(req.now), on: req.db)
                guard form?.mode == "commit" else { return try await CalendarPage.render(req, report: report) }
                if let refusal = refusal(years, report) {
                    return try await CalendarPage.render(req, report: report, problems: [.init(field: "file", message: refusal.message)], status: .unprocessableEntity)
                }
                return try await CalendarPage.render(req, report: try await write(years, report, actor: .init(user), on: req.db))
            } catch let error as AppError where error.status == .unprocessableEntity {
                return try await CalendarPage.render(req, problems: [.init(field: "file", message: error.message)], status: .unprocessableEntity)
            }
        }
    }

    /// The import form and what the last upload found, for the business admin on the calendar page.
    static func panel(_ ctx: PageContext, report: Report?, problems: [AppError.FieldProblem]) -> Node<HTML.BodyContext> {
        .div(.class("panel"),
             .h2(.text(ctx.t("导入校历", "Import the calendar"))),
             .p(.class("muted"), .text(ctx.t("一张表：每行一个学年、学期、考试周、教学礼拜周、迎新周、特殊周或假期，列为 \(CalendarSheet.header.joined(separator: "、"))。先导出现有校历作为模板。文件中的学年整体替换同代码的已有学年，其他学年不变。",
                                            "One sheet, a row per year, term, special week or vacation, columns \(CalendarSheet.header.joined(separator: ", ")). Export the current calendar as a template. A year in the file replaces the stored year of that code; others stay."))),
             Components.errorSummary(ctx, problems),
             .unwrap(report) { r in
                 .div(.class(r.committed ? "notice" : "panel"), .data(named: "calendar-report", value: r.committed ? "committed" : "checked"),
                      .p(.text(r.committed ? ctx.t("已导入：\(r.years.joined(separator: "、"))，共 \(r.terms) 个学期。", "Imported: \(r.years.joined(separator: ", ")), \(r.terms) terms.")
                                           : ctx.t("检查结果：\(r.years.joined(separator: "、"))，共 \(r.terms) 个学期；\(r.issues.filter { !$0.warning }.count) 处错误，\(r.issues.filter(\.warning).count) 处提示。",
                                                   "Checked: \(r.years.joined(separator: ", ")), \(r.terms) terms; \(r.issues.filter { !$0.warning }.count) errors, \(r.issues.filter(\.warning).count) warnings."))),
                      .if(!r.rejudged.isEmpty, .p(.class("warning"), .text(ctx.t("以下学期已经开始，日期改动后其落实情况将按新日期重新判断：\(r.rejudged.joined(separator: "、"))",
                                                                                 "These terms have begun; with new dates their compliance is judged again: \(r.rejudged.joined(separator: ", "))")))),
                      .if(!r.issues.isEmpty, Components.table(ctx, headers: [ctx.t("行", "Row"), ctx.t("列", "Column"), ctx.t("级别", "Level"), ctx.t("原因", "Reason")],
                                                               rows: r.issues.map { i in
                                                                   [Components.cell(i.row == 0 ? "—" : String(i.row)), Components.cell(i.column),
                                                                    Components.cell(i.warning ? ctx.t("提示", "Warning") : ctx.t("错误", "Error")), Components.cell(ctx.t(i.message))]
                                                               }, empty: .empty)))
             },
             .form(.method(.post), .action(SiteRoute.calendarImport.path()), .enctype(.multipartData), Layout.csrfField(ctx),
                   .div(.class("field"), .label(.for("file"), .text(ctx.t("校历文件（.xlsx 或 .csv）", "Calendar file (.xlsx or .csv)"))),
                        .input(.type(.file), .id("file"), .name("file"), .attribute(named: "accept", value: ".xlsx,.csv"))),
                   .div(.class("field"), .label(.for("mode"), .text(ctx.t("操作", "Action"))),
                        .select(.id("mode"), .attribute(named: "name", value: "mode"),
                                Components.option(value: "dry-run", text: ctx.t("只检查，不写入", "Check only"), selected: true),
                                Components.option(value: "commit", text: ctx.t("检查无误后导入", "Import when clean"), selected: false))),
                   .button(.type(.submit), .text(ctx.t("上传", "Upload")))))
    }
}
