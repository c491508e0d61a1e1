import Fluent
import Foundation
import Plot
import Vapor
import YixianCore

struct ImportIssueDTO: Content {
    var row: Int?
    var column: String?
    var code: String
    var severity: String
    var message: String
    var messages: Localized
}

struct ImportReportDTO: Content {
    var kind: String
    var format: String
    var encoding: String?
    var validRows: Int
    var blankRows: Int
    var errors: [ImportIssueDTO]
    var warnings: [ImportIssueDTO]
    /// Set when something was written.
    var outcome: RosterStore.Outcome?
}

/// How an import treats a file with bad rows.
enum ImportMode: String, Sendable {
    /// Check only; write nothing.
    case dryRun = "dry-run"
    /// Write only when every row is valid.
    case commit
    /// Write the valid rows, skip the bad ones.
    case commitValid = "commit-valid"
}

/// A checked upload waiting for the admin's decision, and the progress of its import.
struct ImportJob: BackgroundJob {
    enum State: String, Sendable { case checked, running, done, failed }
    var id: UUID
    var kind: RosterKind
    var fileName: String
    var data: Data
    var report: ImportReportDTO
    var ownerID: UUID
    var state: State = .checked
    var done = 0
    var total = 0
    var failure: Localized?
    var createdAt = Date()
}

/// Something done in the background for one user, kept in memory for an hour.
protocol BackgroundJob: Sendable {
    var id: UUID { get }
    var createdAt: Date { get }
}

/// Jobs live in memory on the node that received the request: a checked upload or a batch of
/// documents is short-lived and can be made again, and keeping it out of the database keeps junk
/// uploads and bulky zips out of backups.
actor JobStore<Job: BackgroundJob> {
    private var jobs: [UUID: Job] = [:]

    func add(_ job: Job) {
        jobs = jobs.filter { Date().timeIntervalSince($0.value.createdAt) < 3600 }
        jobs[job.id] = job
    }

    func get(_ id: UUID) -> Job? { jobs[id] }

    func update(_ id: UUID, _ change: @Sendable (inout Job) -> Void) {
        guard var job = jobs[id] else { return }
        change(&job)
        jobs[id] = job
    }
}

typealias ImportJobStore = JobStore<ImportJob>

struct ImportJobStoreKey: StorageKey { typealias Value = ImportJobStore }

extension Application {
    var importJobs: ImportJobStore {
        if let store = storage[ImportJobStoreKey.self] { return store }
        let store = ImportJobStore()
        storage[ImportJobStoreKey.self] = store
        return store
    }
}

enum ImportExport {
    static let maxUpload = 20 * 1024 * 1024

    static func issueDTO(_ issue: ImportIssue, language: Language) -> ImportIssueDTO {
        ImportIssueDTO(row: issue.row, column: issue.column, code: issue.code.rawValue, severity: issue.severity.rawValue,
                       message: issue.reason.text(language), messages: issue.reason)
    }

    static func parse<R: RosterRecord>(_ type: R.Type, data: Data, fileName: String, language: Language, on db: any Database) async throws
        -> (ImportReport<R>, ImportReportDTO) {
        let report: ImportReport<R>
        do {
            let known = try await RosterStore.knownCodes(on: db)
            report = try RosterImport.parse(data: data, fileName: fileName, kind: R.self, knownUnits: known.units, knownCollectives: known.collectives)
        } catch let error as TabularError {
            throw unreadable(error)
        }
        return (report, dto(report, language: language))
    }

    static func unreadable(_ error: TabularError) -> AppError {
        AppError(.unprocessableEntity, code: .unreadableFile, field: "file", zh: "无法读取文件：\(error.reason.zh)", en: "Cannot read the file: \(error.reason.en)")
    }

    static func dto<R: RosterRecord>(_ report: ImportReport<R>, language: Language) -> ImportReportDTO {
        ImportReportDTO(kind: R.rosterKind.rawValue, format: report.format.rawValue, encoding: report.encoding?.rawValue,
                        validRows: report.rows.count, blankRows: report.blankRowCount,
                        errors: report.errors.map { issueDTO($0, language: language) }, warnings: report.warnings.map { issueDTO($0, language: language) },
                        outcome: nil)
    }

    static func hasErrors(_ dto: ImportReportDTO) -> AppError {
        AppError(.unprocessableEntity, code: .importHasErrors, field: "file",
                 zh: "文件有 \(dto.errors.count) 处错误，未导入任何数据。请修正后重试，或选择“仅导入有效行”。",
                 en: "The file has \(dto.errors.count == 1 ? "1 error" : "\(dto.errors.count) errors"); nothing was imported. Fix \(dto.errors.count == 1 ? "it" : "them") or import only the valid rows.")
    }

    /// Everyone imported can sign in: their accounts are made in the import's transaction, waiting
    /// for an activation code (or CAS). Units and collectives have no accounts.
    private static func withAccounts(_ outcome: RosterStore.Outcome, of kind: RosterKind, by actor: AuditTrail.Actor,
                                     on db: any Database) async throws -> RosterStore.Outcome {
        guard kind == .cadres || kind == .students else { return outcome }
        var outcome = outcome
        let made = try await RosterAccounts.provision(kind == .cadres ? .cadres : .students, by: actor, now: Date(), on: db)
        outcome.accounts = made.cadres + made.students
        PhaseClock.mark("accounts")
        return outcome
    }

    private static func audit(_ kind: RosterKind, _ outcome: RosterStore.Outcome, skipped: Int, by actor: AuditTrail.Actor,
                              on db: any Database) async throws {
        try await AuditTrail.record("import.\(kind.rawValue)", objectType: "roster", objectID: kind.rawValue,
                                    detail: "created \(outcome.created), updated \(outcome.updated), unchanged \(outcome.unchanged), skipped \(skipped)",
                                    by: actor, on: db)
        PhaseClock.mark("audit")
    }

    /// Rows validated per chunk when students are written while the sheet is checked.
    static let studentChunk = 2_500

    /// Why a streamed student import gave up inside its transaction (which is then undone).
    private enum StreamStop: Error {
        /// A commit that must be all or nothing met errors: the whole report, for the answer.
        case errors(ImportReport<Student>)
        /// A student number on two rows (neither may be kept, but the first is already written), or
        /// a sheet found out of order or unreadable past its first chunk.
        case plainWay
    }

    /// A student roster (the one with tens of thousands of rows) is written a chunk at a time while
    /// the rest of the sheet is checked, so that the checking and SQLite's inserts use both cores.
    /// The answer is the same as checking everything first: a commit that meets an error anywhere
    /// undoes its transaction, and a sheet with a student number twice (whose first row may already
    /// be written) is undone and done again the plain way. Nil: take the plain way (also when the
    /// first sheet is not a student roster, which `parse` then looks for in the others).
    private static func streamStudents(data: Data, fileName: String, mode: ImportMode, language: Language, actor: AuditTrail.Actor,
                                       on db: any Database, progress: RosterStore.Progress?) async throws -> ImportReportDTO? {
        let begun: (validation: RosterValidation<Student>, rows: SpreadsheetRows)?
        do {
            let known = try await RosterStore.knownCodes(on: db)
            begun = try RosterImport.begin(data: data, kind: Student.self, knownUnits: known.units, knownCollectives: known.collectives,
                                           chunk: studentChunk)
        } catch let error as TabularError {
            throw unreadable(error)
        }
        guard let begun else { return nil }
        // The sheet is read, checked and written a chunk at a time; what reading or checking finds
        // that the plain way would answer differently ends the stream with a reason.
        let (chunks, output) = AsyncStream<(students: [Student], total: Int)>.makeStream()
        let checking = Task { [begun] () -> ImportReport<Student>? in
            var (validation, rows) = begun
            defer { output.finish() }
            while !Task.isCancelled {
                let checked = validation.advance(rows: .max)
                // All or nothing: after the first error nothing more is written, but every row is
                // still checked, so that the answer lists all the errors. After a repeated key
                // nothing more is written either: the import is done again the plain way.
                if !(mode == .commit && validation.report.hasErrors) && !validation.hasDuplicateKeys {
                    output.yield((checked.map(\.value), rows.estimatedCount))
                }
                if rows.isDone { break }
                // A sheet that turns out unreadable or out of order further down is done the plain way,
                // which reads it whole and answers as it always has.
                guard let more = try? rows.next(limit: studentChunk) else { return nil }
                validation.append(records: more)
            }
            var report = validation.finish()
            if let warning = RosterImport.extensionWarning(fileName: fileName, format: report.format) { report.issues.insert(warning, at: 0) }
            return report
        }
        // New rows' ids ascend band by band; a sheet longer than estimated shares the last band.
        let chunkCount = begun.rows.estimatedCount / studentChunk + 2
        do {
            return try await db.write(bulk: true) { db in
                let (report, outcome) = try await BulkInsert.withRoomyCache(on: db) {
                    var writer = try await RosterStore.StudentWriter(on: db, chunks: chunkCount)
                    for await chunk in chunks { try await writer.apply(chunk.students, total: chunk.total, progress: progress) }
                    guard let report = await checking.value else { throw StreamStop.plainWay }
                    if mode == .commit && report.hasErrors { throw StreamStop.errors(report) }
                    if report.issues.contains(where: { $0.code == .duplicateKey }) { throw StreamStop.plainWay }
                    return (report, try await withAccounts(writer.outcome, of: .students, by: actor, on: db))
                }
                try await audit(.students, outcome, skipped: report.errors.count, by: actor, on: db)
                var answer = dto(report, language: language)
                answer.outcome = outcome
                return answer
            }
        } catch StreamStop.errors(let report) {
            throw hasErrors(dto(report, language: language))
        } catch StreamStop.plainWay {
            return nil
        } catch {
            checking.cancel()
            throw error
        }
    }

    /// Checks and, depending on the mode, writes one roster file in one transaction.
    static func run(_ kind: RosterKind, data: Data, fileName: String, mode: ImportMode, language: Language, actor: AuditTrail.Actor,
                    on db: any Database, progress: RosterStore.Progress? = nil) async throws -> ImportReportDTO {
        func go<R: RosterRecord>(_ type: R.Type, apply: @escaping @Sendable ([R], any Database) async throws -> RosterStore.Outcome) async throws -> ImportReportDTO {
            var (report, dto) = try await parse(R.self, data: data, fileName: fileName, language: language, on: db)
            PhaseClock.mark("validate")
            if mode == .dryRun { return dto }
            if report.isFileRejected || (mode == .commit && report.hasErrors) { throw hasErrors(dto) }
            let values = report.values
            let skipped = dto.errors.count
            dto.outcome = try await db.write(bulk: true) { db in
                let outcome = try await BulkInsert.withRoomyCache(on: db) { try await withAccounts(try await apply(values, db), of: kind, by: actor, on: db) }
                try await audit(kind, outcome, skipped: skipped, by: actor, on: db)
                return outcome
            }
            PhaseClock.mark("commit")
            return dto
        }
        if kind == .students, mode != .dryRun,
           let streamed = try await streamStudents(data: data, fileName: fileName, mode: mode, language: language, actor: actor, on: db,
                                                   progress: progress) {
            PhaseClock.mark("commit")
            return streamed
        }
        switch kind {
        case .units: return try await go(Unit.self) { try await RosterStore.apply(units: $0, on: $1, progress: progress) }
        case .cadres: return try await go(Cadre.self) { try await RosterStore.apply(cadres: $0, on: $1, progress: progress) }
        case .collectives: return try await go(Collective.self) { try await RosterStore.apply(collectives: $0, on: $1, progress: progress) }
        case .students: return try await go(Student.self) { try await RosterStore.apply(students: $0, on: $1, progress: progress) }
        }
    }

    static func kind(_ req: Request) throws -> RosterKind {
        guard let kind = RosterKind(rawValue: req.parameters.get("kind") ?? "") else { throw AppError.notFound("roster") }
        return kind
    }

    static func contentDisposition(_ kind: RosterKind, _ format: RosterStore.ExportFormat) -> String {
        contentDisposition(ascii: "\(kind.rawValue).\(format.rawValue)", name: "\(kind.label.zh).\(format.rawValue)")
    }

    /// A table as the .xlsx or .csv download a page's 导出 buttons offer; any other format is refused.
    static func table(header: [String], rows: [[String]], format: String, name: String, ascii: String) throws -> Response {
        let table = TabularData(records: [header] + rows)
        switch format {
        case "xlsx":
            return download(try XLSXWriter.write([XLSXWorksheet(name: name, table: table)]), name: name + ".xlsx", ascii: ascii + ".xlsx",
                            type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        case "csv":
            return download(CSV.write(table.records), name: name + ".csv", ascii: ascii + ".csv", type: "text/csv; charset=utf-8")
        default:
            throw AppError.field("format", zh: "格式只能是 xlsx 或 csv", en: "format must be xlsx or csv")
        }
    }

    /// A file to save, named in Chinese.
    static func download(_ data: Data, name: String, ascii: String, type: String) -> Response {
        let response = Response(status: .ok, body: .init(data: data))
        response.headers.replaceOrAdd(name: .contentType, value: type)
        response.headers.replaceOrAdd(name: .contentDisposition, value: contentDisposition(ascii: ascii, name: name))
        return response
    }

    /// A download named in Chinese (RFC 6266 `filename*`), with an ASCII name for old clients.
    static func contentDisposition(ascii: String, name: String) -> String {
        "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? name)"
    }

    static func exportResponse(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let kind = try kind(req)
        let raw = req.query[String.self, at: "format"] ?? "xlsx"
        guard let format = RosterStore.ExportFormat(rawValue: raw) else {
            throw AppError.field("format", zh: "格式只能是 xlsx 或 csv", en: "format must be xlsx or csv")
        }
        let data = try await RosterStore.export(kind, format: format, scope: try user.rosterUnitScope(), on: req.db)
        let response = Response(status: .ok, body: .init(data: data))
        response.headers.contentType = format == .csv
            ? HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
            : HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response.headers.replaceOrAdd(name: .contentDisposition, value: contentDisposition(kind, format))
        return response
    }

    static func register(_ app: Application) {
        app.register(.init(method: .POST, path: "/imports/:kind",
                           summary: "Import a roster (kind: units, collectives, cadres, students) from the raw .xlsx or .csv body",
                           tag: "Import", access: .capability(.importRoster),
                           query: [.init(name: "mode", description: "dry-run (default), commit, or commit-valid"),
                                   .init(name: "filename", description: "original file name, for messages")],
                           requestBody: "binary", response: "ImportReport"),
                     body: .collect(maxSize: ByteCount(value: maxUpload))) { req in
            let user = try req.requireUser()
            let kind = try kind(req)
            guard let mode = ImportMode(rawValue: req.query[String.self, at: "mode"] ?? "dry-run") else {
                throw AppError.field("mode", zh: "mode 只能是 dry-run、commit 或 commit-valid", en: "mode must be dry-run, commit or commit-valid")
            }
            guard let body = req.body.data, body.readableBytes > 0 else {
                throw AppError.field("file", zh: "请上传文件", en: "upload a file")
            }
            return try await run(kind, data: Data(buffer: body), fileName: try req.stringParameter("filename", maxLength: 200) ?? "upload",
                                 mode: mode, language: req.language, actor: .init(user), on: req.db)
        }
        app.register(.init(method: .GET, path: "/exports/:kind", summary: "Export a roster as .xlsx or .csv (same columns as the import)",
                           tag: "Import", access: .capability(.readRoster),
                           query: [.init(name: "format", description: "xlsx (default) or csv")], response: "binary")) { req in
            try await exportResponse(req)
        }
        app.routes.on(.GET, SitePattern.export.components, access: .capability(.readRoster)) { req in try await exportResponse(req) }
        ImportPages.register(app)
    }
}

enum ImportPages {
    struct Upload: Content {
        var file: File?
    }

    static func register(_ app: Application) {
        let access = Access.capability(.importRoster)
        app.routes.on(.GET, SitePattern.importForm.components, access: access) { req -> Response in
            try uploadPage(req, kind: try ImportExport.kind(req), problems: [], status: .ok)
        }
        app.routes.on(.POST, SitePattern.importForm.components, access: access, body: .collect(maxSize: ByteCount(value: ImportExport.maxUpload + 65536))) { req -> Response in
            let user = try req.requireUser()
            let kind = try ImportExport.kind(req)
            let upload = try? req.content.decode(Upload.self)
            guard let file = upload?.file, file.data.readableBytes > 0 else {
                return try uploadPage(req, kind: kind, problems: [.init(field: "file", message: Localized(zh: "请选择要上传的文件", en: "Choose a file to upload"))],
                                      status: .unprocessableEntity)
            }
            let data = Data(buffer: file.data)
            do {
                let report = try await ImportExport.run(kind, data: data, fileName: file.filename, mode: .dryRun, language: req.language, actor: .init(user), on: req.db)
                let job = ImportJob(id: UUID(), kind: kind, fileName: file.filename, data: data, report: report, ownerID: user.id)
                await req.application.importJobs.add(job)
                return req.redirect(to: SiteRoute.importJob(job.id).path())
            } catch let error as AppError where error.status == .unprocessableEntity {
                return try uploadPage(req, kind: kind, problems: [.init(field: "file", message: error.message)], status: .unprocessableEntity)
            }
        }
        app.routes.on(.GET, SitePattern.importJob.components, access: access) { req -> Response in
            let user = try req.requireUser()
            guard let job = await req.application.importJobs.get(try req.idParameter()), job.ownerID == user.id else { throw AppError.notFound("import") }
            return jobPage(req, job)
        }
        app.routes.on(.POST, SitePattern.importConfirm.components, access: access) { req -> Response in
            let user = try req.requireUser()
            let id = try req.idParameter()
            let store = req.application.importJobs
            guard let job = await store.get(id), job.ownerID == user.id, job.state == .checked else { throw AppError.notFound("import") }
            let mode: ImportMode = (try? req.content.get(String.self, at: "mode")) == "valid" ? .commitValid : .commit
            await store.update(id) { $0.state = .running }
            let app = req.application, language = req.language
            // Runs past this request so a long import shows its progress on the job page.
            Task {
                do {
                    let report = try await ImportExport.run(job.kind, data: job.data, fileName: job.fileName, mode: mode, language: language,
                                                            actor: .init(user), on: app.db) { done, total in
                        Task { await store.update(id) { $0.done = done; $0.total = total } }
                    }
                    await store.update(id) { $0.state = .done; $0.report = report }
                } catch {
                    let message = (error as? AppError)?.message ?? Localized(zh: "导入失败，未写入任何数据", en: "The import failed; nothing was written")
                    app.logger.report(error: error)
                    await store.update(id) { $0.state = .failed; $0.failure = message }
                }
            }
            return req.redirect(to: SiteRoute.importJob(id).path())
        }
    }

    static func uploadPage(_ req: Request, kind: RosterKind, problems: [AppError.FieldProblem], status: HTTPResponseStatus) throws -> Response {
        let ctx = PageContext(req)
        let title = ctx.t("导入", "Import ") + ctx.t(kind.label)
        return ctx.render(title: title, breadcrumbs: [(ctx.t("首页", "Home"), SiteRoute.home.path()), (title, nil)], status: status, content: .group(
            .h1(.text(title)),
            Components.errorSummary(ctx, problems),
            .div(.class("panel"),
                 .p(.text(ctx.t("表头（第一行）：", "Header row: ") + kind.columns.map(\.header).joined(separator: "、"))),
                 .p(.class("muted"), .text(ctx.t("支持 .xlsx 与 .csv（UTF-8 或 GBK），最大 20 MB。上传后先检查，确认后才写入；重复导入同一文件不会产生重复数据。",
                                                 "Accepts .xlsx and .csv (UTF-8 or GBK), up to 20 MB. Checked first; nothing is written until you confirm. Re-importing is idempotent."))),
                 .form(.method(.post), .action(SiteRoute.importForm(kind).path()), .enctype(.multipartData),
                       Layout.csrfField(ctx),
                       .div(.class(problems.isEmpty ? "field" : "field has-error"),
                            .label(.for("file"), .text(ctx.t("选择文件", "File"))),
                            .forEach(problems) { .span(.class("field-error"), .text(ctx.t($0.message))) },
                            .input(.type(.file), .id("file"), .name("file"), .attribute(named: "accept", value: ".xlsx,.csv"))),
                       .button(.type(.submit), .text(ctx.t("上传并检查", "Upload and check")))))
        ))
    }

    static func jobPage(_ req: Request, _ job: ImportJob) -> Response {
        let ctx = PageContext(req)
        let report = job.report
        let title = ctx.t("导入", "Import ") + ctx.t(job.kind.label) + "：" + job.fileName
        var html = Layout.page(ctx, title: title, breadcrumbs: [(ctx.t("首页", "Home"), SiteRoute.home.path()), (ctx.t("导入", "Import"), SiteRoute.importForm(job.kind).path())], content: .group(
            .h1(.text(title)),
            .div(.class("cards"),
                 Components.card("\(report.validRows)", ctx.t("有效行", "Valid rows")),
                 Components.card("\(report.errors.count)", ctx.t("错误", "Errors")),
                 Components.card("\(report.warnings.count)", ctx.t("提示", "Warnings"))),
            .unwrap(report.outcome) { o in
                .div(.class("panel"), .attribute(named: "id", value: "outcome"),
                     .h2(.text(ctx.t("导入完成", "Import finished"))),
                     .p(.text(ctx.t("新增 \(o.created) 条，更新 \(o.updated) 条，未变化 \(o.unchanged) 条。", "Created \(o.created), updated \(o.updated), unchanged \(o.unchanged)."))),
                     .unwrap(o.accounts) { accounts in
                         .p(.text(ctx.t("新建账号 \(accounts) 个（工号或学号为用户名，须用激活码首次登录）。", "\(accounts) accounts made (staff or student number as username; first sign-in with an activation code). ")),
                            .a(.href(SiteRoute.accountsRoster.path()), .text(ctx.t("生成激活码", "Make activation codes"))))
                     })
            },
            .if(job.state == .running, .div(.class("panel"),
                .h2(.text(ctx.t("正在导入…", "Importing…"))),
                .raw("<progress max=\"\(max(job.total, 1))\" value=\"\(job.done)\"></progress>"),
                .p(.text("\(job.done) / \(job.total)")))),
            .unwrap(job.failure) { .div(.class("error-summary"), .h2(.text(ctx.t("导入失败", "Import failed"))), .p(.text(ctx.t($0)))) },
            .if(!report.errors.isEmpty || !report.warnings.isEmpty,
                Components.table(ctx, headers: [ctx.t("行", "Row"), ctx.t("列", "Column"), ctx.t("级别", "Level"), ctx.t("原因", "Reason")],
                                 rows: (report.errors + report.warnings).prefix(1000).map { issue in
                                     [Components.cell(issue.row.map(String.init) ?? ctx.t("整个文件", "file")), Components.cell(issue.column ?? "—"),
                                      .td(Components.tag(issue.severity == "error" ? ctx.t("错误", "Error") : ctx.t("提示", "Warning"), issue.severity == "error" ? "red" : "orange")),
                                      Components.cell(ctx.t(issue.messages))]
                                 }, empty: .empty)),
            .if(job.state == .checked, .form(.method(.post), .action(SiteRoute.importConfirm(job.id).path()), .class("toolbar"),
                Layout.csrfField(ctx),
                .if(report.errors.isEmpty && report.validRows > 0, .button(.type(.submit), .name("mode"), .value("all"), .text(ctx.t("确认导入", "Import")))),
                .if(!report.errors.isEmpty && report.validRows > 0, .button(.type(.submit), .name("mode"), .value("valid"), .class("secondary"),
                                                                         .text(ctx.t("仅导入 \(report.validRows) 条有效行", "Import only the \(report.validRows) valid rows"))))))
        ))
        if job.state == .running {
            // Refresh without script while the import runs.
            html = html.replacingOccurrences(of: "<head>", with: "<head><meta http-equiv=\"refresh\" content=\"1\">")
        }
        return .html(html)
    }
}
