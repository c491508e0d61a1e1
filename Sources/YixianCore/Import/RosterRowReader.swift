import Foundation

/// Reads the cells of one row by column key, cleaning and checking each value, and
/// collects the issues found. Validators ask for what they need; the reader knows the rules.
public struct RosterRowReader {
    public let rowNumber: Int
    let cells: [String]
    /// Column key → (index in the row, header as written in the file).
    let columns: [String: (index: Int, header: String)]
    let specs: [String: RosterColumn]
    let knownUnits: Set<String>
    let knownCollectives: Set<String>
    let fromCSV: Bool
    public private(set) var issues: [ImportIssue] = []
    public var hasError: Bool { issues.contains { $0.severity == .error } }

    static let maxCodeLength = 64
    static let maxNameLength = 100
    static let formulaErrors: Set<String> = ["#REF!", "#N/A", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#SPILL!", "#CALC!",
                                             "#GETTING_DATA", "#N/A!", "#REF"]
    static let listSeparators: Set<Character> = ["、", ";", "；", ",", "，"]

    /// `listSeparators.contains(c)` without hashing a Character (which normalises it). Each
    /// separator is one scalar with no canonical decomposition, so only that scalar equals it.
    static func isListSeparator(_ character: Character) -> Bool {
        let scalars = character.unicodeScalars
        guard scalars.count == 1 else { return false }
        switch scalars.first!.value {
        case 0x3001, 0x3B, 0xFF1B, 0x2C, 0xFF0C: return true
        default: return false
        }
    }

    /// Trimmed cell text; nil when the column is absent. Formula error values become an issue.
    mutating func raw(_ key: String) -> String? {
        guard let column = columns[key] else { return nil }
        var text = column.index < cells.count ? cells[column.index] : ""
        if fromCSV { text = CSV.restoreNeutralized(text) }
        text = text.trimmingTabularBlank()
        if text.hasPrefix("#"), RosterRowReader.formulaErrors.contains(text.uppercased()) {
            fail(key, .formulaError,
                 zh: "“\(column.header)”是公式错误值 \(text)，请检查原表中的公式或改为直接填写",
                 en: "“\(column.header)” holds the formula error \(text); fix the formula in the sheet or type the value")
            return nil
        }
        return text
    }

    /// A non-empty value of at most `maxLength` characters.
    mutating func text(_ key: String, maxLength: Int) -> String? {
        guard let text = raw(key) else { return nil }
        guard !text.isEmpty else {
            fail(key, .required, zh: "“\(header(key))”不能为空", en: "\(english(key)) is required")
            return nil
        }
        // Most cells are short: their UTF-8 length already bounds the character count.
        guard text.utf8.count <= maxLength || text.count <= maxLength else {
            fail(key, .tooLong, zh: "“\(header(key))”过长（\(text.count) 个字符，最多 \(maxLength) 个）",
                 en: "\(english(key)) is too long (\(text.count) characters, at most \(maxLength))")
            return nil
        }
        return text
    }

    mutating func name(_ key: String) -> String? { text(key, maxLength: RosterRowReader.maxNameLength) }

    /// Codes and numbers: no inner spaces, and not mangled by Excel into `2.02401E+09`.
    mutating func code(_ key: String) -> String? {
        guard let code = text(key, maxLength: RosterRowReader.maxCodeLength) else { return nil }
        if RosterRowReader.looksScientific(code) {
            fail(key, .scientificNotation,
                 zh: "“\(header(key))”的值 \(code) 已被 Excel 转成科学计数法，原数字已丢失；请把该列设为“文本”格式、重新填写后再导出",
                 en: "\(english(key)) \(code) was turned into scientific notation by Excel and the digits are lost; format the column as Text and re-enter it")
            return nil
        }
        if code.unicodeScalars.contains(where: \.isTabularBlank) {
            fail(key, .badValue, zh: "“\(header(key))”中不能有空格：“\(code)”", en: "\(english(key)) must not contain spaces: “\(code)”")
            return nil
        }
        return code
    }

    /// One of a fixed set of values; the message lists what is accepted.
    mutating func choice<T: CaseIterable & Labelled & RawRepresentable>(_ key: String, parse: (String) -> T?) -> T? where T.RawValue == String {
        guard let text = text(key, maxLength: RosterRowReader.maxNameLength) else { return nil }
        if let value = parse(text) { return value }
        let zh = T.allCases.map(\.label.zh).joined(separator: "、")
        let en = T.allCases.map(\.rawValue).joined(separator: ", ")
        fail(key, .badValue, zh: "“\(header(key))”的值“\(text)”无法识别，可填：\(zh)",
             en: "Unknown \(english(key)) “\(text)”; accepted: \(en) (or the Chinese names \(zh))")
        return nil
    }

    mutating func yesNo(_ key: String) -> Bool? {
        guard let text = text(key, maxLength: RosterRowReader.maxNameLength) else { return nil }
        switch text.lowercased() {
        case "是", "true", "1", "yes", "y", "√", "党员", "中共党员": return true
        case "否", "false", "0", "no", "n", "×", "非党员": return false
        default:
            fail(key, .badValue, zh: "“\(header(key))”的值“\(text)”无法识别，可填：是、否、true、false、1、0",
                 en: "\(english(key)) “\(text)” is not a yes/no value; accepted: 是, 否, true, false, 1, 0")
            return nil
        }
    }

    /// Whole number in `range`; blank gives nil (an issue only when `required`).
    mutating func integer(_ key: String, in range: ClosedRange<Int>, required: Bool, dropSuffix: String) -> Int? {
        guard var text = raw(key) else { return nil }
        if text.isEmpty {
            if required { fail(key, .required, zh: "“\(header(key))”不能为空", en: "\(english(key)) is required") }
            return nil
        }
        if text.hasSuffix(dropSuffix) { text = String(text.dropLast(dropSuffix.count)).trimmingTabularBlank() }
        guard let number = Int(text) else {
            fail(key, .badValue, zh: "“\(header(key))”应为整数，而不是“\(text)”", en: "\(english(key)) must be a whole number, not “\(text)”")
            return nil
        }
        guard range.contains(number) else {
            fail(key, .outOfRange, zh: "“\(header(key))”为 \(number)，超出允许范围 \(range.lowerBound)–\(range.upperBound)",
                 en: "\(english(key)) \(number) is outside \(range.lowerBound)–\(range.upperBound)")
            return nil
        }
        return number
    }

    /// Several values in one cell, separated by 、 ; , (half- or full-width). Blank gives [].
    mutating func list(_ key: String, maxItemLength: Int) -> [String] {
        guard let text = raw(key) else { return [] }
        let items = text.split(whereSeparator: RosterRowReader.isListSeparator)
            .map { $0.trimmingTabularBlank() }.filter { !$0.isEmpty }
        if let long = items.first(where: { $0.utf8.count > maxItemLength && $0.count > maxItemLength }) {
            fail(key, .tooLong, zh: "“\(header(key))”中的“\(long.prefix(20))…”过长（最多 \(maxItemLength) 个字符）",
                 en: "An item of \(english(key)) is too long (“\(long.prefix(20))…”, at most \(maxItemLength) characters)")
        }
        var seen: Set<String> = []
        return items.filter { seen.insert($0).inserted }
    }

    mutating func unitReference(_ key: String) -> String? {
        guard let code = code(key) else { return nil }
        guard knownUnits.contains(code) else {
            fail(key, .unknownReference, zh: "单位代码“\(code)”不存在；请先导入单位名单，或检查拼写",
                 en: "Unit code “\(code)” does not exist; import the units first or check the spelling")
            return nil
        }
        return code
    }

    mutating func collectiveReferences(_ key: String) -> [String] {
        let codes = list(key, maxItemLength: RosterRowReader.maxCodeLength)
        let unknown = codes.filter { !knownCollectives.contains($0) }
        if !unknown.isEmpty {
            let list = unknown.joined(separator: "、")
            fail(key, .unknownReference, zh: "集体代码“\(list)”不存在；请先导入学生集体名单，或检查拼写",
                 en: "Collective code(s) “\(unknown.joined(separator: ", "))” do not exist; import the collectives first or check the spelling")
        }
        return codes
    }

    // MARK: - Helpers

    mutating func fail(_ key: String, _ code: ImportIssue.Code, zh: String, en: String) {
        issues.append(ImportIssue(row: rowNumber, column: columns[key]?.header ?? specs[key]?.header, code: code,
                                  reason: Localized(zh: "第 \(rowNumber) 行：" + zh, en: "Row \(rowNumber): " + en)))
    }

    private func header(_ key: String) -> String { specs[key]?.header ?? key }
    private func english(_ key: String) -> String {
        let name = specs[key]?.english ?? key
        return name.prefix(1).uppercased() + name.dropFirst()
    }

    /// `2.02401E+09`, `1.2e10`: what Excel writes to CSV for long numbers in General format.
    static func looksScientific(_ text: String) -> Bool {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "E") || $0 == UInt8(ascii: "e") }) else { return false }
        let parts = text.uppercased().split(separator: "E", omittingEmptySubsequences: false)
        // Excel always writes the sign (`E+09`); requiring it keeps codes such as `1E203` valid.
        guard parts.count == 2, Double(parts[0]) != nil, parts[1].hasPrefix("+"), let exponent = Int(parts[1].dropFirst()) else { return false }
        return exponent > 0
    }
}
