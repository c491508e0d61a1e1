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
        /// The flag's stable id, which a verdict names.
        var id: String = ""
        /// Set once decided: what, why, by whom.
        var verdict: IntegrityVerdicts.Verdict? = nil
        var verdictNote: String? = nil
    }

    var counts: [IntegrityFlagKind: Int]
    var kind: IntegrityFlagKind?
    var rows: [Row]
    var page: Int
    var per: Int
    var total: Int
    /// Which flags are listed: those still to check (nil), or the dismissed or confirmed ones.
    var showing: IntegrityVerdicts.Verdict? = nil
    /// The viewer may decide flags (an assessor or the office).
    var mayDecide = false

    static func make(_ req: Request, user: CurrentUser, visible: IntegrityService.Snapshot, verdicts: [String: IntegrityVerdictModel]) -> IntegrityPageModel {
        let kind = req.query[String.self, at: "kind"].flatMap(IntegrityFlagKind.init(rawValue:))
        let showing = req.query[String.self, at: "verdict"].flatMap(IntegrityVerdicts.Verdict.init(rawValue:))
        // Still to check by default; a decided flag is listed under its verdict. A flag's id is a string
        // built from its records: with no verdicts yet (the usual case) nothing needs it.
        let listed = verdicts.isEmpty ? (showing == nil ? visible.flags : [])
            : visible.flags.filter { verdicts[$0.id].flatMap { IntegrityVerdicts.Verdict(rawValue: $0.verdict) } == showing }
        let flags = kind.map { kind in listed.filter { $0.kind == kind } } ?? listed
        let per = 100
        let page = min(max(1, req.query[Int.self, at: "page"] ?? 1), max(1, (flags.count + per - 1) / per))
        let rows = flags.dropFirst((page - 1) * per).prefix(per).map { flag in
            let facts = flag.recordIDs.compactMap { visible.records[$0] }
            let decided = verdicts[flag.id]
            return Row(kind: flag.kind, reason: flag.reason, date: facts.map(\.start).max().map { LocalDate($0) },
                       cadres: Array(Set(facts.map(\.cadre))).sorted(), recordIDs: Array(flag.recordIDs.prefix(5)), id: flag.id,
                       verdict: decided.flatMap { IntegrityVerdicts.Verdict(rawValue: $0.verdict) },
                       verdictNote: decided.map { "\($0.decidedBy)：\($0.reason)" })
        }
        var counts: [IntegrityFlagKind: Int] = [:]
        for flag in listed { counts[flag.kind, default: 0] += 1 }
        return IntegrityPageModel(counts: counts, kind: kind, rows: rows, page: page, per: per, total: flags.count, showing: showing,
                                  mayDecide: user.role == .assessor || user.role == .businessAdmin)
    }
}

enum IntegrityPages {
    static func register(_ app: Application) {
        app.routes.on(.GET, SitePattern.integrity.components, access: .capability(.readCompliance)) { req -> Response in
            let ctx = PageContext(req)
            let user = try req.requireUser()
            let visible = try await IntegrityService.visible(to: user, on: req.db, app: req.application, freshAfter: await req.ownLastWrite())
            let verdicts = try await IntegrityVerdicts.all(on: req.db)
            // Drawn once per snapshot for the reader's scope and the verdicts given so far (only ever
            // added, so their number and the latest say which); a decider's forms carry their own token.
            let variant = [user.role.rawValue, user.unitID?.uuidString ?? "", user.cadreID?.uuidString ?? "", ctx.csrfToken, String(verdicts.count),
                           String(verdicts.values.map(\.decidedAt.timeIntervalSince1970).max() ?? 0)].joined(separator: "|")
            return ctx.render(title: ctx.t("诚信提示", "Integrity flags"), content: ctx.cached(req.application.fragmentCache, serial: visible.serial, variant: variant) {
                view(ctx, IntegrityPageModel.make(req, user: user, visible: visible, verdicts: verdicts))
            })
        }
        app.routes.on(.POST, SitePattern.integrityVerdict.components, access: IntegrityVerdicts.deciders) { req -> Response in
            let input = try req.content.decode(IntegrityVerdicts.Input.self)
            _ = try await IntegrityVerdicts.decide(input, by: try req.requireUser(), app: req.application, now: req.now, on: req.db)
            return req.redirect(to: SiteRoute.integrity.path(query: ["decided": "1"]))
        }
        app.register(.init(method: .POST, path: "/integrity/verdicts",
                           summary: "Decide an integrity flag: dismissed, or confirmed (its records stop counting); a reason is required",
                           tag: "Ledger", access: IntegrityVerdicts.deciders, requestBody: "IntegrityVerdictInput", response: "IntegrityVerdict",
                           successStatus: 201)) { req -> IntegrityVerdictDTO in
            let row = try await IntegrityVerdicts.decide(try req.decodeJSON(IntegrityVerdicts.Input.self), by: try req.requireUser(),
                                                         app: req.application, now: req.now, on: req.db)
            return IntegrityVerdictDTO(flagId: row.flagID, verdict: row.verdict, reason: row.reason, decidedBy: row.decidedBy, decidedAt: row.decidedAt)
        }
    }

    static func view(_ ctx: PageContext, _ m: IntegrityPageModel) -> Node<HTML.BodyContext> {
        func link(_ page: Int) -> String {
            var query = ["page": String(page)].merging(m.kind.map { ["kind": $0.rawValue] } ?? [:]) { a, _ in a }
            query["verdict"] = m.showing?.rawValue
            return SiteRoute.integrity.path(query: query)
        }
        func decideForm(_ row: IntegrityPageModel.Row) -> Node<HTML.BodyContext> {
            .form(.class("verdict"), .method(.post), .action(SiteRoute.integrityVerdict.path()), Layout.csrfField(ctx),
                  .input(.type(.hidden), .name("flagId"), .value(row.id)),
                  .input(.type(.text), .name("reason"), .attribute(named: "placeholder", value: ctx.t("核实情况或理由（必填）", "What was checked (required)")),
                         .attribute(named: "aria-label", value: ctx.t("理由", "Reason"))),
                  .button(.type(.submit), .name("verdict"), .value("dismissed"), .class("secondary"), .text(ctx.t("排除", "Dismiss"))),
                  .button(.type(.submit), .name("verdict"), .value("confirmed"), .class("danger"), .text(ctx.t("认定（不再计入）", "Confirm (stops counting)"))))
        }
        return .group(
            .h1(.text(ctx.t("台账诚信提示", "Ledger integrity flags"))),
            .p(.class("muted"), .text(ctx.t("提示不等于认定，请结合佐证材料核实。认定后相关记录不再计入落实情况。", "A flag is a prompt to check, not a finding; once confirmed its records stop counting."))),
            .nav(.class("toolbar"),
                 .a(.class(m.showing == nil ? "button" : "button secondary"), .href(SiteRoute.integrity.path()), .text(ctx.t("待核实", "To check"))),
                 .a(.class(m.showing == .dismissed ? "button" : "button secondary"), .href(SiteRoute.integrity.path(query: ["verdict": "dismissed"])), .text(ctx.t("已排除", "Dismissed"))),
                 .a(.class(m.showing == .confirmed ? "button" : "button secondary"), .href(SiteRoute.integrity.path(query: ["verdict": "confirmed"])), .text(ctx.t("已认定", "Confirmed")))),
            .div(.class("cards"), .forEach(IntegrityFlagKind.allCases) { kind in
                Components.card("\(m.counts[kind] ?? 0)", ctx.t(kind.label), href: SiteRoute.integrity.path(query: ["kind": kind.rawValue]))
            }),
            Components.table(ctx, headers: [ctx.t("日期", "Date"), ctx.t("干部", "Cadre"), ctx.t("类型", "Kind"), ctx.t("原因", "Reason"), ctx.t("记录", "Records")],
                             rows: m.rows.map { row in
                                 [Components.cell(row.date?.iso ?? "—"), Components.cell(row.cadres.joined(separator: "、")),
                                  Components.cell(ctx.t(row.kind.label)), Components.cell(ctx.t(row.reason)),
                                  .td(.forEach(Array(row.recordIDs.enumerated())) { n, id in
                                      .a(.href(SiteRoute.ledgerLine(id)), .text(ctx.t("记录 \(n + 1) ", "record \(n + 1) ")))
                                  },
                                  .unwrap(row.verdictNote) { .p(.class("muted"), .text($0)) },
                                  .if(m.mayDecide && row.verdict == nil, decideForm(row)))]
                             }, empty: .text(ctx.t("没有诚信提示。", "No flags."))),
            Components.pager(ctx, page: m.page, per: m.per, total: m.total, link: link)
        )
    }
}
