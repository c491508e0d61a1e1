import Vapor
import YixianCore

/// The one error type users see: a status, a stable code, the field at fault and
/// a message in both interface languages. The error middleware renders it as JSON
/// under `/api/v1` and as a page elsewhere.
public struct AppError: Error, AbortError, Sendable {
    public var status: HTTPResponseStatus
    public var code: String
    public var field: String?
    public var message: Localized
    /// Further problems, e.g. one per bad field of a form.
    public var details: [FieldProblem]

    public typealias FieldProblem = YixianCore.FieldProblem

    public init(_ status: HTTPResponseStatus, code: String, field: String? = nil, zh: String, en: String, details: [FieldProblem] = []) {
        self.status = status
        self.code = code
        self.field = field
        self.message = Localized(zh: zh, en: en)
        self.details = details
    }

    public var reason: String { message.en }

    public static func validation(_ problems: [FieldProblem]) -> AppError {
        let first = problems.first
        return AppError(.unprocessableEntity, code: "validation_failed", field: first?.field,
                        zh: first.map { "输入有误：\($0.message.zh)" } ?? "输入有误",
                        en: first.map { "Invalid input: \($0.message.en)" } ?? "Invalid input",
                        details: problems)
    }

    public init(_ errors: FieldErrors) { self = .validation(errors.problems) }

    public static func field(_ field: String, zh: String, en: String) -> AppError {
        validation([FieldProblem(field: field, message: Localized(zh: zh, en: en))])
    }

    public static let unauthenticated = AppError(.unauthorized, code: "unauthenticated", zh: "请先登录", en: "Please sign in first")
    public static let forbidden = AppError(.forbidden, code: "forbidden", zh: "您没有权限执行此操作", en: "You are not allowed to do this")
    public static let csrf = AppError(.forbidden, code: "csrf_failed", zh: "页面已过期或请求来源无效，请刷新后重试", en: "The form expired or the request origin is invalid; reload and try again")

    public static func notFound(_ what: String = "resource") -> AppError {
        AppError(.notFound, code: "not_found", zh: "找不到请求的内容", en: "The requested \(what) was not found")
    }

    public static func conflict(field: String?, zh: String, en: String) -> AppError {
        AppError(.conflict, code: "conflict", field: field, zh: zh, en: en)
    }
}

/// JSON body of every API error.
struct ErrorBody: Content {
    struct Inner: Content {
        var code: String
        var field: String?
        var message: String
        var messages: Localized
        var details: [AppError.FieldProblem]
        var requestId: String?
    }
    var error: Inner
}

extension Localized: Content {}

extension FieldChecker {
    /// Throws the collected problems as the 422 `AppError` that forms re-render and the API returns.
    func throwIfInvalid() throws {
        if !problems.isEmpty { throw AppError.validation(problems) }
    }
}
