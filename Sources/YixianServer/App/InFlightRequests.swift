import NIOConcurrencyHelpers
import Vapor

/// Requests still being answered, so that shutting down waits for them before the databases close.
/// A client that goes away leaves its request running; the server stops listening on SIGTERM, and
/// Fluent's databases were then shut down under such a request, whose next `req.db` found none and
/// stopped the process (signal 4, found by killing a server right after a benchmark's load). The
/// crash handler then kept the listening socket for minutes, so the next start could not answer.
final class InFlightRequests: AsyncMiddleware, LifecycleHandler, Sendable {
    private let running = NIOLockedValueBox(0)
    /// How long shutting down waits; a request still running after it is cut off with the databases.
    let patience: Duration

    init(patience: Duration = .seconds(10)) {
        self.patience = patience
    }

    var count: Int { running.withLockedValue { $0 } }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        running.withLockedValue { $0 += 1 }
        defer { running.withLockedValue { $0 -= 1 } }
        return try await next.respond(to: request)
    }

    /// Lifecycle handlers shut down before the application's storage, where the databases live.
    func shutdownAsync(_ application: Application) async {
        let deadline = ContinuousClock.now + patience
        while count > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if count > 0 { application.logger.warning("shutting down with requests still running", metadata: ["count": .stringConvertible(count)]) }
    }
}
