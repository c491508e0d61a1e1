import Fluent
import Plot
import Vapor
import YixianCore

/// The pairing table in 东南大学's attachment form: on screen, as .xlsx, printed on A4, and imported back.
enum PairingPages {
    struct ImportForm: Content {
        var file: File?
        var validOnly: String?
    }

    /// The year asked for (`?year=`), else the current one.
    static func year(_ req: Request) async throws -> AcademicYear {
        let years = try await CalendarAPI.load(on: req.db)
        if let id = req.query[String.self, at: "year"], !id.isEmpty {
            guard let year = years.first(where: { $0.id == id }) else { throw AppError.field("year", zh: "学年“\(id)”不存在", en: "Unknown academic year \(id)") }
            return year
        }
        guard let year = try await PairingService.currentYear(on: req.db, asOf: LocalDate(req.now)) else {
            throw AppError(.conflict, code: .noCalendar, zh: "尚未设置校历，无法确定学年", en: "No academic calendar yet")
        }
        return year
    }

    /// The pairing table with the handover form; a refused handover comes back here with its input and reasons.
    static func view(_ ctx: PageContext, _ m: PairingTableModel) -> Node<HTML.BodyContext> {
        .group(
            .h1(.text(ctx.t("\(m.yearName.zh)领导干部联系学生集体结对表", "Pairing table, \(m.yearName.en)"))),
            Components.notice(m.handedOver ? ctx.t("交接完成：接任者已承接结对，原任者的结对于交接前一日结束。",
                                                  "Handover done: the successor holds the pairings; the predecessor's ended the day before.") : nil),
            Components.notice(m.added.map { ctx.t("已添加结对：\($0)。", "Pairing added: \($0).") }),
            .div(.class("toolbar"),
                 .a(.class("button secondary"), .href(SiteRoute.pairingsExport.path(query: ["year": m.yearID])), .text(ctx.t("导出 Excel", "Export .xlsx"))),
                 .a(.class("button secondary"), .href(SiteRoute.pairingsPrint.path(query: ["year": m.yearID])), .text(ctx.t("打印（A4）", "Print (A4)"))),
                 .a(.class("button secondary"), .href(SiteRoute.pairingsCoverage.path(query: ["year": m.yearID])), .text(ctx.t("覆盖情况", "Coverage"))),
                 .if(m.canManage, .group(
                    .a(.class("button secondary"), .href(SiteRoute.pairingsMatching.path(query: ["year": m.yearID])), .text(ctx.t("智能匹配", "Matching"))),
                    .a(.class("button secondary"), .href(SiteRoute.pairingsImport.path()), .text(ctx.t("导入结对表", "Import")))))),
            Components.table(ctx, headers: PairingTable.header,
                             rows: PairingTable.records(m.rows).map { $0.map { Components.cell($0) } },
                             empty: .text(ctx.t("本学年尚无结对。可导入结对表，或使用智能匹配生成建议。", "No pairings this year yet.")), exports: ["csv"]),
            .if(!m.collegeLinks.isEmpty, .group(
                .h2(.text(ctx.t("联系院（系）", "Colleges linked"))),
                Components.table(ctx, headers: [ctx.t("所在单位", "Unit"), ctx.t("姓名", "Name"), ctx.t("联系院（系）", "College")],
                                 rows: m.collegeLinks.map { $0.map { Components.cell($0) } }, empty: .text(""), exports: []))),
            .if(m.canManage, addForm(ctx, input: m.add, problems: m.addProblems)),
            .if(m.canManage, handoverForm(ctx, input: m.handover, problems: m.problems))
        )
    }

    /// A pairing by hand: the way forward when matching cannot fill a requirement, or a link agreed in person.
    static func addForm(_ ctx: PageContext, input: PairingAddInput, problems: [AppError.FieldProblem]) -> Node<HTML.BodyContext> {
        let kinds: [Pairing.Kind] = [.linked, .honoraryClassHead]
        return .div(.class("panel"), .id("add"),
             .h2(.text(ctx.t("手动添加结对", "Add a pairing"))),
             .p(.class("muted"), .text(ctx.t("一个集体可由多名干部联系；手动添加不受智能匹配的每集体人数上限约束。",
                                             "A collective may have several cadres; a pairing added by hand is not bound by the matching's per-collective limit."))),
             Components.errorSummary(ctx, problems),
             .form(.method(.post), .action(SiteRoute.pairingsAdd.path()),
                   Layout.csrfField(ctx),
                   Components.field(ctx, name: "staffNumber", label: ctx.t("干部工号", "Staff number"), value: input.staffNumber ?? "", problems: problems),
                   Components.field(ctx, name: "collective", label: ctx.t("学生集体或院（系）（名称或代码）", "Collective or college (name or code)"), value: input.collective ?? "",
                                    problems: problems),
                   .div(.class("field"), .label(.for("kind"), .text(ctx.t("方式", "Kind"))),
                        .select(.id("kind"), .attribute(named: "name", value: "kind"),
                                .forEach(kinds) { Components.option(value: $0.rawValue, text: ctx.t($0.label), selected: $0.rawValue == (input.kind ?? "linked")) })),
                   .button(.type(.submit), .text(ctx.t("添加", "Add")))))
    }

    static func handoverForm(_ ctx: PageContext, input: HandoverInput, problems: [AppError.FieldProblem]) -> Node<HTML.BodyContext> {
        .div(.class("panel"), .id("handover"),
             .h2(.text(ctx.t("换岗交接", "Handover"))),
             .p(.class("muted"), .text(ctx.t("干部岗位变动时，接任者自交接日起承接原任者的结对；此前的结对记录保留。", "The successor takes over the pairings from the date; earlier records stay."))),
             Components.errorSummary(ctx, problems),
             .form(.method(.post), .action(SiteRoute.pairingsHandover.path()),
                   Layout.csrfField(ctx),
                   Components.field(ctx, name: "fromStaffNumber", label: ctx.t("原任工号", "From (staff no.)"), value: input.fromStaffNumber ?? "", problems: problems),
                   Components.field(ctx, name: "toStaffNumber", label: ctx.t("接任工号", "To (staff no.)"), value: input.toStaffNumber ?? "", problems: problems),
                   Components.field(ctx, name: "date", label: ctx.t("交接日期", "Date"), value: input.date ?? ctx.today.iso, type: .date, problems: problems),
                   .button(.type(.submit), .text(ctx.t("交接", "Hand over")))))
    }

    static func render(_ req: Request, _ model: PairingTableModel, status: HTTPResponseStatus = .ok) -> Response {
        let ctx = PageContext(req)
        return ctx.render(title: ctx.t("结对表", "Pairing table"), status: status, content: view(ctx, model))
    }

    /// The year's college pairings in force (today's, in the running year), by the holder's unit in the university's order.
    static func collegeLinks(_ req: Request, year: AcademicYear) async throws -> [[String]] {
        let user = try req.requireUser()
        let world = try await PairingWorld.load(on: req.db)
        let scopeCode = try user.rosterUnitScope().flatMap { world.organization.unitCodes[$0] }
        let today = LocalDate(req.now)
        let cadres = Dictionary(world.cadres.map { ($0.staffNumber, $0) }, uniquingKeysWith: { a, _ in a })
        let units = Dictionary(world.units.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        let order = Dictionary(uniqueKeysWithValues: world.units.sorted(by: Unit.inUniversityOrder).enumerated().map { ($1.code, $0) })
        return world.pairings.filter { $0.academicYearID == year.id && $0.collegeCode != nil && (!year.range.contains(today) || $0.range.end >= today) }
            .compactMap { p -> (Int, [String])? in
                guard let cadre = cadres[p.cadreStaffNumber], scopeCode == nil || cadre.unitCode == scopeCode else { return nil }
                return (order[cadre.unitCode] ?? Int.max, [units[cadre.unitCode]?.name ?? cadre.unitCode, cadre.name, units[p.collegeCode!]?.name ?? p.collegeCode!])
            }
            .sorted { ($0.0, $0.1.joined(separator: "\t")) < ($1.0, $1.1.joined(separator: "\t")) }.map(\.1)
    }

    static func tableRows(_ req: Request, year: AcademicYear, everyCadre: Bool = false) async throws -> [PairingTable.Row] {
        let user = try req.requireUser()
        let world = try await PairingWorld.load(on: req.db)
        var cadres = world.cadres, pairings = world.pairings
        if let scope = try user.rosterUnitScope(), let code = world.organization.unitCodes[scope] {
            cadres = cadres.filter { $0.unitCode == code }
        }
        // The table of the running year is today's: links ended by a handover are history, not current.
        let today = LocalDate(req.now)
        if year.range.contains(today) { pairings = pairings.filter { $0.range.end >= today } }
        return PairingTable.rows(units: world.units, cadres: cadres, collectives: world.collectives, pairings: pairings, academicYearID: year.id,
                                 everyCadre: everyCadre)
    }

    /// Adds the pairing typed in the form for the current year.
    static func add(_ input: PairingAddInput, _ req: Request) async throws -> UUID {
        let user = try req.requireUser()
        var check = FieldChecker()
        let staff = check.code("staffNumber", input.staffNumber, label: "干部工号")
        let typed = check.text("collective", input.collective, label: "学生集体", max: 100)
        let kind = check.choice("kind", input.kind ?? Pairing.Kind.linked.rawValue, label: "方式", as: Pairing.Kind.self)
        if kind == .keyStudent { check.fail("kind", zh: "重点联系学生请在学生页面指定", en: "key students are paired from the student's page") }
        try check.throwIfInvalid()
        // A name as people type it, or the code: names are what the coverage page and the shortfalls show.
        let collective = try await CollectiveModel.query(on: req.db).group(.or) { $0.filter(\.$code == typed!).filter(\.$name == typed!) }.all()
        if collective.isEmpty, let unit = try await UnitModel.query(on: req.db).group(.or, { $0.filter(\.$code == typed!).filter(\.$name == typed!) }).first() {
            // A college typed instead (东南大学 二1: 部处联系相关院系); any other unit is refused on this field.
            if let problem = Pairing.collegeTargetProblem(unit.core, code: unit.code) { throw AppError.field("collective", zh: problem.zh, en: problem.en) }
            guard kind == .linked else { throw AppError.field("kind", zh: "与院（系）的结对只能是“联系”", en: "a college pairing can only be of kind linked") }
            let year = try await year(req)
            let (model, created) = try await req.db.write { db in
                try await PairingService.add(staffNumber: staff!, collectiveCode: nil, studentNumber: nil, unitCode: unit.code, kind: .linked, year: year,
                                             range: DateRange(start: max(LocalDate(req.now), year.range.start), end: year.range.end), actor: .init(user), on: db)
            }
            guard created else { throw AppError.field("collective", zh: "该干部本学年已联系“\(unit.name)”", en: "This cadre already links \(unit.name) this year") }
            return try model.requireID()
        }
        guard let found = collective.first(where: { $0.code == typed }) ?? (collective.count == 1 ? collective.first : nil) else {
            throw AppError.field("collective", zh: collective.isEmpty ? "找不到学生集体“\(typed!)”，请核对名称或代码" : "名称“\(typed!)”对应多个学生集体，请填写代码",
                                 en: collective.isEmpty ? "No collective named “\(typed!)”" : "“\(typed!)” names several collectives; give the code")
        }
        let year = try await year(req)
        let (model, created) = try await req.db.write { db in
            try await PairingService.add(staffNumber: staff!, collectiveCode: found.code, studentNumber: nil, kind: kind!, year: year,
                                         range: DateRange(start: max(LocalDate(req.now), year.range.start), end: year.range.end), actor: .init(user), on: db)
        }
        guard created else {
            throw AppError.field("collective", zh: "该干部本学年已联系“\(found.name)”", en: "This cadre already links \(found.name) this year")
        }
        return try model.requireID()
    }

    static func register(_ app: Application) {
        let read = Access.capability(.readRoster)
        app.routes.on(.GET, SitePattern.pairings.components, access: read) { req -> Response in
            render(req, try await PairingTableModel.load(req, handedOver: req.query[String.self, at: "handedOver"] != nil,
                                                         add: PairingAddInput(staffNumber: req.query[String.self, at: "staff"]),
                                                         added: req.query[UUID.self, at: "added"]))
        }
        app.routes.on(.POST, SitePattern.pairingsAdd.components, access: .capability(.importRoster)) { req -> Response in
            let input = try req.content.decode(PairingAddInput.self)
            do {
                let added = try await add(input, req)
                return req.redirect(to: SiteRoute.pairings.path(query: ["added": added.uuidString]) + "#add")
            } catch let error as AppError where error.status == .unprocessableEntity {
                return render(req, try await PairingTableModel.load(req, add: input, addProblems: error.details), status: .unprocessableEntity)
            }
        }
        app.routes.on(.POST, SitePattern.pairingsHandover.components, access: .capability(.importRoster)) { req -> Response in
            let input = try req.content.decode(HandoverInput.self)
            do {
                _ = try await HandoverService.handover(input, by: .init(try req.requireUser()), on: req.db)
            } catch let error as AppError where error.status == .unprocessableEntity {
                return render(req, try await PairingTableModel.load(req, handover: input, problems: error.details), status: .unprocessableEntity)
            }
            return req.redirect(to: SiteRoute.pairings.path(query: ["handedOver": "1"]))
        }
        app.routes.on(.GET, SitePattern.pairingsExport.components, access: read) { req -> Response in
            let year = try await year(req)
            // Every cadre, the unlinked ones with an empty cell; 序号 as a number; a title; A4 print setup.
            let rows = try await tableRows(req, year: year, everyCadre: true)
            let data = try XLSXWriter.write([XLSXWorksheet(name: "结对表", header: PairingTable.header,
                                                           rows: PairingTable.records(rows).map { record in
                                                               record.enumerated().map { $0.offset == 0 ? XLSXCell.number(Double($0.element) ?? 0) : .text($0.element) }
                                                           },
                                                           title: "\(year.name)领导干部联系学生集体结对表", printA4: true)])
            let response = Response(status: .ok, body: .init(data: data))
            response.headers.contentType = HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"pairings-\(year.id).xlsx\"; filename*=UTF-8''%E7%BB%93%E5%AF%B9%E8%A1%A8-\(year.id).xlsx")
            return response
        }
        app.routes.on(.GET, SitePattern.pairingsPrint.components, access: read) { req -> Response in
            let year = try await year(req)
            let rows = try await tableRows(req, year: year)
            return .html(printPage(title: "\(year.name)领导干部联系学生集体结对表", rows: rows))
        }
        app.routes.on(.GET, SitePattern.pairingsImport.components, access: .capability(.importRoster)) { req -> Response in
            try importPage(req, report: nil, status: .ok)
        }
        app.routes.on(.POST, SitePattern.pairingsImport.components, access: .capability(.importRoster),
                      body: .collect(maxSize: ByteCount(value: ImportExport.maxUpload + 65536))) { req -> Response in
            let user = try req.requireUser()
            let form = try? req.content.decode(ImportForm.self)
            guard let file = form?.file, file.data.readableBytes > 0 else {
                return try importPage(req, report: .init(issues: [Localized(zh: "请选择要上传的文件", en: "Choose a file")], created: 0, unchanged: 0), status: .unprocessableEntity)
            }
            let report = try await importTable(Data(buffer: file.data), validOnly: form?.validOnly != nil, actor: .init(user), today: LocalDate(req.now), on: req.db)
            return try importPage(req, report: report, status: report.issues.isEmpty || report.created + report.unchanged > 0 ? .ok : .unprocessableEntity)
        }
        app.register(.init(method: .GET, path: "/pairings", summary: "Pairings of an academic year", tag: "Pairing", access: read,
                           query: [.init(name: "year", description: "academic year id, default the current one")], response: "PairingList")) { req in
            let user = try req.requireUser()
            let year = try await year(req)
            var query = PairingModel.query(on: req.db).filter(\.$academicYear == year.id).with(\.$cadre).with(\.$collective).with(\.$student).with(\.$college)
            if let scope = try user.rosterUnitScope() {
                query = query.join(CadreModel.self, on: \PairingModel.$cadre.$id == \CadreModel.$id).filter(CadreModel.self, \.$unit.$id == scope)
            }
            return try await query.all().map { PairingService.dto($0, cadre: $0.cadre) }
        }
        app.register(.init(method: .POST, path: "/pairings", summary: "Pair a cadre with a collective, a key student or a college (unitCode: only units of kind college)", tag: "Pairing",
                           access: .capability(.importRoster), requestBody: "PairingInput", response: "Pairing", successStatus: 201)) { req in
            let user = try req.requireUser()
            let input = try req.decodeJSON(PairingInput.self)
            var check = FieldChecker()
            let staff = check.code("staffNumber", input.staffNumber, label: "工号")
            let kind = check.choice("kind", input.kind ?? Pairing.Kind.linked.rawValue, label: "结对方式", as: Pairing.Kind.self)
            try check.throwIfInvalid()
            let year = try await year(req)
            let start = try input.start.map { try LocalDate($0) ?? { throw AppError.field("start", zh: "开始日期无效", en: "invalid start") }() } ?? year.range.start
            let end = try input.end.map { try LocalDate($0) ?? { throw AppError.field("end", zh: "结束日期无效", en: "invalid end") }() } ?? year.range.end
            guard start <= end else { throw AppError.field("end", zh: "结束日期早于开始日期，请检查", en: "end is before start") }
            let (model, _) = try await req.db.write { db in
                try await PairingService.add(staffNumber: staff!, collectiveCode: input.collectiveCode, studentNumber: input.studentNumber, unitCode: input.unitCode, kind: kind!,
                                             year: year, range: DateRange(start: start, end: end), actor: .init(user), on: db)
            }
            guard let full = try await PairingModel.query(on: req.db).filter(\.$id == model.id!).with(\.$cadre).with(\.$collective).with(\.$student).with(\.$college).first() else {
                throw AppError.notFound("pairing")
            }
            return PairingService.dto(full, cadre: full.cadre)
        }
    }

    struct ImportReport: Sendable {
        var issues: [Localized]
        var created: Int
        var unchanged: Int
    }

    /// Reads a filled-in pairing table; writes nothing when it has problems unless told to take the valid rows.
    static func importTable(_ data: Data, validOnly: Bool, actor: AuditTrail.Actor, today: LocalDate, on db: any Database) async throws -> ImportReport {
        let records: [[String]]
        do {
            records = try SpreadsheetFile.load(data).records
        } catch let error as TabularError {
            return ImportReport(issues: [Localized(zh: "无法读取文件：\(error.reason.zh)", en: "Cannot read the file: \(error.reason.en)")], created: 0, unchanged: 0)
        }
        let world = try await PairingWorld.load(on: db)
        let parsed = PairingTable.parse(records: records, units: world.units, cadres: world.cadres, collectives: world.collectives)
        let issues = parsed.issues.map { issue in
            Localized(zh: (issue.row.map { "第 \($0) 行：" } ?? "") + issue.reason.zh, en: (issue.row.map { "row \($0): " } ?? "") + issue.reason.en)
        }
        guard issues.isEmpty || validOnly, !parsed.links.isEmpty, let year = try await PairingService.currentYear(on: db, asOf: today) else {
            return ImportReport(issues: issues, created: 0, unchanged: 0)
        }
        return try await db.write { db in
            var report = ImportReport(issues: issues, created: 0, unchanged: 0)
            for link in parsed.links {
                let (_, created) = try await PairingService.add(staffNumber: link.staffNumber, collectiveCode: link.collectiveCode, studentNumber: nil, kind: .linked,
                                                                year: year, range: year.range, actor: actor, on: db)
                if created { report.created += 1 } else { report.unchanged += 1 }
            }
            return report
        }
    }

    static func importPage(_ req: Request, report: ImportReport?, status: HTTPResponseStatus) throws -> Response {
        let ctx = PageContext(req)
        return ctx.render(title: ctx.t("导入结对表", "Import the pairing table"),
                                 breadcrumbs: [(ctx.t("结对", "Pairings"), SiteRoute.pairings.path()), (ctx.t("导入", "Import"), nil)], status: status, content: .group(
            .h1(.text(ctx.t("导入结对表", "Import the pairing table"))),
            .unwrap(report) { r in
                .group(
                    .if(!r.issues.isEmpty, .div(.class("error-summary"), .h2(.text(ctx.t("以下行有问题", "Problems"))),
                                                .ul(.forEach(r.issues.prefix(500)) { .li(.text(ctx.t($0))) }))),
                    .div(.class("panel"), .p(.text(ctx.t("新增结对 \(r.created) 个，已存在 \(r.unchanged) 个。", "Created \(r.created), already there \(r.unchanged).")))))
            },
            .div(.class("panel"),
                 .p(.text(ctx.t("表头：", "Header: ") + PairingTable.header.joined(separator: "、") + ctx.t("。多个学生集体用“、”分隔。", ". Separate several collectives with 、."))),
                 .form(.method(.post), .action(SiteRoute.pairingsImport.path()), .enctype(.multipartData),
                       Layout.csrfField(ctx),
                       .div(.class("field"), .label(.for("file"), .text(ctx.t("选择文件（.xlsx 或 .csv）", "File (.xlsx or .csv)"))),
                            .input(.type(.file), .id("file"), .name("file"), .attribute(named: "accept", value: ".xlsx,.csv"))),
                       .div(.class("field"), .label(.class("check"), .input(.type(.checkbox), .name("validOnly"), .value("1")),
                                                    .text(ctx.t(" 有问题时仍导入有效行", " Import the valid rows even if some have problems")))),
                       .button(.type(.submit), .text(ctx.t("上传并导入", "Upload and import")))))
        ))
    }

    /// A stand-alone A4 page in 公文 style: 小标宋/黑体 title, 仿宋 body, page numbers when printed.
    static func printPage(title: String, rows: [PairingTable.Row]) -> String {
        let body = PairingTable.records(rows).map { "<tr>" + $0.map { "<td>\(Components.escape($0))</td>" }.joined() + "</tr>" }.joined()
        return """
        <!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>\(Components.escape(title))</title>
        <link rel="stylesheet" href="\(SiteRoute.stylesheet.path())"></head>
        <body class="print-page" data-user-role="print"><main class="a4">
        <h1 class="doc-title">\(Components.escape(title))</h1>
        <table class="doc-table"><thead><tr>\(PairingTable.header.map { "<th>\($0)</th>" }.joined())</tr></thead><tbody>\(body)</tbody></table>
        </main></body></html>
        """
    }
}

/// The pairing table page: the year's rows in the caller's scope, and the handover form with what
/// was typed after a refusal.
struct PairingTableModel: Sendable {
    var yearID: String
    var yearName: Localized
    var rows: [PairingTable.Row]
    /// Matching, import and handover.
    var canManage: Bool
    var handedOver: Bool
    var handover: HandoverInput
    var problems: [AppError.FieldProblem]
    var add = PairingAddInput()
    var addProblems: [AppError.FieldProblem] = []
    /// Who was paired with what, after a pairing added by hand.
    var added: String?
    /// College pairings of the year (部处联系院系, §4.18), as [所在单位, 姓名, 联系院（系）] rows in the reader's scope.
    var collegeLinks: [[String]] = []

    static func load(_ req: Request, handedOver: Bool = false, handover: HandoverInput = HandoverInput(),
                     problems: [AppError.FieldProblem] = [], add: PairingAddInput = PairingAddInput(),
                     addProblems: [AppError.FieldProblem] = [], added: UUID? = nil) async throws -> PairingTableModel {
        let year = try await PairingPages.year(req)
        // The notice names the pairing from the database, never from the URL's text.
        let pairing = try await added.asyncMap { try await PairingModel.query(on: req.db).filter(\.$id == $0).with(\.$cadre).with(\.$collective).with(\.$college).first() }
        let addedText = (pairing ?? nil).flatMap { p in (p.collective?.name ?? p.college?.name).map { "\(p.cadre.name) — \($0)" } }
        return PairingTableModel(yearID: year.id, yearName: year.label, rows: try await PairingPages.tableRows(req, year: year),
                                 canManage: try req.requireUser().can(.importRoster), handedOver: handedOver, handover: handover, problems: problems,
                                 add: add, addProblems: addProblems, added: addedText, collegeLinks: try await PairingPages.collegeLinks(req, year: year))
    }
}

struct PairingAddInput: Content {
    var staffNumber: String?
    var collective: String?
    var kind: String?
}
