import Crypto
import Fluent
import Foundation
import Vapor
import YixianCore

/// The signed-in user of a request, with what scope checks need already resolved.
public struct CurrentUser: Sendable {
    public var id: UUID
    public var username: String
    public var displayName: String
    public var role: Role
    public var unitID: UUID?
    public var unitCode: String?
    public var cadreID: UUID?
    public var studentID: UUID?
    /// Set when signed in through the browser; nil for API tokens.
    public var sessionID: UUID?
    public var csrfToken: String?
    /// An administrator chose the password: nothing but the change page until the person picks their own.
    public var mustChangePassword: Bool = false
    public var totpEnrolled: Bool = false
    /// Unread in-app notifications, read with the credential in one statement.
    public var unreadNotifications: Int = 0
    /// A school leader in charge of student work (`YIXIAN_OVERSIGHT_TAGS`): reads the whole
    /// school's compliance, read-only, besides their own progress.
    public var oversees = false

    /// What the leader in charge may read beyond a cadre's own: compliance, never writes or rosters.
    static let oversightCapabilities: Set<Capability> = [.readCompliance]

    public func can(_ capability: Capability) -> Bool {
        capability.allows(role) || (oversees && Self.oversightCapabilities.contains(capability))
    }

    /// The unit scope for roster reads and writes.
    public var scope: AccessScope {
        switch role {
        case .unitSecretary: unitCode.map(AccessScope.unit) ?? .own
        case .businessAdmin, .assessor: .institution
        case .cadre where oversees: .institution
        default: .own
        }
    }
}

struct CurrentUserKey: StorageKey { typealias Value = CurrentUser }
struct AuthDataVersionsKey: StorageKey { typealias Value = DataVersions }

extension Request {
    var currentUser: CurrentUser? {
        get { storage[CurrentUserKey.self] }
        set { storage[CurrentUserKey.self] = newValue }
    }

    /// The data versions read when the request's account was looked up, before its handler ran: a
    /// handler may key caches on them until its own first write, never after it (read your writes).
    var authDataVersions: DataVersions? {
        get { storage[AuthDataVersionsKey.self] }
        set { storage[AuthDataVersionsKey.self] = newValue }
    }

    func requireUser() throws -> CurrentUser {
        guard let user = currentUser else { throw AppError.unauthenticated }
        return user
    }

    func require(_ capability: Capability) throws -> CurrentUser {
        let user = try requireUser()
        guard user.can(capability) else { throw AppError.forbidden }
        return user
    }

    var language: Language {
        if let lang = queryValue("lang"), let l = Language(rawValue: lang) { return l }
        if let cookie = cookies["lang"]?.string, let l = Language(rawValue: cookie) { return l }
        return Language.negotiate(headers.first(name: .acceptLanguage))
    }

    var isAPI: Bool { url.path.hasPrefix("/api/") }
}

enum Secrets {
    /// 32 random bytes, URL-safe base64.
    static func random() -> String {
        Data([UInt8].random(count: 32)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func sha256(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).hexString
    }

    /// Compares secrets without leaking their length of common prefix through timing.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}

extension [UInt8] {
    static func random(count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}
