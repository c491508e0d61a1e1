import Foundation
import Testing
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
