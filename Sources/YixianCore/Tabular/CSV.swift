import Foundation

/// RFC 4180 CSV, as Excel and WPS write it.
public enum CSV {
    /// Splits text into records. Quoted fields may hold delimiters, `""` and line breaks;
    /// CRLF, LF and lone CR all end a record. A blank line stays a record of one empty
    /// field so that record *n* is line *n* in Excel; blank lines at the very end are dropped.
    /// With `delimiter` nil, a tab is used when the first line has tabs but no commas
    /// (Excel's "Unicode text" export), a comma otherwise.
    public static func parse(_ text: String, delimiter: Character? = nil) -> [[String]] {
        let bytes = Array(text.utf8)
        let separator: UInt8 = delimiter.flatMap { $0.asciiValue } ?? sniffDelimiter(bytes)
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")

        var records: [[String]] = []
        var record: [String] = []
        var field: [UInt8] = []
        var i = 0
        var inQuotes = false
        // Delimiters are ASCII, so scanning UTF-8 bytes never splits a character.
        func endField() {
            record.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        func endRecord() {
            endField()
            records.append(record)
            record = []
        }
        while i < bytes.count {
            let b = bytes[i]
            if inQuotes {
                if b == quote {
                    if i + 1 < bytes.count, bytes[i + 1] == quote {
                        field.append(quote)
                        i += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.append(b)
                }
            } else if b == quote && field.isEmpty {
                inQuotes = true
            } else if b == separator {
                endField()
            } else if b == cr || b == lf {
                if b == cr, i + 1 < bytes.count, bytes[i + 1] == lf { i += 1 }
                endRecord()
            } else {
                // A stray quote inside an unquoted field is kept as text, as Excel does.
                field.append(b)
            }
            i += 1
        }
        if !field.isEmpty || !record.isEmpty || inQuotes { endRecord() }
        while let last = records.last, last.allSatisfy(\.isEmpty) { records.removeLast() }
        return records
    }

    /// Writes UTF-8 with a byte-order mark: without the BOM, Excel in China assumes GBK
    /// and shows Chinese as mojibake. Lines end with CRLF as RFC 4180 says.
    ///
    /// Cells that start with `=`, `+`, `-`, `@`, tab or CR get a leading `'`: Excel and WPS
    /// would otherwise run them as formulas (CSV injection — `=HYPERLINK(...)` or DDE
    /// payloads typed into a name field by a student). The apostrophe is what Excel itself
    /// uses to mark "text, not formula"; `CSV.restoreNeutralized` undoes it on import.
    public static func write(_ rows: [[String]]) -> Data {
        var out = Data([0xEF, 0xBB, 0xBF])
        var line = ""
        for row in rows {
            line.removeAll(keepingCapacity: true)
            for (index, cell) in row.enumerated() {
                if index > 0 { line.append(",") }
                line.append(quoteIfNeeded(neutralize(cell)))
            }
            line.append("\r\n")
            out.append(contentsOf: line.utf8)
        }
        return out
    }

    static let formulaTriggers: Set<Character> = ["=", "+", "-", "@", "\t", "\r"]

    static func neutralize(_ cell: String) -> String {
        guard let first = cell.first, formulaTriggers.contains(first) else { return cell }
        return "'" + cell
    }

    /// The inverse of the export guard, so that an exported file re-imports unchanged.
    public static func restoreNeutralized(_ cell: String) -> String {
        guard cell.hasPrefix("'"), let second = cell.dropFirst().first, formulaTriggers.contains(second) else { return cell }
        return String(cell.dropFirst())
    }

    static func quoteIfNeeded(_ cell: String) -> String {
        let needsQuotes = cell.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
            || cell.first?.isWhitespace == true || cell.last?.isWhitespace == true
        guard needsQuotes else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static func sniffDelimiter(_ bytes: [UInt8]) -> UInt8 {
        let firstLine = bytes.prefix { $0 != 10 && $0 != 13 }
        let tab = UInt8(ascii: "\t"), comma = UInt8(ascii: ",")
        return firstLine.contains(tab) && !firstLine.contains(comma) ? tab : comma
    }
}
