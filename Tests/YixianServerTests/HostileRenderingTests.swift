import Fluent
import Foundation
import Testing
import Vapor
import YixianCore
@testable import YixianServer

/// Issue 7, finding 1: text that users store or type must never become markup. Every page is
/// rendered, as every role, with hostile values in the stored roster, the ledger and the query
/// string, and each page is split into tags as a browser would split it.
@Suite("Hostile text renders as text")
struct HostileRenderingTests {
    static let marker = "zqx"
    /// Breakouts from a double-quoted attribute, a single-quoted one, an unquoted one, element
    /// content and a raw-text element; each would leave a tag or attribute named with the marker.
    static let payloads = [
        "\"><zqxel zqxa=1>",
        "' zqxb='1",
        "\" zqxc=\"1",
        "</textarea></title><zqxtext>",
        "\"><meta http-equiv=refresh content=0;url=//evil.example>",
        "x zqxd=1",
    ]
    static var hostile: String { payloads.joined(separator: " ") }

    @Test("the tokenizer sees an injected attribute and an injected element")
    func tokenizerFindsInjection() {
        let raw = "<input value=\"\"><zqxel zqxa=1>\"><p title='a' zqxb='1'>x</p>"
        #expect(HTMLTokens(raw).injected(marker: Self.marker) == ["<zqxel>", "<zqxel zqxa>", "<p zqxb>"])
        let escaped = "<input value=\"&quot;&gt;&lt;zqxel zqxa=1&gt;\"><title>\"><zqxel></title><p>&lt;zqxel&gt;</p>"
        #expect(HTMLTokens(escaped).injected(marker: Self.marker).isEmpty)
        #expect(HTMLTokens("<meta http-equiv=refresh content=0>").injected(marker: Self.marker) == ["<meta http-equiv>"])
    }

    @Test("attribute values are escaped by the renderer itself")
    func rendererEscapesAttributes() {
        let ctx = PageContext(user: nil, language: .zh, path: "/", pathWithQuery: "/", csrfToken: "")
        let html = Layout.page(ctx, title: Self.hostile, content: .form(.input(.name("q"), .value(Self.hostile)), .a(.href("/x?a=\(Self.hostile)"), .text(Self.hostile))))
        #expect(HTMLTokens(html).injected(marker: Self.marker).isEmpty, "\(html)")
        #expect(html.contains("&quot;&gt;&lt;zqxel zqxa=1&gt;"), "the value is kept, escaped")
    }

    @Test("text is escaped in one pass, entity-like runs included, and plain text passes through")
    func textEscaping() {
        let ctx = PageContext(user: nil, language: .zh, path: "/", pathWithQuery: "/", csrfToken: "")
        let html = Layout.page(ctx, title: "t", content: .p(.class("probe"), .text("a &amp; b <zqxel> & 学生 &lt;")))
        #expect(html.contains("<p class=\"probe\">a &amp;amp; b &lt;zqxel&gt; &amp; 学生 &amp;lt;</p>"), "a typed `&lt;` shows as typed, not as `<`")
        #expect(Layout.page(ctx, title: "t", content: .p(.class("probe"), .text("联系学生 2026"))).contains("<p class=\"probe\">联系学生 2026</p>"))
    }

    @Test("query values and path segments are percent-encoded exactly as Foundation encodes them")
    func queryEncodingMatchesFoundation() {
        var samples = ["", "plain-value_1.2~", "a&b=c+d?e#f", "学生 工作", "100%", "\"><zqxel>", "🎓/x:y@z", "line\nbreak\u{0}"]
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("aZ09 &=+?#%/:@!$'()*,;-._~\"<>[]{}|\\^`学生é🎓\n\t")
        for _ in 0..<500 { samples.append(String((0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })) }
        for sample in samples {
            #expect(sample.urlQueryEncoded == sample.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed), "\(sample.debugDescription)")
            #expect(sample.percentEncoded(allowing: String.pathSegmentAllowed)
                    == sample.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))),
                    "\(sample.debugDescription)")
        }
        // A route with a value: the value is one segment, a slash in it encoded.
        #expect(SiteRoute.complianceUnit(code: "A/B 学").path(query: ["b": "2", "a": "x y"]) == "/compliance/units/A%2FB%20%E5%AD%A6?a=x%20y&b=2")
        #expect(SiteRoute.home.path() == "/")
    }

    @Test("every page, as every role, with hostile stored and typed values, has only the markup it meant")
    func everyPageEveryRole() async throws {
        try await TestServer.with { server in
            let ids = try await Self.storeHostileValues(server)
            let routes = server.app.routes.all.filter { $0.method == .GET }
                .map { "/" + $0.path.map(\.description).joined(separator: "/") }
                .filter { !$0.hasPrefix("/api/") && !$0.hasPrefix("/assets/") && $0 != "/logout" }
            #expect(routes.count >= 30, "the route table lists the pages")
            let query = ["q", "next", "back", "unit", "asOf", "kind", "status", "cadre", "page", "term", "code", "to"]
                .map { "\($0)=\(Self.hostile.urlQueryEncoded)" }.joined(separator: "&")
            var pagesChecked = 0, pagesShowingHostileText = 0
            var failures: [String] = []
            let roles = AccessTests.usernames.values.sorted() + ["(anonymous)"]
            for username in roles {
                let browser = server.browser()
                if username != "(anonymous)" { try await browser.login(username) }
                for route in routes {
                    let path = Self.concrete(route, ids)
                    for url in [path, path + "?" + query] {
                        let reply = try await browser.get(url)
                        #expect(reply.status.code < 500, "\(username) GET \(url) → \(reply.status)")
                        guard reply.headers.contentType?.subType == "html" else { continue }
                        pagesChecked += 1
                        if reply.body.contains("zqxel") { pagesShowingHostileText += 1 }
                        let found = HTMLTokens(reply.body).injected(marker: Self.marker)
                        if !found.isEmpty { failures.append("\(username) GET \(url): \(found)") }
                    }
                }
            }
            #expect(failures.isEmpty, "\(failures.count) pages with injected markup:\n\(failures.prefix(20).joined(separator: "\n"))")
            #expect(pagesChecked > 300, "\(pagesChecked) pages parsed")
            // Not vacuous: the hostile text reached many pages, as text.
            #expect(pagesShowingHostileText > 50, "\(pagesShowingHostileText) pages showed the hostile text")
        }
    }

    @Test("signing in with hostile next= and typed username keeps them as text")
    func loginPage() async throws {
        try await TestServer.with { server in
            let browser = server.browser()
            let page = try await browser.get("/login?next=\(("/" + Self.hostile).urlQueryEncoded)")
            #expect(HTMLTokens(page.body).injected(marker: Self.marker).isEmpty, "\(page.body)")
            let token = try #require(Browser.csrf(in: page.body))
            let refused = try await browser.send(.POST, "/login", form: ["username": Self.hostile, "password": "wrong-password", "_csrf": token,
                                                                        "next": "/" + Self.hostile])
            #expect(refused.status.code >= 400)
            #expect(HTMLTokens(refused.body).injected(marker: Self.marker).isEmpty, "\(refused.body)")
        }
    }

    struct IDs {
        var unit: UUID, cadre: UUID, collective: UUID, student: UUID, contact: UUID, user: UUID
    }

    /// Hostile names stored as an import or a careless secretary would store them, and a ledger
    /// record with hostile place, summary and problem typed by the cadre.
    static func storeHostileValues(_ server: TestServer) async throws -> IDs {
        let db = server.app.db
        let contact = try await server.api(.POST, "/api/v1/contacts", as: "cadre",
                                           json: LedgerTests.body(extra: ["place": String(hostile.prefix(90)), "summary": hostile,
                                                                          "problems": [["text": hostile, "category": "后勤"]]]))
        #expect(contact.status == .created, "\(contact.body)")
        let contactID = try #require(UUID(uuidString: try contact.json()["id"] as? String ?? ""))
        let unit = try #require(try await UnitModel.query(on: db).filter(\.$code == "CS").first())
        unit.name = "计算机" + hostile
        try await unit.save(on: db)
        let cadre = try await server.cadre("T001")
        cadre.name = "张" + hostile
        try await cadre.save(on: db)
        let collective = try #require(try await CollectiveModel.query(on: db).filter(\.$code == "CS2301").first())
        collective.name = "班" + hostile
        try await collective.save(on: db)
        let student = try await server.student("2023010101")
        student.name = "陈" + hostile
        try await student.save(on: db)
        let user = try await server.user("cadre")
        user.displayName = "用户" + hostile
        try await user.save(on: db)
        return IDs(unit: try unit.requireID(), cadre: try cadre.requireID(), collective: try collective.requireID(),
                   student: try student.requireID(), contact: contactID, user: try user.requireID())
    }

    static func concrete(_ route: String, _ ids: IDs) -> String {
        let parts = route.split(separator: "/").map(String.init)
        return "/" + parts.enumerated().map { index, part -> String in
            guard part.hasPrefix(":") else { return part }
            let owner = index > 0 ? parts[index - 1] : ""
            switch (owner, part) {
            case ("units", _): return ids.unit.uuidString
            case ("cadres", _): return ids.cadre.uuidString
            case ("collectives", _): return ids.collective.uuidString
            case ("students", _): return ids.student.uuidString
            case ("ledger", _): return ids.contact.uuidString
            case ("users", _): return ids.user.uuidString
            case (_, ":code"): return owner == "c" ? "ZQX\"><zqxel>" : "CS"
            case (_, ":kind"): return "students"
            default: return UUID().uuidString
            }
        }.joined(separator: "/")
    }
}
