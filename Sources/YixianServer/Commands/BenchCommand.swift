import ConsoleKit
import Fluent
import Plot
import Foundation
import Vapor
import YixianCore

/// `yixian bench import`: imports the large demo's 30,000 students from .xlsx and from .csv
/// into the configured database, end to end (parse, validate, write in one transaction).
struct BenchCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "what", help: "import, policy, render or dossiers") var what: String
        @Option(name: "policy", help: "policy file for `bench policy` (default: a built-in policy with every rule kind)") var policy: String?
        @Option(name: "keep", help: "bench import: write the students' .xlsx into this directory (for scripts/bench-import.sh)") var keep: String?
        @Option(name: "rounds", help: "bench import: only import the .xlsx this many times, each into an empty students table") var rounds: Int?
    }
    var help: String { "Run a benchmark and print its figures (see docs/PERFORMANCE.md)" }

    func run(using context: CommandContext, signature: Signature) async throws {
        switch signature.what {
        case "import": break
        case "render":
            context.console.print(RenderBenchmark.run())
            return
        case "policy":
            let text = try signature.policy.map { try PolicyCommands.read($0, context) }
            context.console.print(ComplianceBenchmark.run(policyText: text))
            return
        case "dossiers":
            let text = try signature.policy.map { try PolicyCommands.read($0, context) } ?? ComplianceService.presetText("hnust-2025", directory: nil)
            guard let text else { context.console.error("policies/hnust-2025.yaml not found; pass --policy"); throw ExitCode(1) }
            context.console.print(DossierBenchmark.run(policy: try PolicyLoader.load(text, fileName: "policy.yaml"), asOf: LocalDate(Date())))
            return
        default:
            context.console.error("unknown benchmark \(signature.what); try: import, policy, render, dossiers")
            throw ExitCode(2)
        }
        let app = context.application
        try await app.autoMigrate()
        let empty = try await DemoLoader.isEmpty(on: app.db)
        // Rounds reuse the units and collectives a first run stored (the demo is the same every time).
        guard empty || signature.rounds != nil else {
            context.console.error("bench import needs an empty database (set YIXIAN_SQLITE_PATH to a new file)")
            throw ExitCode(1)
        }
        let demo = DemoUniversity.generate(scale: .large, seed: DemoLoader.seed, asOf: LocalDate(Date()))
        if empty {
            try await app.db.write { db in
                _ = try await RosterStore.apply(units: demo.units, on: db)
                _ = try await RosterStore.apply(collectives: demo.collectives, on: db)
            }
        }
        let xlsx = try RosterExport.xlsx(demo.students)
        if let keep = signature.keep { try xlsx.write(to: URL(fileURLWithPath: keep).appendingPathComponent("students.xlsx")) }
        /// Into an empty students table: (seconds, students created).
        func timedImport(_ data: Data, format: String) async throws -> (Double, Int) {
            // Every round starts from the same state: no students, memberships, or the accounts a previous round made for them.
            try await UserModel.query(on: app.db).filter(\.$student.$id != nil).delete()
            try await StudentCollectiveModel.query(on: app.db).delete()
            try await StudentModel.query(on: app.db).delete()
            let start = ContinuousClock.now
            let phases = PhaseClock()
            let report = try await PhaseClock.$current.withValue(phases) {
                try await ImportExport.run(.students, data: data, fileName: "students.\(format)", mode: .commit, language: .zh,
                                           actor: .system, on: app.db)
            }
            let elapsed = ContinuousClock.now - start
            context.console.print("  " + phases.summary)
            return (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, report.outcome?.created ?? 0)
        }
        if let rounds = signature.rounds {
            for _ in 0..<rounds {
                let (seconds, created) = try await timedImport(xlsx, format: "xlsx")
                context.console.print(String(format: "xlsx import %.3f s, created %d", seconds, created))
            }
            return
        }
        let files: [(String, Data)] = [("xlsx", xlsx), ("csv", RosterExport.csv(demo.students))]
        for (format, data) in files {
            let (seconds, created) = try await timedImport(data, format: format)
            context.console.print(String(format: "import %d students from .%@ (%.1f MB): %.2f s, %.0f rows/s, created %d",
                                         demo.students.count, format, Double(data.count) / 1e6, seconds, Double(demo.students.count) / seconds,
                                         created))
        }
        context.console.print(ImportBenchmark.run(students: demo.students.count))
    }
}

/// `yixian bench render`: what escaping every attribute and the rate limiter cost,
/// against the reference of the same page with plain values, measured in one run.
enum RenderBenchmark {
    static func run(rows: Int = 500, rounds: Int = 40) -> String {
        let ctx = PageContext(user: nil, language: .zh, path: "/students", pathWithQuery: "/students?q=x")
        func page(_ name: (Int) -> String) -> String {
            let cells: [[Node<HTML.TableRowContext>]] = (0..<rows).map { i in
                [Components.cell("20230101\(i)", href: SiteRoute.student(UUID()).path(query: ["q": name(i)])), Components.cell(name(i)),
                 .td(.form(.input(.type(.text), .name("n\(i)"), .value(name(i))), .input(.type(.hidden), .name("t"), .value(name(i)))))]
            }
            return Layout.page(ctx, title: name(0), content: Components.table(ctx, headers: ["学号", "姓名", "表单"], rows: cells, empty: .empty))
        }
        func time(_ body: () -> Void) -> Double {
            var best = Double.infinity
            for _ in 0..<5 {
                let start = ContinuousClock.now
                for _ in 0..<rounds { body() }
                let elapsed = ContinuousClock.now - start
                best = min(best, (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) / Double(rounds))
            }
            return best
        }
        let plain = time { _ = page { "陈晨\($0)" } }
        let hostile = time { _ = page { "陈\"><b x='\($0)'>&amp;" } }
        let limiter = RateLimiter(settings: .init())
        let limit = RateLimiter.Limit(rate: 1e9, burst: 1e9)
        let calls = 200_000
        let start = ContinuousClock.now
        for i in 0..<calls { _ = limiter.take("user:r:\(i % 1000)", limit: limit) }
        let elapsed = ContinuousClock.now - start
        let perTake = (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) / Double(calls)
        return String(format: """
            render a %d-row page (4 attributes a row): plain values %.2f ms, every value escaped %.2f ms (%.2f×)
            rate limiter: %.2f µs per request (%.3f%% of one plain page)
            """, rows, plain * 1000, hostile * 1000, hostile / plain, perTake * 1e6, perTake / plain * 100)
    }
}
