import Fluent
import FluentSQLiteDriver
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor
@testable import YixianServer

@Suite("Shutting down")
struct ShutdownTests {
    /// Sends a request and hangs up at once, as a client that gives up does: the request keeps running.
    static func sendAndHangUp(port: Int, path: String) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(connected == 0)
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        #expect(request.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == request.count)
        close(fd)
    }

    @Test("a request whose client has gone is let finish, database and all, before the databases close")
    func waitsForRunningRequests() async throws {
        let app = try await Application.make(.testing)
        // Fluent's own lifecycle handler, which closes the databases, comes first, as in `configure`:
        // handlers shut down last to first.
        app.databases.use(.sqlite(.memory), as: .sqlite)
        let inFlight = InFlightRequests()
        app.middleware.use(inFlight)
        app.lifecycle.use(inFlight)
        let finished = NIOLockedValueBox(false)
        app.get("slow") { req async throws -> String in
            try await Task.sleep(for: .milliseconds(300))
            // Once the application's storage has shut down there is no database: `req.db` would trap.
            _ = try await (req.db as! any SQLDatabase).raw("SELECT 1 AS one").all()
            finished.withLockedValue { $0 = true }
            return "done"
        }
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = try #require(app.http.server.shared.localAddress?.port)
        try Self.sendAndHangUp(port: port, path: "/slow")
        // Until the handler is running.
        for _ in 0..<100 where inFlight.count == 0 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(inFlight.count == 1)
        await app.server.shutdown()
        try await app.asyncShutdown()
        #expect(finished.withLockedValue { $0 }, "the request ran to its end before the databases closed")
        #expect(inFlight.count == 0)
    }
}
