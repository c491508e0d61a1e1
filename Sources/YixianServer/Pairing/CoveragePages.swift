import Fluent
import Plot
import Vapor
import YixianCore

/// Coverage (who links no one, which collectives nobody links) and 人岗匹配 proposals.
enum CoveragePages {
    static func policy(asOf today: LocalDate, on db: any Database) async throws -> Policy {
        let versions = try await ComplianceService.versions(on: db)
        guard let index = ComplianceService.version(on: today, in: versions) else {
            throw AppError(.conflict, code: .noPolicy, zh: "尚未启用工作规定，无法判断结对要求", en: "No policy is active yet")
        }
        return versions[index].policy
    }

    static func heatClass(_ ratio: Double?) -> String {
        guard let ratio else { return "heat-none" }
        return "heat-\(min(4, Int((ratio * 4).rounded(.down))))"
    }

    struct ConfirmForm: Content {
        var pick: [String]?
    }

    /// How many cadres the matching may give one collective: the office raises it when too few collectives go round.
    static let capacityChoices = 1...5

    static func capacity(_ req: Request) throws -> Int {
        guard let text = req.query[String.self, at: "capacity"], !text.isEmpty else { return 1 }
        guard let value = Int(text), capacityChoices.contains(value) else {
            throw AppError.field("capacity", zh: "每个集体的干部数应为 1–5", en: "cadres per collective must be 1–5")
        }
        return value
    }

    static func proposals(_ req: Request, year: AcademicYear, capacity: Int = 1) async throws -> (MatchingResult, PairingWorld) {
        let world = try await PairingWorld.load(on: req.db)
        let policy = try await policy(asOf: LocalDate(req.now), on: req.db)
        let active = world.cadres.filter(\.active)
        let requirements = PairingRequirements.derive(policy: policy, cadres: active, units: world.units)
        let wishes = try await WishPages.matchingWishes(year: year.id, on: req.db)
        var input = MatchingInput(cadres: active, collectives: world.collectives.filter(\.active), existing: world.pairings.filter { $0.academicYearID == year.id },
                                  requirements: requirements, wishes: wishes, academicYearID: year.id, asOf: max(LocalDate(req.now), year.range.start))
        input.options.capacityPerCollective = capacity
        return (PairingMatcher.propose(input), world)
    }

    static func coverageView(_ ctx: PageContext, _ m: CoverageModel) -> Node<HTML.BodyContext> {
        func cellText(_ c: CoverageCell) -> String { c.collectives == 0 ? "—" : "\(c.covered)/\(c.collectives)" }
        return .group(
            .h1(.text(ctx.t("\(m.yearName.zh)结对覆盖情况", "Coverage, \(m.yearName.en)"))),
            .div(.class("cards"),
                 Components.card("\(m.uncovered.count)", ctx.t("无人联系的学生集体", "Collectives nobody links")),
                 Components.card("\(Set(m.gaps.map(\.staffNumber)).count)", ctx.t("结对不足的干部", "Cadres missing pairings"))),
            .h2(.text(ctx.t("覆盖热力图（已联系 / 总数）", "Heat map (covered / all)"))),
            .div(.class("table-wrap"), .table(.class("heat"),
                .thead(.tr(.th(.text(ctx.t("单位", "Unit"))), .forEach(m.kinds) { .th(.text(ctx.t($0.label))) }, .th(.text(ctx.t("合计", "Total"))))),
                .tbody(.forEach(m.rows) { row in
                    .tr(.td(.text(row.unitName)),
                        .forEach(row.cells) { cell in .td(.class(heatClass(cell.ratio)), .text(cellText(cell))) },
                        .td(.class(heatClass(row.total.ratio)), .text(cellText(row.total))))
                }))),
            .h2(.text(ctx.t("结对不足的干部", "Cadres missing required pairings"))),
            Components.table(ctx, headers: [ctx.t("干部", "Cadre"), ctx.t("要求", "Rule"), ctx.t("现有 / 要求", "Has / required"), ctx.t("说明", "What is missing")],
                             rows: m.gaps.prefix(500).map { gap in
                                 [Components.cell(m.cadreNames[gap.staffNumber] ?? gap.staffNumber), Components.cell(gap.ruleTitle),
                                  Components.cell("\(gap.has) / \(gap.required)"), Components.cell(ctx.t(gap.message))]
                             }, empty: .text(ctx.t("所有干部都满足结对要求。", "Every cadre has the pairings required."))),
            .h2(.text(ctx.t("无人联系的学生集体", "Collectives nobody links"))),
            Components.table(ctx, headers: [ctx.t("代码", "Code"), ctx.t("名称", "Name"), ctx.t("类型", "Kind")],
                             rows: m.uncovered.prefix(500).map { [Components.cell($0.code), Components.cell($0.name), Components.cell(ctx.t($0.kind.label))] },
                             empty: .text(ctx.t("全部覆盖。", "All covered.")))
        )
    }

    static func matchingView(_ ctx: PageContext, _ m: MatchingModel) -> Node<HTML.BodyContext> {
        let result = m.result
        let picks: [Node<HTML.TableContext>] = result.proposals.map { p in
            .raw("<tr><td><input type=\"checkbox\" name=\"pick[]\" value=\"\(Components.escape("\(p.staffNumber)|\(p.collectiveCode)|\(p.pairingKind.rawValue)"))\" checked aria-label=\"\(Components.escape(ctx.t("采纳", "accept")))\"></td><td>\(Components.escape(m.cadreNames[p.staffNumber] ?? p.staffNumber))</td><td>\(Components.escape(m.collectiveNames[p.collectiveCode] ?? p.collectiveCode))</td><td>\(Components.escape(ctx.t(p.pairingKind.label)))</td><td>\(Components.escape(p.reasons.map { ctx.t($0) }.joined(separator: "；")))</td></tr>")
        }
        return .group(
            .h1(.text(ctx.t("\(m.yearName.zh)结对建议（人岗匹配）", "Proposed pairings, \(m.yearName.en)"))),
            Components.notice(m.applied.map {
                ctx.t("已采纳 \($0) 条建议，已写入结对表。以下为采纳后重新计算的结果：仍未覆盖 \(result.stillUncovered.count) 个集体，\(result.shortfalls.count) 项要求无法满足（原因见下）。",
                      "\($0) proposals applied to the pairing table. Recomputed: \(result.stillUncovered.count) collectives still uncovered, \(result.shortfalls.count) requirements unmet (reasons below).")
            }),
            .p(.class("muted"), .text(ctx.t("建议由最小费用流求得：先满足工作规定的结对要求，再覆盖尚无人联系的班级，优先本学院和干部志愿，并均衡负担。取消勾选可不采纳。",
                                            "Computed by min-cost flow: requirements first, then coverage, preferring own college and wishes, balancing load. Untick to leave out."))),
            .form(.class("toolbar"), .method(.get), .action(SiteRoute.pairingsMatching.path()),
                  .input(.type(.hidden), .name("year"), .value(m.yearID)),
                  .label(.text(ctx.t("每个集体最多几名干部联系", "Cadres per collective")),
                         .select(.attribute(named: "name", value: "capacity"),
                                 .forEach(Array(CoveragePages.capacityChoices)) { Components.option(value: "\($0)", text: "\($0)", selected: $0 == m.capacity) })),
                  .button(.type(.submit), .class("secondary"), .text(ctx.t("重新匹配", "Match again")))),
            .div(.class("cards"),
                 Components.card("\(result.proposals.count)", ctx.t("建议结对", "Proposals")),
                 Components.card("\(result.shortfalls.count)", ctx.t("无法满足的要求", "Shortfalls")),
                 Components.card("\(result.stillUncovered.count)", ctx.t("仍未覆盖", "Still uncovered"))),
            .form(.method(.post), .action(SiteRoute.pairingsMatching.path(query: ["year": m.yearID, "capacity": "\(m.capacity)"])),
                  Layout.csrfField(ctx),
                  .div(.class("table-wrap"), .table(
                    .thead(.tr(.th(.text("")), .th(.text(ctx.t("干部", "Cadre"))), .th(.text(ctx.t("学生集体", "Collective"))),
                               .th(.text(ctx.t("方式", "Kind"))), .th(.text(ctx.t("理由", "Why"))))),
                    .tbody(.forEach(picks) { $0 }))),
                  .if(!result.proposals.isEmpty, .button(.type(.submit), .text(ctx.t("确认采纳所选建议", "Confirm the ticked proposals"))))),
            .if(!result.shortfalls.isEmpty, .group(.h2(.text(ctx.t("无法满足的要求", "Shortfalls"))),
                .ul(.forEach(result.shortfalls.prefix(200)) { shortfall in
                    .li(.text((m.cadreNames[shortfall.staffNumber] ?? shortfall.staffNumber) + "：" + ctx.t(shortfall.message) + " "),
                        .a(.href(SiteRoute.pairings.path(query: ["year": m.yearID, "staff": shortfall.staffNumber]) + "#add"), .text(ctx.t("手动结对", "Pair by hand"))))
                })))
        )
    }

    static func register(_ app: Application) {
        app.routes.on(.GET, SitePattern.pairingsCoverage.components, access: .capability(.readRoster)) { req -> Response in
            let model = try await CoverageModel.load(req)
            let ctx = PageContext(req)
            return ctx.render(title: ctx.t("结对覆盖情况", "Pairing coverage"),
                              breadcrumbs: [(ctx.t("结对", "Pairings"), SiteRoute.pairings.path()), (ctx.t("覆盖情况", "Coverage"), nil)],
                              content: coverageView(ctx, model))
        }
        app.routes.on(.GET, SitePattern.pairingsMatching.components, access: .capability(.importRoster)) { req -> Response in
            let model = try await MatchingModel.load(req)
            let ctx = PageContext(req)
            return ctx.render(title: ctx.t("人岗匹配", "Matching"),
                              breadcrumbs: [(ctx.t("结对", "Pairings"), SiteRoute.pairings.path()), (ctx.t("人岗匹配", "Matching"), nil)],
                              content: matchingView(ctx, model))
        }
        app.routes.on(.POST, SitePattern.pairingsMatching.components, access: .capability(.importRoster)) { req -> Response in
            let user = try req.requireUser()
            let year = try await PairingPages.year(req)
            let picks = (try? req.content.decode(ConfirmForm.self))?.pick ?? []
            let capacity = try CoveragePages.capacity(req)
            guard picks.count <= 5_000 else { throw AppError.field("pick", zh: "一次最多采纳 5000 条", en: "at most 5000 at once") }
            try await req.db.write { db in
                for pick in picks {
                    let parts = pick.split(separator: "|").map(String.init)
                    guard parts.count == 3, let kind = Pairing.Kind(rawValue: parts[2]) else {
                        throw AppError.field("pick", zh: "建议格式无效", en: "malformed proposal")
                    }
                    try await PairingService.add(staffNumber: parts[0], collectiveCode: parts[1], studentNumber: nil, kind: kind, year: year,
                                                 range: year.range, actor: .init(user), on: db)
                }
            }
            // Back to the matching, recomputed: what was applied and what is still uncovered, and why.
            return req.redirect(to: SiteRoute.pairingsMatching.path(query: ["year": year.id, "capacity": "\(capacity)", "applied": "\(picks.count)"]))
        }
    }
}

/// The coverage page of one academic year, cut to the viewer's unit where they have one.
struct CoverageModel: Sendable {
    var yearID: String
    var yearName: Localized
    var kinds: [CollectiveKind]
    /// Per unit, then the school's total for viewers who see the whole school.
    var rows: [CoverageMatrixRow]
    var gaps: [PairingGap]
    var uncovered: [Collective]
    var cadreNames: [String: String]

    static func load(_ req: Request) async throws -> CoverageModel {
        let user = try req.requireUser()
        let year = try await PairingPages.year(req)
        let world = try await PairingWorld.load(on: req.db)
        let today = LocalDate(req.now)
        let report = PairingCoverage.analyze(policy: try await CoveragePages.policy(asOf: today, on: req.db), units: world.units,
                                             cadres: world.cadres.filter(\.active), collectives: world.collectives.filter(\.active),
                                             pairings: world.pairings, academicYearID: year.id,
                                             asOf: year.range.contains(today) ? today : year.range.start)
        var model = CoverageModel(yearID: year.id, yearName: year.label, kinds: report.matrix.kinds, rows: report.matrix.rows + [report.matrix.school],
                                  gaps: report.cadreGaps, uncovered: report.uncovered,
                                  cadreNames: Dictionary(uniqueKeysWithValues: world.cadres.map { ($0.staffNumber, $0.name) }))
        if let scope = try user.rosterUnitScope(), let code = world.organization.unitCodes[scope] {
            model.rows = report.matrix.rows.filter { $0.unitCode == code }
            model.gaps = model.gaps.filter { $0.unitCode == code }
            model.uncovered = model.uncovered.filter { $0.unitCode == code }
        }
        return model
    }
}

/// The matcher's proposals for one academic year, with the names to show them by.
struct MatchingModel: Sendable {
    var yearID: String
    var yearName: Localized
    var result: MatchingResult
    var capacity: Int
    /// Proposals just applied (the POST's redirect says how many).
    var applied: Int?
    var cadreNames: [String: String]
    var collectiveNames: [String: String]

    static func load(_ req: Request) async throws -> MatchingModel {
        let year = try await PairingPages.year(req)
        let capacity = try CoveragePages.capacity(req)
        let (result, world) = try await CoveragePages.proposals(req, year: year, capacity: capacity)
        return MatchingModel(yearID: year.id, yearName: year.label, result: result, capacity: capacity,
                             applied: req.query[Int.self, at: "applied"].map { max(0, min($0, 5_000)) },
                             cadreNames: Dictionary(uniqueKeysWithValues: world.cadres.map { ($0.staffNumber, $0.name) }),
                             collectiveNames: Dictionary(uniqueKeysWithValues: world.collectives.map { ($0.code, $0.name) }))
    }
}
