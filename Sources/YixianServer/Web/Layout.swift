import Plot
import Vapor
import YixianCore

/// What every page needs to know about its request.
struct PageContext: Sendable {
    var user: CurrentUser?
    var language: Language
    var path: String
    /// The path with its query string: where the language switch returns to, filters and all.
    var pathWithQuery: String
    /// The token forms must echo: the session's, or the anonymous double-submit cookie's.
    var csrfToken: String
    /// Today by the application's clock, for views that show or compare against it.
    var today: LocalDate
    /// The menu items this user may open.
    var navigation: [NavItem]
    /// The tables this request draws, numbered for their export links (see `TableExport`).
    var tables: TableExport.Tables?
    /// The address table export links start from: this page with its query; nil unless a GET.
    var exportBase: String?

    init(_ req: Request) {
        user = req.currentUser
        language = req.language
        path = req.url.path
        pathWithQuery = req.url.query.map { "\(req.url.path)?\($0)" } ?? req.url.path
        csrfToken = req.currentUser?.csrfToken ?? req.cookies[CSRF.anonymousCookie]?.string ?? ""
        tables = TableExport.tables(req)
        exportBase = req.method == .GET ? pathWithQuery : nil
        today = LocalDate(req.now)
        let access = req.application.pageAccess
        navigation = Layout.navigation.filter { [user] item in
            access.allows(item.route.pattern, user) && (user.map { item.shown($0) } ?? false)
        }
    }

    /// A context without a request: for rendering pages in tests and snapshots, as a GET (tables show their export links).
    init(user: CurrentUser?, language: Language, path: String, pathWithQuery: String? = nil, csrfToken: String = "",
         today: LocalDate = LocalDate(Date()), navigation: [NavItem] = []) {
        self.today = today
        self.navigation = navigation
        self.user = user
        self.language = language
        self.path = path
        self.pathWithQuery = pathWithQuery ?? path
        self.csrfToken = csrfToken
        tables = TableExport.Tables(wanted: nil)
        exportBase = self.pathWithQuery
    }

    func t(_ zh: String, _ en: String) -> String { language == .zh ? zh : en }

    /// The one way a page becomes a response: the HTTP status and the page's `data-status`
    /// (which the browser tests read) are the same value, so they cannot drift apart.
    func render(title: String, breadcrumbs: [(String, String?)] = [], status: HTTPResponseStatus = .ok,
                content: Node<HTML.BodyContext>) -> Response {
        .html(Layout.page(self, title: title, breadcrumbs: breadcrumbs, status: status, content: content), status: status)
    }

    /// A page whose forms may be posted without an account (sign-in, the mailboxes): a visitor
    /// without a CSRF cookie gets one with the page, and the forms carry it.
    static func renderPublic(_ req: Request, title: (PageContext) -> String, status: HTTPResponseStatus = .ok,
                             content: (PageContext) -> Node<HTML.BodyContext>) -> Response {
        var ctx = PageContext(req)
        var newToken: String?
        if ctx.csrfToken.isEmpty {
            newToken = Secrets.random()
            ctx.csrfToken = newToken!
        }
        let response = ctx.render(title: title(ctx), status: status, content: content(ctx))
        if let newToken {
            response.cookies[CSRF.anonymousCookie] = HTTPCookies.Value(string: newToken, path: "/", isSecure: req.application.yixian.secureCookies,
                                                                       isHTTPOnly: true, sameSite: .strict)
        }
        return response
    }
    func t(_ text: Localized) -> String { text.text(language) }
}

/// A menu entry. It is shown to whoever may open its page (the access its route was
/// registered with); `shown` can hide it further from some of them.
struct NavItem: Sendable {
    var route: SiteRoute
    var title: Localized
    var shown: @Sendable (CurrentUser) -> Bool = { _ in true }
}

enum Layout {
    static let navigation: [NavItem] = [
        NavItem(route: .home, title: Localized(zh: "首页", en: "Home")),
        NavItem(route: .notifications, title: Localized(zh: "消息", en: "Notifications")),
        NavItem(route: .progress, title: Localized(zh: "我的进度", en: "My progress")),
        NavItem(route: .ledger, title: Localized(zh: "工作台账", en: "Ledger")),
        NavItem(route: .pairings, title: Localized(zh: "结对", en: "Pairings")),
        NavItem(route: .cases, title: Localized(zh: "诉求", en: "Cases")),
        NavItem(route: .problems, title: Localized(zh: "问题清单", en: "Problems")),
        NavItem(route: .pairingWishes, title: Localized(zh: "结对志愿", en: "Wishes")),
        NavItem(route: .compliance, title: Localized(zh: "落实情况", en: "Compliance")),
        NavItem(route: .units, title: Localized(zh: "单位", en: "Units")),
        NavItem(route: .cadres, title: Localized(zh: "干部", en: "Cadres")),
        NavItem(route: .collectives, title: Localized(zh: "学生集体", en: "Collectives")),
        NavItem(route: .students, title: Localized(zh: "学生", en: "Students")),
        NavItem(route: .support, title: Localized(zh: "精准帮扶", en: "Special difficulty")),
        NavItem(route: .filings, title: Localized(zh: "工作报送", en: "Filings")),
        NavItem(route: .integrity, title: Localized(zh: "诚信提示", en: "Integrity")),
        NavItem(route: .dashboard, title: Localized(zh: "看板", en: "Dashboard")),
        NavItem(route: .dossiers, title: Localized(zh: "考核材料", en: "Dossiers")),
        NavItem(route: .spotChecks, title: Localized(zh: "抽查回访", en: "Spot checks")),
        NavItem(route: .bulletins, title: Localized(zh: "通报", en: "Bulletins")),
        NavItem(route: .accountability, title: Localized(zh: "问责记录", en: "Accountability")),
        NavItem(route: .showcase, title: Localized(zh: "典型经验", en: "Good practice")),
        NavItem(route: .policies, title: Localized(zh: "工作规定", en: "Policy")),
        NavItem(route: .calendar, title: Localized(zh: "校历", en: "Calendar")),
        NavItem(route: .users, title: Localized(zh: "用户管理", en: "Users")),
        NavItem(route: .accountsRoster, title: Localized(zh: "名册账号", en: "Roster accounts")),
        NavItem(route: .audit, title: Localized(zh: "审计日志", en: "Audit log")),
        NavItem(route: .auditVerify, title: Localized(zh: "审计链校验", en: "Audit check")),
        NavItem(route: .myData, title: Localized(zh: "我的数据", en: "My data")),
        // API tokens are for the offices that script against the API; cadres and students do their work on the pages
        // (the page stays reachable from 账户安全 for the few who need it).
        NavItem(route: .tokens, title: Localized(zh: "访问令牌", en: "Access tokens"), shown: { $0.role != .student && $0.role != .cadre }),
        NavItem(route: .accountSecurity, title: Localized(zh: "账户安全", en: "Account security")),
    ]

    static func page(_ ctx: PageContext, title: String, breadcrumbs: [(String, String?)] = [], status: HTTPResponseStatus = .ok,
                     content: Node<HTML.BodyContext>) -> String {
        ctx.tables?.titled(title)
        let html = HTML(
            .attribute(named: "lang", value: ctx.language == .zh ? "zh-CN" : "en"),
            .head(
                .meta(.charset(.utf8)),
                .meta(.name("viewport"), .content("width=device-width, initial-scale=1")),
                .title("\(title) · \(ctx.t("一线", "Yixian"))"),
                .link(.rel(.stylesheet), .href(SiteRoute.stylesheet.path()))
            ),
            .body(
                .data(named: "user-role", value: ctx.user?.role.rawValue ?? "anonymous"),
                .data(named: "status", value: String(status.code)),
                header(ctx),
                .div(.class("shell"),
                     .if(ctx.user != nil, nav(ctx)),
                     .main(.id("main"),
                           .if(!breadcrumbs.isEmpty, .nav(.class("breadcrumbs"), .attribute(named: "aria-label", value: ctx.t("路径", "Breadcrumbs")),
                                                          .forEach(breadcrumbs) { crumb in
                                                              crumb.1.map { Node.a(.href($0), .text(crumb.0)) } ?? .span(.text(crumb.0))
                                                          })),
                           content))
            )
        )
        return html.render()
    }

    static func header(_ ctx: PageContext) -> Node<HTML.BodyContext> {
        .header(.class("topbar"),
                .a(.class("brand"), .href(SiteRoute.home.path()), .text(ctx.t("一线 · 领导干部深入基层联系学生", "Yixian · Front-line contact"))),
                .div(.class("topbar-right"),
                     .a(.class("lang"), .href(SiteRoute.language.path(query: ["to": ctx.language == .zh ? "en" : "zh", "back": ctx.pathWithQuery])),
                        .text(ctx.language == .zh ? "English" : "中文")),
                     .unwrap(ctx.user) { user in
                         .group(
                             // The bell: shown when something is unread, so a quiet header stays quiet.
                             .if(user.unreadNotifications > 0,
                                 .a(.class("bell"), .href(SiteRoute.notifications.path()), .data(named: "unread", value: String(user.unreadNotifications)),
                                    .attribute(named: "aria-label", value: ctx.t("未读消息 \(user.unreadNotifications) 条", "\(user.unreadNotifications) unread")),
                                    .text("🔔 \(user.unreadNotifications)"))),
                             .span(.class("who"), .text("\(user.displayName)（\(ctx.t(user.role.label))）")),
                             .form(.action(SiteRoute.logout.path()), .method(.post), .class("inline"),
                                   csrfField(ctx),
                                   .button(.type(.submit), .class("link"), .text(ctx.t("退出", "Sign out"))))
                         )
                     }))
    }

    static func nav(_ ctx: PageContext) -> Node<HTML.BodyContext> {
        guard ctx.user != nil else { return .empty }
        return .nav(.class("sidenav"), .attribute(named: "aria-label", value: ctx.t("主导航", "Main navigation")),
                    .ul(.forEach(ctx.navigation) { item in
                        let active = item.route == .home ? ctx.path == "/" : ctx.path.hasPrefix(item.route.path())
                        return .li(.a(.href(item.route.path()), .class(active ? "active" : ""), .text(ctx.t(item.title))))
                    }))
    }

    static func csrfField(_ ctx: PageContext) -> Node<HTML.FormContext> {
        .input(.type(.hidden), .name(CSRF.field), .value(ctx.csrfToken))
    }
}

/// Errors shown to people: what happened, in their language, and where to go next.
struct ErrorPage {
    var error: AppError
    var requestID: String?

    func render(for req: Request) -> String {
        let ctx = PageContext(req)
        return Layout.page(ctx, title: ctx.t("出错了", "Something went wrong"), status: error.status, content:
            .div(.class("error-page"),
                 .h1(.text(ctx.t(error.message))),
                 .if(!error.details.isEmpty, .ul(.forEach(error.details) { .li(.text(ctx.t($0.message))) })),
                 .p(.text(ctx.t("状态码", "Status") + " \(error.status.code)" + (requestID.map { " · " + ctx.t("请求编号", "Request id") + " " + $0 } ?? ""))),
                 .p(.a(.href(ctx.user == nil ? SiteRoute.login.path() : SiteRoute.home.path()), .text(ctx.t("返回首页", "Back to home"))))))
    }
}

extension Response {
    static func html(_ body: String, status: HTTPResponseStatus = .ok) -> Response {
        let response = Response(status: status, body: .init(string: body))
        response.headers.contentType = .html
        return response
    }
}
