import Fluent
import Plot
import Vapor
import YixianCore

/// 我的进度 for cadres, the school and unit tables for admins and assessors, and the
/// explanation behind every cell: which ledger lines counted and why the others did not.
enum CompliancePages {
    static func asOf(_ req: Request) throws -> LocalDate {
        guard let raw = req.query[String.self, at: "asOf"], !raw.isEmpty else { return LocalDate(req.now) }
        guard let date = LocalDate(raw) else {
            throw AppError.field("asOf", zh: "“截至日期”不是有效日期（YYYY-MM-DD）", en: "asOf is not a valid date (YYYY-MM-DD)")
        }
        return date
    }

    static func evaluation(_ req: Request) async throws -> ComplianceService.Evaluation? {
        try await req.evaluation(asOf: try asOf(req))
    }

    static func colour(_ status: ComplianceStatus) -> String {
        switch status {
        case .met: "green"
        case .onTrack: "blue"
        case .atRisk: "orange"
        case .missed: "red"
        case .notYetDue: "grey"
        }
    }

    static func tag(_ ctx: PageContext, _ status: ComplianceStatus) -> Node<HTML.BodyContext> {
        Components.tag(ctx.t(status.label), colour(status))
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    static func measure(_ ctx: PageContext, _ rule: PolicyRule?) -> String {
        guard let unit = rule.map({ ctx.t($0.measureUnit) }), !unit.isEmpty else { return "" }
        return " " + unit
    }

    /// "done / required unit"; an every-period rule also says how many of its weeks have passed,
    /// since its requirement is over the whole term while a running term has only some behind it.
    static func value(_ ctx: PageContext, _ cell: ComplianceCell, _ rule: PolicyRule?) -> String {
        let base = "\(number(cell.achieved)) / \(number(cell.required))\(measure(ctx, rule))"
        guard case .every(let body) = rule?.body, let elapsed = cell.elapsed,
              elapsed < cell.parts.count(where: \.counts) else { return base }
        let unit = body.per == .month ? ctx.t("月", "months") : ctx.t("周", "weeks")
        return base + ctx.t("（已过 \(elapsed) \(unit)）", " (\(elapsed) \(unit) past)")
    }

    static func cellLink(_ cell: ComplianceCell, asOf: LocalDate) -> String {
        SiteRoute.complianceCell.path(query: ["subject": cell.subject.id, "rule": cell.ruleID, "period": cell.period.id, "asOf": asOf.iso])
    }

    static func noPolicy(_ ctx: PageContext, title: String) -> Response {
        ctx.render(title: title, content: .group(
            .h1(.text(title)),
            .div(.class("panel empty"), .p(.text(ctx.t("尚未启用工作规定。业务管理员可在“工作规定”页上传本校的策略文件，或使用 policies/ 中的预置文件。",
                                                        "No policy is active yet. A business admin uploads one on the Policy page."))),
                 .a(.href(SiteRoute.policies.path()), .text(ctx.t("前往工作规定", "Go to the policy page"))))))
    }

    static func register(_ app: Application) {
        app.routes.on(.GET, SitePattern.progress.components, access: .capability(.readOwnProgress)) { req -> Response in
            let ctx = PageContext(req)
            let user = try req.requireUser()
            guard let evaluation = try await evaluation(req) else { return noPolicy(ctx, title: ctx.t("我的进度", "My progress")) }
            guard let cadreID = user.cadreID else { throw AppError.forbidden }
            // The evaluation read the roster: a cadre it judged needs no query of their own.
            var cadre = evaluation.cadreIDs.first { $0.value == cadreID }.flatMap { staff in evaluation.cadres[staff.key].map { (staff.key, $0.name) } }
            if cadre == nil { cadre = try await CadreModel.find(cadreID, on: req.db).map { ($0.staffNumber, $0.name) } }
            guard let (staffNumber, name) = cadre else { throw AppError.forbidden }
            let mine = evaluation.current(ofCadre: staffNumber)
            return ctx.render(title: ctx.t("我的进度", "My progress"), content: progressBody(ctx, evaluation: evaluation, cells: mine, name: name))
        }
        app.routes.on(.GET, SitePattern.compliance.components, access: .capability(.readCompliance)) { req -> Response in
            let ctx = PageContext(req)
            let user = try req.requireUser()
            if let unitCode = user.unitCode, try user.rosterUnitScope() != nil {
                return req.redirect(to: SiteRoute.complianceUnit(code: unitCode).path())
            }
            guard let evaluation = try await evaluation(req) else { return noPolicy(ctx, title: ctx.t("落实情况", "Compliance")) }
            // The school's matrix is the same for every reader who may see the school (none of it is per user).
            return ctx.render(title: ctx.t("落实情况", "Compliance"),
                              content: ctx.cached(req.application.fragmentCache, serial: evaluation.serial) { schoolBody(ctx, evaluation) })
        }
        app.routes.on(.GET, SitePattern.complianceUnit.components, access: .capability(.readCompliance)) { req -> Response in
            let ctx = PageContext(req)
            let user = try req.requireUser()
            guard let code = req.parameters.get("code"), let unit = try await UnitModel.query(on: req.db).filter(\.$code == code).first() else {
                throw AppError.notFound("unit")
            }
            try user.checkUnit(unit.id!)
            guard let evaluation = try await evaluation(req) else { return noPolicy(ctx, title: unit.name) }
            return ctx.render(title: unit.name, breadcrumbs: try user.rosterUnitScope() == nil ? [(ctx.t("落实情况", "Compliance"), SiteRoute.compliance.path()), (unit.name, nil)] : [],
                                     content: ctx.cached(req.application.fragmentCache, serial: evaluation.serial) { unitBody(ctx, evaluation, unit: unit.core) })
        }
        app.routes.on(.GET, SitePattern.complianceCell.components, access: .signedIn) { req -> Response in
            let ctx = PageContext(req)
            let user = try req.requireUser()
            guard let subject = req.query[String.self, at: "subject"], let ruleID = req.query[String.self, at: "rule"],
                  let periodID = req.query[String.self, at: "period"] else { throw AppError.notFound("cell") }
            guard let evaluation = try await evaluation(req),
                  let cell = evaluation.cell(subject: subject, rule: ruleID, period: periodID) else {
                throw AppError.notFound("cell")
            }
            try authorize(user, cell: cell, evaluation: evaluation, on: req.db)
            return ctx.render(title: evaluation.title(ruleID), content: cellBody(ctx, evaluation, cell))
        }
    }

    /// A cadre sees their own cells; readers of compliance see their scope's.
    static func authorize(_ user: CurrentUser, cell: ComplianceCell, evaluation: ComplianceService.Evaluation, on db: any Database) throws {
        if cell.subject.kind == .cadre, let cadreID = user.cadreID, evaluation.cadreIDs[cell.subject.id] == cadreID { return }
        guard user.can(.readCompliance) else { throw AppError.forbidden }
        if let scope = try user.rosterUnitScope() {
            guard cell.subject.kind != .school, cell.subject.unitCode == user.unitCode else { throw AppError.notFound("cell") }
            _ = scope
        }
    }

    // MARK: - Views

    static func tallyCards(_ ctx: PageContext, _ tally: ComplianceTally) -> Node<HTML.BodyContext> {
        .div(.class("cards"),
             Components.card("\(tally.met)", ctx.t("已完成", "Met")),
             Components.card("\(tally.onTrack)", ctx.t("进度正常", "On track")),
             Components.card("\(tally.atRisk)", ctx.t("有风险", "At risk")),
             Components.card("\(tally.missed)", ctx.t("未完成", "Missed")))
    }

    static func asOfNote(_ ctx: PageContext, _ evaluation: ComplianceService.Evaluation) -> Node<HTML.BodyContext> {
        let version = ComplianceService.version(on: evaluation.asOf, in: evaluation.versions).map { evaluation.versions[$0] }
        return .p(.class("muted"), .text(ctx.t("截至 \(evaluation.asOf.chinese)", "As of \(evaluation.asOf.iso)")
            + (evaluation.term.map { "，" + $0.name } ?? "")
            + (version.map { ctx.t("；依据：\($0.policy.title)（第 \($0.model.version) 版）", "; policy: \($0.policy.id) v\($0.model.version)") } ?? "")))
    }

    /// Any past day can be replayed: the figures as they stood then, e.g. at the end of last term.
    static func asOfPicker(_ ctx: PageContext, _ evaluation: ComplianceService.Evaluation) -> Node<HTML.BodyContext> {
        .form(.method(.get), .action(ctx.path), .class("toolbar"),
              .label(.text(ctx.t("查看日期", "As of")),
                     .input(.type(.date), .name("asOf"), .value(evaluation.asOf.iso), .attribute(named: "max", value: ctx.today.iso))),
              .button(.type(.submit), .class("secondary"), .text(ctx.t("查看", "Show"))),
              .if(evaluation.asOf != ctx.today, .a(.href(ctx.path), .text(ctx.t("回到今天", "Back to today")))))
    }

    static func cellRows(_ ctx: PageContext, _ evaluation: ComplianceService.Evaluation, _ cells: [ComplianceCell]) -> Node<HTML.BodyContext> {
        Components.table(ctx, headers: [ctx.t("要求", "Rule"), ctx.t("周期", "Period"), ctx.t("完成 / 要求", "Done / required"),
                                        ctx.t("状态", "Status"), ctx.t("截止", "Due"), ""],
                         rows: cells.map { cell in
                             let rule = evaluation.rule(cell.ruleID)
                             return [Components.cell(rule?.title ?? cell.ruleID), Components.cell(cell.period.label.text(ctx.language)),
                                     Components.cell(value(ctx, cell, rule)), .td(tag(ctx, cell.status)),
                                     Components.cell(cell.due?.iso ?? "—"),
                                     Components.cell(ctx.t("明细", "Details"), href: cellLink(cell, asOf: evaluation.asOf))]
                         }, empty: .text(ctx.t("暂无需要统计的事项。", "Nothing to show.")), layout: "stack")
    }

    static func partRows(_ ctx: PageContext, _ evaluation: ComplianceService.Evaluation, _ parts: [(ComplianceCell, CompliancePart)]) -> Node<HTML.BodyContext> {
        Components.table(ctx, headers: [ctx.t("要求", "Rule"), ctx.t("周期", "Period"), ctx.t("完成 / 要求", "Done / required"), ctx.t("状态", "Status"), ""],
                         rows: parts.map { cell, part in
                             [Components.cell(evaluation.title(cell.ruleID)), Components.cell(part.label.text(ctx.language)),
                              Components.cell("\(number(part.achieved)) / \(number(part.required))"), .td(tag(ctx, part.status)),
                              Components.cell(ctx.t("明细", "Details"), href: cellLink(cell, asOf: evaluation.asOf))]
                         }, empty: .empty, layout: "stack")
    }

    static func progressBody(_ ctx: PageContext, evaluation: ComplianceService.Evaluation, cells: [ComplianceCell], name: String) -> Node<HTML.BodyContext> {
        // Weekly and monthly cells: the running one and the missed ones; longer periods: all.
        let shown = cells.filter { cell in
            cell.period.kind == .term || cell.period.kind == .academicYear || cell.status == .missed || cell.period.end >= evaluation.asOf
        }.sorted { ($0.status.urgency, $0.due ?? $0.period.end, $0.ruleID) < ($1.status.urgency, $1.due ?? $1.period.end, $1.ruleID) }
        let thisWeek = shown.filter { $0.period.kind == .week && $0.period.end >= evaluation.asOf }
        let overdue = shown.filter { $0.status == .missed }
        // “Every week” rules are judged over the term; their running week is what is due now.
        let runningParts = cells.compactMap { cell -> (ComplianceCell, CompliancePart)? in
            guard cell.period.kind != .week, let part = cell.parts.first(where: { $0.counts && $0.start <= evaluation.asOf && evaluation.asOf <= $0.end })
            else { return nil }
            return (cell, part)
        }
        let term = shown.filter { ($0.period.kind == .term || $0.period.kind == .academicYear || $0.period.kind == .month) && $0.status != .missed }
        return .group(
            .h1(.text(ctx.t("我的进度", "My progress"))),
            asOfNote(ctx, evaluation),
            asOfPicker(ctx, evaluation),
            tallyCards(ctx, ComplianceService.tally(cells)),
            .h2(.text(ctx.t("已逾期", "Overdue"))),
            overdue.isEmpty ? .p(.class("muted"), .text(ctx.t("没有逾期事项，继续保持。", "Nothing overdue."))) : cellRows(ctx, evaluation, overdue),
            .h2(.text(ctx.t("本周", "This week"))),
            thisWeek.isEmpty && runningParts.isEmpty
                ? .p(.class("muted"), .text(ctx.t("本周没有按周统计的要求。", "No weekly requirement this week.")))
                : .group(.if(!thisWeek.isEmpty, cellRows(ctx, evaluation, thisWeek)),
                         .if(!runningParts.isEmpty, partRows(ctx, evaluation, runningParts))),
            .h2(.text(ctx.t("本学期与本学年", "This term and year"))),
            cellRows(ctx, evaluation, term)
        )
    }

    static func schoolBody(_ ctx: PageContext, _ evaluation: ComplianceService.Evaluation) -> Node<HTML.BodyContext> {
        let index = evaluation.index
        // As people look for them: in the university's own order, not by code.
        let units = index.currentByUnit.keys.compactMap { evaluation.units[$0] }.sorted(by: Unit.inUniversityOrder)
        let schoolCells = evaluation.currentOfSchool
        return .group(
            .h1(.text(ctx.t("全校落实情况", "School compliance"))),
            asOfNote(ctx, evaluation),
            asOfPicker(ctx, evaluation),
            tallyCards(ctx, index.tally),
            .p(.a(.class("button"), .href(SiteRoute.complianceAttention.path(query: ["asOf": evaluation.asOf.iso])),
                  .text(ctx.t("全校未完成与有风险事项一览（可筛选、导出）", "Everything missed or at risk, school-wide (filter, export)")))),
            Components.table(ctx, headers: [ctx.t("单位", "Unit"), ctx.t("已完成", "Met"), ctx.t("进度正常", "On track"), ctx.t("有风险", "At risk"),
                                            ctx.t("未完成", "Missed"), ctx.t("完成率", "Met share")],
                             rows: units.map { unit in
                                 let tally = index.tallyByUnit[unit.code] ?? ComplianceTally()
                                 let judged = tally.met + tally.missed
                                 let share = judged == 0 ? "—" : "\(tally.met * 100 / judged)%"
                                 return [Components.cell(unit.name, href: SiteRoute.complianceUnit(code: unit.code).path(query: ["asOf": evaluation.asOf.iso])),
                                         Components.cell("\(tally.met)"), Components.cell("\(tally.onTrack)"), Components.cell("\(tally.atRisk)"),
                                         Components.cell("\(tally.missed)"), Components.cell(share)]
                             }, empty: .text(ctx.t("没有需要统计的单位。", "No units to show."))),
            .if(!schoolCells.isEmpty, .group(.h2(.text(ctx.t("学校层面的要求", "School-level obligations"))), cellRows(ctx, evaluation, schoolCells)))
        )
    }

    static func unitBody(_ ctx: PageContext, _ evaluation: ComplianceService.Evaluation, unit: Unit) -> Node<HTML.BodyContext> {
        let cells = evaluation.current(ofUnit: unit.code)
        let cadreCells = Dictionary(grouping: cells.filter { $0.subject.kind == .cadre }, by: { $0.subject.id })
        let ruleIDs = Array(Set(cadreCells.values.joined().map(\.ruleID))).sorted()
        let cadres = cadreCells.keys.sorted()
        return .group(
            .h1(.text(unit.name)),
            asOfNote(ctx, evaluation),
            asOfPicker(ctx, evaluation),
            tallyCards(ctx, ComplianceService.tally(cells)),
            Components.table(ctx, headers: [ctx.t("干部", "Cadre")] + ruleIDs.map { evaluation.title($0) },
                             rows: cadres.map { staff in
                                 let name = evaluation.cadres[staff]?.name ?? staff
                                 return [Components.cell(name)] + ruleIDs.map { ruleID -> Node<HTML.TableRowContext> in
                                     let mine = (cadreCells[staff] ?? []).filter { $0.ruleID == ruleID }
                                     guard let shown = representative(mine) else { return Components.cell("—") }
                                     let missed = mine.filter { $0.status == .missed }.count
                                     let label = missed > 1 ? ctx.t("未完成 \(missed) 期", "\(missed) missed") : value(ctx, shown, evaluation.rule(ruleID))
                                     return .td(.a(.href(cellLink(shown, asOf: evaluation.asOf)), .span(.class("tag \(colour(shown.status))"), .text(label))))
                                 }
                             }, empty: .text(ctx.t("本单位没有需要统计的干部。", "No cadre of this unit is bound by a rule.")), layout: "matrix"),
            .if(cells.contains { $0.subject.kind == .unit }, .group(
                .h2(.text(ctx.t("单位层面的要求", "Unit obligations"))),
                cellRows(ctx, evaluation, cells.filter { $0.subject.kind == .unit })))
        )
    }

    /// The cell a table shows for one cadre and rule: the latest missed period, else the running one.
    static func representative(_ cells: [ComplianceCell]) -> ComplianceCell? {
        cells.filter { $0.status == .missed }.max { $0.period.end < $1.period.end } ?? cells.max { $0.period.end < $1.period.end }
    }

    static func cellBody(_ ctx: PageContext, _ evaluation: ComplianceService.Evaluation, _ cell: ComplianceCell) -> Node<HTML.BodyContext> {
        let rule = evaluation.rule(cell.ruleID)
        let subjectName = cell.subject.kind == .cadre ? (evaluation.cadres[cell.subject.id]?.name ?? cell.subject.name) : cell.subject.name
        let counted = cell.counted.compactMap { evaluation.contacts[$0] }
        let excluded = cell.excluded.compactMap { e in evaluation.contacts[e.id].map { ($0, e.reason) } }
        let filings = cell.counted.compactMap { evaluation.filings[$0].map { ($0, ComplianceExclusionReason?.none) } }
            + cell.excluded.compactMap { e in evaluation.filings[e.id].map { ($0, Optional(e.reason)) } }
        // A cadre's name leads to their ledger, where every record and its evidence can be opened.
        let subjectNode: Node<HTML.BodyContext> = cell.subject.kind == .cadre && evaluation.cadreIDs[cell.subject.id] != nil
            ? .a(.href(SiteRoute.ledger.path(query: ["cadre": evaluation.cadreIDs[cell.subject.id]!.uuidString])), .text(subjectName))
            : .text(subjectName)
        return .group(
            .h1(.text(rule?.title ?? cell.ruleID)),
            .div(.class("panel"), .dl(.class("props"),
                .dt(.text(ctx.t("对象", "Subject"))), .dd(subjectNode),
                .dt(.text(ctx.t("周期", "Period"))), .dd(.text("\(cell.period.label.text(ctx.language))（\(cell.period.start.iso) – \(cell.period.end.iso)）")),
                .dt(.text(ctx.t("完成 / 要求", "Done / required"))), .dd(.text(value(ctx, cell, rule))),
                .dt(.text(ctx.t("状态", "Status"))), .dd(tag(ctx, cell.status)),
                .dt(.text(ctx.t("截止", "Due"))), .dd(.text(cell.due?.iso ?? "—")),
                .dt(.text(ctx.t("说明", "Note"))), .dd(.text(cell.note?.text(ctx.language) ?? "—")),
                .dt(.text(ctx.t("依据", "Source"))), .dd(.text(rule?.source.map { "“\($0)”" } ?? "—")))),
            .if(!cell.parts.isEmpty, .group(
                .h2(.text(ctx.t("分项", "Parts"))),
                Components.table(ctx, headers: [ctx.t("分项", "Part"), ctx.t("起止", "Dates"), ctx.t("完成 / 要求", "Done / required"), ctx.t("状态", "Status"), ctx.t("说明", "Note")],
                                 rows: cell.parts.map { part in
                                     [Components.cell(part.label.text(ctx.language)), Components.cell("\(part.start.iso) – \(part.end.iso)"),
                                      Components.cell("\(number(part.achieved)) / \(number(part.required))"),
                                      .td(part.counts ? tag(ctx, part.status) : Components.tag(ctx.t("不计", "Skipped"), "grey")),
                                      Components.cell(part.note?.text(ctx.language) ?? "")]
                                 }, empty: .empty))),
            .if(!filings.isEmpty, .group(.h2(.text(ctx.t("报送情况", "Filings"))), filingTable(ctx, filings))),
            .if(filings.isEmpty, .group(.h2(.text(ctx.t("计入的记录", "Records that counted"))),
                                        recordTable(ctx, evaluation, counted.map { ($0, nil) }))),
            .if(!excluded.isEmpty, .group(.h2(.text(ctx.t("未计入的记录及原因", "Records that did not count, and why"))),
                                          recordTable(ctx, evaluation, excluded.map { ($0.0, $0.1) })))
        )
    }

    static func filingTable(_ ctx: PageContext, _ filings: [(Filing, ComplianceExclusionReason?)]) -> Node<HTML.BodyContext> {
        Components.table(ctx, headers: [ctx.t("报送内容", "Filing"), ctx.t("所属周期", "Period"), ctx.t("报送日期", "Filed on"), ctx.t("结果", "Result")],
                         rows: filings.sorted { $0.0.submittedOn < $1.0.submittedOn }.map { filing, reason in
                             [Components.cell(FilingKind.standard.first { $0.code == filing.kind }.map { ctx.t($0.label) } ?? filing.kind),
                              Components.cell(filing.periodID ?? filing.termID), Components.cell(filing.submittedOn.iso),
                              Components.cell(reason.map { ctx.t($0.label) } ?? ctx.t("计入", "Counted"))]
                         }, empty: .empty)
    }

    static func recordTable(_ ctx: PageContext, _ evaluation: ComplianceService.Evaluation,
                            _ records: [(ContactRecord, ComplianceExclusionReason?)]) -> Node<HTML.BodyContext> {
        return Components.table(ctx, headers: [ctx.t("时间", "When"), ctx.t("形式", "Kind"), ctx.t("地点", "Place"), ctx.t("学生集体", "Collectives"),
                                               ctx.t("人次", "Persons"), ctx.t("学生确认", "Confirmed")] + (records.contains { $0.1 != nil } ? [ctx.t("原因", "Reason")] : []),
                                rows: records.sorted { $0.0.start < $1.0.start }.map { record, reason in
                                    var row: [Node<HTML.TableRowContext>] = [
                                        Components.cell(AdminPages.timestamp(record.start).dropLast(3).description, href: SiteRoute.ledgerLine(record.id)),
                                        Components.cell(evaluation.vocabulary(on: record.startDay).kind(record.kind).map { ctx.t($0.label) } ?? record.kind),
                                        Components.cell(record.place), Components.cell(record.collectiveCodes.joined(separator: "、")),
                                        Components.cell("\(record.participantCount)"), Components.cell("\(record.confirmedByStudents)"),
                                    ]
                                    if let reason { row.append(Components.cell(ctx.t(reason.label))) }
                                    return row
                                }, empty: .text(ctx.t("没有计入的记录。", "No record counted.")))
    }
}

extension ComplianceStatus {
    /// Sort order on pages: what needs action first.
    var urgency: Int {
        switch self {
        case .missed: 0
        case .atRisk: 1
        case .onTrack: 2
        case .notYetDue: 3
        case .met: 4
        }
    }
}
