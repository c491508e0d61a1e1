import Fluent
import Foundation
import Testing
import Vapor
import YixianCore
@testable import YixianServer

/// Views by post: the vice president in charge of student work reads the whole school's
/// compliance (read-only) as well as their own progress; other school leaders do not.
@Suite("The leader in charge of student work")
struct OversightTests {
    static func leaders(_ server: TestServer) async throws {
        try await server.app.db.write { db in
            _ = try await RosterStore.apply(units: [Unit(code: "XLD", name: "校领导", kind: .leadership)], on: db)
            _ = try await RosterStore.apply(cadres: [
                Cadre(staffNumber: "L001", name: "周校长", unitCode: "XLD", posts: ["副校长", "分管学生工作"], rank: .schoolLeader, partyMember: true,
                      tags: ["student-work"]),
                Cadre(staffNumber: "L002", name: "吴校长", unitCode: "XLD", posts: ["副校长", "分管科研"], rank: .schoolLeader, partyMember: true),
            ], on: db)
        }
        for (username, staff) in [("vp-student", "L001"), ("vp-research", "L002")] {
            try await Accounts.createUser(.init(username: username, displayName: username, password: TestServer.password, role: .cadre,
                                                cadreStaffNumber: staff), cost: 4, pool: server.app.threadPool, by: .system, on: server.app.db)
        }
    }

    @Test("the vice president for student work opens the school and unit compliance pages; writes and rosters stay closed")
    func readsTheSchool() async throws {
        try await TestServer.with { server in
            try await ComplianceTests.prepare(server)
            try await Self.leaders(server)
            let vp = server.browser()
            try await vp.login("vp-student")
            let home = try await vp.get("/")
            #expect(home.body.contains("href=\"/compliance\""), "the menu offers the school's compliance")
            #expect(try await vp.get("/compliance").status == .ok)
            #expect(try await vp.get("/compliance/units/ME").status == .ok)
            #expect(try await vp.get("/progress").status == .ok, "and still their own progress")
            #expect(try await server.api(.POST, "/api/v1/policies", as: "office", json: ["text": FilingTests.policy, "effectiveFrom": "2025-09-01"]).status == .created)
            let cells = try await server.api(.GET, "/api/v1/compliance/cells?per=50&asOf=2025-12-01", as: "vp-student")
            #expect(cells.status == .ok)
            #expect(try cells.decode(ComplianceCellsDTO.self).cells.contains { $0.subject.id == "ME" }, "another unit's cells, not only their own")
            for path in ["/cadres", "/students", "/students/\(try await server.student("2023010101").id!)/sensitive", "/filings"] {
                #expect(try await vp.get(path).status == .forbidden, "\(path)")
            }
            #expect(try await server.api(.POST, "/api/v1/policies", as: "vp-student", json: ["text": "x"]).status == .forbidden)

            let other = server.browser()
            try await other.login("vp-research")
            #expect(try await other.get("/compliance").status == .forbidden)
            #expect(!(try await other.get("/").body.contains("href=\"/compliance\"")))
        }
    }

    @Test("who oversees is configuration: with no oversight tags, no leader reads the school")
    func configured() async throws {
        try await TestServer.with(adjust: { $0.oversightTags = [] }) { server in
            try await Self.leaders(server)
            let vp = server.browser()
            try await vp.login("vp-student")
            #expect(try await vp.get("/compliance").status == .forbidden)
        }
    }
}
