import Fluent
import Foundation
import Plot
import Vapor
import YixianCore

/// What the ledger list shows: one page of lines with the names and labels they need.
struct LedgerListModel: Sendable, Equatable {
    struct Row: Sendable, Equatable {
        var id: UUID
        var start: Date
        var cadre: String
        var kind: Localized
        var place: String
        var participants: Int
        var confirmations: Int
        var status: ContactRecord.Status
    }

    var isCadre: Bool
    /// The one-tap kinds offered to a cadre, in order.
    var quickKinds: [ContactKind]
    var rows: [Row]
    var page: Int
    var per: Int
    var total: Int
    /// The search as query items, kept by the pager and the export links.
    var filter: [String: String] = [:]
    /// Choices for the search form: (code, label).
    var kinds: [(String, Localized)] = []
    var venues: [(String, Localized)] = []
    /// Units to search by; empty for a user confined to one unit or to their own records.
    var units: [(String, String)] = []
    /// A secretary or the office may record for a cadre (代录).
    var mayRecordForOthers = false

    static func == (a: LedgerListModel, b: LedgerListModel) -> Bool {
        a.isCadre == b.isCadre && a.quickKinds == b.quickKinds && a.rows == b.rows && a.page == b.page && a.per == b.per && a.total == b.total
            && a.filter == b.filter
    }

    /// The most lines one export holds; a larger inspection narrows the dates.
    static let exportLimit = 20_000

    static func load(_ req: Request) async throws -> LedgerListModel {
        let user = try req.requireUser()
        let filter = try LedgerAPI.ListFilter(req)
        let (records, total) = try await LedgerAPI.query(filter, for: user, on: req.db).paged(filter.page)
        let ids = Array(Set(records.map(\.$cadre.id)))
        let cadres = ids.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await CadreModel.query(on: req.db).filter(\.$id ~~ ids).all().map { ($0.id!, $0.name) })
        let vocabulary = try await LedgerService.vocabulary(on: req.db, now: req.now)
        let units = try user.role != .cadre && user.rosterUnitScope() == nil
            ? try await UnitModel.query(on: req.db).filter(\.$active == true).sort(\.$name).all().map { ($0.id!.uuidString, $0.name) } : []
        return LedgerListModel(
            isCadre: user.role == .cadre,
            quickKinds: LedgerPages.quickKinds.compactMap { vocabulary.kind($0) },
            rows: records.map { r in
                Row(id: r.id!, start: r.startAt, cadre: cadres[r.$cadre.id] ?? "", kind: vocabulary.kind(r.kind)?.label ?? Localized(zh: r.kind, en: r.kind),
                    place: r.place, participants: r.participantCount, confirmations: r.confirmedCount,
                    status: ContactRecord.Status(rawValue: r.status) ?? .submitted)
            },
            page: filter.page.page, per: filter.page.per, total: total, filter: filter.query,
            kinds: vocabulary.kinds.map { ($0.code, $0.label) }, venues: vocabulary.venues.map { ($0.code, $0.label) }, units: units,
            mayRecordForOthers: user.role == .unitSecretary || user.role == .businessAdmin)
    }

    /// Every line the search finds (up to `exportLimit`), as an inspection's table.
    static func export(_ req: Request, format: String) async throws -> Response {
        let user = try req.requireUser()
        let filter = try LedgerAPI.ListFilter(req)
        let total = try await LedgerAPI.query(filter, for: user, on: req.db).count()
        guard total <= exportLimit else {
            throw AppError.field("from", zh: "共 \(total) 条，一次最多导出 \(exportLimit) 条：请缩小日期范围或加筛选条件",
                                 en: "\(total) lines; at most \(exportLimit) export at once: narrow the dates or filter more")
        }
        let records = try await LedgerAPI.query(filter, for: user, on: req.db).all()
        let ids = Array(Set(records.map(\.$cadre.id)))
        let cadres = ids.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await CadreModel.query(on: req.db).filter(\.$id ~~ ids).with(\.$unit).all().map { ($0.id!, $0) })
        let codes = Set(records.flatMap(\.collectiveList))
        let collectiveNames = codes.isEmpty ? [:] : Dictionary(try await CollectiveModel.query(on: req.db).filter(\.$code ~~ Array(codes)).all().map { ($0.code, $0.name) },
                                                               uniquingKeysWith: { a, _ in a })
        let vocabulary = try await LedgerService.vocabulary(on: req.db, now: req.now)
        let header = ["开始时间", "结束时间", "干部", "工号", "所在单位", "形式", "场所", "地点", "学生集体", "人次", "学生确认", "状态", "情况摘要"]
        let rows: [[String]] = records.map { r in
            let cadre = cadres[r.$cadre.id]
            return [AdminPages.timestamp(r.startAt).prefix(16).description, AdminPages.timestamp(r.endAt).prefix(16).description,
                    cadre?.name ?? "", cadre?.staffNumber ?? "", cadre?.unit.name ?? "",
                    vocabulary.kind(r.kind)?.label.zh ?? r.kind, r.venue.flatMap { vocabulary.venue($0)?.label.zh } ?? "", r.place,
                    r.collectiveList.map { collectiveNames[$0] ?? $0 }.joined(separator: "、"), String(r.participantCount), String(r.confirmedCount),
                    (ContactRecord.Status(rawValue: r.status) ?? .submitted).label.zh, r.summary]
        }
        let data: Data
        let type: HTTPMediaType
        if format == "csv" {
            data = CSV.write([header] + rows)
            type = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        } else {
            data = try XLSXWriter.write([XLSXWorksheet(name: "工作台账", header: header, rows: rows.map { row in
                row.enumerated().map { index, value in (index == 9 || index == 10) ? XLSXCell.number(Double(value) ?? 0) : .text(value) }
            })])
            type = HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        }
        let response = Response(status: .ok, body: .init(data: data))
        response.headers.contentType = type
        response.headers.replaceOrAdd(name: .contentDisposition, value: ImportExport.contentDisposition(ascii: "ledger.\(format)", name: "工作台账.\(format)"))
        return response
    }
}

/// What one ledger line's page shows.
struct LedgerRecordModel: Sendable {
    struct Evidence: Sendable, Equatable {
        var link: String
        var isPDF: Bool
        var takenAt: Date?
    }
    struct Correction: Sendable, Equatable {
        var version: Int
        var by: String
        var at: Date
        var reason: String
    }

    var contact: ContactDTO
    var collectiveNames: [String: String]
    var status: ContactRecord.Status
    /// The viewer is the record's cadre: they see the confirmation code and may correct it.
    var mine: Bool
    var submitted: Bool
    var viewerIsStudent: Bool
    var flags: [IntegrityFlag]
    var evidence: [Evidence]
    var corrections: [Correction]
    var confirmCode: String
    var confirmPath: String
    /// The confirmation link as a QR code (SVG), for students in the room.
    var qrSVG: String?
    /// Set when the record was voided: when, by whom, why.
    var voided: Voided? = nil
    /// The viewer may void it: its cadre or the office, once submitted and not yet voided.
    var mayVoid = false
    /// Confirmations given for earlier versions, before a correction changed what happened.
    var earlierConfirmations = 0
    /// 代录: who entered it, when not the cadre themself.
    var enteredBy: String? = nil
    /// 典型经验: its title when showcased; whether the viewer may showcase it.
    var showcased: String? = nil
    var mayShowcase = false
    /// The requirements (cells) of its cadre that this record counts toward today, or that leave it
    /// out and why: where a record went, and what a confirmed finding took away.
    var counts: [Count] = []

    struct Count: Sendable {
        var cell: ComplianceCell
        var ruleTitle: String
        var value: String
        var exclusion: ComplianceExclusionReason?
    }

    struct Voided: Sendable {
        var at: Date
        var by: String
        var reason: String
    }

    static func load(_ req: Request, _ record: ContactRecordModel) async throws -> LedgerRecordModel {
        let user = try req.requireUser()
        // People read collectives by name (计算机2302班), not by code.
        let names = Dictionary(try await CollectiveModel.query(on: req.db).filter(\.$code ~~ record.collectiveList).all()
            .map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        let dto = try await LedgerService.dto(record, for: user, on: req.db)
        let versions = try await ContactRecordVersionModel.query(on: req.db).filter(\.$record.$id == record.id!).sort(\.$version).all()
        let attachments = try await AttachmentModel.query(on: req.db).filter(\.$record.$id == record.id!).all()
        let flags = user.role == .student ? [] : try await IntegrityService.flags(for: record.id!.uuidString, visibleTo: user, on: req.db,
                                                                                   app: req.application, freshAfter: await req.ownLastWrite())
        let confirmations = try await ContactConfirmationModel.query(on: req.db).filter(\.$record.$id == record.id!).all()
        let creator = try await record.createdBy.asyncMap { try await UserModel.find($0, on: req.db) } ?? nil
        let confirmPath = SiteRoute.confirm(code: record.confirmCode).path()
        return LedgerRecordModel(
            contact: dto, collectiveNames: names, status: ContactRecord.Status(rawValue: record.status) ?? .submitted,
            mine: user.cadreID == record.$cadre.id, submitted: record.submittedAt != nil, viewerIsStudent: user.role == .student,
            flags: flags,
            evidence: attachments.map { Evidence(link: SiteRoute.attachment($0.id!).path(), isPDF: $0.kind == EvidenceKind.pdf.rawValue, takenAt: $0.captureTime) },
            corrections: versions.map { Correction(version: $0.version, by: $0.changedBy, at: $0.changedAt, reason: $0.reason) },
            confirmCode: record.confirmCode, confirmPath: confirmPath,
            qrSVG: try? QRCode.encode(req.publicBase + confirmPath, correction: .medium).svg(moduleSize: 6),
            voided: record.voidedAt.map { Voided(at: $0, by: record.voidedBy ?? "", reason: record.voidReason ?? "") },
            mayVoid: record.submittedAt != nil && !record.isVoided && (user.cadreID == record.$cadre.id || user.role == .businessAdmin),
            earlierConfirmations: confirmations.count { $0.recordVersion < record.version },
            enteredBy: creator.flatMap { $0.$cadre.id == record.$cadre.id ? nil : $0.displayName },
            showcased: try await GoodPracticeModel.query(on: req.db).filter(\.$record.$id == record.id!).first()?.title,
            mayShowcase: Showcase.markers.allows(user) && record.submittedAt != nil && !record.isVoided
                && record.status != ContactRecord.Status.flagged.rawValue,
            counts: user.role == .student ? [] : try await counts(req, staff: dto.cadre.staffNumber, recordID: record.id!.uuidString))
    }

    /// Through the unit index: the cadre's cells only, not the school's.
    static func counts(_ req: Request, staff: String, recordID: String) async throws -> [Count] {
        guard let evaluation = try await req.evaluation(asOf: LocalDate(req.now)), let cadre = evaluation.cadres[staff] else { return [] }
        let ctx = PageContext(req)
        return (evaluation.index.byUnit[cadre.unitCode] ?? []).compactMap { position -> Count? in
            let cell = evaluation.cells[position]
            guard cell.subject.kind == .cadre, cell.subject.id == staff else { return nil }
            let exclusion = cell.excluded.first { $0.id == recordID }?.reason
            guard exclusion != nil || cell.counted.contains(recordID) else { return nil }
            let rule = evaluation.rule(cell.ruleID)
            return Count(cell: cell, ruleTitle: rule?.title ?? cell.ruleID, value: CompliancePages.value(ctx, cell, rule), exclusion: exclusion)
        }.sorted { ($0.cell.period.start, $0.ruleTitle) < ($1.cell.period.start, $1.ruleTitle) }
    }
}

extension LedgerPages {
    static func statusTag(_ ctx: PageContext, _ status: ContactRecord.Status, confirmations: Int) -> Node<HTML.BodyContext> {
        if status == .draft { return Components.tag(ctx.t(status.label), "grey") }
        if status == .voided { return Components.tag(ctx.t(status.label), "red") }
        if confirmations > 0 { return Components.tag(ctx.t("学生已确认", "Confirmed"), "green") }
        return Components.tag(ctx.t(status.label), "blue")
    }

    static func searchForm(_ ctx: PageContext, _ m: LedgerListModel) -> Node<HTML.BodyContext> {
        func select(_ name: String, _ label: String, _ options: [(String, String)]) -> Node<HTML.FormContext> {
            .label(.text(label), .select(.attribute(named: "name", value: name),
                                         Components.option(value: "", text: ctx.t("全部", "All"), selected: m.filter[name] == nil),
                                         .forEach(options) { Components.option(value: $0.0, text: $0.1, selected: m.filter[name] == $0.0) }))
        }
        func date(_ name: String, _ label: String) -> Node<HTML.FormContext> {
            .label(.text(label), .input(.type(.date), .name(name), .value(m.filter[name] ?? "")))
        }
        var exportQuery = m.filter
        exportQuery["format"] = "xlsx"
        var csvQuery = m.filter
        csvQuery["format"] = "csv"
        return .form(.class("toolbar ledger-search"), .method(.get), .action(SiteRoute.ledger.path()),
                     .label(.text(ctx.t("搜索", "Search")), .input(.type(.search), .name("q"), .value(m.filter["q"] ?? ""),
                                                                    .placeholder(ctx.t("地点、摘要…", "Place, summary…")))),
                     date("from", ctx.t("从", "From")), date("to", ctx.t("到", "To")),
                     select("kind", ctx.t("形式", "Kind"), m.kinds.map { ($0.0, ctx.t($0.1)) }),
                     select("venue", ctx.t("场所", "Venue"), m.venues.map { ($0.0, ctx.t($0.1)) }),
                     .if(!m.units.isEmpty, select("unit", ctx.t("单位", "Unit"), m.units)),
                     select("confirmed", ctx.t("学生确认", "Confirmed"), [("true", ctx.t("已确认", "Yes")), ("false", ctx.t("未确认", "No"))]),
                     select("status", ctx.t("状态", "Status"), [ContactRecord.Status.submitted, .flagged, .voided].map { ($0.rawValue, ctx.t($0.label)) }),
                     .unwrap(m.filter["collective"]) { .input(.type(.hidden), .name("collective"), .value($0)) },
                     .unwrap(m.filter["cadre"]) { .input(.type(.hidden), .name("cadre"), .value($0)) },
                     .button(.type(.submit), .text(ctx.t("查询", "Search"))),
                     .a(.class("button secondary"), .href(SiteRoute.ledger.path(query: exportQuery)), .text(ctx.t("导出 Excel", "Export .xlsx"))),
                     .a(.class("button secondary"), .href(SiteRoute.ledger.path(query: csvQuery)), .text(ctx.t("导出 CSV", "Export .csv"))))
    }

    static func listView(_ ctx: PageContext, _ m: LedgerListModel) -> Node<HTML.BodyContext> {
        .group(
            .h1(.text(m.isCadre ? ctx.t("我的工作台账", "My ledger") : ctx.t("工作台账", "Ledger"))),
            .if(m.isCadre, .div(.class("quick"),
                .forEach(m.quickKinds) { kind in
                    .a(.class("button quick-button"), .href(SiteRoute.ledgerNew.path(query: ["kind": kind.code])), .text(ctx.t("记一笔：", "Log: ") + ctx.t(kind.label)))
                },
                .a(.class("button secondary quick-button"), .href(SiteRoute.ledgerNew.path()), .text(ctx.t("其他形式…", "Other…"))))),
            .if(m.mayRecordForOthers, .p(.a(.class("button secondary"), .href(SiteRoute.ledgerNew.path()), .text(ctx.t("代录：为干部记录联系", "Record for a cadre"))))),
            searchForm(ctx, m),
            .p(.class("muted"), .text(ctx.t("共 \(m.total) 条", "\(m.total) lines"))),
            Components.table(ctx, headers: [ctx.t("时间", "When"), ctx.t("干部", "Cadre"), ctx.t("形式", "Kind"), ctx.t("地点", "Place"),
                                            ctx.t("人次", "Persons"), ctx.t("学生确认", "Confirmed"), ctx.t("状态", "Status")],
                             rows: m.rows.map { r in
                                 [Components.cell(String(AdminPages.timestamp(r.start).prefix(16)), href: SiteRoute.ledgerRecord(r.id).path()),
                                  Components.cell(r.cadre), Components.cell(ctx.t(r.kind)), Components.cell(r.place),
                                  Components.cell("\(r.participants)"), Components.cell("\(r.confirmations)"),
                                  .td(statusTag(ctx, r.status, confirmations: r.confirmations))]
                             }, empty: .group(.text(ctx.t("还没有记录。走访宿舍、面对面交流之后，点上方按钮，一分钟记下来。", "Nothing recorded yet. After a visit, tap a button above."))),
                             exports: []),
            Components.pager(ctx, page: m.page, per: m.per, total: m.total) { page in
                SiteRoute.ledger.path(query: m.filter.merging(["page": String(page)]) { $1 })
            }
        )
    }

    static func evidencePanel(_ ctx: PageContext, _ evidence: [LedgerRecordModel.Evidence]) -> Node<HTML.BodyContext> {
        let taken = evidence.compactMap { e in e.takenAt.map { ctx.t("拍摄于 ", "Taken ") + String(AdminPages.timestamp($0).prefix(16)) } }
        return .div(.class("panel"), .h2(.text(ctx.t("佐证材料", "Evidence"))),
                    .div(.class("thumbs"), .forEach(evidence) { e in
                        e.isPDF ? .a(.href(e.link), .text(ctx.t("签到表（PDF）", "Sign-in sheet (PDF)")))
                                : .a(.href(e.link), .img(.src(e.link), .alt(ctx.t("现场照片", "Photo"))))
                    }),
                    .p(.class("muted"), .text(taken.joined(separator: "；"))))
    }

    static func recordView(_ ctx: PageContext, _ m: LedgerRecordModel) -> Node<HTML.BodyContext> {
        let dto = m.contact
        let enteredBy: String = m.enteredBy.map { ctx.t("（由 \($0) 代录）", " (entered by \($0))") } ?? ""
        let cadreName: String = dto.cadre.name + enteredBy
        return .group(
            .h1(.text(ctx.t(dto.kindLabel))),
            .div(.class("panel"), .dl(.class("props"),
                .dt(.text(ctx.t("干部", "Cadre"))), .dd(.text(cadreName)),
                .dt(.text(ctx.t("时间", "When"))), .dd(.text(String(AdminPages.timestamp(dto.start).prefix(16)) + " – " + String(AdminPages.timestamp(dto.end).suffix(8).prefix(5)))),
                .dt(.text(ctx.t("地点", "Place"))), .dd(.text(dto.place.isEmpty ? "—" : dto.place)),
                .dt(.text(ctx.t("学生集体", "Collectives"))), .dd(.text(dto.collectiveCodes.map { m.collectiveNames[$0] ?? $0 }.joined(separator: "、"))),
                .dt(.text(ctx.t("参与人次", "Persons"))), .dd(.text(ctx.t("\(dto.participantCount) 人次", "\(dto.participantCount) person-times"))),
                .unwrap(dto.participantNumbers) { numbers in
                    .group(.dt(.text(ctx.t("参加学生学号", "Student numbers"))), .dd(.text(numbers.joined(separator: "、"))))
                },
                .dt(.text(ctx.t("情况摘要", "Summary"))), .dd(.text(dto.summary.isEmpty ? "—" : dto.summary)),
                .dt(.text(ctx.t("状态", "Status"))), .dd(statusTag(ctx, m.status, confirmations: dto.confirmations)),
                .dt(.text(ctx.t("学生确认", "Confirmed by"))), .dd(.text(ctx.t("\(dto.confirmations) 人", "\(dto.confirmations)")
                    + (m.earlierConfirmations > 0 ? ctx.t("（另有 \(m.earlierConfirmations) 人确认的是更正前的版本）", " (and \(m.earlierConfirmations) for the version before the correction)") : ""))),
                .dt(.text(ctx.t("版本", "Version"))), .dd(.text("v\(dto.version)")),
                .unwrap(dto.backdateReason) { .group(.dt(.text(ctx.t("补录说明", "Late because"))), .dd(.text($0))) })),
            .unwrap(m.voided) { v in
                .div(.class("error-summary voided"), .h2(.text(ctx.t("本记录已作废，不计入落实情况", "This record was voided and counts nowhere"))),
                     .p(.text(ctx.t("\(v.by) 于 \(AdminPages.timestamp(v.at).prefix(16)) 作废。原因：", "Voided by \(v.by) on \(AdminPages.timestamp(v.at).prefix(16)). Reason: ") + v.reason)))
            },
            .if(!m.flags.isEmpty && !m.viewerIsStudent, .div(.class("error-summary integrity"),
                .h2(.text(ctx.t("诚信提示", "Integrity flags"))),
                .ul(.forEach(m.flags) { .li(.strong(.text(ctx.t($0.kind.label) + "：")), .text(ctx.t($0.reason))) }))),
            .if(!m.counts.isEmpty, .div(.class("panel"), .id("counts"), .h2(.text(ctx.t("计入的工作要求", "Counts toward"))),
                Components.table(ctx, headers: [ctx.t("要求", "Requirement"), ctx.t("周期", "Period"), ctx.t("完成 / 要求", "Done / required"),
                                                ctx.t("状态", "Status"), ctx.t("本记录", "This record")],
                                 rows: m.counts.map { count in
                                     [Components.cell(count.ruleTitle, href: CompliancePages.cellLink(count.cell, asOf: ctx.today)),
                                      Components.cell(count.cell.period.label.text(ctx.language)), Components.cell(count.value),
                                      .td(CompliancePages.tag(ctx, count.cell.status)),
                                      Components.cell(count.exclusion.map { ctx.t("不计入：", "Not counted: ") + ctx.t($0.label) } ?? ctx.t("计入", "Counted"))]
                                 }, empty: .empty))),
            .if(!m.evidence.isEmpty, evidencePanel(ctx, m.evidence)),
            .if(!dto.problems.isEmpty, .div(.class("panel"), .h2(.text(ctx.t("学生反映的问题", "Problems raised"))),
                                            .ul(.forEach(dto.problems) { problem in
                                                // Stored as typed (后勤 or a code): shown in the reader's language when it is a known category.
                                                let category = CaseCategory.standard.first { $0.label.zh == problem.category || $0.code == problem.category }
                                                    .map { ctx.t($0.label) } ?? problem.category
                                                return .li(.text(ctx.t("【\(category)】", "[\(category)] ") + problem.text))
                                            }))),
            .if(m.mine && m.submitted && m.voided == nil, .div(.class("panel confirm-code"),
                .h2(.text(ctx.t("请在场学生扫码或输入确认码", "Students confirm with this code"))),
                .unwrap(m.qrSVG) { .div(.class("qr"), .raw($0)) },
                .p(.class("code"), .text(m.confirmCode)),
                .p(.class("muted"), .text(ctx.t("学生登录后打开 ", "Students sign in and open ") + m.confirmPath)))),
            .if(m.mine && m.voided == nil, .div(.class("toolbar"),
                .a(.class("button secondary"), .href(SiteRoute.ledgerEdit(dto.id).path()), .text(m.submitted ? ctx.t("更正", "Correct") : ctx.t("编辑草稿", "Edit draft"))),
                .if(!m.submitted, .form(.class("inline"), .method(.post), .action(SiteRoute.ledgerDelete(dto.id).path()), Layout.csrfField(ctx),
                                        .button(.type(.submit), .class("danger"), .text(ctx.t("删除草稿", "Delete draft"))))))),
            .if(!m.corrections.isEmpty, .group(.h2(.text(ctx.t("更正历史", "Corrections"))),
                Components.table(ctx, headers: [ctx.t("原版本", "Version"), ctx.t("更正人", "By"), ctx.t("时间", "When"), ctx.t("原因", "Reason")],
                                 rows: m.corrections.map { v in
                                     [Components.cell("v\(v.version)"), Components.cell(v.by), Components.cell(AdminPages.timestamp(v.at)), Components.cell(v.reason)]
                                 }, empty: .empty))),
            .unwrap(m.showcased) { title in
                .div(.class("panel success"), .p(.text(ctx.t("已推荐为典型经验：", "Showcased as good practice: ") + title + " "),
                                                 .a(.href(SiteRoute.showcase.path()), .text(ctx.t("查看典型经验", "See the showcase")))))
            },
            .if(m.mayShowcase && m.showcased == nil, Showcase.form(ctx, record: dto.id)),
            .if(m.mayVoid, .form(.class("panel void"), .method(.post), .action(SiteRoute.ledgerVoid(dto.id).path()), Layout.csrfField(ctx),
                .h2(.text(ctx.t("作废这条记录", "Void this record"))),
                .p(.class("muted"), .text(ctx.t("重复提交或记错的记录可作废：记录和历史保留，不再计入落实情况。须写明原因。",
                                               "A duplicate or mistaken record can be voided: it stays with its history and stops counting. A reason is required."))),
                Components.field(ctx, name: "reason", label: ctx.t("作废原因", "Reason")),
                .button(.type(.submit), .class("danger"), .text(ctx.t("作废", "Void")))))
        )
    }
}
