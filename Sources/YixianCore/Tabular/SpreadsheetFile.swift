import Foundation

/// What an uploaded file turned out to be, judged by its bytes, not its name.
public enum SpreadsheetFormat: String, Sendable, Codable {
    case xlsx
    case text
}

/// One entry point for "the user uploaded a spreadsheet": sniffs the content, refuses
/// anything that is not CSV/TSV text or .xlsx quickly and with a message a secretary can act on.
public enum SpreadsheetFile {
    public struct Loaded: Sendable {
        public var format: SpreadsheetFormat
        /// Set for text files.
        public var encoding: TextEncodingKind?
        /// `records[i]` is row `i + 1` as Excel shows it.
        public var records: [[String]]
    }

    public static func sniff(_ data: Data) throws -> SpreadsheetFormat {
        guard !data.isEmpty else { throw TabularError.emptyFile }
        let head = [UInt8](data.prefix(8))
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06]) { return .xlsx }
        if head.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) {
            // OLE2: an Excel 97-2003 .xls, or an .xlsx protected with a password.
            throw TabularError(.legacyExcel, zh: "不支持旧版 .xls 或加密的 Excel 文件，请在 Excel 中“另存为” .xlsx 或 CSV 后再上传",
                               en: "Old .xls files and password-protected workbooks are not supported; save as .xlsx or CSV and upload again")
        }
        let signatures: [([UInt8], String)] = [
            ([0x89, 0x50, 0x4E, 0x47], "PNG 图片 / PNG image"), ([0xFF, 0xD8, 0xFF], "JPEG 图片 / JPEG image"),
            ([0x47, 0x49, 0x46, 0x38], "GIF 图片 / GIF image"), ([0x25, 0x50, 0x44, 0x46], "PDF 文档 / PDF document"),
            ([0x1F, 0x8B], "gzip 压缩包 / gzip archive"), ([0x52, 0x61, 0x72, 0x21], "RAR 压缩包 / RAR archive"),
            ([0x37, 0x7A, 0xBC, 0xAF], "7z 压缩包 / 7z archive"),
        ]
        if let match = signatures.first(where: { head.starts(with: $0.0) }) { throw TabularError.binary(match.1) }
        return .text
    }

    public static func load(_ data: Data, sheetName: String? = nil, limits: XLSXLimits = XLSXLimits()) throws -> Loaded {
        switch try sniff(data) {
        case .xlsx:
            return Loaded(format: .xlsx, encoding: nil, records: try XLSXReader.readRecords(from: data, sheetName: sheetName, limits: limits))
        case .text:
            guard data.count <= limits.maxUncompressedBytes else { throw TabularError.tooLarge(limitBytes: limits.maxUncompressedBytes) }
            let (text, encoding) = try TabularText.decode(data)
            if looksLikeHTML(text) {
                // Many web systems export an HTML <table> and name it .xls; Excel opens it, we should not guess.
                throw TabularError(.htmlTable, zh: "这是网页表格（HTML），不是真正的 Excel 文件；请用 Excel 打开后“另存为” .xlsx 再上传",
                                   en: "This is an HTML table, not a real Excel file; open it in Excel, save as .xlsx and upload again")
            }
            let records = CSV.parse(text)
            if records.count > limits.maxRows { throw TabularError.tooManyRows(limit: limits.maxRows) }
            if records.contains(where: { $0.count > limits.maxColumns }) { throw TabularError.tooManyColumns(limit: limits.maxColumns) }
            return Loaded(format: .text, encoding: encoding, records: records)
        }
    }

    /// The file's records a slice at a time: an .xlsx sheet as it is read, a text file's all at once.
    public static func rows(_ data: Data, limits: XLSXLimits = XLSXLimits()) throws -> SpreadsheetRows {
        switch try sniff(data) {
        case .xlsx: return SpreadsheetRows(format: .xlsx, encoding: nil, stream: try XLSXReader.rowStream(from: data, limits: limits), all: nil)
        case .text:
            let loaded = try load(data, limits: limits)
            return SpreadsheetRows(format: .text, encoding: loaded.encoding, stream: nil, all: loaded.records)
        }
    }

    private static func looksLikeHTML(_ text: String) -> Bool {
        let head = text.prefix(2048).trimmingTabularBlank().lowercased()
        return head.hasPrefix("<") && (head.contains("<html") || head.contains("<table") || head.contains("<!doctype html"))
    }
}

/// An uploaded spreadsheet's records in order, a slice at a time (`SpreadsheetFile.rows`).
public struct SpreadsheetRows: Sendable {
    public let format: SpreadsheetFormat
    public let encoding: TextEncodingKind?
    private var stream: SheetRowStream?
    private var all: [[String]]?

    init(format: SpreadsheetFormat, encoding: TextEncodingKind?, stream: SheetRowStream?, all: [[String]]?) {
        self.format = format
        self.encoding = encoding
        self.stream = stream
        self.all = all
    }

    public var isDone: Bool { stream?.isDone ?? (all == nil) }

    /// How many records the file has (for a sheet still being read, an estimate).
    public var estimatedCount: Int { stream?.estimatedCount ?? all?.count ?? 0 }

    /// The next records, about `limit` of them from a sheet, all that is left of a text file.
    /// A sheet whose rows are out of order throws `SheetRowStream.OutOfOrder`.
    public mutating func next(limit: Int) throws -> [[String]] {
        if var sheet = stream {
            defer { stream = sheet }
            return try sheet.next(limit: limit)
        }
        defer { all = nil }
        return all ?? []
    }
}
