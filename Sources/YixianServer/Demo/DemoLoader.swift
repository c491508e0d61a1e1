import Fluent
import Foundation
import Vapor
import YixianCore

/// Loads the generated demo university into the database and creates one login per role.
enum DemoLoader {
    static let password = "yixian2026"
    static let seed: UInt64 = 2019_0034
    static let demoPolicy = "hnust-2025"

    struct Summary: Sendable {
        var units: Int
        var cadres: Int
        var collectives: Int
        var students: Int
        var logins: [DemoLogin]
    }

    static func isEmpty(on db: any Database) async throws -> Bool {
        let units = try await UnitModel.query(on: db).count()
        let users = try await UserModel.query(on: db).count()
        return units == 0 && users == 0
    }

    static func load(_ app: Application, scale: DemoScale = .standard, asOf: LocalDate? = nil) async throws -> Summary {
        let asOf = asOf ?? LocalDate(app.now)
        let demo = DemoUniversity.generate(scale: scale, seed: seed, asOf: asOf)
        let db = app.db
        try await db.write { db in
            _ = try await RosterStore.apply(units: demo.units, on: db)
            _ = try await RosterStore.apply(collectives: demo.collectives, on: db)
            _ = try await RosterStore.apply(cadres: demo.cadres, on: db)
            _ = try await RosterStore.apply(students: demo.students, on: db)
            let studentIDs = Dictionary(uniqueKeysWithValues: try await StudentModel.query(on: db).all().map { ($0.studentNumber, $0.id!) })
            let sensitive: [StudentSensitiveModel] = demo.sensitive.sorted { $0.key < $1.key }.compactMap { number, flags in
                guard let id = studentIDs[number] else { return nil }
                let m = StudentSensitiveModel()
                m.id = UUID()
                m.$student.id = id
                m.apply(flags)
                return m
            }
            try await RosterStore.insert(sensitive, on: db)
            let organization = try await OrganizationFacts.load(on: db)
            let pairings = demo.pairings.compactMap {
                PairingModel($0, cadreIDs: organization.cadreIDs, collectiveIDs: organization.collectiveIDs, studentIDs: studentIDs)
            }
            try await RosterStore.insert(pairings, on: db)
            try await CalendarAPI.save(demo.academicYears, on: db)
            try await AuditTrail.record("demo.load", objectType: "institution", objectID: "demo", detail: "scale \(scale.rawValue), seed \(seed)", by: .system, on: db)
        }
        // The demo runs on 湖南科技大学's plan, the richest of the presets, from the first demo year on,
        // with a generated ledger (last term and this term so far, some cadres behind on purpose).
        if let text = ComplianceService.presetText(demoPolicy, directory: app.yixian.policyDirectory), let first = demo.academicYears.first,
           let policy = try? PolicyLoader.load(text, fileName: "\(demoPolicy).yaml") {
            _ = try await ComplianceService.upload(text: text, effectiveFrom: first.range.start, by: .system, now: app.now, on: db)
            let history = DemoHistory.generate(for: demo, policy: policy, asOf: asOf, seed: seed)
            try await loadHistory(history, on: db)
        } else {
            app.logger.warning("policy preset \(demoPolicy) not found; the demo starts without a policy or history")
        }
        let logins = demo.logins
        // A term of students' cases from every channel, so the queue, the case pages and the
        // response rules show real work; the demo student has a few of their own.
        // The large university has ≈ 3,000 a term, the load the case pages are benchmarked at.
        let cases = DemoCases.generate(for: demo, asOf: asOf, seed: seed, count: scale == .large ? 3_000 : 240,
                                       featuredStudent: logins.first { $0.role == Role.student.rawValue }?.studentNumber)
        try await loadCases(cases, on: db)
        for login in logins {
            guard let role = Role(rawValue: login.role) else { continue }
            let unitCode = role == .unitSecretary ? demo.cadres.first { $0.staffNumber == login.staffNumber }?.unitCode : nil
            try await Accounts.createUser(.init(username: login.username, displayName: login.displayName, password: password, role: role,
                                                unitCode: unitCode, cadreStaffNumber: login.staffNumber, studentNumber: login.studentNumber),
                                          cost: app.yixian.bcryptCost, pool: app.threadPool, by: .system, on: db)
        }
        // Everyone else on the roster has an account waiting for its activation code, as after
        // a real import: the office's 名册账号 page shows them and prints their codes.
        let now = app.now
        _ = try await db.write { db in try await RosterAccounts.provision(by: .system, now: now, on: db) }
        return Summary(units: demo.units.count, cadres: demo.cadres.count, collectives: demo.collectives.count, students: demo.students.count, logins: logins)
    }

    static func loadHistory(_ history: DemoHistory, on db: any Database) async throws {
        try await db.write { db in
            let organization = try await OrganizationFacts.load(on: db)
            let (cadreIDs, unitIDs, collectiveIDs) = (organization.cadreIDs, organization.unitIDs, organization.collectiveIDs)
            var generator = SystemRandomNumberGenerator()
            let records: [ContactRecordModel] = history.contacts.compactMap { c in
                guard let cadreID = cadreIDs[c.cadreStaffNumber] else { return nil }
                let m = ContactRecordModel()
                m.id = UUID()
                m.$cadre.id = cadreID
                m.kind = c.kind
                m.startAt = c.start
                m.endAt = c.end
                m.place = c.place
                m.venue = c.venue
                m.collectiveCodes = c.collectiveCodes.joined(separator: ",")
                m.collegeCode = c.collegeCode
                m.participantCount = c.participantCount
                m.hours = c.hours
                m.confirmedCount = c.confirmedByStudents
                m.status = c.status.rawValue
                m.summary = ""
                // Recorded shortly after the contact, as a cadre on a phone would.
                m.createdAt = c.end.addingTimeInterval(Double(Int.random(in: 300...5400, using: &generator)))
                m.submittedAt = c.status == .draft ? nil : m.createdAt
                m.version = 1
                m.confirmCode = ConfirmationCode.make(using: &generator)
                return m
            }
            try await RosterStore.insert(records, on: db)
            let filings: [FilingModel] = history.filings.compactMap { f in
                guard let unitID = unitIDs[f.unitCode] else { return nil }
                let m = FilingModel()
                m.id = UUID()
                m.$unit.id = unitID
                m.termCode = f.termID
                m.kind = f.kind
                m.periodID = f.periodID
                m.submittedOn = f.submittedOn.iso
                return m
            }
            try await RosterStore.insert(filings, on: db)
            let carried = (history.earlierPairings + history.addedPairings).compactMap {
                PairingModel($0, cadreIDs: cadreIDs, collectiveIDs: collectiveIDs, studentIDs: [:])
            }
            try await RosterStore.insert(carried.filter { $0.$collective.id != nil }, on: db)
        }
    }

    static func banner(_ summary: Summary?, address: String) -> String {
        var lines = ["", "一线 Yixian is running: \(address)", "登录地址 Sign in at: \(address)/login"]
        if let summary {
            lines.append("演示大学 Demo university: \(summary.units) 个单位, \(summary.cadres) 名干部, \(summary.collectives) 个学生集体, \(summary.students) 名学生")
            lines.append("演示账号 Demo logins (password 密码: \(password)):")
            for login in summary.logins {
                let role = Role(rawValue: login.role)?.label.zh ?? login.role
                lines.append("  \(login.username.padding(toLength: 10, withPad: " ", startingAt: 0)) \(role)  \(login.displayName)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
