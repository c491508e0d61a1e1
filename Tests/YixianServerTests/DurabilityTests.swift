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

    static func request(_ method: String, _ url: String, token: String, body: Data? = nil) async throws -> (Int, Data) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
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
}
