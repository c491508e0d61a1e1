import Fluent
import Foundation
import Testing
import Vapor
import YixianCore
@testable import YixianServer

/// Issue 7: the authorization matrix. Every registered route (pages and API alike) is tried by
/// every role and anonymously, and every route that names an object is tried on the caller's own
/// object, an object of the caller's unit and an object of another unit. What each cell should
/// answer is written down below, independently of the code, in `spec`; a route the table does not
/// list fails the test, so a new route cannot ship without someone deciding who may use it.
@Suite("Authorization matrix: every role × every route × own, same-unit and other-unit objects")
struct AuthorizationMatrixTests {
    // MARK: - The table

    /// What the route's path parameter names.
    enum Object: String, CaseIterable {
        case unit, unitCode, cadre, collective, student, contact, attachment, confirmation, user, token, importJob
        /// A student's case (诉求).
        case studentCase
        /// A file attached to a unit's filing.
        case filingAttachment
        /// A cadre named by staff number (their dossier).
        case staffNumber
        /// A batch of dossiers being built, the office's.
        case dossierJob
        /// A spot-check draw of a unit's month.
        case spotCheck
        /// A bulletin the office drafted (not yet published).
        case bulletin
        /// A unit's drafted plan or summary, and a file attached to it.
        case filingDocument, filingDocumentFile
        /// A compliance cell, named in the query (`subject`, `rule`, `period`).
        case cell
    }

    enum Variant: String, CaseIterable { case own, sameUnit = "same-unit", otherUnit = "other-unit" }

    /// Which of the objects a role that may use the route reaches.
    enum Reach {
        /// Whatever exists.
        case all
        /// The business admin and the assessor reach every unit's objects; a unit secretary their
        /// unit's; a cadre or a student only their own (a student's own record is one they took part in).
        case unitScoped
        /// Only the caller's own object (their import job).
        case ownOnly
        /// The caller's own object; the security admin any (tokens).
        case ownOrSecurityAdmin
        /// Anyone's but the caller's own (an administrator does not reset or deactivate themself).
        case notOwn
        /// Cases: the office and assessors reach all; a secretary's or a cadre's unit reaches its cases; a student their own.
        case unitCases
    }

    struct Rule {
        /// Who may use the route; nil: anyone, signed in or not.
        var who: Set<Role>?
        var reach: Reach = .all

        func allows(_ role: Role?, _ variant: Variant?) -> Bool {
            guard let who else { return true }
            guard let role, who.contains(role) else { return false }
            guard let variant else { return true }
            switch reach {
            case .all: return true
            case .ownOnly: return variant == .own
            case .notOwn: return variant != .own
            case .ownOrSecurityAdmin: return variant == .own || role == .securityAdmin
            case .unitCases:
                switch role {
                case .businessAdmin, .assessor: return true
                case .unitSecretary, .cadre: return variant != .otherUnit
                default: return variant == .own
                }
            case .unitScoped:
                switch role {
                case .businessAdmin, .assessor, .systemAdmin, .securityAdmin, .auditAdmin: return true
                case .unitSecretary: return variant != .otherUnit
                case .cadre, .student: return variant == .own
                }
            }
        }
    }

    static let everyone = Set(Role.allCases)
    static let office: Set<Role> = [.businessAdmin]
    /// The roster, compliance and pairing readers.
    static let readers: Set<Role> = [.businessAdmin, .unitSecretary, .assessor]
    /// Those who write the roster, read hardship notes and file for a unit.
    static let editors: Set<Role> = [.businessAdmin, .unitSecretary]
    static let ledgerReaders: Set<Role> = readers.union([.cadre])
    static let caseReaders: Set<Role> = ledgerReaders.union([.student])
    static let caseOpeners: Set<Role> = [.student, .businessAdmin, .unitSecretary]

    /// Every route of the server and who may use it: the independent statement the running server
    /// is held to. Keys are `METHOD path` as Vapor lists them.
    static let spec: [String: Rule] = [
        // Public
        "GET /": Rule(who: nil), "GET /login": Rule(who: nil), "POST /login": Rule(who: nil),
        "GET /login/second-factor": Rule(who: nil), "POST /login/second-factor": Rule(who: nil),
        "GET /language": Rule(who: nil), "GET /healthz": Rule(who: nil), "GET /readyz": Rule(who: nil),
        "GET /assets/app.css": Rule(who: nil), "GET /api/v1/openapi.json": Rule(who: nil),
        "GET /assets/workbench.js": Rule(who: nil),
        // One's own account
        "POST /logout": Rule(who: everyone), "GET /api/v1/me": Rule(who: everyone), "GET /calendar": Rule(who: everyone),
        "GET /api/v1/calendar": Rule(who: everyone), "GET /api/v1/calendar/workdays": Rule(who: everyone),
        "GET /account/password": Rule(who: everyone), "POST /account/password": Rule(who: everyone),
        "GET /account/security": Rule(who: everyone), "POST /account/security/totp": Rule(who: everyone),
        "POST /account/security/totp/confirm": Rule(who: everyone),
        "GET /account/tokens": Rule(who: everyone), "POST /account/tokens/new": Rule(who: everyone),
        "GET /api/v1/tokens": Rule(who: everyone), "POST /api/v1/tokens": Rule(who: everyone),
        "POST /account/tokens/:id/revoke": Rule(who: everyone, reach: .ownOrSecurityAdmin),
        "DELETE /api/v1/tokens/:id": Rule(who: everyone, reach: .ownOrSecurityAdmin),
        "GET /account/my-data": Rule(who: [.student]),
        // 三员: accounts, security, audit
        "GET /admin/users": Rule(who: [.systemAdmin, .securityAdmin]), "GET /api/v1/users": Rule(who: [.systemAdmin, .securityAdmin]),
        "POST /admin/users/new": Rule(who: [.systemAdmin]), "POST /api/v1/users": Rule(who: [.systemAdmin]),
        // The security admin may deactivate only administrator accounts; the fixture's targets are a cadre's.
        "POST /admin/users/:id/deactivate": Rule(who: [.systemAdmin], reach: .notOwn),
        "POST /admin/users/:id/reset-password": Rule(who: [.systemAdmin], reach: .notOwn),
        "POST /admin/users/:id/reset-totp": Rule(who: [.securityAdmin]), "POST /admin/users/:id/unlock": Rule(who: [.securityAdmin]),
        "POST /admin/users/:id/role": Rule(who: [.securityAdmin]), "POST /api/v1/users/:id/role": Rule(who: [.securityAdmin]),
        "GET /admin/audit": Rule(who: [.auditAdmin]), "GET /admin/audit/verify": Rule(who: [.auditAdmin]),
        "GET /api/v1/audit": Rule(who: [.auditAdmin]),
        // Accounts for the roster: the office for everyone, a secretary for their unit (slips carry students' names: not the 三员).
        "GET /admin/accounts": Rule(who: [.businessAdmin, .unitSecretary]),
        "POST /admin/accounts/provision": Rule(who: [.businessAdmin, .unitSecretary]),
        "POST /admin/accounts/codes": Rule(who: [.businessAdmin, .unitSecretary]),
        "GET /api/v1/accounts/roster": Rule(who: [.businessAdmin, .unitSecretary]),
        "POST /api/v1/accounts/provision": Rule(who: [.businessAdmin, .unitSecretary]),
        "POST /api/v1/accounts/activation-codes": Rule(who: [.businessAdmin, .unitSecretary]),
        "GET /activate": Rule(who: nil), "POST /activate": Rule(who: nil),
        "GET /compliance/attention": Rule(who: readers), "GET /policies/format": Rule(who: readers),
        "POST /integrity/verdict": Rule(who: [.assessor, .businessAdmin]), "POST /api/v1/integrity/verdicts": Rule(who: [.assessor, .businessAdmin]),
        "POST /calendar/import": Rule(who: office), "POST /api/v1/calendar/import": Rule(who: office),
        "GET /calendar/export": Rule(who: everyone), "GET /api/v1/calendar/export": Rule(who: everyone),
        "GET /calendar/holidays": Rule(who: everyone), "POST /calendar/holidays": Rule(who: office),
        "GET /login/cas": Rule(who: nil), "GET /login/cas/callback": Rule(who: nil),
        // Roster
        "GET /units": Rule(who: readers), "GET /api/v1/units": Rule(who: readers),
        "GET /api/v1/units/:id": Rule(who: readers, reach: .unitScoped),
        "POST /api/v1/units": Rule(who: office), "PATCH /api/v1/units/:id": Rule(who: office),
        "GET /cadres": Rule(who: readers), "GET /api/v1/cadres": Rule(who: readers),
        "GET /cadres/:id": Rule(who: readers.union([.cadre]), reach: .unitScoped),
        "GET /api/v1/cadres/:id": Rule(who: readers.union([.cadre]), reach: .unitScoped),
        // The appointment check (三个纳入) weighs a person for promotion: the office and assessors only.
        "GET /cadres/:id/appointment": Rule(who: [.businessAdmin, .assessor], reach: .unitScoped),
        "POST /api/v1/cadres": Rule(who: editors), "PATCH /api/v1/cadres/:id": Rule(who: editors, reach: .unitScoped),
        "GET /collectives": Rule(who: readers), "GET /api/v1/collectives": Rule(who: readers),
        "GET /api/v1/collectives/:id": Rule(who: readers, reach: .unitScoped),
        "POST /api/v1/collectives": Rule(who: editors), "PATCH /api/v1/collectives/:id": Rule(who: editors, reach: .unitScoped),
        "GET /students": Rule(who: readers), "GET /api/v1/students": Rule(who: readers),
        "GET /students/:id": Rule(who: readers.union([.student]), reach: .unitScoped),
        "GET /api/v1/students/:id": Rule(who: readers.union([.student]), reach: .unitScoped),
        "POST /api/v1/students": Rule(who: editors), "PATCH /api/v1/students/:id": Rule(who: editors, reach: .unitScoped),
        "GET /students/:id/sensitive": Rule(who: editors, reach: .unitScoped),
        "GET /api/v1/students/:id/sensitive": Rule(who: editors, reach: .unitScoped),
        "PUT /api/v1/students/:id/sensitive": Rule(who: office),
        // 精准帮扶: the office all, a secretary their unit, a cadre only the students assigned to them; the assigned cadre logs help.
        "GET /support": Rule(who: editors.union([.cadre])), "POST /support/assign": Rule(who: editors), "POST /support/log": Rule(who: [.cadre]),
        "GET /import/:kind": Rule(who: office), "POST /import/:kind": Rule(who: office), "POST /api/v1/imports/:kind": Rule(who: office),
        "GET /import/jobs/:id": Rule(who: office, reach: .ownOnly), "POST /import/jobs/:id/confirm": Rule(who: office, reach: .ownOnly),
        "GET /export/:kind": Rule(who: readers), "GET /api/v1/exports/:kind": Rule(who: readers),
        // Policy and compliance
        "GET /policies": Rule(who: readers), "GET /api/v1/policies": Rule(who: readers),
        "GET /policies/workbench": Rule(who: office), "POST /policies/workbench": Rule(who: office),
        "POST /policies/workbench/check": Rule(who: office),
        "POST /policies": Rule(who: office), "POST /api/v1/policies": Rule(who: office),
        "GET /progress": Rule(who: [.cadre]),
        "GET /compliance": Rule(who: readers), "GET /compliance/units/:code": Rule(who: readers, reach: .unitScoped),
        "GET /compliance/cell": Rule(who: ledgerReaders, reach: .unitScoped),
        "GET /api/v1/compliance/cells": Rule(who: ledgerReaders),
        "GET /filings": Rule(who: editors), "POST /filings": Rule(who: editors), "GET /filings/attachments/:id": Rule(who: editors, reach: .unitScoped),
        "GET /filings/documents": Rule(who: editors), "POST /filings/documents": Rule(who: editors),
        "GET /filings/documents/:id": Rule(who: editors, reach: .unitScoped), "POST /filings/documents/:id": Rule(who: editors, reach: .unitScoped),
        "GET /filings/document-files/:id": Rule(who: editors, reach: .unitScoped),
        // a cadre files and reads their own reports (§4.16)
        "GET /api/v1/filings": Rule(who: editors.union([.cadre])), "POST /api/v1/filings": Rule(who: editors.union([.cadre])),
        "GET /integrity": Rule(who: readers),
        "GET /dossiers": Rule(who: ledgerReaders), "GET /dossiers/cadres/:code": Rule(who: ledgerReaders, reach: .unitScoped),
        "GET /dossiers/units/:code": Rule(who: readers, reach: .unitScoped),
        "POST /dossiers/batch": Rule(who: readers),
        "GET /dashboard": Rule(who: ledgerReaders),
        "GET /bulletins": Rule(who: readers), "POST /bulletins": Rule(who: office),
        "GET /accountability": Rule(who: readers), "POST /accountability": Rule(who: [.businessAdmin, .assessor]),
        "GET /showcase": Rule(who: ledgerReaders), "POST /showcase": Rule(who: [.businessAdmin, .assessor]),
        "GET /bulletins/:id": Rule(who: [.businessAdmin, .assessor]), "POST /bulletins/:id": Rule(who: office),
        "GET /spotchecks": Rule(who: readers), "POST /spotchecks": Rule(who: [.businessAdmin, .assessor]),
        "GET /spotchecks/:id": Rule(who: readers, reach: .unitScoped), "POST /spotchecks/:id": Rule(who: [.businessAdmin, .assessor], reach: .unitScoped),
        "GET /dossiers/batch/:id": Rule(who: readers, reach: .ownOnly), "GET /dossiers/batch/:id/download": Rule(who: readers, reach: .ownOnly),
        // Ledger
        "GET /ledger": Rule(who: ledgerReaders), "GET /api/v1/contacts": Rule(who: ledgerReaders),
        "GET /ledger/:id": Rule(who: ledgerReaders, reach: .unitScoped),
        "GET /api/v1/contacts/:id": Rule(who: ledgerReaders, reach: .unitScoped),
        "GET /api/v1/contacts/:id/history": Rule(who: ledgerReaders, reach: .unitScoped),
        "GET /attachments/:id": Rule(who: ledgerReaders, reach: .unitScoped),
        "GET /ledger/new": Rule(who: [.cadre, .unitSecretary, .businessAdmin]), "POST /ledger/new": Rule(who: [.cadre, .unitSecretary, .businessAdmin]), "POST /api/v1/contacts": Rule(who: [.cadre, .unitSecretary, .businessAdmin]),
        "GET /ledger/:id/edit": Rule(who: [.cadre], reach: .unitScoped), "POST /ledger/:id/edit": Rule(who: [.cadre], reach: .unitScoped),
        "PATCH /api/v1/contacts/:id": Rule(who: [.cadre], reach: .unitScoped),
        // 作废: the record's own cadre, or the office for any record.
        "POST /ledger/:id/void": Rule(who: [.cadre, .businessAdmin], reach: .unitScoped),
        "POST /api/v1/contacts/:id/void": Rule(who: [.cadre, .businessAdmin], reach: .unitScoped),
        "POST /ledger/:id/delete": Rule(who: [.cadre], reach: .unitScoped), "DELETE /api/v1/contacts/:id": Rule(who: [.cadre], reach: .unitScoped),
        "GET /problems": Rule(who: ledgerReaders), "GET /api/v1/problems": Rule(who: ledgerReaders), "POST /problems/report": Rule(who: editors),
        // The confirmation page answers every signed-in user; what it shows is checked by `mayRead`.
        "GET /c/:code": Rule(who: everyone), "GET /c": Rule(who: [.student]),
        "POST /c/:code": Rule(who: [.student], reach: .unitScoped), "POST /api/v1/confirmations": Rule(who: [.student], reach: .unitScoped),
        // Pairing
        "GET /pairings": Rule(who: readers), "GET /api/v1/pairings": Rule(who: readers), "GET /pairings/coverage": Rule(who: readers),
        "GET /pairings/print": Rule(who: readers), "GET /pairings/table.xlsx": Rule(who: readers),
        "GET /pairings/import": Rule(who: office), "POST /pairings/import": Rule(who: office), "POST /api/v1/pairings": Rule(who: office),
        "GET /pairings/matching": Rule(who: office), "POST /pairings/matching": Rule(who: office),
        "POST /pairings/handover": Rule(who: office), "POST /pairings/add": Rule(who: office), "POST /api/v1/pairings/handover": Rule(who: office),
        // Cases (诉求) and the public mailboxes
        "GET /cases": Rule(who: caseReaders), "GET /api/v1/cases": Rule(who: caseReaders),
        "GET /cases/new": Rule(who: caseOpeners), "POST /cases/new": Rule(who: caseOpeners), "POST /api/v1/cases": Rule(who: caseOpeners),
        "GET /cases/:id": Rule(who: caseReaders, reach: .unitCases), "GET /api/v1/cases/:id": Rule(who: caseReaders, reach: .unitCases),
        "POST /cases/:id/act": Rule(who: caseReaders, reach: .unitCases), "POST /api/v1/cases/:id/actions": Rule(who: caseReaders, reach: .unitCases),
        "GET /cases/topics": Rule(who: [.businessAdmin, .unitSecretary, .assessor]),
        "GET /cases/forum": Rule(who: editors), "POST /cases/forum": Rule(who: editors),
        "GET /notifications": Rule(who: everyone), "POST /notifications/read": Rule(who: everyone),
        "GET /api/v1/notifications": Rule(who: everyone),
        "GET /mailbox": Rule(who: nil), "POST /mailbox": Rule(who: nil), "GET /mailbox/track": Rule(who: nil),
        "POST /mailbox/track": Rule(who: nil), "POST /mailbox/track/rate": Rule(who: nil),
        "GET /pairings/wishes": Rule(who: [.cadre]), "POST /pairings/wishes": Rule(who: [.cadre]), "PUT /api/v1/pairings/wishes": Rule(who: [.cadre]),
    ]

    /// Whether a caller may read a record's details (its place) anywhere: the unit-scoped readers, its
    /// cadre, and the students who took part (the student's class was visited by T001).
    static func mayReadRecord(_ username: String, of staff: String) -> Bool {
        switch username {
        case "office", "assessor": true
        case "secretary": staff != "T002"
        case "student": staff == "T001"
        default: cadreAccounts[username] == staff
        }
    }

    /// Whether a caller may see a student's name, or their hardship note, anywhere.
    static func mayReadStudent(_ username: String, _ number: String, sensitive: Bool) -> Bool {
        switch username {
        case "office": true
        case "assessor": !sensitive
        case "secretary": number.hasPrefix("202301")
        case "student": number == "2023010101"
        default: false
        }
    }

    // MARK: - Fixture

    /// Extra people beyond TestServer's: a second cadre in CS, a cadre with an account in ME,
    /// a second student and a second collective in CS.
    struct World {
        var units: [String: UUID] = [:]
        var cadres: [String: UUID] = [:]
        var collectives: [String: UUID] = [:]
        var students: [String: UUID] = [:]
        /// Contact records by the cadre who wrote them (T001 in CS, T004 in CS, T002 in ME).
        var contacts: [String: UUID] = [:]
        var codes: [String: String] = [:]
        var attachments: [String: UUID] = [:]
        var users: [String: UUID] = [:]
        var tokens: [String: UUID] = [:]
        var importJob: UUID = UUID()
        /// Query strings naming one compliance cell of T001, T004 and T002.
        var cells: [String: String] = [:]
        /// Cases: `student`'s own (given to CS), another CS case, an ME case.
        var cases: [String: UUID] = [:]
        /// A filing's file per unit code (CS, ME).
        var filingAttachments: [String: UUID] = [:]
        var dossierJob = UUID()
        /// A spot-check draw per unit code (CS, ME).
        var spotChecks: [String: UUID] = [:]
        var bulletin = UUID()
        /// A drafted document and its file per unit code (CS, ME).
        var filingDocuments: [String: UUID] = [:]
        var filingDocumentFiles: [String: UUID] = [:]
    }

    /// Text only a reader of one object can see: each record's place and each student's name.
    static func place(_ staff: String) -> String { "梅园宿舍\(staff)" }
    static let studentNames = ["2023010101": "陈晨", "2023010102": "周杰", "2023020101": "刘洋"]
    static let sensitiveNote = "家庭经济困难，已纳入资助"

    static let cadreAccounts = ["cadre": "T001", "cadre-cs": "T004", "cadre-me": "T002"]

    static func build(_ server: TestServer) async throws -> World {
        let db = server.app.db
        try await db.write { db in
            let year = { (start: Int) in
                AcademicYear(id: "\(start)-\(start + 1)", name: "\(start)—\(start + 1)学年",
                             range: DateRange(start: LocalDate("\(start)-08-25")!, end: LocalDate("\(start + 1)-08-23")!), terms: [
                                 Term(id: "\(start)-\(start + 1)-1", name: "第一学期",
                                      range: DateRange(start: LocalDate("\(start)-08-31")!, end: LocalDate("\(start + 1)-01-17")!)),
                                 Term(id: "\(start)-\(start + 1)-2", name: "第二学期",
                                      range: DateRange(start: LocalDate("\(start + 1)-03-01")!, end: LocalDate("\(start + 1)-07-11")!)),
                             ])
            }
            // The calendar covers today, whenever the test runs, so that compliance has a current term.
            let thisYear = Calendar(identifier: .gregorian).component(.year, from: Date())
            try await CalendarAPI.save([year(thisYear - 2), year(thisYear - 1), year(thisYear)], on: db)
            _ = try await RosterStore.apply(collectives: [
                Collective(code: "CS2302", name: "计算机2302班", kind: .class, unitCode: "CS", grade: 2023, size: 30),
            ], on: db)
            _ = try await RosterStore.apply(cadres: [
                Cadre(staffNumber: "T004", name: "赵敏", unitCode: "CS", posts: ["副院长"], rank: .deputyDirector, partyMember: true),
            ], on: db)
            _ = try await RosterStore.apply(students: [
                Student(studentNumber: "2023010102", name: "周杰", unitCode: "CS", collectiveCodes: ["CS2302"]),
            ], on: db)
        }
        for (username, staff) in cadreAccounts where username != "cadre" {
            _ = try await Accounts.createUser(.init(username: username, displayName: username, password: TestServer.password, role: .cadre,
                                                    unitCode: nil, cadreStaffNumber: staff, studentNumber: nil),
                                              cost: 4, pool: server.app.threadPool, by: .system, on: db)
        }
        var world = World()
        for unit in try await UnitModel.query(on: db).all() { world.units[unit.code] = unit.id! }
        for cadre in try await CadreModel.query(on: db).all() { world.cadres[cadre.staffNumber] = cadre.id! }
        for collective in try await CollectiveModel.query(on: db).all() { world.collectives[collective.code] = collective.id! }
        for student in try await StudentModel.query(on: db).all() { world.students[student.studentNumber] = student.id! }
        for user in try await UserModel.query(on: db).all() { world.users[user.username] = user.id! }
        // Each cadre writes one submitted record with a photo, with their own unit's class.
        for (username, staff) in cadreAccounts.sorted(by: { $0.key < $1.key }) {
            let browser = server.browser()
            try await browser.login(username)
            let collective = staff == "T002" ? "ME2301" : (staff == "T004" ? "CS2302" : "CS2301")
            let reply = try await Self.postRecord(browser, collective: collective, place: Self.place(staff))
            #expect(reply.status == .seeOther, "\(username) records a contact: \(reply.body.prefix(300))")
            let record = try #require(try await ContactRecordModel.query(on: db).filter(\.$place == Self.place(staff)).first())
            world.contacts[staff] = record.id!
            world.codes[staff] = record.confirmCode
            let attachment = try #require(try await AttachmentModel.query(on: db).filter(\.$record.$id == record.id!).first())
            world.attachments[staff] = attachment.id!
        }
        for username in AccessTests.usernames.values.sorted() + ["cadre-cs", "cadre-me"] {
            _ = try await Accounts.createToken(username: username, name: "matrix", by: .system, on: db)
            let token = try #require(try await APITokenModel.query(on: db).filter(\.$user.$id == world.users[username]!).first())
            world.tokens[username] = token.id!
        }
        let report = try await ImportExport.run(.units, data: Data("code,name,kind\nZZ,新单位,college\n".utf8), fileName: "u.csv",
                                                mode: .dryRun, language: .zh, actor: .system, on: db)
        let job = ImportJob(id: UUID(), kind: .units, fileName: "u.csv", data: Data(), report: report, ownerID: world.users["office"]!)
        await server.app.importJobs.add(job)
        world.importJob = job.id
        let policy = try await server.api(.POST, "/api/v1/policies", as: "office",
                                          json: ["text": Self.policy, "effectiveFrom": "2020-09-01"])
        #expect(policy.status == .created, "\(policy.body)")
        let cells = try await server.api(.GET, "/api/v1/compliance/cells", as: "office")
        #expect(cells.status == .ok, "\(cells.body.prefix(300))")
        for cell in try cells.decode(ComplianceCellsDTO.self).cells where cell.subject.kind == .cadre && world.cells[cell.subject.id] == nil {
            world.cells[cell.subject.id] = "subject=\(cell.subject.id)&rule=\(cell.ruleID)&period=\(cell.period.id.urlQueryEncoded)"
        }
        #expect(Set(world.cells.keys).isSuperset(of: ["T001", "T002", "T004"]))
        let mine = try await server.api(.POST, "/api/v1/cases", as: "student", json: ["text": "宿舍网络经常断线", "category": "life"])
        #expect(mine.status == .created, "\(mine.body)")
        world.cases["student"] = try mine.decode(CaseDTO.self).id
        let assigned = try await server.api(.POST, "/api/v1/cases/\(world.cases["student"]!)/actions", as: "office",
                                            json: ["action": "assign", "unitCode": "CS"])
        #expect(assigned.status == .ok, "\(assigned.body)")
        let scan = try EvidenceService.sanitize([.init(name: "scan.png", data: EvidenceAndPairingTests.png)])
        let office = CurrentUser(id: world.users["office"]!, username: "office", displayName: "office", role: .businessAdmin)
        let thisYear = Calendar(identifier: .gregorian).component(.year, from: Date())
        for unit in ["CS", "ME"] {
            let filing = try await FilingPages.create(FilingInput(unitCode: unit, kind: "arrangement-plan", termCode: "\(thisYear - 1)-\(thisYear)-1",
                                                                  submittedOn: LocalDate(Date()).iso),
                                                      files: scan, store: server.app.evidenceStore, by: office, today: LocalDate(Date()), now: Date(), on: db)
            world.filingAttachments[unit] = try #require(try await FilingAttachmentModel.query(on: db).filter(\.$filing.$id == filing.id!).first()).id!
            let document = FilingDocumentModel()
            document.$unit.id = world.units[unit]!
            document.termCode = filing.termCode
            document.kind = "semester-summary"
            document.title = "\(unit)工作总结"
            document.body = "一、基本情况"
            document.status = FilingDocumentStatus.draft.rawValue
            document.version = 0
            document.createdBy = "office"
            document.createdAt = Date()
            document.updatedAt = Date()
            try await document.create(on: db)
            world.filingDocuments[unit] = document.id!
            let file = FilingDocumentFileModel()
            file.$document.id = document.id!
            file.sha256 = scan[0].1.sha256
            file.kind = scan[0].1.kind.rawValue
            file.size = scan[0].1.bytes.count
            file.originalName = "scan.png"
            file.addedBy = "office"
            file.createdAt = Date()
            try await file.create(on: db)
            world.filingDocumentFiles[unit] = file.id!
        }
        let draft = BulletinModel()
        draft.title = "关于测试期间的通报"
        draft.period = "term:x"
        draft.periodName = "测试期间"
        draft.body = "各单位："
        draft.status = "draft"
        draft.concerned = "CS"
        draft.createdBy = "office"
        draft.createdAt = Date()
        try await draft.create(on: db)
        world.bulletin = draft.id!
        // Each unit's own month drawn: the matrix only reads and answers them.
        for unit in ["CS", "ME"] {
            let batch = SpotCheckModel()
            batch.$unit.id = world.units[unit]!
            batch.month = "2020-01"
            batch.share = 0.1
            batch.seed = "matrix"
            batch.lines = 0
            batch.drawnBy = "office"
            batch.drawnAt = Date()
            try await batch.create(on: db)
            world.spotChecks[unit] = batch.id!
        }
        await server.app.dossierJobs.add(.init(id: world.dossierJob, ownerID: world.users["office"]!, title: "全校考核材料", state: .done,
                                               done: 1, total: 1, zip: try ZipFile.make([("a.docx", Data("x".utf8))]), fileName: "考核材料.zip"))
        for unit in ["CS", "ME"] {
            let reply = try await server.api(.POST, "/api/v1/cases", as: "office", json: ["text": "接待日反映：\(unit)", "unitCode": unit])
            #expect(reply.status == .created, "\(reply.body)")
            world.cases[unit] = try reply.decode(CaseDTO.self).id
        }
        return world
    }

    static let policy = """
        id: matrix
        title: 矩阵测试规定
        roles:
          all:
            label: 全体干部
            rankAtLeast: deputy-section-chief
        rules:
          - id: visit-per-term
            title: 每学期走访宿舍
            who: all
            count:
              kinds: [dorm-visit]
              atLeast: 1
              per: term
            source: "每学期至少走访一次"
        """

    static func postRecord(_ browser: Browser, collective: String, place: String) async throws -> TestServer.Reply {
        let form = try await browser.get("/ledger/new?kind=dorm-visit")
        let token = try #require(Browser.csrf(in: form.body))
        let now = Date()
        let (type, body) = EvidenceAndPairingTests.multipart(
            [("_csrf", token), ("kind", "dorm-visit"), ("start", LedgerPages.localInput(now.addingTimeInterval(-1800))),
             ("end", LedgerPages.localInput(now.addingTimeInterval(-60))), ("place", place), ("collectiveCodes[]", collective),
             ("participantCount", "3"), ("action", "submit")], files: [("photos[]", "p.png", EvidenceAndPairingTests.png)])
        var headers = HTTPHeaders()
        headers.add(name: .cookie, value: browser.cookieHeader)
        headers.add(name: .contentType, value: type)
        return try await browser.server.request(.POST, "/ledger/new", headers: headers, body: body)
    }

    /// The caller's own, same-unit and other-unit object of a kind, or nil where the caller has no such object.
    static func object(_ object: Object, _ variant: Variant, for username: String, in world: World) -> String? {
        let staff = cadreAccounts[username]
        switch (object, variant) {
        case (.unit, .own), (.unitCode, .own): return nil
        case (.unit, .sameUnit): return world.units["CS"]!.uuidString
        case (.unit, .otherUnit): return world.units["ME"]!.uuidString
        case (.unitCode, .sameUnit): return "CS"
        case (.unitCode, .otherUnit): return "ME"
        case (.cadre, .own): return staff.map { world.cadres[$0]!.uuidString }
        case (.cadre, .sameUnit): return world.cadres[staff == "T004" ? "T001" : "T004"]!.uuidString
        case (.cadre, .otherUnit): return world.cadres["T002"]!.uuidString
        case (.collective, .own): return username == "student" ? world.collectives["CS2301"]!.uuidString : nil
        case (.collective, .sameUnit): return world.collectives["CS2302"]!.uuidString
        case (.collective, .otherUnit): return world.collectives["ME2301"]!.uuidString
        case (.student, .own): return username == "student" ? world.students["2023010101"]!.uuidString : nil
        case (.student, .sameUnit): return world.students["2023010102"]!.uuidString
        case (.student, .otherUnit): return world.students["2023020101"]!.uuidString
        case (.contact, .own), (.attachment, .own), (.confirmation, .own):
            // The student took part in T001's visit to their class: that record is theirs too.
            guard let owner = staff ?? (username == "student" ? "T001" : nil) else { return nil }
            return recordObject(object, owner, world)
        case (.contact, .sameUnit), (.attachment, .sameUnit), (.confirmation, .sameUnit):
            return recordObject(object, staff == "T004" || username == "student" ? "T004" : (staff == "T001" ? "T004" : "T001"), world)
        case (.contact, .otherUnit), (.attachment, .otherUnit), (.confirmation, .otherUnit):
            return recordObject(object, "T002", world)
        case (.user, .own): return world.users[username]?.uuidString
        case (.user, .sameUnit): return world.users[username == "cadre-cs" ? "cadre" : "cadre-cs"]!.uuidString
        case (.user, .otherUnit): return world.users["cadre-me"]!.uuidString
        case (.token, .own): return world.tokens[username]?.uuidString
        case (.token, .sameUnit): return world.tokens[username == "cadre-cs" ? "cadre" : "cadre-cs"]!.uuidString
        case (.token, .otherUnit): return world.tokens["cadre-me"]!.uuidString
        case (.importJob, .own): return username == "office" ? world.importJob.uuidString : nil
        case (.importJob, .sameUnit): return nil
        case (.importJob, .otherUnit): return username == "office" ? nil : world.importJob.uuidString
        case (.studentCase, .own): return (username == "cadre-me" ? world.cases["ME"] : world.cases["student"])!.uuidString
        case (.studentCase, .sameUnit): return username == "cadre-me" ? nil : world.cases["CS"]!.uuidString
        case (.studentCase, .otherUnit): return (username == "cadre-me" ? world.cases["student"] : world.cases["ME"])!.uuidString
        case (.staffNumber, .own): return staff
        case (.staffNumber, .sameUnit): return staff == "T004" ? "T001" : "T004"
        case (.staffNumber, .otherUnit): return "T002"
        case (.bulletin, .sameUnit): return world.bulletin.uuidString
        case (.bulletin, _): return nil
        case (.spotCheck, .own): return nil
        case (.spotCheck, .sameUnit): return world.spotChecks["CS"]!.uuidString
        case (.spotCheck, .otherUnit): return world.spotChecks["ME"]!.uuidString
        case (.dossierJob, .own): return username == "office" ? world.dossierJob.uuidString : nil
        case (.dossierJob, .sameUnit): return nil
        case (.dossierJob, .otherUnit): return username == "office" ? nil : world.dossierJob.uuidString
        case (.filingDocument, .own), (.filingDocumentFile, .own): return nil
        case (.filingDocument, .sameUnit): return world.filingDocuments["CS"]!.uuidString
        case (.filingDocument, .otherUnit): return world.filingDocuments["ME"]!.uuidString
        case (.filingDocumentFile, .sameUnit): return world.filingDocumentFiles["CS"]!.uuidString
        case (.filingDocumentFile, .otherUnit): return world.filingDocumentFiles["ME"]!.uuidString
        case (.filingAttachment, .own): return nil
        case (.filingAttachment, .sameUnit): return world.filingAttachments["CS"]!.uuidString
        case (.filingAttachment, .otherUnit): return world.filingAttachments["ME"]!.uuidString
        case (.cell, .own): return staff.flatMap { world.cells[$0] }
        case (.cell, .sameUnit): return world.cells[staff == "T004" ? "T001" : "T004"]
        case (.cell, .otherUnit): return world.cells["T002"]
        }
    }

    static func recordObject(_ object: Object, _ staff: String, _ world: World) -> String {
        switch object {
        case .contact: world.contacts[staff]!.uuidString
        case .attachment: world.attachments[staff]!.uuidString
        default: world.codes[staff]!
        }
    }

    static func objectKind(of path: String) -> Object? {
        guard path.contains(":") || path == SitePattern.complianceCell.rawValue || path == "/api/v1/confirmations" else { return nil }
        let table: [(String, Object)] = [
            ("/compliance/units/:code", .unitCode), ("/units/:id", .unit), ("/cadres/:id", .cadre), ("/collectives/:id", .collective),
            ("/filings/attachments/:id", .filingAttachment), ("/dossiers/cadres/:code", .staffNumber), ("/dossiers/units/:code", .unitCode), ("/dossiers/batch/:id", .dossierJob), ("/spotchecks/:id", .spotCheck), ("/bulletins/:id", .bulletin),
            ("/filings/documents/:id", .filingDocument), ("/filings/document-files/:id", .filingDocumentFile),
            ("/students/:id", .student), ("/ledger/:id", .contact), ("/contacts/:id", .contact), ("/attachments/:id", .attachment),
            ("/c/:code", .confirmation), ("/users/:id", .user), ("/tokens/:id", .token), ("/import/jobs/:id", .importJob),
            ("/cases/:id", .studentCase),
        ]
        if path == SitePattern.complianceCell.rawValue { return .cell }
        if path == "/api/v1/confirmations" { return .confirmation }
        return table.first { path.contains($0.0) }?.1
    }

    static func fill(_ path: String, with id: String?) -> String {
        if path == SitePattern.complianceCell.rawValue { return path + "?" + (id ?? "") }
        if path == "/api/v1/confirmations" { return path }
        return path.split(separator: "/").map { part -> String in
            switch part {
            case ":kind": "units"
            case _ where part.hasPrefix(":"): id ?? UUID().uuidString
            default: String(part)
            }
        }.joined(separator: "/").prepending("/")
    }

    // MARK: - Running it

    struct Cell: CustomStringConvertible {
        var route: String, username: String, variant: Variant?, status: UInt, location: String?
        /// Which of the readers-only texts the answer contained.
        var seen: [String] = []
        var description: String { "\(route) \(username) \(variant?.rawValue ?? "-") → \(status)\(location.map { " " + $0 } ?? "") [\(seen.joined(separator: ","))]" }

        /// Refused before the handler did anything: not signed in, not allowed, or not found in the caller's scope.
        var denied: Bool { [401, 403, 404].contains(status) || (route.hasPrefix("GET ") && location?.hasPrefix("/login") == true) }
    }

    static let usernames = AccessTests.usernames.values.sorted() + ["(anonymous)"]

    static func role(of username: String) -> Role? { AccessTests.usernames.first { $0.value == username }?.key }

    /// Reads first, writes after, and the writes that can end a session last.
    static func ordered(_ routes: [(key: String, method: HTTPMethod, path: String)]) -> [(key: String, method: HTTPMethod, path: String)] {
        func rank(_ route: (key: String, method: HTTPMethod, path: String)) -> Int {
            if route.method == .GET { return 0 }
            return ["deactivate", "reset", "logout", "password", "role"].contains { route.path.contains($0) } ? 2 : 1
        }
        return routes.sorted { (rank($0), $0.key) < (rank($1), $1.key) }
    }

    @Test("every role × every route × every object answers as the table says; no denied cell is served")
    func matrix() async throws {
        try await TestServer.with { server in
            let world = try await Self.build(server)
            let routes = server.app.routes.all.map { route -> (key: String, method: HTTPMethod, path: String) in
                let path = "/" + route.path.map(\.description).joined(separator: "/")
                return ("\(route.method.rawValue) \(path)", route.method, path)
            }
            // Every route has an access rule in code and an entry here; no entry names a route that is gone.
            let unlisted = routes.map(\.key).filter { Self.spec[$0] == nil }
            #expect(unlisted.isEmpty, "routes without a matrix entry — decide who may use them: \(unlisted)")
            let undeclared = server.app.routes.all.filter { $0.userInfo[Access.userInfoKey] == nil }.map { "\($0.method) \($0.path)" }
            #expect(undeclared.isEmpty, "routes registered without an access rule: \(undeclared)")
            let stale = Set(Self.spec.keys).subtracting(routes.map(\.key))
            #expect(stale.isEmpty, "matrix entries for routes that no longer exist: \(stale.sorted())")

            var cells: [Cell] = []
            var wrong: [String] = []
            for username in Self.usernames {
                let role = Self.role(of: username)
                let browser = server.browser()
                if role != nil { try await browser.login(username) }
                var csrf = Browser.csrf(in: try await browser.get(role == nil ? "/login" : "/").body) ?? ""
                for (key, method, path) in Self.ordered(routes) {
                    guard let rule = Self.spec[key] else { continue }
                    let kind = Self.objectKind(of: path)
                    let variants: [Variant?] = kind == nil ? [nil] : [.otherUnit, .sameUnit, .own]
                    for variant in variants {
                        var id: String?
                        if let kind, let variant {
                            guard let found = Self.object(kind, variant, for: username, in: world) else { continue }
                            id = found
                        }
                        // The confirmation API names its record in the body, not the path.
                        let body = path == "/api/v1/confirmations" ? "{\"code\":\"\(id ?? "")\"}" : "{}"
                        let reply = try await Self.send(method, Self.fill(path, with: id), body: body, csrf: csrf, browser)
                        let markers = ["T001", "T004", "T002"].map(Self.place) + Self.studentNames.values.sorted() + [Self.sensitiveNote]
                        let cell = Cell(route: key, username: username, variant: variant, status: reply.status.code,
                                        location: reply.headers.first(name: .location), seen: markers.filter { reply.body.contains($0) })
                        cells.append(cell)
                        wrong += Self.check(cell, rule: rule, role: role, kind: kind, id: id, world: world)
                        // A write may end the caller's session (logout, own password, revoked credentials): start a new one.
                        if method != .GET, role != nil, try await browser.get("/api/v1/me").status != .ok {
                            try await Self.restore(username, server)
                            try await browser.login(username)
                            csrf = Browser.csrf(in: try await browser.get("/").body) ?? ""
                        }
                    }
                }
            }
            Self.dump(cells)
            #expect(wrong.isEmpty, "\(wrong.count) cells answer otherwise than the table:\n\(wrong.prefix(40).joined(separator: "\n"))")
            let denied = cells.filter { cell in
                let rule = Self.spec[cell.route]!
                return !rule.allows(Self.role(of: cell.username), cell.variant)
            }
            #expect(cells.count > 1_200, "\(cells.count) cells")
            #expect(denied.count > 700, "\(denied.count) denied cells")
            #expect(denied.allSatisfy { !(200..<300).contains($0.status) }, "a denied cell was answered 2xx")
            print("authorization matrix: \(routes.count) routes, \(cells.count) cells, \(denied.count) denied, 0 denied answered 2xx")
        }
    }

    /// `YIXIAN_MATRIX_DUMP=1` writes every cell to /tmp/matrix.txt, for reading the whole matrix.
    static func dump(_ cells: [Cell]) {
        guard ProcessInfo.processInfo.environment["YIXIAN_MATRIX_DUMP"] != nil else { return }
        try? cells.map(\.description).joined(separator: "\n").write(toFile: "/tmp/matrix.txt", atomically: true, encoding: .utf8)
    }

    static func send(_ method: HTTPMethod, _ url: String, body: String, csrf: String, _ browser: Browser) async throws -> TestServer.Reply {
        guard method != .GET else { return try await browser.get(url) }
        var headers = HTTPHeaders()
        headers.add(name: CSRF.header, value: csrf)
        if url.hasPrefix("/api/") {
            headers.contentType = .json
            if !browser.cookies.isEmpty { headers.add(name: .cookie, value: browser.cookieHeader) }
            return try await browser.server.request(method, url, headers: headers, body: Data(body.utf8))
        }
        return try await browser.send(method, url, form: ["_csrf": csrf], headers: headers)
    }

    /// What is wrong with one cell: a server error, a refusal where the table allows, an answer where
    /// it denies, or text the caller may not read (or, on the object's own page, text missing).
    static func check(_ cell: Cell, rule: Rule, role: Role?, kind: Object?, id: String?, world: World) -> [String] {
        var wrong: [String] = []
        let allowed = rule.allows(role, cell.variant)
        if cell.status >= 500 { wrong.append("\(cell): server error") }
        if allowed, cell.denied, rule.who != nil { wrong.append("\(cell): refused, the table allows it") }
        // 409 counts as refused: the one denied write that reaches the handler is deactivating oneself.
        if !allowed, !cell.denied, cell.status != 409 { wrong.append("\(cell): answered, the table denies it") }
        for staff in ["T001", "T004", "T002"] where cell.seen.contains(Self.place(staff)) && !Self.mayReadRecord(cell.username, of: staff) {
            wrong.append("\(cell): shows \(staff)'s record")
        }
        for (number, name) in Self.studentNames where cell.seen.contains(name) && !Self.mayReadStudent(cell.username, number, sensitive: false) {
            wrong.append("\(cell): shows student \(number)")
        }
        if cell.seen.contains(Self.sensitiveNote), !Self.mayReadStudent(cell.username, "2023010101", sensitive: true) {
            wrong.append("\(cell): shows a hardship note")
        }
        // Not vacuous: a record's own page, to one who may read it, shows it.
        if cell.route.hasPrefix("GET "), !cell.route.hasSuffix("/history"), (kind == .contact || kind == .confirmation), cell.status == 200,
           let staff = ["T001", "T004", "T002"].first(where: { Self.recordObject(kind!, $0, world) == id }),
           Self.mayReadRecord(cell.username, of: staff), !cell.seen.contains(Self.place(staff)) {
            wrong.append("\(cell): the record's page does not show it")
        }
        return wrong
    }

    /// Puts an account back as the fixture made it, after a cell deactivated it or changed its password.
    static func restore(_ username: String, _ server: TestServer) async throws {
        let user = try await server.user(username)
        user.active = true
        user.passwordHash = try Bcrypt.hash(TestServer.password, cost: 4)
        user.mustChangePassword = false
        try await user.save(on: server.app.db)
    }
}
