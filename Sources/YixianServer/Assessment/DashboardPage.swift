import Fluent
import Foundation
import Plot
import Vapor
import YixianCore

/// 看板: where people would rather look than read — the term week by week against the weekly rules,
/// which dorms and classes were visited and which not, the cases by category and timeliness, and
/// the integrity flags by kind. Charts are SVG drawn here, so they print and need no script.
/// For the school, one unit, or one cadre (`?cadre=`; a cadre sees their own).
enum DashboardPage {
    static let access = Access.roles([.businessAdmin, .assessor, .unitSecretary, .cadre])

    struct Model: Sendable {
        var term: Term
        var terms: [Term]
        var unitName: String?
        var units: [(code: String, name: String)]
        var unitCode: String?
        /// Set when the dashboard is one cadre's.
        var cadre: Cadre?
        /// Per teaching week: lines recorded, and the share of weekly-rule weeks met (nil before the week ends).
        var weeks: [(label: String, count: Int, share: Double?)]
        var dorms: [(label: String, on: Bool)]
        var classes: [(label: String, on: Bool)]
        var cases: [(label: String, parts: [Int])]
        var flags: [(label: String, value: Int)]
        var records: Int
        var personTimes: Int
    }

    static func load(_ req: Request) async throws -> Model {
        let user = try req.requireUser()
        let today = LocalDate(req.now)
        let terms = try await CalendarAPI.load(on: req.db).flatMap(\.terms).filter { $0.range.start <= today }.sorted { $0.range.start > $1.range.start }
        guard !terms.isEmpty else { throw AppError(.conflict, code: .noCalendar, zh: "尚未设置校历", en: "No academic calendar yet") }
        let term: Term
        if let id = req.query[String.self, at: "term"] {
            guard let found = terms.first(where: { $0.id == id }) else {
                throw AppError.field("term", zh: "学期“\(id)”不存在或尚未开始", en: "No term \(id) that has begun")
            }
            term = found
        } else {
            term = terms.first { $0.range.contains(today) } ?? terms[0]
        }
        let facts = try await req.application.complianceStore.facts.facts(on: req.db)
        let units = facts.organization.units.filter(\.active).sorted(by: Unit.inUniversityOrder)
        // One cadre's: a cadre their own; a secretary one of their unit's; the office and assessors anyone's.
        var cadre: Cadre?
        if user.role == .cadre {
            cadre = user.cadreID.flatMap { facts.organization.staffNumbers[$0] }.flatMap { staff in facts.organization.cadres.first { $0.staffNumber == staff } }
            guard cadre != nil else { throw AppError.forbidden }
        } else if let staff = req.query[String.self, at: "cadre"], !staff.isEmpty {
            cadre = facts.organization.cadres.first { $0.staffNumber == staff && (user.scope == .institution || $0.unitCode == user.unitCode) }
            guard cadre != nil else { throw AppError.field("cadre", zh: "找不到工号为“\(staff)”的干部", en: "No cadre with staff number \(staff)") }
        }
        let unitCode = cadre?.unitCode ?? (user.scope == .institution ? req.query[String.self, at: "unit"].flatMap { code in units.contains { $0.code == code } ? code : nil }
            : user.unitCode)
        let inScope: (String) -> Bool = { code in unitCode.map { $0 == code } ?? true }
        let asOf = min(today, term.range.end)
        let cadreUnit = Dictionary(facts.organization.cadres.map { ($0.staffNumber, $0.unitCode) }, uniquingKeysWith: { a, _ in a })
        let ofScope: (String) -> Bool = { staff in cadre.map { $0.staffNumber == staff } ?? inScope(cadreUnit[staff] ?? "") }

        // Week by week: lines recorded, and the weekly rules' weeks met among those that have ended.
        let teaching = term.teachingWeeks
        // Filtered before copying: the school's fifty thousand lines are read, not duplicated.
        let lines = facts.contacts.values.compactMap { stored -> ContactRecord? in
            let day = stored.record.startDay
            guard term.range.contains(day), day <= asOf, stored.record.status == .submitted || stored.record.status == .confirmed,
                  ofScope(stored.record.cadreStaffNumber) else { return nil }
            return stored.record
        }
        var counts = [Int](repeating: 0, count: teaching.count), met = [Int](repeating: 0, count: teaching.count), due = [Int](repeating: 0, count: teaching.count)
        for line in lines { if let w = teaching.firstIndex(where: { $0.range.contains(line.startDay) }) { counts[w] += 1 } }
        let evaluation = try await req.evaluation(asOf: asOf)
        for cell in evaluation?.cells ?? [] where cell.subject.kind == .cadre && cell.period.id == term.id && ofScope(cell.subject.id) {
            guard case .every(let body)? = evaluation?.rule(cell.ruleID)?.body, body.per == .week else { continue }
            for part in cell.parts where part.counts && part.end < asOf {
                guard let w = teaching.firstIndex(where: { $0.range.contains(part.start) }) else { continue }
                due[w] += 1
                if part.achieved >= part.required { met[w] += 1 }
            }
        }
        let weeks = teaching.indices.map { (label: "\(teaching[$0].number)", count: counts[$0], share: due[$0] > 0 ? Double(met[$0]) / Double(due[$0]) : nil) }

        // Visited this term: any line naming the collective.
        let visited = Set(lines.flatMap(\.collectiveCodes))
        // A cadre's map is the collectives they link this term and those they went to.
        let linked = cadre.map { cadre in Set(facts.pairings.filter { $0.cadreStaffNumber == cadre.staffNumber && $0.range.overlaps(term.range) }
            .compactMap(\.collectiveCode)).union(visited) }
        let collectives = facts.organization.collectives.filter { c in c.active && (linked.map { $0.contains(c.code) } ?? inScope(c.unitCode)) }
            .sorted { $0.code < $1.code }
        let dorms = collectives.filter { $0.kind == .dorm }.map { (label: $0.name, on: visited.contains($0.code)) }
        let classes = collectives.filter { $0.kind == .class }.map { (label: $0.name, on: visited.contains($0.code)) }

        // Cases of the term by category: answered on time, late, open within time, open and overdue. Plain
        // rows in the reader's scope (no model to reflect over: the school has thousands a term).
        let judge = try await CasesAPI.Judge.load(on: req.db, today: today)
        let language = PageContext(req).language
        let unitName = unitCode.flatMap { code in units.first { $0.code == code }?.name }
        let unitID = unitCode.flatMap { facts.organization.unitIDs[$0] }
        let cadreID = cadre.flatMap { facts.organization.cadreIDs[$0.staffNumber] }
        var byCategory: [String: [Int]] = [:]
        for row in try await CasesAPI.clocks(for: user, receivedIn: term.range, on: req.db) {
            if let cadreID { guard row.cadre_id == cadreID else { continue } } else if let unitID, row.responsible_unit_id != unitID { continue }
            let state = row.state
            let deadlines = judge.deadlines(state, tier: row.tier)
            // A tier that needs no answer (表扬、建议, §4.17) is never on time or late.
            guard deadlines.answerRequired else { continue }
            let due = deadlines.answer
            let slot = state.answeredOn.map { $0 <= due ? 0 : 1 } ?? (today > due ? 3 : 2)
            byCategory[(CaseCategory.standard(row.category)?.label ?? .same(row.category)).text(language), default: [0, 0, 0, 0]][slot] += 1
        }
        let cases = byCategory.sorted { $0.value.reduce(0, +) > $1.value.reduce(0, +) }.map { (label: $0.key, parts: $0.value) }

        let snapshot = try await IntegrityService.visible(to: user, on: req.db, app: req.application)
        let ctx = PageContext(req)
        var flagCounts: [IntegrityFlagKind: Int] = [:]
        let lineIDs = Set(lines.map(\.id))
        for flag in snapshot.flags where flag.recordIDs.contains(where: lineIDs.contains) { flagCounts[flag.kind, default: 0] += 1 }
        let flags = flagCounts.sorted { $0.value > $1.value }.map { (label: ctx.t($0.key.label), value: $0.value) }

        return Model(term: term, terms: terms, unitName: unitName,
                     units: user.scope == .institution && cadre == nil ? units.map { ($0.code, $0.name) } : [], unitCode: unitCode, cadre: cadre,
                     weeks: weeks, dorms: dorms, classes: classes, cases: cases, flags: flags,
                     records: lines.count, personTimes: lines.reduce(0) { $0 + $1.participantCount })
    }

    static func view(_ ctx: PageContext, _ m: Model) -> Node<HTML.BodyContext> {
        func panel(_ title: String, _ svg: String?, note: String? = nil) -> Node<HTML.BodyContext> {
            .div(.class("panel chart-panel"), .h2(.text(title)), .unwrap(note) { .p(.class("muted"), .text($0)) },
                 svg.map { .raw($0) } ?? .p(.class("muted"), .text(ctx.t("本期暂无数据。", "Nothing this term."))))
        }
        let visitedDorms = m.dorms.count { $0.on }, visitedClasses = m.classes.count { $0.on }
        let legend = [(ctx.t("按期答复", "Answered on time"), SVGChart.green), (ctx.t("逾期答复", "Answered late"), SVGChart.amber),
                      (ctx.t("办理中", "Open"), SVGChart.blue), (ctx.t("已超期", "Overdue"), SVGChart.red)]
        return .group(
            .h1(.text(ctx.t("看板：", "Dashboard: ") + (m.cadre.map { "\($0.name)（\(m.unitName ?? $0.unitCode)）" } ?? m.unitName ?? ctx.t("全校", "whole school"))
                      + " · " + ctx.t(m.term.label))),
            .form(.class("toolbar no-print"), .method(.get), .action(SiteRoute.dashboard.path()),
                  .unwrap(m.cadre) { cadre in .if(ctx.user?.role != .cadre, .input(.type(.hidden), .name("cadre"), .value(cadre.staffNumber))) },
                  .label(.text(ctx.t("学期", "Term")), .select(.attribute(named: "name", value: "term"),
                        .forEach(m.terms) { Components.option(value: $0.id, text: ctx.t($0.label), selected: $0.id == m.term.id) })),
                  .if(!m.units.isEmpty, .label(.text(ctx.t("单位", "Unit")), .select(.attribute(named: "name", value: "unit"),
                        Components.option(value: "", text: ctx.t("全校", "Whole school"), selected: m.unitCode == nil),
                        .forEach(m.units) { Components.option(value: $0.code, text: $0.name, selected: $0.code == m.unitCode) }))),
                  .button(.type(.submit), .text(ctx.t("显示", "Show")))),
            .div(.class("cards"),
                 Components.card("\(m.records)", ctx.t("联系记录", "Contacts")),
                 Components.card("\(m.personTimes)", ctx.t("人次", "Person-times")),
                 Components.card("\(visitedDorms)/\(m.dorms.count)", ctx.t("走访过的宿舍", "Dorms visited")),
                 Components.card("\(visitedClasses)/\(m.classes.count)", ctx.t("联系过的班级", "Classes reached"))),
            panel(ctx.t("逐周进展", "Week by week"),
                  m.weeks.isEmpty ? nil : SVGChart.weeks(m.weeks, title: ctx.t("每周联系记录与每周要求完成率", "Contacts per week and weekly rules met"),
                                                         shareName: ctx.t("每周要求完成率", "weekly rules met")),
                  note: ctx.t("柱：各教学周的联系记录数；折线：已结束的各周中，按周要求（如每周面对面联系学生）完成的比例。",
                              "Columns: contacts per teaching week; line: share of the weekly requirements met in the weeks that have ended.")),
            panel(ctx.t("宿舍走访覆盖", "Dorms visited") + "（\(visitedDorms)/\(m.dorms.count)）",
                  m.dorms.isEmpty ? nil : SVGChart.grid(m.dorms, title: ctx.t("宿舍走访覆盖", "Dorms visited")),
                  note: ctx.t("绿色：本学期有记录走访；灰色：尚无人走访。悬停可见名称。", "Green: visited this term; grey: not yet. Hover for names.")),
            panel(ctx.t("班级联系覆盖", "Classes reached") + "（\(visitedClasses)/\(m.classes.count)）",
                  m.classes.isEmpty ? nil : SVGChart.grid(m.classes, title: ctx.t("班级联系覆盖", "Classes reached"))),
            panel(ctx.t("学生诉求：类别与时效", "Cases by category and timeliness"),
                  m.cases.isEmpty ? nil : SVGChart.stacked(m.cases, legend: legend, title: ctx.t("学生诉求：类别与时效", "Cases by category and timeliness"))),
            panel(ctx.t("诚信提示", "Integrity flags"),
                  m.flags.isEmpty ? nil : SVGChart.bars(m.flags, title: ctx.t("诚信提示", "Integrity flags"), colour: SVGChart.amber))
        )
    }

    static func register(_ app: Application) {
        app.routes.on(.GET, SitePattern.dashboard.components, access: access) { req -> Response in
            let model = try await load(req)
            let ctx = PageContext(req)
            return ctx.render(title: ctx.t("看板", "Dashboard"), content: view(ctx, model))
        }
    }
}
