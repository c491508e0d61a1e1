import Foundation
import Testing

/// The `yixian` binary as a newcomer runs it from any directory.
@Suite("Command line")
struct CommandLineTests {
    /// Runs the binary in `directory`; returns exit status and standard output.
    static func run(_ arguments: [String], in directory: URL) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = try DurabilityTests.binary()
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        for key in ["DATABASE_URL", "YIXIAN_SQLITE_PATH", "YIXIAN_DATA_DIR"] { environment[key] = nil }
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("policy check and explain read files only: no database appears where they run")
    func policyCommandsTouchNoDatabase() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("yixian-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let preset = DurabilityTests.packageRoot.appendingPathComponent("policies/moe-2019.yaml").path
        let broken = directory.appendingPathComponent("broken.yaml")
        try "id: x\nrules:\n  - id: r\n    who: nobody\n".write(to: broken, atomically: true, encoding: .utf8)

        let (checked, _) = try Self.run(["policy", "check", preset], in: directory)
        let (explained, text) = try Self.run(["policy", "explain", preset], in: directory)
        let (refused, _) = try Self.run(["policy", "check", broken.path], in: directory)

        #expect(checked == 0)
        #expect(explained == 0)
        #expect(text.contains("思政"), "explain prints the rules in Chinese")
        #expect(refused == 1)
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(left == ["broken.yaml"], "nothing but the test's own file: \(left)")
    }

    @Test("policy check --scenario checks terms against the scenario's calendar: term 3 of two is exit 1 with the line")
    func checkAgainstAScenario() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("yixian-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let scenario = DurabilityTests.packageRoot.appendingPathComponent("scenarios/small-university.yaml").path
        let policy = directory.appendingPathComponent("plan.yaml")
        func write(term: Int) throws {
            try """
            id: plan-test
            title: 学期工作安排
            rules:
              - id: plan
                who: { units: any }
                filing: { kind: arrangement-plan, per: academic-year, term: \(term), deadline: "term-start +14d" }
            """.write(to: policy, atomically: true, encoding: .utf8)
        }
        try write(term: 3)
        let (alone, _) = try Self.run(["policy", "check", policy.path], in: directory)
        let (refused, output) = try Self.run(["policy", "check", policy.path, "--scenario", scenario], in: directory)
        #expect(alone == 0, "without a calendar a third term cannot be judged")
        #expect(refused == 1 && output.contains("没有第 3 学期") && output.contains("plan.yaml:6:"), "\(output)")
        try write(term: 2)
        #expect(try Self.run(["policy", "check", policy.path, "--scenario", scenario], in: directory).0 == 0)
    }
}
