import Fluent
import Foundation
import Testing
import Vapor
import YixianCore
@testable import YixianServer

@Suite("报送文书: plans and summaries drafted from the data, edited, submitted, returned and approved")
struct FilingDocumentTests {
    static let policy = """
        id: document-test
        title: 文书测试
        roles:
          cadre: { label: 干部, rankAtLeast: deputy-section-chief }
        rules:
          - id: plan
            who: { units: { kind: [college] } }
            filing: { kind: arrangement-plan, per: term, deadline: "term-start +14d" }
          - id: summary
            who: { units: { kind: [college] } }
            filing: { kind: semester-summary, per: term, deadline: "term-end -7d" }
          - id: lecture
            title: 每学期讲思政课
            who: cadre
            count: { kinds: [ideological-lecture], per: term, atLeast: 1 }
        """

    /// 2025-12-20: the autumn term runs until 2026-01-18, its summary is due 2026-01-11.
    static let day = LocalDate("2025-12-20")!.startInstant().addingTimeInterval(10 * 3600)

    static func cells(_ server: TestServer, asOf: String = "2026-01-12") async throws -> [ComplianceCell] {
        try await server.api(.GET, "/api/v1/compliance/cells?asOf=\(asOf)&per=200", as: "office").decode(ComplianceCellsDTO.self).cells
    }

    static func status(_ server: TestServer, _ subject: String, _ rule: String) async throws -> ComplianceStatus? {
        let cells = try await Self.cells(server)
        return cells.first { $0.subject.id == subject && $0.ruleID == rule }?.status
    }

    @Test("the secretary's summary is drafted from the ledger and the cases, submitted, returned with a comment, approved as version 2, and counted on its submission day")
    func summaryWorkflow() async throws {
        try await TestServer.with(adjust: { $0.clock = .fixed(Self.day) }) { server in
            try await ComplianceTests.prepare(server)
            let uploaded = try await server.api(.POST, "/api/v1/policies", as: "office", json: ["text": Self.policy, "effectiveFrom": "2025-09-01"])
            #expect(uploaded.status == .created, "\(uploaded.body)")
            let problem = try await server.api(.POST, "/api/v1/cases", as: "student", json: ["text": "实验室晚上十点就锁门，来不及做完实验", "category": "study"])
            #expect(problem.status == .created, "\(problem.body)")
            let number = try problem.decode(CaseDTO.self).number
            #expect(try await server.api(.POST, "/api/v1/cases/\(try problem.decode(CaseDTO.self).id)/actions", as: "office",
                                         json: ["action": "assign", "unitCode": "CS"]).status == .ok)
            #expect(try await Self.status(server, "CS", "summary") == .missed)

            let secretary = server.browser()
            try await secretary.login("secretary")
            let list = try await secretary.get("/filings/documents")
            #expect(list.status == .ok)
            #expect(!list.body.contains("name=\"unitCode\""), "a secretary drafts for their own unit only")
            #expect(!list.body.contains("value=\"student-work-report\""), "the report to the party committee is the school's")
            let refused = try await secretary.post("/filings/documents", form: ["kind": "student-work-report", "termCode": "2025-2026-1"],
                                                   tokenFrom: "/filings/documents")
            #expect(refused.status == .unprocessableEntity)
            #expect(try await FilingDocumentModel.query(on: server.app.db).count() == 0)

            let drafted = try await secretary.post("/filings/documents", form: ["kind": "semester-summary", "termCode": "2025-2026-1"],
                                                   tokenFrom: "/filings/documents")
            #expect(drafted.status == .seeOther)
            let path = try #require(drafted.headers.first(name: .location))
            let model = try #require(try await FilingDocumentModel.query(on: server.app.db).first())
            // The draft says what the engine and the cases say.
            let unitDossier = try await server.api(.GET, "/dossiers/units/CS?term=2025-2026-1&format=xlsx", as: "office")
            #expect(unitDossier.status == .ok)
            // 张伟's row: his one line of 30 person-times, and as many requirements met and missed as the engine says today.
            let mine = try await Self.cells(server, asOf: "2025-12-20").filter { $0.subject.id == "T001" && $0.severity == .required
                && $0.period.start >= LocalDate("2025-09-01")! && $0.period.end <= LocalDate("2026-01-18")! }
            #expect(!mine.isEmpty)
            let row = "| 张伟 | 党委副书记 | 1 | 30 | \(mine.count { $0.status == .met }) | \(mine.count { $0.status == .missed }) | \(mine.count { $0.status == .atRisk }) |"
            #expect(model.body.contains(row), "\(row) in \(model.body)")
            #expect(model.body.contains(number) && model.body.contains("实验室晚上十点就锁门"), "the problem list is inside the summary")
            #expect(model.body.contains("学生反映问题共 1 个，已答复 0 个"), "\(model.body)")
            #expect(model.body.contains("【请填写下一步工作打算】"))
            #expect(FilingDraft(title: model.title, body: model.body).filledShare >= 0.8)
            // Drafting again opens the same document.
            let again = try await secretary.post("/filings/documents", form: ["kind": "semester-summary", "termCode": "2025-2026-1"], tokenFrom: "/filings/documents")
            #expect(again.headers.first(name: .location) == path)
            #expect(try await FilingDocumentModel.query(on: server.app.db).count() == 1)

            // An empty body, or one with a prompt left, is not submitted.
            for (body, reason) in [("", "正文"), (model.body, "【…】")] {
                let bad = try await secretary.post(path, form: ["action": "submit", "title": model.title, "body": body], tokenFrom: path)
                #expect(bad.status == .unprocessableEntity)
                #expect(bad.body.contains(reason))
                #expect(try await FilingDocumentModel.find(model.id, on: server.app.db)?.state == .draft)
            }
            let finished = model.body.replacingOccurrences(of: "【请填写下一步工作打算】", with: "下学期实现学生集体联系全覆盖。")
            #expect(try await secretary.post(path, form: ["action": "submit", "title": model.title, "body": finished], tokenFrom: path).status == .seeOther)
            #expect(try await FilingModel.query(on: server.app.db).count() == 0, "nothing is filed before the office approves")
            #expect(try await NotificationModel.query(on: server.app.db).filter(\.$kind == "filing-document").count() == 1)
            let locked = try await secretary.post(path, form: ["action": "save", "title": "改", "body": "改"], tokenFrom: "/filings/documents")
            #expect(locked.status == .conflict)

            let office = server.browser()
            try await office.login("office")
            let returnBare = try await office.post(path, form: ["action": "return", "comment": ""], tokenFrom: path)
            #expect(returnBare.status == .unprocessableEntity && returnBare.body.contains("退回意见"))
            #expect(try await office.post(path, form: ["action": "return", "comment": "请补充问题答复时限"], tokenFrom: path).status == .seeOther)
            let returned = try await secretary.get(path)
            #expect(returned.body.contains("请补充问题答复时限") && returned.body.contains("已退回修改"))
            #expect(try await secretary.post(path, form: ["action": "submit", "title": model.title, "body": finished + "\n问题均在规定时限内答复。"],
                                             tokenFrom: path).status == .seeOther)
            #expect(try await office.post(path, form: ["action": "approve"], tokenFrom: path).status == .seeOther)

            let stored = try #require(try await FilingDocumentModel.find(model.id, on: server.app.db))
            #expect(stored.state == .approved && stored.version == 2)
            let versions = try await FilingDocumentVersionModel.query(on: server.app.db).sort(\.$version).all()
            #expect(versions.map(\.outcome) == ["returned", "approved"])
            #expect(versions[0].comment == "请补充问题答复时限" && !versions[0].body.contains("问题均在规定时限内答复"), "version 1 is kept as it was")
            let filing = try #require(try await FilingModel.query(on: server.app.db).with(\.$unit).first())
            #expect(filing.unit.code == "CS" && filing.kind == "semester-summary" && filing.submittedOn == versions[1].submittedOn)
            #expect(stored.filingID == filing.id)
            #expect(try await Self.status(server, "CS", "summary") == .met)
            // Once approved, nobody changes it; the .docx carries the approved text.
            #expect(try await office.post(path, form: ["action": "approve"], tokenFrom: "/filings/documents").status == .conflict)
            let docx = try await secretary.get(path + "?format=docx")
            #expect(docx.status == .ok && docx.data.starts(with: Data("PK".utf8)))
            let actions = try await AuditEventModel.query(on: server.app.db).filter(\.$objectType == "filing-document").all().map(\.action)
            #expect(Set(actions) == ["filing-document.draft", "filing-document.submit", "filing-document.return", "filing-document.approve"])
        }
    }

    @Test("the arrangement plan lists each cadre's collectives and the term's quotas and deadlines; the office cannot approve its own unit's")
    func planAndOwnUnit() async throws {
        try await TestServer.with(adjust: { $0.clock = .fixed(Self.day) }) { server in
            try await ComplianceTests.prepare(server)
            let uploaded = try await server.api(.POST, "/api/v1/policies", as: "office", json: ["text": Self.policy, "effectiveFrom": "2025-09-01"])
            #expect(uploaded.status == .created, "\(uploaded.body)")
            let office = server.browser()
            try await office.login("office")
            let noUnit = try await office.post("/filings/documents", form: ["kind": "arrangement-plan", "termCode": "2025-2026-1"], tokenFrom: "/filings/documents")
            #expect(noUnit.status == .unprocessableEntity && noUnit.body.contains("请选择单位"))
            let drafted = try await office.post("/filings/documents", form: ["kind": "arrangement-plan", "termCode": "2025-2026-1", "unitCode": "XGB"],
                                                tokenFrom: "/filings/documents")
            let path = try #require(drafted.headers.first(name: .location))
            let plan = try #require(try await FilingDocumentModel.query(on: server.app.db).first())
            #expect(plan.body.contains("| 王强 | 部长 |"), "\(plan.body)")
            let quota = try #require(plan.body.split(separator: "\n").first { $0.hasPrefix("| 每学期讲思政课 |") }, "\(plan.body)")
            #expect(quota.hasSuffix("| 1次 | 1 名 |"), "one lecture, binding XGB's one cadre: \(quota)")
            let csPlan = try await office.post("/filings/documents", form: ["kind": "arrangement-plan", "termCode": "2025-2026-1", "unitCode": "CS"],
                                               tokenFrom: "/filings/documents")
            #expect(csPlan.status == .seeOther)
            let cs = try #require(try await FilingDocumentModel.query(on: server.app.db).filter(\.$id != plan.id!).first())
            #expect(cs.body.contains("plan：2025年9月15日前报送") && cs.body.contains("summary：2026年1月11日前报送"),
                    "a college's deadlines as the policy resolves them: \(cs.body)")
            #expect(!plan.body.contains("前报送。"), "the policy asks no filing of 学工部: \(plan.body)")
            // The office works in 学工部 (XGB): it drafted and submits XGB's plan, and may not approve it.
            let officeUser = try await server.user("office")
            officeUser.$unit.id = try #require(try await UnitModel.query(on: server.app.db).filter(\.$code == "XGB").first()).id
            try await officeUser.save(on: server.app.db)
            let body = plan.body.replacingOccurrences(of: "【请填写本单位结合实际的特色做法（可删去本节）】", with: "每月一次宿舍走访。")
            #expect(try await office.post(path, form: ["action": "submit", "title": plan.title, "body": body], tokenFrom: path).status == .seeOther)
            let own = try await office.post(path, form: ["action": "approve"], tokenFrom: "/filings/documents")
            #expect(own.status == .forbidden && own.body.contains("不能审核本单位或本人提交的报送"))
            #expect(try await FilingDocumentModel.find(plan.id, on: server.app.db)?.state == .submitted)
            #expect(try await FilingModel.query(on: server.app.db).count() == 0)
        }
    }

    @Test("the office's report to the party committee is drafted from every unit and filed as the school's when submitted")
    func partyCommitteeReport() async throws {
        try await TestServer.with(adjust: { $0.clock = .fixed(Self.day) }) { server in
            try await ComplianceTests.prepare(server)
            let leadership = UnitModel()
            leadership.code = "XLD"
            leadership.name = "校领导"
            leadership.kind = UnitKind.leadership.rawValue
            leadership.active = true
            try await leadership.create(on: server.app.db)
            let office = server.browser()
            try await office.login("office")
            let drafted = try await office.post("/filings/documents", form: ["kind": "student-work-report", "termCode": "2025-2026-1"], tokenFrom: "/filings/documents")
            #expect(drafted.status == .seeOther, "\(drafted.body.prefix(400))")
            let path = try #require(drafted.headers.first(name: .location))
            let report = try #require(try await FilingDocumentModel.query(on: server.app.db).with(\.$unit).first())
            #expect(report.unit.code == "XLD")
            #expect(report.body.hasPrefix("校党委："))
            #expect(report.body.contains("共记录联系学生 1 次、30 人次"), "T001's one line is the school's one line: \(report.body)")
            for unit in ["计算机学院", "机械工程学院", "党委学生工作部"] { #expect(report.body.contains("| \(unit) |"), "\(unit)") }
            #expect(!report.body.contains("| 校领导 |"), "the leadership is who the report goes to, not a unit in it")
            let page = try await office.get(path)
            #expect(page.body.contains("提交并报送"))
            let body = report.body.replacingOccurrences(of: "【请填写下一步工作建议】", with: "加强学期中督查。")
            #expect(try await office.post(path, form: ["action": "submit", "title": report.title, "body": body], tokenFrom: path).status == .seeOther)
            let filing = try #require(try await FilingModel.query(on: server.app.db).with(\.$unit).first())
            #expect(filing.unit.code == "XLD" && filing.kind == "student-work-report" && filing.submittedOn == "2025-12-20")
            #expect(try await FilingDocumentModel.find(report.id, on: server.app.db)?.state == .approved)
        }
    }

    @Test("a document's files go with it: checked on upload, read in scope, and copied to the filing when the office approves")
    func files() async throws {
        try await TestServer.with(adjust: { $0.clock = .fixed(Self.day) }) { server in
            try await ComplianceTests.prepare(server)
            let secretary = server.browser()
            try await secretary.login("secretary")
            let drafted = try await secretary.post("/filings/documents", form: ["kind": "arrangement-plan", "termCode": "2025-2026-1"], tokenFrom: "/filings/documents")
            let path = try #require(drafted.headers.first(name: .location))
            let model = try #require(try await FilingDocumentModel.query(on: server.app.db).first())
            let body = model.body.replacingOccurrences(of: "【请填写本单位结合实际的特色做法（可删去本节）】", with: "每月一次宿舍走访。")
            func send(_ action: String, _ files: [(String, String, Data)]) async throws -> TestServer.Reply {
                let token = try #require(Browser.csrf(in: try await secretary.get(path).body))
                let (type, data) = EvidenceAndPairingTests.multipart([("_csrf", token), ("action", action), ("title", model.title), ("body", body)], files: files)
                var headers = HTTPHeaders()
                headers.add(name: .contentType, value: type)
                return try await secretary.send(.POST, path, headers: headers, body: data)
            }
            let refused = try await send("save", [("files[]", "安排.docx", Data("PK\u{03}\u{04}not really".utf8))])
            #expect(refused.status == .unprocessableEntity && refused.body.contains("安排.docx"), "the refused file is named")
            #expect(try await FilingDocumentFileModel.query(on: server.app.db).count() == 0)
            #expect(try await send("submit", [("files[]", "签字页.png", EvidenceAndPairingTests.png)]).status == .seeOther)
            let file = try #require(try await FilingDocumentFileModel.query(on: server.app.db).first())
            let download = try await secretary.get("/filings/document-files/\(file.id!)")
            #expect(download.status == .ok && download.headers.contentType?.subType == "png" && download.data.starts(with: Data([0x89, 0x50, 0x4E, 0x47])))
            let office = server.browser()
            try await office.login("office")
            #expect(try await office.post(path, form: ["action": "approve"], tokenFrom: path).status == .seeOther)
            let copied = try await FilingAttachmentModel.query(on: server.app.db).all()
            #expect(copied.count == 1 && copied[0].sha256 == file.sha256 && copied[0].originalName == "签字页.png")
            #expect(try await FilingModel.find(copied[0].$filing.id, on: server.app.db)?.kind == "arrangement-plan")
        }
    }
}
