import Fluent
import Plot
import Vapor
import YixianCore

/// The ledger on a phone: a few taps for the commonest contacts, the full form for the rest,
/// a record page with its confirmation code, and the student's confirmation page.
enum LedgerPages {
    /// The three contacts cadres log most, one tap from the ledger page.
    static let quickKinds = ["dorm-visit", "face-to-face", "class-observation"]

    struct ContactForm: Content {
        var kind: String?
        var start: String?
        var end: String?
        var place: String?
        var venue: String?
        var collectiveCodes: [String]?
        var participantCount: String?
        /// Student numbers of those who took part, separated by commas, spaces or lines (§4.14).
        var participantNumbers: String? = nil
        var summary: String?
        var problems: String?
        /// The category of the problem lines that do not name their own (`后勤：热水不稳定`).
        var problemCategory: String?
        var backdateReason: String?
        var reason: String?
        var action: String?
        var photos: [File]?
        var photosDropped: Bool? = nil
        /// One per rendered form: a double tap or a resent form stores one record (see `Idempotency`).
        var submissionKey: String? = nil
        /// 代录: the cadre a secretary or the office records for.
        var forCadre: String? = nil

        var forCadreID: UUID? { forCadre.flatMap { UUID(uuidString: $0) } }

        var uploads: [EvidenceService.Upload] {
            (photos ?? []).filter { $0.data.readableBytes > 0 }.map { EvidenceService.Upload(name: $0.filename, data: Data(buffer: $0.data)) }
        }

        /// A line may lead with its category (`后勤：…` or `后勤:…`); otherwise it takes the form's choice.
        static func problem(_ line: String, defaultCategory: String?) -> ProblemInput {
            let fallback = CaseCategory.standard(defaultCategory ?? "").map(\.label.zh)
            for separator in ["：", ":"] {
                guard let range = line.range(of: separator) else { continue }
                let head = line[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
                if let category = CaseCategory.standard.first(where: { $0.label.zh == head }) {
                    return ProblemInput(text: line[range.upperBound...].trimmingCharacters(in: .whitespaces), category: category.label.zh)
                }
            }
            return ProblemInput(text: line, category: fallback)
        }

        /// A browser cannot be handed files back: the form returns without them and says so.
        func droppingPhotos() -> ContactForm {
            var form = self
            form.photosDropped = !uploads.isEmpty
            form.photos = nil
            return form
        }

        var input: ContactInput {
            ContactInput(kind: kind, start: start, end: end, place: place, venue: venue, collectiveCodes: collectiveCodes,
                         participantCount: participantCount.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? (participantCount?.isEmpty == false ? -1 : nil),
                         summary: summary,
                         problems: (problems ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                            .map { Self.problem($0, defaultCategory: problemCategory) },
                         submit: action != "draft", backdateReason: backdateReason, reason: reason,
                         participantNumbers: Self.numbers(participantNumbers))
        }

        /// `2025001, 2025002` or one a line: nil when none is typed.
        static func numbers(_ text: String?) -> [String]? {
            let numbers = (text ?? "").split(whereSeparator: { $0.isWhitespace || $0 == "," || $0 == "，" || $0 == "、" || $0 == ";" || $0 == "；" }).map(String.init)
            return numbers.isEmpty ? nil : numbers
        }
    }

    /// Multipart parsing of a body of up to 40 MB runs on a worker thread, not the event loop.
    static func decodeOffLoop(_ req: Request) async throws -> ContactForm {
        try await req.application.threadPool.runIfActive { try req.content.decode(ContactForm.self) }
    }

    static func localInput(_ date: Date) -> String {
        String(AdminPages.timestamp(date).replacingOccurrences(of: " ", with: "T").prefix(16))
    }

    static func register(_ app: Application) {
        let readers = Access.roles([.cadre, .businessAdmin, .unitSecretary, .assessor])
        app.routes.on(.GET, SitePattern.ledger.components, access: readers) { req -> Response in
            if let format = req.query[String.self, at: "format"] {
                guard format == "xlsx" || format == "csv" else { throw AppError.field("format", zh: "格式只能是 xlsx 或 csv", en: "format must be xlsx or csv") }
                return try await LedgerListModel.export(req, format: format)
            }
            let ctx = PageContext(req)
            let model = try await LedgerListModel.load(req)
            return ctx.render(title: ctx.t("工作台账", "Ledger"), content: listView(ctx, model))
        }
        let recorders = Access.roles([.cadre, .unitSecretary, .businessAdmin])
        app.routes.on(.GET, SitePattern.ledgerNew.components, access: recorders) { req -> Response in
            let now = req.now
            let kind = req.query[String.self, at: "kind"]
            let user = try req.requireUser()
            let forCadre = try req.uuidParameter("cadre")
            // 代录 starts by naming the cadre.
            if user.role != .cadre, forCadre == nil { return try await proxyPicker(req) }
            var form = ContactForm(kind: kind, start: localInput(now.addingTimeInterval(-3600)), end: localInput(now), participantCount: "1")
            form.forCadre = forCadre?.uuidString
            return try await formPage(req, form: form, record: nil, problems: [], status: .ok)
        }
        app.routes.on(.POST, SitePattern.ledgerNew.components, access: recorders, body: .collect(maxSize: "40mb")) { req -> Response in
            let user = try req.requireUser()
            let form = try await decodeOffLoop(req)
            let submit: @Sendable () async throws -> Response = {
                do {
                    let created = try await LedgerService.create(form.input, evidence: form.uploads, store: req.application.evidenceStore, forCadre: form.forCadreID,
                                                                by: user, config: req.application.yixian, on: req.db)
                    return req.redirect(to: SiteRoute.ledgerRecord(created.record.id!).path())
                } catch let error as AppError where error.status == .unprocessableEntity {
                    return try await formPage(req, form: form.droppingPhotos(), record: nil, problems: error.details, status: .unprocessableEntity)
                }
            }
            guard let key = try Idempotency.validKey(form.submissionKey.flatMap { $0.isEmpty ? nil : $0 }) else { return try await submit() }
            return try await Idempotency.run(req, principal: user.id.uuidString, key: "ledger-form:" + key, fingerprint: "POST /ledger/new", submit)
        }
        app.routes.on(.GET, SitePattern.ledgerRecord.components, access: readers) { req -> Response in
            let record = try await LedgerAPI.find(req)
            return try await recordPage(req, record)
        }
        app.routes.on(.GET, SitePattern.ledgerEdit.components, access: .roles([.cadre])) { req -> Response in
            let user = try req.requireUser()
            let record = try await LedgerAPI.find(req)
            guard record.$cadre.id == user.cadreID else { throw AppError.notFound("contact") }
            let problems = try await ContactProblemModel.query(on: req.db).filter(\.$record.$id == record.id!).all()
            let form = ContactForm(kind: record.kind, start: localInput(record.startAt), end: localInput(record.endAt), place: record.place, venue: record.venue,
                                   collectiveCodes: record.collectiveList, participantCount: String(record.participantCount),
                                   participantNumbers: record.participantNumbers.map { ContactRecordModel.collectiveList($0).joined(separator: ", ") },
                                   summary: record.summary,
                                   problems: problems.map(\.text).joined(separator: "\n"), backdateReason: record.backdateReason)
            return try await formPage(req, form: form, record: record, problems: [], status: .ok)
        }
        app.routes.on(.POST, SitePattern.ledgerEdit.components, access: .roles([.cadre]), body: .collect(maxSize: "40mb")) { req -> Response in
            let user = try req.requireUser()
            let id = try req.idParameter()
            let form = try await decodeOffLoop(req)
            do {
                _ = try await LedgerService.correct(id, form.input, evidence: form.uploads, store: req.application.evidenceStore, by: user, config: req.application.yixian, on: req.db)
                return req.redirect(to: SiteRoute.ledgerRecord(id).path())
            } catch let error as AppError where error.status == .unprocessableEntity {
                let record = try await LedgerAPI.find(req)
                return try await formPage(req, form: form.droppingPhotos(), record: record, problems: error.details, status: .unprocessableEntity)
            }
        }
        app.routes.on(.GET, SitePattern.attachment.components, access: Access.roles([.cadre, .businessAdmin, .unitSecretary, .assessor])) { req -> Response in
            let user = try req.requireUser()
            guard let attachment = try await AttachmentModel.find(try req.idParameter(), on: req.db),
                  let record = try await ContactRecordModel.find(attachment.$record.id, on: req.db) else { throw AppError.notFound("attachment") }
            try await LedgerService.checkRead(record, by: user, on: req.db)
            return try EvidenceService.fileResponse(sha256: attachment.sha256, kind: attachment.kind, store: req.application.evidenceStore)
        }
        app.routes.on(.POST, SitePattern.ledgerVoid.components, access: .roles([.cadre, .businessAdmin])) { req -> Response in
            let form = try req.content.decode(VoidInput.self)
            let id = try req.idParameter()
            _ = try await LedgerService.void(id, reason: form.reason, by: try req.requireUser(), now: req.now, on: req.db)
            return req.redirect(to: SiteRoute.ledgerRecord(id).path())
        }
        app.routes.on(.POST, SitePattern.ledgerDelete.components, access: .roles([.cadre])) { req -> Response in
            try await LedgerService.deleteDraft(try req.idParameter(), by: try req.requireUser(), on: req.db)
            return req.redirect(to: SiteRoute.ledger.path())
        }
        app.routes.on(.GET, SitePattern.confirmLookup.components, access: .roles([.student])) { req -> Response in
            let code = (req.query[String.self, at: "code"] ?? "").uppercased().filter { $0.isLetter || $0.isNumber }
            guard !code.isEmpty, code.count <= 16 else { return req.redirect(to: SiteRoute.home.path()) }
            return req.redirect(to: SiteRoute.confirm(code: code).path())
        }
        app.routes.on(.GET, SitePattern.confirm.components, access: .anyone) { req -> Response in
            guard req.currentUser != nil else { return req.redirect(to: SiteRoute.login.path(query: ["next": req.url.path])) }
            return try await confirmPage(req, message: nil, status: .ok)
        }
        app.routes.on(.POST, SitePattern.confirm.components, access: .roles([.student])) { req -> Response in
            let user = try req.requireUser()
            do {
                _ = try await LedgerService.confirm(code: req.parameters.get("code") ?? "", by: user, now: req.now,
                                                         windowDays: req.application.yixian.confirmWindowDays, on: req.db)
                return try await confirmPage(req, message: Localized(zh: "已确认，谢谢！", en: "Confirmed, thank you!"), status: .ok)
            } catch let error as AppError where error.status.code < 500 {
                return try await confirmPage(req, message: error.message, status: error.status)
            }
        }
    }

    /// 代录: a secretary (their unit's cadres) or the office (anyone's, searched by name or staff number) names the cadre first.
    static func proxyPicker(_ req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let user = try req.requireUser()
        var query = CadreModel.query(on: req.db).filter(\.$active == true).sort(\.$staffNumber)
        if user.role == .unitSecretary {
            guard let unit = user.unitID else { throw AppError.forbidden }
            query = query.filter(\.$unit.$id == unit)
        }
        let search = try req.stringParameter("q", maxLength: 40)
        query = query.search(["name", "staff_number"], RosterFilter(text: search).likePattern)
        let cadres = try await query.limit(200).all()
        let title = ctx.t("代录：为干部记录联系", "Record for a cadre")
        return ctx.render(title: title, breadcrumbs: [(ctx.t("工作台账", "Ledger"), SiteRoute.ledger.path()), (title, nil)], content: .group(
            .h1(.text(title)),
            .p(.class("muted"), .text(ctx.t("校领导等干部的联系记录常由秘书代为录入。选择干部后填写，记录上会注明代录人。",
                                            "Leaders' records are often entered by a secretary. Choose the cadre; the record names who entered it."))),
            .form(.class("toolbar"), .method(.get), .action(SiteRoute.ledgerNew.path()),
                  .label(.text(ctx.t("姓名或工号", "Name or staff number")), .input(.type(.search), .name("q"), .value(search ?? ""))),
                  .button(.type(.submit), .text(ctx.t("查找", "Find")))),
            Components.table(ctx, headers: [ctx.t("工号", "Staff number"), ctx.t("姓名", "Name"), ctx.t("职务", "Posts"), ""], rows: cadres.map { c in
                [Components.cell(c.staffNumber), Components.cell(c.name), Components.cell(c.posts),
                 Components.cell(ctx.t("为其记录", "Record"), href: SiteRoute.ledgerNew.path(query: ["cadre": c.id!.uuidString]))]
            }, empty: .text(ctx.t("没有找到干部。", "No cadre found.")))
        ))
    }

    static func checkbox(code: String, label: String, checked: Bool) -> Node<HTML.FormContext> {
        .raw("<label class=\"check\"><input type=\"checkbox\" name=\"collectiveCodes[]\" value=\"\(Components.escape(code))\"\(checked ? " checked" : "")> \(Components.escape(label))</label>")
    }

    static func formPage(_ req: Request, form: ContactForm, record: ContactRecordModel?, problems: [AppError.FieldProblem], status: HTTPResponseStatus) async throws -> Response {
        let ctx = PageContext(req)
        let user = try req.requireUser()
        let cadre = record == nil ? try await LedgerService.recordingCadre(user, for: form.forCadreID, on: req.db) : try await LedgerService.ownCadre(user, on: req.db)
        let collectives = try await LedgerService.allowedCollectives(for: cadre, on: req.db)
        let paired = Set(try await PairingModel.query(on: req.db).filter(\.$cadre.$id == cadre.id!).all().compactMap { $0.$collective.id })
        let vocabulary = try await LedgerService.vocabulary(on: req.db, now: req.now)
        let chosenKind = form.kind.flatMap { vocabulary.kind($0) }
        // For a dorm visit, the cadre's linked dorms come first and are ticked.
        let preferredKind: CollectiveKind? = chosenKind?.defaultVenue == "dorm" ? .dorm : chosenKind?.defaultVenue == "classroom" || chosenKind?.defaultVenue == "class" ? .class : nil
        let ordered = collectives.sorted { (paired.contains($0.id!) ? 0 : 1, $0.code) < (paired.contains($1.id!) ? 0 : 1, $1.code) }
        let selected = Set(form.collectiveCodes ?? (record == nil ? ordered.filter { paired.contains($0.id!) && ($0.kind == preferredKind?.rawValue) }.map(\.code) : []))
        let linked = ctx.t("（联系）", " (linked)")
        let checkboxes: [Node<HTML.FormContext>] = ordered.prefix(60).map { c in
            checkbox(code: c.code, label: c.name + (paired.contains(c.id!) ? linked : ""), checked: selected.contains(c.code))
        }
        let isCorrection = record?.submittedAt != nil
        let title = record == nil ? ctx.t("记录一次联系", "Record a contact") : isCorrection ? ctx.t("更正记录", "Correct the record") : ctx.t("编辑草稿", "Edit draft")
        let action = record.map { SiteRoute.ledgerEdit($0.id!).path() } ?? SiteRoute.ledgerNew.path()
        func problem(_ name: String) -> AppError.FieldProblem? { problems.first { $0.field == name } }
        return ctx.render(title: title, breadcrumbs: [(ctx.t("工作台账", "Ledger"), SiteRoute.ledger.path()), (title, nil)], status: status, content: .group(
            .h1(.text(title)),
            Components.errorSummary(ctx, problems),
            .form(.method(.post), .action(action), .class("ledger-form"), .enctype(.multipartData),
                  Layout.csrfField(ctx),
                  .input(.type(.hidden), .name("submissionKey"), .value(form.submissionKey ?? UUID().uuidString)),
                  .unwrap(form.forCadre) { .input(.type(.hidden), .name("forCadre"), .value($0)) },
                  .if(user.cadreID != cadre.id, .p(.class("notice"), .text(ctx.t("代录：为 \(cadre.name)（\(cadre.staffNumber)，\(cadre.unit.name)）记录，记录上会注明由您代录，本人可查看和更正。",
                                                                               "Recording for \(cadre.name) (\(cadre.staffNumber), \(cadre.unit.name)): the record says you entered it; they can see and correct it.")))),
                  .div(.class(problem("kind") == nil ? "field" : "field has-error"),
                       .label(.for("kind"), .text(ctx.t("联系形式", "Kind"))),
                       .unwrap(problem("kind")) { .span(.class("field-error"), .text(ctx.t($0.message))) },
                       .select(.id("kind"), .attribute(named: "name", value: "kind"),
                               Components.option(value: "", text: ctx.t("请选择", "Choose"), selected: chosenKind == nil),
                               .forEach(vocabulary.kinds) { Components.option(value: $0.code, text: ctx.t($0.label), selected: $0.code == chosenKind?.code) })),
                  Components.field(ctx, name: "start", label: ctx.t("开始时间", "Start"), value: form.start ?? "", type: .datetimeLocal, problems: problems),
                  Components.field(ctx, name: "end", label: ctx.t("结束时间", "End"), value: form.end ?? "", type: .datetimeLocal, problems: problems),
                  Components.field(ctx, name: "place", label: ctx.t("地点", "Place"), value: form.place ?? "", hint: ctx.t("如：梅园 3 舍 402", "e.g. dorm 3, room 402"), problems: problems),
                  .div(.class("field"), .label(.for("venue"), .text(ctx.t("场所（七进 / 九进）", "Venue"))),
                       .select(.id("venue"), .attribute(named: "name", value: "venue"),
                               Components.option(value: "", text: ctx.t("按联系形式默认", "Default for the kind"), selected: (form.venue ?? "").isEmpty),
                               .forEach(vocabulary.venues) { Components.option(value: $0.code, text: ctx.t($0.label), selected: $0.code == form.venue) })),
                  .div(.class(problem("collectiveCodes") == nil ? "field" : "field has-error"),
                            .span(.class("legend"), .text(ctx.t("涉及的学生集体", "Collectives"))),
                            .unwrap(problem("collectiveCodes")) { .span(.class("field-error"), .text(ctx.t($0.message))) },
                            .div(.class("checks"), .forEach(checkboxes) { $0 })),
                  .div(.class(problem("photos") == nil && form.photosDropped != true ? "field" : "field has-error"),
                       .label(.for("photos"), .text(ctx.t("照片或签到表（最多 9 个，JPEG、PNG 或 PDF，每个不超过 10 MB）", "Photos or sign-in sheets (up to 9; JPEG, PNG or PDF, 10 MB each)"))),
                       .span(.class("hint"), .text(ctx.t("照片的位置信息会被自动去除，拍摄时间会保留。", "Location data is removed from photos; the capture time is kept."))),
                       .unwrap(problem("photos")) { .span(.class("field-error"), .text(ctx.t($0.message))) },
                       .if(problem("photos") == nil && form.photosDropped == true,
                           .span(.class("field-error"), .text(ctx.t("表单有误，已选的照片未保存，请改正后重新选择。", "The form had a problem; choose the photos again.")))),
                       .input(.type(.file), .id("photos"), .name("photos[]"), .attribute(named: "multiple", value: "multiple"),
                              .attribute(named: "accept", value: "image/jpeg,image/png,application/pdf"))),
                  Components.field(ctx, name: "participantCount", label: ctx.t("参与学生（人次）", "Students (person-times)"), value: form.participantCount ?? "1",
                                   type: .number, problems: problems),
                  Components.field(ctx, name: "participantNumbers", label: ctx.t("参加学生学号（选填）", "Student numbers of those present (optional)"),
                                   value: form.participantNumbers ?? "",
                                   hint: ctx.t("以逗号或空格分隔；办法要求“同一学生不重复”时须填写", "separated by commas or spaces; needed where the plan asks for different students each time"),
                                   problems: problems),
                  .div(.class("field"), .label(.for("summary"), .text(ctx.t("情况摘要", "Summary"))),
                       .textarea(.id("summary"), .name("summary"), .attribute(named: "rows", value: "3"), .text(form.summary ?? ""))),
                  problemFields(ctx, form),
                  Components.field(ctx, name: "backdateReason", label: ctx.t("补录说明", "Why recorded late"), value: form.backdateReason ?? "",
                                   hint: ctx.t("事后 \(req.application.yixian.backdateWindowDays) 天以上补录时必填", "required for events older than \(req.application.yixian.backdateWindowDays) days"), problems: problems),
                  .if(isCorrection, Components.field(ctx, name: "reason", label: ctx.t("更正原因", "Reason for the correction"), value: form.reason ?? "",
                                                     hint: ctx.t("原记录会保留在更正历史中", "The previous version is kept"), problems: problems)),
                  .div(.class("toolbar"),
                       .button(.type(.submit), .name("action"), .value("submit"), .text(isCorrection ? ctx.t("保存更正", "Save correction") : ctx.t("提交", "Submit"))),
                       .if(!isCorrection, .button(.type(.submit), .name("action"), .value("draft"), .class("secondary"), .text(ctx.t("存为草稿", "Save draft"))))))
        ))
    }

    /// The problems a contact raised, each of which becomes a case, and their category.
    static func problemFields(_ ctx: PageContext, _ form: ContactForm) -> Node<HTML.FormContext> {
        let chosen = form.problemCategory ?? "other"
        let options: [Node<HTML.SelectContext>] = CaseCategory.standard.map { category in
            Components.option(value: category.code, text: ctx.t(category.label), selected: chosen == category.code)
        }
        return .group(
            .div(.class("field"), .label(.for("problems"), .text(ctx.t("学生反映的问题（每行一条）", "Problems students raised (one per line)"))),
                 .textarea(.id("problems"), .name("problems"), .attribute(named: "rows", value: "3"), .text(form.problems ?? "")),
                 .p(.class("hint"), .text(ctx.t("每条问题提交后转为诉求，由责任单位办理答复；行首可写类别，如“后勤：热水供应不稳定”。",
                                                 "Each problem becomes a case the responsible unit answers; a line may start with its category, e.g. “后勤：…”.")))),
            .div(.class("field"), .label(.for("problemCategory"), .text(ctx.t("问题类别", "Problem category"))),
                 .select(.id("problemCategory"), .attribute(named: "name", value: "problemCategory"), .group(options)))
        )
    }

    static func recordPage(_ req: Request, _ record: ContactRecordModel) async throws -> Response {
        let ctx = PageContext(req)
        let model = try await LedgerRecordModel.load(req, record)
        return ctx.render(title: ctx.t(model.contact.kindLabel),
                          breadcrumbs: [(ctx.t("工作台账", "Ledger"), SiteRoute.ledger.path()), (ctx.t(model.contact.kindLabel), nil)],
                          content: recordView(ctx, model))
    }

    static func confirmPage(_ req: Request, message: Localized?, status: HTTPResponseStatus) async throws -> Response {
        let ctx = PageContext(req)
        let code = (req.parameters.get("code") ?? "").uppercased()
        let record = try await ContactRecordModel.query(on: req.db).filter(\.$confirmCode == code).first()
        let cadre = try await record.asyncMap { try await CadreModel.find($0.$cadre.id, on: req.db) } ?? nil
        let versions = try await ComplianceService.versions(on: req.db)
        let kind = record.flatMap { ComplianceService.vocabulary(on: LocalDate($0.startAt), in: versions).kind($0.kind) }
        // Say up front what pressing the button would say: already confirmed, or not one of the record's collectives.
        var standing: Localized?
        // Who the cadre met, when and where is shown to the students of the record's collectives and
        // to those who may read the record; a code passed around shows nobody else anything.
        var mayView = false
        if let record, let user = req.currentUser {
            if user.role == .student, let studentID = user.studentID {
                mayView = try await LedgerService.isParticipant(studentID, of: record, on: req.db)
                let already = try await ContactConfirmationModel.query(on: req.db).filter(\.$record.$id == record.id!)
                    .filter(\.$student.$id == studentID).count() > 0
                if message == nil, already {
                    standing = Localized(zh: "您已确认过这条记录，无需再次确认。", en: "You have already confirmed this record.")
                } else if message == nil, !mayView {
                    standing = Localized(zh: "您不在这条记录涉及的学生集体中，不能确认。", en: "You are not in a collective of this record, so you cannot confirm it.")
                }
            } else {
                mayView = (try? await LedgerService.checkRead(record, by: user, on: req.db)) != nil
                if !mayView, message == nil {
                    standing = Localized(zh: "确认码仅供记录涉及的学生使用。", en: "Confirmation codes are for the students of the record only.")
                }
            }
        }
        let shown = mayView ? record : nil
        return ctx.render(title: ctx.t("确认参加", "Confirm attendance"), status: status, content: .group(
            .h1(.text(ctx.t("确认参加", "Confirm attendance"))),
            .unwrap(message) { .div(.class(status == .ok ? "panel success" : "error-summary"), .p(.text(ctx.t($0)))) },
            .unwrap(shown) { record in
                .div(.class("panel"), .dl(.class("props"),
                    .dt(.text(ctx.t("干部", "Cadre"))), .dd(.text(cadre?.name ?? "")),
                    .dt(.text(ctx.t("形式", "Kind"))), .dd(.text(kind.map { ctx.t($0.label) } ?? record.kind)),
                    .dt(.text(ctx.t("时间", "When"))), .dd(.text(String(AdminPages.timestamp(record.startAt).prefix(16)))),
                    .dt(.text(ctx.t("地点", "Place"))), .dd(.text(record.place))))
            },
            .unwrap(standing) { .div(.class("panel"), .attribute(named: "role", value: "status"), .p(.text(ctx.t($0)))) },
            .if(record == nil, .group(
                .p(.text(ctx.t("确认码无效，请核对后重试。", "Unknown code; check it and try again."))),
                .form(.method(.get), .action(SiteRoute.confirmLookup.path()), .class("toolbar"),
                      .input(.type(.text), .name("code"), .attribute(named: "aria-label", value: ctx.t("确认码", "Code")),
                             .attribute(named: "autocomplete", value: "off"), .placeholder("ABCD2345")),
                      .button(.type(.submit), .text(ctx.t("确认", "Confirm")))))),
            .if(record != nil && mayView && req.currentUser?.role == .student && message == nil && standing == nil, .form(.method(.post), .action(SiteRoute.confirm(code: code).path()), Layout.csrfField(ctx),
                .button(.type(.submit), .class("big"), .text(ctx.t("我参加了，确认", "I was there — confirm")))))
        ))
    }
}
