import Fluent
import Foundation
import Testing
import Vapor
import YixianCore
@testable import YixianServer

/// Issue 10 item 3 — 精准帮扶 (苏州大学 三3(3), 湖南科技大学 二(三), 五(五)): the flagged students in the
/// reader's scope, each view audited; helpers assigned as key-student pairings; help logged per
/// student only by a paired cadre, counted per term.
@Suite("Students in special difficulty: list, audit, assignment and help logs")
struct SupportTests {
    /// The fixture plus: a calendar covering today, 刘洋 (ME) flagged with a psychological note, 周杰 (CS, not flagged),
    /// T004 in CS, and accounts for the ME secretary and ME cadre T002.
    static func prepare(_ server: TestServer) async throws {
        let db = server.app.db
        try await db.write { db in
            let start = Calendar(identifier: .gregorian).component(.year, from: Date())
            let years = [start - 1, start].map { s in
                AcademicYear(id: "\(s)-\(s + 1)", name: "\(s)—\(s + 1)学年",
                             range: DateRange(start: LocalDate("\(s)-08-24")!, end: LocalDate("\(s + 1)-08-23")!), terms: [
                                 Term(id: "\(s)-\(s + 1)-1", name: "第一学期", range: DateRange(start: LocalDate("\(s)-08-25")!, end: LocalDate("\(s + 1)-01-31")!)),
                                 Term(id: "\(s)-\(s + 1)-2", name: "第二学期", range: DateRange(start: LocalDate("\(s + 1)-02-01")!, end: LocalDate("\(s + 1)-08-23")!)),
                             ])
            }
            try await CalendarAPI.save(years, on: db)
            _ = try await RosterStore.apply(cadres: [
                Cadre(staffNumber: "T004", name: "赵敏", unitCode: "CS", posts: ["副院长"], rank: .deputyDirector, partyMember: true),
            ], on: db)
            _ = try await RosterStore.apply(students: [
                Student(studentNumber: "2023010102", name: "周杰", unitCode: "CS", collectiveCodes: ["CS2301"]),
            ], on: db)
        }
        let liu = try await server.student("2023020101")
        let flagged = try await server.api(.PUT, "/api/v1/students/\(liu.id!)/sensitive", as: "office",
                                           json: ["psychologicalAttention": true, "note": "心理咨询中心随访"])
        #expect(flagged.status == .ok, "\(flagged.body)")
        for (username, role, unit, staff) in [("secretary-me", Role.unitSecretary, "ME" as String?, nil as String?), ("cadre-me", .cadre, nil, "T002")] {
            _ = try await Accounts.createUser(.init(username: username, displayName: username, password: TestServer.password, role: role,
                                                    unitCode: unit, cadreStaffNumber: staff, studentNumber: nil),
                                              cost: 4, pool: server.app.threadPool, by: .system, on: db)
        }
    }

    static func listReads(_ server: TestServer) async throws -> [AuditEventModel] {
        try await AuditEventModel.query(on: server.app.db).filter(\.$action == "sensitive.read").filter(\.$objectType == "support-list").sort(\.$seq).all()
    }

    static func keyPairings(_ server: TestServer) async throws -> Int {
        try await PairingModel.query(on: server.app.db).filter(\.$kind == "key-student").count()
    }

    @Test("the list shows only flagged students in scope, never the note, and each view writes one audit row")
    func listAndAudit() async throws {
        try await TestServer.with { server in
            try await Self.prepare(server)
            let office = server.browser()
            try await office.login("office")
            let all = try await office.get("/support")
            #expect(all.status == .ok)
            #expect(all.body.contains("陈晨") && all.body.contains("刘洋"))
            #expect(all.body.contains("家庭经济困难") && all.body.contains("心理关注"))
            #expect(!all.body.contains("周杰"), "not flagged: not listed")
            #expect(!all.body.contains("心理咨询中心随访") && !all.body.contains("已纳入资助"), "the list shows the kind, not the note")
            var reads = try await Self.listReads(server)
            #expect(reads.count == 1)
            #expect(reads.last?.objectID == "all" && reads.last?.detail == "2 students" && reads.last?.actorName == "office")

            let secretary = server.browser()
            try await secretary.login("secretary")
            let cs = try await secretary.get("/support")
            #expect(cs.status == .ok && cs.body.contains("陈晨") && !cs.body.contains("刘洋"))
            _ = try await secretary.get("/support")
            reads = try await Self.listReads(server)
            #expect(reads.count == 3, "one row per view")
            #expect(reads.last?.objectID == "unit:CS" && reads.last?.detail == "1 students")

            let meSecretary = server.browser()
            try await meSecretary.login("secretary-me")
            let me = try await meSecretary.get("/support")
            #expect(me.body.contains("刘洋") && !me.body.contains("陈晨"), "another unit's secretary does not see CS students")

            // A cadre not assigned sees nobody (cadres may not read flags by role).
            let cadre = server.browser()
            try await cadre.login("cadre")
            let none = try await cadre.get("/support")
            #expect(none.status == .ok && !none.body.contains("陈晨") && !none.body.contains("刘洋"))
            #expect(try await Self.listReads(server).last?.objectID == "helper:cadre")

            for username in ["student", "assessor"] {
                let browser = server.browser()
                try await browser.login(username)
                let denied = try await browser.get("/support")
                #expect(denied.status == .forbidden, "\(username)")
                #expect(!denied.body.contains("陈晨"))
            }
        }
    }

    @Test("assignment stores a key-student pairing; an unflagged student, another unit's cadre, another unit's student and a duplicate are refused, nothing stored")
    func assignment() async throws {
        try await TestServer.with { server in
            try await Self.prepare(server)
            let secretary = server.browser()
            try await secretary.login("secretary")
            let refusals: [([String: String], String, String)] = [
                (["studentNumber": "2023010102", "staffNumber": "T001"], "studentNumber", "未标记"),
                (["studentNumber": "2023010101", "staffNumber": "T002"], "staffNumber", "不属于学生所在单位"),
                (["studentNumber": "2023020101", "staffNumber": "T001"], "studentNumber", "本单位没有学号"),
                (["studentNumber": "2023010101", "staffNumber": "T999"], "staffNumber", "不存在"),
                (["studentNumber": "", "staffNumber": "T001"], "studentNumber", "学号"),
            ]
            for (form, field, reason) in refusals {
                let reply = try await secretary.post("/support/assign", form: form)
                #expect(reply.status == .unprocessableEntity, "\(form)")
                #expect(reply.body.contains("href=\"#\(field)\"") && reply.body.contains(reason), "\(form)")
            }
            #expect(try await Self.keyPairings(server) == 0)

            let done = try await secretary.post("/support/assign", form: ["studentNumber": "2023010101", "staffNumber": "T001"])
            #expect(done.status == .seeOther)
            #expect(try await Self.keyPairings(server) == 1)
            let page = try await secretary.get("/support")
            #expect(page.body.contains("张伟（T001）"))
            let again = try await secretary.post("/support/assign", form: ["studentNumber": "2023010101", "staffNumber": "T001"])
            #expect(again.status == .unprocessableEntity && again.body.contains("已指定"))
            #expect(try await Self.keyPairings(server) == 1)

            // The office may assign across units; English reasons for an English reader.
            let office = server.browser()
            try await office.login("office")
            #expect(try await office.post("/support/assign", form: ["studentNumber": "2023010101", "staffNumber": "T002"]).status == .seeOther)
            #expect(try await Self.keyPairings(server) == 2)
            let english = try await office.post("/support/assign?lang=en", form: ["studentNumber": "2023010102", "staffNumber": "T001"])
            #expect(english.status == .unprocessableEntity && english.body.contains("not flagged"))
            // A cadre cannot assign.
            let cadre = server.browser()
            try await cadre.login("cadre")
            #expect(try await cadre.post("/support/assign", form: ["studentNumber": "2023010101", "staffNumber": "T001"]).status == .forbidden)
            #expect(try await Self.keyPairings(server) == 2)
        }
    }

    @Test("only a paired cadre logs help; a key-student talk for a student not paired is refused, nothing stored; counts per student equal the logs")
    func logging() async throws {
        try await TestServer.with { server in
            try await Self.prepare(server)
            let secretary = server.browser()
            try await secretary.login("secretary")
            #expect(try await secretary.post("/support/assign", form: ["studentNumber": "2023010101", "staffNumber": "T001"]).status == .seeOther)

            let cadre = server.browser()
            try await cadre.login("cadre")
            let mine = try await cadre.get("/support")
            #expect(mine.body.contains("陈晨") && !mine.body.contains("刘洋"), "the assigned cadre sees their student, only")
            #expect(mine.body.contains("action=\"/support/log\""))
            #expect(!mine.body.contains("已纳入资助"), "a cadre does not read the sealed note")

            let today = LocalDate(Date())
            for (kind, note) in [("talk", "谈心：学业压力"), ("visit", "宿舍走访"), ("visit", "")] {
                let reply = try await cadre.post("/support/log", form: ["studentNumber": "2023010101", "date": today.iso, "kind": kind, "note": note])
                #expect(reply.status == .seeOther, "\(reply.body.prefix(300))")
            }
            #expect(try await SupportLogModel.query(on: server.app.db).count() == 3)

            // Bad input: not paired (another unit's student, a CS student not assigned), an unknown kind, a future date.
            let other = server.browser()
            try await other.login("cadre-me")
            let refusals: [(Browser, [String: String], String)] = [
                (other, ["studentNumber": "2023010101", "date": today.iso, "kind": "talk"], "studentNumber"),
                (cadre, ["studentNumber": "2023020101", "date": today.iso, "kind": "talk"], "studentNumber"),
                (cadre, ["studentNumber": "2023010102", "date": today.iso, "kind": "talk"], "studentNumber"),
                (cadre, ["studentNumber": "2023010101", "date": today.iso, "kind": "gossip"], "kind"),
                (cadre, ["studentNumber": "2023010101", "date": today.adding(days: 3).iso, "kind": "talk"], "date"),
            ]
            for (browser, form, field) in refusals {
                let reply = try await browser.post("/support/log", form: form)
                #expect(reply.status == .unprocessableEntity, "\(form)")
                #expect(reply.body.contains("href=\"#\(field)\""), "\(form)")
            }
            let notPaired = try await other.post("/support/log", form: ["studentNumber": "2023010101", "date": today.iso, "kind": "talk"])
            #expect(notPaired.body.contains("未与学号“2023010101”的学生结对"))
            #expect(try await SupportLogModel.query(on: server.app.db).count() == 3, "nothing stored")
            #expect(try await secretary.post("/support/log", form: ["studentNumber": "2023010101", "date": today.iso, "kind": "talk"]).status == .forbidden)

            // Counts per student this term: 3, of which 2 visits; the CS secretary reads the notes, the ME cadre nothing.
            let page = try await secretary.get("/support")
            let row = try #require(page.body.range(of: "陈晨（2023010101）").map { String(page.body[$0.upperBound...].prefix(1500)) })
            #expect(row.contains("<td>3<span class=\"muted\">（谈心谈话 1、走访 2）</span></td>"), "\(row)")
            #expect(row.contains("\(today.iso) "))
            let logged = try await AuditEventModel.query(on: server.app.db).filter(\.$action == "support.log").count()
            #expect(logged == 3)
        }
    }
}
