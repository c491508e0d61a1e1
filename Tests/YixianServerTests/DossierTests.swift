import Fluent
import Foundation
import Testing
import Vapor
import YixianCore
import ZIPFoundation
@testable import YixianServer

@Suite("考核材料 over HTTP: one cadre's dossier, its documents, scope, and a unit's batch")
struct DossierTests {
    static func prepare(_ server: TestServer) async throws {
        try await ComplianceTests.prepare(server)
        #expect(try await server.api(.POST, "/api/v1/policies", as: "office",
                                     json: ["text": ComplianceTests.policy(atLeast: 1), "effectiveFrom": "2025-09-01"]).status == .created)
    }

    @Test("the dossier's verdicts are the engine's cells; Word and Excel carry the same figures")
    func dossierMatchesTheEngine() async throws {
        try await TestServer.with { server in
            try await Self.prepare(server)
            let office = server.browser()
            try await office.login("office")
            let list = try await office.get("/dossiers?term=2025-2026-1")
            #expect(list.status == .ok)
            #expect(list.body.contains("张伟") && list.body.contains("李娜"))
            let page = try await office.get("/dossiers/cadres/T001?term=2025-2026-1")
            #expect(page.status == .ok)
            #expect(page.body.contains("张伟同志联系学生工作考核材料"))
            #expect(page.body.contains("contenteditable=\"true\""), "the summary can be edited before printing")
            // Cross-check with the cells API as of the day after the term, the day a finished term is judged on.
            let cells = try await server.api(.GET, "/api/v1/compliance/cells?asOf=2026-01-19", as: "office").decode(ComplianceCellsDTO.self).cells
            let t001 = try #require(cells.first { $0.subject.id == "T001" && $0.ruleID == "lecture-per-term" && $0.period.id == "2025-2026-1" })
            let t002 = try #require(cells.first { $0.subject.id == "T002" && $0.ruleID == "lecture-per-term" && $0.period.id == "2025-2026-1" })
            #expect(t001.status == .met && t002.status == .missed)
            #expect(page.body.contains("<td>每学期讲思政课</td><td>第一学期</td><td>1次</td><td>1次</td><td>已完成</td>"), "\(page.body.prefix(3000))")
            #expect(page.body.contains("记录联系学生 1 次、30 人次"))
            let other = try await office.get("/dossiers/cadres/T002?term=2025-2026-1")
            #expect(other.body.contains("<td>每学期讲思政课</td><td>第一学期</td><td>1次</td><td>0次</td><td>未完成</td>"))

            let docx = try await office.get("/dossiers/cadres/T001?term=2025-2026-1&format=docx")
            #expect(docx.status == .ok)
            #expect(docx.headers.first(name: .contentDisposition)?.contains("filename*=UTF-8''") == true)
            let archive = try Archive(data: docx.data, accessMode: .read)
            var xml = Data()
            _ = try archive.extract(try #require(archive["word/document.xml"])) { xml.append($0) }
            #expect(String(decoding: xml, as: UTF8.self).contains("每学期讲思政课"))
            let xlsx = try await office.get("/dossiers/cadres/T001?term=2025-2026-1&format=xlsx")
            let rows = try XLSXReader.readRecords(from: xlsx.data)
            let rule = try #require(rows.first { $0.first == "每学期讲思政课" })
            #expect(rule[2] == "1" && rule[3] == "1" && rule[5] == "已完成")
            // Reading a dossier is audited.
            #expect(try await AuditEventModel.query(on: server.app.db).filter(\.$action == "dossier.read").count() >= 4)
        }
    }

    @Test("scope: a secretary reads their unit's cadres, a cadre their own; bad periods and formats are refused")
    func scopeAndBadInput() async throws {
        try await TestServer.with { server in
            try await Self.prepare(server)
            let secretary = server.browser()
            try await secretary.login("secretary")
            #expect(try await secretary.get("/dossiers/cadres/T001?term=2025-2026-1").status == .ok)
            #expect(try await secretary.get("/dossiers/cadres/T002?term=2025-2026-1").status == .notFound, "ME's cadre is not found for CS")
            let list = try await secretary.get("/dossiers?term=2025-2026-1")
            #expect(list.body.contains("张伟") && !list.body.contains("李娜"))
            let cadre = server.browser()
            try await cadre.login("cadre")
            #expect(try await cadre.get("/dossiers/cadres/T001?term=2025-2026-1").status == .ok)
            #expect(try await cadre.get("/dossiers/cadres/T003?term=2025-2026-1").status == .notFound)
            #expect(try await server.api(.GET, "/dossiers/cadres/T001", as: "student").status == .forbidden)
            let badTerm = try await server.api(.GET, "/dossiers/cadres/T001?term=2099-2100-1", as: "office")
            #expect(badTerm.status == .unprocessableEntity && badTerm.body.contains("2099-2100-1"))
            let badFormat = try await server.api(.GET, "/dossiers/cadres/T001?term=2025-2026-1&format=pdf", as: "office")
            #expect(badFormat.status == .unprocessableEntity && badFormat.body.contains("格式只能是 html、docx 或 xlsx"))
            // A cadre cannot start a batch.
            #expect(try await cadre.post("/dossiers/batch", form: ["period": "term:2025-2026-1"], tokenFrom: "/dossiers").status == .forbidden)
        }
    }

    @Test("a batch packs one Word document per cadre into a zip, with progress, for its owner only")
    func batch() async throws {
        try await TestServer.with { server in
            try await Self.prepare(server)
            let office = server.browser()
            try await office.login("office")
            let refused = try await office.post("/dossiers/batch", form: ["period": "term:1999-2000-1"], tokenFrom: "/dossiers")
            #expect(refused.status == .unprocessableEntity)
            let started = try await office.post("/dossiers/batch", form: ["period": "term:2025-2026-1", "unit": ""], tokenFrom: "/dossiers")
            #expect(started.status == .seeOther)
            let jobPath = try #require(started.headers.first(name: .location))
            var page = try await office.get(jobPath)
            for _ in 0..<100 where !page.body.contains("data-state=\"done\"") {
                try await Task.sleep(for: .milliseconds(100))
                page = try await office.get(jobPath)
            }
            #expect(page.body.contains("<progress max=\"3\" value=\"3\">"), "\(page.body.prefix(2000))")
            let zip = try await office.get(jobPath + "/download")
            #expect(zip.status == .ok)
            let archive = try Archive(data: zip.data, accessMode: .read)
            let names = archive.map(\.path).sorted()
            #expect(names.count == 3, "\(names)")
            #expect(names.contains { $0.hasPrefix("计算机学院/计算机学院-张伟-T001-") && $0.hasSuffix(".docx") })
            // Another account does not see the job.
            let assessor = server.browser()
            try await assessor.login("assessor")
            #expect(try await assessor.get(jobPath).status == .notFound)
        }
    }

    @Test("the unit's dossier: its cadres' tallies are the engine's, its cases counted, its uncovered collectives named; scoped")
    func unitDossier() async throws {
        try await TestServer.with { server in
            try await Self.prepare(server)
            // One case for CS, received in the first term (typed today, dated back to the reception day).
            let raised = try await server.api(.POST, "/api/v1/cases", as: "office", json: ["text": "接待日反映：自习室不够", "unitCode": "CS"])
            #expect(raised.status == .created, "\(raised.body)")
            try await server.app.db.write { db in
                let item = try #require(try await CaseModel.query(on: db).first())
                item.receivedOn = "2025-10-10"
                try await item.save(on: db)
            }
            let secretary = server.browser()
            try await secretary.login("secretary")
            let page = try await secretary.get("/dossiers/units/CS?term=2025-2026-1")
            #expect(page.status == .ok)
            #expect(page.body.contains("计算机学院领导班子联系学生工作述职评议材料"))
            // T001 met the lecture rule in that term; the row says so.
            #expect(page.body.contains("<td>张伟</td><td>党委副书记</td><td>1</td><td>30</td><td>1</td><td>0</td><td>0</td><td>—</td>"), "\(page.body.prefix(4000))")
            #expect(page.body.contains("尚无干部联系的学生集体（1 个）：计算机2301班"))
            #expect(try await secretary.get("/dossiers/units/ME?term=2025-2026-1").status == .notFound)
            let xlsx = try await server.api(.GET, "/dossiers/units/ME?term=2025-2026-1&format=xlsx", as: "office")
            let rows = try XLSXReader.readRecords(from: xlsx.data)
            let li = try #require(rows.first { $0.first == "李娜" })
            #expect(li[4] == "0" && li[5] == "1" && li[7] == "每学期讲思政课", "\(li)")
            // The case counts in its own term's dossier, open and past its answer day; not in the next term's.
            let first = try await server.api(.GET, "/dossiers/units/CS?term=2025-2026-1&format=xlsx", as: "office")
            let cases = try XLSXReader.readRecords(from: first.data, sheetName: "诉求办理")
            #expect(cases.count == 2 && cases[1] == ["1", "0", "0", "1", "0", "0", "0"], "\(cases)")
            let second = try await server.api(.GET, "/dossiers/units/CS?term=2025-2026-2&format=xlsx", as: "office")
            #expect(try XLSXReader.readRecords(from: second.data, sheetName: "诉求办理")[1].first == "0")
        }
    }

    @Test("sixteen readers at once each get their dossier, and each read is audited once, in order")
    func concurrentReadsAreAudited() async throws {
        try await TestServer.with { server in
            try await Self.prepare(server)
            let before = try await AuditEventModel.query(on: server.app.db).count()
            let statuses = try await withThrowingTaskGroup(of: UInt.self) { group in
                for _ in 0..<16 { group.addTask { try await server.api(.GET, "/dossiers/cadres/T001?term=2025-2026-1", as: "office").status.code } }
                return try await group.reduce(into: [UInt]()) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 16), "\(statuses)")
            let reads = try await AuditEventModel.query(on: server.app.db).filter(\.$action == "dossier.read").count()
            #expect(reads == 16)
            #expect(try await AuditEventModel.query(on: server.app.db).count() >= before + 16)
            let seqs = try await AuditEventModel.query(on: server.app.db).sort(\.$seq).all().map(\.seq)
            #expect(seqs == Array(1...seqs.count), "the chain has no gaps")
        }
    }
}

@Suite("看板: charts that agree with the ledger, scoped like every page")
struct DashboardTests {
    @Test("the office's dashboard counts the term's lines, shows which classes were reached, and a secretary sees their unit only")
    func dashboard() async throws {
        try await TestServer.with { server in
            try await DossierTests.prepare(server)
            let office = server.browser()
            try await office.login("office")
            let page = try await office.get("/dashboard?term=2025-2026-1")
            #expect(page.status == .ok)
            #expect(page.body.contains("<div class=\"num\">1</div><div class=\"label\">联系记录</div>"), "\(page.body.prefix(3000))")
            #expect(page.body.contains("<div class=\"num\">30</div><div class=\"label\">人次</div>"))
            #expect(page.body.contains("<title>计算机2301班：已走访</title>"))
            #expect(page.body.contains("<title>机械2301班：未走访</title>"))
            #expect(page.body.contains("<svg class=\"chart\""))
            let secretary = server.browser()
            try await secretary.login("secretary")
            let mine = try await secretary.get("/dashboard?term=2025-2026-1&unit=ME")
            #expect(mine.body.contains("计算机2301班") && !mine.body.contains("机械2301班"), "a secretary's dashboard is their unit's, whatever the URL says")
            let bad = try await office.get("/dashboard?term=1900-1901-1")
            #expect(bad.status == .unprocessableEntity && bad.body.contains("1900-1901-1"))
            #expect(try await server.api(.GET, "/dashboard", as: "student").status == .forbidden)
        }
    }

    @Test("one cadre's dashboard: their lines, the collectives they reached, their cases; a cadre sees only their own, a secretary only their unit's")
    func cadreDashboard() async throws {
        try await TestServer.with { server in
            try await DossierTests.prepare(server)
            let cadre = server.browser()
            try await cadre.login("cadre")
            let own = try await cadre.get("/dashboard?term=2025-2026-1&cadre=T002")
            #expect(own.status == .ok)
            #expect(own.body.contains("张伟（计算机学院）"), "the cadre's own, whatever the URL says")
            #expect(own.body.contains("<div class=\"num\">1</div><div class=\"label\">联系记录</div>"))
            #expect(own.body.contains("<title>计算机2301班：已走访</title>") && !own.body.contains("机械2301班"))
            let office = server.browser()
            try await office.login("office")
            // A case raised in the term and given to CS: open and within time on the office's dashboard, CS's
            // unit view and nowhere on ME's.
            let raised = try await server.api(.POST, "/api/v1/cases", as: "student", json: ["text": "图书馆座位不够", "category": "study"])
            #expect(raised.status == .created)
            let caseID = try raised.decode(CaseDTO.self).id
            #expect(try await server.api(.POST, "/api/v1/cases/\(caseID)/actions", as: "office", json: ["action": "assign", "unitCode": "CS"]).status == .ok)
            let received = try #require(try await CaseModel.find(caseID, on: server.app.db))
            received.receivedOn = "2025-10-20"
            try await received.save(on: server.app.db)
            #expect(try await office.get("/dashboard?term=2025-2026-1").body.contains("<title>已超期 1</title>"), "answered nowhere, long past its day")
            #expect(try await office.get("/dashboard?term=2025-2026-1&unit=CS").body.contains("<title>已超期 1</title>"))
            #expect(!(try await office.get("/dashboard?term=2025-2026-1&unit=ME").body.contains("<title>已超期 1</title>")))
            let other = try await office.get("/dashboard?term=2025-2026-1&cadre=T002")
            #expect(other.body.contains("李娜（机械工程学院）") && other.body.contains("<div class=\"num\">0</div><div class=\"label\">联系记录</div>"))
            let secretary = server.browser()
            try await secretary.login("secretary")
            let outside = try await secretary.get("/dashboard?term=2025-2026-1&cadre=T002")
            #expect(outside.status == .unprocessableEntity && outside.body.contains("T002"))
        }
    }
}

@Suite("通报: drafted from the verdicts, edited, published to the units it names")
struct BulletinTests {
    @Test("the office drafts a term's bulletin, edits and publishes it; the units named hear of it; nothing changes after")
    func draftEditPublish() async throws {
        try await TestServer.with { server in
            try await DossierTests.prepare(server)
            let office = server.browser()
            try await office.login("office")
            let drafted = try await office.post("/bulletins", form: ["period": "term:2025-2026-1"], tokenFrom: "/bulletins")
            #expect(drafted.status == .seeOther)
            let path = try #require(drafted.headers.first(name: .location))
            let page = try await office.get(path)
            #expect(page.body.contains("关于2025—2026学年第一学期领导干部联系学生工作落实情况的通报") || page.body.contains("关于第一学期领导干部联系学生工作落实情况的通报"),
                    "\(page.body.prefix(1500))")
            // T001 (CS) met the lecture rule, T002 (ME) and T003 (XGB) missed it: CS is exemplary, ME and XGB are behind.
            let model = try #require(try await BulletinModel.query(on: server.app.db).first())
            #expect(model.body.contains("计算机学院，所有干部均按要求完成各项工作"), "\(model.body)")
            #expect(model.body.contains("机械工程学院（未完成 1 项，完成率 0 %）"))
            #expect(model.body.contains("机械工程学院李娜（每学期讲思政课）"))
            #expect(Set(model.units) == ["CS", "ME", "XGB"])
            // A draft is the office's: the secretary does not see it.
            let secretary = server.browser()
            try await secretary.login("secretary")
            #expect(try await secretary.get(path).status == .notFound)
            let empty = try await office.post(path, form: ["title": "通报", "body": "  ", "action": "save"], tokenFrom: path)
            #expect(empty.status == .unprocessableEntity && empty.body.contains("正文"))
            let published = try await office.post(path, form: ["title": model.title, "body": model.body + "\n特此通报。", "action": "publish"], tokenFrom: path)
            #expect(published.status == .seeOther)
            #expect(try await secretary.get(path).body.contains("特此通报。"), "published to the units it names")
            let heard = try await NotificationModel.query(on: server.app.db).filter(\.$kind == "bulletin").count()
            #expect(heard >= 1)
            let again = try await office.post(path, form: ["title": "改", "body": "改", "action": "save"], tokenFrom: "/bulletins")
            #expect(again.status == .conflict)
            #expect(try await BulletinModel.find(model.id, on: server.app.db)?.title == model.title)
        }
    }
}

@Suite("问责: measures recorded with their evidence, on the cadre's dossier")
struct AccountabilityTests {
    @Test("the office records a measure; bad input changes nothing; the dossier and its Word document show it; a secretary reads their unit's")
    func recordAndShow() async throws {
        try await TestServer.with { server in
            try await DossierTests.prepare(server)
            let office = server.browser()
            try await office.login("office")
            let unknown = try await office.post("/accountability", form: ["staffNumber": "X999", "kind": "reminder-talk", "decidedOn": "2025-12-01",
                                                                          "reason": "未按要求听课"], tokenFrom: "/accountability")
            #expect(unknown.status == .unprocessableEntity && unknown.body.contains("工号“X999”不存在"))
            let future = try await office.post("/accountability", form: ["staffNumber": "T002", "kind": "reminder-talk", "decidedOn": "2999-01-01",
                                                                         "reason": "x"], tokenFrom: "/accountability")
            #expect(future.status == .unprocessableEntity && future.body.contains("决定日期不能晚于今天"))
            let badKind = try await office.post("/accountability", form: ["staffNumber": "T002", "kind": "firing-squad", "decidedOn": "2025-12-01",
                                                                          "reason": "x"], tokenFrom: "/accountability")
            #expect(badKind.status == .unprocessableEntity)
            #expect(try await AccountabilityModel.query(on: server.app.db).count() == 0)
            let done = try await office.post("/accountability", form: ["staffNumber": "T002", "kind": "reminder-talk", "decidedOn": "2025-12-01",
                                                                       "reason": "本学期未讲思政课", "evidence": "2025—2026学年第一学期通报"], tokenFrom: "/accountability")
            #expect(done.status == .seeOther)
            let dossier = try await office.get("/dossiers/cadres/T002?term=2025-2026-1")
            #expect(dossier.body.contains("<td>2025-12-01</td><td>提醒谈话</td><td>本学期未讲思政课</td><td>2025—2026学年第一学期通报</td>"))
            #expect(dossier.body.contains("本期受到问责 1 次（提醒谈话）"))
            let other = try await office.get("/dossiers/cadres/T002?term=2025-2026-2")
            #expect(other.body.contains("本期无问责记录"), "a measure belongs to the period it was decided in")
            let secretary = server.browser()
            try await secretary.login("secretary")
            let list = try await secretary.get("/accountability")
            #expect(!list.body.contains("本学期未讲思政课"), "T002 is ME's, the secretary is CS's")
            #expect(try await secretary.post("/accountability", form: ["staffNumber": "T001", "kind": "criticism", "decidedOn": "2025-12-01",
                                                                        "reason": "x"], tokenFrom: "/accountability").status == .forbidden)
            // The table exports as the page shows it, to .xlsx and .csv; another format is refused.
            let xlsx = try await office.get("/accountability?format=xlsx")
            let rows = try XLSXReader.readRecords(from: xlsx.data)
            #expect(rows.count == 2 && rows[1][1] == "T002" && rows[1][3] == "提醒谈话", "\(rows)")
            let csv = try await office.get("/accountability?format=csv")
            #expect(csv.body.contains("本学期未讲思政课") && csv.headers.first(name: .contentType)?.hasPrefix("text/csv") == true)
            #expect(try await office.get("/accountability?format=pdf").status == .unprocessableEntity)
        }
    }
}

@Suite("典型经验: an exemplary record marked from its page, listed, and named in the bulletin")
struct ShowcaseTests {
    @Test("an assessor showcases a record once; a doubtful or unknown one is refused; the bulletin's draft names it")
    func showcase() async throws {
        try await TestServer.with { server in
            try await DossierTests.prepare(server)
            let record = try #require(try await ContactRecordModel.query(on: server.app.db).first())
            record.submittedAt = record.endAt
            try await record.save(on: server.app.db)
            let assessor = server.browser()
            try await assessor.login("assessor")
            let page = try await assessor.get("/ledger/\(record.id!)")
            #expect(page.body.contains("推荐为典型经验"))
            let unknown = try await assessor.post("/showcase", form: ["record": UUID().uuidString, "title": "x", "note": "y"], tokenFrom: "/showcase")
            #expect(unknown.status == .unprocessableEntity && unknown.body.contains("只能推荐已提交"))
            let noTitle = try await assessor.post("/showcase", form: ["record": record.id!.uuidString, "title": " ", "note": "y"], tokenFrom: "/showcase")
            #expect(noTitle.status == .unprocessableEntity)
            let marked = try await assessor.post("/showcase", form: ["record": record.id!.uuidString, "title": "形势与政策课走进班级",
                                                                     "note": "结合专业讲形势与政策，学生参与度高"], tokenFrom: "/showcase")
            #expect(marked.status == .seeOther)
            let again = try await assessor.post("/showcase", form: ["record": record.id!.uuidString, "title": "再次", "note": "y"], tokenFrom: "/showcase")
            #expect(again.status == .conflict)
            #expect(try await GoodPracticeModel.query(on: server.app.db).count() == 1)
            let cadre = server.browser()
            try await cadre.login("cadre")
            let list = try await cadre.get("/showcase")
            #expect(list.body.contains("形势与政策课走进班级") && list.body.contains("计算机学院 · 张伟"))
            #expect(try await cadre.post("/showcase", form: ["record": record.id!.uuidString, "title": "x", "note": "y"], tokenFrom: "/showcase").status == .forbidden)
            let office = server.browser()
            try await office.login("office")
            #expect(try await office.post("/bulletins", form: ["period": "term:2025-2026-1"], tokenFrom: "/bulletins").status == .seeOther)
            let bulletin = try #require(try await BulletinModel.query(on: server.app.db).first())
            #expect(bulletin.body.contains("本期推荐的典型经验：形势与政策课走进班级（计算机学院张伟）"), "\(bulletin.body)")
        }
    }
}
