import Crypto
import Fluent
import Foundation
import Vapor

/// `Idempotency-Key` for every state-changing API call, and a one-time key in the phone form:
/// a retry after a dropped connection, or a double tap, gets the first answer and never makes a
/// second record.
///
/// The key is claimed inside the request's own write transaction (`Database.write` calls
/// `claimIfNeeded` just before COMMIT), so the record and the claim commit together or not at
/// all: after a kill -9 a retried key either finds its claim (the write happened) or finds
/// nothing (it did not), never half of each.
enum Idempotency {
    static let header = "Idempotency-Key"
    /// A retry a day later is a new request.
    static let lifetime: TimeInterval = 24 * 3600
    static let maxStoredBody = 1_048_576

    final class Claim: @unchecked Sendable {
        let principal: String
        let key: String
        private let fixedFingerprint: String?
        private let request: Request
        private let lock = NSLock()
        private var _committed = false

        init(principal: String, key: String, fingerprint: String?, request: Request) {
            self.principal = principal
            self.key = key
            self.fixedFingerprint = fingerprint
            self.request = request
        }

        /// Read when the claim is written: by then the route has collected the body.
        var fingerprint: String { fixedFingerprint ?? Idempotency.fingerprint(request) }

        var committed: Bool {
            get { lock.withLock { _committed } }
            set { lock.withLock { _committed = newValue } }
        }
    }

    @TaskLocal static var current: Claim?

    /// Thrown inside the transaction when the key was already used: the transaction rolls back
    /// and the first answer is served instead.
    struct AlreadyClaimed: Error {}

    static func validKey(_ raw: String?) throws -> String? {
        guard let raw else { return nil }
        guard (1...128).contains(raw.count), raw.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0.asciiValue! >= 0x21 && $0.asciiValue! < 0x7F }) else {
            throw AppError(.badRequest, code: .badIdempotencyKey, field: header,
                           zh: "Idempotency-Key 须为 1 到 128 个可见 ASCII 字符", en: "Idempotency-Key must be 1 to 128 visible ASCII characters")
        }
        return raw
    }

    static func fingerprint(_ req: Request, body: ByteBuffer? = nil) -> String {
        var hasher = SHA256()
        hasher.update(data: Data("\(req.method.rawValue) \(req.url.path)\n".utf8))
        if let body = body ?? req.body.data { hasher.update(data: Data(buffer: body)) }
        return hasher.finalize().hexString
    }

    /// Called by `Database.write` inside its transaction, last before COMMIT, with the claim it
    /// read from the task (the connection's closure may run where the task-local is not set).
    static func claimIfNeeded(_ claim: Claim?, on db: any Database) async throws {
        guard let claim, !claim.committed else { return }
        if try await IdempotencyKeyModel.query(on: db).filter(\.$principal == claim.principal).filter(\.$key == claim.key).first() != nil {
            throw AlreadyClaimed()
        }
        let row = IdempotencyKeyModel()
        row.principal = claim.principal
        row.key = claim.key
        row.fingerprint = claim.fingerprint
        row.createdAt = Date()
        do {
            try await row.create(on: db)
        } catch {
            // The unique index caught a concurrent twin (PostgreSQL, read committed).
            throw AlreadyClaimed()
        }
    }

    /// Runs `handler` under the key: replays a stored answer, refuses a key reused for another
    /// request, and stores the answer of the first run.
    /// `fingerprint` nil: the request's method, path and body.
    static func run(_ req: Request, principal: String, key: String, fingerprint: String?,
                    _ handler: @Sendable () async throws -> Response) async throws -> Response {
        let claim = Claim(principal: principal, key: key, fingerprint: fingerprint, request: req)
        if let stored = try await IdempotencyKeyModel.query(on: req.db).filter(\.$principal == principal).filter(\.$key == key).first(),
           stored.createdAt > Date().addingTimeInterval(-lifetime) {
            // In a middleware the body may not be read yet; a replay reads it (at most 1 MB) to compare.
            if let fingerprint { return try replay(stored, fingerprint: fingerprint) }
            var body = req.body.data
            if body == nil { body = (try? await req.body.collect(max: maxStoredBody).get()) ?? nil }
            return try replay(stored, fingerprint: Self.fingerprint(req, body: body))
        }
        let response: Response
        do {
            response = try await $current.withValue(claim) { try await handler() }
        } catch is AlreadyClaimed {
            // A twin committed between our look-up and our write.
            guard let stored = try await IdempotencyKeyModel.query(on: req.db).filter(\.$principal == principal).filter(\.$key == key).first() else {
                throw AppError(.conflict, code: .idempotencyInProgress, zh: "相同 Idempotency-Key 的请求正在处理", en: "A request with this Idempotency-Key is in progress")
            }
            return try replay(stored, fingerprint: claim.fingerprint)
        }
        if claim.committed, response.status.code < 500 {
            let body = response.body.data.flatMap { $0.count <= maxStoredBody ? $0 : nil }
            let status = Int(response.status.code)
            let contentType = response.headers.first(name: .contentType)
            let location = response.headers.first(name: .location)
            try? await req.db.write { db in
                guard let row = try await IdempotencyKeyModel.query(on: db).filter(\.$principal == principal).filter(\.$key == key).first() else { return }
                row.status = status
                row.contentType = contentType
                row.location = location
                row.body = body
                try await row.save(on: db)
            }
        }
        return response
    }

    static func replay(_ stored: IdempotencyKeyModel, fingerprint: String) throws -> Response {
        guard stored.fingerprint == fingerprint else {
            throw AppError(.unprocessableEntity, code: .idempotencyKeyReused, field: header,
                           zh: "此 Idempotency-Key 已用于另一个请求", en: "This Idempotency-Key was used for a different request")
        }
        guard let status = stored.status else {
            // Committed, but the server stopped before it could keep the answer: the write is done.
            throw AppError(.conflict, code: .idempotentRequestDone, zh: "此请求已处理；首次答复未能保存，请查询结果",
                           en: "This request was already carried out; its first answer was not kept, so look the result up")
        }
        let response = Response(status: HTTPResponseStatus(statusCode: status))
        if let contentType = stored.contentType { response.headers.replaceOrAdd(name: .contentType, value: contentType) }
        if let location = stored.location { response.headers.replaceOrAdd(name: .location, value: location) }
        if let body = stored.body { response.body = .init(data: body) }
        response.headers.replaceOrAdd(name: "Idempotent-Replayed", value: "true")
        return response
    }

    static func purgeExpired(on db: any Database) async throws {
        try await IdempotencyKeyModel.query(on: db).filter(\.$createdAt < Date().addingTimeInterval(-lifetime)).delete()
    }
}

/// Applies `Idempotency-Key` to state-changing API calls of signed-in callers.
struct IdempotencyMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard [.POST, .PUT, .PATCH, .DELETE].contains(request.method), request.url.path.hasPrefix("/api/"),
              let raw = request.headers.first(name: Idempotency.header) else {
            return try await next.respond(to: request)
        }
        let key = try Idempotency.validKey(raw)!
        // Keys are per caller: another user's key neither replays nor blocks yours.
        guard let user = request.currentUser else { return try await next.respond(to: request) }
        return try await Idempotency.run(request, principal: user.id.uuidString, key: key, fingerprint: nil) {
            try await next.respond(to: request)
        }
    }
}

final class IdempotencyKeyModel: Model, @unchecked Sendable {
    static let schema = "idempotency_keys"
    @ID(key: .id) var id: UUID?
    @Field(key: "principal") var principal: String
    @Field(key: "key") var key: String
    @Field(key: "fingerprint") var fingerprint: String
    @OptionalField(key: "status") var status: Int?
    @OptionalField(key: "content_type") var contentType: String?
    @OptionalField(key: "location") var location: String?
    @OptionalField(key: "body") var body: Data?
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

