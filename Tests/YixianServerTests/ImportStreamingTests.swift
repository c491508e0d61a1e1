import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import YixianCore
@testable import YixianServer

/// Students are written a chunk at a time while the rest of the sheet is checked; the answer and
/// what is stored must be those of checking everything first.
@Suite("Import: students written while the sheet is checked")
struct ImportStreamingTests {
    struct Stored: Decodable, Hashable { var student_number: String; var name: String; var collectives: String? }

    /// Every student with the codes of their collectives, in plain SQL both databases speak.
    static func stored(_ db: any Database) async throws -> [Stored] {
        struct Row: Decodable { var id: UUID; var student_number: String; var name: String }
        struct Membership: Decodable { var student_id: UUID; var code: String }
        let sql = db as! any SQLDatabase
        var codes: [UUID: [String]] = [:]
        for m in try await sql.raw("SELECT m.student_id, c.code FROM student_collectives m JOIN collectives c ON c.id = m.collective_id")
            .all(decoding: Membership.self) {
            codes[m.student_id, default: []].append(m.code)
        }
        return try await sql.raw("SELECT id, student_number, name FROM students ORDER BY student_number").all(decoding: Row.self).map {
            Stored(student_number: $0.student_number, name: $0.name, collectives: codes[$0.id].map { $0.sorted().joined(separator: "、") })
        }
    }

    /// A sheet of `count` students over several chunks; `broken` rows name an unknown unit.
    static func sheet(_ count: Int, broken: Set<Int> = [], duplicate: (Int, Int)? = nil, renamed: Bool = false) -> Data {
        var lines = ["学号,姓名,所属单位代码,所在集体代码"]
        for i in 0..<count {
            let number = duplicate.map { $0.1 == i ? 8_000_000 + $0.0 : 8_000_000 + i } ?? 8_000_000 + i
            let unit = broken.contains(i) ? "NOPE" : (i % 2 == 0 ? "CS" : "ME")
            let collectives = i % 3 == 0 ? "" : (i % 2 == 0 ? "CS2301" : "ME2301")
            lines.append("\(number),\(renamed ? "改" : "生")\(i),\(unit),\(collectives)")
        }
        return Data(lines.joined(separator: "\n").utf8)
    }

    static func importing(_ data: Data, mode: ImportMode, on db: any Database) async throws -> ImportReportDTO {
        try await ImportExport.run(.students, data: data, fileName: "s.csv", mode: mode, language: .zh, actor: .system, on: db)
    }

    @Test("7,000 rows over three chunks: the same report as a dry run, every valid row stored with its collectives, a re-import updates in place")
    func manyChunks() async throws {
        try await TestServer.with { server in
            let db = server.app.db
            let before = try await Self.stored(db)
            struct Count: Decodable { var n: Int }
            let withoutAccount = try await (db as! any SQLDatabase).raw(
                "SELECT COUNT(*) AS n FROM students s WHERE s.active = \(bind: true) AND NOT EXISTS (SELECT 1 FROM users u WHERE u.student_id = s.id)")
                .first(decoding: Count.self)?.n ?? -1
            let data = Self.sheet(7_000, broken: [10, 4_000, 6_999])
            let dry = try await Self.importing(data, mode: .dryRun, on: db)
            let done = try await Self.importing(data, mode: .commitValid, on: db)
            #expect(done.validRows == dry.validRows && done.validRows == 6_997)
            #expect(done.errors.map(\.message) == dry.errors.map(\.message))
            #expect(done.outcome?.created == 6_997)
            #expect(done.outcome?.accounts == 6_997 + withoutAccount)
            let after = try await Self.stored(db)
            let expected = (0..<7_000).filter { ![10, 4_000, 6_999].contains($0) }.map { i in
                Stored(student_number: "\(8_000_000 + i)", name: "生\(i)", collectives: i % 3 == 0 ? nil : (i % 2 == 0 ? "CS2301" : "ME2301"))
            }
            #expect(Set(after).subtracting(before) == Set(expected))
            #expect(after.count == before.count + expected.count)
            if db.isSQLite {
                // The bulk write ran with the checks off: nothing it wrote points nowhere.
                #expect(try await (db as! any SQLDatabase).raw("PRAGMA foreign_key_check").all().isEmpty)
            }
            // The same sheet with new names: every row updated, none created.
            let again = try await Self.importing(Self.sheet(7_000, broken: [10, 4_000, 6_999], renamed: true), mode: .commitValid, on: db)
            #expect(again.outcome?.updated == 6_997 && again.outcome?.created == 0)
            #expect(try await Self.stored(db).filter { $0.name.hasPrefix("改") }.count == 6_997)
        }
    }

    @Test("an all-or-nothing commit with an error in its last chunk stores nothing and counts every error")
    func errorInALaterChunkUndoesAll() async throws {
        try await TestServer.with { server in
            let db = server.app.db
            let before = try await Self.stored(db)
            let data = Self.sheet(6_000, broken: [5, 5_990])
            let dry = try await Self.importing(data, mode: .dryRun, on: db)
            #expect(dry.errors.count == 2)
            do {
                _ = try await Self.importing(data, mode: .commit, on: db)
                Issue.record("a sheet with errors was committed")
            } catch let error as AppError {
                #expect(error.status == .unprocessableEntity)
                #expect(error.message.zh.contains("2 处错误"), "\(error.message.zh)")
                #expect(error.message.en.hasPrefix("The file has 2 errors; nothing was imported. Fix them"), "\(error.message.en)")
            }
            #expect(try await Self.stored(db) == before)
        }
    }

    @Test("a student number on two rows in different chunks: neither is stored, the rest are, as a dry run says")
    func duplicateAcrossChunks() async throws {
        try await TestServer.with { server in
            let db = server.app.db
            let before = try await Self.stored(db)
            let data = Self.sheet(5_200, duplicate: (3, 5_100))
            let dry = try await Self.importing(data, mode: .dryRun, on: db)
            let done = try await Self.importing(data, mode: .commitValid, on: db)
            #expect(done.validRows == dry.validRows && done.validRows == 5_198)
            #expect(done.errors.map(\.message) == dry.errors.map(\.message))
            #expect(done.errors.map(\.code) == ["duplicate-key", "duplicate-key"])
            let added = Set(try await Self.stored(db)).subtracting(before)
            #expect(added.count == 5_198)
            #expect(!added.contains { $0.student_number == "8000003" })
        }
    }

    /// A one-sheet workbook of students whose rows are written in `order` (row numbers).
    static func workbook(rows count: Int, order: [Int]? = nil, base: Int) throws -> Data {
        let ns = #"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#
        let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        func cell(_ ref: String, _ text: String) -> String { #"<c r="\#(ref)" t="inlineStr"><is><t>\#(text)</t></is></c>"# }
        let header = #"<row r="1">\#(cell("A1", "学号"))\#(cell("B1", "姓名"))\#(cell("C1", "所属单位代码"))\#(cell("D1", "所在集体代码"))</row>"#
        let rows = (order ?? Array(2...count + 1)).map { r in
            #"<row r="\#(r)">\#(cell("A\(r)", "\(base + r)"))\#(cell("B\(r)", "表\(r)"))\#(cell("C\(r)", "CS"))\#(cell("D\(r)", r % 2 == 0 ? "CS2301" : ""))</row>"#
        }.joined()
        let parts: [(String, String)] = [
            ("_rels/.rels", #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="\#(rel)/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
            ("xl/workbook.xml", #"<workbook \#(ns)><sheets><sheet name="学生" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
            ("xl/_rels/workbook.xml.rels", #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="\#(rel)/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#),
            ("xl/worksheets/sheet1.xml", #"<worksheet \#(ns)><sheetData>\#(header)\#(rows)</sheetData></worksheet>"#),
        ]
        return try XLSXWriter.archive(parts.map { ($0.0, Data($0.1.utf8)) })
    }

    @Test("an .xlsx read, checked and written a chunk at a time; one whose rows turn out of order in its second chunk is done the plain way; both as a dry run says")
    func xlsxInChunks() async throws {
        try await TestServer.with { server in
            let db = server.app.db
            for (order, base) in [(nil, 7_000_000), (Array(2...2_900) + [2_902, 2_901] + Array(2_903...6_001), 7_100_000)] {
                let before = try await Self.stored(db)
                let data = try Self.workbook(rows: 6_000, order: order, base: base)
                let dry = try await ImportExport.run(.students, data: data, fileName: "s.xlsx", mode: .dryRun, language: .zh, actor: .system, on: db)
                let done = try await ImportExport.run(.students, data: data, fileName: "s.xlsx", mode: .commitValid, language: .zh, actor: .system, on: db)
                #expect(dry.validRows == 6_000 && done.validRows == 6_000 && done.errors.isEmpty && done.warnings.isEmpty)
                #expect(done.outcome?.created == 6_000)
                let added = Set(try await Self.stored(db)).subtracting(before)
                #expect(added == Set((2...6_001).map { r in
                    Stored(student_number: "\(base + r)", name: "表\(r)", collectives: r % 2 == 0 ? "CS2301" : nil)
                }))
            }
        }
    }

    @Test("a new student whose number is already someone's username gets no account, is reported, and the accounts made are audited once")
    func takenUsername() async throws {
        try await TestServer.with { server in
            let db = server.app.db
            struct Count: Decodable { var n: Int }
            let withoutAccount = try await (db as! any SQLDatabase).raw(
                "SELECT COUNT(*) AS n FROM students s WHERE s.active = \(bind: true) AND NOT EXISTS (SELECT 1 FROM users u WHERE u.student_id = s.id)")
                .first(decoding: Count.self)?.n ?? -1
            // One error alone reads as one.
            do {
                _ = try await Self.importing(Data("学号,姓名,所属单位代码,所在集体代码\n1,甲,NOPE,\n".utf8), mode: .commit, on: db)
                Issue.record("a sheet with an error was committed")
            } catch let error as AppError {
                #expect(error.message.en.hasPrefix("The file has 1 error; nothing was imported. Fix it "), "\(error.message.en)")
            }
            let data = Data("学号,姓名,所属单位代码,所在集体代码\noffice,重名,CS,\n9990001,新生,CS,CS2301\n".utf8)
            let done = try await Self.importing(data, mode: .commit, on: db)
            #expect(done.outcome?.created == 2)
            #expect(done.outcome?.accounts == 1 + withoutAccount)
            let office = try #require(try await UserModel.query(on: db).filter(\.$username == "office").first())
            #expect(office.$student.id == nil, "the office's account is not taken over")
            let fresh = try #require(try await UserModel.query(on: db).filter(\.$username == "9990001").first())
            #expect(fresh.role == Role.student.rawValue && fresh.passwordHash == RosterAccounts.noPassword && fresh.$student.id != nil)
            let events = try await AuditEventModel.query(on: db).filter(\.$action == "accounts.provision").all()
            #expect(events.count == 1)
            #expect(events.first?.detail == "cadres 0, students \(1 + withoutAccount), username taken 1")
        }
    }

    @Test("ids drawn band after band ascend across the bands, stay version 4 and do not repeat")
    func bandsAscend() {
        var batch = UUIDBatch()
        for bands in [1, 3, 7, 300] {
            let ids = (0..<bands).flatMap { batch.ascending(50, band: $0, of: bands) }
            #expect(ids.map(\.text) == ids.map(\.text).sorted(), "\(bands) bands")
            #expect(Set(ids).count == ids.count)
            #expect(ids.allSatisfy { $0.text[$0.text.index($0.text.startIndex, offsetBy: 14)] == "4" && "89AB".contains($0.text[$0.text.index($0.text.startIndex, offsetBy: 19)]) })
        }
    }
}
