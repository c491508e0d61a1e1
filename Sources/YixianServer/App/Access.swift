import Vapor
import YixianCore

/// What a route requires. Every route is registered with one, so "who may use it"
/// is written next to the route and checked before the handler runs.
enum Access: Sendable {
    static let userInfoKey = "yixian.access"

    case anyone
    case signedIn
    case capability(Capability)
    /// Any of these roles.
    case roles(Set<Role>)

    func check(_ req: Request) throws {
        switch self {
        case .anyone: return
        case .signedIn: _ = try req.requireUser()
        case .capability(let c): _ = try req.require(c)
        case .roles(let roles):
            guard roles.contains(try req.requireUser().role) else { throw AppError.forbidden }
        }
    }

    /// Whether a user (or nobody) passes this rule: what `check` enforces, asked without a request.
    func allows(_ user: CurrentUser?) -> Bool {
        switch self {
        case .anyone: true
        case .signedIn: user != nil
        case .capability(let c): user.map { $0.can(c) } ?? false
        case .roles(let roles): user.map { roles.contains($0.role) } ?? false
        }
    }

    var summary: String {
        switch self {
        case .anyone: "anyone"
        case .signedIn: "any signed-in user"
        case .capability(let c): "roles: " + Role.allCases.filter(c.allows).map(\.rawValue).joined(separator: ", ")
        case .roles(let roles): "roles: " + Role.allCases.filter(roles.contains).map(\.rawValue).joined(separator: ", ")
        }
    }
}

/// Rejects state-changing requests that do not prove they come from our own pages.
/// Browser sessions must echo the session's CSRF token (form field `_csrf` or header
/// `X-CSRF-Token`); bearer-token clients are exempt because browsers never attach them.
enum CSRF {
    static let field = "_csrf"
    static let header = "X-CSRF-Token"
    static let anonymousCookie = "yixian_csrf"

    static func verify(_ req: Request) throws {
        guard ![.GET, .HEAD, .OPTIONS].contains(req.method) else { return }
        if req.headers.bearerAuthorization != nil { return }
        if let origin = req.headers.first(name: .origin), let host = req.headers.first(name: .host),
           URL(string: origin)?.host.map({ host.hasPrefix($0) }) != true {
            throw AppError.csrf
        }
        let expected = req.currentUser?.csrfToken ?? req.cookies[anonymousCookie]?.string
        guard let expected, !expected.isEmpty else { throw AppError.csrf }
        let given = req.headers.first(name: header) ?? (try? req.content.get(String.self, at: field))
        guard let given, Secrets.constantTimeEqual(given, expected) else { throw AppError.csrf }
    }
}

/// The access each page was registered with (its GET route), read once after registration:
/// the menu shows a page to whoever may open it, without a second copy of the rules.
struct PageAccess: Sendable {
    struct Key: StorageKey { typealias Value = PageAccess }

    private var byPattern: [SitePattern: Access] = [:]

    init(_ routes: Routes) {
        let patterns = Dictionary(uniqueKeysWithValues: SitePattern.allCases.map { ($0.components.string, $0) })
        for route in routes.all where route.method == .GET {
            if let pattern = patterns[route.path.string], let access = route.userInfo[Access.userInfoKey] as? Access {
                byPattern[pattern] = access
            }
        }
    }

    func allows(_ pattern: SitePattern, _ user: CurrentUser?) -> Bool { byPattern[pattern]?.allows(user) ?? false }
}

extension Application {
    var pageAccess: PageAccess { storage[PageAccess.Key.self] ?? PageAccess(routes) }
}

extension RoutesBuilder {
    /// Registers a route with its access rule; CSRF is enforced on every state-changing method.
    @discardableResult
    func on<R: AsyncResponseEncodable>(_ method: HTTPMethod, _ path: [PathComponent], access: Access,
                                       body: HTTPBodyStreamStrategy = .collect,
                                       use handler: @Sendable @escaping (Request) async throws -> R) -> Route {
        let route = on(method, path, body: body) { req async throws -> Response in
            try access.check(req)
            try CSRF.verify(req)
            // `?export=xlsx|csv&table=N` on a page: checked once access is, the page answered as
            // the file of its table N (see TableExport).
            let export = try TableExport.begin(req)
            let response = try await handler(req).encodeResponse(for: req)
            return try export.map { try TableExport.finish($0, req, response) } ?? response
        }
        // Kept on the route so that the authorization matrix test can compare every
        // registered route's rule with its own independent table.
        route.userInfo[Access.userInfoKey] = access
        return route
    }
}
