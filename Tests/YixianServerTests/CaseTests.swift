import Fluent
import Foundation
import NIOConcurrencyHelpers
import Testing
import Vapor
import YixianCore
@testable import YixianServer

/// The feedback loop over HTTP: a problem becomes a case, is dispatched, answered on time or
/// escalated, and rated by the student; anonymous letters are followed up by number and secret.
@Suite("Cases (诉求) over HTTP")
struct CaseTests {
    /// 2025-10-09 (Thu), after the National Day holiday.
    static let today = LocalDate("2025-10-09")!

    static func at(_ day: LocalDate) -> WallClock { .fixed(day.startInstant().addingTimeInterval(10 * 3600)) }

    /// A logistics department whose head carries the `logistics` tag, where 后勤 cases go.
    static func addLogistics(_ server: TestServer) async throws {
        try await server.app.db.write { db in
            _ = try await RosterStore.apply(units: [Unit(code: "HQC", name: "后勤管理处", kind: .functionalDepartment)], on: db)
            _ = try await RosterStore.apply(cadres: [
                Cadre(staffNumber: "T009", name: "孙立", unitCode: "HQC", posts: ["处长"], rank: .director, partyMember: true, tags: ["logistics"]),
            ], on: db)
        }
        _ = try await Accounts.createUser(.init(username: "logistics", displayName: "孙立", password: TestServer.password, role: .cadre,
                                                unitCode: nil, cadreStaffNumber: "T009", studentNumber: nil),
                                          cost: 4, pool: server.app.threadPool, by: .system, on: server.app.db)
    }

    static func act(_ server: TestServer, _ id: UUID, as user: String, _ body: [String: Any]) async throws -> TestServer.Reply {
        try await server.api(.POST, "/api/v1/cases/\(id)/actions", as: user, json: body)
    }

    @Test("portal case: dispatched, acknowledged, answered; 不满意 reopens it once; the second rating closes it")
    func portalJourney() async throws {
        try await TestServer.with(adjust: { $0.clock = Self.at(Self.today) }) { server in
            let opened = try await server.api(.POST, "/api/v1/cases", as: "student", json: ["text": "图书馆晚上闭馆太早", "category": "study"])
            #expect(opened.status == .created, "\(opened.body)")
            let item = try opened.decode(CaseDTO.self)
            #expect(item.status == "new" && item.channel == "portal" && item.responsibleUnit == nil)
            // Received Thu 10-09: 5 workdays are Fri 10-10, Sat 10-11 (调休), Mon–Wed 10-13..10-15.
            #expect(item.answerDue == "2025-10-15")
            #expect(item.firstResponseDue == "2025-10-11")

            #expect(try await Self.act(server, item.id, as: "secretary", ["action": "assign", "unitCode": "CS"]).status == .notFound,
                    "the CS secretary cannot see a case nobody gave CS")
            #expect(try await Self.act(server, item.id, as: "office", ["action": "assign", "unitCode": "NOPE"]).errorField == "unitCode")
            let assigned = try await Self.act(server, item.id, as: "office", ["action": "assign", "unitCode": "CS"])
            #expect(try assigned.decode(CaseDTO.self).responsibleUnit?.code == "CS")
            #expect(try await Self.act(server, item.id, as: "student", ["action": "answer", "outcome": "solved", "answer": "x"]).status == .forbidden)
            #expect(try await Self.act(server, item.id, as: "secretary", ["action": "acknowledge"]).status == .ok)
            let empty = try await Self.act(server, item.id, as: "secretary", ["action": "answer", "outcome": "solved", "answer": "  "])
            #expect(empty.status == .unprocessableEntity && empty.errorField == "answer")
            #expect(try await Self.act(server, item.id, as: "student", ["action": "rate", "rating": "satisfied"]).errorField == "rating",
                    "nothing to rate before an answer")
            let answered = try await Self.act(server, item.id, as: "secretary", ["action": "answer", "outcome": "explained",
                                                                                 "answer": "闭馆时间由学校统一规定，考试周延长至 23:00"])
            #expect(try answered.decode(CaseDTO.self).status == "answered")
            #expect(try await Self.act(server, item.id, as: "student", ["action": "rate", "rating": "meh"]).errorField == "rating")
            let reopened = try await Self.act(server, item.id, as: "student", ["action": "rate", "rating": "dissatisfied", "comment": "平时也需要"])
            let again = try reopened.decode(CaseDTO.self)
            #expect(again.status == "assigned" && again.reopened && again.answer == nil)
            _ = try await Self.act(server, item.id, as: "secretary", ["action": "answer", "outcome": "solved", "answer": "自下周起平日延长至 22:30"])
            let closed = try await Self.act(server, item.id, as: "student", ["action": "rate", "rating": "dissatisfied"]).decode(CaseDTO.self)
            #expect(closed.status == "closed" && closed.rating == "dissatisfied", "a case reopens once; the second rating stands")
            let steps = try #require(closed.events).map(\.action)
            #expect(steps == ["received", "assign", "acknowledge", "answer", "rate", "reopen", "answer", "rate"])

            // The student sees their case in the list; another student would not.
            #expect(try await server.api(.GET, "/api/v1/cases", as: "student").decode(ListPage<CaseDTO>.self).total == 1)
            #expect(try await server.api(.GET, "/api/v1/cases", as: "cadre").decode(ListPage<CaseDTO>.self).total == 1, "T001 is in CS")
        }
    }

    @Test("a problem in a dorm visit becomes a case at the logistics department, which answers it")
    func fromContact() async throws {
        try await TestServer.with(adjust: { $0.clock = Self.at(Self.today) }) { server in
            try await Self.addLogistics(server)
            let start = Self.today.startInstant().addingTimeInterval(8 * 3600)
            var body: [String: Any] = [
                "kind": "dorm-visit", "start": ISO8601DateFormatter().string(from: start),
                "end": ISO8601DateFormatter().string(from: start.addingTimeInterval(3600)), "place": "梅园 3 舍", "collectiveCodes": ["CS2301"],
                "participantCount": 6,
            ]
            var withProblems = body
            withProblems["problems"] = [["text": "热水供应不稳定", "category": "后勤"], ["text": "想多听就业讲座", "category": "就业"]]
            let record = try await server.api(.POST, "/api/v1/contacts", as: "cadre", json: withProblems)
            #expect(record.status == .created, "\(record.body)")
            let cases = try await server.api(.GET, "/api/v1/cases", as: "office").decode(ListPage<CaseDTO>.self).items
            #expect(cases.count == 2)
            let water = try #require(cases.first { $0.category == "logistics" })
            #expect(water.channel == "contact" && water.responsibleUnit?.code == "HQC" && water.status == "assigned")
            #expect(water.cadreName == "张伟" && water.collectiveCode == "CS2301")
            #expect(cases.first { $0.category == "employment" }?.status == "new", "no unit carries the employment tag: the office dispatches it")
            let answered = try await Self.act(server, water.id, as: "logistics", ["action": "answer", "outcome": "solved", "answer": "已更换热水器"])
            #expect(try answered.decode(CaseDTO.self).status == "answered")
            // The student rates it once they have confirmed they were there; before, it is not theirs to see.
            let contact = try record.decode(ContactDTO.self)
            #expect(try await Self.act(server, water.id, as: "student", ["action": "rate", "rating": "satisfied"]).status == .notFound)
            let confirmed = try await server.api(.POST, "/api/v1/confirmations", as: "student", json: ["code": try #require(contact.confirmCode)])
            #expect(confirmed.status == .ok || confirmed.status == .created, "\(confirmed.body)")
            #expect(try await server.api(.GET, "/api/v1/cases", as: "student").decode(ListPage<CaseDTO>.self).total == 2)
            let rated = try await Self.act(server, water.id, as: "student", ["action": "rate", "rating": "satisfied", "comment": "热水稳定了"])
            #expect(try rated.decode(CaseDTO.self).status == "closed")
            // A correction that keeps the problems opens no second case.
            let id = contact.id
            body["participantCount"] = 7
            body["reason"] = "人次填错"
            let corrected = try await server.api(.PATCH, "/api/v1/contacts/\(id)", as: "cadre", json: body)
            #expect(corrected.status == .ok, "\(corrected.body)")
            #expect(try await CaseModel.query(on: server.app.db).count() == 2)
        }
    }

    @Test("an overdue case goes to the unit head, then to the office; a pause stops the clock")
    func escalation() async throws {
        let day = NIOLockedValueBox(Self.today)
        func move(to text: String) { day.withLockedValue { $0 = LocalDate(text)! } }
        try await TestServer.with(adjust: { $0.clock = WallClock { Self.at(day.withLockedValue { $0 }).now() } }) { server in
            let item = try await server.api(.POST, "/api/v1/cases", as: "office", json: ["text": "接待日：宿舍楼道灯坏了", "unitCode": "CS"]).decode(CaseDTO.self)
            #expect(item.answerDue == "2025-10-15" && item.escalation == "none")
            move(to: "2025-10-16")
            #expect(try await server.api(.GET, "/api/v1/cases/\(item.id)", as: "office").decode(CaseDTO.self).escalation == "unitHead")
            move(to: "2025-10-20")
            let late = try await server.api(.GET, "/api/v1/cases/\(item.id)", as: "office").decode(CaseDTO.self)
            #expect(late.escalation == "office", "three workdays past 10-15: 10-16, 10-17, 10-20")
            let list = try await server.browser()
            try await list.login("office")
            let page = try await list.get("/cases")
            #expect(page.body.contains("学校督办"))
            // Paused the next day: the deadline moves on with every paused day and nothing is overdue.
            _ = try await Self.act(server, item.id, as: "secretary", ["action": "pause"])
            move(to: "2025-10-27")
            let paused = try await server.api(.GET, "/api/v1/cases/\(item.id)", as: "office").decode(CaseDTO.self)
            #expect(paused.paused && paused.escalation == "none")
        }
    }

    @Test("an anonymous letter to the 校长信箱: number and secret, same answer for a wrong secret, rated by the secret's holder")
    func anonymousLetter() async throws {
        try await TestServer.with(adjust: { $0.clock = Self.at(Self.today) }) { server in
            let visitor = server.browser()
            let form = try await visitor.get("/mailbox")
            #expect(form.status == .ok && form.body.contains("校长信箱"))
            let empty = try await visitor.post("/mailbox", form: ["mailbox": "president", "text": ""], tokenFrom: "/mailbox")
            #expect(empty.status == .unprocessableEntity && empty.body.contains("请填写来信内容"))
            #expect(try await CaseModel.query(on: server.app.db).count() == 0)
            let sent = try await visitor.post("/mailbox", form: ["mailbox": "president", "category": "logistics",
                                                                 "text": "<script>alert(1)</script>食堂排队太久"], tokenFrom: "/mailbox")
            #expect(sent.status == .ok)
            let number = try #require(sent.body.firstMatch(of: /data-receipt="([A-Z0-9-]+)"/)?.1).description
            let secret = try #require(sent.body.firstMatch(of: /data-secret="([A-Z0-9-]+)"/)?.1).description
            let stored = try #require(try await CaseModel.query(on: server.app.db).first())
            #expect(stored.$submitter.id == nil && stored.secretHash != nil && stored.secretHash != secret, "no identity; the secret only hashed")
            #expect(stored.status == "new", "校长信箱 letters wait for the office even when the category has a home")

            let wrong = try await visitor.post("/mailbox/track", form: ["number": number, "secret": "AAAA-BBBB-CCCC"], tokenFrom: "/mailbox/track")
            let unknown = try await visitor.post("/mailbox/track", form: ["number": "YX-20251009-000000", "secret": secret], tokenFrom: "/mailbox/track")
            #expect(wrong.status == .unprocessableEntity && unknown.status == .unprocessableEntity)
            #expect(wrong.body.contains("受理编号或查询密码不正确") && unknown.body.contains("受理编号或查询密码不正确"))

            let office = try await server.api(.GET, "/api/v1/cases/\(stored.id!)", as: "office").decode(CaseDTO.self)
            #expect(office.anonymous && office.mailbox == "president")
            _ = try await Self.act(server, stored.id!, as: "office", ["action": "assign", "unitCode": "XGB"])
            _ = try await Self.act(server, stored.id!, as: "office", ["action": "answer", "outcome": "solved", "answer": "已增开两个窗口"])
            let tracked = try await visitor.post("/mailbox/track", form: ["number": number, "secret": secret.lowercased()], tokenFrom: "/mailbox/track")
            #expect(tracked.status == .ok && tracked.body.contains("已增开两个窗口"))
            #expect(tracked.body.contains("&lt;script&gt;"), "the letter's text is rendered inert")
            let rated = try await visitor.post("/mailbox/track/rate", form: ["number": number, "secret": secret, "rating": "satisfied"],
                                               tokenFrom: "/mailbox/track")
            #expect(rated.status == .ok && rated.body.contains("评价已提交"))
            #expect(try await CaseModel.find(stored.id, on: server.app.db)?.status == "closed")
            let audit = try await AuditEventModel.query(on: server.app.db).filter(\.$action == "case.create").first()
            #expect(audit?.actorName == "mailbox", "an unsigned letter is audited as the mailbox's")
        }
    }

    @Test("a psychological case is hidden from assessors and other units; the office's read is audited")
    func sensitive() async throws {
        try await TestServer.with(adjust: { $0.clock = Self.at(Self.today) }) { server in
            let item = try await server.api(.POST, "/api/v1/cases", as: "student", json: ["text": "最近压力很大，睡不着", "category": "psychology"])
                .decode(CaseDTO.self)
            #expect(try await server.api(.GET, "/api/v1/cases/\(item.id)", as: "assessor").status == .notFound)
            #expect(try await server.api(.GET, "/api/v1/cases", as: "assessor").decode(ListPage<CaseDTO>.self).total == 0)
            #expect(try await server.api(.GET, "/api/v1/cases/\(item.id)", as: "office").status == .ok)
            let reads = try await AuditEventModel.query(on: server.app.db).filter(\.$action == "case.read-sensitive").count()
            #expect(reads >= 1)
        }
    }

    @Test("a response rule counts real cases on the compliance cells")
    func compliance() async throws {
        try await TestServer.with(adjust: { $0.clock = Self.at(Self.today) }) { server in
            try await ComplianceTests.prepare(server)
            let policy = """
                id: case-test
                title: 诉求测试
                rules:
                  - id: answer-cases
                    who: { units: any }
                    response:
                      tiers:
                        ordinary: { firstResponse: 2, answer: 5 }
                """
            #expect(try await server.api(.POST, "/api/v1/policies", as: "office", json: ["text": policy, "effectiveFrom": "2025-09-01"]).status == .created)
            let item = try await server.api(.POST, "/api/v1/cases", as: "office", json: ["text": "接待日：实验室空调", "unitCode": "CS"]).decode(CaseDTO.self)
            _ = try await Self.act(server, item.id, as: "secretary", ["action": "answer", "outcome": "solved", "answer": "已报修"])
            let cells = try await server.api(.GET, "/api/v1/compliance/cells?asOf=2025-10-09", as: "office").decode(ComplianceCellsDTO.self).cells
            let cs = try #require(cells.first { $0.subject.id == "CS" && $0.ruleID == "answer-cases" })
            #expect(cs.required == 1 && cs.achieved == 1 && cs.status == .met)
            #expect(cells.first { $0.subject.id == "ME" && $0.ruleID == "answer-cases" }?.required == 0)
        }
    }

    @Test("the problem list shows a hundred rows a page with a pager, counts and exports them all")
    func problemListPages() async throws {
        try await TestServer.with(adjust: { $0.clock = Self.at(Self.today) }) { server in
            try await ComplianceTests.prepare(server)
            for n in 1...105 {
                let reply = try await server.api(.POST, "/api/v1/cases", as: "office", json: ["text": "问题第\(n)号：宿舍热水", "unitCode": "CS"])
                #expect(reply.status == .created)
            }
            let office = server.browser()
            try await office.login("office")
            let first = try await office.get("/problems?term=2025-2026-1")
            #expect(first.body.contains("<div class=\"num\">105</div>"), "the counts are over every row")
            #expect(first.body.components(separatedBy: "href=\"/cases/").count - 1 == 100, "a hundred rows on the first page")
            #expect(first.body.contains("共 105 条，第 1/2 页") && first.body.contains("page=2"))
            let second = try await office.get("/problems?page=2&term=2025-2026-1")
            #expect(second.body.components(separatedBy: "href=\"/cases/").count - 1 == 5)
            #expect(try await office.get("/problems?page=9&term=2025-2026-1").body.contains("没有第 9 页"))
            #expect(try await office.get("/problems?page=abc&term=2025-2026-1").status == .ok, "a page that is not a number is the first")
            let sheet = try await server.request(.GET, "/problems?term=2025-2026-1&format=xlsx", headers: ["Cookie": office.cookieHeader], body: nil)
            #expect(try XLSXReader.readRecords(from: sheet.data).count == 106, "the export has every row")
        }
    }

    @Test("the problem list shows the term's cases and how each was handled, exports them, and reporting files the unit's problem list")
    func problemList() async throws {
        try await TestServer.with(adjust: { $0.clock = Self.at(Self.today) }) { server in
            try await ComplianceTests.prepare(server)
            let solved = try await server.api(.POST, "/api/v1/cases", as: "office", json: ["text": "实验室空调不制冷", "unitCode": "CS"]).decode(CaseDTO.self)
            _ = try await Self.act(server, solved.id, as: "secretary", ["action": "answer", "outcome": "solved", "answer": "已维修"])
            _ = try await server.api(.POST, "/api/v1/cases", as: "office", json: ["text": "自习室座位不够", "unitCode": "CS"])
            _ = try await server.api(.POST, "/api/v1/cases", as: "office", json: ["text": "机械学院的事", "unitCode": "ME"])
            let secretary = server.browser()
            try await secretary.login("secretary")
            let page = try await secretary.get("/problems?term=2025-2026-1")
            #expect(page.status == .ok)
            #expect(page.body.contains("实验室空调不制冷") && page.body.contains("自习室座位不够") && page.body.contains("已解决"))
            #expect(!page.body.contains("机械学院的事"), "another unit's case is not on CS's list")
            #expect(try await secretary.get("/problems?term=nonsense").status == .unprocessableEntity)
            let sheet = try await server.request(.GET, "/problems?term=2025-2026-1&format=xlsx",
                                                 headers: ["Cookie": secretary.cookieHeader], body: nil)
            let rows = try XLSXReader.readRecords(from: sheet.data)
            #expect(rows.first == ProblemListPages.header)
            #expect(rows.count == 3 && rows.contains { $0.contains("已解决") })
            let reported = try await secretary.post("/problems/report", form: ["termCode": "2025-2026-1", "unitCode": "ME"], tokenFrom: "/problems")
            #expect(reported.status == .seeOther)
            let filing = try #require(try await FilingModel.query(on: server.app.db).with(\.$unit).filter(\.$kind == "problem-list").first())
            #expect(filing.unit.code == "CS" && filing.termCode == "2025-2026-1" && filing.submittedOn == "2025-10-09",
                    "a secretary reports for their own unit, dated today")
        }
    }

    @Test("the bell: the office hears of a new case, the unit of its dispatch, the student of the answer; read ones go quiet")
    func notifications() async throws {
        try await TestServer.with(adjust: { $0.clock = Self.at(Self.today) }) { server in
            let item = try await server.api(.POST, "/api/v1/cases", as: "student", json: ["text": "图书馆空调太冷"]).decode(CaseDTO.self)
            func kinds(_ user: String) async throws -> [String] {
                try await server.api(.GET, "/api/v1/notifications", as: user).decode([NotificationDTO].self).filter { !$0.read }.map(\.kind)
            }
            #expect(try await kinds("office") == ["dispatch"])
            #expect(try await kinds("secretary").isEmpty)
            _ = try await Self.act(server, item.id, as: "office", ["action": "assign", "unitCode": "CS"])
            #expect(try await kinds("secretary") == ["assigned"])
            #expect(try await kinds("cadre") == ["assigned"], "T001 is a cadre of CS with an account")
            _ = try await Self.act(server, item.id, as: "secretary", ["action": "answer", "outcome": "solved", "answer": "已调高温度"])
            #expect(try await kinds("student") == ["answered"])
            let student = server.browser()
            try await student.login("student")
            let home = try await student.get("/")
            #expect(home.body.contains(#"data-unread="1""#), "the bell shows one unread")
            let list = try await student.get("/notifications")
            #expect(list.body.contains("你的诉求已答复") && list.body.contains("/cases/\(item.id)"))
            #expect(try await student.post("/notifications/read", tokenFrom: "/notifications").status == .seeOther)
            #expect(!(try await student.get("/").body.contains("data-unread=")), "nothing unread, no bell")
            _ = try await Self.act(server, item.id, as: "student", ["action": "rate", "rating": "dissatisfied"])
            #expect(try await kinds("secretary").contains("reopened"))
        }
    }

    @Test("hot topics: recurring phrases and counts by category as charts; a cadre may not open it")
    func topics() async throws {
        try await TestServer.with(adjust: { $0.clock = Self.at(Self.today) }) { server in
            try await ComplianceTests.prepare(server)
            for text in ["宿舍热水供应不稳定", "热水供应时断时续", "<b>食堂</b>排队太久"] {
                _ = try await server.api(.POST, "/api/v1/cases", as: "office", json: ["text": text, "unitCode": "CS", "category": "logistics"])
            }
            let office = server.browser()
            try await office.login("office")
            let page = try await office.get("/cases/topics")
            #expect(page.status == .ok)
            #expect(page.body.contains("<svg") && page.body.contains(">热水供应</text>") && page.body.contains(">后勤</text>"))
            #expect(!page.body.contains("<b>"), "texts never reach the page as markup")
            let cadre = server.browser()
            try await cadre.login("cadre")
            #expect(try await cadre.get("/cases/topics").status == .forbidden)
        }
    }

    @Test("a forum's problems become one case each, routed by their categories; a bad form opens none")
    func forum() async throws {
        try await TestServer.with(adjust: { $0.clock = Self.at(Self.today) }) { server in
            try await Self.addLogistics(server)
            let secretary = server.browser()
            try await secretary.login("secretary")
            let empty = try await secretary.post("/cases/forum", form: ["title": "学生代表座谈会", "date": "2025-10-09", "problems": " \n "],
                                                 tokenFrom: "/cases/forum")
            #expect(empty.status == .unprocessableEntity && empty.body.contains("请至少填写一条问题"))
            let future = try await secretary.post("/cases/forum", form: ["title": "午餐会", "date": "2025-12-01", "problems": "食堂太挤"],
                                                  tokenFrom: "/cases/forum")
            #expect(future.status == .unprocessableEntity && future.body.contains("尚未召开"))
            #expect(try await CaseModel.query(on: server.app.db).count() == 0)
            let done = try await secretary.post("/cases/forum", form: ["title": "学生代表座谈会", "date": "2025-10-08",
                                                                       "problems": "后勤：澡堂开放时间短\n希望多开讲座\n学业：考试安排太集中",
                                                                       "problemCategory": "study"], tokenFrom: "/cases/forum")
            #expect(done.status == .seeOther)
            let cases = try await CaseModel.query(on: server.app.db).with(\.$responsibleUnit).all()
            #expect(cases.count == 3 && cases.allSatisfy { $0.channel == "forum" && $0.receivedOn == "2025-10-08" })
            #expect(cases.first { $0.text.hasPrefix("澡堂") }?.responsibleUnit?.code == "HQC")
            #expect(cases.filter { $0.category == "study" }.count == 2, "lines without a category take the form's")
        }
    }

    @Test("延期 needs a reason and the office's approval and shows; the office merges a duplicate and splits a letter into cases")
    func extensionMergeSplit() async throws {
        try await TestServer.with(adjust: { $0.clock = Self.at(Self.today) }) { server in
            func open(_ text: String) async throws -> CaseDTO {
                try await server.api(.POST, "/api/v1/cases", as: "student", json: ["text": text, "category": "study"]).decode(CaseDTO.self)
            }
            let item = try await open("图书馆晚上闭馆太早")
            _ = try await Self.act(server, item.id, as: "office", ["action": "assign", "unitCode": "CS"])
            let noReason = try await Self.act(server, item.id, as: "secretary", ["action": "request-extension", "days": 3])
            #expect(noReason.status == .unprocessableEntity && noReason.errorField == "reason")
            let page = server.browser()
            try await page.login("secretary")
            for days in ["", "abc", "99999999999999999999"] {
                let typed = try await page.post("/cases/\(item.id)/act", form: ["action": "request-extension", "days": days, "reason": "x"], tokenFrom: "/cases/\(item.id)")
                #expect((400..<500).contains(typed.status.code), "days \(days): \(typed.status)")
            }
            let asked = try await Self.act(server, item.id, as: "secretary", ["action": "request-extension", "days": 3, "reason": "需与图书馆协调"])
            #expect(try asked.decode(CaseDTO.self).requestedExtension == 3)
            #expect(try await Self.act(server, item.id, as: "secretary", ["action": "approve-extension"]).status == .forbidden, "the unit cannot approve its own")
            let approved = try await Self.act(server, item.id, as: "office", ["action": "approve-extension"]).decode(CaseDTO.self)
            #expect(approved.extensionDays == 3 && approved.requestedExtension == nil && approved.answerDue == "2025-10-20", "\(approved.answerDue)")
            #expect(approved.extensionReason == "需与图书馆协调")
            let office = server.browser()
            try await office.login("office")
            #expect(try await office.get("/cases/\(item.id)").body.contains("已延期 3 天"))

            // A duplicate merged into the first: closed, named on both, out of the response rule's count.
            let duplicate = try await open("图书馆闭馆时间太早了")
            #expect(try await Self.act(server, duplicate.id, as: "office", ["action": "merge", "intoNumber": "YX-00000000-000000"]).errorField == "intoNumber")
            #expect(try await Self.act(server, duplicate.id, as: "office", ["action": "merge", "intoNumber": duplicate.number]).errorField == "intoNumber")
            #expect(try await Self.act(server, duplicate.id, as: "secretary", ["action": "merge", "intoNumber": item.number]).status.code >= 403)
            let merged = try await Self.act(server, duplicate.id, as: "office", ["action": "merge", "intoNumber": item.number]).decode(CaseDTO.self)
            #expect(merged.status == "closed" && merged.closedAs == "merged")
            #expect(try #require(merged.events).last?.note == "合并到 \(item.number)")
            let target = try await server.api(.GET, "/api/v1/cases/\(item.id)", as: "office").decode(CaseDTO.self)
            #expect(try #require(target.events).contains { $0.action == "merged-from" && $0.note.contains(duplicate.number) })

            // One letter raising two problems becomes two cases, each routed by the category.
            let letter = try await open("宿舍热水不稳定；食堂晚餐排队太长")
            let tooFew = try await Self.act(server, letter.id, as: "office", ["action": "split", "parts": "只有一个问题"])
            #expect(tooFew.errorField == "parts")
            let split = try await Self.act(server, letter.id, as: "office", ["action": "split", "parts": "宿舍热水不稳定\n\n食堂晚餐排队太长\n"]).decode(CaseDTO.self)
            #expect(split.status == "closed" && split.closedAs == "split")
            let mine = try await server.api(.GET, "/api/v1/cases?per=50", as: "student").decode(ListPage<CaseDTO>.self).items
            #expect(mine.filter { $0.text == "宿舍热水不稳定" || $0.text == "食堂晚餐排队太长" }.count == 2, "the student follows both parts")
            #expect(try #require(split.events).last?.note.hasPrefix("拆分为 YX-") == true)
        }
    }
}

@Suite("Hot-topic phrases are kept per set of texts")
struct PhraseCacheTests {
    @Test func theSameTextsGiveTheSamePhrasesAndAChangeIsSeen() async {
        let cache = PhraseCache()
        let texts = (1...30).map { "宿舍热水供应不稳定，第\($0)次反映" } + (1...10).map { "食堂饭菜价格偏高\($0)" }
        let first = await cache.phrases(in: texts)
        #expect(first == HotTopics.phrases(in: texts), "the cache answers what the computation would")
        #expect(await cache.phrases(in: texts) == first)
        let changed = texts + (1...40).map { "自习室座位不够用\($0)" }
        #expect(await cache.phrases(in: changed) == HotTopics.phrases(in: changed))
        #expect(await cache.phrases(in: changed) != first, "new cases change the phrases")
    }
}
