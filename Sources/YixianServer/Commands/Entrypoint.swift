import Fluent
import Foundation
import Logging
import Vapor
import YixianCore

/// The `yixian` executable: `serve [--demo]`, `migrate`, `demo`, `user`, `token`, and more.
public enum Entrypoint {
    public static func main() async throws {
        var arguments = CommandLine.arguments
        let demo = arguments.contains("--demo")
        arguments.removeAll { $0 == "--demo" }
        if arguments.count == 1 { arguments.append("serve") }

        var env = try Environment.detect(arguments: arguments)
        try LoggingSystem.bootstrap(from: &env)
        let app = try await Application.make(env)
        do {
            // `policy check|explain|evaluate` read files only: they must not create ./data/yixian.sqlite
            // in whatever directory a newcomer runs them from.
            if arguments.dropFirst().first != "policy" { try await configure(app) }
            app.registerCommands()
            if arguments.dropFirst().first == "serve" {
                try await prepareServe(app, demo: demo, arguments: arguments)
            }
            try await app.execute()
        } catch {
            if !(error is ExitCode) { app.logger.report(error: error) }
            try? await app.asyncShutdown()
            exit((error as? ExitCode)?.code ?? 1)
        }
        try await app.asyncShutdown()
    }

    /// The first README command must work on a fresh machine: migrate, fill the demo, say where to log in.
    static func prepareServe(_ app: Application, demo: Bool, arguments: [String]) async throws {
        try await app.autoMigrate()
        var summary: DemoLoader.Summary?
        if demo {
            if try await DemoLoader.isEmpty(on: app.db) {
                app.logger.notice("generating the demo university…")
                summary = try await DemoLoader.load(app)
            } else if try await UserModel.query(on: app.db).filter(\UserModel.$username == "admin").first() != nil {
                // Read back from the accounts: regenerating the demo just to name them took 3 s of every start.
                let order = ["admin", "security", "audit", "office", "secretary", "cadre", "leader", "assessor", "student"]
                let users = try await UserModel.query(on: app.db).filter(\.$username ~~ order).all()
                let logins = users.sorted { order.firstIndex(of: $0.username)! < order.firstIndex(of: $1.username)! }
                    .map { DemoLogin(role: $0.role, username: $0.username, displayName: $0.displayName) }
                summary = .init(units: try await UnitModel.query(on: app.db).count(), cadres: try await CadreModel.query(on: app.db).count(),
                                collectives: try await CollectiveModel.query(on: app.db).count(),
                                students: try await StudentModel.query(on: app.db).count(), logins: logins)
            }
        }
        func option(_ names: [String]) -> String? {
            guard let index = arguments.firstIndex(where: names.contains), index + 1 < arguments.count else { return nil }
            return arguments[index + 1]
        }
        let host = option(["--hostname", "-H"]) ?? "127.0.0.1"
        let port = option(["--port", "-p"]) ?? "8080"
        print(DemoLoader.banner(summary, address: "http://\(host):\(port)"))
        // Facts and today's evaluation are read before the server listens, so the first page view
        // is as quick as any later one; the integrity flags, which few pages show, follow while it
        // listens. A database too large to read in `warmUpLimit` starts listening anyway, and its
        // first page view joins the rest of the work.
        let warmUp = Task {
            _ = try? await app.complianceStore.evaluation(asOf: LocalDate(app.now), on: app.db)
            Task { _ = try? await IntegrityService.snapshot(on: app.db, app: app) }
        }
        ReturnFreedMemory.start()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await warmUp.value }
            group.addTask { try? await Task.sleep(for: warmUpLimit) }
            await group.next()
            group.cancelAll()
        }
    }

    static let warmUpLimit = Duration.seconds(3)
}

/// glibc keeps what the server frees in its per-thread arenas: under a stream of writes each
/// superseded evaluation (≈ 100,000 cells on a large university) is freed, but the pages stay with
/// the process, and resident memory crept past 400 MB in ten minutes. Every 10 s the free pages go
/// back to the system (`malloc_trim`), which takes a few milliseconds and costs readers nothing;
/// capping the arenas instead (`MALLOC_ARENA_MAX=2`) saved as much but slowed pages by 15 %.
enum ReturnFreedMemory {
    static let interval = Duration.seconds(10)

    /// glibc's `malloc_trim`; `malloc.h` is not in Swift's Glibc module, so the C symbol is looked up.
    static let trim: (@convention(c) (Int) -> Int32)? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim")
        .map { unsafeBitCast($0, to: (@convention(c) (Int) -> Int32).self) }

    static func start() {
        guard let trim else { return }
        Task.detached(priority: .background) {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                _ = trim(0)
            }
        }
    }
}
