import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import YixianCore
@testable import YixianServer

/// Issue 7's findings, one regression test each (those not covered by their own suites).
@Suite("Security review findings")
struct SecurityFindingsTests {
    @Test("redirect targets taken from the request stay on this site", arguments: [
        "/%5Cexample.com", "//example.com", "/\\example.com", "https://example.com", "/%09/example.com",
        "/%2F%2Fexample.com", "javascript:alert(1)", "\\\\example.com", "/ /example.com",
    ])
    func noOpenRedirect(target: String) async throws {
        #expect(LocalPath.validated(target.removingPercentEncoding ?? target) == nil, "\(target)")
        try await TestServer.with { server in
            let browser = server.browser()
            let language = try await browser.get("/language?to=en&back=\(target.urlQueryEncoded)")
            #expect(language.status == .seeOther)
            #expect(language.headers.first(name: .location) == "/", "\(target) → \(language.headers.first(name: .location) ?? "")")
            let raw = try await browser.get("/language?to=en&back=\(target)")
            #expect(raw.headers.first(name: .location).map { $0 == "/" || raw.status.code >= 400 } ?? true, "unencoded \(target)")
        }
    }

    @Test("local paths with their query strings are still followed")
    func localRedirectKept() async throws {
        #expect(LocalPath.validated("/compliance/units/CS?asOf=2026-11-01") == "/compliance/units/CS?asOf=2026-11-01")
        try await TestServer.with { server in
            let reply = try await server.browser().get("/language?to=en&back=\("/students?q=陈".urlQueryEncoded)")
            #expect(reply.headers.first(name: .location) == "/students?q=陈")
        }
    }

    // MARK: - Finding 4: scope leaks

    @Test("a secretary cannot put a student into another college's collective; the business admin can")
    func studentCollectiveScope() async throws {
        try await TestServer.with { server in
            let student = try await server.student("2023010101")
            let patch = try await server.api(.PATCH, "/api/v1/students/\(student.id!)", as: "secretary",
                                             json: ["collectiveCodes": ["CS2301", "ME2301"]])
            #expect(patch.status == .unprocessableEntity, "\(patch.body)")
            #expect(patch.errorField == "collectiveCodes")
            let codes = { try await StudentCollectiveModel.query(on: server.app.db).filter(\.$student.$id == student.id!).with(\.$collective).all().map(\.collective.code).sorted() }
            #expect(try await codes() == ["CS2301"], "nothing changed")
            let create = try await server.api(.POST, "/api/v1/students", as: "secretary",
                                              json: ["studentNumber": "2023019999", "name": "新生", "unitCode": "CS", "collectiveCodes": ["ME2301"]])
            #expect(create.status == .unprocessableEntity)
            let office = try await server.api(.PATCH, "/api/v1/students/\(student.id!)", as: "office", json: ["collectiveCodes": ["CS2301", "ME2301"]])
            #expect(office.status == .ok, "\(office.body)")
            // A membership made by the office may stay when the secretary edits the student.
            let keep = try await server.api(.PATCH, "/api/v1/students/\(student.id!)", as: "secretary", json: ["name": "陈晨晨", "collectiveCodes": ["CS2301", "ME2301"]])
            #expect(keep.status == .ok, "\(keep.body)")
        }
    }

    @Test("a secretary reads only their own unit through the units API")
    func unitScope() async throws {
        try await TestServer.with { server in
            let me = try #require(try await UnitModel.query(on: server.app.db).filter(\.$code == "ME").first())
            let cs = try #require(try await UnitModel.query(on: server.app.db).filter(\.$code == "CS").first())
            #expect(try await server.api(.GET, "/api/v1/units/\(me.id!)", as: "secretary").status == .notFound)
            #expect(try await server.api(.GET, "/api/v1/units/\(cs.id!)", as: "secretary").status == .ok)
            let list = try await server.api(.GET, "/api/v1/units", as: "secretary").decode(ListPage<UnitDTO>.self)
            #expect(list.items.map(\.code) == ["CS"])
            #expect(try await server.api(.GET, "/api/v1/units", as: "office").decode(ListPage<UnitDTO>.self).total == 3)
        }
    }

    @Test("integrity flags shared with another unit show a secretary only their own records")
    func integrityScope() async throws {
        try await TestServer.with { server in
            try await Accounts.createUser(.init(username: "cadre2", displayName: "李娜", password: TestServer.password, role: .cadre,
                                                cadreStaffNumber: "T002"), cost: 4, pool: server.app.threadPool, by: .system, on: server.app.db)
            let copied = "走访学生宿舍，了解同学们的学习和生活情况，反馈良好"
            let mine = try await server.api(.POST, "/api/v1/contacts", as: "cadre", json: LedgerTests.body(extra: ["summary": copied]))
            let theirs = try await server.api(.POST, "/api/v1/contacts", as: "cadre2",
                                              json: LedgerTests.body(start: Date().addingTimeInterval(-5 * 3600), end: Date().addingTimeInterval(-4 * 3600),
                                                                     collectives: ["ME2301"], extra: ["summary": copied]))
            #expect(mine.status == .created && theirs.status == .created, "\(theirs.body)")
            let theirID = try #require(try theirs.json()["id"] as? String)
            let office = server.browser()
            try await office.login("office")
            let all = try await office.get("/integrity?kind=copied-summary").body
            #expect(all.contains("李娜") && all.contains(theirID.lowercased()) || all.contains(theirID), "the office sees both")
            let secretary = server.browser()
            try await secretary.login("secretary")
            let scoped = try await secretary.get("/integrity?kind=copied-summary").body
            #expect(scoped.contains("张伟"), "the secretary's own cadre is listed")
            #expect(!scoped.contains("李娜"), "no other unit's cadre")
            #expect(!scoped.localizedCaseInsensitiveContains(theirID), "no link to the other unit's record")
        }
    }

    @Test("a confirmation code shows the record only to its students and to those who may read it")
    func confirmationPageScope() async throws {
        try await TestServer.with { server in
            let created = try await server.api(.POST, "/api/v1/contacts", as: "cadre", json: LedgerTests.body())
            let id = try #require(UUID(uuidString: try created.json()["id"] as? String ?? ""))
            let record = try #require(try await ContactRecordModel.find(id, on: server.app.db))
            for username in ["admin", "security", "audit"] {
                let browser = server.browser()
                try await browser.login(username)
                let page = try await browser.get("/c/\(record.confirmCode)")
                #expect(!page.body.contains("梅园3舍") && !page.body.contains("张伟"), "\(username) sees nothing of the record")
                #expect(!page.body.contains("我参加了"), "\(username) is offered no button")
            }
            let student = server.browser()
            try await student.login("student")
            let page = try await student.get("/c/\(record.confirmCode)")
            #expect(page.body.contains("梅园3舍") && page.body.contains("我参加了"))
        }
    }

    @Test("a draft's photos are its cadre's alone, like the draft")
    func draftAttachments() async throws {
        try await TestServer.with { server in
            let cadre = server.browser()
            try await cadre.login("cadre")
            let form = try await cadre.get("/ledger/new?kind=dorm-visit")
            let token = try #require(Browser.csrf(in: form.body))
            let now = Date()
            let (type, body) = EvidenceAndPairingTests.multipart(
                [("_csrf", token), ("kind", "dorm-visit"), ("start", LedgerPages.localInput(now.addingTimeInterval(-1800))),
                 ("end", LedgerPages.localInput(now.addingTimeInterval(-60))), ("place", "梅园3舍"), ("collectiveCodes[]", "CS2301"),
                 ("participantCount", "3"), ("action", "draft")], files: [("photos[]", "p.png", EvidenceAndPairingTests.png)])
            var headers = HTTPHeaders()
            headers.add(name: .cookie, value: cadre.cookieHeader)
            headers.add(name: .contentType, value: type)
            let saved = try await server.request(.POST, "/ledger/new", headers: headers, body: body)
            #expect(saved.status == .seeOther, "\(saved.body.prefix(300))")
            let attachment = try #require(try await AttachmentModel.query(on: server.app.db).first())
            #expect(try await cadre.get("/attachments/\(attachment.id!)").status == .ok)
            for username in ["office", "assessor", "secretary"] {
                let reader = server.browser()
                try await reader.login(username)
                #expect(try await reader.get("/attachments/\(attachment.id!)").status == .notFound, "\(username)")
            }
        }
    }

    // MARK: - Finding 5: corrections keep what they replaced

    @Test("a correction that drops a problem keeps it in the version history and says so in the audit")
    func correctionKeepsProblems() async throws {
        try await TestServer.with { server in
            let created = try await server.api(.POST, "/api/v1/contacts", as: "cadre",
                                               json: LedgerTests.body(extra: ["backdateReason": "", "problems": [["text": "热水供应不稳定", "category": "后勤"]]]))
            let id = try #require(try created.json()["id"] as? String)
            // Leaving problems out keeps them.
            var body = LedgerTests.body(extra: ["reason": "更正地点", "place": "梅园4舍"])
            body["problems"] = nil
            let kept = try await server.api(.PATCH, "/api/v1/contacts/\(id)", as: "cadre", json: body)
            #expect(kept.status == .ok, "\(kept.body)")
            #expect(try kept.decode(ContactDTO.self).problems.map(\.text) == ["热水供应不稳定"])
            let dropped = try await server.api(.PATCH, "/api/v1/contacts/\(id)", as: "cadre",
                                               json: LedgerTests.body(extra: ["reason": "问题已当场解决", "problems": [] as [Any]]))
            #expect(dropped.status == .ok, "\(dropped.body)")
            #expect(try dropped.decode(ContactDTO.self).problems.isEmpty)
            let history = try await server.api(.GET, "/api/v1/contacts/\(id)/history", as: "cadre")
            #expect(history.status == .ok)
            #expect(history.body.contains("热水供应不稳定"), "the version before the correction still holds the problem: \(history.body.prefix(600))")
            let audit = try await AuditEventModel.query(on: server.app.db).filter(\.$action == "contact.correct").all().map(\.detail)
            #expect(audit.contains { $0.contains("删除学生反映的问题 1 条") }, "\(audit)")
        }
    }

    // MARK: - Finding 6: PDFs are downloaded, never shown inline

    @Test("evidence PDFs are served as downloads in a sandbox")
    func pdfServedAsDownload() async throws {
        try await TestServer.with { server in
            let created = try await server.api(.POST, "/api/v1/contacts", as: "cadre", json: LedgerTests.body())
            let id = try #require(UUID(uuidString: try created.json()["id"] as? String ?? ""))
            let store = server.app.evidenceStore
            let upload = EvidenceService.Upload(name: "scan.pdf", data: Data("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n".utf8))
            let files = try EvidenceService.sanitize([upload])
            try await server.app.db.write { db in
                try await EvidenceService.attach(files, to: id, store: store, on: db)
            }
            let attachment = try #require(try await AttachmentModel.query(on: server.app.db).first())
            let reply = try await server.browser().loggedIn("cadre").get("/attachments/\(attachment.id!)")
            #expect(reply.status == .ok)
            #expect(reply.headers.first(name: .contentDisposition)?.hasPrefix("attachment;") == true)
            #expect(reply.headers.first(name: "Content-Security-Policy")?.hasPrefix("sandbox") == true)
        }
    }
}

extension SecurityFindingsTests {
    // MARK: - Idempotency

    @Test("an API retry with the same Idempotency-Key gets the first answer and makes no second record")
    func idempotentAPI() async throws {
        try await TestServer.with { server in
            let token = try await server.token("cadre")
            // A retry resends the same bytes (JSONSerialization may order keys differently each time).
            func post(_ key: String, _ body: Data) async throws -> TestServer.Reply {
                var headers = HTTPHeaders()
                headers.bearerAuthorization = .init(token: token)
                headers.contentType = .json
                headers.add(name: "Idempotency-Key", value: key)
                return try await server.request(.POST, "/api/v1/contacts", headers: headers, body: body)
            }
            func json(_ object: [String: Any]) throws -> Data { try JSONSerialization.data(withJSONObject: object) }
            let body = try json(LedgerTests.body())
            let first = try await post("k-1", body)
            let again = try await post("k-1", body)
            #expect(first.status == .created && again.status == .created, "\(again.status) \(again.body)")
            #expect(try first.json()["id"] as? String == (try again.json()["id"] as? String))
            #expect(again.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(try await ContactRecordModel.query(on: server.app.db).count() == 1)
            let other = try await post("k-1", try json(LedgerTests.body(extra: ["place": "另一处"])))
            #expect(other.status == .unprocessableEntity && other.errorCode == "idempotency_key_reused")
            // Five at once with one key: one record.
            let twin = try json(LedgerTests.body(start: Date().addingTimeInterval(-20000), end: Date().addingTimeInterval(-19000)))
            let replies = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<5 { group.addTask { try await post("k-2", twin).status } }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(replies.allSatisfy { $0 == .created || $0 == .conflict }, "\(replies.map(\.code))")
            #expect(try await ContactRecordModel.query(on: server.app.db).count() == 2)
            let bad = try await post(String(repeating: "x", count: 200), body)
            #expect(bad.status == .badRequest && bad.errorField == "Idempotency-Key")
        }
    }

    @Test("writers on every event loop queue for SQLite's one write lock instead of failing on it")
    func writersQueue() async throws {
        try await TestServer.with(seed: false) { server in
            // With no busy timeout SQLite refuses a second writer at once, so only the gate in
            // `Database.write` can make forty concurrent writes on both loops all succeed.
            // (On PostgreSQL, which has no single write lock, the forty writes must simply all commit.)
            for eventLoop in server.app.eventLoopGroup.makeIterator() where server.app.db.isSQLite {
                let db = try #require(server.app.databases.database(logger: server.app.logger, on: eventLoop) as? any SQLDatabase)
                try await db.raw("PRAGMA busy_timeout=0").run()
            }
            let failures = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        let eventLoop = server.app.eventLoopGroup.next()
                        let db = server.app.databases.database(logger: server.app.logger, on: eventLoop)!
                        do {
                            try await db.write { db in
                                let row = IdempotencyKeyModel()
                                row.principal = "gate"
                                row.key = "k-\(index)"
                                row.fingerprint = "f"
                                row.createdAt = Date()
                                try await row.create(on: db)
                                try await Task.sleep(for: .milliseconds(2))
                            }
                            return false
                        } catch {
                            return true
                        }
                    }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(failures == 0)
            #expect(try await IdempotencyKeyModel.query(on: server.app.db).filter(\.$principal == "gate").count() == 40)
        }
    }

    @Test("a double tap on the phone form stores one record")
    func idempotentForm() async throws {
        try await TestServer.with { server in
            let cadre = try await server.browser().loggedIn("cadre")
            let page = try await cadre.get("/ledger/new?kind=dorm-visit")
            let token = try #require(Browser.csrf(in: page.body))
            let key = try #require(page.body.range(of: "name=\"submissionKey\" value=\"").map { String(page.body[$0.upperBound...].prefix { $0 != "\"" }) })
            let now = Date()
            let form = ["_csrf": token, "submissionKey": key, "kind": "dorm-visit", "start": LedgerPages.localInput(now.addingTimeInterval(-1800)),
                        "end": LedgerPages.localInput(now.addingTimeInterval(-60)), "place": "梅园3舍", "collectiveCodes[]": "CS2301",
                        "participantCount": "3", "action": "submit"]
            let first = try await cadre.send(.POST, "/ledger/new", form: form)
            let second = try await cadre.send(.POST, "/ledger/new", form: form)
            #expect(first.status == .seeOther && second.status == .seeOther)
            #expect(first.headers.first(name: .location) == second.headers.first(name: .location))
            #expect(try await ContactRecordModel.query(on: server.app.db).count() == 1)
        }
    }

    // MARK: - Finding 8: malformed requests

    @Test("a gzip body (a zip bomb: 4 MB in 4 KB) is refused with 415 before anything reads it, not a 500")
    func gzipBomb() async throws {
        try await TestServer.with { server in
            // 4 MB of spaces compress to a few KB; the route accepts 64 KB.
            let compressed = try gzip(Data(repeating: 0x20, count: 4 << 20))
            #expect(compressed.count < 10_000)
            let port = Int(server.baseURL.split(separator: ":").last!)!
            let token = try await server.token("cadre")
            let head = "POST /api/v1/contacts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\n"
                + "Content-Encoding: gzip\r\nContent-Length: \(compressed.count)\r\nConnection: close\r\n\r\n"
            let answer = try await RawHTTP.exchange(port: port, bytes: Array(head.utf8) + Array(compressed), endInput: false)
            #expect(answer.hasPrefix("HTTP/1.1 415"), "\(answer.prefix(200))")
            #expect(answer.contains("Content-Encoding"))
            #expect(try await ContactRecordModel.query(on: server.app.db).count() == 0)
            #expect(try await server.request(.GET, "/healthz").status == .ok)
        }
    }

    @Test("a body cut off mid-way is not a server error, and the server goes on")
    func truncatedBody() async throws {
        try await TestServer.with { server in
            let port = Int(server.baseURL.split(separator: ":").last!)!
            let answer = try await RawHTTP.exchange(port: port, "POST /api/v1/contacts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"kind\":")
            #expect(!answer.hasPrefix("HTTP/1.1 5"), "\(answer.prefix(80))")
            let garbage = try await RawHTTP.exchange(port: port, "POST /api/v1/contacts HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")
            #expect(garbage.isEmpty || garbage.hasPrefix("HTTP/1.1 4"), "\(garbage.prefix(80))")
            #expect(try await server.request(.GET, "/healthz").status == .ok)
        }
    }

    @Test("a connection that sends nothing is closed after the idle timeout")
    func idleConnectionsClosed() async throws {
        try await TestServer.with(adjust: { $0.idleTimeoutSeconds = 5 }) { server in
            let port = Int(server.baseURL.split(separator: ":").last!)!
            let started = Date()
            // Half a request line, then silence: the server hangs up instead of waiting for ever.
            let answer = try await RawHTTP.exchange(port: port, "GET /healthz HT", endInput: false)
            let waited = Date().timeIntervalSince(started)
            #expect(answer.isEmpty)
            #expect(waited >= 4 && waited < 9.5, "closed after \(waited) s")
        }
    }

    @Test("HSTS is sent when the site is declared HTTPS")
    func hsts() async throws {
        try await TestServer.with { server in
            let plain = try await server.request(.GET, "/login").headers.first(name: "Strict-Transport-Security")
            #expect(plain == nil)
            server.app.yixian.secureCookies = true
            let secure = try await server.request(.GET, "/login").headers.first(name: "Strict-Transport-Security")
            #expect(secure?.hasPrefix("max-age=") == true, "\(secure ?? "none")")
        }
    }

    @Test("a client past its bucket gets 429 with Retry-After; another account is still served")
    func rateLimit() async throws {
        try await TestServer.with { server in
            var settings = RateLimiter.Settings()
            settings.reads = .init(rate: 0.5, burst: 5)
            server.app.storage[RateLimiterKey.self] = RateLimiter(settings: settings)
            var statuses: [UInt] = []
            let token = try await server.token("office")
            for _ in 0..<8 {
                var headers = HTTPHeaders()
                headers.bearerAuthorization = .init(token: token)
                let reply = try await server.request(.GET, "/api/v1/units", headers: headers)
                statuses.append(reply.status.code)
                if reply.status == .tooManyRequests {
                    #expect(Int(reply.headers.first(name: .retryAfter) ?? "") ?? 0 >= 1)
                    #expect(reply.errorCode == "rate_limited")
                }
            }
            #expect(statuses.prefix(5).allSatisfy { $0 == 200 }, "\(statuses)")
            #expect(statuses.suffix(3).allSatisfy { $0 == 429 }, "\(statuses)")
            #expect(try await server.request(.GET, "/healthz").status == .ok, "health checks are never limited")
        }
        let limiter = RateLimiter(settings: .init())
        let limit = RateLimiter.Limit(rate: 1, burst: 2)
        #expect(limiter.take("a", limit: limit, now: 0) == nil)
        #expect(limiter.take("a", limit: limit, now: 0) == nil)
        #expect(limiter.take("a", limit: limit, now: 0) == 1)
        #expect(limiter.take("b", limit: limit, now: 0) == nil, "buckets are per key")
        #expect(limiter.take("a", limit: limit, now: 1.5) == nil, "a token comes back each second")
    }

    func gzip(_ data: Data) throws -> Data {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("body")
        try data.write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-9", file.path]
        try process.run()
        process.waitUntilExit()
        return try Data(contentsOf: file.appendingPathExtension("gz"))
    }
}

/// A request written byte for byte on a socket, for what an HTTP client will not send.
enum RawHTTP {
    /// `endInput`: close our side after sending, as a client that gave up mid-body does (the server,
    /// which allows no half-closed connections, then closes too). Otherwise send `Connection: close`.
    static func exchange(port: Int, _ text: String, endInput: Bool = true) async throws -> String {
        try await exchange(port: port, bytes: Array(text.utf8), endInput: endInput)
    }

    /// On a thread of its own: a blocking `recv` on one of the two cooperative threads, while other
    /// suites run, can leave the server under test no thread to answer on.
    static func exchange(port: Int, bytes: [UInt8], endInput: Bool) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try blockingExchange(port: port, bytes: bytes, endInput: endInput) })
            }
        }
    }

    private static func blockingExchange(port: Int, bytes: [UInt8], endInput: Bool) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        if endInput { shutdown(fd, Int32(SHUT_WR)) }
        var received = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            received += buffer[0..<n]
        }
        return String(decoding: received, as: UTF8.self)
    }
}

extension Browser {
    func loggedIn(_ username: String) async throws -> Browser {
        try await login(username)
        return self
    }
}
