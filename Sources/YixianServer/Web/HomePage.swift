import Fluent
import Plot
import Vapor
import YixianCore

/// The first page after login: what this role needs first, as cards and short lists.
enum HomePage {
    static func register(_ app: Application) {
        app.routes.on(.GET, SitePattern.home.components, access: .anyone) { req -> Response in
            guard let user = req.currentUser else { return req.redirect(to: SiteRoute.login.path()) }
            let ctx = PageContext(req)
            let calendar = try await CalendarAPI.load(on: req.db)
            let today = LocalDate(req.now)
            return ctx.render(title: ctx.t("首页", "Home"), content: .group(
                .h1(.text(ctx.t("您好，\(user.displayName)", "Hello, \(user.displayName)"))),
                AccountPages.homeWarning(ctx),
                termBanner(ctx, calendar: calendar, today: today),
                try await body(for: user, ctx: ctx, on: req.db),
                try await complianceSummary(for: user, ctx: ctx, req: req)
            ))
        }
    }

    static func termBanner(_ ctx: PageContext, calendar: [AcademicYear], today: LocalDate) -> Node<HTML.BodyContext> {
        let term = calendar.flatMap(\.terms).first { $0.range.contains(today) }
        guard let term else {
            return .p(.class("muted"), .text(ctx.t("今天（\(today.chinese)）不在学期内。", "Today (\(today.iso)) is outside the terms.")))
        }
        let week = term.week(containing: today)
        return .p(.class("muted"), .text(ctx.t("今天是 \(today.chinese)，\(term.name)第 \(week?.number ?? 0) 周",
                                                "Today is \(today.iso), week \(week?.number ?? 0) of \(term.name)")))
    }

    static func body(for user: CurrentUser, ctx: PageContext, on db: any Database) async throws -> Node<HTML.BodyContext> {
        switch user.role {
        case .businessAdmin, .assessor, .unitSecretary:
            let scope = try user.rosterUnitScope()
            func scoped<M: Model>(_ q: QueryBuilder<M>, _ unit: KeyPath<M, ParentProperty<M, UnitModel>>) -> QueryBuilder<M> {
                scope.map { q.filter(unit.appending(path: \.$id) == $0) } ?? q
            }
            let cadres = try await scoped(CadreModel.query(on: db).filter(\.$active == true), \.$unit).count()
            let collectives = try await scoped(CollectiveModel.query(on: db).filter(\.$active == true), \.$unit).count()
            let students = try await scoped(StudentModel.query(on: db).filter(\.$active == true), \.$unit).count()
            let units = try await UnitModel.query(on: db).filter(\.$active == true).count()
            return .group(
                .div(.class("cards"),
                     .if(scope == nil, Components.card("\(units)", ctx.t("单位", "Units"), href: SiteRoute.units.path())),
                     Components.card("\(cadres)", ctx.t("在职干部", "Active cadres"), href: SiteRoute.cadres.path()),
                     Components.card("\(collectives)", ctx.t("学生集体", "Collectives"), href: SiteRoute.collectives.path()),
                     Components.card("\(students)", ctx.t("学生", "Students"), href: SiteRoute.students.path())),
                .if(user.can(.importRoster), .div(.class("panel"),
                    .h2(.text(ctx.t("导入名册", "Import rosters"))),
                    .p(.text(ctx.t("支持 Excel（.xlsx）与 CSV（UTF-8 或 GBK）。先检查，后导入。", "Excel (.xlsx) and CSV (UTF-8 or GBK). Checked before anything is written."))),
                    .forEach(RosterKind.allCases) { kind in
                        .a(.class("button secondary"), .href(SiteRoute.importForm(kind).path()), .text(ctx.t(kind.label)))
                    }))
            )
        case .cadre:
            guard let cadreID = user.cadreID, let cadre = try await CadreModel.query(on: db).filter(\.$id == cadreID).with(\.$unit).first() else {
                return .p(.text(ctx.t("账号未关联干部信息，请联系管理员。", "This account is not linked to a cadre.")))
            }
            // Links in force today: earlier years' and ended ones belong to the pairing history, not here.
            let today = ctx.today.iso
            let pairings = try await PairingModel.query(on: db).filter(\.$cadre.$id == cadreID)
                .filter(\.$startDate <= today).filter(\.$endDate >= today)
                .with(\.$collective).with(\.$student).all()
                .sorted { ($0.kind, $0.collective?.name ?? $0.student?.name ?? "") < ($1.kind, $1.collective?.name ?? $1.student?.name ?? "") }
            return .group(
                .p(.a(.class("button"), .href(SiteRoute.ledgerNew.path()), .text(ctx.t("记一条联系记录", "Record a contact")))),
                .div(.class("panel"),
                     .h2(.text(ctx.t("我的信息", "My profile"))),
                     .dl(.class("props"),
                         .dt(.text(ctx.t("单位", "Unit"))), .dd(.text(cadre.unit.name)),
                         .dt(.text(ctx.t("职务", "Posts"))), .dd(.text(cadre.postList.joined(separator: "、"))),
                         .dt(.text(ctx.t("职级", "Rank"))), .dd(.text(ctx.t(Rank(rawValue: cadre.rank)?.label ?? Localized(zh: cadre.rank, en: cadre.rank)))))),
                .div(.class("panel"),
                     .h2(.text(ctx.t("我联系的学生集体", "My linked collectives"))),
                     pairings.isEmpty
                        ? .p(.class("empty"), .text(ctx.t("本学年尚未结对。请联系本单位秘书安排结对。", "No pairing this year yet. Ask your unit secretary.")))
                        : .ul(.forEach(pairings) { p in
                            .li(.text((Pairing.Kind(rawValue: p.kind).map { ctx.t($0.label) } ?? p.kind) + "：" +
                                      (p.collective?.name ?? p.student.map { "\($0.name)（\($0.studentNumber)）" } ?? "")))
                        }))
            )
        case .student:
            guard let studentID = user.studentID, let student = try await StudentModel.query(on: db).filter(\.$id == studentID).with(\.$unit).first() else {
                return .p(.text(ctx.t("账号未关联学生信息。", "This account is not linked to a student.")))
            }
            let dto = try await StudentsAPI.dtos([student], on: db)[0]
            return .group(
                .div(.class("panel"),
                     .h2(.text(ctx.t("确认干部的联系记录", "Confirm a contact"))),
                     .p(.class("muted"), .text(ctx.t("干部走访、谈话后会出示 8 位确认码，输入即可确认您参加了。", "Enter the 8-character code the cadre shows you."))),
                     .form(.method(.get), .action(SiteRoute.confirmLookup.path()), .class("toolbar"),
                           .input(.type(.text), .name("code"), .attribute(named: "aria-label", value: ctx.t("确认码", "Code")),
                                  .attribute(named: "autocomplete", value: "off"), .placeholder("ABCD2345")),
                           .button(.type(.submit), .text(ctx.t("确认", "Confirm"))))),
                .div(.class("panel"),
                        .h2(.text(ctx.t("我的信息", "My profile"))),
                        .dl(.class("props"),
                            .dt(.text(ctx.t("学号", "Student number"))), .dd(.text(dto.studentNumber)),
                            .dt(.text(ctx.t("学院", "College"))), .dd(.text(dto.unit.name)),
                            .dt(.text(ctx.t("所在集体", "Collectives"))), .dd(.text(dto.collectives.map(\.name).joined(separator: "、"))))))
        case .systemAdmin, .securityAdmin:
            let users = try await UserModel.query(on: db).count()
            let locked = try await UserModel.query(on: db).filter(\.$lockedUntil > Date()).count()
            return .div(.class("cards"),
                        Components.card("\(users)", ctx.t("用户", "Users"), href: SiteRoute.users.path()),
                        Components.card("\(locked)", ctx.t("锁定中的账号", "Locked accounts"), href: SiteRoute.users.path()))
        case .auditAdmin:
            let events = try await AuditEventModel.query(on: db).count()
            let broken = try await AuditTrail.verify(on: db)
            return .div(.class("cards"),
                        Components.card("\(events)", ctx.t("审计事件", "Audit events"), href: SiteRoute.audit.path()),
                        Components.card(broken.isEmpty ? ctx.t("完整", "Intact") : ctx.t("断裂 \(broken.count) 处", "\(broken.count) breaks"),
                                        ctx.t("审计链校验", "Audit chain check"), href: SiteRoute.audit.path()))
        }
    }

    /// What needs attention, from the same evaluation the compliance pages use: a cadre's own
    /// overdue and running items; for readers of compliance their scope's tally and integrity flags.
    static func complianceSummary(for user: CurrentUser, ctx: PageContext, req: Request) async throws -> Node<HTML.BodyContext> {
        let canReadOwn = user.can(.readOwnProgress) && user.cadreID != nil
        guard canReadOwn || user.can(.readCompliance),
              let evaluation = try await req.evaluation(asOf: LocalDate(req.now))
        else { return .empty }
        var own: Node<HTML.BodyContext> = .empty
        if canReadOwn, let cadreID = user.cadreID, let staff = evaluation.cadreIDs.first(where: { $0.value == cadreID })?.key {
            let mine = evaluation.current(ofCadre: staff)
            let overdue = mine.count { $0.status == .missed }
            let running = mine.count { ($0.status == .onTrack || $0.status == .atRisk) && $0.period.end >= evaluation.asOf }
            let link = SiteRoute.progress.path()
            own = .div(.class("panel"),
                       .h2(.text(ctx.t("我的进度", "My progress"))),
                       .div(.class("cards"),
                            Components.card("\(overdue)", ctx.t("已逾期", "Overdue"), href: link),
                            Components.card("\(running)", ctx.t("进行中", "Running"), href: link),
                            Components.card("\(mine.count { $0.status == .met })", ctx.t("已完成", "Met"), href: link)))
        }
        guard user.can(.readCompliance) else { return own }
        let unitScope = try user.rosterUnitScope() != nil ? (user.unitCode ?? "") : nil
        let tally = unitScope.map { evaluation.index.tallyByUnit[$0] ?? ComplianceTally() } ?? evaluation.index.tallyBelowSchool
        let judged = tally.met + tally.missed
        let flags = try await IntegrityService.visible(to: user, on: req.db, app: req.application, freshAfter: await req.ownLastWrite()).flags
        let compliance = unitScope.map { SiteRoute.complianceUnit(code: $0).path() } ?? SiteRoute.compliance.path()
        return .group(own, .div(.class("panel"),
                    .h2(.text(ctx.t("本学期落实情况", "This term's compliance"))),
                    .div(.class("cards"),
                         Components.card(judged == 0 ? "—" : "\(tally.met * 100 / judged)%", ctx.t("已到期事项完成率", "Met share of due items"), href: compliance),
                         Components.card("\(tally.missed)", ctx.t("未完成", "Missed"), href: compliance),
                         Components.card("\(tally.atRisk)", ctx.t("有风险", "At risk"), href: compliance),
                         Components.card("\(flags.count)", ctx.t("诚信提示（各学期累计）", "Integrity flags (all terms)"), href: SiteRoute.integrity.path()))))
    }
}
