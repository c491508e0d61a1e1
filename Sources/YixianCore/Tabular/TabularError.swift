import Foundation

/// Why a spreadsheet or text file could not be read at all. Row-level problems are
/// `ImportIssue`s instead; this is for files that cannot be turned into rows.
public struct TabularError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        case emptyFile = "empty-file"
        case decoding
        case binaryContent = "binary-content"
        case legacyExcel = "legacy-excel"
        case htmlTable = "html-table"
        case notZip = "not-zip"
        case missingPart = "missing-part"
        case tooLarge = "too-large"
        case tooManyRows = "too-many-rows"
        case tooManyColumns = "too-many-columns"
        case malformedXML = "malformed-xml"
        case sheetNotFound = "sheet-not-found"
        case writeFailed = "write-failed"
    }

    public var code: Code
    public var reason: Localized

    public init(_ code: Code, zh: String, en: String) {
        self.code = code
        self.reason = Localized(zh: zh, en: en)
    }

    public var description: String { "\(code.rawValue): \(reason.en)" }

    static let emptyFile = TabularError(.emptyFile, zh: "文件为空", en: "The file is empty")

    static func decoding(offset: Int, encoding: String) -> TabularError {
        TabularError(.decoding, zh: "文件无法按 \(encoding) 解码：第 \(offset) 字节处（从 0 计）编码无效",
                     en: "The file cannot be decoded as \(encoding): invalid bytes at byte offset \(offset)")
    }

    static func binary(_ what: String) -> TabularError {
        TabularError(.binaryContent, zh: "这不是表格文件（\(what)），请上传 .xlsx 或 .csv 文件",
                     en: "This is not a spreadsheet (\(what)); upload an .xlsx or .csv file")
    }

    static func missingPart(_ path: String) -> TabularError {
        TabularError(.missingPart, zh: "xlsx 文件不完整，缺少 \(path)", en: "The .xlsx file is incomplete: \(path) is missing")
    }

    static func tooLarge(limitBytes: Int) -> TabularError {
        let mb = limitBytes / 1_000_000
        return TabularError(.tooLarge, zh: "文件解压后超过 \(mb) MB 上限，可能是压缩炸弹或过大的表格",
                            en: "The file expands beyond the \(mb) MB limit (a zip bomb or an oversized sheet)")
    }

    static func tooManyRows(limit: Int) -> TabularError {
        TabularError(.tooManyRows, zh: "表格超过 \(limit) 行上限，请拆分后导入", en: "The sheet has more than \(limit) rows; split it before importing")
    }

    static func tooManyColumns(limit: Int) -> TabularError {
        TabularError(.tooManyColumns, zh: "表格超过 \(limit) 列上限", en: "The sheet has more than \(limit) columns")
    }

    static func malformedXML(part: String, offset: Int, reason: String) -> TabularError {
        TabularError(.malformedXML, zh: "xlsx 文件已损坏：\(part) 第 \(offset) 字节处 \(reason)",
                     en: "The .xlsx file is damaged: \(part) at byte \(offset): \(reason)")
    }
}
