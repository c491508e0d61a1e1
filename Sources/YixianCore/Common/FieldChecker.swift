import Foundation

/// One bad field of a form or JSON body, with the reason in both interface languages.
public struct FieldProblem: Codable, Sendable, Equatable {
    public var field: String
    public var message: Localized
    public init(field: String, message: Localized) {
        self.field = field
        self.message = message
    }
}

/// The problems of an input that was refused; nothing was written.
public struct FieldErrors: Error, Sendable, Equatable {
    public var problems: [FieldProblem]
    public init(_ problems: [FieldProblem]) { self.problems = problems }
    public static func field(_ field: String, zh: String, en: String) -> FieldErrors {
        FieldErrors([FieldProblem(field: field, message: Localized(zh: zh, en: en))])
    }
}

/// Collects every problem of a submitted form or JSON body, so the user sees all of
/// them at once and nothing is written until the input is clean.
public struct FieldChecker: Sendable {
    public private(set) var problems: [FieldProblem] = []

    public init() {}

    public mutating func fail(_ field: String, zh: String, en: String) {
        problems.append(.init(field: field, message: Localized(zh: zh, en: en)))
    }

    /// Trims and checks a required text (also rejects control characters; a `multiline` text keeps
    /// its line breaks and tabs, with Windows line ends made plain).
    public mutating func text(_ field: String, _ value: String?, label: String, max: Int, required: Bool = true, multiline: Bool = false) -> String? {
        var trimmed = (value ?? "").trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: "\u{3000}")))
        if multiline { trimmed = trimmed.replacingOccurrences(of: "\r\n", with: "\n") }
        if trimmed.isEmpty {
            if required { fail(field, zh: "请填写\(label)", en: "\(field) is required") }
            return required ? nil : ""
        }
        if trimmed.count > max {
            fail(field, zh: "\(label)过长（最多 \(max) 个字符）", en: "\(field) is too long (at most \(max) characters)")
            return nil
        }
        let allowed: Set<Unicode.Scalar> = multiline ? ["\n", "\t"] : []
        if trimmed.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) && !allowed.contains($0) }) {
            fail(field, zh: "\(label)含有不可见的控制字符", en: "\(field) contains control characters")
            return nil
        }
        return trimmed
    }

    /// A code: letters, digits, `-` and `_` only.
    public mutating func code(_ field: String, _ value: String?, label: String, max: Int = 64) -> String? {
        guard let text = text(field, value, label: label, max: max) else { return nil }
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            fail(field, zh: "\(label)只能包含字母、数字、“-”和“_”", en: "\(field) may contain only letters, digits, - and _")
            return nil
        }
        return text
    }

    public mutating func choice<T: RawRepresentable & CaseIterable & Labelled>(_ field: String, _ value: String?, label: String, as type: T.Type) -> T?
    where T.RawValue == String {
        guard let raw = value, let parsed = T(rawValue: raw) else {
            let accepted = T.allCases.map { "\($0.rawValue)（\($0.label.zh)）" }.joined(separator: "、")
            fail(field, zh: "\(label)无效，可选值：\(accepted)", en: "\(field) must be one of: " + T.allCases.map(\.rawValue).joined(separator: ", "))
            return nil
        }
        return parsed
    }

    public mutating func integer(_ field: String, _ value: Int?, label: String, range: ClosedRange<Int>, required: Bool = true) -> Int? {
        guard let value else {
            if required { fail(field, zh: "请填写\(label)", en: "\(field) is required") }
            return nil
        }
        guard range.contains(value) else {
            fail(field, zh: "\(label)必须在 \(range.lowerBound) 到 \(range.upperBound) 之间", en: "\(field) must be between \(range.lowerBound) and \(range.upperBound)")
            return nil
        }
        return value
    }

    public mutating func date(_ field: String, _ value: String?, label: String) -> LocalDate? {
        guard let value, !value.isEmpty else {
            fail(field, zh: "请填写\(label)", en: "\(field) is required")
            return nil
        }
        guard let date = LocalDate(value) else {
            fail(field, zh: "\(label)不是有效日期（格式 YYYY-MM-DD）", en: "\(field) is not a valid date (YYYY-MM-DD)")
            return nil
        }
        return date
    }

    public func throwIfAny() throws(FieldErrors) {
        if !problems.isEmpty { throw FieldErrors(problems) }
    }
}
