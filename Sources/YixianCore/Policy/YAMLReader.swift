import Foundation
import Yams

/// One problem in a policy or scenario file, at a line and column (both 1-based).
public struct YAMLDiagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, Codable {
        case syntax
        case missingField = "missing-field"
        case unknownField = "unknown-field"
        case wrongType = "wrong-type"
        case invalidValue = "invalid-value"
        case duplicateID = "duplicate-id"
        case unknownRole = "unknown-role"
        case roleCycle = "role-cycle"
        case unknownKind = "unknown-kind"
        case unknownVenue = "unknown-venue"
        case unknownPeriod = "unknown-period"
        case negativeCount = "negative-count"
        case unknownRank = "unknown-rank"
        case unknownUnitKind = "unknown-unit-kind"
        case unknownCollectiveKind = "unknown-collective-kind"
        case unknownPairingKind = "unknown-pairing-kind"
        case unknownFilingKind = "unknown-filing-kind"
        case badDeadline = "bad-deadline"
        case unknownReference = "unknown-reference"
    }

    public var line: Int
    public var column: Int
    public var code: Code
    public var message: Localized

    public init(line: Int, column: Int, code: Code, message: Localized) {
        self.line = line
        self.column = column
        self.code = code
        self.message = message
    }

    public var description: String { "\(line):\(column): \(message.zh)（\(message.en)）" }
}

/// All problems of one file; thrown by the loaders.
public struct YAMLLoadError: Error, Sendable, Hashable, CustomStringConvertible {
    public var fileName: String
    public var diagnostics: [YAMLDiagnostic]

    public var description: String { diagnostics.map { "\(fileName):\($0)" }.joined(separator: "\n") }
}

/// Decodes YAML by hand from `Yams.compose` nodes so every problem keeps its position,
/// and keeps going after a problem so one run reports them all.
final class YAMLReader {
    private(set) var diagnostics: [YAMLDiagnostic] = []

    /// Parses the text; nil (with a syntax diagnostic) when it is not YAML.
    func compose(_ text: String) -> Node? {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                fail(at: nil, .missingField, "文件为空", "the file is empty")
                return nil
            }
            return node
        } catch let error as YamlError {
            var line = 1, column = 1, problem = "\(error)"
            switch error {
            case .scanner(_, let p, let mark, _), .parser(_, let p, let mark, _), .composer(_, let p, let mark, _):
                line = mark.line
                column = mark.column
                problem = p
            default: break
            }
            diagnostics.append(YAMLDiagnostic(line: line, column: column, code: .syntax,
                                              message: Localized(zh: "YAML 语法错误：\(problem)", en: "YAML syntax error: \(problem)")))
            return nil
        } catch {
            fail(at: nil, .syntax, "YAML 语法错误：\(error)", "YAML syntax error: \(error)")
            return nil
        }
    }

    func fail(at node: Node?, _ code: YAMLDiagnostic.Code, _ zh: String, _ en: String) {
        let mark = node?.mark
        diagnostics.append(YAMLDiagnostic(line: mark?.line ?? 1, column: mark?.column ?? 1, code: code,
                                          message: Localized(zh: zh, en: en)))
    }

    func mapping(_ node: Node, _ what: String) -> YAMLFields? {
        guard case .mapping(let mapping) = node else {
            fail(at: node, .wrongType, "\(what) 应为映射（键: 值）", "\(yamlEnglishName(what)) must be a mapping (key: value)")
            return nil
        }
        return YAMLFields(node: node, mapping: mapping, reader: self, what: what)
    }

    func sequence(_ node: Node, _ what: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            fail(at: node, .wrongType, "\(what) 应为列表", "\(yamlEnglishName(what)) must be a list")
            return nil
        }
        return Array(sequence)
    }

    func string(_ node: Node, _ what: String) -> String? {
        guard case .scalar(let scalar) = node else {
            fail(at: node, .wrongType, "\(what) 应为文字", "\(yamlEnglishName(what)) must be a plain value")
            return nil
        }
        return scalar.string
    }

    func double(_ node: Node, _ what: String) -> Double? {
        guard case .scalar(let scalar) = node, let value = Double(scalar.string.trimmingCharacters(in: .whitespaces)),
              value.isFinite else {
            fail(at: node, .wrongType, "\(what) 应为数字", "\(yamlEnglishName(what)) must be a number")
            return nil
        }
        return value
    }

    /// A count: a whole number, zero or more.
    func count(_ node: Node, _ what: String) -> Int? {
        guard let value = double(node, what) else { return nil }
        guard value >= 0 else {
            fail(at: node, .negativeCount, "\(what) 不能小于 0：\(yamlNumberText(value))", "\(yamlEnglishName(what)) cannot be below zero: \(yamlNumberText(value))")
            return nil
        }
        guard value == value.rounded() else {
            fail(at: node, .invalidValue, "\(what) 应为整数", "\(yamlEnglishName(what)) must be a whole number")
            return nil
        }
        return Int(value)
    }

    /// A quantity: zero or more, fractions allowed (hours).
    func amount(_ node: Node, _ what: String) -> Double? {
        guard let value = double(node, what) else { return nil }
        guard value >= 0 else {
            fail(at: node, .negativeCount, "\(what) 不能小于 0：\(yamlNumberText(value))", "\(yamlEnglishName(what)) cannot be below zero: \(yamlNumberText(value))")
            return nil
        }
        return value
    }

    func bool(_ node: Node, _ what: String) -> Bool? {
        guard case .scalar(let scalar) = node else {
            fail(at: node, .wrongType, "\(what) 应为 true 或 false", "\(yamlEnglishName(what)) must be true or false")
            return nil
        }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            fail(at: node, .wrongType, "\(what) 应为 true 或 false", "\(yamlEnglishName(what)) must be true or false")
            return nil
        }
    }

    func date(_ node: Node, _ what: String) -> LocalDate? {
        guard let text = string(node, what) else { return nil }
        guard let date = LocalDate(text) else {
            fail(at: node, .invalidValue, "\(what) 应为日期 YYYY-MM-DD：\(text)", "\(yamlEnglishName(what)) must be a date YYYY-MM-DD: \(text)")
            return nil
        }
        return date
    }

    /// A single value or a list of values, each with its node for error positions.
    func strings(_ node: Node, _ what: String) -> [(String, Node)]? {
        switch node {
        case .scalar(let scalar): return [(scalar.string, node)]
        case .sequence(let sequence):
            var result: [(String, Node)] = []
            for item in sequence { if let text = string(item, what) { result.append((text, item)) } }
            return result
        default:
            fail(at: node, .wrongType, "\(what) 应为一个值或列表", "\(yamlEnglishName(what)) must be a value or a list")
            return nil
        }
    }

    /// Values of an enumeration, each reported by name when unknown.
    func enumValues<T>(_ node: Node, _ what: String, code: YAMLDiagnostic.Code, allowed: [String],
                       _ make: (String) -> T?) -> [T]? {
        guard let items = strings(node, what) else { return nil }
        var result: [T] = []
        var ok = true
        for (text, item) in items {
            if let value = make(text) { result.append(value) } else {
                ok = false
                fail(at: item, code, "未知的\(what)「\(text)」，可用：\(allowed.joined(separator: ", "))",
                     "unknown \(yamlEnglishName(what)) “\(text)”; use one of: \(allowed.joined(separator: ", "))")
            }
        }
        return ok ? result : nil
    }

    func periodKind(_ node: Node, allowed: [PeriodKind] = PeriodKind.allCases) -> PeriodKind? {
        guard let text = string(node, "周期") else { return nil }
        let kind: PeriodKind? = text == "year" ? .academicYear : PeriodKind(rawValue: text)
        guard let kind, allowed.contains(kind) else {
            let names = allowed.map(\.rawValue).joined(separator: ", ")
            fail(at: node, .unknownPeriod, "未知或不适用的周期「\(text)」，可用：\(names)",
                 "unknown or unsupported period “\(text)”; use one of: \(names)")
            return nil
        }
        return kind
    }
}

/// The entries of one mapping; records which keys were read so unknown ones can be reported.
final class YAMLFields {
    let node: Node
    let entries: [(key: String, keyNode: Node, value: Node)]
    /// Keys read so far, in order: the fields this mapping accepts.
    private var used: [String] = []
    private unowned let reader: YAMLReader
    private let what: String

    init(node: Node, mapping: Node.Mapping, reader: YAMLReader, what: String) {
        self.node = node
        self.reader = reader
        self.what = what
        self.entries = mapping.map { (key: $0.key.scalar?.string ?? "", keyNode: $0.key, value: $0.value) }
    }

    func has(_ key: String) -> Bool { entries.contains { $0.key == key } }

    func take(_ key: String) -> Node? {
        if !used.contains(key) { used.append(key) }
        return entries.first { $0.key == key }?.value
    }

    func require(_ key: String) -> Node? {
        if let value = take(key) { return value }
        reader.fail(at: node, .missingField, "\(what)缺少字段 `\(key)`", "\(yamlEnglishName(what)) is missing `\(key)`")
        return nil
    }

    /// Reports every key that was never read; call after taking every accepted key.
    func finish() {
        let allowed = used
        for entry in entries where !used.contains(entry.key) {
            reader.fail(at: entry.keyNode, .unknownField,
                        "\(what)中未知的字段 `\(entry.key)`，可用：\(allowed.joined(separator: ", "))",
                        "unknown field `\(entry.key)` in \(yamlEnglishName(what)); expected one of: \(allowed.joined(separator: ", "))")
        }
    }
}

/// `3` for 3.0, `0.5` for 0.5: numbers as people write them.
func yamlNumberText(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%g", value)
}

/// English for the Chinese names of the format's parts, so that English messages stay English.
func yamlEnglishName(_ what: String) -> String {
    yamlEnglishNames[what] ?? what
}

private let yamlEnglishNames: [String: String] = [
        "假期": "vacation",
        "单位": "unit",
        "单位代码": "unit code",
        "单位类型": "unit kind",
        "单位选择器": "unit selector",
        "响应时限": "response deadline",
        "场所": "venue",
        "备案": "filing",
        "备案类型": "filing kind",
        "学年": "academic year",
        "学期": "term",
        "学生诉求": "student case",
        "学生集体": "collective",
        "学生集体类型": "collective kind",
        "干部": "cadre",
        "情景文件": "scenario file",
        "标签": "tag",
        "比例": "share",
        "活动类型": "activity kind",
        "特殊周": "special week",
        "策略文件": "policy file",
        "级别": "rank",
        "群体要求": "group quota",
        "结对": "pairing",
        "结对类型": "pairing kind",
        "职务": "post",
        "职务关键词": "post keyword",
        "职务变动": "post change",
        "联系记录": "contact record",
        "规则": "rule",
        "角色选择器": "role selector",
]
