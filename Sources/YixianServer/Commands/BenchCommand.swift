import ConsoleKit
import Fluent
import Foundation
import Vapor
import YixianCore

/// `yixian bench import`: imports the large demo's 30,000 students from .xlsx and from .csv
/// into the configured database, end to end (parse, validate, write in one transaction).
struct BenchCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "what", help: "import or policy") var what: String
        @Option(name: "policy", help: "policy file for `bench policy` (default: a built-in policy with every rule kind)") var policy: String?
    }
    var help: String { "Run a benchmark and print its figures (see docs/PERFORMANCE.md)" }

    func run(using context: CommandContext, signature: Signature) async throws {
        switch signature.what {
        case "import": break
        case "policy":
            let text = try signature.policy.map { try PolicyCommands.read($0, context) }
            context.console.print(ComplianceBenchmark.run(policyText: text))
            return
        default:
            context.console.error("unknown benchmark \(signature.what); try: import, policy")
            throw ExitCode(2)
        }
        let app = context.application
        try await app.autoMigrate()
        guard try await DemoLoader.isEmpty(on: app.db) else {
            context.console.error("bench import needs an empty database (set YIXIAN_SQLITE_PATH to a new file)")
            throw ExitCode(1)
        }
        let demo = DemoUniversity.generate(scale: .large, seed: DemoLoader.seed, asOf: LocalDate(Date()))
        try await app.db.write { db in
            _ = try await RosterStore.apply(units: demo.units, on: db)
            _ = try await RosterStore.apply(collectives: demo.collectives, on: db)
        }
        let files: [(String, Data)] = [("xlsx", try RosterExport.xlsx(demo.students)), ("csv", RosterExport.csv(demo.students))]
        for (format, data) in files {
            try await StudentCollectiveModel.query(on: app.db).delete()
            try await StudentModel.query(on: app.db).delete()
            let start = ContinuousClock.now
            let report = try await ImportExport.run(.students, data: data, fileName: "students.\(format)", mode: .commit, language: .zh,
                                                    actor: .system, on: app.db)
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            context.console.print(String(format: "import %d students from .%@ (%.1f MB): %.2f s, %.0f rows/s, created %d",
                                         demo.students.count, format, Double(data.count) / 1e6, seconds, Double(demo.students.count) / seconds,
                                         report.outcome?.created ?? 0))
        }
        context.console.print(ImportBenchmark.run(students: demo.students.count))
    }
}
