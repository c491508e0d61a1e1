import Fluent
import Foundation
import Testing
import Vapor
import YixianCore
@testable import YixianServer

/// A university enters its own calendar: checked first, written only when clean, exported in the
/// same columns, and a change to a term that has begun says it will be judged again.
@Suite("Calendar administration")
struct CalendarAdminTests {
    static func csv(_ rows: [[String]]) -> Data { CSV.write(rows) }

    static let nextYear: [[String]] = [
        CalendarSheet.header,
        ["学年", "2026-2027", "2026—2027学年", "2026-08-24", "2027-08-22", "", ""],
        ["学期", "2026-2027-1", "第一学期", "2026-08-31", "2027-01-17", "2026-2027", ""],
        ["学期", "2026-2027-2", "第二学期", "2027-02-22", "2027-07-11", "2026-2027", ""],
        ["考试周", "", "期末考试周", "2027-01-04", "2027-01-17", "2026-2027-1", "是"],
        ["假期", "", "国庆节", "2026-10-01", "2026-10-07", "2026-2027-1", ""],
    ]

    @Test("dry run writes nothing; commit writes the year; the export imports back unchanged")
    func importAndExport() async throws {
        try await TestServer.with { server in
            let dry = try await server.api(.POST, "/api/v1/calendar/import", as: "office", raw: Self.csv(Self.nextYear))
            #expect(dry.status == .ok, "\(dry.body)")
            #expect(try dry.decode(CalendarAdmin.Report.self).committed == false)
            #expect(try await CalendarAPI.load(on: server.app.db).isEmpty)

            let commit = try await server.api(.POST, "/api/v1/calendar/import?mode=commit", as: "office", raw: Self.csv(Self.nextYear))
            #expect(try commit.decode(CalendarAdmin.Report.self).committed)
            let years = try await CalendarAPI.load(on: server.app.db)
            #expect(years.map(\.id) == ["2026-2027"] && years[0].terms.count == 2 && years[0].terms[0].specialWeeks.count == 1)

            let exported = try await server.api(.GET, "/api/v1/calendar/export?format=xlsx", as: "student")
            #expect(exported.status == .ok)
            let again = try await server.api(.POST, "/api/v1/calendar/import?mode=commit", as: "office", raw: exported.data)
            #expect(again.status == .ok, "\(again.body)")
            #expect(try await CalendarAPI.load(on: server.app.db) == years)
            #expect(try await AuditEventModel.query(on: server.app.db).filter(\.$action == "calendar.import").count() == 2)
        }
    }

    @Test("bad rows are listed with row, column and reason and nothing is written; only the office imports")
    func refusals() async throws {
        try await TestServer.with { server in
            var bad = Self.nextYear
            bad[3][3] = "2027-01-10"    // the spring term starts inside the autumn term
            bad[5][4] = "2026-13-01"    // no such date
            let reply = try await server.api(.POST, "/api/v1/calendar/import?mode=commit", as: "office", raw: Self.csv(bad))
            #expect(reply.status == .unprocessableEntity && reply.errorCode == "import_has_errors")
            #expect(reply.body.contains("第 4 行") && reply.body.contains("第 6 行"), "\(reply.body)")
            #expect(try await CalendarAPI.load(on: server.app.db).isEmpty)
            for role in ["secretary", "cadre", "student", "admin"] {
                #expect(try await server.api(.POST, "/api/v1/calendar/import", as: role, raw: Self.csv(Self.nextYear)).status == .forbidden, "\(role)")
            }
            #expect(try await server.api(.POST, "/api/v1/calendar/import", as: "office", raw: Data("not a sheet".utf8)).status == .ok,
                    "a dry run of junk is a report of errors, not a crash")
            let junk = try await server.api(.POST, "/api/v1/calendar/import?mode=commit", as: "office", raw: Data([0x50, 0x4B, 0x03, 0x04, 0, 0]))
            #expect(junk.status == .unprocessableEntity)
        }
    }

    @Test("a year that overlaps a stored one is refused; changing a term that has begun warns it will be judged again")
    func againstStored() async throws {
        // The day is 2026-11-20: the autumn term has begun.
        let day = LocalDate("2026-11-20")!.startInstant().addingTimeInterval(10 * 3600)
        try await TestServer.with(adjust: { $0.clock = .fixed(day) }) { server in
            #expect(try await server.api(.POST, "/api/v1/calendar/import?mode=commit", as: "office", raw: Self.csv(Self.nextYear)).status == .ok)
            let overlapping: [[String]] = [CalendarSheet.header, ["学年", "2027-2028", "2027—2028学年", "2027-08-01", "2028-08-20", "", ""]]
            let clash = try await server.api(.POST, "/api/v1/calendar/import?mode=commit", as: "office", raw: Self.csv(overlapping))
            #expect(clash.status == .unprocessableEntity && clash.body.contains("重叠"), "\(clash.body)")

            var moved = Self.nextYear
            moved[2][4] = "2027-01-24"
            moved[4][4] = "2027-01-24"
            let report = try await server.api(.POST, "/api/v1/calendar/import", as: "office", raw: Self.csv(moved)).decode(CalendarAdmin.Report.self)
            #expect(report.rejudged == ["第一学期"])
            // On the page, the office uploads the file and sees the same warning.
            let office = server.browser()
            try await office.login("office")
            let page = try await office.get("/calendar")
            #expect(page.body.contains("导入校历") && page.body.contains("/calendar/export?format=xlsx"))
            let student = server.browser()
            try await student.login("student")
            #expect(!(try await student.get("/calendar")).body.contains("导入校历"))
        }
    }

    @Test("the office replaces a year's PRC holidays when they are published: every bad line named, nothing stored; then deadlines and the workday API follow")
    func holidays() async throws {
        try await TestServer.with { server in
            let office = server.browser()
            try await office.login("office")
            func post(_ text: String) async throws -> TestServer.Reply {
                try await office.post("/calendar/holidays", form: ["text": text], tokenFrom: "/calendar")
            }
            let impossible = try await post("year 2027 国办发明电〔2026〕9号\n2027-01-01 holiday 元旦\n2027-02-30 holiday 春节\n2027-03-10 workday 调休\n")
            #expect(impossible.status == .unprocessableEntity)
            #expect(impossible.body.contains("第 3 行") && impossible.body.contains("第 4 行"), "the impossible date and a weekday make-up day, both named")
            #expect(impossible.body.contains("2027-02-30"), "what was pasted is kept")
            let noYear = try await post("2027-03-10 holiday 校庆\n")
            #expect(noYear.status == .unprocessableEntity && noYear.body.contains("year YYYY"))
            let outside = try await post("year 2027 国办发明电〔2026〕9号\n2028-01-01 holiday 元旦\n")
            #expect(outside.status == .unprocessableEntity && outside.body.contains("2028-01-01"))
            #expect(try await WorkdayUploadModel.query(on: server.app.db).count() == 0)
            func day(_ iso: String) async throws -> [String: Any] {
                let reply = try await server.api(.GET, "/api/v1/calendar/workdays?from=\(iso)&to=\(iso)", as: "cadre")
                return try #require((try JSONSerialization.jsonObject(with: reply.data) as? [[String: Any]])?.first)
            }
            // Built in, 2027 is projected: National Day is off, 2027-03-10 (a Wednesday) a workday.
            #expect(try await day("2027-10-01")["workday"] as? Bool == false)
            #expect(try await day("2027-03-10")["workday"] as? Bool == true)

            let saved = try await post("year 2027 国办发明电〔2026〕9号\n2027-01-01..2027-01-03 holiday 元旦\n2027-03-10 holiday 测试假日\n")
            #expect(saved.status == .seeOther)
            #expect(try await office.get(try #require(saved.headers.first(name: .location))).body.contains("已更新 2027 年的节假日安排"))
            #expect(try await day("2027-03-10")["workday"] as? Bool == false)
            #expect(try await day("2027-03-10")["holiday"] as? String == "测试假日")
            #expect(try await day("2027-10-01")["workday"] as? Bool == true, "the upload replaces the whole projected year")
            #expect(try await day("2026-10-01")["workday"] as? Bool == false, "other years keep the built-in data")
            // Case deadlines count on the same calendar.
            let judge = try await CasesAPI.Judge.load(on: server.app.db, today: LocalDate("2027-03-09")!)
            #expect(judge.workdays.addingWorkdays(1, to: LocalDate("2027-03-09")!) == LocalDate("2027-03-11"))
            let text = try await office.get("/calendar/holidays")
            #expect(text.body.contains("year 2027 国办发明电〔2026〕9号") && text.body.contains("2027-03-10 holiday 测试假日"))
            let audited = try await AuditEventModel.query(on: server.app.db).filter(\.$action == "calendar.workdays").count()
            #expect(audited == 1)
        }
    }
}
