import Fluent
import Foundation
import Testing
import Vapor
import YixianCore
@testable import YixianServer

@Suite("The cadre list (a page and a count in plain SQL) equals the roster filtered by hand")
struct CadreListTests {
    @Test("a page written by hand (JSONText) reads back as the page JSONEncoder writes, for any text")
    func handWrittenJSONReadsBack() throws {
        // setup: text with every character JSON must escape, and some it must not
        var generator = SystemRandomNumberGenerator()
        let alphabet: [String] = ["\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{1}", "\u{8}", "\u{c}", "\u{1f}", "\u{7f}", "a", "Z", "0", " ",
                                  "王", "张", "、", "😀", "\u{2028}", "é"]
        func text() -> String { (0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }.joined() }
        for round in 0..<200 {
            let items = (0..<Int.random(in: 0...5, using: &generator)).map { _ in
                CadreDTO(id: UUID(), staffNumber: text(), name: text(), unit: UnitRef(id: UUID(), code: text(), name: text()),
                         posts: (0..<Int.random(in: 0...3, using: &generator)).map { _ in text() }, rank: text(),
                         rankLabel: Localized(zh: text(), en: text()), partyMember: Bool.random(using: &generator),
                         tags: (0..<Int.random(in: 0...2, using: &generator)).map { _ in text() }, active: Bool.random(using: &generator))
            }
            let page = ListPage(items: items, page: round + 1, per: 20, total: round * 7)

            // act
            let response = page.jsonResponse
            let bytes = Data(buffer: try #require(response.body.buffer))

            // check
            #expect(response.headers.contentType == .json)
            let read = try JSONDecoder().decode(ListPage<CadreDTO>.self, from: bytes)
            let encoded = try JSONDecoder().decode(ListPage<CadreDTO>.self, from: try JSONEncoder().encode(page))
            #expect(read.items == encoded.items && read.items == items, "round \(round)")
            #expect(read.page == page.page && read.per == page.per && read.total == page.total)
        }
    }

    @Test("search with wildcards typed literally, unit scope, active, kind and every page agree with a filter over the whole roster")
    func pagesAgreeWithTheRoster() async throws {
        try await TestServer.with { server in
            // Names and posts with the characters LIKE treats specially, and a staff member who is not a cadre.
            for (number, name, posts, rank, active) in [("T100", "百分_号", ["100%负责"], "section-chief", true),
                                                        ("T101", "王_五", ["辅导员"], "staff", true),
                                                        ("T102", "王五", ["副院长"], "deputy-director", false)] {
                let reply = try await server.api(.POST, "/api/v1/cadres", as: "office",
                                                 json: ["staffNumber": number, "name": name, "unitCode": "CS", "posts": posts, "rank": rank, "active": active])
                #expect(reply.status == .created, "\(reply.body)")
            }
            let all = try await CadreModel.query(on: server.app.db).with(\.$unit).sort(\.$staffNumber).all()
            let cs = try #require(all.first { $0.unit.code == "CS" }?.unit.id)
            func expected(_ keep: (CadreModel) -> Bool) -> [String] { all.filter(keep).map(\.staffNumber) }
            func contains(_ text: String, _ needle: String) -> Bool { text.lowercased().contains(needle.lowercased()) }
            let cases: [(query: String, user: String, keep: (CadreModel) -> Bool)] = [
                ("", "office", { _ in true }),
                ("q=_", "office", { contains($0.name, "_") || contains($0.staffNumber, "_") || contains($0.posts, "_") }),
                ("q=%25", "office", { contains($0.name, "%") || contains($0.staffNumber, "%") || contains($0.posts, "%") }),
                ("q=t10", "office", { contains($0.name, "t10") || contains($0.staffNumber, "t10") || contains($0.posts, "t10") }),
                ("active=false", "office", { !$0.active }),
                ("kind=staff", "office", { $0.rank == "staff" }),
                ("kind=cadres", "office", { $0.rank != "staff" }),
                ("unit=\(cs)", "office", { $0.$unit.id == cs }),
                ("", "secretary", { $0.$unit.id == cs }),
            ]
            for (query, user, keep) in cases {
                let want = expected(keep)
                #expect(!want.isEmpty, "case \(query) keeps something")
                var got: [String] = []
                for page in 1...(want.count / 3 + 2) {
                    let reply = try await server.api(.GET, "/api/v1/cadres?\(query)&per=3&page=\(page)", as: user)
                    #expect(reply.status == .ok, "\(query): \(reply.body)")
                    let list = try reply.decode(ListPage<CadreDTO>.self)
                    #expect(list.total == want.count, "\(query) as \(user), page \(page): total \(list.total), expected \(want.count)")
                    got += list.items.map(\.staffNumber)
                    if let first = list.items.first, let model = all.first(where: { $0.id == first.id }) {
                        #expect(first == CadreDTO(model), "a row of the page equals the model's DTO")
                    }
                }
                #expect(got == want, "\(query) as \(user)")
            }
        }
    }

    @Test("a parameter is read whenever the query may name it — percent-encoded names included — and bad values are still refused")
    func queryNames() async throws {
        try await TestServer.with { server in
            #expect(try await server.api(.GET, "/api/v1/cadres?per=0", as: "office").errorField == "per")
            #expect(try await server.api(.GET, "/api/v1/cadres?%70er=0", as: "office").errorField == "per", "an encoded name is decoded, not skipped")
            #expect(try await server.api(.GET, "/api/v1/cadres?active=maybe", as: "office").errorField == "active")
            #expect(try await server.api(.GET, "/api/v1/cadres?unit=x&per=2", as: "office").errorField == "unit")
            let unrelated = try await server.api(.GET, "/api/v1/cadres?xper=0&perx=0", as: "office")
            #expect(unrelated.status == .ok, "names that only contain or start with a parameter's are not it")
            let two = try await server.api(.GET, "/api/v1/cadres?per=2", as: "office")
            #expect(try two.decode(ListPage<CadreDTO>.self).items.count == 2)
        }
    }
}
