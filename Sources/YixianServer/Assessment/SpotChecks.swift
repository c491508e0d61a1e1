import Fluent
import Foundation
import Plot
import Vapor
import YixianCore

final class SpotCheckModel: Model, @unchecked Sendable {
    static let schema = "spot_checks"
    @ID var id: UUID?
    @Parent(key: "unit_id") var unit: UnitModel
    @Field(key: "month") var month: String
    @Field(key: "share") var share: Double
    /// Anyone holding it can re-draw the sample from the month's lines and see it was not hand-picked.
    @Field(key: "seed") var seed: String
    /// Lines the unit had that month when the sample was drawn.
    @Field(key: "lines") var lines: Int
    @Field(key: "drawn_by") var drawnBy: String
    @Field(key: "drawn_at") var drawnAt: Date
    @Children(for: \.$spotCheck) var items: [SpotCheckItemModel]

    init() {}
}

final class SpotCheckItemModel: Model, @unchecked Sendable {
    static let schema = "spot_check_items"
    @ID var id: UUID?
    @Parent(key: "spot_check_id") var spotCheck: SpotCheckModel
    @Parent(key: "record_id") var record: ContactRecordModel
    @OptionalField(key: "result") var result: String?
    /// Who was called (a name or a student number, as the checker writes it).
    @OptionalField(key: "student") var student: String?
    @OptionalField(key: "note") var note: String?
    @OptionalField(key: "checked_by") var checkedBy: String?
    @OptionalField(key: "checked_at") var checkedAt: Date?

    init() {}
}

/// 督查 · 抽查: the office or an assessor draws a share of a unit's ledger lines of a month and calls
/// each back to a student who took part; the results show per unit (and a unit's secretary sees their
/// own). A line found 不属实 is marked 存疑待核 like a confirmed integrity finding: it stops counting.
enum SpotChecks {
    static let readers = Access.roles([.businessAdmin, .assessor, .unitSecretary])
    static let checkers = Access.roles([.businessAdmin, .assessor])
    static let defaultShare = 0.1

    struct DrawInput: Content {
        var unitCode: String?
        var month: String?
        var percent: String?
    }

    struct ResultInput: Content {
        var item: String?
        var result: String?
        var student: String?
        var note: String?
    }

    /// Draws the sample of a unit's month; a month is drawn once.
    static func draw(_ input: DrawInput, by user: CurrentUser, today: LocalDate, on db: any Database, app: Application) async throws -> SpotCheckModel {
        var check = FieldChecker()
        let unit = try await input.unitCode.asyncMap { try await UnitModel.query(on: db).filter(\.$code == $0).first() } ?? nil
        if unit == nil { check.fail("unitCode", zh: "请选择被抽查的单位", en: "Choose the unit to check") }
        let first = input.month.flatMap { $0.count == 7 ? LocalDate($0 + "-01") : nil }
        if first == nil { check.fail("month", zh: "月份应为 YYYY-MM，例如 2025-10", en: "The month must be YYYY-MM, e.g. 2025-10") }
        if let first, first > today { check.fail("month", zh: "该月尚未开始，不能抽查", en: "That month has not begun") }
        let percent = check.integer("percent", input.percent.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? (input.percent == nil ? 10 : -1),
                                    label: "抽查比例（%）", range: 1...100)
        try check.throwIfInvalid()
        let month = input.month!
        let range = DateRange(start: first!, end: first!.adding(months: 1).adding(days: -1))
        let facts = try await app.complianceStore.facts.facts(on: db)
        let ids = facts.contacts.values.filter { stored in
            facts.organization.cadreUnits[stored.cadreID] == unit!.id && range.contains(stored.record.startDay)
                && [.submitted, .confirmed, .flagged].contains(stored.record.status)
        }.map(\.record.id)
        guard !ids.isEmpty else {
            throw AppError.field("month", zh: "\(unit!.name)在 \(month) 没有可抽查的记录", en: "\(unit!.name) has no lines in \(month) to check")
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
        let seed = bytes.hexString
        let share = Double(percent!) / 100
        let sample = SpotCheckSample.draw(ids, share: share, seed: seed)
        return try await db.write { db in
            guard try await SpotCheckModel.query(on: db).filter(\.$unit.$id == unit!.id!).filter(\.$month == month).first() == nil else {
                throw AppError.conflict(field: "month", zh: "\(unit!.name) \(month) 已抽查过；每个单位每月抽查一次", en: "\(unit!.name) \(month) was already drawn")
            }
            let batch = SpotCheckModel()
            batch.$unit.id = unit!.id!
            batch.month = month
            batch.share = share
            batch.seed = seed
            batch.lines = ids.count
            batch.drawnBy = user.displayName
            batch.drawnAt = Date()
            try await batch.create(on: db)
            for id in sample {
                let item = SpotCheckItemModel()
                item.$spotCheck.id = batch.id!
                item.$record.id = UUID(uuidString: id)!
                try await item.create(on: db)
            }
            try await AuditTrail.record("spotcheck.draw", objectType: "unit", objectID: unit!.code,
                                        detail: "\(month) \(sample.count)/\(ids.count) seed \(seed)", by: .init(user), on: db)
            return batch
        }
    }

    /// Records one call back. Only a line of this sample can be answered; 不属实 marks the line doubtful.
    static func record(_ input: ResultInput, batch: UUID, by user: CurrentUser, on db: any Database) async throws {
        var check = FieldChecker()
        let result = check.choice("result", input.result, label: "抽查结果", as: SpotCheckResult.self)
        let student = check.text("student", input.student, label: "回访学生", max: 60, required: result != .unreachable)
        let note = check.text("note", input.note, label: "说明", max: 500, required: result == .denied)
        try check.throwIfInvalid()
        try await db.write { db in
            guard let itemID = input.item.flatMap(UUID.init(uuidString:)),
                  let item = try await SpotCheckItemModel.query(on: db).filter(\.$id == itemID).filter(\.$spotCheck.$id == batch).first() else {
                throw AppError.field("item", zh: "该记录不在本次抽查的样本中", en: "That line is not in this sample")
            }
            item.result = result!.rawValue
            item.student = student.flatMap { $0.isEmpty ? nil : $0 }
            item.note = note.flatMap { $0.isEmpty ? nil : $0 }
            item.checkedBy = user.displayName
            item.checkedAt = Date()
            try await item.save(on: db)
            if result == .denied, let record = try await ContactRecordModel.find(item.$record.id, on: db), !record.isVoided, record.submittedAt != nil {
                record.status = ContactRecord.Status.flagged.rawValue
                try await record.save(on: db)
            }
            try await AuditTrail.record("spotcheck.\(result!.rawValue)", objectType: "contact", objectID: item.$record.id.uuidString,
                                        detail: [student, note].compactMap { $0 }.joined(separator: "；"), by: .init(user), on: db)
        }
    }

    // MARK: Pages

    struct Summary: Sendable {
        var id: UUID
        var unitCode: String
        var unitName: String
        var month: String
        var share: Double
        var lines: Int
        var sampled: Int
        var counts: [SpotCheckResult: Int]
        var checked: Int { counts.values.reduce(0, +) }
    }

    static func summaries(for user: CurrentUser, on db: any Database) async throws -> [Summary] {
        var query = SpotCheckModel.query(on: db).with(\.$unit).with(\.$items).sort(\.$month, .descending)
        if let scope = try user.rosterUnitScope() { query = query.filter(\.$unit.$id == scope) }
        return try await query.all().map { batch in
            var counts: [SpotCheckResult: Int] = [:]
            for item in batch.items { if let result = item.result.flatMap(SpotCheckResult.init(rawValue:)) { counts[result, default: 0] += 1 } }
            return Summary(id: batch.id!, unitCode: batch.unit.code, unitName: batch.unit.name, month: batch.month, share: batch.share,
                           lines: batch.lines, sampled: batch.items.count, counts: counts)
        }
    }

    static func listPage(_ req: Request, input: DrawInput = DrawInput(), problems: [AppError.FieldProblem] = [],
                         status: HTTPResponseStatus = .ok) async throws -> Response {
        let user = try req.requireUser()
        let summaries = try await summaries(for: user, on: req.db)
        let units = user.role == .unitSecretary ? [] : try await UnitModel.query(on: req.db).filter(\.$active == true).all().inUniversityOrder()
        let ctx = PageContext(req)
        let lastMonth = LocalDate(req.now).adding(months: -1)
        let monthDefault = String(lastMonth.iso.prefix(7))
        // Per unit over every draw: what a unit's record of being checked looks like.
        var byUnit: [String: (name: String, sampled: Int, counts: [SpotCheckResult: Int])] = [:]
        for s in summaries {
            var entry = byUnit[s.unitCode] ?? (s.unitName, 0, [:])
            entry.sampled += s.sampled
            for (k, v) in s.counts { entry.counts[k, default: 0] += v }
            byUnit[s.unitCode] = entry
        }
        let results = SpotCheckResult.allCases
        return ctx.render(title: ctx.t("抽查", "Spot checks"), status: status, content: .group(
            .h1(.text(ctx.t("抽查回访", "Spot checks"))),
            .p(.class("muted"), .text(ctx.t("按单位和月份随机抽取一定比例的工作台账记录，逐条回访参与的学生核实。抽样由随机种子决定、可复核；核实为“不属实”的记录标为存疑待核，不再计入落实情况。",
                                            "A share of a unit's ledger lines of a month, drawn at random, each called back to a student who took part. The draw is reproducible from its seed; a line found untrue is marked doubtful and stops counting."))),
            .if(!units.isEmpty, .div(.class("panel"),
                .h2(.text(ctx.t("新的抽查", "New draw"))),
                Components.errorSummary(ctx, problems),
                .form(.method(.post), .action(SiteRoute.spotChecks.path()),
                      Layout.csrfField(ctx),
                      .div(.class("field"), .label(.for("unitCode"), .text(ctx.t("单位", "Unit"))),
                           .select(.id("unitCode"), .attribute(named: "name", value: "unitCode"),
                                   Components.option(value: "", text: ctx.t("请选择", "Choose"), selected: input.unitCode == nil),
                                   .forEach(units) { Components.option(value: $0.code, text: $0.name, selected: $0.code == input.unitCode) })),
                      Components.field(ctx, name: "month", label: ctx.t("月份", "Month"), value: input.month ?? monthDefault,
                                       hint: ctx.t("例如 2025-10", "e.g. 2025-10"), problems: problems),
                      Components.field(ctx, name: "percent", label: ctx.t("抽查比例（%）", "Share (%)"), value: input.percent ?? "10", problems: problems),
                      .button(.type(.submit), .text(ctx.t("抽取样本", "Draw")))))),
            .h2(.text(ctx.t("各单位抽查结果", "Results by unit"))),
            Components.table(ctx, headers: [ctx.t("单位", "Unit"), ctx.t("抽查条数", "Sampled")] + results.map { ctx.t($0.label) } + [ctx.t("待回访", "To call")],
                             rows: byUnit.sorted { $0.value.name < $1.value.name }.map { _, e in
                                 [Components.cell(e.name), Components.cell("\(e.sampled)")] + results.map { Components.cell("\(e.counts[$0] ?? 0)") }
                                     + [Components.cell("\(e.sampled - e.counts.values.reduce(0, +))")]
                             }, empty: .text(ctx.t("尚未抽查。", "No spot checks yet."))),
            .h2(.text(ctx.t("抽查批次", "Draws"))),
            .div(.class("toolbar"),
                 .a(.class("button secondary"), .href(SiteRoute.spotChecks.path(query: ["format": "xlsx"])), .text(ctx.t("导出 Excel", "Export .xlsx"))),
                 .a(.class("button secondary"), .href(SiteRoute.spotChecks.path(query: ["format": "csv"])), .text(ctx.t("导出 CSV", "Export .csv")))),
            Components.table(ctx, headers: [ctx.t("月份", "Month"), ctx.t("单位", "Unit"), ctx.t("比例", "Share"), ctx.t("记录 / 抽取", "Lines / sampled"),
                                            ctx.t("已回访", "Called"), ctx.t("不属实", "Denied")],
                             rows: summaries.map { s in
                                 [Components.cell(s.month, href: SiteRoute.spotCheck(s.id).path()), Components.cell(s.unitName),
                                  Components.cell("\(Int((s.share * 100).rounded())) %"), Components.cell("\(s.lines) / \(s.sampled)"),
                                  Components.cell("\(s.checked)"), Components.cell("\(s.counts[.denied] ?? 0)")]
                             }, empty: .text(ctx.t("尚未抽查。", "No spot checks yet.")), exports: [])
        ))
    }

    static func batchPage(_ req: Request, problems: [AppError.FieldProblem] = [], status: HTTPResponseStatus = .ok) async throws -> Response {
        let user = try req.requireUser()
        guard let batch = try await SpotCheckModel.query(on: req.db).filter(\.$id == req.idParameter()).with(\.$unit).first() else {
            throw AppError.notFound("spot-check")
        }
        if let scope = try user.rosterUnitScope(), batch.$unit.id != scope { throw AppError.notFound("spot-check") }
        let items = try await SpotCheckItemModel.query(on: req.db).filter(\.$spotCheck.$id == batch.id!)
            .with(\.$record) { $0.with(\.$cadre) }.all().sorted { $0.record.startAt < $1.record.startAt }
        let vocabulary = ComplianceService.vocabulary(on: LocalDate(req.now), in: try await ComplianceService.versions(on: req.db))
        let mayCheck = checkers.allows(user)
        let ctx = PageContext(req)
        let results = SpotCheckResult.allCases
        return ctx.render(title: ctx.t("抽查", "Spot check"),
                          breadcrumbs: [(ctx.t("抽查", "Spot checks"), SiteRoute.spotChecks.path()), ("\(batch.unit.name) \(batch.month)", nil)],
                          status: status,
                          content: .group(
            .h1(.text("\(batch.unit.name) \(batch.month) " + ctx.t("抽查", "spot check"))),
            .p(.class("muted"), .text(ctx.t("本月记录 \(batch.lines) 条，按 \(Int((batch.share * 100).rounded())) % 抽取 \(items.count) 条；\(batch.drawnBy) 于 \(AdminPages.timestamp(batch.drawnAt).prefix(16)) 抽取，随机种子 \(batch.seed)。",
                                            "\(batch.lines) lines this month; \(items.count) drawn at \(Int((batch.share * 100).rounded())) % by \(batch.drawnBy) on \(AdminPages.timestamp(batch.drawnAt).prefix(16)), seed \(batch.seed)."))),
            Components.errorSummary(ctx, problems),
            .forEach(items) { item in
                let record = item.record
                let result = item.result.flatMap(SpotCheckResult.init(rawValue:))
                return .div(.class("panel spot-item"), .id("item-\(item.id!.uuidString)"),
                    .h3(.a(.href(SiteRoute.ledgerRecord(record.id!).path()),
                           .text("\(record.cadre.name) · \(AdminPages.timestamp(record.startAt).prefix(16)) · \(vocabulary.kind(record.kind).map { ctx.t($0.label) } ?? record.kind)"))),
                    .p(.text(ctx.t("地点：", "Place: ") + record.place + ctx.t("；学生集体：", "; collectives: ") + record.collectiveCodes
                             + ctx.t("；\(record.participantCount) 人次，学生确认 \(record.confirmedCount) 人", "; \(record.participantCount) person-times, \(record.confirmedCount) confirmations"))),
                    .unwrap(result) { r in
                        .p(.strong(.text(ctx.t("回访结果：", "Result: ") + ctx.t(r.label))),
                           .text([item.student, item.note, item.checkedBy].compactMap { $0 }.joined(separator: " · ")))
                    },
                    .if(mayCheck, .form(.method(.post), .action(SiteRoute.spotCheck(batch.id!).path()), .class("inline-form"),
                        Layout.csrfField(ctx),
                        .input(.type(.hidden), .name("item"), .value(item.id!.uuidString)),
                        .select(.attribute(named: "name", value: "result"), .attribute(named: "aria-label", value: ctx.t("回访结果", "Result")),
                                .forEach(results) { Components.option(value: $0.rawValue, text: ctx.t($0.label), selected: $0 == result) }),
                        .input(.type(.text), .name("student"), .value(item.student ?? ""), .placeholder(ctx.t("回访学生（姓名或学号）", "Student called (name or number)"))),
                        .input(.type(.text), .name("note"), .value(item.note ?? ""), .placeholder(ctx.t("说明（不属实时必填）", "Note (required when denied)"))),
                        .button(.type(.submit), .text(result == nil ? ctx.t("记录", "Record") : ctx.t("更正", "Correct"))))))
            }
        ))
    }

    static func register(_ app: Application) {
        app.routes.on(.GET, SitePattern.spotChecks.components, access: readers) { req -> Response in
            guard let format = req.query[String.self, at: "format"] else { return try await listPage(req) }
            let rows = try await summaries(for: try req.requireUser(), on: req.db).map { s in
                [s.month, s.unitName, "\(Int((s.share * 100).rounded())) %", "\(s.lines)", "\(s.sampled)"]
                    + SpotCheckResult.allCases.map { "\(s.counts[$0] ?? 0)" } + ["\(s.sampled - s.checked)"]
            }
            return try ImportExport.table(header: ["月份", "单位", "比例", "记录", "抽取"] + SpotCheckResult.allCases.map(\.label.zh) + ["待回访"],
                                          rows: rows, format: format, name: "抽查回访", ascii: "spot-checks")
        }
        app.routes.on(.POST, SitePattern.spotChecks.components, access: checkers) { req -> Response in
            let input = try req.content.decode(DrawInput.self)
            do {
                let batch = try await draw(input, by: try req.requireUser(), today: LocalDate(req.now), on: req.db, app: req.application)
                return req.redirect(to: SiteRoute.spotCheck(batch.id!).path())
            } catch let error as AppError where [.unprocessableEntity, .conflict].contains(error.status) {
                return try await listPage(req, input: input, problems: error.details.isEmpty ? [.init(field: "month", message: error.message)] : error.details,
                                          status: error.status)
            }
        }
        app.routes.on(.GET, SitePattern.spotCheck.components, access: readers) { req in try await batchPage(req) }
        app.routes.on(.POST, SitePattern.spotCheck.components, access: checkers) { req -> Response in
            let id = try req.idParameter()
            let input = try req.content.decode(ResultInput.self)
            guard try await SpotCheckModel.find(id, on: req.db) != nil else { throw AppError.notFound("spot-check") }
            do {
                try await record(input, batch: id, by: try req.requireUser(), on: req.db)
            } catch let error as AppError where error.status == .unprocessableEntity {
                return try await batchPage(req, problems: error.details, status: .unprocessableEntity)
            }
            return req.redirect(to: SiteRoute.spotCheck(id).path() + "#item-\(input.item ?? "")")
        }
    }
}
