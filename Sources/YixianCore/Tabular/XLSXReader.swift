import Foundation
import ZIPFoundation

/// Safety limits for reading untrusted .xlsx uploads.
public struct XLSXLimits: Hashable, Sendable {
    /// Total bytes inflated from the archive; stops zip bombs whatever their headers claim.
    public var maxUncompressedBytes: Int
    public var maxRows: Int
    public var maxColumns: Int

    public init(maxUncompressedBytes: Int = 200_000_000, maxRows: Int = 1_048_576, maxColumns: Int = 16_384) {
        self.maxUncompressedBytes = maxUncompressedBytes
        self.maxRows = maxRows
        self.maxColumns = maxColumns
    }
}

/// Reads worksheets of an .xlsx file into rows of strings, as a person reads them in Excel:
/// the cached value of formulas (never evaluated), dates as `YYYY-MM-DD`, whole numbers
/// without exponent or `.0` (so the student number 2024010203 stays `2024010203`), and
/// text exactly as typed (leading zeros kept).
public enum XLSXReader {
    public static func sheetNames(in data: Data, limits: XLSXLimits = XLSXLimits()) throws -> [String] {
        let package = try XLSXPackage(data: data, limits: limits)
        return try package.workbook().sheets.map(\.name)
    }

    /// `records[i]` is Excel row `i + 1`; missing rows and cells come back as empty strings,
    /// trailing empty cells and rows are dropped.
    public static func readRecords(from data: Data, sheetName: String? = nil, limits: XLSXLimits = XLSXLimits()) throws -> [[String]] {
        let package = try XLSXPackage(data: data, limits: limits)
        let workbook = try package.workbook()
        let sheet: XLSXPackage.SheetEntry
        if let sheetName {
            guard let named = workbook.sheets.first(where: { $0.name == sheetName }) else {
                let names = workbook.sheets.map(\.name).joined(separator: "、")
                throw TabularError(.sheetNotFound, zh: "找不到工作表“\(sheetName)”，现有：\(names)",
                                   en: "No worksheet named “\(sheetName)”; the workbook has: \(names)")
            }
            sheet = named
        } else {
            guard let first = workbook.sheets.first else { throw TabularError.missingPart("worksheet") }
            sheet = first
        }
        var (reader, scanner) = try open(sheet, of: workbook, in: package, limits: limits)
        defer { PhaseClock.mark("xlsx sheet") }
        return try reader.read(scanner)
    }

    /// The first worksheet's rows a slice at a time (`SheetRowStream`).
    public static func rowStream(from data: Data, limits: XLSXLimits = XLSXLimits()) throws -> SheetRowStream {
        let package = try XLSXPackage(data: data, limits: limits)
        let workbook = try package.workbook()
        guard let first = workbook.sheets.first else { throw TabularError.missingPart("worksheet") }
        let (reader, scanner) = try open(first, of: workbook, in: package, limits: limits)
        return SheetRowStream(reader: reader, scanner: scanner)
    }

    private static func open(_ sheet: XLSXPackage.SheetEntry, of workbook: XLSXPackage.Workbook, in package: XLSXPackage,
                             limits: XLSXLimits) throws -> (SheetReader, XMLScanner) {
        let sharedStrings = try workbook.sharedStringsPath.flatMap { try package.part($0) }.map(parseSharedStrings) ?? []
        PhaseClock.mark("xlsx shared strings")
        let styles = try workbook.stylesPath.flatMap { try package.part($0) }.map(parseStyles) ?? XLSXStyles()
        guard let sheetBytes = try package.part(sheet.path) else { throw TabularError.missingPart(sheet.path) }
        PhaseClock.mark("xlsx unzip sheet")
        return (SheetReader(sharedStrings: sharedStrings, styles: styles, date1904: workbook.date1904, limits: limits),
                XMLScanner(bytes: sheetBytes, part: sheet.path))
    }

    public static func readTable(from data: Data, sheetName: String? = nil, limits: XLSXLimits = XLSXLimits()) throws -> TabularData {
        TabularData(records: try readRecords(from: data, sheetName: sheetName, limits: limits))
    }

    // MARK: - Parts

    static func parseSharedStrings(_ bytes: [UInt8]) throws -> [String] {
        var scanner = XMLScanner(bytes: bytes, part: "sharedStrings.xml")
        var strings: [String] = []
        var current = ""
        var inText = false
        var phoneticDepth = 0
        while let token = try scanner.next() {
            switch token {
            case .start(let tag):
                switch tag.name {
                case "si": current = ""
                case "rPh": if !tag.selfClosing { phoneticDepth += 1 }
                case "t": inText = !tag.selfClosing
                default: break
                }
            case .end(let name):
                switch name {
                case "si": strings.append(unescapeOOXML(current))
                case "rPh": phoneticDepth -= 1
                case "t": inText = false
                default: break
                }
            case .text(let range, let isCDATA):
                // Phonetic runs (<rPh>) hold pinyin/furigana guides, not cell text.
                if inText && phoneticDepth == 0 { current += scanner.decode(range, isCDATA: isCDATA) }
            }
        }
        return strings
    }

    static func parseStyles(_ bytes: [UInt8]) throws -> XLSXStyles {
        var scanner = XMLScanner(bytes: bytes, part: "styles.xml")
        var styles = XLSXStyles()
        var inCellXfs = false
        while let token = try scanner.next() {
            switch token {
            case .start(let tag):
                if tag.name == "numFmt", let id = tag.attribute("numFmtId").flatMap(Int.init), let code = tag.attribute("formatCode") {
                    styles.customFormats[id] = code
                } else if tag.name == "cellXfs" {
                    inCellXfs = !tag.selfClosing
                } else if tag.name == "xf", inCellXfs {
                    styles.cellFormatIDs.append(tag.attribute("numFmtId").flatMap(Int.init) ?? 0)
                }
            case .end(let name):
                if name == "cellXfs" { inCellXfs = false }
            case .text:
                break
            }
        }
        return styles
    }

    /// Excel escapes characters XML cannot hold as `_xHHHH_` (and a literal `_x` as `_x005F_x`).
    static func unescapeOOXML(_ text: String) -> String {
        let utf8 = text.utf8
        guard zip(utf8, utf8.dropFirst()).contains(where: { $0 == UInt8(ascii: "_") && $1 == UInt8(ascii: "x") }) else { return text }
        var out = ""
        var scalars = Array(text.unicodeScalars)[...]
        while let first = scalars.first {
            if first == "_", scalars.count >= 7, scalars.dropFirst().first == "x",
               scalars[scalars.startIndex + 6] == "_",
               let code = UInt32(String(String.UnicodeScalarView(scalars[(scalars.startIndex + 2)..<(scalars.startIndex + 6)])), radix: 16),
               let scalar = Unicode.Scalar(code) {
                out.unicodeScalars.append(scalar)
                scalars = scalars.dropFirst(7)
            } else {
                out.unicodeScalars.append(first)
                scalars = scalars.dropFirst()
            }
        }
        return out
    }
}

/// Number formats per cell style index, enough to tell dates from numbers.
struct XLSXStyles {
    var customFormats: [Int: String] = [:]
    /// `numFmtId` of each `<xf>` in `<cellXfs>`, indexed by a cell's `s` attribute.
    var cellFormatIDs: [Int] = []

    enum Kind: Equatable { case number, date, time, dateTime, zeroPadded(Int) }

    func kind(ofStyle style: Int) -> Kind {
        guard style >= 0, style < cellFormatIDs.count else { return .number }
        let id = cellFormatIDs[style]
        if let code = customFormats[id] { return XLSXStyles.classify(code) }
        switch id {
        // 27–36 and 50–58 are the built-in CJK date formats (yyyy"年"m"月"d"日" …).
        case 14...17, 27...31, 36, 50...58: return .date
        case 18...21, 32...35, 45...47: return .time
        case 22: return .dateTime
        default: return .number
        }
    }

    static func classify(_ code: String) -> Kind {
        // Only the first section (positive numbers) matters; strip literals and [colour]/[$-804] tags.
        var stripped = ""
        var inQuotes = false, inBrackets = false, escaped = false
        for ch in code {
            if escaped { escaped = false; continue }
            if inQuotes { if ch == "\"" { inQuotes = false }; continue }
            if inBrackets { if ch == "]" { inBrackets = false }; continue }
            switch ch {
            case "\"": inQuotes = true
            case "\\": escaped = true
            case "[": inBrackets = true
            case ";": break
            default: stripped.append(ch)
            }
            if ch == ";" { break }
        }
        let lower = stripped.lowercased()
        if lower.count > 1, lower.allSatisfy({ $0 == "0" }) { return .zeroPadded(lower.count) }
        let hasDate = lower.contains("y") || lower.contains("d") || (lower.contains("m") && !lower.contains("h") && !lower.contains("s"))
        let hasTime = lower.contains("h") || lower.contains("s")
        switch (hasDate, hasTime) {
        case (true, true): return .dateTime
        case (true, false): return .date
        case (false, true): return .time
        case (false, false): return .number
        }
    }
}

/// Walks one worksheet's XML and lays cells out on a grid.
/// A worksheet's records in order, a slice at a time, as `XLSXReader.readRecords` would give them
/// (empty rows in between kept, empty rows at the end left out), for an import that checks and
/// writes the first rows while it reads the rest.
public struct SheetRowStream: Sendable {
    /// Rows out of order: allowed by the format, never written by Excel. Read the whole sheet instead.
    public struct OutOfOrder: Error {}

    private var reader: SheetReader
    private var scanner: XMLScanner
    private var nextNumber = 1
    /// Empty rows held back: kept if a row with cells follows, left out at the end.
    private var heldBlank = 0
    private var delivered = 0
    public private(set) var isDone = false

    init(reader: SheetReader, scanner: XMLScanner) {
        self.reader = reader
        self.scanner = scanner
    }

    /// The next records (about `limit`); empty once `isDone`.
    public mutating func next(limit: Int) throws -> [[String]] {
        var records: [[String]] = []
        while !isDone && records.count < limit {
            guard let (number, cells) = try reader.nextRow(&scanner) else {
                isDone = true
                break
            }
            guard number >= nextNumber else { throw OutOfOrder() }
            heldBlank += number - nextNumber
            nextNumber = number + 1
            if cells.isEmpty {
                heldBlank += 1
                continue
            }
            records.append(contentsOf: repeatElement([], count: heldBlank))
            heldBlank = 0
            records.append(cells)
        }
        delivered += records.count
        return records
    }

    /// How many records the sheet has, judged from the share of its XML read so far.
    public var estimatedCount: Int {
        guard scanner.position > 0, !isDone else { return delivered }
        return max(delivered, Int(Double(delivered) * Double(scanner.bytes.count) / Double(scanner.position)))
    }
}

struct SheetReader {
    let sharedStrings: [String]
    let styles: XLSXStyles
    let date1904: Bool
    let limits: XLSXLimits

    // Where the reading of the current row stands, kept between calls to `nextRow`.
    private var rowNumber = 0
    private var column = 0
    private var cellType = "n", cellStyle = 0
    private var value = "", inlineText = ""
    private var inValue = false, inInlineText = false, phoneticDepth = 0

    init(sharedStrings: [String], styles: XLSXStyles, date1904: Bool, limits: XLSXLimits) {
        self.sharedStrings = sharedStrings
        self.styles = styles
        self.date1904 = date1904
        self.limits = limits
    }

    /// Every row, `records[i]` being row `i + 1`; a row that appears twice adds its cells to the first.
    mutating func read(_ scanner: XMLScanner) throws -> [[String]] {
        var scanner = scanner
        var records: [[String]] = []
        while let (number, cells) = try nextRow(&scanner) {
            if records.count < number { records.append(contentsOf: repeatElement([], count: number - records.count)) }
            if records[number - 1].isEmpty {
                records[number - 1] = cells
            } else {
                for (index, text) in cells.enumerated() where !text.isEmpty { Self.put(text, at: index, in: &records[number - 1]) }
            }
        }
        while let last = records.last, last.isEmpty { records.removeLast() }
        return records
    }

    /// The next row of the sheet with its number, or nil at its end.
    mutating func nextRow(_ scanner: inout XMLScanner) throws -> (number: Int, cells: [String])? {
        var row: [String] = []
        while let token = try scanner.next() {
            switch token {
            case .start(let tag):
                switch tag.name {
                case "row":
                    rowNumber = tag.attribute("r").flatMap(Int.init) ?? rowNumber + 1
                    guard rowNumber >= 1 else { throw TabularError.malformedXML(part: scanner.part, offset: scanner.position, reason: "bad row number") }
                    guard rowNumber <= limits.maxRows else { throw TabularError.tooManyRows(limit: limits.maxRows) }
                    row = []
                    column = -1
                    if tag.selfClosing { return (rowNumber, row) }
                case "c":
                    column = tag.attribute("r").flatMap(XLSXReader.columnIndex(ofReference:)) ?? column + 1
                    guard column < limits.maxColumns else { throw TabularError.tooManyColumns(limit: limits.maxColumns) }
                    cellType = tag.attribute("t") ?? "n"
                    cellStyle = tag.attribute("s").flatMap(Int.init) ?? 0
                    value = ""
                    inlineText = ""
                case "v": inValue = !tag.selfClosing
                case "t": inInlineText = !tag.selfClosing
                case "rPh": if !tag.selfClosing { phoneticDepth += 1 }
                default: break
                }
            case .end(let name):
                switch name {
                case "v": inValue = false
                case "t": inInlineText = false
                case "rPh": phoneticDepth -= 1
                case "c": Self.put(try cellText(type: cellType, style: cellStyle, value: value, inline: inlineText, scanner: scanner), at: column, in: &row)
                case "row": return (rowNumber, row)
                default: break
                }
            case .text(let range, let isCDATA):
                if inValue { value += scanner.decode(range, isCDATA: isCDATA) }
                else if inInlineText && phoneticDepth == 0 { inlineText += scanner.decode(range, isCDATA: isCDATA) }
            }
        }
        return nil
    }

    private static func put(_ text: String, at columnIndex: Int, in row: inout [String]) {
        guard !text.isEmpty, columnIndex >= 0 else { return }
        if row.count < columnIndex { row.append(contentsOf: repeatElement("", count: columnIndex - row.count)) }
        if row.count == columnIndex { row.append(text) } else { row[columnIndex] = text }
    }

    private func cellText(type: String, style: Int, value: String, inline: String, scanner: XMLScanner) throws -> String {
        switch type {
        case "s":
            guard let index = Int(value.trimmingTabularBlank()) else { return "" }
            guard index >= 0, index < sharedStrings.count else {
                throw TabularError.malformedXML(part: scanner.part, offset: scanner.position, reason: "shared string \(index) does not exist")
            }
            return sharedStrings[index]
        case "inlineStr": return XLSXReader.unescapeOOXML(inline)
        case "str", "e": return XLSXReader.unescapeOOXML(value)
        case "b": return value.trimmingTabularBlank() == "1" ? "TRUE" : "FALSE"
        case "d": return value.count >= 10 && value.contains("T") ? String(value.prefix(10)) : value
        default: return formatNumber(value.trimmingTabularBlank(), style: style)
        }
    }

    func formatNumber(_ raw: String, style: Int) -> String {
        guard let number = Double(raw), number.isFinite else { return raw }
        let kind = styles.kind(ofStyle: style)
        switch kind {
        case .date, .time, .dateTime:
            return XLSXReader.formatSerial(number, kind: kind, date1904: date1904) ?? XLSXReader.formatPlain(number)
        case .zeroPadded(let width):
            let plain = XLSXReader.formatPlain(number)
            return plain.count < width && !plain.contains(".") && !plain.hasPrefix("-")
                ? String(repeating: "0", count: width - plain.count) + plain : plain
        case .number:
            return XLSXReader.formatPlain(number)
        }
    }
}

extension XLSXReader {
    /// `C5` → 2 (zero-based column); nil when the reference has no letters.
    static func columnIndex(ofReference reference: String) -> Int? {
        var index = 0
        var letters = 0
        for byte in reference.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): index = index * 26 + Int(byte - UInt8(ascii: "A")) + 1
            case UInt8(ascii: "a")...UInt8(ascii: "z"): index = index * 26 + Int(byte - UInt8(ascii: "a")) + 1
            case UInt8(ascii: "$"): continue
            default:
                return letters > 0 ? index - 1 : nil
            }
            letters += 1
            if letters > 3 { return nil }
        }
        return letters > 0 ? index - 1 : nil
    }

    /// Whole numbers print without `.0` or exponent; others with 15 significant digits,
    /// which is what Excel shows and hides binary noise such as 0.30000000000000004.
    static func formatPlain(_ number: Double) -> String {
        if number.rounded() == number, abs(number) < 1e15 { return String(Int64(number)) }
        return String(format: "%.15g", number)
    }

    /// An Excel serial day number as `YYYY-MM-DD`, `HH:MM:SS` or both. In the 1900 system
    /// serial 60 is the fictitious 1900-02-29 Lotus 1-2-3 had and Excel kept.
    static func formatSerial(_ serial: Double, kind: XLSXStyles.Kind, date1904: Bool) -> String? {
        guard serial >= 0, serial < 2_958_466 else { return nil }  // up to 9999-12-31
        var days = Int(serial.rounded(.down))
        var seconds = Int(((serial - Double(days)) * 86_400).rounded())
        if seconds >= 86_400 { days += 1; seconds -= 86_400 }
        let time = String(format: "%02d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
        if case .time = kind { return time }
        let date: String
        if date1904 {
            date = LocalDate(year: 1904, month: 1, day: 1)!.adding(days: days).iso
        } else if days == 60 {
            date = "1900-02-29"
        } else if days == 0 {
            return nil
        } else {
            let epoch = days < 60 ? LocalDate(year: 1899, month: 12, day: 31)! : LocalDate(year: 1899, month: 12, day: 30)!
            date = epoch.adding(days: days).iso
        }
        if case .dateTime = kind { return date + " " + time }
        return date
    }
}

/// The archive plus the workbook's wiring (which file is which sheet), with every
/// extraction counted against the size limit.
final class XLSXPackage {
    struct SheetEntry { var name: String; var path: String }
    struct Workbook {
        var sheets: [SheetEntry]
        var sharedStringsPath: String?
        var stylesPath: String?
        var date1904: Bool
    }

    private let archive: Archive
    private let limits: XLSXLimits
    private var inflated = 0

    init(data: Data, limits: XLSXLimits) throws {
        guard data.starts(with: [0x50, 0x4B]) else {
            throw TabularError(.notZip, zh: "不是有效的 xlsx 文件（不是 zip 格式）", en: "Not a valid .xlsx file (not a zip archive)")
        }
        do {
            archive = try Archive(data: data, accessMode: .read)
        } catch {
            throw TabularError(.notZip, zh: "xlsx 文件已损坏，无法解压", en: "The .xlsx file is damaged and cannot be unzipped")
        }
        self.limits = limits
    }

    /// A part's bytes, or nil if the archive lacks it. Inflation stops as soon as the running
    /// total passes the limit, whatever sizes the zip headers declare.
    func part(_ path: String) throws -> [UInt8]? {
        guard let entry = archive[path] ?? archive.first(where: { $0.path.lowercased() == path.lowercased() }) else { return nil }
        if entry.uncompressedSize > UInt64(limits.maxUncompressedBytes - inflated) {
            throw TabularError.tooLarge(limitBytes: limits.maxUncompressedBytes)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(min(entry.uncompressedSize, 64_000_000)))
        let limit = limits.maxUncompressedBytes
        var total = inflated
        do {
            _ = try archive.extract(entry, skipCRC32: false) { chunk in
                total += chunk.count
                if total > limit { throw TabularError.tooLarge(limitBytes: limit) }
                bytes.append(contentsOf: chunk)
            }
        } catch let error as TabularError {
            throw error
        } catch {
            throw TabularError(.notZip, zh: "xlsx 文件中的 \(path) 已损坏", en: "\(path) inside the .xlsx file is damaged (\(error))")
        }
        inflated = total
        return bytes
    }

    func workbook() throws -> Workbook {
        let rootRels = try part("_rels/.rels").map { try relationships($0, part: "_rels/.rels", base: "") } ?? []
        let workbookPath = rootRels.first { $0.type.hasSuffix("/officeDocument") }?.target ?? "xl/workbook.xml"
        guard let workbookBytes = try part(workbookPath) else { throw TabularError.missingPart(workbookPath) }
        let base = workbookPath.split(separator: "/").dropLast().joined(separator: "/")
        let relsPath = (base.isEmpty ? "" : base + "/") + "_rels/" + (workbookPath.split(separator: "/").last.map(String.init) ?? "") + ".rels"
        guard let relsBytes = try part(relsPath) else { throw TabularError.missingPart(relsPath) }
        let rels = try relationships(relsBytes, part: relsPath, base: base)
        let targets = Dictionary(rels.map { ($0.id, $0.target) }, uniquingKeysWith: { first, _ in first })

        var scanner = XMLScanner(bytes: workbookBytes, part: workbookPath)
        var sheets: [SheetEntry] = []
        var date1904 = false
        while let token = try scanner.next() {
            guard case .start(let tag) = token else { continue }
            if tag.name == "workbookPr" {
                date1904 = ["1", "true"].contains(tag.attribute("date1904") ?? "")
            } else if tag.name == "sheet", let name = tag.attribute("name"), let id = tag.attribute("id") {
                guard let path = targets[id] else { throw TabularError.missingPart("\(relsPath)#\(id)") }
                sheets.append(SheetEntry(name: name, path: path))
            }
        }
        return Workbook(sheets: sheets,
                        sharedStringsPath: rels.first { $0.type.hasSuffix("/sharedStrings") }?.target,
                        stylesPath: rels.first { $0.type.hasSuffix("/styles") }?.target,
                        date1904: date1904)
    }

    private struct Relationship { var id: String; var type: String; var target: String }

    private func relationships(_ bytes: [UInt8], part: String, base: String) throws -> [Relationship] {
        var scanner = XMLScanner(bytes: bytes, part: part)
        var result: [Relationship] = []
        while let token = try scanner.next() {
            guard case .start(let tag) = token, tag.name == "Relationship",
                  let id = tag.attribute("Id"), let target = tag.attribute("Target") else { continue }
            result.append(Relationship(id: id, type: tag.attribute("Type") ?? "", target: XLSXPackage.resolve(target, base: base)))
        }
        return result
    }

    /// Relationship targets are relative to the source part's folder, or absolute from the package root.
    static func resolve(_ target: String, base: String) -> String {
        var segments: [Substring] = target.hasPrefix("/") ? [] : base.split(separator: "/")
        for segment in target.split(separator: "/") {
            switch segment {
            case ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(segment)
            }
        }
        return segments.joined(separator: "/")
    }
}
