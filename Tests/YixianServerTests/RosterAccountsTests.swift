import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import YixianCore
@testable import YixianServer

@Suite("Accounts for the roster and first sign-in with an activation code")
struct RosterAccountsTests {
    static let newPassword = "Qingshan-lu-42"

    /// The codes of a unit's slips page, by username.
    static func codes(in html: String) -> [String: String] {
        var result: [String: String] = [:]
        var rest = html[...]
        while let slip = rest.range(of: "data-username=\"") {
            let username = String(rest[slip.upperBound...].prefix { $0 != "\"" })
            guard let code = rest[slip.upperBound...].range(of: "data-code=\"") else { break }
            result[username] = String(rest[code.upperBound...].prefix { $0 != "\"" })
            rest = rest[code.upperBound...]
        }
        return result
    }

    @Test("the office makes the roster's accounts once; nobody can sign in before activating; the code works once")
    func provisionAndActivate() async throws {
        try await TestServer.with { server in
            let office = server.browser()
            try await office.login("office")
            let made = try await office.post("/admin/accounts/provision", form: ["who": "all"], tokenFrom: "/admin/accounts")
            #expect(made.status == .ok, "\(made.body)")
            // T002 and T003 had no account; the fixture's second student neither. T001 and 2023010101 already do.
            #expect(made.body.contains("干部 2 个，学生 1 个"), "\(made.body)")
            let again = try await office.post("/admin/accounts/provision", form: ["who": "all"], tokenFrom: "/admin/accounts")
            #expect(again.body.contains("干部 0 个，学生 0 个"))
            let li = try await server.user("T002")
            let liCadre = try await server.cadre("T002")
            #expect(li.roleValue == .cadre && li.$cadre.id == liCadre.id && li.displayName == "李娜")
            #expect(li.$unit.id == liCadre.$unit.id)
            #expect(li.passwordHash == RosterAccounts.noPassword)
            #expect(li.createdAt != nil && li.active && li.failedLogins == 0)
            // Made inside the database (SQLite) or in Swift (PostgreSQL): every new id is a random, version 4 UUID as Fluent reads it.
            let ids = try await (server.app.db as! any SQLDatabase).raw("SELECT id FROM users").all().map { try $0.decode(column: "id", as: UUID.self) }
            #expect(Set(ids).count == ids.count)
            #expect(try ids.contains(#require(li.id)))
            #expect(li.id.map { $0.uuid.6 >> 4 == 4 && ($0.uuid.8 & 0xC0) == 0x80 } == true, "version 4, RFC 4122 variant: \(li.id!)")

            // No password works before activation, not even the bcrypt dummy's.
            let early = try await server.browser().login("T002", password: Self.newPassword)
            #expect(early.status == .unauthorized)

            let slips = try await office.post("/admin/accounts/codes", form: ["who": "cadres", "onlyWithoutCode": "1", "format": "print"],
                                              tokenFrom: "/admin/accounts")
            #expect(slips.status == .ok)
            #expect(slips.headers.first(name: .cacheControl) == "no-store")
            let codes = Self.codes(in: slips.body)
            #expect(Set(codes.keys) == ["T002", "T003"], "\(codes)")
            let code = try #require(codes["T002"])
            #expect(code.count == 11 && code.allSatisfy { RosterAccounts.codeAlphabet.contains($0) || $0 == "-" })
            let stored = try await ActivationCodeModel.query(on: server.app.db).all()
            #expect(stored.count == 2 && !stored.contains { $0.codeHash.contains(code) })

            // "Only without a live code" gives nobody a second one.
            let none = try await office.post("/admin/accounts/codes", form: ["who": "cadres", "onlyWithoutCode": "1"], tokenFrom: "/admin/accounts")
            #expect(Self.codes(in: none.body).isEmpty)

            // Activation: lower case and without the dash, as people type it.
            let li2 = server.browser()
            let page = try await li2.get("/activate")
            let token = try #require(Browser.csrf(in: page.body))
            let typed = code.lowercased().replacingOccurrences(of: "-", with: "")
            let weak = try await li2.send(.POST, "/activate", form: ["username": "T002", "code": typed, "password": "12345678", "confirmation": "12345678", "_csrf": token])
            #expect(weak.status == .unprocessableEntity)
            #expect(try await ActivationCodeModel.query(on: server.app.db).count() == 2, "a refused password spends no code")
            let done = try await li2.send(.POST, "/activate", form: ["username": "T002", "code": typed, "password": Self.newPassword,
                                                                     "confirmation": Self.newPassword, "_csrf": token])
            #expect(done.status == .seeOther || done.status == .found, "\(done.status) \(done.body)")
            let home = try await li2.get("/")
            #expect(home.body.contains("data-user-role=\"cadre\""))
            #expect(try await server.user("T002").passwordHash != RosterAccounts.noPassword)

            // The code is spent; the new password signs in.
            let reuse = server.browser()
            let reusePage = try await reuse.get("/activate")
            let replay = try await reuse.send(.POST, "/activate", form: ["username": "T002", "code": code, "password": "Another-pass-77",
                                                                          "confirmation": "Another-pass-77", "_csrf": Browser.csrf(in: reusePage.body) ?? ""])
            #expect(replay.status == .unauthorized)
            #expect(try await server.browser().login("T002", password: Self.newPassword).status != .unauthorized)

            let audit = try await AuditEventModel.query(on: server.app.db).all().map(\.action)
            #expect(audit.contains("accounts.provision") && audit.contains("activation.issue") && audit.contains("account.activate")
                    && audit.contains("activation.failure"))
        }
    }

    @Test("a wrong code, an unknown name and an expired code get one answer, and guessing is throttled")
    func wrongCodes() async throws {
        try await TestServer.with { server in
            let issued = try await server.app.db.write { db in
                _ = try await RosterAccounts.provision(.cadres, by: .system, now: Date(), on: db)
                return try await RosterAccounts.issueCodes(.cadres, unit: nil, onlyWithoutCode: false, by: .system, now: Date(), on: db)
            }
            #expect(issued.map(\.username).sorted() == ["T002", "T003"])
            // T003's code has run out.
            try await (server.app.db as! any SQLDatabase).raw("UPDATE activation_codes SET expires_at = \(bind: Date(timeIntervalSinceNow: -60))").run()
            let expired = try #require(issued.first { $0.username == "T003" }?.code)
            let browser = server.browser()
            func attempt(_ username: String, _ code: String) async throws -> TestServer.Reply {
                let page = try await browser.get("/activate")
                return try await browser.send(.POST, "/activate", form: ["username": username, "code": code, "password": Self.newPassword,
                                                                         "confirmation": Self.newPassword, "_csrf": Browser.csrf(in: page.body) ?? ""])
            }
            let answers = [try await attempt("T003", expired), try await attempt("T002", "AAAAA-AAAAA"), try await attempt("nobody", "AAAAA-AAAAA"),
                           try await attempt("cadre", "AAAAA-AAAAA")]
            for reply in answers {
                #expect(reply.status == .unauthorized)
                #expect(reply.body.contains("用户名或激活码不正确"))
            }
            #expect(try await server.user("T003").passwordHash == RosterAccounts.noPassword)
            for _ in 0..<4 { _ = try await attempt("T002", "BBBBB-BBBBB") }  // the fifth failure on one name
            let blocked = try await attempt("T002", "CCCCC-CCCCC")
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.headers.first(name: .retryAfter) != nil)
        }
    }

    @Test("a secretary provisions and issues codes for their own unit only; cadres and students cannot")
    func scope() async throws {
        try await TestServer.with { server in
            let secretary = try await server.api(.POST, "/api/v1/accounts/provision", as: "secretary", json: ["who": "all"])
            #expect(secretary.status == .ok, "\(secretary.body)")
            let made = try secretary.decode(RosterAccounts.Provisioned.self)
            #expect(made.cadres == 0 && made.students == 0, "CS's cadre and student already have accounts")
            let me = try await UnitModel.query(on: server.app.db).filter(\.$code == "ME").first()!
            let other = try await server.api(.POST, "/api/v1/accounts/provision", as: "secretary", json: ["who": "all", "unit": me.id!.uuidString])
            #expect(other.status == .notFound)
            #expect(try await UserModel.query(on: server.app.db).filter(\.$username == "T002").first() == nil, "nothing made elsewhere")
            for role in ["cadre", "student", "assessor", "audit"] {
                #expect(try await server.api(.POST, "/api/v1/accounts/activation-codes", as: role, json: ["who": "all"]).status == .forbidden, "\(role)")
            }
            let bad = try await server.api(.POST, "/api/v1/accounts/provision", as: "office", json: ["who": "everyone"])
            #expect(bad.status == .unprocessableEntity || bad.status == .badRequest)

            let office = try await server.api(.POST, "/api/v1/accounts/provision", as: "office", json: ["who": "cadres", "unit": me.id!.uuidString])
            #expect(try office.decode(RosterAccounts.Provisioned.self) == .init(cadres: 1, students: 0, conflicts: []))
            let counts = try await server.api(.GET, "/api/v1/accounts/roster?who=cadres", as: "office").decode(RosterAccounts.Counts.self)
            #expect(counts == .init(withoutAccount: 1, pending: 1, pendingWithCode: 0, activated: 1))
            let codes = try await server.api(.POST, "/api/v1/accounts/activation-codes", as: "office", json: ["who": "cadres"])
            #expect(try codes.decode(ActivationPages.ActivationCodesDTO.self).items.map(\.username) == ["T002"])
        }
    }

    @Test("a staff number already used as another account's name is reported, not overwritten")
    func conflicts() async throws {
        try await TestServer.with { server in
            try await Accounts.createUser(.init(username: "T003", displayName: "someone else", password: TestServer.password, role: .assessor),
                                          cost: 4, pool: server.app.threadPool, by: .system, on: server.app.db)
            let made = try await server.app.db.write { db in try await RosterAccounts.provision(.cadres, by: .system, now: Date(), on: db) }
            #expect(made == .init(cadres: 1, students: 0, conflicts: ["T003"]))
            #expect(try await server.user("T003").roleValue == .assessor)
        }
    }

    @Test("more slips than one page can print are refused before any code is made")
    func tooManySlips() async throws {
        try await TestServer.with { server in
            _ = try await server.app.db.write { db in try await RosterAccounts.provision(.cadres, by: .system, now: Date(), on: db) }
            await #expect(throws: AppError.self) {
                try await server.app.db.write { db in
                    try await RosterAccounts.issueCodes(.cadres, unit: nil, onlyWithoutCode: false, maximum: 1, by: .system, now: Date(), on: db)
                }
            }
            #expect(try await ActivationCodeModel.query(on: server.app.db).count() == 0)
        }
    }

    @Test("codes last 30 days of real time, whatever business day the server runs on (YIXIAN_TODAY, a fixed clock)")
    func realTimeExpiry() async throws {
        let past = LocalDate("2025-10-01")!.startInstant()
        try await TestServer.with(adjust: { $0.clock = .fixed(past) }) { server in
            _ = try await server.api(.POST, "/api/v1/accounts/provision", as: "office", json: ["who": "cadres"])
            let codes = try await server.api(.POST, "/api/v1/accounts/activation-codes", as: "office", json: ["who": "cadres"])
                .decode(ActivationPages.ActivationCodesDTO.self).items
            let code = try #require(codes.first { $0.username == "T002" }?.code)
            let browser = server.browser()
            let page = try await browser.get("/activate")
            let done = try await browser.send(.POST, "/activate", form: ["username": "T002", "code": code, "password": Self.newPassword,
                                                                         "confirmation": Self.newPassword, "_csrf": Browser.csrf(in: page.body) ?? ""])
            #expect(done.status == .seeOther, "a fresh code works: \(done.status)")
        }
    }

    @Test("codes as CSV open in Excel as UTF-8 and cannot smuggle a formula")
    func csv() {
        let data = RosterAccounts.csv([.init(username: "2023", name: "=HYPERLINK(\"x\")", role: "学生", unit: "计算机学院", code: "ABCDE-FGHJK", expiresOn: "2027-01-06")])
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.hasPrefix("\u{FEFF}用户名,姓名"))
        #expect(text.contains("'=HYPERLINK("), "a formula is neutralised: \(text)")
        #expect(RosterAccounts.normalize(" abcde fghjk ") == RosterAccounts.normalize("ABCDE-FGHJK"))
        let codes = (0..<500).map { _ in RosterAccounts.newCode() }
        #expect(Set(codes).count == 500)
        #expect(codes.allSatisfy { $0.count == 11 && !$0.contains("0") && !$0.contains("O") && !$0.contains("1") && !$0.contains("I") })
    }
}
