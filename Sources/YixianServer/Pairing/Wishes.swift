import Fluent
import Plot
import Vapor
import YixianCore

/// A cadre's wishes for the year's pairing (志愿): preferred collectives or kinds, and expertise.
final class PairingWishModel: Model, @unchecked Sendable {
    static let schema = "pairing_wishes"
    @ID var id: UUID?
    @Parent(key: "cadre_id") var cadre: CadreModel
    @Field(key: "academic_year") var academicYear: String
    /// Comma-joined lists.
    @Field(key: "collective_codes") var collectiveCodes: String
    @Field(key: "collective_kinds") var collectiveKinds: String
    @Field(key: "expertise") var expertise: String
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    static func list(_ text: String) -> [String] { text.split(separator: ",").map(String.init) }
}

struct WishInput: Content {
    var collectiveCodes: [String]?
    var collectiveKinds: [String]?
    var expertise: [String]?
}

struct WishDTO: Content {
    var staffNumber: String
    var academicYear: String
    var collectiveCodes: [String]
    var collectiveKinds: [String]
    var expertise: [String]
}

enum WishPages {
    struct WishForm: Content {
        var collectiveCodes: String?
        var collectiveKinds: [String]?
        var expertise: String?
    }

    static func save(_ input: WishInput, by user: CurrentUser, today: LocalDate, on db: any Database) async throws -> WishDTO {
        let cadre = try await LedgerService.ownCadre(user, on: db)
        guard let year = try await PairingService.currentYear(on: db, asOf: today) else {
            throw AppError(.conflict, code: .noCalendar, zh: "尚未设置校历，无法填报志愿", en: "No academic calendar yet")
        }
        var check = FieldChecker()
        let codes = (input.collectiveCodes ?? []).prefix(10).compactMap { check.code("collectiveCodes", $0, label: "集体代码") }
        let kinds = (input.collectiveKinds ?? []).compactMap { check.choice("collectiveKinds", $0, label: "集体类型", as: CollectiveKind.self)?.rawValue }
        let expertise = (input.expertise ?? []).prefix(10).compactMap { check.text("expertise", $0, label: "专长", max: 30) }
        try check.throwIfInvalid()
        let known = Set(try await CollectiveModel.query(on: db).filter(\.$code ~~ codes).all().map(\.code))
        if let unknown = codes.first(where: { !known.contains($0) }) {
            throw AppError.field("collectiveCodes", zh: "集体代码“\(unknown)”不存在", en: "Unknown collective \(unknown)")
        }
        return try await db.write { db in
            let model = try await PairingWishModel.query(on: db).filter(\.$cadre.$id == cadre.id!).filter(\.$academicYear == year.id).first() ?? {
                let m = PairingWishModel(); m.$cadre.id = cadre.id!; m.academicYear = year.id; return m
            }()
            model.collectiveCodes = codes.joined(separator: ",")
            model.collectiveKinds = kinds.joined(separator: ",")
            model.expertise = expertise.joined(separator: ",")
            try await model.save(on: db)
            try await AuditTrail.record("pairing.wish", objectType: "cadre", objectID: cadre.staffNumber, by: .init(user), on: db)
            return WishDTO(staffNumber: cadre.staffNumber, academicYear: year.id, collectiveCodes: codes, collectiveKinds: kinds, expertise: expertise)
        }
    }

    /// The wishes matching reads.
    static func matchingWishes(year: String, on db: any Database) async throws -> [MatchingWish] {
        let staff = Dictionary(uniqueKeysWithValues: try await CadreModel.query(on: db).all().map { ($0.id!, $0.staffNumber) })
        return try await PairingWishModel.query(on: db).filter(\.$academicYear == year).all().compactMap { w in
            staff[w.$cadre.id].map {
                MatchingWish(staffNumber: $0, collectiveCodes: PairingWishModel.list(w.collectiveCodes),
                             collectiveKinds: PairingWishModel.list(w.collectiveKinds).compactMap(CollectiveKind.init(rawValue:)),
                             expertise: PairingWishModel.list(w.expertise))
            }
        }
    }

    static func register(_ app: Application) {
        app.register(.init(method: .PUT, path: "/pairings/wishes", summary: "A cadre's pairing wishes for the current year (志愿)", tag: "Pairing",
                           access: .roles([.cadre]), requestBody: "WishInput", response: "Wish")) { req in
            try await save(try req.decodeJSON(WishInput.self), by: try req.requireUser(), today: LocalDate(req.now), on: req.db)
        }
        app.routes.on(.GET, SitePattern.pairingWishes.components, access: .roles([.cadre])) { req -> Response in
            render(req, try await WishPageModel.load(req, typed: nil, problems: [], saved: req.query[String.self, at: "saved"] != nil))
        }
        app.routes.on(.POST, SitePattern.pairingWishes.components, access: .roles([.cadre])) { req -> Response in
            let form = try req.content.decode(WishForm.self)
            func split(_ text: String?) -> [String] { (text ?? "").split { "、，,; \n".contains($0) }.map(String.init) }
            // Cadres know their collectives by name (计算机2302班), not by code: either is accepted.
            let entries = split(form.collectiveCodes)
            let byName = Dictionary(try await CollectiveModel.query(on: req.db).filter(\.$name ~~ entries).filter(\.$active == true).all()
                .map { ($0.name, $0.code) }, uniquingKeysWith: { a, _ in a })
            do {
                _ = try await save(WishInput(collectiveCodes: entries.map { byName[$0] ?? $0 }, collectiveKinds: form.collectiveKinds, expertise: split(form.expertise)),
                                   by: try req.requireUser(), today: LocalDate(req.now), on: req.db)
                return req.redirect(to: SiteRoute.pairingWishes.path(query: ["saved": "1"]))
            } catch let error as AppError where error.status == .unprocessableEntity {
                return render(req, try await WishPageModel.load(req, typed: form, problems: error.details, saved: false), status: .unprocessableEntity)
            }
        }
    }

    static func render(_ req: Request, _ model: WishPageModel, status: HTTPResponseStatus = .ok) -> Response {
        let ctx = PageContext(req)
        return ctx.render(title: ctx.t("结对志愿", "Pairing wishes"), status: status, content: view(ctx, model))
    }

    static func view(_ ctx: PageContext, _ m: WishPageModel) -> Node<HTML.BodyContext> {
        let boxes: [Node<HTML.FormContext>] = CollectiveKind.allCases.map { kind in
            .raw("<label class=\"check\"><input type=\"checkbox\" name=\"collectiveKinds[]\" value=\"\(kind.rawValue)\"\(m.kinds.contains(kind.rawValue) ? " checked" : "")> \(Components.escape(ctx.t(kind.label)))</label>")
        }
        return .group(
            .h1(.text(ctx.t("\(m.yearName.zh)结对志愿", "Pairing wishes, \(m.yearName.en)"))),
            .p(.class("muted"), .text(ctx.t("业务管理员做人岗匹配时会优先考虑您的志愿。", "The business admin's matching prefers your wishes."))),
            Components.notice(m.saved ? ctx.t("志愿已保存。", "Your wishes are saved.") : nil),
            Components.errorSummary(ctx, m.problems),
            .form(.method(.post), .action(SiteRoute.pairingWishes.path()),
                  Layout.csrfField(ctx),
                  .div(.class("field"), .span(.class("legend"), .text(ctx.t("希望联系的集体类型", "Preferred kinds"))), .div(.class("checks"), .forEach(boxes) { $0 })),
                  Components.field(ctx, name: "collectiveCodes", label: ctx.t("希望联系的学生集体（名称或代码，可多个，用逗号分隔）", "Preferred collectives (names or codes, comma-separated)"),
                                   value: m.collectives, hint: ctx.t("例如：计算机2302班，机械学院学生会", "e.g. 计算机2302班, 机械学院学生会"), problems: m.problems),
                  Components.field(ctx, name: "expertise", label: ctx.t("专长（可多个）", "Expertise"), value: m.expertise, problems: m.problems),
                  .button(.type(.submit), .text(ctx.t("保存志愿", "Save"))))
        )
    }
}

/// The wish form of the signed-in cadre: what was typed when it comes back refused, else what is saved.
struct WishPageModel: Sendable {
    var yearName: Localized
    var kinds: Set<String>
    /// As the field shows them: names where known, joined with "，".
    var collectives: String
    var expertise: String
    var saved: Bool
    var problems: [AppError.FieldProblem]

    static func load(_ req: Request, typed: WishPages.WishForm?, problems: [AppError.FieldProblem], saved: Bool) async throws -> WishPageModel {
        let cadre = try await LedgerService.ownCadre(try req.requireUser(), on: req.db)
        let year = try await PairingService.currentYear(on: req.db, asOf: LocalDate(req.now))
        let wish = try await year.asyncMap { y in try await PairingWishModel.query(on: req.db).filter(\.$cadre.$id == cadre.id!).filter(\.$academicYear == y.id).first() } ?? nil
        let savedCodes = wish.map { PairingWishModel.list($0.collectiveCodes) } ?? []
        let names = Dictionary(try await CollectiveModel.query(on: req.db).filter(\.$code ~~ savedCodes).all().map { ($0.code, $0.name) },
                               uniquingKeysWith: { a, _ in a })
        return WishPageModel(
            yearName: year?.label ?? Localized(zh: "", en: ""),
            kinds: Set(typed.map { $0.collectiveKinds ?? [] } ?? wish.map { PairingWishModel.list($0.collectiveKinds) } ?? []),
            collectives: typed?.collectiveCodes ?? savedCodes.map { names[$0] ?? $0 }.joined(separator: "，"),
            expertise: typed?.expertise ?? wish.map { PairingWishModel.list($0.expertise).joined(separator: "，") } ?? "",
            saved: saved, problems: problems)
    }
}
