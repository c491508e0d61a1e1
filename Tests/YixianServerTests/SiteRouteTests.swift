import Foundation
import Testing
import Vapor
@testable import YixianServer

@Suite("Typed page links")
struct SiteRouteTests {
    @Test("a link fills its pattern's parameters, encodes them as one segment, and appends a sorted query")
    func paths() {
        let id = UUID()
        #expect(SiteRoute.ledgerRecord(id).path() == "/ledger/\(id.uuidString)")
        #expect(SiteRoute.ledgerEdit(id).path() == "/ledger/\(id.uuidString)/edit")
        #expect(SiteRoute.importForm(.students).path() == "/import/students")
        #expect(SiteRoute.complianceUnit(code: "A/B 学院").path(query: ["b": "2", "a": "x y"])
                == "/compliance/units/A%2FB%20%E5%AD%A6%E9%99%A2?a=x%20y&b=2")
        #expect(SiteRoute.home.path() == "/")
        #expect(SiteRoute.ledgerLine("not-a-uuid") == "/ledger")
    }

    @Test("every page pattern is registered, and no registered link leaves a placeholder")
    func registered() async throws {
        try await TestServer.with(seed: false) { server in
            let registered = Set(server.app.routes.all.map { "/" + $0.path.string })
            for pattern in SitePattern.allCases {
                #expect(registered.contains(pattern.rawValue), "\(pattern)")
            }
        }
        let id = UUID()
        for route: SiteRoute in [.cadre(id), .student(id), .studentSensitive(id), .importJob(id), .importConfirm(id),
                                 .export("students"), .userUnlock(id), .userDeactivate(id), .attachment(id), .ledgerDelete(id), .confirm(code: "ABCD2345")] {
            #expect(!route.path().contains(":"), "\(route)")
        }
    }
}

@Suite("Query parameters read without the form decoder")
struct QueryValueTests {
    @Test("a parameter read from a plain query string equals Vapor's decoding, for random queries; other forms are decoded by Vapor")
    func plainQueriesAgreeWithVapor() async throws {
        // setup: names and values, some of which make a query string not plain
        let app = try await Application.make(.testing)
        var generator = SystemRandomNumberGenerator()
        let names = ["per", "page", "q", "unit", "a"]
        let values = ["20", "", "x", "1e3", "-5", "%E4%B8%AD", "a+b", "%2B", "=", "a=b", "per", "%26"]
        var plain = 0
        for _ in 0..<2_000 {
            var pairs: [String] = []
            for _ in 0..<Int.random(in: 0...4, using: &generator) {
                let name = names.randomElement(using: &generator)!
                pairs.append(Int.random(in: 0..<10, using: &generator) == 0 ? name : "\(name)=\(values.randomElement(using: &generator)!)")
            }
            let query = pairs.joined(separator: "&")
            let request = Request(application: app, method: .GET, url: URI(string: "/api/v1/cadres" + (query.isEmpty ? "" : "?" + query)),
                                  on: app.eventLoopGroup.next())
            if !query.contains(where: { "%+[]".contains($0) }) { plain += 1 }

            // act / check
            for name in names {
                #expect(request.queryValue(name) == request.query[String.self, at: name], "\(name) in \(query)")
            }
        }
        #expect(plain > 500, "the fast path was exercised")
        try await app.asyncShutdown()
    }
}
