import Fluent
import Plot
import Vapor
import YixianCore

/// 热点问题: what the term's cases are about — by category, by responsible unit, by month of
/// receipt — and the phrases that recur in them, as bar charts the office can read at a glance.
struct TopicsModel: Sendable {
    var termID: String?
    var termName: Localized?
    var terms: [(String, Localized)]
    var total: Int
    var byCategory: [(String, Int)]
    var byUnit: [(String, Int)]
    var byMonth: [(String, Int)]
    var phrases: [HotTopics.Phrase]

    static func load(_ req: Request) async throws -> TopicsModel {
        let user = try req.requireUser()
        let (term, allTerms) = try await CasesAPI.term(req)
        let items = try await CasesAPI.rows(for: user, receivedIn: term?.range, on: req.db)
        func ranked(_ keys: [String]) -> [(String, Int)] {
            Dictionary(grouping: keys, by: { $0 }).map { ($0.key, $0.value.count) }.sorted { ($1.1, $0.0) < ($0.1, $1.0) }
        }
        let categories = ranked(items.map(\.category)).map { (CaseCategory.standard($0.0)?.label.zh ?? $0.0, $0.1) }
        return TopicsModel(termID: term?.id, termName: term?.label, terms: allTerms.map { ($0.id, $0.label) }, total: items.count,
                           byCategory: categories,
                           byUnit: Array(ranked(items.map { $0.unit_name ?? "待分派" }).prefix(12)),
                           byMonth: ranked(items.map { String($0.received_on.prefix(7)) }).sorted { $0.0 < $1.0 },
                           phrases: await req.application.phraseCache.phrases(in: items.map(\.text)))
    }
}

/// The hot-topic phrases of a set of texts, kept by a digest of the texts themselves: the same
/// cases (whoever reads them, whatever changed elsewhere) give the same phrases, and the count over
/// three thousand texts — most of the page's cost — runs once per change of the cases, not per view.
actor PhraseCache {
    private var entries: [(key: String, phrases: [HotTopics.Phrase])] = []
    private let capacity = 32

    func phrases(in texts: [String]) -> [HotTopics.Phrase] {
        var digest = Data()
        for text in texts { digest.append(contentsOf: text.utf8); digest.append(0) }
        let key = EvidenceSHA256.hex(digest)
        if let hit = entries.firstIndex(where: { $0.key == key }) {
            let entry = entries.remove(at: hit)
            entries.append(entry)
            return entry.phrases
        }
        let phrases = HotTopics.phrases(in: texts)
        entries.append((key, phrases))
        if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
        return phrases
    }
}

struct PhraseCacheKey: StorageKey { typealias Value = PhraseCache }

extension Application {
    var phraseCache: PhraseCache {
        if let cache = storage[PhraseCacheKey.self] { return cache }
        let cache = PhraseCache()
        storage[PhraseCacheKey.self] = cache
        return cache
    }
}

enum TopicsPage {
    /// A horizontal bar chart as inline SVG in a panel with its title.
    static func bars(_ items: [(String, Int)], title: String) -> Node<HTML.BodyContext> {
        .div(.class("panel"), .h2(.text(title)), items.isEmpty ? .p(.class("muted"), .text("—")) : .raw(SVGChart.bars(items.map { ($0.0, $0.1) }, title: title)))
    }

    static func view(_ ctx: PageContext, _ m: TopicsModel) -> Node<HTML.BodyContext> {
        let termOptions: [Node<HTML.SelectContext>] = m.terms.map { Components.option(value: $0.0, text: ctx.t($0.1), selected: $0.0 == m.termID) }
        return .group(
            .h1(.text(ctx.t("热点问题", "Hot topics") + (m.termName.map { ctx.t("（\(ctx.t($0))）", " (\(ctx.t($0)))") } ?? ""))),
            .form(.class("toolbar"), .method(.get), .action(SiteRoute.caseTopics.path()),
                  .label(.text(ctx.t("学期", "Term")), .select(.attribute(named: "name", value: "term"), .group(termOptions))),
                  .button(.type(.submit), .class("secondary"), .text(ctx.t("查看", "Show")))),
            .p(.class("muted"), .text(ctx.t("本学期共 \(m.total) 件诉求。高频词为多件诉求中反复出现的二至四字词语。",
                                            "\(m.total) cases this term. Phrases are runs of two to four characters recurring across cases."))),
            bars(m.phrases.map { ($0.text, $0.cases) }, title: ctx.t("高频词（件数）", "Recurring phrases (cases)")),
            bars(m.byCategory, title: ctx.t("按类别", "By category")),
            bars(m.byUnit, title: ctx.t("按责任单位", "By responsible unit")),
            bars(m.byMonth, title: ctx.t("按月份", "By month"))
        )
    }

    static func register(_ app: Application) {
        app.routes.on(.GET, SitePattern.caseTopics.components, access: .roles([.businessAdmin, .unitSecretary, .assessor])) { req -> Response in
            let model = try await TopicsModel.load(req)
            let ctx = PageContext(req)
            return ctx.render(title: ctx.t("热点问题", "Hot topics"), breadcrumbs: [(ctx.t("诉求", "Cases"), SiteRoute.cases.path()), (ctx.t("热点问题", "Hot topics"), nil)],
                              content: view(ctx, model))
        }
    }
}
