import Foundation
import Vapor

/// One documented API operation. The route is registered from this value and the
/// OpenAPI document is generated from the same values, so no route goes undocumented.
struct Endpoint: Sendable {
    struct Parameter: Sendable {
        var name: String
        var description: String
        var type: String = "string"
        var required: Bool = false
    }

    var method: HTTPMethod
    /// Path under `/api/v1`, with `:name` parameters.
    var path: String
    var summary: String
    var tag: String
    var access: Access
    var query: [Parameter] = []
    /// Component schema name of the JSON body, `binary` for a raw file, nil for none.
    var requestBody: String? = nil
    /// Component schema name of the success body, or `binary` for a file.
    var response: String
    var successStatus: Int = 200

    var fullPath: String { "/api/v1" + path }
    var openAPIPath: String {
        fullPath.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
            .joined(separator: "/").prepending("/")
    }
    var pathParameters: [String] { path.split(separator: "/").filter { $0.hasPrefix(":") }.map { String($0.dropFirst()) } }
}

extension String {
    func prepending(_ prefix: String) -> String { prefix + self }
}

final class APIRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Endpoint] = []

    var endpoints: [Endpoint] { lock.withLock { storage } }
    func add(_ endpoint: Endpoint) { lock.withLock { storage.append(endpoint) } }
}

struct APIRegistryKey: StorageKey { typealias Value = APIRegistry }

extension Application {
    var apiRegistry: APIRegistry {
        if let registry = storage[APIRegistryKey.self] { return registry }
        let registry = APIRegistry()
        storage[APIRegistryKey.self] = registry
        return registry
    }
}

extension Application {
    func register<R: AsyncResponseEncodable>(_ endpoint: Endpoint, body: HTTPBodyStreamStrategy = .collect,
                                             use handler: @Sendable @escaping (Request) async throws -> R) {
        apiRegistry.add(endpoint)
        routes.on(endpoint.method, endpoint.fullPath.pathComponents, access: endpoint.access, body: body) { req async throws -> Response in
            let response = try await handler(req).encodeResponse(for: req)
            if endpoint.successStatus != 200, response.status == .ok { response.status = HTTPResponseStatus(statusCode: endpoint.successStatus) }
            return response
        }
    }
}

/// A page of a list, with the total for pagers.
struct ListPage<Item: Content>: Content {
    var items: [Item]
    var page: Int
    var per: Int
    var total: Int
}

struct PageRequest: Sendable {
    var page: Int
    var per: Int
    var offset: Int { (page - 1) * per }

    static let queryParameters: [Endpoint.Parameter] = [
        .init(name: "page", description: "1-based page number", type: "integer"),
        .init(name: "per", description: "items per page (1–500, default 50)", type: "integer"),
    ]

    init(page: Int = 1, per: Int = 50) {
        self.page = page
        self.per = per
    }

    init(_ req: Request) throws {
        let page = try req.intParameter("page") ?? 1
        let per = try req.intParameter("per") ?? 50
        guard page >= 1, page <= 100_000 else {
            throw AppError.field("page", zh: "页码必须是 1 到 100000 之间的整数", en: "page must be an integer from 1 to 100000")
        }
        guard (1...500).contains(per) else {
            throw AppError.field("per", zh: "每页条数必须在 1 到 500 之间", en: "per must be between 1 and 500")
        }
        self.init(page: page, per: per)
    }
}

extension Request {
    /// A query parameter's text. A plain query string (`a=1&b=x`: nothing percent-encoded, no `+`,
    /// brackets, bare or repeated names — what links and clients send) is read as it stands; any
    /// other goes through Vapor's form decoder, whose whole-query pass was 1.7 % of a list request.
    func queryValue(_ name: String) -> String? {
        guard let query = url.query, !query.isEmpty else { return nil }
        guard !query.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "]") })
        else { return self.query[String.self, at: name] }
        var found: Substring?
        for pair in query.split(separator: "&") {
            guard let equals = pair.firstIndex(of: "=") else {
                if pair == name { return self.query[String.self, at: name] }
                continue
            }
            guard pair[..<equals] == name else { continue }
            if found != nil { return self.query[String.self, at: name] }
            found = pair[pair.index(after: equals)...]
        }
        return found.map(String.init)
    }

    /// A query parameter as an integer, with a clear error when it is not one.
    func intParameter(_ name: String) throws -> Int? {
        guard let raw = queryValue(name), !raw.isEmpty else { return nil }
        guard let value = Int(raw) else {
            throw AppError.field(name, zh: "“\(name)”必须是整数", en: "\(name) must be an integer")
        }
        return value
    }

    func stringParameter(_ name: String, maxLength: Int = 100) throws -> String? {
        guard let raw = queryValue(name)?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        guard raw.count <= maxLength else {
            throw AppError.field(name, zh: "“\(name)”过长（最多 \(maxLength) 个字符）", en: "\(name) is too long (at most \(maxLength) characters)")
        }
        return raw
    }

    func boolParameter(_ name: String) throws -> Bool? {
        guard let raw = queryValue(name), !raw.isEmpty else { return nil }
        switch raw.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw AppError.field(name, zh: "“\(name)”只能是 true 或 false", en: "\(name) must be true or false")
        }
    }

    func uuidParameter(_ name: String) throws -> UUID? {
        guard let raw = queryValue(name), !raw.isEmpty else { return nil }
        guard let id = UUID(uuidString: raw) else {
            throw AppError.field(name, zh: "“\(name)”不是有效的编号", en: "\(name) is not a valid id")
        }
        return id
    }

    /// A path parameter that must be a UUID; anything else is a 404, as no such object exists.
    func idParameter(_ name: String = "id") throws -> UUID {
        guard let raw = parameters.get(name), let id = UUID(uuidString: raw) else { throw AppError.notFound() }
        return id
    }

    /// Decodes a JSON body, turning every decoding failure into a field-level 400.
    func decodeJSON<T: Decodable>(_ type: T.Type) throws -> T {
        guard let body = body.data, body.readableBytes > 0 else {
            throw AppError(.badRequest, code: .emptyBody, zh: "请求体为空，需要 JSON", en: "The request body is empty; JSON is expected")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: body))
        } catch let error as DecodingError {
            throw AppError.decoding(error)
        } catch {
            throw AppError(.badRequest, code: .badJson, zh: "请求体不是有效的 JSON", en: "The request body is not valid JSON")
        }
    }
}

extension AppError {
    static func decoding(_ error: DecodingError) -> AppError {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = (path(context).isEmpty ? "" : path(context) + ".") + key.stringValue
            return AppError(.badRequest, code: .missingField, field: field, zh: "缺少必填字段“\(field)”", en: "Missing required field \(field)")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let field = path(context)
            // A body that is JSON but not an object (`[1,2]`, `"text"`) has no field to name.
            if field.isEmpty {
                return AppError(.badRequest, code: .wrongType, zh: "请求体应为一个 JSON 对象", en: "The request body must be a JSON object")
            }
            return AppError(.badRequest, code: .wrongType, field: field, zh: "字段“\(field)”的类型不正确", en: "Field \(field) has the wrong type")
        case .dataCorrupted(let context):
            let field = path(context)
            if field.isEmpty {
                return AppError(.badRequest, code: .badJson, zh: "请求体不是有效的 JSON", en: "The request body is not valid JSON")
            }
            return AppError(.badRequest, code: .invalidValue, field: field, zh: "字段“\(field)”的值无效", en: "Field \(field) has an invalid value")
        @unknown default:
            return AppError(.badRequest, code: .badJson, zh: "请求体无效", en: "The request body is invalid")
        }
    }
}
