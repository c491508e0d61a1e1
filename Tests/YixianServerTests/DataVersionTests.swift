import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import YixianCore
@testable import YixianServer

@Suite("Data versions: every write is seen by the caches, incrementally and once")
struct DataVersionTests {
    /// What a fresh process would compute from the same database.
    static func fresh(_ server: TestServer, asOf: LocalDate = LocalDate(Date())) async throws -> [ComplianceCell] {
        try await ComplianceStore().evaluation(asOf: asOf, on: server.app.db)?.cells ?? []
    }

    static func cached(_ server: TestServer, asOf: LocalDate = LocalDate(Date())) async throws -> [ComplianceCell] {
        try await server.app.complianceStore.evaluation(asOf: asOf, on: server.app.db)?.cells ?? []
    }

    static func cell(_ cells: [ComplianceCell], _ staff: String) -> ComplianceCell? {
        cells.first { $0.subject.id == staff && $0.ruleID == "link-one" }
    }

    @Test("a handover that only rewrites the predecessor's end date changes the cached cell (it used to keep achieved = 1)")
    func handoverOnlyEndingAPairing() async throws {
        try await TestServer.with { server in
            try await HandoverAndMatchingTests.prepare(server)
            let today = LocalDate(Date())
            for staff in ["T001", "T002"] {
                #expect(try await server.api(.POST, "/api/v1/pairings", as: "office",
                                             json: ["staffNumber": staff, "collectiveCode": "CS2301", "start": today.adding(days: -50).iso]).status == .created)
            }
            #expect(Self.cell(try await Self.cached(server), "T001")?.achieved == 1)
            let before = try await PairingModel.query(on: server.app.db).count()
            let reply = try await server.api(.POST, "/api/v1/pairings/handover", as: "office", json: ["fromStaffNumber": "T001", "toStaffNumber": "T002", "date": today.iso])
            #expect(reply.status == .ok, "\(reply.body)")
            #expect(try await PairingModel.query(on: server.app.db).count() == before, "the successor already held it: no row added")
            let cached = try await Self.cached(server)
            #expect(Self.cell(cached, "T001")?.achieved == 0)
            #expect(Set(cached) == Set(try await Self.fresh(server)))
            let page = try await server.api(.GET, "/api/v1/compliance/cells?subject=T001&rule=link-one", as: "office")
            #expect(page.body.contains("\"achieved\":0"), "\(page.body)")
        }
    }

    @Test("writes from outside the request path bump their table's version; a rolled-back write bumps nothing")
    func triggersCountEveryWrite() async throws {
        try await TestServer.with { server in
            let db = server.app.db
            let sql = db as! any SQLDatabase
            let start = try await DataVersions.read(on: db)
            #expect(start.instance != 0)
            try await sql.raw("UPDATE cadres SET name = '张伟伟' WHERE staff_number = 'T001'").run()
            let afterUpdate = try await DataVersions.read(on: db)
            #expect(afterUpdate["cadres"] == start["cadres"] + 1)
            #expect(afterUpdate["units"] == start["units"])
            struct Refused: Error {}
            await #expect(throws: Refused.self) {
                try await db.write { db in
                    try await (db as! any SQLDatabase).raw("UPDATE units SET name = name || '!'").run()
                    throw Refused()
                }
            }
            #expect(try await DataVersions.read(on: db) == afterUpdate, "the bump rolled back with the write")
            // A new student is in no pairing: imports of thousands do not count; a changed number does.
            try await sql.raw("UPDATE students SET name = '陈晨晨' WHERE student_number = '2023010101'").run()
            #expect(try await DataVersions.read(on: db)["students"] == start["students"])
            try await sql.raw("UPDATE students SET student_number = '2023010199' WHERE student_number = '2023010101'").run()
            #expect(try await DataVersions.read(on: db)["students"] == start["students"] + 1)
            let evaluation = try await server.app.complianceStore.facts.facts(on: db)
            #expect(evaluation.organization.cadres.contains { $0.name == "张伟伟" }, "a hand-run UPDATE reaches the cached roster")
        }
    }

    @Test("the ledger refreshed line by line equals a full reload: new, corrected, confirmed and deleted lines")
    func incrementalLedger() async throws {
        try await TestServer.with { server in
            try await HandoverAndMatchingTests.prepare(server)
            // A rule the new lines count for, so the updated index has something to judge differently.
            let counting = HandoverAndMatchingTests.policy + "\n" + """
                  - id: dorm-visits
                    title: 每学年走访宿舍 5 次
                    who: middle
                    count:
                      kinds: [dorm-visit]
                      atLeast: 5
                      per: academic-year
                    source: "走访宿舍"
                """
            let uploaded = try await server.api(.POST, "/api/v1/policies", as: "office",
                                                json: ["text": counting, "effectiveFrom": LocalDate(Date()).adding(days: -100).iso])
            #expect(uploaded.status == .created, "\(uploaded.body)")
            let store = server.app.complianceStore
            let before = try await Self.cached(server)
            #expect(await store.latestReindexedCadres == nil, "the first index is built in full")
            var ids: [String] = []
            for hours in [-30.0, -20, -10] {
                let reply = try await server.api(.POST, "/api/v1/contacts", as: "cadre",
                                                 json: LedgerTests.body(start: Date().addingTimeInterval(hours * 3600), end: Date().addingTimeInterval(hours * 3600 + 1800)))
                #expect(reply.status == .created, "\(reply.body)")
                ids.append(try reply.decode(ContactDTO.self).id.uuidString)
            }
            let sql = server.app.db as! any SQLDatabase
            try await sql.raw("UPDATE contact_records SET participant_count = 42 WHERE id = \(bind: UUID(uuidString: ids[0])!)").run()
            try await sql.raw("DELETE FROM contact_records WHERE id = \(bind: UUID(uuidString: ids[1])!)").run()
            let incremental = try await store.facts.facts(on: server.app.db)
            let full = try await Facts.load(try await DataVersions.read(on: server.app.db), from: nil, on: server.app.db)
            #expect(Set(incremental.contacts.keys) == Set(full.contacts.keys))
            #expect(incremental.contacts[ids[0]]?.record.participantCount == 42)
            #expect(incremental.contacts[ids[1]] == nil)
            #expect(incremental.contacts[ids[2]] != nil)
            for contact in full.contacts.values { #expect(incremental.contacts[contact.record.id]?.record == contact.record) }
            // The engine's index is updated for the one cadre who wrote, and judges as a fresh one.
            let after = try await Self.cached(server)
            #expect(await store.latestReindexedCadres == 1)
            #expect(Set(after) == Set(try await Self.fresh(server)))
            #expect(after != before, "the new lines change verdicts")
        }
    }

    @Test("integrity flags worked out again only for the cadres whose lines changed equal a full recomputation")
    func incrementalIntegrity() async throws {
        try await TestServer.with { server in
            try await HandoverAndMatchingTests.prepare(server)
            let db = server.app.db, store = server.app.complianceStore, today = LocalDate(Date())
            let sql = db as! any SQLDatabase
            // A third cadre's line, there before the writes: their part must be reused.
            let bystanderLine = try await server.api(.POST, "/api/v1/contacts", as: "cadre", json: LedgerTests.body(start: Date().addingTimeInterval(-50 * 3600), end: Date().addingTimeInterval(-49 * 3600)))
            let bystanderID = try bystanderLine.decode(ContactDTO.self).id
            let cadres = try await CadreModel.query(on: db).sort(\.$staffNumber).all()
            let writer = try await ContactRecordModel.find(bystanderID, on: db)!.$cadre.id
            let others = cadres.filter { $0.id != writer }
            #expect(others.count >= 2)
            try await sql.raw("UPDATE contact_records SET cadre_id = \(bind: others[1].id!) WHERE id = \(bind: bystanderID)").run()
            let before = IntegrityService.compute(try await store.facts.facts(on: db), asOf: today)
            // Two overlapping lines and a third with the same summary; one moved to another cadre, one deleted.
            var ids: [String] = []
            for hours in [-30.0, -29.5, -10, -5] {
                let reply = try await server.api(.POST, "/api/v1/contacts", as: "cadre",
                                                 json: LedgerTests.body(start: Date().addingTimeInterval(hours * 3600), end: Date().addingTimeInterval(hours * 3600 + 3600)))
                #expect(reply.status == .created, "\(reply.body)")
                ids.append(try reply.decode(ContactDTO.self).id.uuidString)
            }
            let other = others[0]
            try await sql.raw("UPDATE contact_records SET cadre_id = \(bind: other.id!) WHERE id = \(bind: UUID(uuidString: ids[2])!)").run()
            try await sql.raw("DELETE FROM contact_records WHERE id = \(bind: UUID(uuidString: ids[3])!)").run()
            let facts = try await store.facts.facts(on: db)
            let incremental = IntegrityService.compute(facts, asOf: today, reusing: before.parts)
            let full = IntegrityService.compute(facts, asOf: today)
            #expect(incremental.snapshot.flags == full.snapshot.flags)
            #expect(incremental.snapshot.flags.contains { $0.kind == .overlap && Set($0.recordIDs).isSuperset(of: [ids[0], ids[1]]) })
            #expect(incremental.snapshot.flags.contains { $0.kind == .copiedSummary && Set(ids[0...2]).isSubset(of: $0.recordIDs) },
                    "a copy across cadres is still found when only one cadre's part was worked out again")
            #expect(incremental.snapshot.records[ids[3]] == nil && incremental.snapshot.records[ids[2]]?.cadreID == other.id)
            let redone = Set(incremental.parts.byCadre.keys.filter { before.parts.byCadre[$0]?.revision != incremental.parts.byCadre[$0]?.revision })
            #expect(redone == [writer, other.id!], "only the writer's and the receiver's parts are worked out again")
            #expect(incremental.parts.byCadre.count > redone.count)
            // A new day is a new context: nothing is reused (unconfirmed flags depend on it).
            let tomorrow = IntegrityService.compute(facts, asOf: today.adding(days: 1), reusing: incremental.parts)
            #expect(tomorrow.snapshot.flags == IntegrityService.compute(facts, asOf: today.adding(days: 1)).snapshot.flags)
        }
    }

    @Test("a stream of writes keeps the two latest evaluations of a day, not one per write")
    func supersededEvaluationsAreDropped() async throws {
        try await TestServer.with { server in
            let store = ComplianceStore()
            for hours in [-40.0, -30, -20, -10] {
                let reply = try await server.api(.POST, "/api/v1/contacts", as: "cadre",
                                                 json: LedgerTests.body(start: Date().addingTimeInterval(hours * 3600), end: Date().addingTimeInterval(hours * 3600 + 1800)))
                #expect(reply.status == .created, "\(reply.body)")
                _ = try await store.evaluation(asOf: LocalDate(Date()), on: server.app.db)
            }
            #expect(await store.computations == 4, "each write was followed by a fresh evaluation")
            #expect(await store.retained == 2)
        }
    }

    @Test("32 concurrent readers after a write share one evaluation; a reader who just wrote sees the write counted")
    func singleFlight() async throws {
        try await TestServer.with { server in
            try await HandoverAndMatchingTests.prepare(server)
            let store = server.app.complianceStore
            _ = try await Self.cached(server)
            let before = await store.computations
            #expect(try await server.api(.POST, "/api/v1/pairings", as: "office",
                                         json: ["staffNumber": "T001", "collectiveCode": "CS2301", "start": LocalDate(Date()).adding(days: -5).iso]).status == .created)
            let answers = try await withThrowingTaskGroup(of: Double?.self) { group in
                // Each as the writer: all of them must see the write, so none may be served the previous answer.
                let wrote = Date()
                for _ in 0..<32 {
                    group.addTask {
                        Self.cell(try await store.evaluation(asOf: LocalDate(Date()), on: server.app.db, freshAfter: wrote)?.cells ?? [], "T001")?.achieved
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.count == 32)
            #expect(answers.allSatisfy { $0 == 1 }, "\(answers)")
            #expect(await store.computations == before + 1)
        }
    }

    /// Opens when told to: holds a computation in flight for as long as the test needs.
    actor Gate {
        private var open = false
        private var waiting: [CheckedContinuation<Void, Never>] = []
        func wait() async { if !open { await withCheckedContinuation { waiting.append($0) } } }
        func release() { open = true; waiting.forEach { $0.resume() }; waiting = [] }
    }

    @Test("while a newer evaluation is computed, other readers get the previous one at once; the writer waits for theirs")
    func previousWhileComputing() async throws {
        try await Self.servesPreviousWhileHeld { hold in ComplianceStore(beforeCompute: hold) }
    }

    /// A writer's read held open at the point `store` hooks `hold` into; meanwhile another reader must
    /// get the previous answer at once, and the writer their own once released. A hook the writer never
    /// reaches (the store never counts as computing) lets the other reader compute — and see the write.
    static func servesPreviousWhileHeld(_ store: (@escaping @Sendable () async -> Void) -> ComplianceStore) async throws {
        try await TestServer.with { server in
            try await HandoverAndMatchingTests.prepare(server)
            let gate = Gate()
            let holding = LockedFlag()
            let store = store { if holding.value { await gate.wait() } }
            let today = LocalDate(Date())
            let db = server.app.db
            #expect(Self.cell(try await store.evaluation(asOf: today, on: db)?.cells ?? [], "T001")?.achieved == 0)
            #expect(try await server.api(.POST, "/api/v1/pairings", as: "office",
                                         json: ["staffNumber": "T001", "collectiveCode": "CS2301", "start": today.adding(days: -5).iso]).status == .created)
            let wrote = Date()
            holding.value = true
            let writer = Task { Self.cell(try await store.evaluation(asOf: today, on: db, freshAfter: wrote)?.cells ?? [], "T001")?.achieved }
            var waited = 0
            while !(await store.isComputing), waited < 400 { try await Task.sleep(for: .milliseconds(5)); waited += 1 }
            holding.value = false
            let other = Self.cell(try await store.evaluation(asOf: today, on: db)?.cells ?? [], "T001")?.achieved
            #expect(other == 0, "served the previous answer without waiting")
            await gate.release()
            #expect(try await writer.value == 1, "the writer sees their write")
            #expect(Self.cell(try await store.evaluation(asOf: today, on: db)?.cells ?? [], "T001")?.achieved == 1, "nothing in flight: current")
        }
    }
}

extension DataVersionTests {
    @Test("while the writer's read refreshes the facts, other readers get the previous answer at once")
    func previousWhileRefreshing() async throws {
        try await Self.servesPreviousWhileHeld { hold in ComplianceStore(beforeRefresh: hold) }
    }

    @Test("within the staleness window a reader who did not write gets the previous answer; the writer gets theirs")
    func stalenessWindow() async throws {
        try await TestServer.with { server in
            try await HandoverAndMatchingTests.prepare(server)
            let store = ComplianceStore(staleness: 30)
            let today = LocalDate(Date())
            let db = server.app.db
            #expect(Self.cell(try await store.evaluation(asOf: today, on: db)?.cells ?? [], "T001")?.achieved == 0)
            #expect(try await server.api(.POST, "/api/v1/pairings", as: "office",
                                         json: ["staffNumber": "T001", "collectiveCode": "CS2301", "start": today.adding(days: -5).iso]).status == .created)
            #expect(Self.cell(try await store.evaluation(asOf: today, on: db)?.cells ?? [], "T001")?.achieved == 0, "previous, within 30 s")
            #expect(Self.cell(try await store.evaluation(asOf: today, on: db, freshAfter: Date())?.cells ?? [], "T001")?.achieved == 1)
            #expect(Self.cell(try await store.evaluation(asOf: today, on: db)?.cells ?? [], "T001")?.achieved == 1, "the newest answer is served next")
            #expect(Self.cell(try await ComplianceStore(staleness: 0).evaluation(asOf: today, on: db)?.cells ?? [], "T001")?.achieved == 1)
        }
    }
}

/// A flag a test flips from outside a sendable closure.
final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = false
    var value: Bool {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
