import Foundation

/// Validated import of roster spreadsheets (units, collectives, cadres, students) from
/// .xlsx or CSV in UTF-8, UTF-16 or GBK.
public enum RosterImport {
    /// Limits for uploads: far above any university's roster, far below what hurts the server.
    public static let defaultLimits = XLSXLimits(maxUncompressedBytes: 200_000_000, maxRows: 200_000, maxColumns: 200)

    /// Reads and validates one uploaded file. The format is decided by the bytes, not by
    /// `fileName` (which only adds a warning when the two disagree).
    /// `knownUnits` / `knownCollectives` are the codes that references may point to: those
    /// already stored plus those imported earlier in the same batch (see `ImportReport.keys`).
    /// Throws `TabularError` when the bytes are not a readable spreadsheet at all.
    public static func parse<Record: RosterRecord>(data: Data, fileName: String, kind: Record.Type,
                                                   knownUnits: Set<String> = [], knownCollectives: Set<String> = [],
                                                   limits: XLSXLimits = defaultLimits) throws -> ImportReport<Record> {
        let loaded = try SpreadsheetFile.load(data, limits: limits)
        var report = validate(records: loaded.records, kind: kind, knownUnits: knownUnits, knownCollectives: knownCollectives,
                              fromCSV: loaded.format == .text)
        report.format = loaded.format
        report.encoding = loaded.encoding
        if loaded.format == .xlsx, report.isFileRejected {
            // Templates often open with an instructions sheet (填表说明): use the first sheet that has the roster's columns.
            for name in try XLSXReader.sheetNames(in: data, limits: limits).dropFirst() {
                var candidate = validate(records: try XLSXReader.readRecords(from: data, sheetName: name, limits: limits), kind: kind,
                                         knownUnits: knownUnits, knownCollectives: knownCollectives)
                guard !candidate.isFileRejected else { continue }
                candidate.sheetName = name
                candidate.issues.insert(ImportIssue(row: nil, column: nil, code: .sheetChosen, severity: .warning,
                    reason: Localized(zh: "第一个工作表不是\(kind.rosterKind.label.zh)名单，已读取工作表“\(name)”",
                                      en: "The first worksheet is not a \(kind.rosterKind.rawValue) roster; read the worksheet “\(name)” instead")), at: 0)
                report = candidate
                break
            }
        }
        if let warning = extensionWarning(fileName: fileName, format: loaded.format) { report.issues.insert(warning, at: 0) }
        return report
    }

    /// Validates records already split into cells (`records[i]` is Excel row `i + 1`).
    public static func validate<Record: RosterRecord>(records: [[String]], kind: Record.Type,
                                                      knownUnits: Set<String>, knownCollectives: Set<String>,
                                                      fromCSV: Bool = false) -> ImportReport<Record> {
        var validation = RosterValidation<Record>(records: records, knownUnits: knownUnits, knownCollectives: knownCollectives, fromCSV: fromCSV)
        while !validation.isDone { _ = validation.advance(rows: .max) }
        return validation.finish()
    }

    /// Opens a file, reads its first `chunk` records and checks the header among them, for a caller
    /// that validates and writes a chunk at a time while the rest is read (`RosterValidation.append`).
    /// Nil when that is not possible: the first sheet is not this roster (`parse` then looks through
    /// the other sheets) or its rows are out of order.
    public static func begin<Record: RosterRecord>(data: Data, kind: Record.Type, knownUnits: Set<String>, knownCollectives: Set<String>,
                                                   chunk: Int, limits: XLSXLimits = defaultLimits) throws
        -> (validation: RosterValidation<Record>, rows: SpreadsheetRows)? {
        var rows = try SpreadsheetFile.rows(data, limits: limits)
        let first: [[String]]
        do { first = try rows.next(limit: max(chunk, 10)) } catch is SheetRowStream.OutOfOrder { return nil }
        var validation = RosterValidation<Record>(records: first, knownUnits: knownUnits, knownCollectives: knownCollectives,
                                                  fromCSV: rows.format == .text)
        guard !validation.report.isFileRejected else { return nil }
        validation.report.format = rows.format
        validation.report.encoding = rows.encoding
        return (validation, rows)
    }

    /// The header is usually row 1, but templates often put a title (`2024级学生名单`) above it:
    /// take the first of the first ten rows that matches the most known headers.
    static func findHeaderRow(_ records: [[String]], specs: [RosterColumn]) -> Int {
        var best = (index: records.firstIndex { !TabularRow(number: 0, cells: $0).isBlank } ?? 0, score: 0)
        for (index, cells) in records.prefix(10).enumerated() {
            let score = cells.filter { cell in specs.contains { $0.matches(normalizedHeader: RosterColumn.normalize(cell)) } }.count
            if score > best.score { best = (index, score) }
        }
        return best.index
    }

    public static func extensionWarning(fileName: String, format: SpreadsheetFormat) -> ImportIssue? {
        let ext = (fileName as NSString).pathExtension.lowercased()
        let expected: Set<String> = format == .xlsx ? ["xlsx", "xlsm"] : ["csv", "txt", "tsv"]
        guard !ext.isEmpty, !expected.contains(ext) else { return nil }
        let actual = format == .xlsx ? "xlsx" : "CSV"
        return ImportIssue(row: nil, column: nil, code: .fileExtension, severity: .warning,
                           reason: Localized(zh: "文件名扩展名为 .\(ext)，但内容是 \(actual)，已按 \(actual) 读取",
                                             en: "The file is named .\(ext) but contains \(actual); it was read as \(actual)"))
    }
}
