import Fluent
import Plot
import Vapor
import YixianCore

/// One page of the assessor's list: the flags in scope (of one kind, if asked), newest records
/// first, each with the records it names; counts per kind for the cards.
struct IntegrityPageModel: Sendable {
    struct Row: Sendable {
        var kind: IntegrityFlagKind
        var reason: Localized
        /// The latest start among its records.
        var date: LocalDate?
        var cadres: [String]
        var recordIDs: [String]
    }

    var counts: [IntegrityFlagKind: Int]
    var kind: IntegrityFlagKind?
    var rows: [Row]
    var page: Int
    var per: Int
    var total: Int

    static func load(_ req: Request) async throws -> IntegrityPageModel {
        let visible = try await IntegrityService.visible(to: try req.requireUser(), on: req.db, app: req.application, freshAfter: await req.ownLastWrite())
        let kind = req.query[String.self, at: "kind"].flatMap(IntegrityFlagKind.init(rawValue:))
        let flags = kind.map { kind in visible.flags.filter { $0.kind == kind } } ?? visible.flags
        let per = 100
        let page = min(max(1, req.query[Int.self, at: "page"] ?? 1), max(1, (flags.count + per - 1) / per))
        let rows = flags.dropFirst((page - 1) * per).prefix(per).map { flag in
            let facts = flag.recordIDs.compactMap { visible.records[$0] }
            return Row(kind: flag.kind, reason: flag.reason, date: facts.map(\.start).max().map { LocalDate($0) },
                       cadres: Array(Set(facts.map(\.cadre))).sorted(), recordIDs: Array(flag.recordIDs.prefix(5)))
        }
        return IntegrityPageModel(counts: visible.counts, kind: kind, rows: rows, page: page, per: per, total: flags.count)
    }
}

enum IntegrityPages {
    static func register(_ app: Application) {
        app.routes.on(.GET, SitePattern.integrity.components, access: .capability(.readCompliance)) { req -> Response in
            let ctx = PageContext(req)
            return ctx.render(title: ctx.t("诚信提示", "Integrity flags"), content: view(ctx, try await IntegrityPageModel.load(req)))
        }
    }

    static func view(_ ctx: PageContext, _ m: IntegrityPageModel) -> Node<HTML.BodyContext> {
        func link(_ page: Int) -> String {
            SiteRoute.integrity.path(query: ["page": String(page)].merging(m.kind.map { ["kind": $0.rawValue] } ?? [:]) { a, _ in a })
        }
        return .group(
            .h1(.text(ctx.t("台账诚信提示", "Ledger integrity flags"))),
            .p(.class("muted"), .text(ctx.t("提示不等于认定，请结合佐证材料核实。", "A flag is a prompt to check, not a finding."))),
            .div(.class("cards"), .forEach(IntegrityFlagKind.allCases) { kind in
                Components.card("\(m.counts[kind] ?? 0)", ctx.t(kind.label), href: SiteRoute.integrity.path(query: ["kind": kind.rawValue]))
            }),
            Components.table(ctx, headers: [ctx.t("日期", "Date"), ctx.t("干部", "Cadre"), ctx.t("类型", "Kind"), ctx.t("原因", "Reason"), ctx.t("记录", "Records")],
                             rows: m.rows.map { row in
                                 [Components.cell(row.date?.iso ?? "—"), Components.cell(row.cadres.joined(separator: "、")),
                                  Components.cell(ctx.t(row.kind.label)), Components.cell(ctx.t(row.reason)),
                                  .td(.forEach(Array(row.recordIDs.enumerated())) { n, id in
                                      .a(.href(SiteRoute.ledgerLine(id)), .text(ctx.t("记录 \(n + 1) ", "record \(n + 1) ")))
                                  })]
                             }, empty: .text(ctx.t("没有诚信提示。", "No flags."))),
            Components.pager(ctx, page: m.page, per: m.per, total: m.total, link: link)
        )
    }
}
