import Fluent
import Plot
import Vapor
import YixianCore

struct PolicyVersionDTO: Content {
    var id: UUID
    var policyId: String
    var version: Int
    var title: String
    var effectiveFrom: String
    var uploadedBy: String
    var uploadedAt: Date

    init(_ m: PolicyVersionModel) {
        id = m.id!
        policyId = m.policyCode
        version = m.version
        title = m.title
        effectiveFrom = m.effectiveFrom
        uploadedBy = m.uploadedBy
        uploadedAt = m.uploadedAt
    }
}

struct PolicyUploadInput: Content {
    var text: String?
    var effectiveFrom: String?
    /// The page may send the YAML as a file instead of pasted text.
    var file: File?
}

/// One page of cells: a cadre with thousands of records made one unit's answer 2 MB.
struct ComplianceCellsDTO: Content {
    var asOf: String
    var cells: [ComplianceCell]
    var page: Int
    var per: Int
    var total: Int
}

extension ComplianceCell: Content {}

/// Uploading and reading the institution's policy versions; the compliance API.
enum PolicyPages {
    static func validatedUpload(_ input: PolicyUploadInput) throws -> (String, LocalDate) {
        var check = FieldChecker()
        let effective = check.date("effectiveFrom", input.effectiveFrom, label: "生效日期")
        var text = input.text ?? ""
        if let file = input.file, file.data.readableBytes > 0 {
            // A file chosen wins over the text area; it must be UTF-8 text (a policy is YAML).
            if let decoded = String(data: Data(buffer: file.data), encoding: .utf8) { text = decoded } else {
                check.fail("text", zh: "策略文件须为 UTF-8 编码的 YAML 文本", en: "the policy file must be YAML text in UTF-8")
            }
        }
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            check.fail("text", zh: "请粘贴或上传策略文件", en: "paste or upload a policy file")
        }
        try check.throwIfInvalid()
        return (text, effective!)
    }

    /// docs/POLICY-FORMAT.md, served beside the upload form: found next to the presets, or in the working directory.
    static func formatText(directory: String?) -> String? {
        let candidates: [String?] = [directory.map { $0 + "/../docs" }, "docs",
                          URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../docs").path]
        for folder in candidates.compactMap({ $0 }) {
            if let data = FileManager.default.contents(atPath: folder + "/POLICY-FORMAT.md"), let text = String(data: data, encoding: .utf8) { return text }
        }
        return nil
    }

    static func register(_ app: Application) {
        app.routes.on(.GET, SitePattern.policies.components, access: .capability(.readCompliance)) { req -> Response in
            render(req, try await PolicyPageModel.load(req, input: PolicyUploadInput(), problems: []))
        }
        app.routes.on(.GET, SitePattern.policyFormat.components, access: .capability(.readCompliance)) { req -> Response in
            guard let text = formatText(directory: req.application.yixian.policyDirectory) else { throw AppError.notFound("document") }
            let response = Response(status: .ok, body: .init(string: text))
            response.headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["charset": "utf-8"])
            return response
        }
        app.routes.on(.POST, SitePattern.policies.components, access: .capability(.managePolicy), body: .collect(maxSize: "1mb")) { req -> Response in
            let user = try req.requireUser()
            let input = try req.content.decode(PolicyUploadInput.self)
            do {
                let (text, effective) = try validatedUpload(input)
                _ = try await ComplianceService.upload(text: text, effectiveFrom: effective, by: .init(user), now: req.now, on: req.db)
                return req.redirect(to: SiteRoute.policies.path())
            } catch let error as AppError where error.status == .unprocessableEntity {
                return render(req, try await PolicyPageModel.load(req, input: input, problems: error.details), status: .unprocessableEntity)
            }
        }
        app.register(.init(method: .GET, path: "/policies", summary: "Policy versions, oldest first", tag: "Policy",
                           access: .capability(.readCompliance), response: "PolicyVersionList")) { req in
            try await PolicyVersionModel.query(on: req.db).sort(\.$version).all().map(PolicyVersionDTO.init)
        }
        app.register(.init(method: .POST, path: "/policies", summary: "Upload a new policy version (YAML text) that applies from effectiveFrom",
                           tag: "Policy", access: .capability(.managePolicy), requestBody: "PolicyUpload", response: "PolicyVersion", successStatus: 201),
                     body: .collect(maxSize: "1mb")) { req in
            let user = try req.requireUser()
            let (text, effective) = try validatedUpload(try req.decodeJSON(PolicyUploadInput.self))
            return PolicyVersionDTO(try await ComplianceService.upload(text: text, effectiveFrom: effective, by: .init(user), now: req.now, on: req.db))
        }
        app.register(.init(method: .GET, path: "/compliance/cells",
                           summary: "Compliance cells as of a date (cadres see their own; unit secretaries their unit)", tag: "Policy",
                           access: .signedIn,
                           query: [.init(name: "asOf", description: "YYYY-MM-DD, default today"), .init(name: "unit", description: "unit code"),
                                   .init(name: "subject", description: "staff number, unit code or school"), .init(name: "rule", description: "rule id")]
                               + PageRequest.queryParameters,
                           response: "ComplianceCells")) { req in
            let user = try req.requireUser()
            guard user.can(.readCompliance) || user.can(.readOwnProgress) else { throw AppError.forbidden }
            let paging = try PageRequest(req)
            guard let evaluation = try await CompliancePages.evaluation(req) else {
                throw AppError(.conflict, code: .noPolicy, zh: "尚未启用工作规定", en: "No policy is active yet")
            }
            let cells = evaluation.cells
            var positions = try req.stringParameter("unit", maxLength: 64).map { evaluation.index.byUnit[$0] ?? [] } ?? Array(cells.indices)
            if let subject = try req.stringParameter("subject", maxLength: 64) { positions = positions.filter { cells[$0].subject.id == subject } }
            if let rule = try req.stringParameter("rule", maxLength: 64) { positions = positions.filter { cells[$0].ruleID == rule } }
            if !user.can(.readCompliance) {
                positions = positions.filter { cells[$0].subject.kind == .cadre && evaluation.cadreIDs[cells[$0].subject.id] == user.cadreID }
            } else if try user.rosterUnitScope() != nil {
                positions = positions.filter { cells[$0].subject.kind != .school && cells[$0].subject.unitCode == user.unitCode }
            }
            return ComplianceCellsDTO(asOf: evaluation.asOf.iso, cells: positions.dropFirst(paging.offset).prefix(paging.per).map { cells[$0] },
                                      page: paging.page, per: paging.per, total: positions.count)
        }
    }

    static func render(_ req: Request, _ model: PolicyPageModel, status: HTTPResponseStatus = .ok) -> Response {
        let ctx = PageContext(req)
        return ctx.render(title: ctx.t("工作规定", "Policy"), status: status, content: view(ctx, model))
    }

    static func view(_ ctx: PageContext, _ m: PolicyPageModel) -> Node<HTML.BodyContext> {
        .group(
            .h1(.text(ctx.t("工作规定（策略文件）", "Policy versions"))),
            .p(.class("muted"), .text(ctx.t("每个版本自生效日期起适用；此前结束的周期仍按当时有效的版本评判。",
                                             "Each version applies from its date; periods that ended earlier stay judged by the version then in force. ")),
               .a(.href(SiteRoute.policyFormat.path()), .text(ctx.t("策略文件格式说明", "How a policy file is written")))),
            Components.table(ctx, headers: [ctx.t("版本", "Version"), ctx.t("策略", "Policy"), ctx.t("标题", "Title"), ctx.t("生效日期", "Effective from"),
                                            ctx.t("上传人", "Uploaded by"), ctx.t("状态", "Status")],
                             rows: m.versions.map { v in
                                 [Components.cell("v\(v.version)"), Components.cell(v.policyID), Components.cell(v.title),
                                  Components.cell(v.effectiveFrom.iso), Components.cell(v.uploadedBy),
                                  .td(stateTag(ctx, v.state))]
                             }, empty: .text(ctx.t("尚无版本。", "No version yet."))),
            .unwrap(m.explanation) { text in
                .div(.class("panel"), .h2(.text(ctx.t("现行规定说明", "The policy in force"))), .pre(.class("explain"), .text(text)))
            },
            .if(m.canManage, .div(.class("panel"),
                .h2(.text(ctx.t("上传新版本", "Upload a new version"))),
                .p(.a(.href(SiteRoute.policyWorkbench.path()), .text(ctx.t("先在策略工作台试算：看新版本会改变哪些干部、单位的结论 →",
                                                                             "Simulate first in the workbench: which cadres' and units' verdicts a new version would change →")))),
                Components.errorSummary(ctx, m.problems),
                .form(.method(.post), .action(SiteRoute.policies.path()), .enctype(.multipartData),
                      Layout.csrfField(ctx),
                      Components.field(ctx, name: "effectiveFrom", label: ctx.t("生效日期", "Effective from"), value: m.input.effectiveFrom ?? m.today.iso,
                                       type: .date, problems: m.problems),
                      .div(.class(m.problems.contains { $0.field == "text" } ? "field has-error" : "field"),
                           .label(.for("text"), .text(ctx.t("策略文件（YAML）", "Policy file (YAML)"))),
                           .span(.class("hint"), .text(ctx.t("可从 policies/ 中的预置文件开始修改。", "Start from a preset in policies/."))),
                           .textarea(.id("text"), .name("text"), .attribute(named: "rows", value: "16"), .text(m.input.text ?? ""))),
                      .div(.class("field"), .label(.for("file"), .text(ctx.t("或选择文件（.yaml）", "Or choose a file (.yaml)"))),
                           .input(.type(.file), .id("file"), .name("file"), .attribute(named: "accept", value: ".yaml,.yml,text/yaml"))),
                      .button(.type(.submit), .text(ctx.t("校验并上传", "Check and upload"))))))
        )
    }
}

extension PolicyPages {
    static func stateTag(_ ctx: PageContext, _ state: PolicyPageModel.VersionRow.State) -> Node<HTML.BodyContext> {
        switch state {
        case .inForce: Components.tag(ctx.t("现行", "In force"), "green")
        case .scheduled: Components.tag(ctx.t("待生效", "Scheduled"), "grey")
        case .superseded: Components.tag(ctx.t("已被替代", "Superseded"), "grey")
        }
    }
}

/// The policy page: every stored version, newest first, with which is in force today; the
/// in-force policy explained; the upload form for those who manage policy.
struct PolicyPageModel: Sendable {
    struct VersionRow: Sendable {
        enum State: Sendable { case inForce, scheduled, superseded }
        var version: Int
        var policyID: String
        var title: String
        var effectiveFrom: LocalDate
        var uploadedBy: String
        var state: State
    }

    var versions: [VersionRow]
    /// `PolicyCLI.explain` of the policy in force.
    var explanation: String?
    var canManage: Bool
    var input: PolicyUploadInput
    var problems: [AppError.FieldProblem]
    var today: LocalDate

    static func load(_ req: Request, input: PolicyUploadInput, problems: [AppError.FieldProblem]) async throws -> PolicyPageModel {
        let today = LocalDate(req.now)
        let versions = try await ComplianceService.versions(on: req.db)
        let current = ComplianceService.version(on: today, in: versions).map { versions[$0] }
        let rows = versions.reversed().map { v in
            VersionRow(version: v.model.version, policyID: v.policy.id, title: v.policy.title, effectiveFrom: v.effectiveFrom,
                       uploadedBy: v.model.uploadedBy,
                       state: v.model.id == current?.model.id ? .inForce : v.effectiveFrom > today ? .scheduled : .superseded)
        }
        return PolicyPageModel(versions: rows, explanation: current.map { PolicyCLI.explain($0.policy) },
                               canManage: try req.requireUser().can(.managePolicy), input: input, problems: problems, today: today)
    }
}
