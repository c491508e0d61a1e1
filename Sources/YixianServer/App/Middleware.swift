import Vapor
import NIOCore
import NIOHTTP1
import YixianCore

/// Gives each request an id (or keeps the caller's `X-Request-Id`), puts it on the
/// logger so every log line of the request carries it, and echoes it in the response.
struct RequestIDMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let incoming = request.headers.first(name: "X-Request-Id").flatMap { $0.count <= 64 && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") } ? $0 : nil }
        let id = incoming ?? UUID().uuidString.lowercased()
        request.logger[metadataKey: "request-id"] = .string(id)
        let start = ContinuousClock.now
        let response = try await next.respond(to: request)
        response.headers.replaceOrAdd(name: "X-Request-Id", value: id)
        let elapsed = ContinuousClock.now - start
        request.logger.info("\(request.method) \(request.url.path) \(response.status.code)",
                            metadata: ["ms": .string(String(format: "%.1f", Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000))])
        return response
    }
}

/// Security headers on every response, errors included (it wraps the error middleware).
struct SecurityHeadersMiddleware: AsyncMiddleware {
    static let contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response: Response
        do {
            response = try await next.respond(to: request)
        } catch {
            response = AppErrorMiddleware.response(for: error, request: request)
        }
        // A route may set a stricter policy of its own (evidence files are sandboxed).
        if response.headers.first(name: "Content-Security-Policy") == nil {
            response.headers.replaceOrAdd(name: "Content-Security-Policy", value: Self.contentSecurityPolicy)
        }
        let headers: [(String, String)] = [
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "same-origin"),
            ("Permissions-Policy", "geolocation=(), microphone=()"),
            ("Cross-Origin-Opener-Policy", "same-origin"),
        ]
        for (name, value) in headers { response.headers.replaceOrAdd(name: name, value: value) }
        // Behind HTTPS (which YIXIAN_SECURE_COOKIES=1 declares) browsers must never fall back to plain HTTP.
        if request.application.yixian.secureCookies {
            response.headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains")
        }
        if response.headers.first(name: .cacheControl) == nil {
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
        return response
    }
}

/// Turns every error into the one error shape: JSON under `/api/`, a friendly page elsewhere.
/// Internal errors are logged in full and shown to users without their details.
struct AppErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            return Self.response(for: error, request: request)
        }
    }

    static func appError(for error: any Error, request: Request) -> AppError {
        switch error {
        case let app as AppError: return app
        case let fields as FieldErrors: return .validation(fields.problems)
        case let decoding as DecodingError: return .decoding(decoding)
        case let abort as any AbortError:
            switch abort.status {
            case .notFound: return .notFound("page")
            case .payloadTooLarge:
                return AppError(.payloadTooLarge, code: .tooLarge, zh: "上传的内容过大", en: "The upload is too large")
            case .unsupportedMediaType:
                return AppError(.unsupportedMediaType, code: .unsupportedMediaType, zh: "不支持的内容类型", en: "Unsupported content type")
            case .methodNotAllowed:
                return AppError(.methodNotAllowed, code: .methodNotAllowed, zh: "不支持该请求方法", en: "Method not allowed")
            default:
                if (400..<500).contains(abort.status.code) {
                    return AppError(abort.status, code: .badRequest, zh: "请求无效", en: abort.reason)
                }
            }
        case is HTTPParserError:
            return AppError(.badRequest, code: .malformedRequest, zh: "请求格式错误或内容不完整", en: "The request is malformed or incomplete")
        case is ChannelError, is IOError:
            // The client went away mid-body (a truncated upload): nothing to answer, and not our fault.
            return AppError(.badRequest, code: .incompleteRequest, zh: "请求内容不完整，连接已中断", en: "The request body was cut off")
        default: break
        }
        request.logger.report(error: error)
        return AppError(.internalServerError, code: .internal, zh: "服务器内部错误，请稍后再试", en: "Internal server error; please try again later")
    }

    static func response(for error: any Error, request: Request) -> Response {
        let appError = appError(for: error, request: request)
        let requestID = request.logger[metadataKey: "request-id"].map { "\($0)" }
        let language = request.language
        if request.isAPI || request.headers.accept.first?.mediaType == .json {
            let body = ErrorBody(error: .init(code: appError.code.rawValue, field: appError.field, message: appError.message.text(language),
                                              messages: appError.message, details: appError.details, requestId: requestID))
            let response = Response(status: appError.status)
            try? response.content.encode(body, as: .json)
            return response
        }
        let html = ErrorPage(error: appError, requestID: requestID).render(for: request)
        let response = Response(status: appError.status, body: .init(string: html))
        response.headers.contentType = .html
        return response
    }
}

/// Refuses a URL whose decoded path or query holds a control character (NUL above all): no
/// legitimate link has one, and PostgreSQL rejects NUL in text, so a route parameter or search
/// term carrying it would otherwise fail deep in a query as a 500.
struct ControlCharacterMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let parts = [request.url.path, request.url.query ?? ""].map { $0.removingPercentEncoding ?? $0 }
        if parts.contains(where: { $0.unicodeScalars.contains { CharacterSet.controlCharacters.contains($0) } }) {
            throw AppError(.badRequest, code: .badUrl, zh: "请求地址含有不可见的控制字符", en: "The address contains control characters")
        }
        return try await next.respond(to: request)
    }
}

/// Request bodies are read as sent: a compressed body would inflate past every size limit the
/// routes set (a 4 MB zip bomb is 4 KB on the wire), so it is refused before anything reads it.
struct ContentEncodingMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let encoding = request.headers.first(name: .contentEncoding)?.trimmingCharacters(in: .whitespaces).lowercased(),
           !encoding.isEmpty, encoding != "identity" {
            // Read (not inflate) what was sent, so the client hears the answer instead of a reset.
            _ = try? await request.body.collect(max: 1_048_576).get()
            throw AppError(.unsupportedMediaType, code: .compressedBody, field: "Content-Encoding",
                           zh: "不接受压缩的请求体（Content-Encoding: \(encoding)）", en: "Compressed request bodies (Content-Encoding: \(encoding)) are not accepted")
        }
        return try await next.respond(to: request)
    }
}
