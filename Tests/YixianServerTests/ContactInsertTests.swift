import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import YixianCore
@testable import YixianServer

@Suite("A ledger line inserted as a plain statement reads back as Fluent's create stores it")
struct ContactInsertTests {
    @Test("every column, optional ones set and unset, is the same through insert and through create")
    func insertMatchesCreate() async throws {
        try await TestServer.with { server in
            let db = server.app.db
            let cadre = try await server.cadre("T001")
            let author = UUID()
            func line(_ full: Bool, code: String) -> ContactRecordModel {
                let record = ContactRecordModel()
                record.id = UUID()
                record.$cadre.id = cadre.id!
                record.kind = "face-to-face"
                record.startAt = Date(timeIntervalSince1970: 1_780_000_000.125)
                record.endAt = Date(timeIntervalSince1970: 1_780_003_600.5)
                record.place = "图书馆"
                record.venue = full ? "canteen" : nil
                record.collectiveCodes = full ? "CS2301,CS2302" : ""
                record.collegeCode = full ? "CS" : nil
                record.participantCount = 7
                record.participantNumbers = full ? "2023010101,2023010102" : nil
                record.hours = 1.5
                record.confirmedCount = 2
                record.status = ContactRecord.Status.submitted.rawValue
                record.summary = "谈心 \"引号\" 与 'apostrophe'"
                record.createdAt = Date(timeIntervalSince1970: 1_780_010_000.25)
                record.createdBy = full ? author : nil
                record.submittedAt = full ? Date(timeIntervalSince1970: 1_780_010_001) : nil
                record.version = 3
                record.confirmCode = code
                record.backdateReason = full ? "补录" : nil
                record.voidedAt = full ? Date(timeIntervalSince1970: 1_780_020_000) : nil
                record.voidedBy = full ? "office" : nil
                record.voidReason = full ? "重复" : nil
                return record
            }
            for full in [true, false] {
                // Confirmation codes are unique, so the two lines differ there and only there.
                let created = line(full, code: full ? "AB12CD" : "AB12CE"), inserted = line(full, code: full ? "XY34ZW" : "XY34ZV")
                try await created.create(on: db)
                try await inserted.insert(on: db)
                let a = try #require(try await ContactRecordModel.find(created.id, on: db))
                let b = try #require(try await ContactRecordModel.find(inserted.id, on: db))
                func fields(_ r: ContactRecordModel) -> [String] {
                    [r.$cadre.id.uuidString, r.kind, "\(r.startAt.timeIntervalSince1970)", "\(r.endAt.timeIntervalSince1970)", r.place, r.venue ?? "∅",
                     r.collectiveCodes, r.collegeCode ?? "∅", "\(r.participantCount)", r.participantNumbers ?? "∅", "\(r.hours)", "\(r.confirmedCount)",
                     r.status, r.summary, "\(r.createdAt.timeIntervalSince1970)", r.createdBy?.uuidString ?? "∅",
                     r.submittedAt.map { "\($0.timeIntervalSince1970)" } ?? "∅", "\(r.version)", r.backdateReason ?? "∅",
                     r.voidedAt.map { "\($0.timeIntervalSince1970)" } ?? "∅", r.voidedBy ?? "∅", r.voidReason ?? "∅"]
                }
                #expect(fields(a) == fields(b), "full: \(full)")
                #expect(fields(b) == fields(inserted), "what was inserted is what was meant")
                #expect(b.confirmCode == inserted.confirmCode)
                // Fluent treats the inserted instance as stored: a later save updates it rather than inserting again.
                inserted.summary = "更正"
                try await inserted.save(on: db)
                #expect(try await ContactRecordModel.find(inserted.id, on: db)?.summary == "更正")
            }
        }
    }

    @Test("the collectives a POST may name are exactly those the form offers: own unit's active ones and paired ones")
    func allowedCodesAgreeWithThePicker() async throws {
        try await TestServer.with { server in
            let db = server.app.db
            let every = Set(try await CollectiveModel.query(on: db).all().map(\.code))
            // A collective of another college through a pairing, so both halves of the rule are exercised.
            let t001 = try #require(try await CadreModel.query(on: db).filter(\.$staffNumber == "T001").with(\.$unit).first())
            let me2301 = try #require(try await CollectiveModel.query(on: db).filter(\.$code == "ME2301").first())
            let pairing = PairingModel()
            pairing.$cadre.id = try t001.requireID()
            pairing.kind = "linked"
            pairing.$collective.id = me2301.id
            pairing.academicYear = "Y"
            pairing.startDate = "2026-09-01"
            pairing.endDate = "2027-07-31"
            try await pairing.create(on: db)
            #expect(t001.unit.code != "ME", "the paired collective is another unit's")
            #expect(try await LedgerService.allowedCodes(among: ["ME2301"], for: t001, on: db) == ["ME2301"])
            var offeredAny = false
            for cadre in try await CadreModel.query(on: db).with(\.$unit).all() {
                let offered = Set(try await LedgerService.allowedCollectives(for: cadre, on: db).map(\.code))
                offeredAny = offeredAny || !offered.isEmpty
                #expect(try await LedgerService.allowedCodes(among: every, for: cadre, on: db) == offered, "\(cadre.staffNumber)")
                #expect(try await LedgerService.allowedCodes(among: [], for: cadre, on: db).isEmpty)
            }
            #expect(offeredAny, "some cadre may name a collective")
        }
    }

    @Test("a POST's answer, built from what the writer holds, is the record as read back: cadre, kind, problems and all")
    func answerMatchesReadBack() async throws {
        try await TestServer.with { server in
            // A problem without a category, and text with spaces around it: stored as "其他" and trimmed.
            let body = LedgerTests.body(extra: ["problems": [["text": "  热水供应不稳定 ", "category": "后勤"], ["text": "图书馆座位少"]],
                                                "participantNumbers": [] as [String]])
            let made = try await server.api(.POST, "/api/v1/contacts", as: "cadre", json: body)
            #expect(made.status == .created, "\(made.body)")
            let answer = try made.decode(ContactDTO.self)
            let read = try await server.api(.GET, "/api/v1/contacts/\(answer.id)", as: "cadre")
            let stored = try read.decode(ContactDTO.self)
            #expect(answer.problems.map(\.text) == ["热水供应不稳定", "图书馆座位少"])
            #expect(answer.problems.map(\.category) == ["后勤", "其他"])
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            encoder.dateEncodingStrategy = .millisecondsSince1970
            #expect(String(decoding: try encoder.encode(answer), as: UTF8.self) == String(decoding: try encoder.encode(stored), as: UTF8.self))
            // Recorded by the office for a cadre (代录): the answer names that cadre, not the writer.
            let cadre = try await server.cadre("T001")
            let proxy = try await server.api(.POST, "/api/v1/contacts", as: "office", json: LedgerTests.body(extra: ["cadreId": cadre.id!.uuidString]))
            #expect(proxy.status == .created, "\(proxy.body)")
            let proxied = try proxy.decode(ContactDTO.self)
            #expect(proxied.cadre.id == cadre.id && proxied.cadre.staffNumber == "T001" && proxied.cadre.name == cadre.name)
        }
    }

    @Test("the cadre a POST records for is read again once units or cadres change: a renamed cadre's next answer has the new name")
    func cadreFollowsRosterChanges() async throws {
        try await TestServer.with { server in
            let first = try await server.api(.POST, "/api/v1/contacts", as: "cadre", json: LedgerTests.body())
            let before = try first.decode(ContactDTO.self).cadre
            let sql = try #require(server.app.db as? any SQLDatabase)
            try await sql.raw("UPDATE cadres SET name = \(bind: before.name + "（新）") WHERE id = \(bind: before.id)").run()
            let second = try await server.api(.POST, "/api/v1/contacts", as: "cadre", json: LedgerTests.body())
            #expect(second.status == .created, "\(second.body)")
            #expect(try second.decode(ContactDTO.self).cadre.name == before.name + "（新）")
        }
    }
}
