import Fluent
import Plot
import Vapor
import YixianCore

/// What the first page after login shows: for each role what it needs first, as counts and short
/// lists. A plain value, built by `load` (the only part that queries) and drawn by `HomePage.view`.
struct HomeModel: Sendable {
    struct TermToday: Sendable { var name: Localized; var week: Int }

    struct Profile: Sendable {
        var unit: String
        var posts: [String]
        var rank: Localized
        /// Links in force today: kind and what is linked (a collective, or a key student with their number).
        var links: [(kind: Localized, target: String)]
    }

    struct StudentProfile: Sendable {
        var studentNumber: String
        var college: String
        var collectives: [String]
        /// My cases still being handled, and those answered and waiting for my rating.
        var openCases: Int = 0
        var casesToRate: Int = 0
    }

    enum RoleBody: Sendable {
        /// Roster readers; `units` only for the whole school.
        /// `cadres` are 领导干部 (any cadre rank); `staff` the roster's staff of rank `staff` (辅导员 …), counted apart.
        case roster(units: Int?, cadres: Int, staff: Int, collectives: Int, students: Int, canImport: Bool)
        /// nil: the account is not linked to a cadre (or student).
        case cadre(Profile?)
        case student(StudentProfile?)
        case accounts(users: Int, locked: Int)
        case audit(events: Int, breaks: Int)
    }

    struct Progress: Sendable { var overdue: Int; var running: Int; var met: Int }

    struct ScopeCompliance: Sendable {
        var met: Int
        var judged: Int
        var missed: Int
        var atRisk: Int
        var flags: Int
        var link: SiteRoute
    }

    var name: String
    var today: LocalDate
    var term: TermToday?
    var body: RoleBody
    var progress: Progress?
    var compliance: ScopeCompliance?
}

extension HomeModel {
    static func load(_ req: Request, user: CurrentUser) async throws -> HomeModel {
        let today = LocalDate(req.now)
        let calendar = try await CalendarAPI.load(on: req.db)
        let term = calendar.flatMap(\.terms).first { $0.range.contains(today) }
        var model = HomeModel(name: user.displayName, today: today,
                              term: term.map { TermToday(name: $0.label, week: $0.week(containing: today)?.number ?? 0) },
                              body: try await roleBody(user, today: today, on: req.db))
        try await loadCompliance(user, into: &model, req: req)
        return model
    }

    private static func roleBody(_ user: CurrentUser, today: LocalDate, on db: any Database) async throws -> RoleBody {
        switch user.role {
        case .businessAdmin, .assessor, .unitSecretary:
            let scope = try user.rosterUnitScope()
            func scoped<M: Model>(_ q: QueryBuilder<M>, _ unit: KeyPath<M, ParentProperty<M, UnitModel>>) -> QueryBuilder<M> {
                scope.map { q.filter(unit.appending(path: \.$id) == $0) } ?? q
            }
            return .roster(units: scope == nil ? try await UnitModel.query(on: db).filter(\.$active == true).count() : nil,
                           cadres: try await scoped(CadreModel.query(on: db).filter(\.$active == true).filter(\.$rank != Rank.staff.rawValue), \.$unit).count(),
                           staff: try await scoped(CadreModel.query(on: db).filter(\.$active == true).filter(\.$rank == Rank.staff.rawValue), \.$unit).count(),
                           collectives: try await scoped(CollectiveModel.query(on: db).filter(\.$active == true), \.$unit).count(),
                           students: try await scoped(StudentModel.query(on: db).filter(\.$active == true), \.$unit).count(),
                           canImport: user.can(.importRoster))
        case .cadre:
            guard let cadreID = user.cadreID, let cadre = try await CadreModel.query(on: db).filter(\.$id == cadreID).with(\.$unit).first() else {
                return .cadre(nil)
            }
            // Links in force today: earlier years' and ended ones belong to the pairing history, not here.
            let pairings = try await PairingModel.query(on: db).filter(\.$cadre.$id == cadreID)
                .filter(\.$startDate <= today.iso).filter(\.$endDate >= today.iso)
                .with(\.$collective).with(\.$student).with(\.$college).all()
                .sorted { ($0.kind, $0.collective?.name ?? $0.student?.name ?? $0.college?.name ?? "") < ($1.kind, $1.collective?.name ?? $1.student?.name ?? $1.college?.name ?? "") }
            let links = pairings.map { p in
                (kind: Pairing.Kind(rawValue: p.kind)?.label ?? .same(p.kind),
                 target: p.collective?.name ?? p.student.map { "\($0.name)（\($0.studentNumber)）" } ?? p.college?.name ?? "")
            }
            return .cadre(Profile(unit: cadre.unit.name, posts: cadre.postList,
                                  rank: Rank(rawValue: cadre.rank)?.label ?? .same(cadre.rank), links: links))
        case .student:
            guard let studentID = user.studentID, let student = try await StudentModel.query(on: db).filter(\.$id == studentID).with(\.$unit).first() else {
                return .student(nil)
            }
            let dto = try await StudentsAPI.dtos([student], on: db)[0]
            let statuses = try await CaseModel.query(on: db).filter(\.$submitter.$id == studentID).all().map(\.status)
            return .student(StudentProfile(studentNumber: dto.studentNumber, college: dto.unit.name, collectives: dto.collectives.map(\.name),
                                           openCases: statuses.count { $0 == CaseStatus.new.rawValue || $0 == CaseStatus.assigned.rawValue },
                                           casesToRate: statuses.count { $0 == CaseStatus.answered.rawValue }))
        case .systemAdmin, .securityAdmin:
            return .accounts(users: try await UserModel.query(on: db).count(),
                             locked: try await UserModel.query(on: db).filter(\.$lockedUntil > Date()).count())
        case .auditAdmin:
            return .audit(events: try await AuditEventModel.query(on: db).count(), breaks: try await AuditTrail.verify(on: db).count)
        }
    }

    /// From the same evaluation the compliance pages use: a cadre's own overdue and running items;
    /// for readers of compliance their scope's tally and integrity flags.
    private static func loadCompliance(_ user: CurrentUser, into model: inout HomeModel, req: Request) async throws {
        let canReadOwn = user.can(.readOwnProgress) && user.cadreID != nil
        guard canReadOwn || user.can(.readCompliance), let evaluation = try await req.evaluation(asOf: model.today) else { return }
        if canReadOwn, let cadreID = user.cadreID, let staff = evaluation.cadreIDs.first(where: { $0.value == cadreID })?.key {
            let mine = evaluation.current(ofCadre: staff)
            model.progress = Progress(overdue: mine.count { $0.status == .missed },
                                      running: mine.count { ($0.status == .onTrack || $0.status == .atRisk) && $0.period.end >= evaluation.asOf },
                                      met: mine.count { $0.status == .met })
        }
        guard user.can(.readCompliance) else { return }
        let unitScope = try user.rosterUnitScope() != nil ? (user.unitCode ?? "") : nil
        let tally = unitScope.map { evaluation.index.tallyByUnit[$0] ?? ComplianceTally() } ?? evaluation.index.tallyBelowSchool
        let flags = try await IntegrityService.visible(to: user, on: req.db, app: req.application, freshAfter: await req.ownLastWrite()).flags
        model.compliance = ScopeCompliance(met: tally.met, judged: tally.met + tally.missed, missed: tally.missed, atRisk: tally.atRisk,
                                           flags: flags.count, link: unitScope.map { .complianceUnit(code: $0) } ?? .compliance)
    }
}

enum HomePage {
    static func register(_ app: Application) {
        app.routes.on(.GET, SitePattern.home.components, access: .anyone) { req -> Response in
            guard let user = req.currentUser else { return req.redirect(to: SiteRoute.login.path()) }
            let ctx = PageContext(req)
            return ctx.render(title: ctx.t("首页", "Home"), content: view(ctx, try await HomeModel.load(req, user: user)))
        }
    }

    static func view(_ ctx: PageContext, _ m: HomeModel) -> Node<HTML.BodyContext> {
        .group(
            .h1(.text(ctx.t("您好，\(m.name)", "Hello, \(m.name)"))),
            AccountPages.homeWarning(ctx),
            termBanner(ctx, m),
            roleBody(ctx, m.body),
            progress(ctx, m.progress),
            compliance(ctx, m.compliance)
        )
    }

    static func termBanner(_ ctx: PageContext, _ m: HomeModel) -> Node<HTML.BodyContext> {
        guard let term = m.term else {
            return .p(.class("muted"), .text(ctx.t("今天（\(m.today.chinese)）不在学期内。", "Today (\(m.today.iso)) is outside the terms.")))
        }
        return .p(.class("muted"), .text(ctx.t("今天是 \(m.today.chinese)，\(term.name.zh)第 \(term.week) 周",
                                                "Today is \(m.today.iso), week \(term.week) of the \(term.name.en)")))
    }

    static func roleBody(_ ctx: PageContext, _ body: HomeModel.RoleBody) -> Node<HTML.BodyContext> {
        switch body {
        case let .roster(units, cadres, staff, collectives, students, canImport):
            return .group(
                .div(.class("cards"),
                     .unwrap(units) { Components.card("\($0)", ctx.t("单位", "Units"), href: SiteRoute.units.path()) },
                     Components.card("\(cadres)", ctx.t("在职干部", "Active cadres"), href: SiteRoute.cadres.path(query: ["kind": CadresAPI.cadresOnly])),
                     .if(staff > 0, Components.card("\(staff)", ctx.t("无职级教职工", "Staff without cadre rank"),
                                                    href: SiteRoute.cadres.path(query: ["kind": Rank.staff.rawValue]))),
                     Components.card("\(collectives)", ctx.t("学生集体", "Collectives"), href: SiteRoute.collectives.path()),
                     Components.card("\(students)", ctx.t("学生", "Students"), href: SiteRoute.students.path())),
                .if(canImport, .div(.class("panel"),
                    .h2(.text(ctx.t("导入名册", "Import rosters"))),
                    .p(.text(ctx.t("支持 Excel（.xlsx）与 CSV（UTF-8 或 GBK）。先检查，后导入。", "Excel (.xlsx) and CSV (UTF-8 or GBK). Checked before anything is written."))),
                    .forEach(RosterKind.allCases) { kind in
                        .a(.class("button secondary"), .href(SiteRoute.importForm(kind).path()), .text(ctx.t(kind.label)))
                    }))
            )
        case .cadre(nil):
            return .p(.text(ctx.t("账号未关联干部信息，请联系管理员。", "This account is not linked to a cadre.")))
        case .cadre(let profile?):
            return .group(
                .p(.a(.class("button"), .href(SiteRoute.ledgerNew.path()), .text(ctx.t("记一条联系记录", "Record a contact")))),
                .div(.class("panel"),
                     .h2(.text(ctx.t("我的信息", "My profile"))),
                     .dl(.class("props"),
                         .dt(.text(ctx.t("单位", "Unit"))), .dd(.text(profile.unit)),
                         .dt(.text(ctx.t("职务", "Posts"))), .dd(.text(profile.posts.joined(separator: "、"))),
                         .dt(.text(ctx.t("职级", "Rank"))), .dd(.text(ctx.t(profile.rank))))),
                .div(.class("panel"),
                     .h2(.text(ctx.t("我联系的学生集体", "My linked collectives"))),
                     profile.links.isEmpty
                        ? .p(.class("empty"), .text(ctx.t("本学年尚未结对。请联系本单位秘书安排结对。", "No pairing this year yet. Ask your unit secretary.")))
                        : .ul(.forEach(profile.links) { link in .li(.text(ctx.t(link.kind) + ctx.t("：", ": ") + link.target)) }))
            )
        case .student(nil):
            return .p(.text(ctx.t("账号未关联学生信息。", "This account is not linked to a student.")))
        case .student(let student?):
            return .group(
                .div(.class("panel"),
                     .h2(.text(ctx.t("我的诉求", "My cases"))),
                     .div(.class("cards"),
                          Components.card("\(student.openCases)", ctx.t("办理中", "In progress"), href: SiteRoute.cases.path()),
                          Components.card("\(student.casesToRate)", ctx.t("待我评价", "Waiting for my rating"), href: SiteRoute.cases.path(query: ["status": "answered"]))),
                     .div(.class("toolbar"),
                          .a(.class("button"), .href(SiteRoute.caseNew.path()), .text(ctx.t("提出诉求", "Raise a case"))),
                          .a(.class("button secondary"), .href(SiteRoute.mailbox.path()), .text(ctx.t("校长信箱 · 书记信箱", "Mailboxes"))))),
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
                         .dt(.text(ctx.t("学号", "Student number"))), .dd(.text(student.studentNumber)),
                         .dt(.text(ctx.t("学院", "College"))), .dd(.text(student.college)),
                         .dt(.text(ctx.t("所在集体", "Collectives"))), .dd(.text(student.collectives.joined(separator: "、"))))))
        case let .accounts(users, locked):
            return .div(.class("cards"),
                        Components.card("\(users)", ctx.t("用户", "Users"), href: SiteRoute.users.path()),
                        Components.card("\(locked)", ctx.t("锁定中的账号", "Locked accounts"), href: SiteRoute.users.path()))
        case let .audit(events, breaks):
            return .div(.class("cards"),
                        Components.card("\(events)", ctx.t("审计事件", "Audit events"), href: SiteRoute.audit.path()),
                        Components.card(breaks == 0 ? ctx.t("完整", "Intact") : ctx.t("断裂 \(breaks) 处", "\(breaks) breaks"),
                                        ctx.t("审计链校验", "Audit chain check"), href: SiteRoute.audit.path()))
        }
    }

    static func progress(_ ctx: PageContext, _ progress: HomeModel.Progress?) -> Node<HTML.BodyContext> {
        guard let progress else { return .empty }
        let link = SiteRoute.progress.path()
        return .div(.class("panel"),
                    .h2(.text(ctx.t("我的进度", "My progress"))),
                    .div(.class("cards"),
                         Components.card("\(progress.overdue)", ctx.t("已逾期", "Overdue"), href: link),
                         Components.card("\(progress.running)", ctx.t("进行中", "Running"), href: link),
                         Components.card("\(progress.met)", ctx.t("已完成", "Met"), href: link)))
    }

    static func compliance(_ ctx: PageContext, _ c: HomeModel.ScopeCompliance?) -> Node<HTML.BodyContext> {
        guard let c else { return .empty }
        let link = c.link.path()
        return .div(.class("panel"),
                    .h2(.text(ctx.t("本学期落实情况", "This term's compliance"))),
                    .div(.class("cards"),
                         Components.card(c.judged == 0 ? "—" : "\(c.met * 100 / c.judged)%", ctx.t("已到期事项完成率", "Met share of due items"), href: link),
                         Components.card("\(c.missed)", ctx.t("未完成", "Missed"), href: link),
                         Components.card("\(c.atRisk)", ctx.t("有风险", "At risk"), href: link),
                         Components.card("\(c.flags)", ctx.t("诚信提示（各学期累计）", "Integrity flags (all terms)"), href: SiteRoute.integrity.path())))
    }
}
