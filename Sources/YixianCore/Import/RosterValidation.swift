import Foundation

/// The validation of one roster sheet, row by row: the header is read when it is made, then
/// `advance` checks the next rows and `finish` adds what only the whole sheet shows (keys that
/// appear twice) and puts the issues in reading order. `RosterImport.validate` runs it in one go;
/// an import that writes while it validates runs it a chunk at a time.
public struct RosterValidation<Record: RosterRecord>: Sendable {
    public internal(set) var report: ImportReport<Record>
    private var records: [[String]]
    private let knownUnits: Set<String>
    private let knownCollectives: Set<String>
    private let fromCSV: Bool
    private let specs: [RosterColumn]
    private let specByKey: [String: RosterColumn]
    /// Column key → (index in the row, header as written in the file).
    private var columns: [String: (index: Int, header: String)] = [:]
    private var keyColumn: RosterColumn
    private var nextRecord: Int
    /// The first row of each key; keys seen again collect all their rows in `duplicates`.
    private var firstRowOfKey: [String: Int] = [:]
    private var duplicates: [String: [Int]] = [:]

    /// Every record given so far is checked (or the file is rejected).
    public var isDone: Bool { report.isFileRejected || nextRecord >= records.count }
    /// A key seen on two rows so far: `finish` will drop both, whatever was done with the first.
    public var hasDuplicateKeys: Bool { !duplicates.isEmpty }

    public init(records: [[String]], knownUnits: Set<String>, knownCollectives: Set<String>, fromCSV: Bool = false) {
        self.records = records
        self.knownUnits = knownUnits
        self.knownCollectives = knownCollectives
        self.fromCSV = fromCSV
        specs = Record.rosterKind.columns
        specByKey = Dictionary(uniqueKeysWithValues: specs.map { ($0.key, $0) })
        report = ImportReport<Record>(kind: Record.rosterKind, format: fromCSV ? .text : .xlsx, encoding: nil, sheetName: nil,
                                      rows: [], issues: [], blankRowCount: 0)
        let headerIndex = RosterImport.findHeaderRow(records, specs: specs)
        nextRecord = headerIndex + 1
        keyColumn = specs[0]
        readHeader(headerIndex < records.count ? records[headerIndex] : [], at: headerIndex)
        keyColumn.header = columns[specs[0].key]?.header ?? specs[0].header
        if !report.isFileRejected {
            firstRowOfKey.reserveCapacity(records.count)
            report.rows.reserveCapacity(records.count)
        }
    }

    /// Maps header cells to columns; reports missing, repeated and unknown ones.
    private mutating func readHeader(_ header: [String], at headerIndex: Int) {
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
    }

    /// More records of the same sheet, read after the validation began.
    public mutating func append(records more: [[String]]) { records += more }

    /// Checks up to `count` more rows and returns the valid ones among them (also kept in `report`).
    public mutating func advance(rows count: Int) -> ArraySlice<ImportedRow<Record>> {
        let firstNew = report.rows.count
        guard !isDone else { return report.rows[firstNew...] }
        let keyIndex = columns[specs[0].key]!.index
        let end = nextRecord + min(count, records.count - nextRecord)
        for offset in nextRecord..<end {
            let cells = records[offset]
            let row = TabularRow(number: offset + 1, cells: cells)
            if row.isBlank { report.blankRowCount += 1; continue }
            var reader = RosterRowReader(rowNumber: row.number, cells: cells, columns: columns, specs: specByKey,
                                         knownUnits: knownUnits, knownCollectives: knownCollectives, fromCSV: fromCSV)
            let value = Record.read(&reader)
            report.issues += reader.issues
            let key = row[keyIndex].trimmingTabularBlank()
            if !key.isEmpty {
                if let first = firstRowOfKey[key] {
                    duplicates[key, default: [first]].append(row.number)
                } else {
                    firstRowOfKey[key] = row.number
                }
            }
            if let value { report.rows.append(ImportedRow(row: row.number, value: value)) }
        }
        nextRecord = end
        return report.rows[firstNew...]
    }

    /// The whole sheet's report: rows whose key appears twice are dropped (we cannot know which
    /// one is right), and issues are sorted row by row, left to right, as the user reads the sheet.
    public mutating func finish() -> ImportReport<Record> {
        // A rejected file's header issues stay in the order they were found.
        if report.isFileRejected { return report }
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
            duplicates = [:]
        }
        let position = Dictionary(columns.values.map { ($0.header, $0.index) }, uniquingKeysWith: min)
        report.issues.sort { a, b in
            (a.row ?? 0, a.column.flatMap { position[$0] } ?? -1) < (b.row ?? 0, b.column.flatMap { position[$0] } ?? -1)
        }
        return report
    }
}
