import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// "No acknowledged write is ever lost": runs the real `yixian` binary, writes through the API,
/// kills the process with SIGKILL and checks every acknowledged record after a restart.
@Suite("Durability")
struct DurabilityTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func binary() throws -> URL {
        let candidates = [".build/debug/yixian", ".build/x86_64-unknown-linux-gnu/debug/yixian", ".build/aarch64-unknown-linux-gnu/debug/yixian"]
            .map { packageRoot.appendingPathComponent($0) }
        return try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) },
                            "build the executable first (`swift build`); looked in \(candidates.map(\.path))")
    }

    static func run(_ arguments: [String], environment: [String: String]) throws -> String {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "yixian \(arguments) exited \(process.terminationStatus)")
        return String(decoding: data, as: UTF8.self)
    }

    static func serve(port: Int, environment: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = ["serve", "--hostname", "127.0.0.1", "--port", String(port)]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func request(_ method: String, _ url: String, token: String, body: Data? = nil, idempotencyKey: String? = nil) async throws -> (Int, Data) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.timeoutInterval = 30
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        if let idempotencyKey { request.setValue(idempotencyKey, forHTTPHeaderField: "Idempotency-Key") }
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as! HTTPURLResponse).statusCode, data)
    }

    static func waitUntilUp(_ base: String) async throws {
        for _ in 0..<200 {
            if let (_, response) = try? await URLSession.shared.data(from: URL(string: base + "/readyz")!),
               (response as? HTTPURLResponse)?.statusCode == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("server at \(base) did not come up")
    }

    @Test("records acknowledged before a kill -9 are all there after restart")
    func killNine() async throws {
        // setup
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("yixian-kill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = ["YIXIAN_SQLITE_PATH": directory.appendingPathComponent("y.sqlite").path, "YIXIAN_BCRYPT_COST": "4",
                           "DATABASE_URL": "", "LOG_LEVEL": "error"]
        _ = try Self.run(["user", "create", "--username", "office", "--role", "business-admin", "--password", "password123"], environment: environment)
        let token = try Self.run(["token", "create", "--user", "office"], environment: environment)
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.hasPrefix("yx_") }
        let secret = try #require(token)
        let port = 21_000 + Int(ProcessInfo.processInfo.processIdentifier % 5_000)
        let base = "http://127.0.0.1:\(port)"

        // act: write, then kill without warning
        var server = try Self.serve(port: port, environment: environment)
        try await Self.waitUntilUp(base)
        var acknowledged: [String] = []
        for i in 0..<40 {
            let code = "K\(i)"
            let body = try JSONSerialization.data(withJSONObject: ["code": code, "name": "单位\(i)", "kind": "college"])
            let (status, _) = try await Self.request("POST", base + "/api/v1/units", token: secret, body: body)
            if status == 201 { acknowledged.append(code) }
        }
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
        #expect(server.terminationReason == .uncaughtSignal)

        // check: restart and read everything back
        server = try Self.serve(port: port, environment: environment)
        defer { server.terminate(); server.waitUntilExit() }
        try await Self.waitUntilUp(base)
        let (status, data) = try await Self.request("GET", base + "/api/v1/units?per=500", token: secret)
        #expect(status == 200)
        let items = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["items"] as? [[String: Any]])
        let stored = Set(items.compactMap { $0["code"] as? String })
        #expect(acknowledged.count == 40)
        #expect(Set(acknowledged).isSubset(of: stored), "lost: \(Set(acknowledged).subtracting(stored))")
    }

    /// Concurrent writers with Idempotency-Keys, the server killed mid-flight, then every request
    /// whose answer was lost retried with its key: nothing acknowledged is lost, nothing is stored
    /// twice, and SQLite's own check passes. A few runs, bounded in count and time.
    @Test("kill -9 under concurrent keyed writes: 0 lost, 0 duplicated, integrity_check ok")
    func killNineWithIdempotencyKeys() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("yixian-kill-idem-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("y.sqlite").path
        let environment = ["YIXIAN_SQLITE_PATH": database, "YIXIAN_DATA_DIR": directory.path, "YIXIAN_BCRYPT_COST": "4",
                           "DATABASE_URL": "", "LOG_LEVEL": "error", "YIXIAN_RATE_LIMIT": "off"]
        _ = try Self.run(["demo"], environment: environment)
        let token = try #require(try Self.run(["token", "create", "--user", "cadre"], environment: environment)
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.hasPrefix("yx_") })
        let port = 26_000 + Int(ProcessInfo.processInfo.processIdentifier % 5_000)
        let base = "http://127.0.0.1:\(port)"

        var server = try Self.serve(port: port, environment: environment)
        try await Self.waitUntilUp(base)
        // A collective this cadre may record against: one of their own earlier records names it.
        let (_, listing) = try await Self.request("GET", base + "/api/v1/contacts?per=1", token: token)
        let sample = try #require(((try JSONSerialization.jsonObject(with: listing) as? [String: Any])?["items"] as? [[String: Any]])?.first)
        let collectives = try #require(sample["collectiveCodes"] as? [String])
        func body(_ key: String, minutesAgo: Int) throws -> Data {
            let end = Date().addingTimeInterval(Double(-60 * minutesAgo))
            let iso = ISO8601DateFormatter()
            return try JSONSerialization.data(withJSONObject: [
                "kind": "face-to-face", "start": iso.string(from: end.addingTimeInterval(-1800)), "end": iso.string(from: end),
                "place": "学生活动中心", "collectiveCodes": collectives, "participantCount": 3, "summary": "kill9 \(key)",
            ] as [String: Any])
        }

        var acknowledged = Set<String>(), unanswered: [String: Data] = [:], runs = 0
        for run in 0..<3 {
            runs += 1
            let answered = AnswerCount()
            let outcomes = try await withThrowingTaskGroup(of: (String, Data, Int?).self) { group in
                for writer in 0..<4 {
                    for i in 0..<25 {
                        let key = "r\(run)-w\(writer)-\(i)"
                        let payload = try body(key, minutesAgo: 60 + run * 400 + writer * 100 + i * 3)
                        group.addTask {
                            let status = try? await Self.request("POST", base + "/api/v1/contacts", token: token, body: payload, idempotencyKey: key).0
                            if status == 201 { await answered.add() }
                            return (key, payload, status)
                        }
                    }
                }
                // Kill while requests are in flight: after the first few acknowledgements (a fixed
                // delay killed before any on a loaded machine), and at the latest after 30 s.
                let deadline = ContinuousClock.now + .seconds(30)
                while await answered.value < 3 + run * 5, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
                kill(server.processIdentifier, SIGKILL)
                return try await group.reduce(into: [(String, Data, Int?)]()) { $0.append($1) }
            }
            server.waitUntilExit()
            for (key, payload, status) in outcomes {
                if status == 201 { acknowledged.insert(key) } else { unanswered[key] = payload }
            }
            server = try Self.serve(port: port, environment: environment)
            try await Self.waitUntilUp(base)
        }
        defer { server.terminate(); server.waitUntilExit() }
        // Retry every request whose answer was lost, with its key: it runs once or is recognised.
        var retried: [Int: Int] = [:]
        for (key, payload) in unanswered {
            let (status, _) = try await Self.request("POST", base + "/api/v1/contacts", token: token, body: payload, idempotencyKey: key)
            retried[status, default: 0] += 1
            #expect([201, 409].contains(status), "retry of \(key) answered \(status)")
        }
        let since = ISO8601DateFormatter.string(from: Date().addingTimeInterval(-3 * 86400), timeZone: TimeZone(identifier: "Asia/Shanghai")!,
                                                formatOptions: [.withFullDate])
        let (status, data) = try await Self.request("GET", base + "/api/v1/contacts?per=500&from=\(since)", token: token)
        #expect(status == 200, "\(String(decoding: data, as: UTF8.self).prefix(300))")
        let summaries = ((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["items"] as? [[String: Any]] ?? [])
            .compactMap { $0["summary"] as? String }.filter { $0.hasPrefix("kill9 ") }
        let counts = Dictionary(grouping: summaries, by: { String($0.dropFirst("kill9 ".count)) }).mapValues(\.count)
        let lost = acknowledged.filter { counts[$0] == nil }
        let duplicated = counts.filter { $0.value > 1 }.map(\.key)
        #expect(lost.isEmpty, "lost: \(lost.sorted())")
        #expect(duplicated.isEmpty, "stored twice: \(duplicated.sorted())")
        #expect(counts.count == acknowledged.count + unanswered.count, "every key stored once after the retries")
        #expect(runs == 3 && !acknowledged.isEmpty && !unanswered.isEmpty, "the kill landed mid-flight: \(acknowledged.count) acknowledged, \(unanswered.count) cut off")
        server.terminate()
        server.waitUntilExit()
        #expect(try Self.integrityCheck(database) == "ok")
        print("kill -9 with keys: \(runs) runs, \(acknowledged.count) acknowledged, \(unanswered.count) retried \(retried), 0 lost, 0 duplicated")
    }

    static func integrityCheck(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('pragma integrity_check').fetchone()[0])", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Acknowledged writes so far, shared by the writer tasks and the killer.
actor AnswerCount {
    private(set) var value = 0
    func add() { value += 1 }
}
