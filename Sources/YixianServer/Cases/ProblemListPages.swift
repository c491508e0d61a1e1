import Fluent
import Plot
import Vapor
import YixianCore

/// 问题清单 (湖南科技大学 六(二)): the term's cases in the viewer's scope with how each was
/// handled — solved, explained, in progress, waiting for dispatch — exportable, and "上报学校党委"
/// recorded as the unit's problem-list filing, which the policy's filing rule counts.
struct ProblemListModel: Sendable {
    struct Row: Sendable {
        var id: UUID
        var number: String
        var receivedOn: String
        var channel: Localized
        var category: Localized
        var text: String
        var raisedBy: String
        var unit: String
        var state: Localized
        var rating: Localized?
    }

    var termID: String?
    var termName: Localized?
    var terms: [(String, Localized)]
    var rows: [Row]
    var solved: Int
    var explained: Int
    var open: Int
    /// The unit a secretary reports for; the office chooses.
    var reportUnits: [(String, String)]
    var reportedOn: String?
    var mayReport: Bool
    var reported: Bool
    /// The page of rows shown (the .xlsx has them all; the counts are over them all).
    var page = 1
    static let perPage = 100

    /// How a case stands on the list: its outcome once answered, else where it is.
    static func state(_ item: CaseRow) -> Localized {
        if let outcome = item.outcome.flatMap(CaseOutcome.init) { return outcome.label }
        return (CaseStatus(rawValue: item.status) ?? .new).label
    }

    static func load(_ req: Request) async throws -> ProblemListModel {
        let user = try req.requireUser()
        let (term, allTerms) = try await CasesAPI.term(req)
        let items = try await CasesAPI.rows(for: user, receivedIn: term?.range, limit: 5_000, on: req.db)
        let rows = items.map { item in
            Row(id: item.id, number: item.number, receivedOn: item.received_on,
                channel: CaseChannel(rawValue: item.channel)?.label ?? .same(item.channel),
                category: CaseCategory.standard(item.category)?.label ?? .same(item.category), text: item.text,
                raisedBy: item.cadre_name ?? "", unit: item.unit_name ?? "",
                state: state(item), rating: item.rating.flatMap(CaseRating.init).map(\.label))
        }
        let mayReport = user.can(.fileReports)
        var reportUnits: [(String, String)] = []
        var reportedOn: String?
        if mayReport {
            if let unit = user.unitID, let code = user.unitCode, let model = try await UnitModel.find(unit, on: req.db) {
                reportUnits = [(code, model.name)]
            } else {
                reportUnits = try await UnitModel.query(on: req.db).filter(\.$active == true).all().inUniversityOrder().map { ($0.code, $0.name) }
            }
            if let term, let unit = user.unitID {
                reportedOn = try await FilingModel.query(on: req.db).filter(\.$unit.$id == unit).filter(\.$kind == "problem-list")
                    .filter(\.$termCode == term.id).sort(\.$submittedOn, .descending).first()?.submittedOn
            }
        }
        return ProblemListModel(termID: term?.id, termName: term?.label, terms: allTerms.map { ($0.id, $0.label) }, rows: rows,
                                solved: items.count { $0.outcome == CaseOutcome.solved.rawValue },
                                explained: items.count { $0.outcome == CaseOutcome.explained.rawValue },
                                open: items.count { $0.outcome == nil }, reportUnits: reportUnits, reportedOn: reportedOn,
                                mayReport: mayReport, reported: req.query[String.self, at: "reported"] != nil,
                                page: max(1, req.query[Int.self, at: "page"] ?? 1))
    }
}

enum ProblemListPages {
    static let header = ["受理编号", "收到日期", "来源", "类别", "问题", "提出干部", "责任单位", "办理情况", "学生评价"]

    static func view(_ ctx: PageContext, _ m: ProblemListModel) -> Node<HTML.BodyContext> {
        let termOptions: [Node<HTML.SelectContext>] = m.terms.map { Components.option(value: $0.0, text: ctx.t($0.1), selected: $0.0 == m.termID) }
        let unitOptions: [Node<HTML.SelectContext>] = m.reportUnits.map { Components.option(value: $0.0, text: $0.1, selected: false) }
        return .group(
            .h1(.text(ctx.t("问题清单", "Problem list") + (m.termName.map { ctx.t("（\(ctx.t($0))）", " (\(ctx.t($0)))") } ?? ""))),
            Components.notice(m.reported ? ctx.t("已上报学校党委，并记为本学期的问题清单报送。", "Reported to the party committee and filed as this term's problem list.") : nil),
            .form(.class("toolbar"), .method(.get), .action(SiteRoute.problems.path()),
                  .label(.text(ctx.t("学期", "Term")), .select(.attribute(named: "name", value: "term"), .group(termOptions))),
                  .button(.type(.submit), .class("secondary"), .text(ctx.t("查看", "Show"))),
                  .a(.class("button secondary"), .href(SiteRoute.problems.path(query: ["term": m.termID ?? "", "format": "xlsx"])), .text(ctx.t("导出 Excel", "Export .xlsx")))),
            .div(.class("cards"),
                 Components.card("\(m.rows.count)", ctx.t("问题", "Problems")),
                 Components.card("\(m.solved)", ctx.t("已解决", "Solved")),
                 Components.card("\(m.explained)", ctx.t("已解释说明", "Explained")),
                 Components.card("\(m.open)", ctx.t("办理中", "Open"))),
            Components.table(ctx, headers: [ctx.t("受理编号", "Number"), ctx.t("收到", "Received"), ctx.t("来源", "Channel"), ctx.t("类别", "Category"),
                                            ctx.t("问题", "Problem"), ctx.t("提出干部", "Raised by"), ctx.t("责任单位", "Unit"),
                                            ctx.t("办理情况", "State"), ctx.t("学生评价", "Rating")],
                             rows: m.rows.dropFirst((m.page - 1) * ProblemListModel.perPage).prefix(ProblemListModel.perPage).map { r in
                                 [Components.cell(r.number, href: SiteRoute.caseDetail(r.id).path()), Components.cell(r.receivedOn),
                                  Components.cell(ctx.t(r.channel)), Components.cell(ctx.t(r.category)), Components.cell(r.text),
                                  Components.cell(r.raisedBy), Components.cell(r.unit), Components.cell(ctx.t(r.state)),
                                  Components.cell(r.rating.map { ctx.t($0) } ?? "")]
                             }, empty: .text(ctx.t("本学期暂无学生反映的问题。", "No problems this term.")), exports: ["csv"]),
            // Three thousand rows on one page cost a second of rendering; the export keeps every row.
            .if(m.rows.count > ProblemListModel.perPage, Components.pager(ctx, page: m.page, per: ProblemListModel.perPage, total: m.rows.count) {
                SiteRoute.problems.path(query: ["term": m.termID ?? "", "page": "\($0)"])
            }),
            .if(m.mayReport && m.termID != nil, .div(.class("panel"),
                .h2(.text(ctx.t("上报学校党委", "Report to the party committee"))),
                .p(.class("muted"), .text(m.reportedOn.map { ctx.t("本学期已于 \($0) 上报。", "Reported on \($0) this term.") }
                    ?? ctx.t("上报后记为本单位本学期的“问题清单”报送。", "Reporting files this term's problem list for the unit."))),
                .form(.method(.post), .action(SiteRoute.problemsReport.path()), Layout.csrfField(ctx),
                      .input(.type(.hidden), .name("termCode"), .value(m.termID ?? "")),
                      .div(.class("field"), .label(.for("unitCode"), .text(ctx.t("单位", "Unit"))),
                           .select(.id("unitCode"), .attribute(named: "name", value: "unitCode"), .group(unitOptions))),
                      .button(.type(.submit), .text(ctx.t("上报", "Report"))))))
        )
    }

    struct ReportForm: Content {
        var termCode: String?
        var unitCode: String?
    }

    static func register(_ app: Application) {
        let readers = Access.roles([.cadre, .businessAdmin, .unitSecretary, .assessor])
        app.routes.on(.GET, SitePattern.problems.components, access: readers) { req -> Response in
            let model = try await ProblemListModel.load(req)
            if req.query[String.self, at: "format"] == "xlsx" {
                let data = try XLSXWriter.write([XLSXWorksheet(name: "问题清单", header: header, rows: model.rows.map { r in
                    [.text(r.number), .text(r.receivedOn), .text(r.channel.zh), .text(r.category.zh), .text(r.text), .text(r.raisedBy),
                     .text(r.unit), .text(r.state.zh), .text(r.rating?.zh ?? "")]
                })])
                return ImportExport.download(data, name: "问题清单-\(model.termID ?? "all").xlsx", ascii: "problems.xlsx",
                                             type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            }
            let ctx = PageContext(req)
            return ctx.render(title: ctx.t("问题清单", "Problem list"), content: view(ctx, model))
        }
        app.routes.on(.POST, SitePattern.problemsReport.components, access: .capability(.fileReports)) { req -> Response in
            let user = try req.requireUser()
            let form = try req.content.decode(ReportForm.self)
            let today = LocalDate(req.now)
            // The same filing a secretary records on the filings page, dated today.
            _ = try await FilingPages.create(FilingInput(unitCode: form.unitCode, kind: "problem-list", termCode: form.termCode, period: nil,
                                                         submittedOn: today.iso, reason: "重新上报更新后的问题清单"),
                                             by: user, today: today, now: req.now, on: req.db)
            return req.redirect(to: SiteRoute.problems.path(query: ["term": form.termCode ?? "", "reported": "1"]))
        }
    }
}
