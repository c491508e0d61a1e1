import Fluent
import Foundation
import Testing
import Vapor
import YixianCore
@testable import YixianServer

/// Student numbers on ledger lines (migration 43; POLICY-FORMAT §4.14): accepted by the API and the form when they
/// are students of the roster, refused with field and reason (nothing stored) when not, and read by the facts loader.
@Suite("Participants on contact records")
struct ContactParticipantTests {
    @Test("known numbers are stored and reach the engine's facts; an unknown one refuses the record, nothing stored")
    func apiAndFacts() async throws {
        try await TestServer.with { server in
            try await LedgerTrustTests.secondStudent(server)
            let before = try await ContactRecordModel.query(on: server.app.db).count()
            let unknown = try await server.api(.POST, "/api/v1/contacts", as: "cadre",
                                               json: LedgerTests.body(extra: ["participantNumbers": ["2023010101", "9999999999"], "participantCount": 2]))
            #expect(unknown.status == .unprocessableEntity && unknown.errorField == "participantNumbers", "\(unknown.body)")
            #expect(unknown.body.contains("9999999999") && !unknown.body.contains("2023010101"), "\(unknown.body)")
            #expect(try await ContactRecordModel.query(on: server.app.db).count() == before)
            // fewer person-times than the students named is refused too
            let short = try await server.api(.POST, "/api/v1/contacts", as: "cadre",
                                             json: LedgerTests.body(extra: ["participantNumbers": ["2023010101", "2023010102"], "participantCount": 1]))
            #expect(short.status == .unprocessableEntity && short.errorField == "participantCount", "\(short.body)")

            let stored = try await server.api(.POST, "/api/v1/contacts", as: "cadre",
                                              json: LedgerTests.body(extra: ["participantNumbers": [" 2023010102", "2023010101", "2023010102"], "participantCount": 2]))
            #expect(stored.status == .created, "\(stored.body)")
            let dto = try stored.decode(ContactDTO.self)
            // trimmed, each once, in the order typed
            #expect(dto.participantNumbers == ["2023010102", "2023010101"])
            let contacts = try await StoredContact.load(organization: try await OrganizationFacts.load(on: server.app.db), on: server.app.db)
            #expect(contacts.first { $0.record.id == dto.id.uuidString }?.record.participantNumbers == ["2023010102", "2023010101"])
            // a line without numbers stays without
            let plain = try await server.api(.POST, "/api/v1/contacts", as: "cadre", json: LedgerTests.body()).decode(ContactDTO.self)
            #expect(plain.participantNumbers == nil)
        }
    }

    @Test("anonymising a graduate replaces their number on ledger lines and their versions with the pseudonym")
    func anonymised() async throws {
        try await TestServer.with { server in
            let db = server.app.db
            try await LedgerTrustTests.secondStudent(server)
            let start = Date().addingTimeInterval(-7200), end = Date().addingTimeInterval(-3600)
            let dto = try await server.api(.POST, "/api/v1/contacts", as: "cadre",
                                           json: LedgerTests.body(start: start, end: end, extra: ["participantNumbers": ["2023010101"], "participantCount": 1]))
                .decode(ContactDTO.self)
            let moved = try await server.api(.PATCH, "/api/v1/contacts/\(dto.id)", as: "cadre",
                                             json: LedgerTests.body(start: start, end: end, extra: ["participantNumbers": ["2023010101", "2023010102"],
                                                                                                     "participantCount": 2, "reason": "漏记一人"]))
            #expect(moved.status == .ok, "\(moved.body)")
            // the fixture's classes entered in 2023 graduate in 2027: both students are past retention before 2028
            _ = try await Lifecycle.anonymise(graduatedBefore: 2028, settings: .init(retentionYears: 3, programYears: 4), dryRun: false, by: .system, on: db)
            let aliases = Set(try await StudentModel.query(on: db).all().map(\.studentNumber))
            let record = try #require(try await ContactRecordModel.find(dto.id, on: db))
            let numbers = ContactRecordModel.collectiveList(try #require(record.participantNumbers))
            #expect(numbers.count == 2 && numbers.allSatisfy { $0.hasPrefix("ANON-") && aliases.contains($0) }, "\(numbers)")
            let versions = try await ContactRecordVersionModel.query(on: db).filter(\.$record.$id == dto.id).all()
            #expect(!versions.isEmpty && versions.allSatisfy { !$0.snapshot.contains("2023010101") }, "\(versions.map(\.snapshot))")
        }
    }

    @Test("the ledger form takes numbers separated by commas or spaces, names an unknown one on the field, and the record shows them")
    func form() async throws {
        let numbers = LedgerPages.ContactForm.numbers("2023010101，2023010102 2023010103\n")
        #expect(numbers == ["2023010101", "2023010102", "2023010103"])
        #expect(LedgerPages.ContactForm.numbers("  ") == nil)
        try await TestServer.with { server in
            try await LedgerTrustTests.secondStudent(server)
            let cadre = server.browser()
            try await cadre.login("cadre")
            #expect(try await cadre.get("/ledger/new").body.contains("participantNumbers"))
            let start = Date().addingTimeInterval(-7200)
            var form: [String: String] = ["kind": "dorm-visit", "start": LedgerPages.localInput(start), "end": LedgerPages.localInput(start.addingTimeInterval(3600)),
                                          "place": "梅园3舍", "collectiveCodes[]": "CS2301", "participantCount": "2", "summary": "走访宿舍",
                                          "participantNumbers": "2023010101，8888888888"]
            let refused = try await cadre.post("/ledger/new", form: form, tokenFrom: "/ledger/new")
            #expect(refused.status == .unprocessableEntity && refused.body.contains("学号不存在：8888888888"), "\(refused.status)")
            #expect(try await ContactRecordModel.query(on: server.app.db).count() == 0)
            form["participantNumbers"] = "2023010101 2023010102"
            let saved = try await cadre.post("/ledger/new", form: form, tokenFrom: "/ledger/new")
            #expect(saved.status == .seeOther, "\(saved.status) \(saved.body.prefix(300))")
            let record = try #require(try await ContactRecordModel.query(on: server.app.db).first())
            #expect(record.participantNumbers == "2023010101,2023010102")
            #expect(try await cadre.get("/ledger/\(record.id!)").body.contains("2023010101、2023010102"))
        }
    }
}
