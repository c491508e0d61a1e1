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

    @Test("the ledger form takes numbers separated by commas or spaces and names an unknown one on the field")
    func form() async throws {
        let numbers = LedgerPages.ContactForm.numbers("2023010101，2023010102 2023010103\n")
        #expect(numbers == ["2023010101", "2023010102", "2023010103"])
        #expect(LedgerPages.ContactForm.numbers("  ") == nil)
    }
}
