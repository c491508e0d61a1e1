import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// What a CAS server said about a service ticket (`/serviceValidate`, `/p3/serviceValidate`,
/// CAS protocol 2.0 and 3.0): the user it was issued to, or why not.
///
/// The answer comes over the network, so it is read defensively: a document type declaration
/// (and with it any entity, internal or external) is refused before the parser sees the text,
/// external entities are off in the parser as well, and anything but one well-formed
/// `cas:serviceResponse` with exactly one outcome is a failure.
public enum CASResponse: Equatable, Sendable {
    case success(user: String, attributes: [String: String])
    case failure(code: String, message: String)

    public enum ParseError: Error, Equatable, Sendable {
        case tooLarge
        case documentTypeDeclaration
        case malformed
        case notAServiceResponse
    }

    public static let maximumBytes = 64 * 1024

    public static func parse(_ data: Data) throws -> CASResponse {
        guard data.count <= maximumBytes else { throw ParseError.tooLarge }
        // Entities (billion laughs, external files) all need a DOCTYPE; CAS never sends one.
        if let text = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1),
           text.range(of: "<!DOCTYPE", options: .caseInsensitive) != nil || text.range(of: "<!ENTITY", options: .caseInsensitive) != nil {
            throw ParseError.documentTypeDeclaration
        }
        let reader = Reader()
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = true
        parser.delegate = reader
        // libxml2 reports success for a document cut short: the root must also have been closed.
        guard parser.parse(), reader.depthError == false, reader.sawServiceResponse == reader.closedServiceResponse else { throw ParseError.malformed }
        guard reader.sawServiceResponse else { throw ParseError.notAServiceResponse }
        switch (reader.user, reader.failureCode) {
        case (let user?, nil):
            let trimmed = user.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { throw ParseError.malformed }
            return .success(user: trimmed, attributes: reader.attributes)
        case (nil, let code?):
            return .failure(code: code, message: reader.failureMessage.trimmingCharacters(in: .whitespacesAndNewlines))
        default:
            throw ParseError.notAServiceResponse
        }
    }

    /// Collects the few elements CAS defines; everything else is ignored.
    private final class Reader: NSObject, XMLParserDelegate {
        var sawServiceResponse = false
        var closedServiceResponse = false
        var user: String?
        var failureCode: String?
        var failureMessage = ""
        var attributes: [String: String] = [:]
        var depthError = false
        private var path: [String] = []
        private var text = ""

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                    attributes attributeDict: [String: String] = [:]) {
            let name = Self.local(elementName)
            path.append(name)
            if path.count > 16 { depthError = true; parser.abortParsing(); return }
            text = ""
            if path == ["serviceResponse"] { sawServiceResponse = true }
            if path == ["serviceResponse", "authenticationFailure"] { failureCode = attributeDict["code"] ?? "UNKNOWN" }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            text += string
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            let name = Self.local(elementName)
            if path == ["serviceResponse", "authenticationSuccess", "user"] { user = text }
            if path == ["serviceResponse", "authenticationFailure"] { failureMessage = text }
            if path == ["serviceResponse"] { closedServiceResponse = true }
            if path.count == 4, path[0...2] == ["serviceResponse", "authenticationSuccess", "attributes"] {
                attributes[name] = text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            if !path.isEmpty { path.removeLast() }
            text = ""
        }

        /// `cas:user` and `user` alike: some servers omit the namespace, and the prefix varies.
        static func local(_ name: String) -> String {
            name.split(separator: ":").last.map(String.init) ?? name
        }
    }
}
