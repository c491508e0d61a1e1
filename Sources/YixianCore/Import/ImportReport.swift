import Foundation

/// One problem found while importing a roster file.
public struct ImportIssue: Hashable, Sendable, Codable {
    public enum Severity: String, Sendable, Codable {
        /// The row (or, with `row == nil`, the whole file) is not imported.
        case error
        /// Imported anyway; the user should know (e.g. an ignored extra column).
        case warning
    }

    public enum Code: String, Sendable, Codable {
        case missingColumn = "missing-column"
        case duplicateColumn = "duplicate-column"
        case unknownColumn = "unknown-column"
        case fileExtension = "file-extension"
        case sheetChosen = "sheet-chosen"
        case required
        case tooLong = "too-long"
        case formulaError = "formula-error"
        case scientificNotation = "scientific-notation"
        case badValue = "bad-value"
        case outOfRange = "out-of-range"
        case duplicateKey = "duplicate-key"
        case unknownReference = "unknown-reference"
    }

    /// Excel row number; nil for problems with the file as a whole.
    public var row: Int?
    /// The column header as written in the file (the standard Chinese header for missing columns).
    public var column: String?
    public var code: Code
    public var severity: Severity
    public var reason: Localized

    public init(row: Int?, column: String?, code: Code, severity: Severity = .error, reason: Localized) {
        self.row = row
        self.column = column
        self.code = code
        self.severity = severity
        self.reason = reason
    }
}

/// A value read from the file, with the row it came from so the UI can point back to it.
public struct ImportedRow<Value: Sendable>: Sendable {
    public var row: Int
    public var value: Value
}

extension ImportedRow: Equatable where Value: Equatable {}

/// The outcome of importing one file: the rows that passed every check, and every problem found.
/// Rows with an error are left out of `rows`; the caller decides whether to import the valid
/// rows or ask for a corrected file.
public struct ImportReport<Value: Sendable>: Sendable {
    public var kind: RosterKind
    public var format: SpreadsheetFormat
    public var encoding: TextEncodingKind?
    /// Set when the roster was found on a worksheet other than the first.
    public var sheetName: String?
    public var rows: [ImportedRow<Value>]
    public var issues: [ImportIssue]
    /// Blank lines are skipped silently but counted, so totals add up.
    public var blankRowCount: Int

    public var values: [Value] { rows.map(\.value) }
    public var errors: [ImportIssue] { issues.filter { $0.severity == .error } }
    public var warnings: [ImportIssue] { issues.filter { $0.severity == .warning } }
    public var hasErrors: Bool { issues.contains { $0.severity == .error } }
    /// True when the file as a whole could not be read as this roster (e.g. a missing column).
    public var isFileRejected: Bool { issues.contains { $0.severity == .error && $0.row == nil } }
}

extension ImportReport where Value: RosterRecord {
    /// The keys (codes, numbers) imported, to pass on as `knownUnits` / `knownCollectives`
    /// when the next file of the same import refers to them.
    public var keys: Set<String> { Set(rows.map(\.value.rosterKey)) }
}
