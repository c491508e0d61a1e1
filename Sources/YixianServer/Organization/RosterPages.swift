import Fluent
import Plot
import Vapor
import YixianCore

/// One page of a roster list and the filter that chose it. Filters live in the URL, so `query` keeps them on page links.
struct RosterListModel<Item: Content>: Sendable {
    var filter: RosterFilter
    var page: ListPage<Item>
    /// The units the viewer may filter by, as (id, name); empty on the units list itself.
    var unitOptions: [(String, String)]
    var canExport: Bool
    var query: [String: String]

    func link(_ route: SiteRoute, page: Int) -> String {
        var query = query
        query["page"] = String(page)
        return route.path(query: query)
    }

    static func load(_ req: Request, withUnitOptions: Bool = true,
                     list: (RosterFilter, UUID?, any Database) async throws -> ListPage<Item>) async throws -> Self {
        let user = try req.requireUser()
        let filter = try RosterFilter(req)
        let scope = try user.rosterUnitScope()
        var query: [String: String] = [:]
        for key in ["q", "unit", "kind", "active", "grade", "collective"] {
            if let value = req.query[String.self, at: key], !value.isEmpty { query[key] = value }
        }
        var unitOptions: [(String, String)] = []
        if withUnitOptions {
            var units = UnitModel.query(on: req.db)
            if let scope { units = units.filter(\.$id == scope) }
            unitOptions = try await units.all().inUniversityOrder().map { ($0.id!.uuidString, $0.name) }
        }
        return Self(filter: filter, page: try await list(filter, scope, req.db), unitOptions: unitOptions,
                    canExport: user.can(.importRoster), query: query)
    }
}

/// A cadre's page: the roster entry and every pairing they have held.
struct CadrePageModel: Sendable {
    struct PairingLine: Sendable {
        var academicYear: String
        var kind: String
        var with: String
        var start: String
        var end: String
    }

    var cadre: CadreDTO
    var pairings: [PairingLine]
    /// Student-work experience and compliance per year (三个纳入); the check form for those who may run it.
    var record: AppointmentPages.Record
    var mayCheck: Bool

    static func load(_ req: Request) async throws -> CadrePageModel {
        let user = try req.requireUser()
        let id = try req.idParameter()
        guard user.cadreID == id || user.can(.readRoster) else { throw AppError.forbidden }
        let model = try await CadresAPI.find(id, for: user, on: req.db)
        let cadre = CadreDTO(model)
        let pairings = try await PairingModel.query(on: req.db).filter(\.$cadre.$id == id).with(\.$collective).with(\.$student).with(\.$college).all()
        return CadrePageModel(cadre: cadre, pairings: pairings.map { p in
            PairingLine(academicYear: p.academicYear, kind: p.kind,
                        with: p.collective?.name ?? p.student.map { "\($0.name)（\($0.studentNumber)）" } ?? p.college?.name ?? "",
                        start: p.startDate, end: p.endDate)
        }, record: try await AppointmentPages.record(req, cadre: model), mayCheck: AppointmentPages.checkers.contains(user.role))
    }
}

/// A student's page; whether the viewer may open the sealed flags decides the extra panel.
struct StudentPageModel: Sendable {
    var student: StudentDTO
    var canReadSensitive: Bool

    static func load(_ req: Request) async throws -> StudentPageModel {
        let user = try req.requireUser()
        let id = try req.idParameter()
        guard user.studentID == id || user.can(.readRoster) else { throw AppError.forbidden }
        let student = try await StudentsAPI.dtos([try await StudentsAPI.find(id, for: user, on: req.db)], on: req.db)[0]
        return StudentPageModel(student: student, canReadSensitive: user.can(.readSensitive))
    }
}

/// The roster's HTML pages: filterable, paged lists and detail pages.
enum RosterPages {
    typealias Select = (name: String, label: String, options: [(String, String)], selected: String?)

    /// The frame every roster list shares: heading, filter bar, table and pager.
    private static func list<Item>(_ ctx: PageContext, _ m: RosterListModel<Item>, route: SiteRoute, heading: String, selects: [Select],
                                   exportKind: RosterKind, headers: [String], row: (Item) -> [Node<HTML.TableRowContext>],
                                   empty: String) -> Node<HTML.BodyContext> {
        .group(
            .h1(.text(heading)),
            Components.filterBar(ctx, action: route.path(), query: m.filter.text, selects: selects,
                                 exportKind: m.canExport ? exportKind.rawValue : nil),
            // The roster export above offers these lists whole, in the import format.
            Components.table(ctx, headers: headers, rows: m.page.items.map(row), empty: .text(empty), exports: m.canExport ? [] : TableExport.formats),
            Components.pager(ctx, page: m.page.page, per: m.page.per, total: m.page.total) { m.link(route, page: $0) }
        )
    }

    static func unitsView(_ ctx: PageContext, _ m: RosterListModel<UnitDTO>) -> Node<HTML.BodyContext> {
        list(ctx, m, route: .units, heading: ctx.t("单位", "Units"),
             selects: [("kind", ctx.t("类型", "Kind"), UnitKind.allCases.map { ($0.rawValue, ctx.t($0.label)) }, m.filter.kind)],
             exportKind: .units, headers: [ctx.t("代码", "Code"), ctx.t("名称", "Name"), ctx.t("类型", "Kind"), ctx.t("状态", "Status")],
             row: { u in
                 [Components.cell(u.code), Components.cell(u.name, href: SiteRoute.cadres.path(query: ["unit": u.id.uuidString])),
                  Components.cell(ctx.t(u.kindLabel)), Components.activeTag(ctx, u.active)]
             }, empty: ctx.t("没有符合条件的单位。", "No units match."))
    }

    static func cadresView(_ ctx: PageContext, _ m: RosterListModel<CadreDTO>) -> Node<HTML.BodyContext> {
        list(ctx, m, route: .cadres, heading: ctx.t("干部名册", "Cadres"),
             selects: [("unit", ctx.t("单位", "Unit"), m.unitOptions, m.filter.unitID?.uuidString),
                       ("kind", ctx.t("职级", "Rank"), [(CadresAPI.cadresOnly, ctx.t("领导干部（不含无职级）", "Cadres (not staff)"))]
                            + Rank.allCases.map { ($0.rawValue, ctx.t($0.label)) }, m.filter.kind)],
             exportKind: .cadres,
             headers: [ctx.t("工号", "Staff no."), ctx.t("姓名", "Name"), ctx.t("单位", "Unit"), ctx.t("职务", "Posts"),
                       ctx.t("职级", "Rank"), ctx.t("党员", "Party"), ctx.t("状态", "Status")],
             row: { c in
                 [Components.cell(c.staffNumber), Components.cell(c.name, href: SiteRoute.cadre(c.id).path()), Components.cell(c.unit.name),
                  Components.cell(c.posts.joined(separator: "、")), Components.cell(ctx.t(c.rankLabel)),
                  Components.cell(c.partyMember ? ctx.t("是", "Yes") : ctx.t("否", "No")), Components.activeTag(ctx, c.active)]
             }, empty: ctx.t("没有符合条件的干部。可从首页导入干部名册。", "No cadres match. Import a roster from the home page."))
    }

    static func collectivesView(_ ctx: PageContext, _ m: RosterListModel<CollectiveDTO>) -> Node<HTML.BodyContext> {
        list(ctx, m, route: .collectives, heading: ctx.t("学生集体", "Collectives"),
             selects: [("unit", ctx.t("单位", "Unit"), m.unitOptions, m.filter.unitID?.uuidString),
                       ("kind", ctx.t("类型", "Kind"), CollectiveKind.allCases.map { ($0.rawValue, ctx.t($0.label)) }, m.filter.kind)],
             exportKind: .collectives,
             headers: [ctx.t("代码", "Code"), ctx.t("名称", "Name"), ctx.t("类型", "Kind"), ctx.t("单位", "Unit"),
                       ctx.t("年级", "Grade"), ctx.t("人数", "Size"), ctx.t("状态", "Status")],
             row: { c in
                 [Components.cell(c.code), Components.cell(c.name, href: SiteRoute.students.path(query: ["collective": c.id.uuidString])),
                  Components.cell(ctx.t(c.kindLabel)), Components.cell(c.unit.name), Components.cell(c.grade.map(String.init) ?? "—"),
                  Components.cell("\(c.size) \(ctx.t("人", ""))"), Components.activeTag(ctx, c.active)]
             }, empty: ctx.t("没有符合条件的学生集体。", "No collectives match."))
    }

    static func studentsView(_ ctx: PageContext, _ m: RosterListModel<StudentDTO>) -> Node<HTML.BodyContext> {
        list(ctx, m, route: .students, heading: ctx.t("学生名册", "Students"),
             selects: [("unit", ctx.t("学院", "College"), m.unitOptions, m.filter.unitID?.uuidString)],
             exportKind: .students,
             headers: [ctx.t("学号", "Student no."), ctx.t("姓名", "Name"), ctx.t("学院", "College"), ctx.t("所在集体", "Collectives"), ctx.t("状态", "Status")],
             row: { s in
                 [Components.cell(s.studentNumber), Components.cell(s.name, href: SiteRoute.student(s.id).path()), Components.cell(s.unit.name),
                  Components.cell(s.collectives.map(\.name).joined(separator: "、")), Components.activeTag(ctx, s.active)]
             }, empty: ctx.t("没有符合条件的学生。", "No students match."))
    }

    static func cadreView(_ ctx: PageContext, _ m: CadrePageModel) -> Node<HTML.BodyContext> {
        let cadre = m.cadre
        return .group(
            .h1(.text(cadre.name)),
            .div(.class("panel"), .dl(.class("props"),
                .dt(.text(ctx.t("工号", "Staff no."))), .dd(.text(cadre.staffNumber)),
                .dt(.text(ctx.t("单位", "Unit"))), .dd(.text(cadre.unit.name)),
                .dt(.text(ctx.t("职务", "Posts"))), .dd(.text(cadre.posts.joined(separator: "、"))),
                .dt(.text(ctx.t("职级", "Rank"))), .dd(.text(ctx.t(cadre.rankLabel))),
                .dt(.text(ctx.t("政治面貌", "Party member"))), .dd(.text(cadre.partyMember ? ctx.t("中共党员", "Yes") : ctx.t("群众", "No"))),
                .dt(.text(ctx.t("标签", "Tags"))), .dd(.text(cadre.tags.map { ctx.t(CadreTag.label($0)) }.joined(separator: ctx.t("、", ", ")))))),
            .h2(.text(ctx.t("结对情况", "Pairings"))),
            Components.table(ctx, headers: [ctx.t("学年", "Year"), ctx.t("方式", "Kind"), ctx.t("对象", "With"), ctx.t("起止", "Dates")],
                             rows: m.pairings.map { p in
                                 [Components.cell(p.academicYear), Components.cell(Pairing.Kind(rawValue: p.kind).map { ctx.t($0.label) } ?? p.kind),
                                  Components.cell(p.with), Components.cell("\(p.start) – \(p.end)")]
                             }, empty: .text(ctx.t("尚无结对记录。", "No pairings yet."))),
            AppointmentPages.panel(ctx, m.record, form: m.mayCheck ? ("", "", []) : nil)
        )
    }

    static func studentView(_ ctx: PageContext, _ m: StudentPageModel) -> Node<HTML.BodyContext> {
        let student = m.student
        return .group(
            .h1(.text(student.name)),
            .div(.class("panel"), .dl(.class("props"),
                .dt(.text(ctx.t("学号", "Student no."))), .dd(.text(student.studentNumber)),
                .dt(.text(ctx.t("学院", "College"))), .dd(.text(student.unit.name)),
                .dt(.text(ctx.t("所在集体", "Collectives"))), .dd(.text(student.collectives.map(\.name).joined(separator: "、"))))),
            .if(m.canReadSensitive, .div(.class("panel"),
                .h2(.text(ctx.t("特殊困难信息", "Special difficulty"))),
                .p(.class("muted"), .text(ctx.t("查看将记入审计日志。", "Viewing is recorded in the audit log."))),
                .a(.class("button secondary"), .href(SiteRoute.studentSensitive(student.id).path()), .text(ctx.t("查看", "View")))))
        )
    }

    static func sensitiveView(_ ctx: PageContext, _ flags: SensitiveDTO) -> Node<HTML.BodyContext> {
        let yes = ctx.t("是", "Yes"), no = ctx.t("否", "No")
        return .group(
            .h1(.text(ctx.t("特殊困难信息", "Special difficulty"))),
            .div(.class("panel"), .dl(.class("props"),
                .dt(.text(ctx.t("家庭经济困难", "Family hardship"))), .dd(.text(flags.familyHardship ? yes : no)),
                .dt(.text(ctx.t("残疾", "Disability"))), .dd(.text(flags.disability ? yes : no)),
                .dt(.text(ctx.t("心理关注", "Psychological attention"))), .dd(.text(flags.psychologicalAttention ? yes : no)),
                .dt(.text(ctx.t("备注", "Note"))), .dd(.text(flags.note.isEmpty ? "—" : flags.note))))
        )
    }

    static func register(_ app: Application) {
        let read = Access.capability(.readRoster)
        app.routes.on(.GET, SitePattern.units.components, access: read) { req -> Response in
            let model = try await RosterListModel<UnitDTO>.load(req, withUnitOptions: false) { try await UnitsAPI.list($0, scope: $1, on: $2) }
            let ctx = PageContext(req)
            return ctx.render(title: ctx.t("单位", "Units"), content: unitsView(ctx, model))
        }
        app.routes.on(.GET, SitePattern.cadres.components, access: read) { req -> Response in
            let model = try await RosterListModel<CadreDTO>.load(req) { try await CadresAPI.list($0, scope: $1, on: $2) }
            let ctx = PageContext(req)
            return ctx.render(title: ctx.t("干部", "Cadres"), content: cadresView(ctx, model))
        }
        app.routes.on(.GET, SitePattern.cadre.components, access: .signedIn) { req -> Response in
            let model = try await CadrePageModel.load(req)
            let ctx = PageContext(req)
            return ctx.render(title: model.cadre.name, breadcrumbs: [(ctx.t("干部", "Cadres"), SiteRoute.cadres.path()), (model.cadre.name, nil)],
                              content: cadreView(ctx, model))
        }
        app.routes.on(.GET, SitePattern.collectives.components, access: read) { req -> Response in
            let grade = try req.intParameter("grade")
            let model = try await RosterListModel<CollectiveDTO>.load(req) { try await CollectivesAPI.list($0, grade: grade, scope: $1, on: $2) }
            let ctx = PageContext(req)
            return ctx.render(title: ctx.t("学生集体", "Collectives"), content: collectivesView(ctx, model))
        }
        app.routes.on(.GET, SitePattern.students.components, access: read) { req -> Response in
            let collectiveID = try req.uuidParameter("collective")
            let model = try await RosterListModel<StudentDTO>.load(req) {
                try await StudentsAPI.list($0, collectiveID: collectiveID, scope: $1, on: $2)
            }
            let ctx = PageContext(req)
            return ctx.render(title: ctx.t("学生", "Students"), content: studentsView(ctx, model))
        }
        app.routes.on(.GET, SitePattern.student.components, access: .signedIn) { req -> Response in
            let model = try await StudentPageModel.load(req)
            let ctx = PageContext(req)
            return ctx.render(title: model.student.name,
                              breadcrumbs: [(ctx.t("学生", "Students"), SiteRoute.students.path()), (model.student.name, nil)],
                              content: studentView(ctx, model))
        }
        app.routes.on(.GET, SitePattern.studentSensitive.components, access: .capability(.readSensitive)) { req -> Response in
            let id = try req.idParameter()
            let flags = try await StudentsAPI.readSensitive(id, by: try req.requireUser(), on: req.db)
            let ctx = PageContext(req)
            return ctx.render(title: ctx.t("特殊困难信息", "Special difficulty"),
                              breadcrumbs: [(ctx.t("学生", "Students"), SiteRoute.students.path()), (ctx.t("返回学生", "Student"), SiteRoute.student(id).path())],
                              content: sensitiveView(ctx, flags))
        }
    }
}
