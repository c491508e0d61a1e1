import Fluent
import Foundation
import Plot
import Vapor
import YixianCore

/// Feeds the ledger to the integrity detectors and keeps the last answer while the data is unchanged.
enum IntegrityService {
    static func inputs(on db: any Database) async throws -> [IntegrityInput] {
        let staff = Dictionary(uniqueKeysWithValues: try await CadreModel.query(on: db).all().map { ($0.id!, $0.staffNumber) })
        let attachments = Dictionary(grouping: try await AttachmentModel.query(on: db).all(), by: { $0.$record.id })
        return try await ContactRecordModel.query(on: db).filter(\.$submittedAt != nil).all().compactMap { r in
            guard let number = staff[r.$cadre.id] else { return nil }
            let files = attachments[r.id!] ?? []
            return IntegrityInput(record: r.core(staffNumber: number), createdAt: r.submittedAt ?? r.createdAt, summary: r.summary,
                                  attachmentHashes: files.map(\.sha256), photoCaptureTimes: files.compactMap(\.captureTime),
                                  backdateReason: r.backdateReason)
        }
    }

    static func all(on db: any Database, cache: Cache) async throws -> [IntegrityFlag] {
        let key = try await ComplianceService.stamp(on: db) + "|\(try await AttachmentModel.query(on: db).count())"
        if let hit = await cache.get(key) { return hit }
        let years = try await CalendarAPI.load(on: db)
        let periods = years.flatMap(\.terms).map { IntegrityPeriod(name: Localized(zh: $0.name, en: $0.id), range: $0.range) }
        let vocabulary = try await LedgerService.vocabulary(on: db)
        let flags = IntegrityDetector.flags(records: try await inputs(on: db), periods: periods,
                                            kindsExpectingStudents: Set(vocabulary.kinds.filter(\.inPerson).map(\.code)),
                                            asOf: LocalDate(Date()), rules: IntegrityRules(backdateWindowDays: LedgerService.backdateWindowDays))
        await cache.put(key, flags)
        return flags
    }

    static func flags(for recordID: String, on db: any Database, cache: Cache) async throws -> [IntegrityFlag] {
        try await all(on: db, cache: cache).filter { $0.recordIDs.contains(recordID) }
    }

    /// The flags a reader may see: all of them, or for a unit secretary those touching the unit's records.
    static func visible(to user: CurrentUser, on db: any Database, cache: Cache) async throws -> [IntegrityFlag] {
        let flags = try await all(on: db, cache: cache)
        guard let scope = try user.rosterUnitScope() else { return flags }
        // Only the ids of the unit's records: the flags themselves are already computed.
        let unitRecords = Set(try await ContactRecordModel.query(on: db)
            .join(CadreModel.self, on: \ContactRecordModel.$cadre.$id == \CadreModel.$id)
            .filter(CadreModel.self, \.$unit.$id == scope).all(\.$id).map(\.uuidString))
        return flags.filter { $0.recordIDs.contains(where: unitRecords.contains) }
    }

    /// When each filed record began and whose it is, for listing flags.
    static func recordFacts(on db: any Database) async throws -> [String: (start: Date, cadre: String)] {
        let names = Dictionary(uniqueKeysWithValues: try await CadreModel.query(on: db).all().map { ($0.id!, $0.name) })
        var facts: [String: (start: Date, cadre: String)] = [:]
        for record in try await ContactRecordModel.query(on: db).filter(\.$submittedAt != nil).field(\.$id).field(\.$startAt).field(\.$cadre.$id).all() {
            facts[record.id!.uuidString] = (record.startAt, names[record.$cadre.id] ?? "")
        }
        return facts
    }

    actor Cache {
        private var entry: (String, [IntegrityFlag])?
        func get(_ key: String) -> [IntegrityFlag]? { entry?.0 == key ? entry?.1 : nil }
        func put(_ key: String, _ flags: [IntegrityFlag]) { entry = (key, flags) }
    }

    struct CacheKey: StorageKey { typealias Value = Cache }

    /// The assessor's list: every flag in scope, newest records first, each linking to its record.
    static func register(_ app: Application) {
        app.routes.on(.GET, SiteRoute.integrity.components, access: .capability(.readCompliance)) { req -> Response in
            let ctx = PageContext(req)
            let user = try req.requireUser()
            var flags = try await visible(to: user, on: req.db, cache: req.application.integrityCache)
            let kindFilter = req.query[String.self, at: "kind"].flatMap(IntegrityFlagKind.init(rawValue:))
            let counts = Dictionary(grouping: flags, by: \.kind).mapValues(\.count)
            if let kindFilter { flags = flags.filter { $0.kind == kindFilter } }
            // Newest first, by the latest record a flag names; each row says whose records and when.
            let records = try await recordFacts(on: req.db)
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
