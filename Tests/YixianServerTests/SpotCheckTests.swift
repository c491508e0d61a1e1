import Fluent
import Foundation
import Testing
import Vapor
import YixianCore
@testable import YixianServer

@Suite("抽查 over HTTP: draw, call back, results per unit, and bad input")
struct SpotCheckTests {
    /// T001 (CS) has the fixture's lecture of 2025-10-15 and four dorm visits that October.
    static func prepare(_ server: TestServer) async throws {
        try await ComplianceTests.prepare(server)
        // The fixture's lecture was stored as submitted without its submission time; a real one has it,
        // and the sample (random per run) may pick it.
        for record in try await ContactRecordModel.query(on: server.app.db).all() where record.submittedAt == nil {
            record.submittedAt = record.endAt
            try await record.save(on: server.app.db)
        }
        for day in [18, 16, 22, 29] {
            try await ComplianceTests.record(server, staff: "T001", kind: "dorm-visit", on: "2025-10-\(day)", hour: 19, minutes: 60,
                                             place: "梅园\(day)舍", participants: 5, summary: "走访", code: "SPOT\(day)AB", submitted: true)
        }
    }

    @Test("the office draws a share of a unit's month once, calls each line back, and a line found untrue stops counting")
    func drawAndCallBack() async throws {
        try await TestServer.with { server in
            try await Self.prepare(server)
            let office = server.browser()
            try await office.login("office")
            // Bad input first: nothing is drawn.
            let future = try await office.post("/spotchecks", form: ["unitCode": "CS", "month": "2999-01", "percent": "10"], tokenFrom: "/spotchecks")
            #expect(future.status == .unprocessableEntity && future.body.contains("该月尚未开始"))
            let empty = try await office.post("/spotchecks", form: ["unitCode": "ME", "month": "2025-10", "percent": "10"], tokenFrom: "/spotchecks")
            #expect(empty.status == .unprocessableEntity && empty.body.contains("没有可抽查的记录"))
            let share = try await office.post("/spotchecks", form: ["unitCode": "CS", "month": "2025-10", "percent": "0"], tokenFrom: "/spotchecks")
            #expect(share.status == .unprocessableEntity)
            #expect(try await SpotCheckModel.query(on: server.app.db).count() == 0)

            let drawn = try await office.post("/spotchecks", form: ["unitCode": "CS", "month": "2025-10", "percent": "40"], tokenFrom: "/spotchecks")
            #expect(drawn.status == .seeOther)
            let batch = try #require(try await SpotCheckModel.query(on: server.app.db).with(\.$items).first())
            #expect(batch.lines == 5)
            #expect(batch.items.count == 2, "40 % of 5 lines")
            // The sample is the seed's: anyone can re-draw it.
            let ids = try await ContactRecordModel.query(on: server.app.db).all().map { $0.id!.uuidString }
            #expect(Set(SpotCheckSample.draw(ids, share: 0.4, seed: batch.seed)) == Set(batch.items.map { $0.$record.id.uuidString }))
            let again = try await office.post("/spotchecks", form: ["unitCode": "CS", "month": "2025-10", "percent": "40"], tokenFrom: "/spotchecks")
            #expect(again.status == .conflict && again.body.contains("已抽查过"))

            let page = try #require(drawn.headers.first(name: .location))
            let outside = try await ContactRecordModel.query(on: server.app.db).all().first { r in !batch.items.contains { $0.$record.id == r.id } }!
            let notInSample = try await office.post(page, form: ["item": outside.id!.uuidString, "result": "confirmed", "student": "陈晨"], tokenFrom: page)
            #expect(notInSample.status == .unprocessableEntity && notInSample.body.contains("不在本次抽查的样本中"))
            let item = batch.items[0]
            let noNote = try await office.post(page, form: ["item": item.id!.uuidString, "result": "denied", "student": "陈晨"], tokenFrom: page)
            #expect(noNote.status == .unprocessableEntity, "a denial needs its reason")
            let denied = try await office.post(page, form: ["item": item.id!.uuidString, "result": "denied", "student": "陈晨",
                                                             "note": "学生称当天没有走访"], tokenFrom: page)
            #expect(denied.status == .seeOther)
            let record = try #require(try await ContactRecordModel.find(item.$record.id, on: server.app.db))
            #expect(record.status == "flagged", "a line found untrue is doubtful and stops counting")
            let dossier = try await office.get("/dossiers/cadres/T001?term=2025-2026-1")
            #expect(dossier.body.contains("<td>抽查回访</td><td>陈晨：学生称当天没有走访</td><td>不属实</td>"), "the finding is on the cadre's dossier")
            let confirmed = try await office.post(page, form: ["item": batch.items[1].id!.uuidString, "result": "confirmed", "student": "2023010101"],
                                                  tokenFrom: page)
            #expect(confirmed.status == .seeOther)
            let sheet = try XLSXReader.readRecords(from: try await office.get("/spotchecks?format=xlsx").data)
            #expect(sheet.count == 2 && sheet[1] == ["2025-10", "计算机学院", "40 %", "5", "2", "1", "1", "0", "0"], "\(sheet)")
            let list = try await office.get("/spotchecks")
            #expect(list.body.contains("<td>计算机学院</td><td>2</td><td>1</td><td>1</td><td>0</td><td>0</td>"), "\(list.body.prefix(3000))")
        }
    }

    @Test("a secretary reads their unit's checks only and records nothing")
    func scope() async throws {
        try await TestServer.with { server in
            try await Self.prepare(server)
            let office = server.browser()
            try await office.login("office")
            let drawn = try await office.post("/spotchecks", form: ["unitCode": "CS", "month": "2025-10", "percent": "20"], tokenFrom: "/spotchecks")
            #expect(drawn.status == .seeOther)
            let page = try #require(drawn.headers.first(name: .location))
            let secretary = server.browser()
            try await secretary.login("secretary")
            #expect(try await secretary.get(page).status == .ok)
            #expect(!(try await secretary.get("/spotchecks").body.contains("抽取样本")), "no draw form for a secretary")
            #expect(try await secretary.post(page, form: ["result": "confirmed"], tokenFrom: page).status == .forbidden)
            try await server.app.db.write { db in
                let me = try await UnitModel.query(on: db).filter(\.$code == "ME").first()!
                let batch = try await SpotCheckModel.query(on: db).first()!
                batch.$unit.id = me.id!
                try await batch.save(on: db)
            }
            #expect(try await secretary.get(page).status == .notFound)
        }
    }
}
