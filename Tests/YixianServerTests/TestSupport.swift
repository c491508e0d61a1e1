import Fluent
import FluentPostgresDriver
import Foundation
import SQLKit
import Testing
import Vapor
import YixianCore
@testable import YixianServer

/// A real server for one test: its own SQLite file (or its own PostgreSQL schema when
/// `YIXIAN_TEST_POSTGRES_URL` is set), migrated, seeded with a small university, listening
/// on a loopback port; requests go over real HTTP.
final class TestServer: @unchecked Sendable {
    let app: Application
    let baseURL: String
    let directory: URL
    private let pgSchema: String?

    static let password = "password123"

    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["YIXIAN_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static func start(seed: Bool = true, adjust: (inout AppConfig) -> Void = { _ in }) async throws -> TestServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("yixian-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var config = AppConfig(storage: .sqlite(path: directory.appendingPathComponent("test.sqlite").path), bcryptCost: 4,
                               dataDirectory: directory.path)
        // Tests fire hundreds of requests a second from one address; the limiter has its own test.
        config.rateLimits.enabled = false
        // Each request sees every earlier one's writes, whoever made them; DataVersionTests covers staleness.
        config.staleReadSeconds = 0
        adjust(&config)
        let app = try await Application.make(.testing)
        do {
            return try await start(app, config: config, directory: directory, seed: seed)
        } catch {
            // An Application that deinitializes without shutdown traps, which would hide
            // this error behind a crash of the whole test process.
            try? await app.asyncShutdown()
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    private static func start(_ app: Application, config: AppConfig, directory: URL, seed: Bool) async throws -> TestServer {
        var config = config
        var schema: String?
        if let url = postgresURL {
            schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            config.storage = .postgres(url: url)
        }
        app.logger.logLevel = .warning
        app.yixian = config
        if let schema, let url = postgresURL {
            // Each test gets its own schema so that tests run in parallel on one server.
            var pg = try SQLPostgresConfiguration(url: url)
            pg.searchPath = [schema]
            app.databases.use(.postgres(configuration: pg, maxConnectionsPerEventLoop: 2), as: .psql)
            try await (app.db as! any SQLDatabase).raw("CREATE SCHEMA \(unsafeRaw: schema)").run()
        }
        try await configure(app, config: config)
        try await app.autoMigrate()
        app.http.server.configuration.port = 0
        app.http.server.configuration.hostname = "127.0.0.1"
        app.http.client.configuration.redirectConfiguration = .disallow
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = app.http.server.shared.localAddress!.port!
        let server = TestServer(app: app, baseURL: "http://127.0.0.1:\(port)", directory: directory, pgSchema: schema)
        if seed {
            do { try await server.seed() } catch {
                await app.server.shutdown()
                throw error
            }
        }
        return server
    }

    private init(app: Application, baseURL: String, directory: URL, pgSchema: String?) {
        self.app = app
        self.baseURL = baseURL
        self.directory = directory
        self.pgSchema = pgSchema
    }

    func shutdown() async throws {
        await app.server.shutdown()
        if let pgSchema {
            try? await (app.db as! any SQLDatabase).raw("DROP SCHEMA \(unsafeRaw: pgSchema) CASCADE").run()
        }
        try await app.asyncShutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs a test body against a fresh server and always shuts it down.
    static func with(seed: Bool = true, adjust: (inout AppConfig) -> Void = { _ in }, _ body: (TestServer) async throws -> Void) async throws {
        try await ServerSlots.shared.acquire()
        defer { Task { await ServerSlots.shared.release() } }
        let server = try await start(seed: seed, adjust: adjust)
        do {
            try await body(server)
        } catch {
            try await server.shutdown()
            throw error
        }
        try await server.shutdown()
    }

    // MARK: - Fixture: two colleges, a student-work department, one account per role

    func seed() async throws {
        let db = app.db
        try await db.write { db in
            _ = try await RosterStore.apply(units: [
                Unit(code: "CS", name: "计算机学院", kind: .college, sortOrder: 1),
                Unit(code: "ME", name: "机械工程学院", kind: .college, sortOrder: 2),
                Unit(code: "XGB", name: "党委学生工作部", kind: .studentWork, sortOrder: 3),
            ], on: db)
            _ = try await RosterStore.apply(collectives: [
                Collective(code: "CS2301", name: "计算机2301班", kind: .class, unitCode: "CS", grade: 2023, size: 30),
                Collective(code: "ME2301", name: "机械2301班", kind: .class, unitCode: "ME", grade: 2023, size: 28),
            ], on: db)
            _ = try await RosterStore.apply(cadres: [
                Cadre(staffNumber: "T001", name: "张伟", unitCode: "CS", posts: ["党委副书记"], rank: .deputyDirector, partyMember: true, tags: ["student-work"]),
                Cadre(staffNumber: "T002", name: "李娜", unitCode: "ME", posts: ["院长"], rank: .director, partyMember: true),
                Cadre(staffNumber: "T003", name: "王强", unitCode: "XGB", posts: ["部长"], rank: .director, partyMember: true),
            ], on: db)
            _ = try await RosterStore.apply(students: [
                Student(studentNumber: "2023010101", name: "陈晨", unitCode: "CS", collectiveCodes: ["CS2301"]),
                Student(studentNumber: "2023020101", name: "刘洋", unitCode: "ME", collectiveCodes: ["ME2301"]),
            ], on: db)
            let s1 = try await StudentModel.query(on: db).filter(\StudentModel.$studentNumber == "2023010101").first()!
            let flags = StudentSensitiveModel()
            flags.$student.id = s1.id!
            flags.apply(SensitiveFlags(familyHardship: true, note: "家庭经济困难，已纳入资助"))
            try await flags.create(on: db)
        }
        let accounts: [(String, Role, String?, String?, String?)] = [
            ("admin", .systemAdmin, nil, nil, nil), ("security", .securityAdmin, nil, nil, nil), ("audit", .auditAdmin, nil, nil, nil),
            ("office", .businessAdmin, nil, nil, nil), ("secretary", .unitSecretary, "CS", nil, nil), ("cadre", .cadre, nil, "T001", nil),
            ("assessor", .assessor, nil, nil, nil), ("student", .student, nil, nil, "2023010101"),
        ]
        for (username, role, unit, staff, student) in accounts {
            try await Accounts.createUser(.init(username: username, displayName: username, password: Self.password, role: role, unitCode: unit,
                                                cadreStaffNumber: staff, studentNumber: student),
                                          cost: 4, pool: app.threadPool, by: .system, on: db)
        }
    }

    func cadre(_ staffNumber: String) async throws -> CadreModel {
        let found = try await CadreModel.query(on: app.db).filter(\.$staffNumber == staffNumber).first()
        return try #require(found)
    }

    func student(_ number: String) async throws -> StudentModel {
        let found = try await StudentModel.query(on: app.db).filter(\.$studentNumber == number).first()
        return try #require(found)
    }

    func user(_ username: String) async throws -> UserModel {
        let found = try await UserModel.query(on: app.db).filter(\.$username == username).first()
        return try #require(found)
    }

    // MARK: - HTTP

    struct Reply: Sendable {
        var status: HTTPStatus
        var headers: HTTPHeaders
        var body: String
        var data: Data

        func json() throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "not a JSON object: \(body.prefix(300))")
        }

        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try JSONDecoder.api.decode(T.self, from: data)
        }

        var errorCode: String? { (try? json())?["error"].flatMap { ($0 as? [String: Any])?["code"] as? String } }
        var errorField: String? { (try? json())?["error"].flatMap { ($0 as? [String: Any])?["field"] as? String } }
    }

    func request(_ method: HTTPMethod, _ path: String, headers: HTTPHeaders = [:], body: Data? = nil) async throws -> Reply {
        var headers = headers
        if headers.first(name: .host) == nil { headers.add(name: .host, value: String(baseURL.dropFirst("http://".count))) }
        let response = try await app.client.send(method, headers: headers, to: URI(string: baseURL + path)) { req in
            if let body { req.body = ByteBuffer(data: body) }
        }
        let data = response.body.map { Data(buffer: $0) } ?? Data()
        return Reply(status: response.status, headers: response.headers, body: String(decoding: data, as: UTF8.self), data: data)
    }

    /// A personal access token for a fixture account.
    func token(_ username: String) async throws -> String {
        try await Accounts.createToken(username: username, name: "test", by: .system, on: app.db)
    }

    func api(_ method: HTTPMethod, _ path: String, as username: String?, json: Any? = nil, raw: Data? = nil) async throws -> Reply {
        var headers = HTTPHeaders()
        if let username { headers.bearerAuthorization = .init(token: try await token(username)) }
        var body = raw
        if let json {
            headers.contentType = .json
            body = try JSONSerialization.data(withJSONObject: json)
        }
        return try await request(method, path, headers: headers, body: body)
    }

    /// A browser-like session: cookies kept, CSRF token scraped from forms.
    func browser() -> Browser { Browser(server: self) }
}

final class Browser: @unchecked Sendable {
    let server: TestServer
    var cookies: [String: String] = [:]

    init(server: TestServer) { self.server = server }

    var cookieHeader: String { cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }

    @discardableResult
    func get(_ path: String) async throws -> TestServer.Reply {
        try await send(.GET, path)
    }

    func send(_ method: HTTPMethod, _ path: String, form: [String: String]? = nil, headers extra: HTTPHeaders = [:]) async throws -> TestServer.Reply {
        var headers = extra
        if !cookies.isEmpty { headers.add(name: .cookie, value: cookieHeader) }
        var body: Data?
        if let form {
            headers.contentType = .urlEncodedForm
            body = Data(form.map { "\($0.key.urlQueryEncoded)=\($0.value.urlQueryEncoded)" }.joined(separator: "&").utf8)
        }
        let reply = try await server.request(method, path, headers: headers, body: body)
        for cookie in reply.headers[.setCookie] {
            let pair = cookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            let name = String(pair[0]), value = pair.count > 1 ? String(pair[1]) : ""
            if value.isEmpty { cookies[name] = nil } else { cookies[name] = value }
        }
        return reply
    }

    /// A raw body (a multipart upload) with the session's cookies.
    func send(_ method: HTTPMethod, _ path: String, headers extra: HTTPHeaders, body: Data) async throws -> TestServer.Reply {
        var headers = extra
        if !cookies.isEmpty { headers.add(name: .cookie, value: cookieHeader) }
        return try await server.request(method, path, headers: headers, body: body)
    }

    /// The CSRF token embedded in the last page's forms.
    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: "name=\"_csrf\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    @discardableResult
    func login(_ username: String, password: String = TestServer.password) async throws -> TestServer.Reply {
        let page = try await get("/login")
        let token = try #require(Browser.csrf(in: page.body))
        return try await send(.POST, "/login", form: ["username": username, "password": password, "_csrf": token])
    }

    /// POSTs a form with the session's CSRF token taken from a page the user can see.
    func post(_ path: String, form: [String: String] = [:], tokenFrom page: String = "/") async throws -> TestServer.Reply {
        let html = try await get(page).body
        var form = form
        form["_csrf"] = Browser.csrf(in: html) ?? ""
        return try await send(.POST, path, form: form)
    }
}

extension JSONDecoder {
    static let api: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}

/// Swift Testing starts every test at once; on a 2-core machine dozens of servers, each
/// fsyncing its own SQLite file, starve one another until connection requests time out.
/// A few servers at a time finish sooner and never time out.
actor ServerSlots {
    static let shared = ServerSlots(limit: max(4, ProcessInfo.processInfo.activeProcessorCount * 2))

    private let limit: Int
    private var inUse = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { self.limit = limit }

    func acquire() async throws {
        if inUse < limit {
            inUse += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            inUse -= 1
        } else {
            waiting.removeFirst().resume()  // the slot passes straight to the next waiter
        }
    }
}
