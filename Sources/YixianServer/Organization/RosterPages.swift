import Fluent
import Plot
import Vapor
import YixianCore

/// The roster's HTML pages: filterable, paged lists and detail pages. Filters live in the URL.
enum RosterPages {
    static func link(_ route: SiteRoute, _ req: Request, page: Int) -> String {
        var query: [String: String] = [:]
        for key in ["q", "unit", "kind", "active", "grade", "collective"] {
            if let value = req.query[String.self, at: key], !value.isEmpty { query[key] = value }
        }
        query["page"] = String(page)
        return route.path(query: query)
    }

    static func unitOptions(on db: any Database, scope: UUID?) async throws -> [(String, String)] {
        var query = UnitModel.query(on: db).sort(\.$code)
        if let scope { query = query.filter(\.$id == scope) }
        return try await query.all().map { ($0.id!.uuidString, $0.name) }
    }

    static func register(_ app: Application) {
        let read = Access.capability(.readRoster)
        app.routes.on(.GET, SitePattern.units.components, access: read) { req -> Response in
            let ctx = PageContext(req)
            let filter = try RosterFilter(req)
            let page = try await UnitsAPI.list(filter, scope: try req.requireUser().rosterUnitScope(), on: req.db)
            return ctx.render(title: ctx.t("单位", "Units"), content: .group(
                .h1(.text(ctx.t("单位", "Units"))),
                Components.filterBar(ctx, action: SiteRoute.units.path(), query: filter.text,
                                     selects: [("kind", ctx.t("类型", "Kind"), UnitKind.allCases.map { ($0.rawValue, ctx.t($0.label)) }, filter.kind)],
                                     exportKind: ctx.user!.can(.importRoster) ? RosterKind.units.rawValue : nil),
                Components.table(ctx, headers: [ctx.t("代码", "Code"), ctx.t("名称", "Name"), ctx.t("类型", "Kind"), ctx.t("状态", "Status")],
                                 rows: page.items.map { u in
                                     [Components.cell(u.code), Components.cell(u.name, href: SiteRoute.cadres.path(query: ["unit": u.id.uuidString])),
                                      Components.cell(ctx.t(u.kindLabel)), Components.activeTag(ctx, u.active)]
                                 }, empty: .text(ctx.t("没有符合条件的单位。", "No units match."))),
                Components.pager(ctx, page: page.page, per: page.per, total: page.total) { link(.units, req, page: $0) }
            ))
        }
        app.routes.on(.GET, SitePattern.cadres.components, access: read) { req -> Response in
            let ctx = PageContext(req)
            let user = try req.requireUser()
            let filter = try RosterFilter(req)
            let scope = try user.rosterUnitScope()
            let page = try await CadresAPI.list(filter, scope: scope, on: req.db)
            return ctx.render(title: ctx.t("干部", "Cadres"), content: .group(
                .h1(.text(ctx.t("干部名册", "Cadres"))),
                Components.filterBar(ctx, action: SiteRoute.cadres.path(), query: filter.text,
                                     selects: [("unit", ctx.t("单位", "Unit"), try await unitOptions(on: req.db, scope: scope), filter.unitID?.uuidString),
                                               ("kind", ctx.t("职级", "Rank"), Rank.allCases.map { ($0.rawValue, ctx.t($0.label)) }, filter.kind)],
                                     exportKind: user.can(.importRoster) ? RosterKind.cadres.rawValue : nil),
                Components.table(ctx, headers: [ctx.t("工号", "Staff no."), ctx.t("姓名", "Name"), ctx.t("单位", "Unit"), ctx.t("职务", "Posts"),
                                                ctx.t("职级", "Rank"), ctx.t("党员", "Party"), ctx.t("状态", "Status")],
                                 rows: page.items.map { c in
                                     [Components.cell(c.staffNumber), Components.cell(c.name, href: SiteRoute.cadre(c.id).path()), Components.cell(c.unit.name),
                                      Components.cell(c.posts.joined(separator: "、")), Components.cell(ctx.t(c.rankLabel)),
                                      Components.cell(c.partyMember ? ctx.t("是", "Yes") : ctx.t("否", "No")), Components.activeTag(ctx, c.active)]
                                 }, empty: .text(ctx.t("没有符合条件的干部。可从首页导入干部名册。", "No cadres match. Import a roster from the home page."))),
                Components.pager(ctx, page: page.page, per: page.per, total: page.total) { link(.cadres, req, page: $0) }
            ))
        }
        app.routes.on(.GET, SitePattern.cadre.components, access: .signedIn) { req -> Response in
            let ctx = PageContext(req)
            let user = try req.requireUser()
            let id = try req.idParameter()
            guard user.cadreID == id || user.can(.readRoster) else { throw AppError.forbidden }
            let cadre = CadreDTO(try await CadresAPI.find(id, for: user, on: req.db))
            let pairings = try await PairingModel.query(on: req.db).filter(\.$cadre.$id == id).with(\.$collective).with(\.$student).all()
            return ctx.render(title: cadre.name, breadcrumbs: [(ctx.t("干部", "Cadres"), SiteRoute.cadres.path()), (cadre.name, nil)], content: .group(
                .h1(.text(cadre.name)),
                .div(.class("panel"), .dl(.class("props"),
                    .dt(.text(ctx.t("工号", "Staff no."))), .dd(.text(cadre.staffNumber)),
                    .dt(.text(ctx.t("单位", "Unit"))), .dd(.text(cadre.unit.name)),
                    .dt(.text(ctx.t("职务", "Posts"))), .dd(.text(cadre.posts.joined(separator: "、"))),
                    .dt(.text(ctx.t("职级", "Rank"))), .dd(.text(ctx.t(cadre.rankLabel))),
                    .dt(.text(ctx.t("政治面貌", "Party member"))), .dd(.text(cadre.partyMember ? ctx.t("中共党员", "Yes") : ctx.t("群众", "No"))),
                    .dt(.text(ctx.t("标签", "Tags"))), .dd(.text(cadre.tags.joined(separator: ", "))))),
                .h2(.text(ctx.t("结对情况", "Pairings"))),
                Components.table(ctx, headers: [ctx.t("学年", "Year"), ctx.t("方式", "Kind"), ctx.t("对象", "With"), ctx.t("起止", "Dates")],
                                 rows: pairings.map { p in
                                     [Components.cell(p.academicYear), Components.cell(Pairing.Kind(rawValue: p.kind).map { ctx.t($0.label) } ?? p.kind),
                                      Components.cell(p.collective?.name ?? p.student.map { "\($0.name)（\($0.studentNumber)）" } ?? ""),
                                      Components.cell("\(p.startDate) – \(p.endDate)")]
                                 }, empty: .text(ctx.t("尚无结对记录。", "No pairings yet.")))
            ))
        }
        app.routes.on(.GET, SitePattern.collectives.components, access: read) { req -> Response in
            let ctx = PageContext(req)
            let user = try req.requireUser()
            let filter = try RosterFilter(req)
            let scope = try user.rosterUnitScope()
            let page = try await CollectivesAPI.list(filter, grade: try req.query.intParameter("grade"), scope: scope, on: req.db)
            return ctx.render(title: ctx.t("学生集体", "Collectives"), content: .group(
                .h1(.text(ctx.t("学生集体", "Collectives"))),
                Components.filterBar(ctx, action: SiteRoute.collectives.path(), query: filter.text,
                                     selects: [("unit", ctx.t("单位", "Unit"), try await unitOptions(on: req.db, scope: scope), filter.unitID?.uuidString),
                                               ("kind", ctx.t("类型", "Kind"), CollectiveKind.allCases.map { ($0.rawValue, ctx.t($0.label)) }, filter.kind)],
                                     exportKind: user.can(.importRoster) ? RosterKind.collectives.rawValue : nil),
                Components.table(ctx, headers: [ctx.t("代码", "Code"), ctx.t("名称", "Name"), ctx.t("类型", "Kind"), ctx.t("单位", "Unit"),
                                                ctx.t("年级", "Grade"), ctx.t("人数", "Size"), ctx.t("状态", "Status")],
                                 rows: page.items.map { c in
                                     [Components.cell(c.code), Components.cell(c.name, href: SiteRoute.students.path(query: ["collective": c.id.uuidString])),
                                      Components.cell(ctx.t(c.kindLabel)), Components.cell(c.unit.name), Components.cell(c.grade.map(String.init) ?? "—"),
                                      Components.cell("\(c.size) \(ctx.t("人", ""))"), Components.activeTag(ctx, c.active)]
                                 }, empty: .text(ctx.t("没有符合条件的学生集体。", "No collectives match."))),
                Components.pager(ctx, page: page.page, per: page.per, total: page.total) { link(.collectives, req, page: $0) }
            ))
        }
        app.routes.on(.GET, SitePattern.students.components, access: read) { req -> Response in
            let ctx = PageContext(req)
            let user = try req.requireUser()
            let filter = try RosterFilter(req)
            let scope = try user.rosterUnitScope()
            let page = try await StudentsAPI.list(filter, collectiveID: try req.query.uuidParameter("collective"), scope: scope, on: req.db)
            return ctx.render(title: ctx.t("学生", "Students"), content: .group(
                .h1(.text(ctx.t("学生名册", "Students"))),
                Components.filterBar(ctx, action: SiteRoute.students.path(), query: filter.text,
                                     selects: [("unit", ctx.t("学院", "College"), try await unitOptions(on: req.db, scope: scope), filter.unitID?.uuidString)],
                                     exportKind: user.can(.importRoster) ? RosterKind.students.rawValue : nil),
                Components.table(ctx, headers: [ctx.t("学号", "Student no."), ctx.t("姓名", "Name"), ctx.t("学院", "College"), ctx.t("所在集体", "Collectives"), ctx.t("状态", "Status")],
                                 rows: page.items.map { s in
                                     [Components.cell(s.studentNumber), Components.cell(s.name, href: SiteRoute.student(s.id).path()), Components.cell(s.unit.name),
                                      Components.cell(s.collectives.map(\.name).joined(separator: "、")), Components.activeTag(ctx, s.active)]
                                 }, empty: .text(ctx.t("没有符合条件的学生。", "No students match."))),
                Components.pager(ctx, page: page.page, per: page.per, total: page.total) { link(.students, req, page: $0) }
            ))
        }
        app.routes.on(.GET, SitePattern.student.components, access: .signedIn) { req -> Response in
            let ctx = PageContext(req)
            let user = try req.requireUser()
            let id = try req.idParameter()
            guard user.studentID == id || user.can(.readRoster) else { throw AppError.forbidden }
            let student = try await StudentsAPI.dtos([try await StudentsAPI.find(id, for: user, on: req.db)], on: req.db)[0]
            return ctx.render(title: student.name, breadcrumbs: [(ctx.t("学生", "Students"), SiteRoute.students.path()), (student.name, nil)], content: .group(
                .h1(.text(student.name)),
                .div(.class("panel"), .dl(.class("props"),
                    .dt(.text(ctx.t("学号", "Student no."))), .dd(.text(student.studentNumber)),
                    .dt(.text(ctx.t("学院", "College"))), .dd(.text(student.unit.name)),
                    .dt(.text(ctx.t("所在集体", "Collectives"))), .dd(.text(student.collectives.map(\.name).joined(separator: "、"))))),
                .if(user.can(.readSensitive), .div(.class("panel"),
                    .h2(.text(ctx.t("特殊困难信息", "Special difficulty"))),
                    .p(.class("muted"), .text(ctx.t("查看将记入审计日志。", "Viewing is recorded in the audit log."))),
                    .a(.class("button secondary"), .href(SiteRoute.studentSensitive(student.id).path()), .text(ctx.t("查看", "View")))))
            ))
        }
        app.routes.on(.GET, SitePattern.studentSensitive.components, access: .capability(.readSensitive)) { req -> Response in
            let ctx = PageContext(req)
            let user = try req.requireUser()
            let id = try req.idParameter()
            let flags = try await StudentsAPI.readSensitive(id, by: user, on: req.db)
            let yes = ctx.t("是", "Yes"), no = ctx.t("否", "No")
            return ctx.render(title: ctx.t("特殊困难信息", "Special difficulty"),
                                     breadcrumbs: [(ctx.t("学生", "Students"), SiteRoute.students.path()), (ctx.t("返回学生", "Student"), SiteRoute.student(id).path())], content: .group(
                .h1(.text(ctx.t("特殊困难信息", "Special difficulty"))),
                .div(.class("panel"), .dl(.class("props"),
                    .dt(.text(ctx.t("家庭经济困难", "Family hardship"))), .dd(.text(flags.familyHardship ? yes : no)),
                    .dt(.text(ctx.t("残疾", "Disability"))), .dd(.text(flags.disability ? yes : no)),
                    .dt(.text(ctx.t("心理关注", "Psychological attention"))), .dd(.text(flags.psychologicalAttention ? yes : no)),
                    .dt(.text(ctx.t("备注", "Note"))), .dd(.text(flags.note.isEmpty ? "—" : flags.note))))
            ))
        }
    }
}
