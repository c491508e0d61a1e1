import Fluent
import Vapor

/// Audits what no single handler sees: refused requests (403) and reads that carry personal
/// data in bulk — roster exports, the pairing table, student lists. A bulk read whose audit
/// line cannot be written is not answered.
struct AccessAuditMiddleware: AsyncMiddleware {
    /// Route patterns (as registered) whose successful GET is a bulk read of personal data.
    static let bulkReads: [String: String] = [
        "GET /export/:kind": "export",
        "GET /pairings/table.xlsx": "export",
        "GET /pairings/print": "export",
        "GET /students": "personal.bulk-read",
        "GET /api/v1/students": "personal.bulk-read",
    ]

    static func pattern(_ req: Request) -> String? {
        guard let route = req.route else { return nil }
        return "\(route.method.rawValue) /" + route.path.map(\.description).joined(separator: "/")
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response: Response
        do {
            response = try await next.respond(to: request)
        } catch let error as any AbortError where error.status == .forbidden {
            await Self.recordRefusal(request, code: (error as? AppError)?.code ?? .forbidden)
            throw error
        }
        if response.status == .forbidden {
            await Self.recordRefusal(request, code: .forbidden)
        } else if (200..<300).contains(response.status.code), let pattern = Self.pattern(request), let action = Self.bulkReads[pattern] {
            let actor = request.currentUser.map(AuditTrail.Actor.init) ?? .init(id: nil, name: "anonymous")
            let query = request.url.query.map { "?" + $0 } ?? ""
            try await AuditTrail.recordAlone(action, objectType: "route", objectID: request.url.path,
                                             detail: String((query + " " + (response.headers.contentType?.description ?? "")).prefix(300)),
                                             by: actor, on: request.db)
        }
        return response
    }

    /// A refusal is logged whatever happens; failing to audit it must not turn a 403 into a 500.
    static func recordRefusal(_ request: Request, code: AppError.Code) async {
        let actor = request.currentUser.map(AuditTrail.Actor.init) ?? .init(id: nil, name: "anonymous")
        do {
            // Its own transaction, outside the request's Idempotency-Key: a refusal claims no key.
            try await Idempotency.$current.withValue(nil) {
                try await AuditTrail.recordAlone("access.denied", objectType: "route", objectID: "\(request.method.rawValue) \(request.url.path)".prefix(200).description,
                                                 detail: code.rawValue, by: actor, on: request.db)
            }
        } catch {
            request.logger.error("access.denied not audited: \(error)")
        }
    }
}
