import Fluent
import Foundation
import Plot
import Vapor
import YixianCore

/// 策略工作台: the office edits a policy in the browser, checked as it types (a small script asks
/// the server; without it the 检查 button does the same), and simulates it against the ledger of a
/// term that has begun: which cadres and units would change verdict, rule by rule, against the
/// versions in force. Nothing is stored until the office adopts it through the ordinary upload.
enum PolicyWorkbench {
    static let access = Access.capability(.managePolicy)

    struct Input: Content {
        var text: String?
        var period: String?
        var effectiveFrom: String?
    }

    struct Problem: Content {
        var line: Int
        var column: Int
        var message: Localized
    }

    struct CheckResult: Content {
        var ok: Bool
        var problems: [Problem]
    }

    /// The policy's problems against the university's calendar, as the upload will see them.
    static func check(_ text: String, on db: any Database) async throws -> (Policy?, [Problem]) {
        let years = try await CalendarAPI.load(on: db)
        let calendar = years.isEmpty ? nil : AcademicCalendar(years: years)
        if let policy = try? PolicyLoader.load(text, fileName: "policy.yaml", calendar: calendar) { return (policy, []) }
        let found = PolicyLoader.diagnostics(text, calendar: calendar).map { Problem(line: $0.line, column: $0.column, message: $0.message) }
        return (nil, found.isEmpty ? [Problem(line: 1, column: 1, message: Localized(zh: "策略文件无效", en: "Invalid policy file"))] : found)
    }

    struct Model: Sendable {
        var text: String
        var periods: [DossierSource.Period]
        var period: DossierSource.Period?
        var effectiveFrom: String
        var problems: [AppError.FieldProblem] = []
        var policyProblems: [Problem] = []
        var diff: PolicyDiff?
    }

    static func page(_ req: Request, input: Input? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let today = LocalDate(req.now)
        let periods = try await DossierSource.periods(on: req.db, today: today).filter { $0.kind == .term }
        let versions = try await ComplianceService.versions(on: req.db)
        let current = ComplianceService.version(on: today, in: versions).map { versions[$0].model.sourceText }
        var model = Model(text: input?.text ?? current ?? "", periods: periods, period: periods.first,
                          effectiveFrom: input?.effectiveFrom ?? today.iso)
        guard let input else { return render(req, model, status: status) }
        // Simulate: a text that loads, a term that has begun.
        var check = FieldChecker()
        let text = check.text("text", input.text, label: "策略文件", max: 512 * 1024, multiline: true)
        if let picked = input.period {
            model.period = periods.first { $0.picked == picked }
            if model.period == nil { check.fail("period", zh: "学期不存在或尚未开始", en: "No such term that has begun") }
        }
        if model.period == nil && check.problems.isEmpty { check.fail("period", zh: "尚无已开始的学期，无法试算", en: "No term has begun to simulate on") }
        model.problems = check.problems
        guard model.problems.isEmpty, let text, let period = model.period else { return render(req, model, status: .unprocessableEntity) }
        let (policy, problems) = try await Self.check(text, on: req.db)
        guard let policy else {
            model.policyProblems = problems
            model.problems = [.init(field: "text", message: Localized(zh: "策略文件有 \(problems.count) 处问题，见下方", en: "The policy has \(problems.count) problems, listed below"))]
            return render(req, model, status: .unprocessableEntity)
        }
        let (before, after) = try await req.application.complianceStore.simulate(policy, asOf: period.judgedOn, on: req.db)
        func inTerm(_ cell: ComplianceCell) -> Bool { cell.period.start <= period.range.end && cell.period.end >= period.range.start }
        model.diff = PolicyDiff(before: (before?.cells ?? []).filter(inTerm), beforeRules: Array((before?.rules ?? [:]).values),
                                after: after.filter(inTerm), afterRules: policy.rules)
        return render(req, model, status: status)
    }

    static func render(_ req: Request, _ m: Model, status: HTTPResponseStatus) -> Response {
        let ctx = PageContext(req)
        let live = m.policyProblems.map { "第 \($0.line) 行第 \($0.column) 列：\(ctx.t($0.message))" }
        return ctx.render(title: ctx.t("策略工作台", "Policy workbench"), status: status, content: .group(
            .h1(.text(ctx.t("策略工作台：修改、校验、试算", "Policy workbench: edit, check, simulate"))),
            .p(.class("muted"), .text(ctx.t("在此修改工作规定，输入时即检查（行、列与原因）；试算用所选学期已记录的台账、结对、报送和诉求，比较新旧版本下每位干部、每个单位的结论。试算不保存任何内容，确认后再“采用”。",
                                             "Edit the policy; it is checked as you type (line, column, reason). Simulating judges the recorded ledger, pairings, filings and cases of the chosen term by this text and compares every cadre's and unit's verdicts with the versions in force. Nothing is stored until you adopt it.")),
               .a(.href(SiteRoute.policies.path()), .text(ctx.t("← 工作规定", "← Policy versions")))),
            Components.errorSummary(ctx, m.problems),
            .form(.method(.post), .action(SiteRoute.policyWorkbench.path()), .id("workbench"),
                  Layout.csrfField(ctx),
                  .div(.class(m.problems.contains { $0.field == "text" } ? "field has-error" : "field"),
                       .label(.for("text"), .text(ctx.t("策略文件（YAML）", "Policy (YAML)"))),
                       .textarea(.id("text"), .name("text"), .attribute(named: "rows", value: "22"), .attribute(named: "spellcheck", value: "false"),
                                 .attribute(named: "data-check", value: SiteRoute.policyWorkbenchCheck.path()), .text(m.text))),
                  .div(.id("live-check"), .class(live.isEmpty ? "muted" : "error-summary"), .attribute(named: "aria-live", value: "polite"),
                       .if(!live.isEmpty, .ul(.forEach(live) { .li(.text($0)) }))),
                  .div(.class(m.problems.contains { $0.field == "period" } ? "field has-error" : "field"),
                       .label(.for("period"), .text(ctx.t("试算学期（按该学期的评判日）", "Term to simulate (judged on its judging day)"))),
                       .select(.id("period"), .attribute(named: "name", value: "period"),
                               .forEach(m.periods) { p in Components.option(value: p.picked, text: ctx.t(p.name) + "（\(p.judgedOn.iso)）", selected: p == m.period) })),
                  .button(.type(.submit), .text(ctx.t("检查并试算", "Check and simulate")))),
            .unwrap(m.diff) { diff in result(ctx, diff, m) },
            .script(.src(SiteRoute.workbenchScript.path()), .attribute(named: "defer", value: "defer"))
        ))
    }

    static func result(_ ctx: PageContext, _ diff: PolicyDiff, _ m: Model) -> Node<HTML.BodyContext> {
        let worse = diff.rules.reduce(0) { $0 + $1.worse }, better = diff.rules.reduce(0) { $0 + $1.better }
        return .div(.class("panel"), .id("simulation"),
            .h2(.text(ctx.t("试算结果", "Simulation") + (m.period.map { "：" + ctx.t($0.name) } ?? ""))),
            .p(.id("simulation-summary"), .text(ctx.t("按此文本评判，\(diff.subjects) 个对象的结论会改变：变差 \(worse) 处，变好 \(better) 处。",
                                                       "Judged by this text, \(diff.subjects) subjects change: \(worse) verdicts worse, \(better) better."))),
            Components.table(ctx, headers: [ctx.t("规则", "Rule"), ctx.t("变差", "Worse"), ctx.t("变好", "Better"), ctx.t("新增", "Added"),
                                            ctx.t("取消", "Removed"), ctx.t("不变", "Unchanged")],
                             rows: diff.rules.map { r in
                                 [Components.cell(r.title), Components.cell("\(r.worse)"), Components.cell("\(r.better)"), Components.cell("\(r.added)"),
                                  Components.cell("\(r.removed)"), Components.cell("\(r.unchanged)")]
                             }, empty: .text(ctx.t("两个版本在该学期没有要求。", "Neither version has requirements in the term."))),
            .h3(.text(ctx.t("结论改变的对象（变差在前，最多 300 处）", "Changed verdicts (worse first, at most 300)"))),
            Components.table(ctx, headers: [ctx.t("对象", "Subject"), ctx.t("规则", "Rule"), ctx.t("周期", "Period"), ctx.t("现行", "In force"),
                                            ctx.t("按此文本", "By this text")],
                             rows: diff.changes.prefix(300).map { c in
                                 [Components.cell(c.subject.kind == .cadre ? "\(c.subject.name)（\(c.subject.id)）" : c.subject.name),
                                  Components.cell(c.ruleTitle), Components.cell(ctx.t(c.period)),
                                  Components.cell((c.before.map { ctx.t($0.label) } ?? ctx.t("无", "—")) + " " + c.beforeAmount),
                                  Components.cell((c.after.map { ctx.t($0.label) } ?? ctx.t("无", "—")) + " " + c.afterAmount)]
                             }, empty: .text(ctx.t("没有结论改变。", "No verdict changes."))),
            .form(.method(.post), .action(SiteRoute.policies.path()), .class("toolbar"),
                  Layout.csrfField(ctx),
                  .input(.type(.hidden), .name("text"), .value(m.text)),
                  .label(.text(ctx.t("生效日期", "Effective from")), .input(.type(.date), .name("effectiveFrom"), .value(m.effectiveFrom))),
                  .button(.type(.submit), .text(ctx.t("采用此版本（上传）", "Adopt this version (upload)")))))
    }

    /// Checks as the office types: a progressive enhancement, the form works without it.
    static let script = """
    (function () {
      var box = document.getElementById('text'), out = document.getElementById('live-check');
      var token = document.querySelector('#workbench input[name="_csrf"]');
      if (!box || !out || !token || !window.fetch) return;
      var timer = null, zh = (document.documentElement.lang || 'zh').indexOf('zh') === 0;
      function show(problems) {
        out.textContent = '';
        out.className = problems.length ? 'error-summary' : 'muted';
        if (!problems.length) { out.textContent = zh ? '检查通过。' : 'No problems.'; return; }
        var list = document.createElement('ul');
        problems.forEach(function (p) {
          var item = document.createElement('li');
          item.textContent = (zh ? '第 ' + p.line + ' 行第 ' + p.column + ' 列：' + p.message.zh : 'line ' + p.line + ', column ' + p.column + ': ' + p.message.en);
          list.appendChild(item);
        });
        out.appendChild(list);
      }
      box.addEventListener('input', function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          fetch(box.getAttribute('data-check'), { method: 'POST', credentials: 'same-origin',
            headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token.value }, body: JSON.stringify({ text: box.value }) })
            .then(function (r) { return r.ok ? r.json() : null; })
            .then(function (result) { if (result) show(result.problems); });
        }, 400);
      });
    })();
    """

    static func register(_ app: Application) {
        app.routes.on(.GET, SitePattern.policyWorkbench.components, access: access) { req in try await page(req) }
        app.routes.on(.POST, SitePattern.policyWorkbench.components, access: access, body: .collect(maxSize: "1mb")) { req -> Response in
            try await page(req, input: try req.content.decode(Input.self))
        }
        app.routes.on(.POST, SitePattern.policyWorkbenchCheck.components, access: access, body: .collect(maxSize: "1mb")) { req -> CheckResult in
            let input = try req.content.decode(Input.self)
            guard let text = input.text, text.utf8.count <= 512 * 1024 else {
                throw AppError.field("text", zh: "请提供策略文件文本（最多 512 KB）", en: "Send the policy text (at most 512 KB)")
            }
            let (policy, problems) = try await check(text, on: req.db)
            return CheckResult(ok: policy != nil, problems: problems)
        }
        app.routes.on(.GET, SitePattern.workbenchScript.components, access: .anyone) { _ -> Response in
            let response = Response(status: .ok, body: .init(string: script))
            response.headers.contentType = HTTPMediaType(type: "text", subType: "javascript", parameters: ["charset": "utf-8"])
            response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
            return response
        }
    }
}
