import Fluent
import Foundation
import Vapor
import YixianCore

final class FilingDocumentModel: Model, @unchecked Sendable {
    static let schema = "filing_documents"
    @ID var id: UUID?
    @Parent(key: "unit_id") var unit: UnitModel
    @Field(key: "term_code") var termCode: String
    @Field(key: "kind") var kind: String
    @Field(key: "title") var title: String
    @Field(key: "body") var body: String
    @Field(key: "status") var status: String
    /// How many times it was submitted: the number of the draft under review or approved.
    @Field(key: "version") var version: Int
    @Field(key: "created_by") var createdBy: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "submitted_on") var submittedOn: String?
    @OptionalField(key: "submitted_by_id") var submittedByID: UUID?
    @OptionalField(key: "comment") var comment: String?
    @OptionalField(key: "filing_id") var filingID: UUID?

    init() {}

    var state: FilingDocumentStatus { FilingDocumentStatus(rawValue: status) ?? .draft }
}

/// Every submitted text is kept, with what the office said of it.
final class FilingDocumentVersionModel: Model, @unchecked Sendable {
    static let schema = "filing_document_versions"
    @ID var id: UUID?
    @Parent(key: "document_id") var document: FilingDocumentModel
    @Field(key: "version") var version: Int
    @Field(key: "title") var title: String
    @Field(key: "body") var body: String
    @Field(key: "submitted_on") var submittedOn: String
    @Field(key: "submitted_by") var submittedBy: String
    @OptionalField(key: "outcome") var outcome: String?
    @OptionalField(key: "comment") var comment: String?
    @OptionalField(key: "decided_by") var decidedBy: String?
    @OptionalField(key: "decided_at") var decidedAt: Date?

    init() {}
}

final class FilingDocumentFileModel: Model, @unchecked Sendable {
    static let schema = "filing_document_files"
    @ID var id: UUID?
    @Parent(key: "document_id") var document: FilingDocumentModel
    @Field(key: "sha256") var sha256: String
    @Field(key: "kind") var kind: String
    @Field(key: "size") var size: Int
    @Field(key: "original_name") var originalName: String
    @Field(key: "added_by") var addedBy: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// 报送文书: the arrangement plan and the semester summary a unit files, and the office's report to
/// the party committee, drafted from the data, finished by a person, reviewed by the office. The
/// approved text becomes the unit's filing, dated the day that version was submitted, so the
/// policy's filing rules judge the document and not the day somebody clicked approve.
enum FilingDocuments {
    static let access = Access.capability(.fileReports)
    /// Kinds Yixian drafts; the report to the party committee is the school's (its leadership unit's).
    static let draftedKinds = ["arrangement-plan", "semester-summary", "student-work-report"]

    struct DraftInput: Content {
        var kind: String?
        var termCode: String?
        var unitCode: String?
    }

    struct ActInput: Content {
        var action: String?
        var title: String?
        var body: String?
        var comment: String?
    }

    enum Action: String, CaseIterable { case save, submit, approve, `return` }

    static func isSchoolLevel(_ kind: String) -> Bool { FilingKind.schoolLevelCodes.contains(kind) }

    /// A secretary their own unit's documents; the office every unit's.
    static func visible(_ document: FilingDocumentModel, to user: CurrentUser) -> Bool {
        user.scope == .institution || (user.unitID != nil && document.$unit.id == user.unitID)
    }

    // MARK: Drafting

    /// Opens the unit's document of that kind and term, drafting it from the data the first time.
    static func draft(_ input: DraftInput, _ req: Request) async throws -> UUID {
        let user = try req.requireUser()
        var check = FieldChecker()
        let kind = input.kind.flatMap { draftedKinds.contains($0) ? $0 : nil }
        if kind == nil { check.fail("kind", zh: "请选择要起草的文书", en: "Choose the document to draft") }
        if let kind, isSchoolLevel(kind), user.scope != .institution {
            check.fail("kind", zh: "向党委的报告由学校起草，学院不能起草", en: "The report to the party committee is drafted by the university")
        }
        let today = LocalDate(req.now)
        let periods = try await DossierSource.periods(on: req.db, today: today)
        let period = periods.first { $0.kind == .term && $0.id == input.termCode }
        if period == nil { check.fail("termCode", zh: "学期不存在或尚未开始", en: "No such term that has begun") }
        let units = try await UnitModel.query(on: req.db).filter(\.$active == true).all()
        var unit: UnitModel?
        if let kind, isSchoolLevel(kind) {
            unit = units.inUniversityOrder().first { $0.kind == UnitKind.leadership.rawValue }
            if unit == nil { check.fail("kind", zh: "名册中没有校领导单位，无法以学校名义报送", en: "The roster has no leadership unit to file for the university") }
        } else if user.scope == .institution {
            unit = units.first { $0.code == input.unitCode }
            if unit == nil { check.fail("unitCode", zh: "请选择单位", en: "Choose the unit") }
        } else {
            unit = units.first { $0.id == user.unitID }
            if unit == nil { throw AppError.forbidden }
        }
        try check.throwIfInvalid()
        let (kindCode, term, owner) = (kind!, period!, unit!)
        if let existing = try await FilingDocumentModel.query(on: req.db).filter(\.$unit.$id == owner.id!)
            .filter(\.$termCode == term.id).filter(\.$kind == kindCode).first() {
            return existing.id!
        }
        let text = try await draftText(kind: kindCode, unit: owner, period: term, req)
        let model = FilingDocumentModel()
        model.$unit.id = owner.id!
        model.termCode = term.id
        model.kind = kindCode
        model.title = text.title
        model.body = text.body
        model.status = FilingDocumentStatus.draft.rawValue
        model.version = 0
        model.createdBy = user.displayName
        model.createdAt = req.now
        model.updatedAt = req.now
        try await req.db.write { db in
            // Two drafts of the same document at once: the second opens the first's.
            if try await FilingDocumentModel.query(on: db).filter(\.$unit.$id == owner.id!).filter(\.$termCode == term.id)
                .filter(\.$kind == kindCode).first() != nil { return }
            try await model.create(on: db)
            try await AuditTrail.record("filing-document.draft", objectType: "filing-document", objectID: model.id!.uuidString,
                                        detail: "\(owner.code) \(kindCode) \(term.id)", by: .init(user), on: db)
        }
        if model.id == nil { return try await draft(input, req) }
        return model.id!
    }

    static func draftText(kind: String, unit: UnitModel, period: DossierSource.Period, _ req: Request) async throws -> FilingDraft {
        let facts = try await req.application.complianceStore.facts.facts(on: req.db)
        switch kind {
        case "student-work-report":
            let units = facts.organization.units.filter { $0.active && $0.kind != .leadership }
            var dossiers: [UnitDossier] = []
            for unit in units.sorted(by: Unit.inUniversityOrder) { dossiers.append(try await DossierSource.unitDossier(req, period: period, unit: unit)) }
            return FilingDraft.partyCommitteeReport(periodName: period.name, units: dossiers, escalated: try await reportedUp(req, period: period),
                                                    practices: try await Showcase.named(in: period.range, on: req.db))
        default:
            guard let core = facts.organization.units.first(where: { $0.code == unit.code }) else { throw AppError.notFound("unit") }
            let cadres = facts.organization.cadres.filter { $0.unitCode == unit.code && $0.active }.sorted { $0.staffNumber < $1.staffNumber }
            let source = try await DossierSource.load(req, period: period, cadres: cadres)
            let dossiers = cadres.map(source.dossier)
            if kind == "semester-summary" {
                return FilingDraft.semesterSummary(unit: try await DossierSource.unitDossier(req, period: period, unit: core), cadres: dossiers)
            }
            return FilingDraft.arrangementPlan(unitName: unit.name, termName: period.name.zh, range: period.range,
                                               deadlines: deadlines(source.evaluation, unit: unit.code, in: period.range), cadres: dossiers)
        }
    }

    /// The unit's filing deadlines in the term, as the policy resolves them.
    static func deadlines(_ evaluation: ComplianceService.Evaluation?, unit: String, in range: DateRange) -> [(title: String, due: LocalDate)] {
        guard let evaluation else { return [] }
        var seen = Set<String>()
        return (evaluation.index.byUnit[unit] ?? []).compactMap { position -> (String, LocalDate)? in
            let cell = evaluation.cells[position]
            guard cell.subject.kind == .unit, cell.subject.id == unit, range.contains(cell.period.start), let due = cell.due,
                  let rule = evaluation.rules[cell.ruleID], case .filing = rule.body, seen.insert(cell.ruleID + cell.period.id).inserted else { return nil }
            return (rule.title ?? rule.id, due)
        }
    }

    /// Students' problems of the term that reached the school: answered late, or still open and
    /// escalated to the office.
    static func reportedUp(_ req: Request, period: DossierSource.Period) async throws -> [CadreDossier.ProblemLine] {
        let judge = try await CasesAPI.Judge.load(on: req.db, today: LocalDate(req.now))
        let rows = try await CaseModel.query(on: req.db).filter(\.$receivedOn >= period.range.start.iso)
            .filter(\.$receivedOn <= period.range.end.iso).sort(\.$receivedOn).all()
        return rows.filter { $0.closedAs == nil }.compactMap { item -> CadreDossier.ProblemLine? in
            guard let line = DossierSource.problemLine(item, judge: judge) else { return nil }
            let state = item.state
            let escalated = CaseEscalation.of(state, deadlines: judge.deadlines(state, tier: item.tier), asOf: period.judgedOn, workdays: judge.workdays) == .office
            return escalated || line.onTime(asOf: period.judgedOn) == false ? line : nil
        }
    }

    // MARK: The workflow

    static func act(_ id: UUID, _ input: ActInput, files: [(EvidenceService.Upload, SanitizedEvidence)], _ req: Request) async throws {
        let now = req.now, store = req.application.evidenceStore
        let user = try req.requireUser()
        var check = FieldChecker()
        let action = input.action.flatMap(Action.init(rawValue:))
        if action == nil { check.fail("action", zh: "操作只能是保存、提交、通过或退回", en: "action must be save, submit, approve or return") }
        var title: String?, body: String?, comment: String?
        switch action {
        case .save?, .submit?:
            title = check.text("title", input.title, label: "标题", max: 200)
            body = check.text("body", input.body, label: "正文", max: 50_000, required: action == .submit, multiline: true)
            if action == .submit, let body, FilingDraft.hasPrompt(body) {
                check.fail("body", zh: "正文中还有待填写的【…】提示，请补充或删去后再提交", en: "The text still has a 【…】 prompt to fill in or delete")
            }
        case .return?:
            comment = check.text("comment", input.comment, label: "退回意见", max: 2_000, multiline: true)
        case .approve?:
            comment = check.text("comment", input.comment, label: "审核意见", max: 2_000, required: false, multiline: true).flatMap { $0.isEmpty ? nil : $0 }
        case nil: break
        }
        try check.throwIfInvalid()
        let (newTitle, newBody, note) = (title, body, comment)
        try await req.db.write { db in
            guard let model = try await FilingDocumentModel.query(on: db).filter(\.$id == id).with(\.$unit).first(), visible(model, to: user) else {
                throw AppError.notFound("filing document")
            }
            let state = model.state
            switch action! {
            case .save, .submit:
                guard state.editable else {
                    throw AppError.conflict(field: nil, zh: "文书\(state.label.zh)，不能修改", en: "The document is \(state.label.en.lowercased()) and cannot change")
                }
                model.title = newTitle!
                model.body = newBody ?? ""
                if !files.isEmpty { try await attach(files, to: model, store: store, by: user, now: now, on: db) }
                if action == .submit { try await submit(model, by: user, now: now, on: db) }
            case .approve, .return:
                guard user.role == .businessAdmin else { throw AppError.forbidden }
                guard state == .submitted else {
                    throw AppError.conflict(field: nil, zh: "只有待审核的文书可以审核（当前：\(state.label.zh)）",
                                            en: "Only a submitted document can be reviewed (it is \(state.label.en.lowercased()))")
                }
                guard model.$unit.id != user.unitID, model.submittedByID != user.id else {
                    throw AppError(.forbidden, code: .forbidden, zh: "不能审核本单位或本人提交的报送", en: "You cannot review your own unit's or your own filing")
                }
                try await decide(model, approve: action == .approve, comment: note, by: user, now: now, on: db)
            }
            model.updatedAt = now
            try await model.save(on: db)
            try await AuditTrail.record("filing-document.\(action!.rawValue)", objectType: "filing-document", objectID: id.uuidString,
                                        detail: "\(model.unit.code) \(model.kind) \(model.termCode) v\(model.version)", by: .init(user), on: db)
        }
    }

    /// Inside the caller's transaction. A school-level report has no reviewer above the office: submitting files it.
    private static func submit(_ model: FilingDocumentModel, by user: CurrentUser, now: Date, on db: any Database) async throws {
        let today = LocalDate(now)
        model.version += 1
        model.status = FilingDocumentStatus.submitted.rawValue
        model.submittedOn = today.iso
        model.submittedByID = user.id
        model.comment = nil
        let version = FilingDocumentVersionModel()
        version.$document.id = model.id!
        version.version = model.version
        version.title = model.title
        version.body = model.body
        version.submittedOn = today.iso
        version.submittedBy = user.displayName
        try await version.create(on: db)
        if isSchoolLevel(model.kind) {
            model.status = FilingDocumentStatus.approved.rawValue
            version.outcome = FilingDocumentStatus.approved.rawValue
            version.decidedBy = user.displayName
            version.decidedAt = now
            try await version.save(on: db)
            try await file(model, by: user, now: now, on: db)
            return
        }
        let office = try await UserModel.query(on: db).filter(\.$active == true).filter(\.$role == Role.businessAdmin.rawValue).all()
        try await Notifications.send("filing-document", about: nil, to: office.compactMap(\.id).filter { $0 != user.id },
                                     zh: "\(model.unit.name)提交了《\(model.title)》（第 \(model.version) 稿），待审核",
                                     en: "\(model.unit.name) submitted “\(model.title)” (version \(model.version)) for review", now: now, on: db)
    }

    private static func decide(_ model: FilingDocumentModel, approve: Bool, comment: String?, by user: CurrentUser, now: Date, on db: any Database) async throws {
        guard let version = try await FilingDocumentVersionModel.query(on: db).filter(\.$document.$id == model.id!)
            .filter(\.$version == model.version).first() else { throw AppError.notFound("version") }
        let outcome: FilingDocumentStatus = approve ? .approved : .returned
        version.outcome = outcome.rawValue
        version.comment = comment
        version.decidedBy = user.displayName
        version.decidedAt = now
        try await version.save(on: db)
        model.status = outcome.rawValue
        model.comment = comment
        if approve { try await file(model, by: user, now: now, on: db) }
        let secretaries = try await UserModel.query(on: db).filter(\.$active == true).filter(\.$role == Role.unitSecretary.rawValue)
            .filter(\.$unit.$id == model.$unit.id).all()
        try await Notifications.send("filing-document", about: nil, to: secretaries.compactMap(\.id),
                                     zh: approve ? "《\(model.title)》第 \(model.version) 稿已审核通过" : "《\(model.title)》第 \(model.version) 稿被退回修改：\(comment ?? "")",
                                     en: approve ? "“\(model.title)” version \(model.version) was approved"
                                         : "“\(model.title)” version \(model.version) was returned: \(comment ?? "")", now: now, on: db)
    }

    /// The approved text is the unit's filing, dated the day it was submitted; an earlier filing of
    /// the same kind and term is corrected to it, with the reason kept. The document's files go with it.
    private static func file(_ model: FilingDocumentModel, by user: CurrentUser, now: Date, on db: any Database) async throws {
        let filing = FilingModel()
        filing.$unit.id = model.$unit.id
        filing.termCode = model.termCode
        filing.kind = model.kind
        filing.periodID = nil
        filing.submittedOn = model.submittedOn!
        let recorded = try await FilingPages.record(filing, reason: "按审核通过的《\(model.title)》第 \(model.version) 稿报送", by: user, now: now, on: db)
        model.filingID = recorded.id
        let already = Set(try await FilingAttachmentModel.query(on: db).filter(\.$filing.$id == recorded.id!).all().map(\.sha256))
        for file in try await FilingDocumentFileModel.query(on: db).filter(\.$document.$id == model.id!).all() where !already.contains(file.sha256) {
            let copy = FilingAttachmentModel()
            copy.$filing.id = recorded.id!
            copy.copy(from: file)
            try await copy.create(on: db)
        }
    }

    private static func attach(_ files: [(EvidenceService.Upload, SanitizedEvidence)], to model: FilingDocumentModel, store: EvidenceStore,
                               by user: CurrentUser, now: Date, on db: any Database) async throws {
        try FilingPages.checkRoom(existing: try await FilingDocumentFileModel.query(on: db).filter(\.$document.$id == model.id!).count(),
                                  adding: files.count, what: Localized(zh: "文书", en: "document"))
        for (upload, evidence) in files {
            try store.put(evidence)
            let file = FilingDocumentFileModel()
            file.$document.id = model.id!
            file.fill(upload, evidence, by: user.displayName, at: now)
            try await file.create(on: db)
        }
    }
}

/// A stored file of a filing or of a document: the same columns, so the approved document's files
/// become the filing's by copying them.
protocol FiledFile: AnyObject {
    var sha256: String { get set }
    var kind: String { get set }
    var size: Int { get set }
    var originalName: String { get set }
    var addedBy: String { get set }
    var createdAt: Date { get set }
}

extension FiledFile {
    func fill(_ upload: EvidenceService.Upload, _ evidence: SanitizedEvidence, by person: String, at now: Date) {
        sha256 = evidence.sha256
        kind = evidence.kind.rawValue
        size = evidence.bytes.count
        originalName = String(upload.name.prefix(120))
        addedBy = person
        createdAt = now
    }

    func copy(from other: some FiledFile) {
        (sha256, kind, size, originalName, addedBy, createdAt) = (other.sha256, other.kind, other.size, other.originalName, other.addedBy, other.createdAt)
    }
}

extension FilingAttachmentModel: FiledFile {}
extension FilingDocumentFileModel: FiledFile {}
