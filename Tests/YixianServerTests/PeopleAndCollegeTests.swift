import Fluent
import Foundation
import Testing
import Vapor
import YixianCore
@testable import YixianServer

/// Staff who are not cadres in the roster, and pairings with a college (issue 10 item 2; POLICY-FORMAT §4.18).
/// The seeded roster: colleges CS and ME, student-work XGB; cadres T001 (CS), T002 (ME), T003 (XGB).
@Suite("Staff and college pairings over HTTP")
struct PeopleAndCollegeTests {
    /// A counsellor imported as staff (无职级) beside the seeded cadres.
    static let staffCSV = """
    工号,姓名,单位代码,职务,职级,是否党员,标签
    S001,孙丽,CS,辅导员,无职级,是,student-work
    """

    @Test("a counsellor imports as staff (无职级); the cadre filter and the home count leave her out")
    func staffInRoster() async throws {
        try await TestServer.with { server in
            let commit = try await server.api(.POST, "/api/v1/imports/cadres?mode=commit&filename=c.csv", as: "office", raw: Data(Self.staffCSV.utf8))
            #expect(commit.status == .ok, "\(commit.body)")
            let staff = try await server.api(.GET, "/api/v1/cadres?kind=staff", as: "office").decode(ListPage<CadreDTO>.self)
            #expect(staff.items.map(\.staffNumber) == ["S001"] && staff.items.first?.rankLabel.zh == "无职级")
            // 领导干部 only: T001, T002, T003 — not S001
            let cadres = try await server.api(.GET, "/api/v1/cadres?kind=cadres", as: "office").decode(ListPage<CadreDTO>.self)
            #expect(cadres.items.map(\.staffNumber) == ["T001", "T002", "T003"])
            #expect(try await server.api(.GET, "/api/v1/cadres", as: "office").decode(ListPage<CadreDTO>.self).total == 4)
            // the home page counts 3 cadres in post and 1 staff member apart
            let office = server.browser()
            try await office.login("office")
            let home = try await office.get("/")
            #expect(home.body.contains("在职干部") && home.body.contains("无职级教职工"))
            #expect(home.body.contains(">3<") && home.body.contains(">1<"), "\(home.body)")
            // a rank nobody has is refused with the field, nothing stored
            let bad = try await server.api(.POST, "/api/v1/cadres", as: "office",
                                           json: ["staffNumber": "S002", "name": "周", "unitCode": "CS", "rank": "counsellor", "partyMember": true])
            #expect(bad.status == .unprocessableEntity && bad.errorField == "rank")
            #expect(try await CadreModel.query(on: server.app.db).count() == 4)
        }
    }

    @Test("POST /pairings with unitCode pairs with a college; another unit, an unknown one or two targets are refused with the field")
    func collegePairingAPI() async throws {
        try await TestServer.with { server in
            let year = AcademicYear(id: "2025-2026", name: "2025—2026学年", range: DateRange(start: LocalDate("2025-08-25")!, end: LocalDate("2026-08-23")!), terms: [])
            try await server.app.db.write { db in try await CalendarAPI.save([year], on: db) }
            let path = "/api/v1/pairings?year=2025-2026"
            let created = try await server.api(.POST, path, as: "office", json: ["staffNumber": "T003", "unitCode": "ME"])
            #expect(created.status == .created, "\(created.body)")
            let dto = try created.decode(PairingDTO.self)
            #expect(dto.college?.code == "ME" && dto.collective == nil && dto.kind == "linked")
            let count = { try await PairingModel.query(on: server.app.db).count() }
            #expect(try await count() == 1)
            // XGB is a student-work department: only colleges are targets
            let notCollege = try await server.api(.POST, path, as: "office", json: ["staffNumber": "T001", "unitCode": "XGB"])
            #expect(notCollege.status == .unprocessableEntity && notCollege.errorField == "unitCode")
            #expect(notCollege.body.contains("只能与院（系）结对") && notCollege.body.contains("Only a college can be paired with"))
            #expect(try await server.api(.POST, path, as: "office", json: ["staffNumber": "T001", "unitCode": "NOPE"]).errorField == "unitCode")
            #expect(try await server.api(.POST, path, as: "office", json: ["staffNumber": "T001", "unitCode": "CS", "collectiveCode": "CS2301"])
                .errorField == "collectiveCode")
            #expect(try await server.api(.POST, path, as: "office", json: ["staffNumber": "T001", "unitCode": "CS", "kind": "honorary-class-head"])
                .errorField == "kind")
            #expect(try await count() == 1, "a refused pairing stores nothing")
            // listed with its college; the facts the engine reads carry it
            let listed = try await server.api(.GET, path, as: "office").decode([PairingDTO].self)
            #expect(listed.map { $0.college?.name } == ["机械工程学院"])
            let stored = try await StoredPairings.load(try await OrganizationFacts.load(on: server.app.db), on: server.app.db)
            #expect(stored.pairings.map(\.collegeCode) == ["ME"] && stored.pairings.first?.collectiveCode == nil)
            #expect(try await server.api(.POST, path, as: "secretary", json: ["staffNumber": "T001", "unitCode": "ME"]).status == .forbidden)
        }
    }

    @Test("the add form takes a college by name, lists it under 联系院（系）, and refuses a department on the field")
    func collegePairingForm() async throws {
        try await TestServer.with { server in
            // a year around today: the form pairs from today to the year's end
            let today = LocalDate(server.app.now)
            let year = AcademicYear(id: "Y", name: "本学年", range: DateRange(start: today.adding(days: -60), end: today.adding(days: 200)), terms: [])
            try await server.app.db.write { db in try await CalendarAPI.save([year], on: db) }
            let office = server.browser()
            try await office.login("office")
            let added = try await office.post("/pairings/add", form: ["staffNumber": "T003", "collective": "计算机学院", "kind": "linked"],
                                              tokenFrom: "/pairings")
            #expect(added.status == .seeOther, "\(added.body)")
            let page = try await office.get("/pairings")
            #expect(page.body.contains("联系院（系）") && page.body.contains("王强") && page.body.contains("计算机学院"))
            let refused = try await office.post("/pairings/add", form: ["staffNumber": "T001", "collective": "党委学生工作部", "kind": "linked"],
                                                tokenFrom: "/pairings")
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.contains("只能与院（系）结对：“党委学生工作部”是学生工作部门"))
            #expect(try await PairingModel.query(on: server.app.db).count() == 1)
        }
    }

    @Test("talks logged on /support count per key student in a perKeyStudent rule; a talk for a student not paired stays refused")
    func keyStudentTalksFromSupportLogs() async throws {
        try await TestServer.with { server in
            try await SupportTests.prepare(server)
            let secretary = server.browser()
            try await secretary.login("secretary")
            #expect(try await secretary.post("/support/assign", form: ["studentNumber": "2023010101", "staffNumber": "T001"]).status == .seeOther)
            let cadre = server.browser()
            try await cadre.login("cadre")
            let today = LocalDate(server.app.now)
            for kind in ["talk", "visit"] {
                #expect(try await cadre.post("/support/log", form: ["studentNumber": "2023010101", "date": today.iso, "kind": kind, "note": ""]).status == .seeOther)
            }
            // 周杰 (2023010102) is not T001's key student: refused on the field, nothing stored
            let refused = try await cadre.post("/support/log", form: ["studentNumber": "2023010102", "date": today.iso, "kind": "talk", "note": ""])
            #expect(refused.status == .unprocessableEntity)
            #expect(try await SupportLogModel.query(on: server.app.db).count() == 2)
            let policy = """
                id: key-talks
                title: 重点学生谈心
                roles:
                  cadre: { rankAtLeast: deputy-director }
                rules:
                  - id: talks
                    who: cadre
                    count: { kinds: [heart-to-heart], atLeast: 2, per: academic-year, perKeyStudent: true }
                """
            let uploaded = try await server.api(.POST, "/api/v1/policies", as: "office", json: ["text": policy, "effectiveFrom": "2020-09-01"])
            #expect(uploaded.status == .created, "\(uploaded.body)")
            let cells = try await server.api(.GET, "/api/v1/compliance/cells?asOf=\(today.iso)", as: "office").decode(ComplianceCellsDTO.self).cells
            // T001 × 陈晨 this year: the talk counts (1 of 2), the visit is another kind
            let mine = cells.filter { $0.ruleID == "talks" && $0.subject.id == "T001" && $0.period.start <= today && today <= $0.period.end }
            #expect(mine.count == 1 && mine.first?.keyStudent == "2023010101", "\(mine)")
            #expect(mine.first?.achieved == 1 && mine.first?.excluded.map(\.reason) == [.wrongKind])
            // no key student, no cell: T002 and T003 are cadres without one
            #expect(!cells.contains { $0.ruleID == "talks" && $0.subject.id != "T001" })
        }
    }
}
