import Fluent
import Foundation
import Testing
import Vapor
import YixianCore
@testable import YixianServer

/// Every `Components.table` downloads as .xlsx and .csv from its page's own address: the file's
/// rows are compared with the rows of the HTML table, read out of the page here independently.
@Suite("Table export")
struct TableExportTests {
    /// A table as the page shows it, read from the HTML with regular expressions (not with the
    /// server's own cell reader): the tables that carry export links, by their `table=` number.
    static func tables(in html: String) -> [Int: [[String]]] {
        var found: [Int: [[String]]] = [:]
        for match in html.matches(of: /<div class="table-export no-print">(.*?)<\/div>\s*<div class="table-wrap">\s*<table[^>]*>(.*?)<\/table>/.dotMatchesNewlines()) {
            guard let number = String(match.1).firstMatch(of: /table=(\d+)/).flatMap({ Int($0.1) }) else { continue }
            let body = String(match.2)
            let header = body.matches(of: /<th>(.*?)<\/th>/.dotMatchesNewlines()).map { text(String($0.1)) }
            let rows = String(body.firstMatch(of: /<tbody>(.*)<\/tbody>/.dotMatchesNewlines())?.1 ?? "")
                .matches(of: /<tr>(.*?)<\/tr>/.dotMatchesNewlines())
                .map { row in String(row.1).matches(of: /<td[^>]*>(.*?)<\/td>/.dotMatchesNewlines()).map { text(String($0.1)) } }
            found[number] = [header] + rows
        }
        return found
    }

    /// What a reader sees of a cell: forms and buttons out, one line per block, spaces as a browser runs them.
    static func text(_ html: String) -> String {
        var s = html.replacing(/<(form|select|button)\b.*?<\/\1>/.dotMatchesNewlines(), with: "")
        s = s.replacing(/<\/?(br|p|div|li|ul)\b[^>]*>/, with: "\n").replacing(/<[^>]+>/, with: "")
        s = s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
        return s.split(separator: "\n").map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }.filter { !$0.isEmpty }.joined(separator: "\n")
    }

    static func padded(_ records: [[String]], to width: Int) -> [[String]] {
        records.map { $0.count < width ? $0 + Array(repeating: "", count: width - $0.count) : $0 }
    }

    /// Opens `path`, and for every table on it downloads both files and compares them with the page.
    /// Returns the tables, so that a caller can look at what was in them.
    @discardableResult
    static func exportsMatch(_ browser: Browser, _ path: String) async throws -> [Int: [[String]]] {
        let page = try await browser.get(path)
        #expect(page.status == .ok, "\(path)")
        let shown = tables(in: page.body)
        #expect(!shown.isEmpty, "\(path) shows a table with export links")
        let separator = path.contains("?") ? "&" : "?"
        for (number, records) in shown {
            let width = records[0].count
            let csv = try await browser.get(path + separator + "export=csv&table=\(number)")
            #expect(csv.status == .ok, "\(path) table \(number): \(csv.body.prefix(300))")
            #expect(csv.headers.first(name: .contentType)?.hasPrefix("text/csv") == true)
            #expect(csv.headers.first(name: .contentDisposition)?.contains("filename*=UTF-8''") == true)
            let csvRecords = CSV.parse(String(decoding: csv.data, as: UTF8.self).replacingOccurrences(of: "\u{FEFF}", with: ""))
                .filter { !$0.allSatisfy(\.isEmpty) }.map { $0.map(CSV.restoreNeutralized) }
            #expect(padded(csvRecords, to: width) == records, "\(path) table \(number) as .csv")

            let xlsx = try await browser.get(path + separator + "export=xlsx&table=\(number)")
            #expect(xlsx.status == .ok, "\(path) table \(number): \(xlsx.body.prefix(300))")
            let xlsxRecords = try XLSXReader.readRecords(from: xlsx.data)
            #expect(padded(xlsxRecords, to: width) == records, "\(path) table \(number) as .xlsx")
        }
        return shown
    }

    /// A policy, a filing per college, an overlap flag, a case (the office's notification).
    static func prepare(_ server: TestServer) async throws {
        try await ComplianceTests.prepare(server)
        #expect(try await server.api(.POST, "/api/v1/policies", as: "office", json: ["text": FilingTests.policy, "effectiveFrom": "2025-09-01"]).status == .created)
        for unit in ["CS", "ME"] {
            #expect(try await server.api(.POST, "/api/v1/filings", as: "office",
                                         json: ["unitCode": unit, "kind": "arrangement-plan", "termCode": "2025-2026-1", "submittedOn": "2025-09-10"]).status == .created)
        }
        let start = Date().addingTimeInterval(-86_400)
        for place in ["梅园3舍", "<梅园5舍> & 食堂"] {
            #expect(try await server.api(.POST, "/api/v1/contacts", as: "cadre", json: LedgerTests.body(
                start: start, end: start.addingTimeInterval(3600), extra: ["place": place])).status == .created)
        }
        #expect(try await server.api(.POST, "/api/v1/cases", as: "student", json: ["text": "图书馆空调太冷 =1+1"]).status == .created)
    }

    @Test("the tables of real pages download with exactly the rows the page shows")
    func pages() async throws {
        try await TestServer.with { server in
            try await Self.prepare(server)
            let office = server.browser()
            try await office.login("office")
            let compliance = try await Self.exportsMatch(office, "/compliance?asOf=2025-12-01")
            #expect(compliance.values.contains { $0.contains { $0.first == "计算机学院" } })
            let filings = try await Self.exportsMatch(office, "/filings")
            #expect(filings.values.contains { $0.count == 3 }, "a header and the two filings")
            let notifications = try await Self.exportsMatch(office, "/notifications")
            #expect(notifications.values.contains { $0.contains { $0.contains { $0.contains("新诉求") || $0.contains("诉求") } } })
            try await Self.exportsMatch(office, "/calendar")
            try await Self.exportsMatch(office, "/pairings/coverage")

            let assessor = server.browser()
            try await assessor.login("assessor")
            // The filter stays on the link and in the file; the verdict form in the cell is not data.
            let integrity = try await assessor.get("/integrity?kind=overlap")
            #expect(integrity.body.contains("/integrity?kind=overlap&amp;export=xlsx&amp;table=0"))
            let flags = try await Self.exportsMatch(assessor, "/integrity?kind=overlap")
            #expect(flags[0]?.count == 2 && flags[0]?[1].last?.hasPrefix("记录 1 记录 2") == true, "\(String(describing: flags[0]))")

            let admin = server.browser()
            try await admin.login("admin")
            let users = try await Self.exportsMatch(admin, "/admin/users")
            #expect(users.values.contains { $0.contains { $0.first == "secretary" } })
            #expect(!(users.values.flatMap { $0 }.flatMap { $0 }.contains { $0.contains("停用") && $0.contains("解锁") }), "buttons are not exported")
        }
    }

    @Test("a secretary's export holds their unit's rows only, as their page does; the download is audited like the page")
    func scope() async throws {
        try await TestServer.with { server in
            try await Self.prepare(server)
            let secretary = server.browser()
            try await secretary.login("secretary")
            try await Self.exportsMatch(secretary, "/units")
            let cadres = try await Self.exportsMatch(secretary, "/cadres")
            let names = cadres.values.flatMap { $0.dropFirst() }.flatMap { $0 }
            #expect(names.contains("张伟") && !names.contains("李娜") && !names.contains("王强"))
            let filings = try await Self.exportsMatch(secretary, "/filings")
            #expect(filings.values.allSatisfy { $0.dropFirst().allSatisfy { !$0.contains("机械工程学院") } }, "\(filings)")
            #expect(filings.values.contains { $0.dropFirst().contains { $0.contains("计算机学院") } })

            let before = try await AuditEventModel.query(on: server.app.db).filter(\.$action == "personal.bulk-read").count()
            let students = try await secretary.get("/students?export=csv&table=0")
            #expect(students.status == .ok)
            let text = String(decoding: students.data, as: UTF8.self)
            #expect(text.contains("陈晨") && !text.contains("刘洋"))
            #expect(try await AuditEventModel.query(on: server.app.db).filter(\.$action == "personal.bulk-read").count() == before + 1,
                    "the student list's download is a bulk read, audited as the page is")

            // Another unit's page stays refused, file or not.
            let other = try await secretary.get("/compliance/units/ME?export=csv&table=0")
            #expect(other.status == .forbidden || other.status == .notFound, "\(other.status)")
        }
    }

    @Test("an unknown format or a table the page does not have is refused with 422 and the field; nothing runs for a bad format")
    func badInput() async throws {
        try await TestServer.with { server in
            try await Self.prepare(server)
            let secretary = server.browser()
            try await secretary.login("secretary")
            let audits = { try await AuditEventModel.query(on: server.app.db).count() }
            let before = try await audits()
            for (query, reason) in [("export=pdf&table=0", "导出格式只能是 xlsx 或 csv"), ("export=&table=0", "导出格式只能是 xlsx 或 csv"),
                                    ("table=0", "导出格式只能是 xlsx 或 csv"), ("export=csv", "table 应为页面上表格的序号"),
                                    ("export=csv&table=-1", "table 应为页面上表格的序号"), ("export=xlsx&table=abc", "table 应为页面上表格的序号")] {
                let reply = try await secretary.get("/students?" + query)
                #expect(reply.status == .unprocessableEntity, "\(query)")
                #expect(reply.headers.contentType == .html && reply.body.contains(reason), "\(query)")
            }
            #expect(try await audits() == before, "a refused export reads nothing: no bulk-read audited")

            let missing = try await secretary.get("/students?export=csv&table=7")
            #expect(missing.status == .unprocessableEntity && missing.body.contains("此页没有第 8 个可导出的表格"))
            #expect(missing.headers.first(name: .contentDisposition) == nil)
            let api = try await server.api(.GET, "/api/v1/students?export=csv&table=0", as: "secretary")
            #expect(api.status == .unprocessableEntity && api.errorField == "table", "the API answers JSON, which has no tables")
            let english = server.browser()
            try await english.login("secretary")
            _ = try await english.get("/language?to=en&back=/")
            #expect(try await english.get("/students?export=doc&table=0").body.contains("export must be xlsx or csv"))
        }
    }

    @Test("a table built but left out of the page cannot be downloaded; a cell's text is what the browser shows")
    func drawnOnly() throws {
        func page(_ wanted: Int) -> TableExport.Tables {
            let tables = TableExport.Tables(wanted: .init(format: "csv", index: wanted))
            var ctx = PageSnapshotTests.context("/x?q=1")
            ctx.tables = tables
            _ = Layout.page(ctx, title: "页", content: .group(
                Components.table(ctx, headers: ["甲"], rows: [[Components.cell("shown")]], empty: .empty),
                .if(false, Components.table(ctx, headers: ["乙"], rows: [[Components.cell("hidden")]], empty: .empty))))
            return tables
        }
        #expect(page(0).result()?.rows == [["shown"]])
        #expect(page(1).result() == nil, "table 1 was built but never drawn")
        #expect(page(2).result() == nil)

        #expect(TableExport.text(ofCell: "<td>a &lt;b&gt; &amp;&#39;c&#x4E00;  d</td>") == "a <b> &'c一 d")
        #expect(TableExport.text(ofCell: "<td><a href=\"/x\">记录 1 </a><a>记录 2 </a><p class=\"muted\">已驳回</p><form method=\"post\"><input name=\"x\" value=\"&gt;\"><button>确认</button></form></td>")
                == "记录 1 记录 2\n已驳回")
        #expect(TableExport.text(ofCell: "<td><ul class=\"plain\"><li><a>甲.pdf</a></li><li><a>乙.pdf</a></li></ul></td>") == "甲.pdf\n乙.pdf")
        #expect(TableExport.link("/integrity?kind=overlap&export=csv&table=3", format: "xlsx", index: 1) == "/integrity?kind=overlap&export=xlsx&table=1")
        #expect(TableExport.link("/units", format: "csv", index: 0) == "/units?export=csv&table=0")
        #expect(TableExport.fileName("落实情况 / 计算机学院") == "落实情况 - 计算机学院")
    }
}
