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
        let specs = Record.rosterKind.columns
        var report = ImportReport<Record>(kind: Record.rosterKind, format: fromCSV ? .text : .xlsx, encoding: nil, sheetName: nil,
                                          rows: [], issues: [], blankRowCount: 0)
        let headerIndex = findHeaderRow(records, specs: specs)
        let header = headerIndex < records.count ? records[headerIndex] : []

        // Map header cells to columns; report missing, repeated and unknown ones.
        var columns: [String: (index: Int, header: String)] = [:]
        for (index, cell) in header.enumerated() {
            let written = cell.trimmingTabularBlank()
            if written.isEmpty { continue }
            let normalized = RosterColumn.normalize(written)
            guard let spec = specs.first(where: { $0.matches(normalizedHeader: normalized) }) else {
                report.issues.append(ImportIssue(row: headerIndex + 1, column: written, code: .unknownColumn, severity: .warning,
                                                 reason: Localized(zh: "无法识别的列“\(written)”，已忽略", en: "Unknown column “\(written)” was ignored")))
                continue
            }
            if let earlier = columns[spec.key] {
                report.issues.append(ImportIssue(row: nil, column: spec.header, code: .duplicateColumn,
                    reason: Localized(zh: "“\(spec.header)”列出现了两次（第 \(XLSXWriter.columnName(earlier.index)) 列和第 \(XLSXWriter.columnName(index)) 列）",
                                      en: "The column “\(spec.header)” (\(spec.english)) appears twice (columns \(XLSXWriter.columnName(earlier.index)) and \(XLSXWriter.columnName(index)))")))
                continue
            }
            columns[spec.key] = (index, written)
        }
        for spec in specs where spec.isRequired && columns[spec.key] == nil {
            let accepted = ([spec.header, spec.english] + spec.aliases).joined(separator: "、")
            report.issues.append(ImportIssue(row: nil, column: spec.header, code: .missingColumn,
                reason: Localized(zh: "缺少必需的列“\(spec.header)”（可写作：\(accepted)）。\(Record.rosterKind.label.zh)名单的表头应为：\(specs.map(\.header).joined(separator: "、"))",
                                  en: "Missing required column “\(spec.header)” (\(spec.english); accepted: \(accepted)). The \(Record.rosterKind.rawValue) header is: \(specs.map(\.header).joined(separator: ", "))")))
        }
        if report.isFileRejected { return report }

        let specByKey = Dictionary(uniqueKeysWithValues: specs.map { ($0.key, $0) })
        // The first row of each key; keys seen again collect all their rows in `duplicates`.
        var firstRowOfKey: [String: Int] = [:]
        firstRowOfKey.reserveCapacity(records.count)
        var duplicates: [String: [Int]] = [:]
        report.rows.reserveCapacity(records.count)
        var keyColumn = specs[0]
        keyColumn.header = columns[specs[0].key]?.header ?? specs[0].header
        for (offset, cells) in records.enumerated().dropFirst(headerIndex + 1) {
            let row = TabularRow(number: offset + 1, cells: cells)
            if row.isBlank { report.blankRowCount += 1; continue }
            var reader = RosterRowReader(rowNumber: row.number, cells: cells, columns: columns, specs: specByKey,
                                         knownUnits: knownUnits, knownCollectives: knownCollectives, fromCSV: fromCSV)
            let value = Record.read(&reader)
            report.issues += reader.issues
            let key = row[columns[specs[0].key]!.index].trimmingTabularBlank()
            if !key.isEmpty {
                if let first = firstRowOfKey[key] {
                    duplicates[key, default: [first]].append(row.number)
                } else {
                    firstRowOfKey[key] = row.number
                }
            }
            if let value { report.rows.append(ImportedRow(row: row.number, value: value)) }
        }

        // The same key twice: neither row is taken, since we cannot know which one is right.
        if !duplicates.isEmpty {
            let duplicateRows = Set(duplicates.values.joined())
            report.rows.removeAll { duplicateRows.contains($0.row) }
            for (key, rows) in duplicates {
                let list = rows.map(String.init).joined(separator: "、")
                for row in rows {
                    report.issues.append(ImportIssue(row: row, column: keyColumn.header, code: .duplicateKey,
                        reason: Localized(zh: "第 \(row) 行：\(keyColumn.header)“\(key)”重复出现在第 \(list) 行，这些行都未导入",
                                          en: "Row \(row): \(keyColumn.english) “\(key)” appears in rows \(rows.map(String.init).joined(separator: ", ")); none of them was imported")))
                }
            }
        }
        // Row by row, and left to right within a row, as the user reads the sheet.
        let position = Dictionary(columns.values.map { ($0.header, $0.index) }, uniquingKeysWith: min)
        report.issues.sort { a, b in
            (a.row ?? 0, a.column.flatMap { position[$0] } ?? -1) < (b.row ?? 0, b.column.flatMap { position[$0] } ?? -1)
        }
        return report
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

    static func extensionWarning(fileName: String, format: SpreadsheetFormat) -> ImportIssue? {
        let ext = (fileName as NSString).pathExtension.lowercased()
        let expected: Set<String> = format == .xlsx ? ["xlsx", "xlsm"] : ["csv", "txt", "tsv"]
        guard !ext.isEmpty, !expected.contains(ext) else { return nil }
        let actual = format == .xlsx ? "xlsx" : "CSV"
        return ImportIssue(row: nil, column: nil, code: .fileExtension, severity: .warning,
                           reason: Localized(zh: "文件名扩展名为 .\(ext)，但内容是 \(actual)，已按 \(actual) 读取",
                                             en: "The file is named .\(ext) but contains \(actual); it was read as \(actual)"))
    }
}
