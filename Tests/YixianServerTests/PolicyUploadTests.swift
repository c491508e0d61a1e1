import Fluent
import Foundation
import Testing
import Vapor
import YixianCore
@testable import YixianServer

/// The policy page takes the YAML as a file as well as pasted, and links the format it is written in.
@Suite("Policy upload as a file")
struct PolicyUploadTests {
    static func multipart(_ fields: [(String, String)], file: (name: String, data: Data)?, boundary: String) -> Data {
        var body = Data()
        for (name, value) in fields {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        if let file {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(file.name)\"\r\nContent-Type: application/x-yaml\r\n\r\n".utf8)
            body += file.data + Data("\r\n".utf8)
        }
        body += Data("--\(boundary)--\r\n".utf8)
        return body
    }

    @Test("a .yaml file is checked and stored like pasted text; a file that is not UTF-8 is refused; the format is a link")
    func fileUpload() async throws {
        try await TestServer.with { server in
            let office = server.browser()
            try await office.login("office")
            let page = try await office.get("/policies")
            #expect(page.body.contains("href=\"/policies/format\"") && page.body.contains("enctype=\"multipart/form-data\""))
            let format = try await office.get("/policies/format")
            #expect(format.status == .ok && format.body.contains("count"), "the format document is served")
            let token = try #require(Browser.csrf(in: page.body))
            let boundary = "yixian-\(UUID().uuidString)"
            var headers = HTTPHeaders()
            headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
            let good = Self.multipart([("_csrf", token), ("effectiveFrom", "2025-09-01"), ("text", "")],
                                      file: ("filing.yaml", Data(FilingTests.policy.utf8)), boundary: boundary)
            let saved = try await office.send(.POST, "/policies", headers: headers, body: good)
            #expect(saved.status == .seeOther, "\(saved.status) \(saved.body.prefix(300))")
            #expect(try await PolicyVersionModel.query(on: server.app.db).count() == 1)

            let latin = Self.multipart([("_csrf", token), ("effectiveFrom", "2025-09-01")], file: ("gbk.yaml", Data([0xB2, 0xE2, 0xCA, 0xD4, 0xFF])), boundary: boundary)
            let refused = try await office.send(.POST, "/policies", headers: headers, body: latin)
            #expect(refused.status == .unprocessableEntity && refused.body.contains("UTF-8"))
            #expect(try await PolicyVersionModel.query(on: server.app.db).count() == 1)
        }
    }

    @Test("an upload is checked against the university's calendar: term 3 of a two-term year is refused with line and column, nothing stored")
    func checkedAgainstTheCalendar() async throws {
        try await TestServer.with { server in
            try await ComplianceTests.prepare(server)
            let third = FilingTests.policy.replacingOccurrences(of: "per: term, deadline", with: "per: academic-year, term: 3, deadline")
            let refused = try await server.api(.POST, "/api/v1/policies", as: "office", json: ["text": third, "effectiveFrom": "2025-09-01"])
            #expect(refused.status == .unprocessableEntity && refused.body.contains("没有第 3 学期") && refused.body.contains("第 6 行"), "\(refused.body)")
            #expect(try await PolicyVersionModel.query(on: server.app.db).count() == 0)
            let second = third.replacingOccurrences(of: "term: 3", with: "term: 2")
            #expect(try await server.api(.POST, "/api/v1/policies", as: "office", json: ["text": second, "effectiveFrom": "2025-09-01"]).status == .created)
        }
    }
}
