import Foundation
import ZIPFoundation

/// A cell to write. Text is always written as text, never guessed to be a number, so that
/// student numbers and codes with leading zeros survive.
public enum XLSXCell: Hashable, Sendable, ExpressibleByStringLiteral {
    case text(String)
    case number(Double)
    case date(LocalDate)

    public init(stringLiteral value: String) { self = .text(value) }
}

public struct XLSXWorksheet: Hashable, Sendable {
    public var name: String
    /// Written in bold in row 1 and frozen, so it stays visible while scrolling.
    public var header: [String]
    public var rows: [[XLSXCell]]
    /// A title row above the header, merged across its columns (a 公文-style table's caption).
    public var title: String?
    /// Print on A4, fitted to the page width.
    public var printA4 = false

    public init(name: String, header: [String], rows: [[XLSXCell]], title: String? = nil, printA4: Bool = false) {
        self.name = name
        self.header = header
        self.rows = rows
        self.title = title
        self.printA4 = printA4
    }

    /// All cells as text, e.g. for a `TabularData`.
    public init(name: String, table: TabularData) {
        self.init(name: name, header: table.header, rows: table.rows.map { $0.cells.map(XLSXCell.text) })
    }
}

/// Writes a minimal, valid workbook (Office Open XML, transitional) that Excel, WPS and
/// LibreOffice open: shared strings, one style sheet (plain, bold header, date, text), column
/// widths sized to the content (CJK characters count double). Output is deterministic.
public enum XLSXWriter {
    public static func write(_ sheets: [XLSXWorksheet]) throws -> Data {
        let sheets = sheets.isEmpty ? [XLSXWorksheet(name: "Sheet1", header: [], rows: [])] : sheets
        let names = uniqueSheetNames(sheets.map(\.name))
        try checkCellLengths(sheets, names: names)
        var strings = SharedStringTable()
        var parts: [(String, String)] = []
        for (index, sheet) in sheets.enumerated() {
            parts.append(("xl/worksheets/sheet\(index + 1).xml", worksheetXML(sheet, strings: &strings)))
        }
        parts.insert(contentsOf: [
            ("[Content_Types].xml", contentTypes(sheetCount: sheets.count)),
            ("_rels/.rels", rootRelationships),
            ("xl/workbook.xml", workbookXML(names)),
            ("xl/_rels/workbook.xml.rels", workbookRelationships(sheetCount: sheets.count)),
            ("xl/styles.xml", stylesXML),
            ("xl/sharedStrings.xml", strings.xml),
        ], at: 0)

        return try archive(parts.map { ($0.0, Data($0.1.utf8)) })
    }

    /// Excel refuses to open a file with a cell longer than 32,767 characters; better to say so here.
    static let maxCellLength = 32_767

    private static func checkCellLengths(_ sheets: [XLSXWorksheet], names: [String]) throws {
        for (sheet, name) in zip(sheets, names) {
            for (rowIndex, row) in ([sheet.header.map(XLSXCell.text)] + sheet.rows).enumerated() {
                for (column, cell) in row.enumerated() {
                    guard case .text(let text) = cell, text.utf8.count > maxCellLength, text.utf16.count > maxCellLength else { continue }
                    let reference = columnName(column) + String(rowIndex + 1)
                    throw TabularError(.writeFailed, zh: "工作表“\(name)”的 \(reference) 单元格超过 Excel 的 32767 字符上限",
                                       en: "Cell \(reference) on worksheet “\(name)” exceeds Excel's limit of 32,767 characters")
                }
            }
        }
    }

    /// Deflates parts into a zip archive in memory.
    static func archive(_ parts: [(path: String, data: Data)]) throws -> Data {
        do {
            let archive = try Archive(data: Data(), accessMode: .create)
            // A fixed timestamp: the core never reads the clock, and equal input gives equal bytes.
            let timestamp = Date(timeIntervalSince1970: 1_577_836_800)
            for (path, data) in parts {
                try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), modificationDate: timestamp,
                                     compressionMethod: .deflate) { position, size in
                    data.subdata(in: Int(position)..<(Int(position) + size))
                }
            }
            guard let data = archive.data else { throw TabularError(.writeFailed, zh: "生成 xlsx 失败", en: "Could not produce the .xlsx file") }
            return data
        } catch let error as TabularError {
            throw error
        } catch {
            throw TabularError(.writeFailed, zh: "生成 xlsx 失败：\(error)", en: "Could not produce the .xlsx file: \(error)")
        }
    }

    // MARK: - Worksheet

    /// Indexes into `<cellXfs>`; 0 (plain) is the default and never written.
    enum Style: Int { case header = 1, date = 2, text = 3 }

    static func worksheetXML(_ sheet: XLSXWorksheet, strings: inout SharedStringTable) -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        xml += #"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#
        if sheet.printA4 { xml += #"<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>"# }
        if !sheet.header.isEmpty {
            // The header (and a title above it) stay in view while scrolling.
            let frozen = sheet.title == nil ? 1 : 2
            xml += #"<sheetViews><sheetView workbookViewId="0"><pane ySplit="\#(frozen)" topLeftCell="A\#(frozen + 1)" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>"#
        }
        let widths = columnWidths(sheet)
        if !widths.isEmpty {
            xml += "<cols>"
            for (index, width) in widths.enumerated() {
                xml += #"<col min="\#(index + 1)" max="\#(index + 1)" width="\#(width)" customWidth="1"/>"#
            }
            xml += "</cols>"
        }
        xml += "<sheetData>"
        var rowNumber = 0
        func appendRow(_ cells: [XLSXCell], header: Bool) {
            rowNumber += 1
            xml += #"<row r="\#(rowNumber)">"#
            for (column, cell) in cells.enumerated() {
                let reference = columnName(column) + String(rowNumber)
                switch cell {
                case .text(let text):
                    guard !text.isEmpty else { continue }
                    let style = header ? Style.header : Style.text
                    xml += #"<c r="\#(reference)" s="\#(style.rawValue)" t="s"><v>\#(strings.index(of: text))</v></c>"#
                case .number(let number) where number.isFinite:
                    xml += #"<c r="\#(reference)"><v>\#(formatNumberForXML(number))</v></c>"#
                case .number(let number):
                    xml += #"<c r="\#(reference)" s="\#(Style.text.rawValue)" t="s"><v>\#(strings.index(of: "\(number)"))</v></c>"#
                case .date(let date):
                    xml += #"<c r="\#(reference)" s="\#(Style.date.rawValue)"><v>\#(serial(of: date))</v></c>"#
                }
            }
            xml += "</row>"
        }
        if let title = sheet.title { appendRow([.text(title)], header: true) }
        if !sheet.header.isEmpty { appendRow(sheet.header.map(XLSXCell.text), header: true) }
        for row in sheet.rows { appendRow(row, header: false) }
        xml += "</sheetData>"
        if sheet.title != nil, sheet.header.count > 1 {
            xml += #"<mergeCells count="1"><mergeCell ref="A1:\#(columnName(sheet.header.count - 1))1"/></mergeCells>"#
        }
        if sheet.printA4 {
            xml += #"<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>"#
            xml += #"<pageSetup paperSize="9" orientation="portrait" fitToWidth="1" fitToHeight="0"/>"#
        }
        xml += "</worksheet>"
        return xml
    }

    /// Excel's width unit is roughly one Latin digit; Chinese characters take two.
    static func columnWidths(_ sheet: XLSXWorksheet) -> [Int] {
        let columnCount = max(sheet.header.count, sheet.rows.map(\.count).max() ?? 0)
        var widths = [Int](repeating: 0, count: columnCount)
        func measure(_ text: String, _ column: Int) {
            var width = 0
            for scalar in text.unicodeScalars { width += scalar.value >= 0x1100 ? 2 : 1 }
            widths[column] = max(widths[column], width)
        }
        for (column, title) in sheet.header.enumerated() { measure(title, column) }
        for row in sheet.rows.prefix(2000) {
            for (column, cell) in row.enumerated() {
                switch cell {
                case .text(let text): measure(text, column)
                case .number(let number): measure(XLSXReader.formatPlain(number), column)
                case .date: measure("2025-01-01", column)
                }
            }
        }
        return widths.map { min(60, max(8, $0 + 2)) }
    }

    /// The 1900-system serial number Excel stores for a date (exact from 1900-03-01 on).
    static func serial(of date: LocalDate) -> Int {
        LocalDate(year: 1899, month: 12, day: 30)!.days(until: date)
    }

    /// Integers plainly, others with the shortest digits that round-trip.
    static func formatNumberForXML(_ number: Double) -> String {
        if number.rounded() == number, abs(number) < 1e15 { return String(Int64(number)) }
        return "\(number)"
    }

    /// Zero-based column index → `A`, `Z`, `AA` …
    static func columnName(_ index: Int) -> String {
        var name = ""
        var n = index + 1
        while n > 0 {
            let remainder = (n - 1) % 26
            name = String(UnicodeScalar(UInt8(65 + remainder))) + name
            n = (n - 1) / 26
        }
        return name
    }

    /// Excel forbids `[]:*?/\` in sheet names and limits them to 31 characters; names must be unique.
    static func uniqueSheetNames(_ names: [String]) -> [String] {
        var used: Set<String> = []
        return names.map { raw in
            let cleaned = String(raw.map { "[]:*?/\\".contains($0) ? "_" : $0 }).trimmingCharacters(in: CharacterSet(charactersIn: "' "))
            let base = String((cleaned.isEmpty ? "Sheet" : cleaned).prefix(31))
            var candidate = base
            var counter = 2
            while used.contains(candidate.lowercased()) {
                let suffix = " (\(counter))"
                candidate = String(base.prefix(31 - suffix.count)) + suffix
                counter += 1
            }
            used.insert(candidate.lowercased())
            return candidate
        }
    }

    // MARK: - Fixed parts

    static func contentTypes(sheetCount: Int) -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        xml += #"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#
        xml += #"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#
        xml += #"<Default Extension="xml" ContentType="application/xml"/>"#
        xml += #"<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#
        for index in 1...sheetCount {
            xml += #"<Override PartName="/xl/worksheets/sheet\#(index).xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
        }
        xml += #"<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#
        xml += #"<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>"#
        return xml + "</Types>"
    }

    static let rootRelationships = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        + #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
        + #"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>"#
        + "</Relationships>"

    static func workbookXML(_ names: [String]) -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        xml += #"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>"#
        for (index, name) in names.enumerated() {
            xml += #"<sheet name="\#(escapeXML(name))" sheetId="\#(index + 1)" r:id="rId\#(index + 1)"/>"#
        }
        return xml + "</sheets></workbook>"
    }

    static func workbookRelationships(sheetCount: Int) -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        xml += #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
        for index in 1...sheetCount {
            xml += #"<Relationship Id="rId\#(index)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet\#(index).xml"/>"#
        }
        xml += #"<Relationship Id="rId\#(sheetCount + 1)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#
        xml += #"<Relationship Id="rId\#(sheetCount + 2)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>"#
        return xml + "</Relationships>"
    }

    /// Style indexes match `Style`: 0 plain, 1 bold header, 2 date (built-in format 14), 3 text (`@`).
    static let stylesXML = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        + #"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#
        + #"<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>"#
        + #"<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>"#
        + #"<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>"#
        + #"<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"#
        + #"<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>"#
        + #"<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>"#
        + #"<xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyNumberFormat="1"/>"#
        + #"<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>"#
        + #"<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>"#
        + #"<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>"#
        + "</styleSheet>"

    /// Escapes for XML and, as Excel does, writes characters XML 1.0 cannot hold as `_xHHHH_`
    /// (escaping the `_` of any literal `_xHHHH_` so it reads back unchanged).
    static func escapeXML(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "_" where looksLikeOOXMLEscape(scalars, at: index): out += "_x005F_"
            default:
                let v = scalar.value
                if (v < 0x20 && v != 0x09 && v != 0x0A && v != 0x0D) || v == 0xFFFE || v == 0xFFFF {
                    out += String(format: "_x%04X_", v)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    private static func looksLikeOOXMLEscape(_ scalars: [Unicode.Scalar], at index: Int) -> Bool {
        guard index + 6 < scalars.count, scalars[index + 1] == "x", scalars[index + 6] == "_" else { return false }
        return scalars[(index + 2)...(index + 5)].allSatisfy { $0.properties.isASCIIHexDigit }
    }
}

/// Strings deduplicated in first-use order, as `xl/sharedStrings.xml` wants them.
struct SharedStringTable {
    private var indexes: [String: Int] = [:]
    private var ordered: [String] = []
    private var references = 0

    mutating func index(of text: String) -> Int {
        references += 1
        if let index = indexes[text] { return index }
        indexes[text] = ordered.count
        ordered.append(text)
        return ordered.count - 1
    }

    var xml: String {
        var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        xml += #"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="\#(references)" uniqueCount="\#(ordered.count)">"#
        for text in ordered {
            let preserve = text.first?.isWhitespace == true || text.last?.isWhitespace == true || text.contains("\n")
            xml += preserve ? #"<si><t xml:space="preserve">"# : "<si><t>"
            xml += XLSXWriter.escapeXML(text)
            xml += "</t></si>"
        }
        return xml + "</sst>"
    }
}
