import Foundation

/// Roster exports with exactly the import headers, so an exported file re-imports unchanged.
public enum RosterExport {
    /// Header row followed by one row per value.
    public static func records<Record: RosterRecord>(_ values: [Record]) -> [[String]] {
        [Record.rosterKind.columns.map(\.header)] + values.map(\.rosterCells)
    }

    public static func table<Record: RosterRecord>(_ values: [Record]) -> TabularData {
        TabularData(records: records(values))
    }

    /// UTF-8 with BOM, CRLF, formula-guarded (see `CSV.write`).
    public static func csv<Record: RosterRecord>(_ values: [Record]) -> Data {
        CSV.write(records(values))
    }

    public static func xlsx<Record: RosterRecord>(_ values: [Record], sheetName: String? = nil) throws -> Data {
        try XLSXWriter.write([worksheet(values, sheetName: sheetName)])
    }

    /// Numeric columns (grade, size) are written as numbers, everything else as text.
    public static func worksheet<Record: RosterRecord>(_ values: [Record], sheetName: String? = nil) -> XLSXWorksheet {
        let columns = Record.rosterKind.columns
        let rows = values.map { value in
            zip(columns, value.rosterCells).map { column, cell -> XLSXCell in
                if column.isNumeric, let number = Int(cell) { return .number(Double(number)) }
                return .text(cell)
            }
        }
        return XLSXWorksheet(name: sheetName ?? Record.rosterKind.label.zh, header: columns.map(\.header), rows: rows)
    }
}
