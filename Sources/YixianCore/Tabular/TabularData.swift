import Foundation

/// One data row as the user sees it: `number` is the row number shown in Excel
/// (the header is row 1 unless a title row sits above it).
public struct TabularRow: Hashable, Sendable {
    public var number: Int
    public var cells: [String]

    public init(number: Int, cells: [String]) {
        self.number = number
        self.cells = cells
    }

    /// The cell in a column, or "" when the row is shorter than the header.
    public subscript(column: Int) -> String { column < cells.count ? cells[column] : "" }

    public var isBlank: Bool { cells.allSatisfy { $0.unicodeScalars.allSatisfy(\.isTabularBlank) } }
}

/// A header and the rows below it — what a CSV file or a worksheet becomes.
public struct TabularData: Hashable, Sendable {
    public var header: [String]
    /// Excel row number of the header.
    public var headerRowNumber: Int
    public var rows: [TabularRow]

    public init(header: [String], rows: [TabularRow], headerRowNumber: Int = 1) {
        self.header = header
        self.rows = rows
        self.headerRowNumber = headerRowNumber
    }

    /// Builds a table from records where `records[i]` is Excel row `i + 1`.
    public init(records: [[String]], headerRowNumber: Int = 1) {
        let headerIndex = headerRowNumber - 1
        self.header = headerIndex < records.count ? records[headerIndex] : []
        self.headerRowNumber = headerRowNumber
        self.rows = records.enumerated().dropFirst(headerIndex + 1).map { TabularRow(number: $0.offset + 1, cells: $0.element) }
    }

    /// Header then rows, for writers.
    public var records: [[String]] { [header] + rows.map(\.cells) }
}

extension Unicode.Scalar {
    /// What a person means by "blank" in a cell: ASCII and Unicode spaces (including the
    /// full-width space U+3000 that Chinese IMEs type, and NBSP), line breaks, and the
    /// zero-width characters that copy-paste from web pages leaves behind.
    public var isTabularBlank: Bool {
        if value < 0x80 { return value == 0x20 || (0x09...0x0D).contains(value) }
        return properties.isWhitespace || value == 0x200B || value == 0x200C || value == 0x200D || value == 0x2060 || value == 0xFEFF
    }
}

extension StringProtocol {
    /// Trims `isTabularBlank` scalars from both ends. Hand-rolled because Foundation's
    /// `trimmingCharacters(in:)` bridges through NSString on Linux and was half the import time.
    public func trimmingTabularBlank() -> String {
        let scalars = unicodeScalars
        var start = scalars.startIndex, end = scalars.endIndex
        while start < end, scalars[start].isTabularBlank { start = scalars.index(after: start) }
        while end > start, scalars[scalars.index(before: end)].isTabularBlank { end = scalars.index(before: end) }
        return String(self[start..<end])
    }
}
