import Fluent
import Foundation
import Vapor
import YixianCore

final class WorkdayUploadModel: Model, @unchecked Sendable {
    static let schema = "workday_uploads"
    @ID var id: UUID?
    @Field(key: "text") var text: String
    /// The years it declares, comma-joined: what it replaced.
    @Field(key: "years") var years: String
    @Field(key: "uploaded_by") var uploadedBy: String
    @Field(key: "uploaded_at") var uploadedAt: Date

    init() {}
}

/// The PRC workday calendar in force: the built-in years with each upload laid over them in the
/// order they came, an upload replacing every line of the years it declares. When the State Council
/// publishes next year's holidays (each November), the business admin pastes them here; case
/// deadlines, escalation and the workday-based rules follow without a new release.
enum WorkdayUploads {
    static let maxBytes = 64 * 1024

    static func current(on db: any Database) async throws -> WorkdayCalendar {
        let uploads = try await WorkdayUploadModel.query(on: db).sort(\.$uploadedAt).all()
        // Each text was checked when stored; one that no longer parses (a format change) is skipped, not fatal.
        return uploads.reduce(WorkdayCalendar.prc) { calendar, upload in
            (try? WorkdayCalendar(parsing: upload.text)).map(calendar.merging) ?? calendar
        }
    }

    /// Checks every line (all problems at once, by line number) and stores the upload; nothing is stored on a problem.
    static func upload(_ text: String?, by user: CurrentUser, now: Date, on db: any Database) async throws -> [Int] {
        guard let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw AppError.field("text", zh: "请粘贴节假日数据", en: "Paste the holiday data")
        }
        guard text.utf8.count <= maxBytes else {
            throw AppError.field("text", zh: "数据过长（最多 64 KB）", en: "The data is too long (at most 64 KB)")
        }
        let parsed: WorkdayCalendar
        do {
            parsed = try WorkdayCalendar(parsing: text)
        } catch {
            throw AppError.validation(error.issues.map {
                AppError.FieldProblem(field: "text", message: Localized(zh: "第 \($0.line) 行：\($0.message.zh)", en: "line \($0.line): \($0.message.en)"))
            })
        }
        guard !parsed.coveredYears.isEmpty else {
            throw AppError.field("text", zh: "至少需要一行 `year YYYY 文号`，声明这份数据是哪一年的完整安排",
                                 en: "Declare the year the data completes with a `year YYYY source` line")
        }
        let outside = parsed.entries.filter { entry in !parsed.coveredYears.contains(entry.range.start.year) }
        if let first = outside.first {
            throw AppError.field("text", zh: "\(first.range.start.iso) 不在声明的年份（\(parsed.coveredYears.map(String.init).joined(separator: "、"))）内",
                                 en: "\(first.range.start.iso) lies outside the declared years (\(parsed.coveredYears.map(String.init).joined(separator: ", ")))")
        }
        let model = WorkdayUploadModel()
        model.text = text
        model.years = parsed.coveredYears.map(String.init).joined(separator: ",")
        model.uploadedBy = user.displayName
        model.uploadedAt = now
        try await db.write { db in
            try await model.create(on: db)
            try await AuditTrail.record("calendar.workdays", objectType: "workdays", objectID: model.years, detail: "\(parsed.entries.count) lines",
                                        by: .init(user), on: db)
        }
        return parsed.coveredYears
    }

    struct Input: Content { var text: String? }

    static func register(_ app: Application) {
        // The data in force as text: the template an admin edits for next year.
        app.routes.on(.GET, SitePattern.calendarHolidays.components, access: .signedIn) { req -> Response in
            let response = Response(status: .ok, body: .init(string: try await current(on: req.db).text))
            response.headers.contentType = .init(type: "text", subType: "plain", parameters: ["charset": "utf-8"])
            response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"workdays.txt\"")
            return response
        }
        app.routes.on(.POST, SitePattern.calendarHolidays.components, access: .capability(.manageCalendar)) { req -> Response in
            let input = try req.content.decode(Input.self)
            do {
                let years = try await upload(input.text, by: try req.requireUser(), now: req.now, on: req.db)
                return req.redirect(to: SiteRoute.calendar.path(query: ["holidays": years.map(String.init).joined(separator: ",")]))
            } catch let error as AppError where error.status == .unprocessableEntity {
                return try await CalendarPage.render(req, holidayText: input.text, problems: error.details, status: .unprocessableEntity)
            }
        }
    }
}
