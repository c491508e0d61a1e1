import Fluent
import Foundation
import Plot
import Vapor
import YixianCore

/// Feeds the ledger to the integrity detectors and keeps the last answer while the data is unchanged.
enum IntegrityService {
    /// Whose a filed record is and when it began: what the flag list shows and scopes by.
    struct RecordFact: Sendable {
        var start: Date
        var cadre: String
        var cadreID: UUID
        var unitID: UUID
    }

    /// The detectors' answer with the record facts read for it, kept together so a page view
    /// neither re-reads the ledger nor runs a second query to scope or describe the flags.
    struct Snapshot: Sendable {
        var flags: [IntegrityFlag]
        var records: [String: RecordFact]
    }

    static func inputs(on db: any Database) async throws -> (inputs: [IntegrityInput], records: [String: RecordFact]) {
        let cadres = Dictionary(uniqueKeysWithValues: try await CadreModel.query(on: db).all().map { ($0.id!, $0) })
        let attachments = Dictionary(grouping: try await AttachmentModel.query(on: db).all(), by: { $0.$record.id })
        var records: [String: RecordFact] = [:]
        let inputs = try await ContactRecordModel.query(on: db).filter(\.$submittedAt != nil).all().compactMap { r -> IntegrityInput? in
            guard let cadre = cadres[r.$cadre.id] else { return nil }
            let files = attachments[r.id!] ?? []
            records[r.id!.uuidString] = RecordFact(start: r.startAt, cadre: cadre.name, cadreID: cadre.id!, unitID: cadre.$unit.id)
            return IntegrityInput(record: r.core(staffNumber: cadre.staffNumber), createdAt: r.submittedAt ?? r.createdAt, summary: r.summary,
                                  attachmentHashes: files.map(\.sha256), photoCaptureTimes: files.compactMap(\.captureTime),
                                  backdateReason: r.backdateReason)
        }
        return (inputs, records)
    }

    static func snapshot(on db: any Database, cache: Cache) async throws -> Snapshot {
        let key = try await ComplianceService.stamp(on: db) + "|\(try await AttachmentModel.query(on: db).count())"
        if let hit = await cache.get(key) { return hit }
        let years = try await CalendarAPI.load(on: db)
        let periods = years.flatMap(\.terms).map { IntegrityPeriod(name: Localized(zh: $0.name, en: $0.id), range: $0.range) }
        let vocabulary = try await LedgerService.vocabulary(on: db)
        let (inputs, records) = try await inputs(on: db)
        let flags = IntegrityDetector.flags(records: inputs, periods: periods,
                                            kindsExpectingStudents: Set(vocabulary.kinds.filter(\.inPerson).map(\.code)),
                                            asOf: LocalDate(Date()), rules: IntegrityRules(backdateWindowDays: LedgerService.backdateWindowDays))
        let snapshot = Snapshot(flags: flags, records: records)
        await cache.put(key, snapshot)
        return snapshot
    }

    /// One record's flags as this reader may see them (a shared flag is cut to the reader's scope).
    static func flags(for recordID: String, visibleTo user: CurrentUser, on db: any Database, cache: Cache) async throws -> [IntegrityFlag] {
        try await visible(to: user, on: db, cache: cache).flags.filter { $0.recordIDs.contains(recordID) }
    }

    /// What a reader may see: every flag, or for a unit secretary those touching the unit's records.
    static func visible(to user: CurrentUser, on db: any Database, cache: Cache) async throws -> Snapshot {
        var snapshot = try await snapshot(on: db, cache: cache)
        let inScope: (RecordFact) -> Bool
        switch user.scope {
        case .institution: return snapshot
        case .unit: let unit = try user.rosterUnitScope(); inScope = { $0.unitID == unit }
        case .own: let cadre = user.cadreID; inScope = { cadre != nil && $0.cadreID == cadre }
        }
        let records = snapshot.records
        snapshot.flags = snapshot.flags.compactMap { flag in
            let own = flag.recordIDs.filter { records[$0].map(inScope) ?? false }
            guard !own.isEmpty else { return nil }
            let others = flag.recordIDs.count - own.count
            guard others > 0 else { return flag }
            // A flag shared with another unit's records: the secretary sees that it exists, not
            // the other unit's records, cadres or wording (which the full reason may quote).
            return IntegrityFlag(kind: flag.kind, recordIDs: own, reason: Localized(
                zh: "你可查看的 \(own.count) 条记录与范围外的 \(others) 条记录同有此情况；范围外记录的详情不显示。",
                en: "\(own.count) record(s) you may see share this with \(others) record(s) outside your scope, whose details are not shown."))
        }
        snapshot.records = records.filter { inScope($0.value) }
        return snapshot
    }

    actor Cache {
        private var entry: (String, Snapshot)?
        func get(_ key: String) -> Snapshot? { entry?.0 == key ? entry?.1 : nil }
        func put(_ key: String, _ snapshot: Snapshot) { entry = (key, snapshot) }
    }

    struct CacheKey: StorageKey { typealias Value = Cache }

    /// The assessor's list: every flag in scope, newest records first, each linking to its record.
    static func register(_ app: Application) {
        app.routes.on(.GET, SiteRoute.integrity.components, access: .capability(.readCompliance)) { req -> Response in
            let ctx = PageContext(req)
            let user = try req.requireUser()
            let visible = try await visible(to: user, on: req.db, cache: req.application.integrityCache)
            var flags = visible.flags
            let records = visible.records
            let kindFilter = req.query[String.self, at: "kind"].flatMap(IntegrityFlagKind.init(rawValue:))
            let counts = Dictionary(grouping: flags, by: \.kind).mapValues(\.count)
            if let kindFilter { flags = flags.filter { $0.kind == kindFilter } }
            // Newest first, by the latest record a flag names; each row says whose records and when.
            func latest(_ flag: IntegrityFlag) -> Date { flag.recordIDs.compactMap { records[$0]?.start }.max() ?? .distantPast }
            flags.sort { (latest($0), $0.recordIDs.first ?? "") > (latest($1), $1.recordIDs.first ?? "") }
            let per = 100
            let pageCount = max(1, (flags.count + per - 1) / per)
            let page = min(max(1, req.query[Int.self, at: "page"] ?? 1), pageCount)
            let shown = flags.dropFirst((page - 1) * per).prefix(per)
            func link(_ page: Int) -> String {
                SiteRoute.integrity.path(query: ["page": String(page)].merging(kindFilter.map { ["kind": $0.rawValue] } ?? [:]) { a, _ in a })
            }
            return .html(Layout.page(ctx, title: ctx.t("诚信提示", "Integrity flags"), content: .group(
                .h1(.text(ctx.t("台账诚信提示", "Ledger integrity flags"))),
                .p(.class("muted"), .text(ctx.t("提示不等于认定，请结合佐证材料核实。", "A flag is a prompt to check, not a finding."))),
                .div(.class("cards"), .forEach(IntegrityFlagKind.allCases) { kind in
                    Components.card("\(counts[kind] ?? 0)", ctx.t(kind.label), href: SiteRoute.integrity.path(query: ["kind": kind.rawValue]))
                }),
                Components.table(ctx, headers: [ctx.t("日期", "Date"), ctx.t("干部", "Cadre"), ctx.t("类型", "Kind"), ctx.t("原因", "Reason"), ctx.t("记录", "Records")],
                                 rows: shown.map { flag in
                                     let facts = flag.recordIDs.compactMap { records[$0] }
                                     let names = Array(Set(facts.map(\.cadre))).sorted().joined(separator: "、")
                                     return [Components.cell(facts.map(\.start).max().map { LocalDate($0).iso } ?? "—"), Components.cell(names),
                                             Components.cell(ctx.t(flag.kind.label)), Components.cell(ctx.t(flag.reason)),
                                             .td(.forEach(Array(flag.recordIDs.prefix(5).enumerated())) { n, id in
                                                 .a(.href("/ledger/\(id)"), .text(ctx.t("记录 \(n + 1) ", "record \(n + 1) ")))
                                             })]
                                 }, empty: .text(ctx.t("没有诚信提示。", "No flags."))),
                Components.pager(ctx, page: page, per: per, total: flags.count, link: link)
            )))
        }
    }
}

extension Application {
    /// One per application (created in `configure`), so two apps in one process never share answers.
    var integrityCache: IntegrityService.Cache { storage[IntegrityService.CacheKey.self]! }
}
