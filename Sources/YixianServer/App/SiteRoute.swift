import Vapor

/// Every HTML page's path, in one place: routes are registered from these and links
/// are built from them, so the two cannot drift apart.
enum SiteRoute: String, CaseIterable, Sendable {
    case home = "/"
    case login = "/login"
    case logout = "/logout"
    case language = "/language"
    case units = "/units"
    case unit = "/units/:id"
    case cadres = "/cadres"
    case cadre = "/cadres/:id"
    case collectives = "/collectives"
    case collective = "/collectives/:id"
    case students = "/students"
    case student = "/students/:id"
    case studentSensitive = "/students/:id/sensitive"
    case calendar = "/calendar"
    case importForm = "/import/:kind"
    case importJob = "/import/jobs/:id"
    case importConfirm = "/import/jobs/:id/confirm"
    case export = "/export/:kind"
    case users = "/admin/users"
    case userCreate = "/admin/users/new"
    case userUnlock = "/admin/users/:id/unlock"
    case userDeactivate = "/admin/users/:id/deactivate"
    case audit = "/admin/audit"
    case auditVerify = "/admin/audit/verify"
    case myData = "/account/my-data"
    case tokens = "/account/tokens"
    case accountSecurity = "/account/security"
    case progress = "/progress"
    case compliance = "/compliance"
    case complianceUnit = "/compliance/units/:code"
    case complianceCell = "/compliance/cell"
    case policies = "/policies"
    case ledger = "/ledger"
    case ledgerNew = "/ledger/new"
    case ledgerRecord = "/ledger/:id"
    case ledgerEdit = "/ledger/:id/edit"
    case ledgerDelete = "/ledger/:id/delete"
    case attachment = "/attachments/:id"
    case problems = "/problems"
    case integrity = "/integrity"
    case filings = "/filings"
    case confirmLookup = "/c"
    case confirm = "/c/:code"
    case pairings = "/pairings"
    case pairingsExport = "/pairings/table.xlsx"
    case pairingsPrint = "/pairings/print"
    case pairingsImport = "/pairings/import"
    case pairingsCoverage = "/pairings/coverage"
    case pairingsMatching = "/pairings/matching"
    case pairingsHandover = "/pairings/handover"
    case pairingWishes = "/pairings/wishes"
    case stylesheet = "/assets/app.css"

    var components: [PathComponent] { rawValue.pathComponents }

    /// A concrete path, filling `:name` placeholders in order.
    func path(_ parameters: CustomStringConvertible..., query: [String: String] = [:]) -> String {
        var values = parameters.makeIterator()
        var path = rawValue.split(separator: "/").map { part -> String in
            part.hasPrefix(":") ? (values.next()?.description ?? String(part)) : String(part)
        }.joined(separator: "/")
        path = "/" + path
        if !query.isEmpty {
            path += "?" + query.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.urlQueryEncoded)" }.joined(separator: "&")
        }
        return path
    }
}

extension String {
    /// Percent-encodes a query value byte by byte, as `addingPercentEncoding(withAllowedCharacters:
    /// .urlQueryValueAllowed)` does, without its round trip through CoreFoundation (which cost a
    /// page with a hundred links more than rendering them).
    var urlQueryEncoded: String {
        var text = self
        return text.withUTF8 { bytes -> String? in
            guard bytes.contains(where: { !Self.queryValueAllowed[Int($0)] }) else { return nil }
            let hex = Array("0123456789ABCDEF".utf8)
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count * 3)
            for byte in bytes {
                if Self.queryValueAllowed[Int(byte)] {
                    out.append(byte)
                } else {
                    out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                }
            }
            return String(decoding: out, as: UTF8.self)
        } ?? self
    }

    /// By byte: letters, digits and `!$'()*,-./:;@_~` (`urlQueryAllowed` without `&=+?#`).
    private static let queryValueAllowed: [Bool] = (0..<256).map { byte in
        guard byte < 128 else { return false }
        let scalar = Unicode.Scalar(UInt8(byte))
        return ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || "!$'()*,-./:;@_~".unicodeScalars.contains(scalar)
    }
}

extension CharacterSet {
    static let urlQueryValueAllowed: CharacterSet = {
        var set = CharacterSet.urlQueryAllowed
        set.remove(charactersIn: "&=+?#")
        return set
    }()
}
