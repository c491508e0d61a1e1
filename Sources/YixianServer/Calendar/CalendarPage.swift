import Plot
import Vapor
import YixianCore

enum CalendarPage {
    static func register(_ app: Application) {
        app.routes.on(.GET, SitePattern.calendar.components, access: .signedIn) { req -> Response in
            try await render(req)
        }
    }

    /// `holidayText`: what was pasted into the holiday form, when that form was refused (`problems` are then its own).
    static func render(_ req: Request, report: CalendarAdmin.Report? = nil, holidayText: String? = nil, problems: [AppError.FieldProblem] = [],
                       status: HTTPResponseStatus = .ok) async throws -> Response {
            let ctx = PageContext(req)
            let years = try await CalendarAPI.load(on: req.db)
            let workdays = try await WorkdayUploads.current(on: req.db)
            let holidayProblems = holidayText == nil ? [] : problems
            let updated = req.query[String.self, at: "holidays"]
            let manages = ctx.user?.can(.manageCalendar) ?? false
            return ctx.render(title: ctx.t("校历", "Calendar"), status: status, content: .group(
                .h1(.text(ctx.t("校历与工作日", "Academic calendar"))),
                .div(.class("toolbar"),
                     .a(.class("button secondary"), .href(SiteRoute.calendarExport.path(query: ["format": "xlsx"])), .text(ctx.t("导出 Excel", "Export .xlsx"))),
                     .a(.class("button secondary"), .href(SiteRoute.calendarExport.path(query: ["format": "csv"])), .text(ctx.t("导出 CSV", "Export .csv")))),
                .if(manages, CalendarAdmin.panel(ctx, report: report, problems: holidayText == nil ? problems : [])),
                .if(years.isEmpty, .div(.class("panel empty"), .text(manages ? ctx.t("尚未设置校历：请在上方导入。", "No calendar yet: import one above.")
                                                                              : ctx.t("尚未设置校历，请联系业务管理员。", "No calendar yet; ask the business admin.")))),
                .forEach(years.reversed()) { year in
                    .div(.class("panel"),
                         .h2(.text(ctx.t(year.label) + ctx.t("（\(year.range.start.iso) – \(year.range.end.iso)）", " (\(year.range.start.iso) – \(year.range.end.iso))"))),
                         .forEach(year.terms) { term in
                             .group(
                                .h3(.text(ctx.t("\(term.name)：\(term.range.start.iso) – \(term.range.end.iso)，共 \(term.teachingWeeks.count) 周",
                                              "\(term.label.en): \(term.range.start.iso) – \(term.range.end.iso), \(term.teachingWeeks.count) weeks"))),
                                .ul(
                                    .forEach(term.specialWeeks) { w in
                                        .li(.text("\(ctx.t(w.kind.label))：\(w.name) \(w.range.start.iso) – \(w.range.end.iso)" +
                                                  (w.excludedFromWeeklyRules ? ctx.t("（不计入每周要求）", " (skipped by weekly rules)") : "")))
                                    },
                                    .forEach(term.vacations) { v in
                                        .li(.text(ctx.t("假期", "Vacation") + "：\(v.start.iso) – \(v.end.iso)"))
                                    }))
                         })
                },
                .div(.class("panel"),
                     .h2(.text(ctx.t("法定节假日与调休", "Public holidays and make-up workdays"))),
                     Components.notice(updated.map { ctx.t("已更新 \($0) 年的节假日安排。", "The holidays of \($0) are updated.") }),
                     .p(.class("muted"), .text(ctx.t("按国务院办公厅通知。", "From the State Council notices. ") + workdays.coveredYears.map { year in
                         let source = workdays.yearSources[year] ?? ""
                         return workdays.isProjected(year: year) ? ctx.t("\(year) 年为推算，发布后请更新", "\(year) is projected until published")
                             : "\(year)" + (source.isEmpty ? "" : ctx.t("：\(source)", ": \(source)"))
                     }.joined(separator: ctx.t("；", "; ")))),
                     .p(.a(.href(SiteRoute.calendarHolidays.path()), .text(ctx.t("下载当前数据（文本，可修改后上传）", "Download the data in force (text, to edit and upload)")))),
                     .if(manages, Components.errorSummary(ctx, holidayProblems)),
                     .if(manages, .form(.method(.post), .action(SiteRoute.calendarHolidays.path()), .id("holidays"),
                         Layout.csrfField(ctx),
                         .div(.class(holidayProblems.isEmpty ? "field" : "field has-error"),
                              .label(.for("holiday-text"), .text(ctx.t("国务院办公厅发布新一年安排后，粘贴该年完整数据（以 year 行开头，格式见下载的文本）；上传的年份整体替换原有数据。",
                                                                       "When the State Council publishes a year, paste its complete schedule (starting with a year line, as in the download); it replaces that year."))),
                              .textarea(.id("holiday-text"), .name("text"), .attribute(named: "rows", value: "8"),
                                        .attribute(named: "placeholder", value: "year 2027 国办发明电〔2026〕…号\n2027-01-01..2027-01-03 holiday 元旦"),
                                        .text(holidayText ?? ""))),
                         .button(.type(.submit), .text(ctx.t("更新节假日安排", "Update the holidays"))))),
                     Components.table(ctx, headers: [ctx.t("日期", "Dates"), ctx.t("类型", "Kind"), ctx.t("名称", "Name")],
                                      rows: workdays.entries.map { e in
                                          [Components.cell(e.range.start == e.range.end ? e.range.start.iso : "\(e.range.start.iso) – \(e.range.end.iso)"),
                                           Components.cell(ctx.t(e.kind.label) + (e.projected ? ctx.t("（推算）", " (projected)") : "")),
                                           Components.cell(e.name)]
                                      }, empty: .text("")))
            ))
    }
}
