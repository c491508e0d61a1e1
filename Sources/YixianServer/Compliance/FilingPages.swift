import Fluent
import Foundation
import Plot
import Vapor
import YixianCore

struct FilingInput: Content {
    var unitCode: String?
    var kind: String?
    var termCode: String?
    var period: String?
    var submittedOn: String?
    /// Required when the unit already filed this kind for the term (and month): the filing is corrected, not doubled.
    var reason: String?
    /// A cadre's own filing (每位校领导每学期提交 1 份报告, §4.16): whose it is. A cadre files only their own.
    var cadreStaffNumber: String?
}

struct FilingDTO: Content {
    struct Attachment: Content {
        var id: UUID
        var name: String
        var kind: String
        var size: Int
    }

    var id: UUID
    var unitCode: String
    var unitName: String
    var kind: String
    var kindLabel: Localized
    var termCode: String
    var period: String?
    var submittedOn: String
    /// The cadre a personal filing is from; absent for the unit's own.
    var cadreStaffNumber: String?
    var attachments: [Attachment]
}

/// The files of the filing form (multipart); absent from JSON posts.
struct FilingFiles: Content {
    var files: [File]?

    var uploads: [EvidenceService.Upload] {
        (files ?? []).filter { $0.data.readableBytes > 0 }.map { EvidenceService.Upload(name: $0.filename, data: Data(buffer: $0.data)) }
    }
}

/// 报送: a unit records that it filed its plan, summary or meeting (the filing rules of the policy
/// count these). A unit secretary files for their own unit, the business admin for any unit.
enum FilingPages {
    /// The kinds the active policies know: the standard ones and each version's own.
    static func kinds(on db: any Database) async throws -> [FilingKind] {
        var kinds = FilingKind.standard
        for version in try await ComplianceService.versions(on: db) {
            for kind in version.policy.filingKinds where !kinds.contains(where: { $0.code == kind.code }) { kinds.append(kind) }
        }
        return kinds
    }

    static func validated(_ input: FilingInput, for user: CurrentUser, today: LocalDate, on db: any Database) async throws -> FilingModel {
        var check = FieldChecker()
        let kinds = try await kinds(on: db)
        let terms = try await CalendarAPI.load(on: db).flatMap(\.terms)
        var unit: UnitModel?
        if user.role == .cadre {
            // A cadre files for themself, in their own unit (§4.16).
            if let id = user.cadreID, let me = try await CadreModel.find(id, on: db) { unit = try await UnitModel.find(me.$unit.id, on: db) }
        } else if let unitCode = try user.rosterUnitScope() == nil ? input.unitCode : user.unitCode {
            unit = try await UnitModel.query(on: db).filter(\.$code == unitCode).filter(\.$active == true).first()
        }
        if unit == nil { check.fail("unitCode", zh: "请选择报送单位", en: "Choose the unit that files") }
        let kind = input.kind.flatMap { code in kinds.first { $0.code == code } }
        if kind == nil { check.fail("kind", zh: "请选择报送内容", en: "Choose what is filed") }
        // A cadre's own report of such a kind is theirs, not a college's (§4.16).
        if let kind, FilingKind.schoolLevelCodes.contains(kind.code), user.role != .cadre, try user.rosterUnitScope() != nil {
            check.fail("kind", zh: "“\(kind.label.zh)”由学校报送，学院不能报送", en: "\(kind.label.en) is filed by the university, not by a college")
        }
        let term = input.termCode.flatMap { code in terms.first { $0.id == code } }
        if term == nil { check.fail("termCode", zh: "请选择所属学期", en: "Choose the term") }
        // A summary for a term that has not begun cannot be true yet.
        if let term, term.range.start > today {
            check.fail("termCode", zh: "\(term.name)尚未开始，不能报送", en: "\(term.label.en) has not begun; nothing can be filed for it yet")
        }
        var period: String?
        if let raw = input.period?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            // A monthly filing names its month, a weekly one its ISO week (2025-W41); nothing else has a period of its own.
            if let month = LocalDate(raw + "-01"), raw.count == 7, term.map({ $0.range.start.adding(months: -1) <= month && month <= $0.range.end }) ?? true {
                period = raw
            } else if let week = Self.isoWeek(raw), term.map({ $0.range.start.startOfWeek <= week && week <= $0.range.end }) ?? true {
                period = raw
            } else {
                check.fail("period", zh: "所属月份应为学期内的 YYYY-MM（例如 2025-10），所属周应为 YYYY-Www（例如 2025-W41）",
                           en: "The month must be YYYY-MM within the term (e.g. 2025-10), the week YYYY-Www (e.g. 2025-W41)")
            }
        }
        let cadreStaff = try await cadreOfFiling(input.cadreStaffNumber, unit: unit, by: user, check: &check, on: db)
        let submitted = check.date("submittedOn", input.submittedOn, label: "报送日期")
        if let submitted, submitted > today {
            check.fail("submittedOn", zh: "报送日期不能晚于今天", en: "The filing date cannot be in the future")
        }
        try check.throwIfInvalid()
        let model = FilingModel()
        model.$unit.id = unit!.id!
        model.termCode = term!.id
        model.kind = kind!.code
        model.periodID = period
        model.submittedOn = submitted!.iso
        model.cadreStaffNumber = cadreStaff
        return model
    }

    /// The Monday of an ISO week written `2025-W41`, or nil.
    static func isoWeek(_ text: String) -> LocalDate? {
        let parts = text.split(separator: "-W")
        guard parts.count == 2, text.count == 8, let year = Int(parts[0]), let week = Int(parts[1]), (1...53).contains(week),
              let jan4 = LocalDate(year: year, month: 1, day: 4) else { return nil }
        let monday = jan4.startOfWeek.adding(days: 7 * (week - 1))
        return Period.week(containing: monday).id == text ? monday : nil
    }

    /// The staff number a personal filing names, checked: a cadre that exists, of the filing unit; a cadre user
    /// names themself, and must. Problems go to `check` under `cadreStaffNumber`.
    static func cadreOfFiling(_ raw: String?, unit: UnitModel?, by user: CurrentUser, check: inout FieldChecker,
                              on db: any Database) async throws -> String? {
        let staff = raw?.trimmingCharacters(in: .whitespaces) ?? ""
        guard !staff.isEmpty else {
            if user.role == .cadre {
                check.fail("cadreStaffNumber", zh: "干部只能报送本人的材料：请填写本人工号", en: "A cadre files their own only: give your staff number")
            }
            return nil
        }
        guard staff.count <= 40, let cadre = try await CadreModel.query(on: db).filter(\.$staffNumber == staff).first() else {
            check.fail("cadreStaffNumber", zh: "没有工号为「\(staff.prefix(40))」的干部", en: "No cadre has the staff number “\(staff.prefix(40))”")
            return nil
        }
        if user.role == .cadre, cadre.id != user.cadreID {
            check.fail("cadreStaffNumber", zh: "干部只能报送本人的材料，不能代他人报送", en: "A cadre files their own only, not another cadre's")
            return nil
        }
        if let unit, cadre.$unit.id != unit.id {
            check.fail("cadreStaffNumber", zh: "工号 \(staff) 的干部不属于\(unit.name)", en: "The cadre \(staff) is not of \(unit.name)")
            return nil
        }
        return staff
    }

    /// Records a filing, or corrects the unit's earlier one, with its files (checked before anything is stored).
    static func create(_ input: FilingInput, files: [(EvidenceService.Upload, SanitizedEvidence)] = [], store: EvidenceStore? = nil,
                       by user: CurrentUser, today: LocalDate, now: Date, on db: any Database) async throws -> FilingModel {
        let model = try await validated(input, for: user, today: today, on: db)
        var check = FieldChecker()
        let reason = check.text("reason", input.reason, label: "更正原因", max: 200, required: false).flatMap { $0.isEmpty ? nil : $0 }
        try check.throwIfInvalid()
        // The filing and its files in one transaction: files refused (too many) leave no corrected date behind.
        return try await db.write { db in
            let filing = try await record(model, reason: reason, by: user, now: now, on: db)
            if !files.isEmpty, let store { try await attach(files, to: filing, store: store, by: user, now: now, on: db) }
            return filing
        }
    }

    /// Stores a new filing, or corrects the unit's earlier one of the same kind and period; inside the caller's transaction.
    static func record(_ model: FilingModel, reason: String?, by user: CurrentUser, now: Date, on db: any Database) async throws -> FilingModel {
        // The month is compared here: `== nil` in a Fluent filter is SQL's `= NULL`, which matches nothing.
        let same = try await FilingModel.query(on: db).filter(\.$unit.$id == model.$unit.id).filter(\.$kind == model.kind)
            .filter(\.$termCode == model.termCode).all().first { $0.periodID == model.periodID && $0.cadreStaffNumber == model.cadreStaffNumber }
        if let existing = same {
            // Filed once already: a second filing corrects the first (with a reason), never a duplicate row.
            guard let reason else {
                throw AppError.field("reason", zh: "本单位已于 \(existing.submittedOn) 报送过同一学期的这项内容；如需更正，请填写更正原因",
                                     en: "The unit already filed this for the term on \(existing.submittedOn); give a reason to correct it")
            }
            let previous = FilingVersionModel()
            previous.$filing.id = existing.id!
            previous.submittedOn = existing.submittedOn
            previous.reason = reason
            previous.changedBy = user.displayName
            previous.changedAt = now
            try await previous.create(on: db)
            existing.submittedOn = model.submittedOn
            try await existing.save(on: db)
            try await AuditTrail.record("filing.correct", objectType: "filing", objectID: existing.id!.uuidString,
                                        detail: "\(existing.kind) \(existing.termCode) \(previous.submittedOn) → \(existing.submittedOn): \(reason)", by: .init(user), on: db)
            return existing
        }
        try await model.create(on: db)
        try await AuditTrail.record("filing.create", objectType: "filing", objectID: model.id!.uuidString,
                                    detail: "\(model.kind) \(model.termCode) \(model.submittedOn)", by: .init(user), on: db)
        return model
    }

    static let maxAttachments = 5

    /// Refuses files beyond the limit; `what` names the thing they go with (报送, 文书).
    static func checkRoom(existing: Int, adding: Int, what: Localized) throws {
        guard existing + adding <= maxAttachments else {
            throw AppError.field("files", zh: "每项\(what.zh)最多 \(maxAttachments) 个附件（已有 \(existing) 个）",
                                 en: "at most \(maxAttachments) files per \(what.en) (\(existing) already)")
        }
    }

    /// Inside the caller's transaction.
    private static func attach(_ files: [(EvidenceService.Upload, SanitizedEvidence)], to filing: FilingModel, store: EvidenceStore,
                               by user: CurrentUser, now: Date, on db: any Database) async throws {
        try checkRoom(existing: try await FilingAttachmentModel.query(on: db).filter(\.$filing.$id == filing.id!).count(), adding: files.count,
                      what: Localized(zh: "报送", en: "filing"))
        for (upload, evidence) in files {
            try store.put(evidence)
            let model = FilingAttachmentModel()
            model.$filing.id = filing.id!
            model.fill(upload, evidence, by: user.displayName, at: now)
            try await model.create(on: db)
            try await AuditTrail.record("filing.attach", objectType: "filing", objectID: filing.id!.uuidString,
                                        detail: "\(model.originalName) \(evidence.sha256.prefix(12))", by: .init(user), on: db)
        }
    }

    static func list(for user: CurrentUser, on db: any Database) async throws -> [FilingDTO] {
        var query = FilingModel.query(on: db).with(\.$unit).sort(\.$submittedOn, .descending)
        if user.role == .cadre {
            // A cadre sees their own filings only.
            var staff = ""
            if let id = user.cadreID { staff = try await CadreModel.find(id, on: db)?.staffNumber ?? "" }
            query = query.filter(\.$cadreStaffNumber == staff)
        } else if let scope = try user.rosterUnitScope() { query = query.filter(\.$unit.$id == scope) }
        let kinds = try await kinds(on: db)
        let filings = try await query.all()
        let attachments = Dictionary(grouping: try await FilingAttachmentModel.query(on: db).filter(\.$filing.$id ~~ filings.compactMap(\.id))
            .sort(\.$createdAt).all(), by: \.$filing.id)
        return filings.map { f in
            FilingDTO(id: f.id!, unitCode: f.unit.code, unitName: f.unit.name, kind: f.kind,
                      kindLabel: kinds.first { $0.code == f.kind }?.label ?? Localized(zh: f.kind, en: f.kind),
                      termCode: f.termCode, period: f.periodID, submittedOn: f.submittedOn, cadreStaffNumber: f.cadreStaffNumber,
                      attachments: (attachments[f.id!] ?? []).map { .init(id: $0.id!, name: $0.originalName, kind: $0.kind, size: $0.size) })
        }
    }

    static func register(_ app: Application) {
        let access = Access.capability(.fileReports)
        // Cadres file (and read) their own reports (§4.16) through the API; the rest of filing stays with those who file for units.
        let ownFiling = Access.roles(Set(Role.allCases.filter { Capability.fileReports.allows($0) }).union([.cadre]))
        app.register(.init(method: .GET, path: "/filings", summary: "Filings of the caller's scope (a cadre's own), newest first", tag: "Compliance",
                           access: ownFiling, response: "FilingList")) { req in
            try await list(for: try req.requireUser(), on: req.db)
        }
        app.register(.init(method: .POST, path: "/filings", summary: "Record a filing (plan, summary, meeting) of a unit, or a cadre's own report",
                           tag: "Compliance", access: ownFiling, requestBody: "FilingInput", response: "Filing", successStatus: 201)) { req -> Response in
            let user = try req.requireUser()
            let model = try await create(try req.decodeJSON(FilingInput.self), by: user, today: LocalDate(req.now), now: req.now, on: req.db)
            guard let dto = try await list(for: user, on: req.db).first(where: { $0.id == model.id }) else { throw AppError.notFound("filing") }
            return try await dto.encodeResponse(status: .created, for: req)
        }
        app.routes.on(.GET, SitePattern.filings.components, access: access) { req -> Response in
            render(req, try await FilingPageModel.load(req, input: FilingInput(), problems: [], filed: req.query[String.self, at: "filed"] != nil))
        }
        app.routes.on(.POST, SitePattern.filings.components, access: access, body: .collect(maxSize: "30mb")) { req -> Response in
            let input = try req.content.decode(FilingInput.self)
            let uploads = (try? req.content.decode(FilingFiles.self))?.uploads ?? []
            do {
                let files = try await EvidenceService.sanitizeOffLoop(uploads, limit: maxAttachments, field: "files")
                _ = try await create(input, files: files, store: req.application.evidenceStore, by: try req.requireUser(),
                                     today: LocalDate(req.now), now: req.now, on: req.db)
            } catch let error as AppError where error.status == .unprocessableEntity {
                // A browser cannot refill a file input: say so, beside the reasons.
                var problems = error.details
                if !uploads.isEmpty && !problems.contains(where: { $0.field == "files" }) {
                    problems.append(.init(field: "files", message: Localized(zh: "请重新选择附件", en: "Choose the files again")))
                }
                return render(req, try await FilingPageModel.load(req, input: input, problems: problems, filed: false), status: .unprocessableEntity)
            }
            return req.redirect(to: SiteRoute.filings.path(query: ["filed": "1"]))
        }
        app.routes.on(.GET, SitePattern.filingAttachment.components, access: access) { req -> Response in
            let user = try req.requireUser()
            guard let attachment = try await FilingAttachmentModel.find(try req.idParameter(), on: req.db),
                  let filing = try await FilingModel.find(attachment.$filing.id, on: req.db) else { throw AppError.notFound("attachment") }
            // A secretary reads their own unit's files only; the 404 does not say another unit's exist.
            if let scope = try user.rosterUnitScope(), filing.$unit.id != scope { throw AppError.notFound("attachment") }
            return try EvidenceService.fileResponse(sha256: attachment.sha256, kind: attachment.kind, downloadName: attachment.originalName,
                                                    store: req.application.evidenceStore)
        }
    }

    static func render(_ req: Request, _ model: FilingPageModel, status: HTTPResponseStatus = .ok) -> Response {
        let ctx = PageContext(req)
        return ctx.render(title: ctx.t("报送", "Filings"), status: status, content: view(ctx, model))
    }

    static func view(_ ctx: PageContext, _ m: FilingPageModel) -> Node<HTML.BodyContext> {
        func select(_ name: String, _ label: String, _ options: [(String, String)], _ selected: String?) -> Node<HTML.FormContext> {
            Components.selectField(ctx, name: name, label: label, options: options, selected: selected, problems: m.problems)
        }
        let termNames = Dictionary(m.terms.map { ($0.id, ctx.t($0.name)) }, uniquingKeysWith: { a, _ in a })
        return .group(
            .h1(.text(ctx.t("工作报送", "Filings"))),
            .p(.class("muted"), .text(ctx.t("记录本单位按规定报送的工作安排、总结、专题会议等；落实情况按报送日期判断是否按时。",
                                            "Record the plans, summaries and meetings the policy asks of the unit; compliance judges them by the filing date."))),
            Components.notice(m.filed ? ctx.t("已记录报送。", "The filing is recorded.") : nil),
            .p(.a(.href(SiteRoute.filingDocuments.path()), .text(ctx.t("起草工作安排、工作总结（由系统根据数据起草，修改后提交审核）→",
                                                                        "Draft the arrangement plan or the semester summary from the data, edit and submit it →")))),
            .div(.class("panel"),
                 .h2(.text(ctx.t("新增报送", "Record a filing"))),
                 Components.errorSummary(ctx, m.problems),
                 .form(.method(.post), .action(SiteRoute.filings.path()), .enctype(.multipartData),
                       Layout.csrfField(ctx),
                       .if(!m.units.isEmpty, select("unitCode", ctx.t("报送单位", "Unit"), [("", ctx.t("请选择", "Choose"))] + m.units.map { ($0.code, $0.name) }, m.input.unitCode)),
                       select("kind", ctx.t("报送内容", "What is filed"), [("", ctx.t("请选择", "Choose"))] + m.kinds.map { ($0.code, ctx.t($0.label)) }, m.input.kind),
                       select("termCode", ctx.t("所属学期", "Term"), m.terms.map { ($0.id, ctx.t($0.name)) }, m.input.termCode ?? m.currentTermID),
                       Components.field(ctx, name: "period", label: ctx.t("所属月份或周（按月、按周报送时填写）", "Month or week (monthly and weekly filings)"),
                                        value: m.input.period ?? "", hint: ctx.t("例如 2025-10 或 2025-W41", "e.g. 2025-10 or 2025-W41"), problems: m.problems),
                       Components.field(ctx, name: "cadreStaffNumber", label: ctx.t("干部工号（本人报送的材料，如校领导联系学生情况报告）", "Staff number (a cadre's own report)"),
                                        value: m.input.cadreStaffNumber ?? "", hint: ctx.t("单位的材料不填", "Leave empty for the unit's own"), problems: m.problems),
                       Components.field(ctx, name: "submittedOn", label: ctx.t("报送日期", "Filed on"), value: m.input.submittedOn ?? m.today.iso,
                                        type: .date, problems: m.problems),
                       Components.field(ctx, name: "reason", label: ctx.t("更正原因（更正已报送的内容时填写）", "Reason (when correcting an earlier filing)"),
                                        value: m.input.reason ?? "", problems: m.problems),
                       attachmentField(ctx, problems: m.problems),
                       .button(.type(.submit), .text(ctx.t("记录报送", "Record"))))),
            .h2(.text(ctx.t("已报送", "Filed"))),
            Components.table(ctx, headers: [ctx.t("报送日期", "Filed on"), ctx.t("单位", "Unit"), ctx.t("报送内容", "What"),
                                            ctx.t("所属学期", "Term"), ctx.t("所属月份", "Month"), ctx.t("附件", "Files")],
                             rows: m.filings.prefix(300).map { f in
                                 [Components.cell(f.submittedOn), Components.cell(f.unitName), Components.cell(ctx.t(f.kindLabel)),
                                  Components.cell(termNames[f.termCode] ?? f.termCode), Components.cell(f.period ?? "—"),
                                  .td(f.attachments.isEmpty ? .text("—") : .ul(.class("plain"), .forEach(f.attachments) { file in
                                      .li(.a(.href(SiteRoute.filingAttachment(file.id).path()), .text(file.name)))
                                  }))]
                             }, empty: .text(ctx.t("尚无报送记录。", "Nothing filed yet.")))
        )
    }

    static func attachmentField(_ ctx: PageContext, problems: [AppError.FieldProblem]) -> Node<HTML.FormContext> {
        let problem = problems.first { $0.field == "files" }
        return .div(.class(problem == nil ? "field" : "field has-error"),
                    .label(.for("files"), .text(ctx.t("附件（盖章文件的 PDF 或扫描件，最多 \(maxAttachments) 个，每个不超过 10 MB）",
                                                      "Files (the stamped document as PDF or a scan; up to \(maxAttachments), 10 MB each)"))),
                    .unwrap(problem) { .span(.class("field-error"), .text(ctx.t($0.message))) },
                    .input(.type(.file), .id("files"), .name("files[]"), .attribute(named: "multiple", value: "multiple"),
                           .attribute(named: "accept", value: "application/pdf,image/jpeg,image/png")))
    }
}

/// The filings page: the form (with what was typed and its problems after a refused post) and
/// the scope's filings, newest first.
struct FilingPageModel: Sendable {
    struct Choice: Sendable { var code: String; var name: String }
    struct TermChoice: Sendable { var id: String; var name: Localized }

    var input: FilingInput
    var problems: [AppError.FieldProblem]
    var filed: Bool
    var filings: [FilingDTO]
    var kinds: [FilingKind]
    /// Newest first.
    var terms: [TermChoice]
    var currentTermID: String?
    /// Units to choose from; empty for a user who files for their own unit only.
    var units: [Choice]
    var today: LocalDate

    static func load(_ req: Request, input: FilingInput, problems: [AppError.FieldProblem], filed: Bool) async throws -> FilingPageModel {
        let user = try req.requireUser()
        let today = LocalDate(req.now)
        let terms = try await CalendarAPI.load(on: req.db).flatMap(\.terms).sorted { $0.range.start > $1.range.start }
        let units = try user.rosterUnitScope() == nil
            ? try await UnitModel.query(on: req.db).filter(\.$active == true).all().inUniversityOrder().map { Choice(code: $0.code, name: $0.name) } : []
        return FilingPageModel(input: input, problems: problems, filed: filed,
                               filings: try await FilingPages.list(for: user, on: req.db), kinds: try await FilingPages.kinds(on: req.db),
                               terms: terms.map { TermChoice(id: $0.id, name: $0.label) },
                               currentTermID: (terms.first { $0.range.contains(today) } ?? terms.first)?.id, units: units, today: today)
    }
}
