import Vapor
import YixianCore

/// The one error type users see: a status, a stable code, the field at fault and
/// a message in both interface languages. The error middleware renders it as JSON
/// under `/api/v1` and as a page elsewhere.
public struct AppError: Error, AbortError, Sendable {
    public var status: HTTPResponseStatus
    public var code: Code
    public var field: String?
    public var message: Localized
    /// Further problems, e.g. one per bad field of a form.
    public var details: [FieldProblem]

    public typealias FieldProblem = YixianCore.FieldProblem

    /// The stable, machine-readable part of an error (`error.code` in the JSON body). Clients branch
    /// on these; the message is for people. Adding a case is safe; renaming one breaks clients.
    public enum Code: String, Sendable, CaseIterable {
        /// One or more fields are wrong; `details` lists each.
        case validationFailed = "validation_failed"
        /// A required field is absent.
        case missingField = "missing_field"
        /// A field has the wrong JSON type.
        case wrongType = "wrong_type"
        /// A field has a value outside what it accepts.
        case invalidValue = "invalid_value"
        /// The body is not JSON.
        case badJson = "bad_json"
        /// The request needs a body and has none.
        case emptyBody = "empty_body"
        /// Any other request the server cannot accept as sent.
        case badRequest = "bad_request"
        /// The HTTP request itself is malformed or incomplete.
        case malformedRequest = "malformed_request"
        /// The body was cut off (the client went away).
        case incompleteRequest = "incomplete_request"
        /// The path or query holds control characters.
        case badUrl = "bad_url"
        /// A compressed request body (refused before it is read).
        case compressedBody = "compressed_body"
        /// The body or upload is over its limit.
        case tooLarge = "too_large"
        /// The content type is not one the route reads.
        case unsupportedMediaType = "unsupported_media_type"
        /// An upload that cannot be read as the file it claims to be.
        case unreadableFile = "unreadable_file"
        /// The route exists but not with this method.
        case methodNotAllowed = "method_not_allowed"
        /// The resource or page does not exist (or is not visible to the caller).
        case notFound = "not_found"
        /// No valid session or token.
        case unauthenticated = "unauthenticated"
        /// The bearer token is unknown, expired or revoked.
        case invalidToken = "invalid_token"
        /// Signed in, but the role or scope does not allow this.
        case forbidden = "forbidden"
        /// A form post without a valid CSRF token or from another origin.
        case csrfFailed = "csrf_failed"
        /// The account must change its password before anything else.
        case passwordChangeRequired = "password_change_required"
        /// Too many requests; `Retry-After` says when to come back.
        case rateLimited = "rate_limited"
        /// An account cannot give itself a role.
        case selfGrant = "self_grant"
        /// An account cannot deactivate itself.
        case selfDeactivation = "self_deactivation"
        /// Only the security administrator grants administrative roles.
        case roleGrantRequiresSecurityAdmin = "role_grant_requires_security_admin"
        /// The last active security administrator cannot be removed.
        case lastSecurityAdmin = "last_security_admin"
        /// The change conflicts with what is stored (a duplicate, a stale version).
        case conflict = "conflict"
        /// A submitted record cannot be edited, only corrected.
        case submittedRecord = "submitted_record"
        /// The student has already confirmed this record.
        case alreadyConfirmed = "already_confirmed"
        /// The student was not among the record’s students.
        case notParticipant = "not_participant"
        /// No record has this confirmation code.
        case unknownCode = "unknown_code"
        /// The confirmation window after the contact has closed.
        case confirmationClosed = "confirmation_closed"
        /// As many students have confirmed as took part.
        case confirmationsFull = "confirmations_full"
        /// The record was voided (作废): it can no longer be corrected or confirmed.
        case voidedRecord = "voided_record"
        /// A CAS ticket that is malformed, used before, or refused by the CAS server.
        case casTicketInvalid = "cas_ticket_invalid"
        /// The CAS user has no active (non-administrator) account here.
        case casUnknownUser = "cas_unknown_user"
        /// The CAS server could not be reached or answered nonsense.
        case casUnavailable = "cas_unavailable"
        /// There is no second-factor enrolment to confirm.
        case noPendingEnrolment = "no_pending_enrolment"
        /// No policy version is in force yet.
        case noPolicy = "no_policy"
        /// The calendar has no term for the date asked.
        case noCalendar = "no_calendar"
        /// An import with row errors cannot be committed as a whole.
        case importHasErrors = "import_has_errors"
        /// The Idempotency-Key was used for a different request.
        case idempotencyKeyReused = "idempotency_key_reused"
        /// A request with this Idempotency-Key is still running.
        case idempotencyInProgress = "idempotency_in_progress"
        /// The keyed request was carried out but its answer was not kept.
        case idempotentRequestDone = "idempotent_request_done"
        /// The Idempotency-Key is not 1–128 visible ASCII characters.
        case badIdempotencyKey = "bad_idempotency_key"
        /// An evidence file failed its integrity check.
        case evidenceCorrupt = "evidence_corrupt"
        /// An evidence file could not be stored.
        case evidenceWrite = "evidence_write"
        /// Sensitive data is stored sealed but the key is not configured.
        case dataProtectionMissing = "data_protection_missing"
        /// A fault of the server; the request id finds it in the log.
        case `internal` = "internal"
    }

    public init(_ status: HTTPResponseStatus, code: Code, field: String? = nil, zh: String, en: String, details: [FieldProblem] = []) {
        self.status = status
        self.code = code
        self.field = field
        self.message = Localized(zh: zh, en: en)
        self.details = details
    }

    public var reason: String { message.en }

    public static func validation(_ problems: [FieldProblem]) -> AppError {
        let first = problems.first
        return AppError(.unprocessableEntity, code: .validationFailed, field: first?.field,
                        zh: first.map { "输入有误：\($0.message.zh)" } ?? "输入有误",
                        en: first.map { "Invalid input: \($0.message.en)" } ?? "Invalid input",
                        details: problems)
    }

    public init(_ errors: FieldErrors) { self = .validation(errors.problems) }

    public static func field(_ field: String, zh: String, en: String) -> AppError {
        validation([FieldProblem(field: field, message: Localized(zh: zh, en: en))])
    }

    public static let unauthenticated = AppError(.unauthorized, code: .unauthenticated, zh: "请先登录", en: "Please sign in first")
    public static let forbidden = AppError(.forbidden, code: .forbidden, zh: "您没有权限执行此操作", en: "You are not allowed to do this")
    public static let csrf = AppError(.forbidden, code: .csrfFailed, zh: "页面已过期或请求来源无效，请刷新后重试", en: "The form expired or the request origin is invalid; reload and try again")

    public static func notFound(_ what: String = "resource") -> AppError {
        AppError(.notFound, code: .notFound, zh: "找不到请求的内容", en: "The requested \(what) was not found")
    }

    public static func conflict(field: String?, zh: String, en: String) -> AppError {
        AppError(.conflict, code: .conflict, field: field, zh: zh, en: en)
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
