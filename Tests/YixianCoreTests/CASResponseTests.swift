import Foundation
import Testing
import YixianCore

@Suite("CAS serviceValidate answers")
struct CASResponseTests {
    static func parse(_ text: String) throws -> CASResponse { try CASResponse.parse(Data(text.utf8)) }

    @Test("CAS 3.0 success with attributes, CAS 2.0 success, and a failure with its code")
    func outcomes() throws {
        let v3 = """
            <cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
              <cas:authenticationSuccess>
                <cas:user> 2023010101 </cas:user>
                <cas:attributes><cas:name>陈晨</cas:name><cas:isFromNewLogin>true</cas:isFromNewLogin></cas:attributes>
              </cas:authenticationSuccess>
            </cas:serviceResponse>
            """
        #expect(try Self.parse(v3) == .success(user: "2023010101", attributes: ["name": "陈晨", "isFromNewLogin": "true"]))
        let v2 = "<cas:serviceResponse xmlns:cas='http://www.yale.edu/tp/cas'><cas:authenticationSuccess><cas:user>T001</cas:user></cas:authenticationSuccess></cas:serviceResponse>"
        #expect(try Self.parse(v2) == .success(user: "T001", attributes: [:]))
        let failure = """
            <cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
              <cas:authenticationFailure code="INVALID_TICKET">Ticket ST-1856339 not recognized</cas:authenticationFailure>
            </cas:serviceResponse>
            """
        #expect(try Self.parse(failure) == .failure(code: "INVALID_TICKET", message: "Ticket ST-1856339 not recognized"))
    }

    @Test("entities, other documents, an empty user and junk are refused")
    func hostile() {
        let laughs = """
            <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>
            <cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess><cas:user>&lol2;</cas:user></cas:authenticationSuccess></cas:serviceResponse>
            """
        #expect(throws: CASResponse.ParseError.documentTypeDeclaration) { try Self.parse(laughs) }
        let external = "<!doctype x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>"
        #expect(throws: CASResponse.ParseError.documentTypeDeclaration) { try Self.parse(external) }
        #expect(throws: CASResponse.ParseError.notAServiceResponse) { try Self.parse("<html><body>CAS is down</body></html>") }
        #expect(throws: CASResponse.ParseError.malformed) { try Self.parse("<cas:serviceResponse xmlns:cas='x'><cas:authenticationSuccess>") }
        // Cut short after the user: still no sign-in.
        #expect(throws: CASResponse.ParseError.malformed) {
            try Self.parse("<cas:serviceResponse xmlns:cas='x'><cas:authenticationSuccess><cas:user>T001</cas:user>")
        }
        #expect(throws: CASResponse.ParseError.self, "an empty user is no user") {
            try Self.parse("<cas:serviceResponse xmlns:cas='x'><cas:authenticationSuccess><cas:user>  </cas:user></cas:authenticationSuccess></cas:serviceResponse>")
        }
        #expect(throws: CASResponse.ParseError.tooLarge) { try CASResponse.parse(Data(count: CASResponse.maximumBytes + 1)) }
        let deep = String(repeating: "<a>", count: 40) + String(repeating: "</a>", count: 40)
        #expect(throws: CASResponse.ParseError.self) { try Self.parse("<cas:serviceResponse xmlns:cas='x'>" + deep + "</cas:serviceResponse>") }
    }
}
