import Fluent
import Foundation
import Testing
import Vapor
import YixianCore
@testable import YixianServer

@Suite("Policy versions and compliance over HTTP")
struct ComplianceTests {
    static func policy(atLeast: Int, id: String = "test-2025") -> String {
        """
        id: \(id)
        title: 测试规定
        roles:
          middle:
            label: 处级干部
            rankAtLeast: deputy-director
        rules:
          - id: lecture-per-term
            title: 每学期讲思政课
            who: middle
            count:
              kinds: [ideological-lecture]
              atLeast: \(atLeast)
              per: term
            source: "每学期至少讲 \(atLeast) 堂课"
        """
    }

    /// A 2025–2026 year with two terms, and one lecture by T001 in the first term.
    static func prepare(_ server: TestServer) async throws {
        let year = AcademicYear(id: "2025-2026", name: "2025—2026学年", range: DateRange(start: LocalDate("2025-08-25")!, end: LocalDate("2026-08-23")!), terms: [
            Term(id: "2025-2026-1", name: "第一学期", range: DateRange(start: LocalDate("2025-09-01")!, end: LocalDate("2026-01-18")!)),
            Term(id: "2025-2026-2", name: "第二学期", range: DateRange(start: LocalDate("2026-03-02")!, end: LocalDate("2026-07-12")!)),
        ])
        try await server.app.db.write { db in try await CalendarAPI.save([year], on: db) }
        try await record(server, staff: "T001", kind: "ideological-lecture", on: "2025-10-15", hour: 10, minutes: 90, place: "逸夫楼 201",
                         participants: 30, summary: "形势与政策", code: "TESTCODE")
    }

    /// A ledger line stored as submitted, straight into the database (no form, no flags).
    static func record(_ server: TestServer, staff: String, kind: String, on day: String, hour: Int, minutes: Int, place: String,
                       participants: Int, summary: String, code: String, submitted: Bool = false) async throws {
        let line = ContactRecordModel()
        line.$cadre.id = try await server.cadre(staff).id!
        line.kind = kind
        line.startAt = LocalDate(day)!.startInstant().addingTimeInterval(Double(hour) * 3600)
        line.endAt = line.startAt.addingTimeInterval(Double(minutes) * 60)
        line.place = place
        line.collectiveCodes = "CS2301"
        line.participantCount = participants
        line.hours = Double(minutes) / 60
        line.confirmedCount = 0
        line.status = "submitted"
        line.submittedAt = submitted ? line.endAt : nil
        line.summary = summary
        line.createdAt = submitted ? line.endAt : Date()
        line.version = 1
        line.confirmCode = code
        try await line.create(on: server.app.db)
    }

    @Test("a bad policy is refused with line and column, and nothing is stored")
    func badUpload() async throws {
        try await TestServer.with { server in
            let bad = Self.policy(atLeast: 1).replacingOccurrences(of: "who: middle", with: "who: nobody")
            let reply = try await server.api(.POST, "/api/v1/policies", as: "office", json: ["text": bad, "effectiveFrom": "2025-09-01"])
            #expect(reply.status == .unprocessableEntity)
            #expect(reply.body.contains("第 10 行第 10 列"), "\(reply.body)")
            #expect(try await server.api(.POST, "/api/v1/policies", as: "office", json: ["text": Self.policy(atLeast: 1), "effectiveFrom": "2025-02-30"]).errorField == "effectiveFrom")
            #expect(try await server.api(.POST, "/api/v1/policies", as: "secretary", json: ["text": Self.policy(atLeast: 1), "effectiveFrom": "2025-09-01"]).status == .forbidden)
            #expect(try await PolicyVersionModel.query(on: server.app.db).count() == 0)
        }
    }

    @Test("each period is judged by the version in force when it ended")
    func versioning() async throws {
        try await TestServer.with { server in
            try await Self.prepare(server)
            #expect(try await server.api(.POST, "/api/v1/policies", as: "office", json: ["text": Self.policy(atLeast: 1), "effectiveFrom": "2025-09-01"]).status == .created)
            #expect(try await server.api(.POST, "/api/v1/policies", as: "office", json: ["text": Self.policy(atLeast: 2), "effectiveFrom": "2026-02-01"]).status == .created)
            let reply = try await server.api(.GET, "/api/v1/compliance/cells?asOf=2026-04-01&subject=T001", as: "office")
            #expect(reply.status == .ok, "\(reply.body)")
            let cells = try reply.decode(ComplianceCellsDTO.self).cells
            let first = try #require(cells.first { $0.period.id == "2025-2026-1" })
            let second = try #require(cells.first { $0.period.id == "2025-2026-2" })
            #expect(first.required == 1, "the autumn term ended under version 1")
            #expect(first.status == .met)
            #expect(first.counted.count == 1)
            #expect(second.required == 2, "the spring term runs under version 2")
            #expect(second.status != .met)
        }
    }

    @Test("scopes: a cadre sees their own cells, a secretary their unit, a student nothing")
    func scopes() async throws {
        try await TestServer.with { server in
            try await Self.prepare(server)
            _ = try await server.api(.POST, "/api/v1/policies", as: "office", json: ["text": Self.policy(atLeast: 1), "effectiveFrom": "2025-09-01"])
            let mine = try await server.api(.GET, "/api/v1/compliance/cells?asOf=2025-12-01", as: "cadre").decode(ComplianceCellsDTO.self).cells
            #expect(!mine.isEmpty)
            #expect(Set(mine.map(\.subject.id)) == ["T001"])
            let unit = try await server.api(.GET, "/api/v1/compliance/cells?asOf=2025-12-01", as: "secretary").decode(ComplianceCellsDTO.self).cells
            #expect(Set(unit.map(\.subject.unitCode)) == ["CS"])
            let all = try await server.api(.GET, "/api/v1/compliance/cells?asOf=2025-12-01", as: "office").decode(ComplianceCellsDTO.self).cells
            #expect(Set(all.map(\.subject.id)).isSuperset(of: ["T001", "T002", "T003"]))
            #expect(try await server.api(.GET, "/api/v1/compliance/cells", as: "student").status == .forbidden)
            #expect(try await server.api(.GET, "/api/v1/compliance/cells?asOf=2025-13-01", as: "office").errorField == "asOf")
            // Pages: together they are the whole answer, in the same order, each at most `per` long.
            let whole = try await server.api(.GET, "/api/v1/compliance/cells?asOf=2025-12-01&per=500", as: "office").decode(ComplianceCellsDTO.self)
            #expect(whole.total == whole.cells.count && whole.total > 2)
            var paged: [ComplianceCell] = []
            for page in 1...((whole.total + 1) / 2) {
                let part = try await server.api(.GET, "/api/v1/compliance/cells?asOf=2025-12-01&per=2&page=\(page)", as: "office").decode(ComplianceCellsDTO.self)
                #expect(part.cells.count <= 2 && part.total == whole.total && part.page == page)
                paged += part.cells
            }
            #expect(paged == whole.cells)
            #expect(try await server.api(.GET, "/api/v1/compliance/cells?per=501", as: "office").errorField == "per")
            #expect(try await server.api(.GET, "/api/v1/compliance/cells?page=0", as: "office").errorField == "page")
        }
    }

    @Test("pages: 我的进度, the school table, and the records behind a cell")
    func pages() async throws {
        try await TestServer.with { server in
            try await Self.prepare(server)
            _ = try await server.api(.POST, "/api/v1/policies", as: "office", json: ["text": Self.policy(atLeast: 1), "effectiveFrom": "2025-09-01"])
            let cadre = server.browser()
            try await cadre.login("cadre")
            let progress = try await cadre.get("/progress?asOf=2025-12-01")
            #expect(progress.status == .ok)
            #expect(progress.body.contains("我的进度"))
            #expect(progress.body.contains("每学期讲思政课"))
            let cell = try await cadre.get("/compliance/cell?subject=T001&rule=lecture-per-term&period=2025-2026-1&asOf=2025-12-01")
            #expect(cell.status == .ok)
            #expect(cell.body.contains("逸夫楼 201"), "the lecture that counted is listed")
            #expect(cell.body.contains("每学期至少讲 1 堂课"), "the clause is quoted")
            let lecture = try #require(try await ContactRecordModel.query(on: server.app.db).filter(\.$confirmCode == "TESTCODE").first())
            #expect(cell.body.contains("href=\"/ledger/\(lecture.id!.uuidString)\""), "each counted line opens its record")
            #expect(cell.body.contains("href=\"/ledger?cadre=\(try await server.cadre("T001").id!.uuidString)\""), "the subject opens their ledger")
            #expect(try await cadre.get("/ledger/\(lecture.id!.uuidString)").status == .ok)
            #expect(try await cadre.get("/compliance/cell?subject=T002&rule=lecture-per-term&period=2025-2026-1&asOf=2025-12-01").status == .forbidden)

            let office = server.browser()
            try await office.login("office")
            let school = try await office.get("/compliance?asOf=2025-12-01")
            #expect(school.body.contains("计算机学院"))
            #expect(school.body.contains(#"name="asOf" value="2025-12-01""#), "the day shown can be changed on the page")
            #expect(school.body.contains("回到今天"))
            let secretary = server.browser()
            try await secretary.login("secretary")
            #expect(try await secretary.get("/compliance").status == .seeOther)
            #expect(try await secretary.get("/compliance/units/ME").status == .notFound)
            #expect(try await secretary.get("/compliance/units/CS?asOf=2025-12-01").body.contains("张伟"))
        }
    }

    @Test("a compliance page's matrix is drawn once per evaluation: the same view is the same page, a new record shows at once, an export still has its table")
    func fragmentCache() async throws {
        try await TestServer.with { server in
            try await Self.prepare(server)
            _ = try await server.api(.POST, "/api/v1/policies", as: "office", json: ["text": Self.policy(atLeast: 1), "effectiveFrom": "2025-09-01"])
            let office = server.browser()
            try await office.login("office")
            let path = "/compliance/units/CS?asOf=2025-12-01"
            let first = try await office.get(path)
            #expect(first.status == .ok)
            #expect(first.body.contains("1 / 1"), "张伟's one lecture counts")
            let cached = server.app.fragmentCache.count
            #expect(cached >= 1)
            let again = try await office.get(path)
            #expect(again.body == first.body, "drawn from the cache, the page is the same")
            #expect(server.app.fragmentCache.count == cached)
            // English is its own entry, not the Chinese matrix.
            let english = try await office.get(path + "&lang=en")
            #expect(english.status == .ok)
            #expect(english.body.contains(">Cadre<") && !english.body.contains(">干部<"), "the English matrix is drawn in English")

            try await Self.record(server, staff: "T001", kind: "ideological-lecture", on: "2025-11-05", hour: 14, minutes: 90, place: "逸夫楼 305",
                                  participants: 25, summary: "第二讲", code: "SECOND01")
            let after = try await office.get(path)
            #expect(after.body.contains("2 / 1"), "the second lecture shows on the next view")
            #expect(!after.body.contains(">1 / 1"), "not the matrix of the earlier evaluation")

            let export = try await office.get(path + "&export=csv&table=0")
            #expect(export.status == .ok)
            #expect(export.body.contains("张伟"), "the exported table is the page's")
            #expect(export.body.contains("2 / 1"))
        }
    }

    @Test("home pages: a cadre sees today's links and their own overdue items; a secretary the unit's tally")
    func homePages() async throws {
        try await TestServer.with { server in
            try await Self.prepare(server)
            _ = try await server.api(.POST, "/api/v1/policies", as: "office", json: ["text": Self.policy(atLeast: 1), "effectiveFrom": "2025-09-01"])
            let cadre = try await server.cadre("T001")
            let collective = try #require(try await CollectiveModel.query(on: server.app.db).filter(\.$code == "CS2301").first())
            let today = LocalDate(Date())
            for (year, range, kind) in [("2019-2020", DateRange(start: LocalDate("2019-08-26")!, end: LocalDate("2020-08-23")!), Pairing.Kind.linked),
                                        ("current", DateRange(start: today.adding(days: -30), end: today.adding(days: 300)), Pairing.Kind.honoraryClassHead)] {
                let p = PairingModel()
                p.$cadre.id = cadre.id!
                p.kind = kind.rawValue
                p.$collective.id = collective.id!
                p.academicYear = year
                p.startDate = range.start.iso
                p.endDate = range.end.iso
                try await p.create(on: server.app.db)
            }

            let browser = server.browser()
            try await browser.login("cadre")
            let home = try await browser.get("/")
            #expect(home.status == .ok)
            #expect(home.body.contains("名誉班主任：计算机2301班"), "today's link is listed with its kind")
            #expect(!home.body.contains("联系：计算机2301班"), "a link of an earlier year is history, not today's")
            // Both terms of 2025–2026 have ended: the first has the lecture, the second none.
            #expect(home.body.contains(#"<div class="num">1</div><div class="label"><a href="/progress">已逾期</a>"#))
            #expect(home.body.contains(#"<div class="num">1</div><div class="label"><a href="/progress">已完成</a>"#))
            #expect(home.body.contains("/ledger/new"))

            let unitCells = try await server.api(.GET, "/api/v1/compliance/cells", as: "secretary").decode(ComplianceCellsDTO.self).cells
            let missed = unitCells.count { $0.status == .missed && $0.subject.kind != .school }
            #expect(missed > 0)
            let secretary = server.browser()
            try await secretary.login("secretary")
            let unitHome = try await secretary.get("/")
            #expect(unitHome.body.contains("本学期落实情况"))
            #expect(unitHome.body.contains(#"<div class="num">\#(missed)</div><div class="label"><a href="/compliance/units/CS">未完成</a>"#))
            let student = server.browser()
            try await student.login("student")
            #expect(!(try await student.get("/")).body.contains("落实情况"), "a student sees no compliance figures")
        }
    }

    @Test("a student's confirmation reaches the compliance figures at once")
    func confirmationRefreshesTheEvaluation() async throws {
        // The day after the lecture (2025-10-15), inside the window in which students may confirm it.
        try await TestServer.with(adjust: { $0.clock = .fixed(LocalDate("2025-10-16")!.startInstant().addingTimeInterval(9 * 3600)) }) { server in
            try await Self.prepare(server)
            let confirmed = Self.policy(atLeast: 1).replacingOccurrences(of: "      per: term\n", with: "      per: term\n      confirmedOnly: true\n")
            #expect(try await server.api(.POST, "/api/v1/policies", as: "office", json: ["text": confirmed, "effectiveFrom": "2025-09-01"]).status == .created)
            let lecture = try #require(try await ContactRecordModel.query(on: server.app.db).filter(\.$confirmCode == "TESTCODE").first())
            lecture.submittedAt = lecture.createdAt
            lecture.confirmCode = "WXYZ2345"
            try await lecture.save(on: server.app.db)
            func achieved() async throws -> Double? {
                try await server.api(.GET, "/api/v1/compliance/cells?asOf=2025-12-01", as: "office").decode(ComplianceCellsDTO.self).cells
                    .first { $0.subject.id == "T001" && $0.period.id == "2025-2026-1" }?.achieved
            }

            #expect(try await achieved() == 0, "an unconfirmed lecture does not count")
            #expect(try await server.api(.POST, "/api/v1/confirmations", as: "student", json: ["code": "WXYZ2345"]).status == .ok)
            #expect(try await achieved() == 1, "the cached evaluation must see the confirmation")
        }
    }

    @Test("a unit's filing cell lists the filing: kind, period and date")
    func filingCellListsTheFiling() async throws {
        try await TestServer.with { server in
            try await Self.prepare(server)
            #expect(try await server.api(.POST, "/api/v1/policies", as: "office", json: ["text": FilingTests.policy, "effectiveFrom": "2025-09-01"]).status == .created)
            let unit = try #require(try await UnitModel.query(on: server.app.db).filter(\.$code == "CS").first())
            let filing = FilingModel()
            filing.$unit.id = unit.id!
            filing.termCode = "2025-2026-1"
            filing.kind = "arrangement-plan"
            filing.submittedOn = "2025-09-08"
            try await filing.create(on: server.app.db)

            let office = server.browser()
            try await office.login("office")
            let page = try await office.get("/compliance/cell?subject=CS&rule=plan&period=2025-2026-1&asOf=2025-12-01")
            #expect(page.status == .ok)
            #expect(page.body.contains("工作安排"))
            #expect(page.body.contains("2025-09-08"))
            #expect(!page.body.contains("没有计入的记录"), "a filing rule is not judged by ledger lines")
        }
    }

    @Test("我的进度 shows an every-week rule's running week under 本周 and how many weeks have passed")
    func weeklyRuleOnProgress() async throws {
        try await TestServer.with { server in
            try await Self.prepare(server)
            let policy = """
                id: weekly-test
                title: 每周测试
                roles:
                  middle: { rankAtLeast: deputy-director }
                rules:
                  - id: weekly-lecture
                    title: 每周讲课
                    who: middle
                    every: { kinds: [ideological-lecture], atLeast: 1, per: week }
                """
            #expect(try await server.api(.POST, "/api/v1/policies", as: "office", json: ["text": policy, "effectiveFrom": "2025-09-01"]).status == .created)
            let cadre = server.browser()
            try await cadre.login("cadre")
            // Wednesday of the term's 7th week; the lecture on 15 October met that week.
            let page = try await cadre.get("/progress?asOf=2025-10-15")
            #expect(page.status == .ok)
            #expect(!page.body.contains("本周没有按周统计的要求"))
            let thisWeek = try #require(page.body.range(of: "<h2>本周</h2>").map { String(page.body[$0.upperBound...]) })
            #expect(thisWeek.prefix(1500).contains("每周讲课"), "the running week is listed under 本周")
            #expect(page.body.contains("（已过 6 周）"), "six weeks are behind on a Wednesday of week 7")
        }
    }
}
