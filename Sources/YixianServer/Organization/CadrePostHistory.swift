import Fluent
import Foundation
import YixianCore

/// One stretch of a cadre's posts in one unit (`cadre_posts`).
final class CadrePostModel: Model, @unchecked Sendable {
    static let schema = "cadre_posts"
    @ID var id: UUID?
    @Parent(key: "cadre_id") var cadre: CadreModel
    @Parent(key: "unit_id") var unit: UnitModel
    /// Joined by `、`, as `CadreModel.posts`.
    @Field(key: "posts") var posts: String
    /// ISO day the stretch began; nil when it began before the roster kept history.
    @OptionalField(key: "started_on") var startedOn: String?
    /// ISO day the row was written.
    @Field(key: "recorded_on") var recordedOn: String
    /// ISO day of the last day; nil while it runs.
    @OptionalField(key: "ended_on") var endedOn: String?

    init() {}
}

/// Keeps `cadre_posts` in step with `cadres`: every write that creates a cadre or changes their
/// posts or unit calls `record` in the same transaction.
enum CadrePostHistory {
    /// The roster has no clock of its own (imports run from the CLI too): the day in China.
    static func today() -> LocalDate { LocalDate(Date()) }

    static func opening(_ cadre: CadreModel, startedOn: LocalDate?, today: LocalDate) -> CadrePostModel {
        let row = CadrePostModel()
        row.id = UUID()
        row.$cadre.id = cadre.id!
        row.$unit.id = cadre.$unit.id
        row.posts = cadre.posts
        row.startedOn = startedOn?.iso
        row.recordedOn = today.iso
        return row
    }

    /// After `cadre` was saved: a new cadre opens a row of unknown start (they held the post before
    /// they were entered); a cadre whose posts or unit differ from the open row closes it yesterday and
    /// opens one from today. Unchanged cadres are left alone.
    static func record(_ cadre: CadreModel, isNew: Bool, on db: any Database, today: LocalDate = today()) async throws {
        if isNew {
            try await opening(cadre, startedOn: nil, today: today).create(on: db)
            return
        }
        let open = try await CadrePostModel.query(on: db).filter(\.$cadre.$id == cadre.id!).filter(\.$endedOn == nil).first()
        if let open, open.posts == cadre.posts, open.$unit.id == cadre.$unit.id { return }
        if let open {
            // A change on the day the row was opened replaces it: a day has one set of posts.
            if (open.startedOn ?? open.recordedOn) == today.iso {
                open.posts = cadre.posts
                open.$unit.id = cadre.$unit.id
                try await open.save(on: db)
                return
            }
            open.endedOn = today.adding(days: -1).iso
            try await open.save(on: db)
        }
        try await opening(cadre, startedOn: open == nil ? nil : today, today: today).create(on: db)
    }

    /// The cadre's stretches as the core reads them, oldest first.
    static func spells(of cadreID: UUID, unitCodes: [UUID: String], on db: any Database) async throws -> [AppointmentCheck.Spell] {
        try await CadrePostModel.query(on: db).filter(\.$cadre.$id == cadreID).all().compactMap { row in
            guard let recorded = LocalDate(row.recordedOn) else { return nil }
            return AppointmentCheck.Spell(unitCode: unitCodes[row.$unit.id] ?? "", posts: row.posts.split(separator: "、").map(String.init),
                                          from: row.startedOn.flatMap(LocalDate.init), recordedFrom: recorded,
                                          to: row.endedOn.flatMap(LocalDate.init))
        }.sorted { ($0.from ?? $0.recordedFrom) < ($1.from ?? $1.recordedFrom) }
    }
}
