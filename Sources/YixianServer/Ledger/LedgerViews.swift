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

    static func load(_ req: Request) async throws -> LedgerListModel {
        let user = try req.requireUser()
        let filter = try LedgerAPI.ListFilter(req)
        let (records, total) = try await LedgerAPI.query(filter, for: user, on: req.db).paged(filter.page)
        let ids = Array(Set(records.map(\.$cadre.id)))
        let cadres = ids.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await CadreModel.query(on: req.db).filter(\.$id ~~ ids).all().map { ($0.id!, $0.name) })
        let vocabulary = try await LedgerService.vocabulary(on: req.db, now: req.now)
        return LedgerListModel(
            isCadre: user.role == .cadre,
            quickKinds: LedgerPages.quickKinds.compactMap { vocabulary.kind($0) },
            rows: records.map { r in
                Row(id: r.id!, start: r.startAt, cadre: cadres[r.$cadre.id] ?? "", kind: vocabulary.kind(r.kind)?.label ?? Localized(zh: r.kind, en: r.kind),
                    place: r.place, participants: r.participantCount, confirmations: r.confirmedCount,
                    status: ContactRecord.Status(rawValue: r.status) ?? .submitted)
            },
            page: filter.page.page, per: filter.page.per, total: total)
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
        let confirmPath = SiteRoute.confirm(code: record.confirmCode).path()
        let scheme = req.application.yixian.secureCookies ? "https" : "http"
        let host = req.headers.first(name: .host) ?? "127.0.0.1:8080"
        return LedgerRecordModel(
            contact: dto, collectiveNames: names, status: ContactRecord.Status(rawValue: record.status) ?? .submitted,
            mine: user.cadreID == record.$cadre.id, submitted: record.submittedAt != nil, viewerIsStudent: user.role == .student,
            flags: flags,
            evidence: attachments.map { Evidence(link: SiteRoute.attachment($0.id!).path(), isPDF: $0.kind == EvidenceKind.pdf.rawValue, takenAt: $0.captureTime) },
            corrections: versions.map { Correction(version: $0.version, by: $0.changedBy, at: $0.changedAt, reason: $0.reason) },
            confirmCode: record.confirmCode, confirmPath: confirmPath,
            qrSVG: try? QRCode.encode("\(scheme)://\(host)\(confirmPath)", correction: .medium).svg(moduleSize: 6),
            voided: record.voidedAt.map { Voided(at: $0, by: record.voidedBy ?? "", reason: record.voidReason ?? "") },
            mayVoid: record.submittedAt != nil && !record.isVoided && (user.cadreID == record.$cadre.id || user.role == .businessAdmin),
            earlierConfirmations: confirmations.count { $0.recordVersion < record.version })
    }
}

extension LedgerPages {
    static func statusTag(_ ctx: PageContext, _ status: ContactRecord.Status, confirmations: Int) -> Node<HTML.BodyContext> {
        if status == .draft { return Components.tag(ctx.t(status.label), "grey") }
        if status == .voided { return Components.tag(ctx.t(status.label), "red") }
        if confirmations > 0 { return Components.tag(ctx.t("学生已确认", "Confirmed"), "green") }
        return Components.tag(ctx.t(status.label), "blue")
    }

    static func listView(_ ctx: PageContext, _ m: LedgerListModel) -> Node<HTML.BodyContext> {
        .group(
            .h1(.text(m.isCadre ? ctx.t("我的工作台账", "My ledger") : ctx.t("工作台账", "Ledger"))),
            .if(m.isCadre, .div(.class("quick"),
                .forEach(m.quickKinds) { kind in
                    .a(.class("button quick-button"), .href(SiteRoute.ledgerNew.path(query: ["kind": kind.code])), .text(ctx.t("记一笔：", "Log: ") + ctx.t(kind.label)))
                },
                .a(.class("button secondary quick-button"), .href(SiteRoute.ledgerNew.path()), .text(ctx.t("其他形式…", "Other…"))))),
            Components.table(ctx, headers: [ctx.t("时间", "When"), ctx.t("干部", "Cadre"), ctx.t("形式", "Kind"), ctx.t("地点", "Place"),
                                            ctx.t("人次", "Persons"), ctx.t("学生确认", "Confirmed"), ctx.t("状态", "Status")],
                             rows: m.rows.map { r in
                                 [Components.cell(String(AdminPages.timestamp(r.start).prefix(16)), href: SiteRoute.ledgerRecord(r.id).path()),
                                  Components.cell(r.cadre), Components.cell(ctx.t(r.kind)), Components.cell(r.place),
                                  Components.cell("\(r.participants)"), Components.cell("\(r.confirmations)"),
                                  .td(statusTag(ctx, r.status, confirmations: r.confirmations))]
                             }, empty: .group(.text(ctx.t("还没有记录。走访宿舍、面对面交流之后，点上方按钮，一分钟记下来。", "Nothing recorded yet. After a visit, tap a button above.")))),
            Components.pager(ctx, page: m.page, per: m.per, total: m.total) { SiteRoute.ledger.path(query: ["page": String($0)]) }
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
        return .group(
            .h1(.text(ctx.t(dto.kindLabel))),
            .div(.class("panel"), .dl(.class("props"),
                .dt(.text(ctx.t("干部", "Cadre"))), .dd(.text(dto.cadre.name)),
                .dt(.text(ctx.t("时间", "When"))), .dd(.text(String(AdminPages.timestamp(dto.start).prefix(16)) + " – " + String(AdminPages.timestamp(dto.end).suffix(8).prefix(5)))),
                .dt(.text(ctx.t("地点", "Place"))), .dd(.text(dto.place.isEmpty ? "—" : dto.place)),
                .dt(.text(ctx.t("学生集体", "Collectives"))), .dd(.text(dto.collectiveCodes.map { m.collectiveNames[$0] ?? $0 }.joined(separator: "、"))),
                .dt(.text(ctx.t("参与人次", "Persons"))), .dd(.text("\(dto.participantCount) 人次")),
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
            .if(!m.evidence.isEmpty, evidencePanel(ctx, m.evidence)),
            .if(!dto.problems.isEmpty, .div(.class("panel"), .h2(.text(ctx.t("学生反映的问题", "Problems raised"))),
                                            .ul(.forEach(dto.problems) { .li(.text("【\($0.category)】\($0.text)")) }))),
            .if(m.mine && m.submitted && m.voided == nil, .div(.class("panel confirm-code"),
                .h2(.text(ctx.t("请在场学生扫码或输入确认码", "Students confirm with this code"))),
                .unwrap(m.qrSVG) { .div(.class("qr"), .raw($0)) },
                .p(.class("code"), .text(m.confirmCode)),
                .p(.class("muted"), .text(ctx.t("学生登录后打开 ", "Students sign in and open ") + m.confirmPath)))),
            .if(m.mayVoid, .form(.class("panel void"), .method(.post), .action(SiteRoute.ledgerVoid(dto.id).path()), Layout.csrfField(ctx),
                .h2(.text(ctx.t("作废这条记录", "Void this record"))),
                .p(.class("muted"), .text(ctx.t("重复提交或记错的记录可作废：记录和历史保留，不再计入落实情况。须写明原因。",
                                               "A duplicate or mistaken record can be voided: it stays with its history and stops counting. A reason is required."))),
                Components.field(ctx, name: "reason", label: ctx.t("作废原因", "Reason")),
                .button(.type(.submit), .class("danger"), .text(ctx.t("作废", "Void"))))),
            .if(m.mine && m.voided == nil, .div(.class("toolbar"),
                .a(.class("button secondary"), .href(SiteRoute.ledgerEdit(dto.id).path()), .text(m.submitted ? ctx.t("更正", "Correct") : ctx.t("编辑草稿", "Edit draft"))),
                .if(!m.submitted, .form(.class("inline"), .method(.post), .action(SiteRoute.ledgerDelete(dto.id).path()), Layout.csrfField(ctx),
                                        .button(.type(.submit), .class("danger"), .text(ctx.t("删除草稿", "Delete draft"))))))),
            .if(!m.corrections.isEmpty, .group(.h2(.text(ctx.t("更正历史", "Corrections"))),
                Components.table(ctx, headers: [ctx.t("原版本", "Version"), ctx.t("更正人", "By"), ctx.t("时间", "When"), ctx.t("原因", "Reason")],
                                 rows: m.corrections.map { v in
                                     [Components.cell("v\(v.version)"), Components.cell(v.by), Components.cell(AdminPages.timestamp(v.at)), Components.cell(v.reason)]
                                 }, empty: .empty)))
        )
    }
}
