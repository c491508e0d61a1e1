import Foundation
import NIOConcurrencyHelpers
import Plot
import Vapor
import YixianCore

/// Every table a page draws through `Components.table` downloads as .xlsx or .csv: the page's own
/// address plus `export=xlsx|csv&table=N`. The page's handler runs as for the page — same access
/// rule, same scope, same audit — and the table is taken from what it drew, so the file holds the
/// rows the reader sees and no second query can drift from the page.
enum TableExport {
    static let formats = ["xlsx", "csv"]

    /// The tables of one request, numbered in the order the page builds them (one counter per
    /// request, however many `PageContext`s the handler makes). On an export, the wanted table's
    /// cells are kept, and whether the page really drew it is noted when the page is rendered:
    /// a table built but left out of the page (`.if(false, table)`) cannot be downloaded.
    final class Tables: @unchecked Sendable {
        struct Wanted: Sendable { var format: String; var index: Int }
        let wanted: Wanted?
        private let lock = NIOLock()
        private var count = 0
        private var kept: (header: [String], rows: [[Node<HTML.TableRowContext>]])?
        private var drawnCount = 0
        private var wantedDrawn = false
        private var title: String?

        init(wanted: Wanted?) { self.wanted = wanted }

        /// The number of the next table, keeping its cells when it is the one asked for.
        func next(header: [String], rows: [[Node<HTML.TableRowContext>]]) -> Int {
            lock.withLock {
                defer { count += 1 }
                if count == wanted?.index { kept = (header, rows) }
                return count
            }
        }

        func drawn(_ index: Int) {
            lock.withLock {
                drawnCount += 1
                if index == wanted?.index { wantedDrawn = true }
            }
        }

        /// The title of the page rendered (the last, should a handler render twice).
        func titled(_ text: String) { lock.withLock { title = text } }

        /// Header and rows of the wanted table as text, when the page drew it.
        func result() -> (header: [String], rows: [[String]], title: String?, several: Bool)? {
            lock.withLock {
                guard wantedDrawn, let kept else { return nil }
                return (kept.header, kept.rows.map { $0.map { TableExport.text(ofCell: $0.render()) } }, title, drawnCount > 1)
            }
        }
    }

    struct Key: StorageKey { typealias Value = Tables }

    /// The request's tables; an export's were made by `begin`.
    static func tables(_ req: Request) -> Tables {
        if let tables = req.storage[Key.self] { return tables }
        let tables = Tables(wanted: nil)
        req.storage[Key.self] = tables
        return tables
    }

    /// Checks an export's parameters before the handler runs, so a bad one changes nothing.
    /// Nil when the request asks for no export.
    static func begin(_ req: Request) throws -> Tables? {
        guard req.method == .GET else { return nil }
        let format = req.queryValue("export"), table = req.queryValue("table")
        guard format != nil || table != nil else { return nil }
        guard let format, formats.contains(format) else {
            throw AppError.field("export", zh: "导出格式只能是 xlsx 或 csv", en: "export must be xlsx or csv")
        }
        guard let table, let index = Int(table), index >= 0 else {
            throw AppError.field("table", zh: "table 应为页面上表格的序号（从 0 起）", en: "table must be the number of a table on the page, from 0")
        }
        let tables = Tables(wanted: .init(format: format, index: index))
        req.storage[Key.self] = tables
        return tables
    }

    /// The file instead of the page. A page that answered otherwise (an error, a redirect) is
    /// passed on as it is; a page that drew no such table is refused.
    static func finish(_ tables: Tables, _ req: Request, _ response: Response) throws -> Response {
        guard response.status == .ok else { return response }
        guard let wanted = tables.wanted, response.headers.contentType == .html, let result = tables.result() else {
            throw AppError.field("table", zh: "此页没有第 \((tables.wanted?.index ?? 0) + 1) 个可导出的表格",
                                 en: "This page has no table number \(tables.wanted?.index ?? 0) to export")
        }
        let title = fileName(result.title ?? "表格")
        let suffix = result.several ? "-\(wanted.index + 1)" : ""
        return try ImportExport.table(header: result.header, rows: result.rows, format: wanted.format,
                                      name: title + suffix, ascii: asciiName(req.url.path) + suffix)
    }

    /// A page title as a file name: characters file systems refuse become hyphens.
    static func fileName(_ title: String) -> String {
        let refused = Set("/\\:*?\"<>|\n\r\t")
        let cleaned = String(title.map { refused.contains($0) ? "-" : $0 }).trimmingTabularBlank()
        return cleaned.isEmpty ? "表格" : String(cleaned.prefix(100))
    }

    /// The fallback name for old clients: the page's path, `/compliance/units/CS` → `compliance-units-CS`.
    static func asciiName(_ path: String) -> String {
        let words = path.split(separator: "/").map { $0.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") } }.filter { !$0.isEmpty }
        return words.isEmpty ? "table" : String(words.joined(separator: "-").prefix(80))
    }

    /// The link to a table's download: the page's address and query, with `export` and `table` set.
    static func link(_ base: String, format: String, index: Int) -> String {
        let parts = base.split(separator: "?", maxSplits: 1)
        let kept = parts.count > 1 ? parts[1].split(separator: "&").filter { item in
            let key = item.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            return key != "export" && key != "table"
        }.map(String.init) : []
        return String(parts.first ?? "") + "?" + (kept + ["export=\(format)", "table=\(index)"]).joined(separator: "&")
    }

    /// A node that, when the page is rendered, notes that table `index` is on it.
    struct DrawnMark: Component {
        let tables: Tables
        let index: Int
        var body: Component {
            tables.drawn(index)
            return Node<HTML.BodyContext>.empty
        }
    }

    // MARK: - A cell's text

    private static let dropped = ["form", "select", "button", "script", "style", "template", "textarea"]
    private static let breaks: Set<String> = ["br", "p", "div", "li", "ul", "ol", "tr", "dt", "dd", "h1", "h2", "h3", "h4", "pre", "table"]

    /// What a reader sees of a cell: its text without markup, entities decoded, a line per block
    /// (a `<br>`, a paragraph, a list item), spaces run together as the browser shows them.
    /// Controls (forms, buttons, menus) are what one does with a row, not what it says, and stay out.
    static func text(ofCell html: String) -> String {
        var lines: [String] = []
        var line = ""
        var skipping: String?
        var index = html.startIndex
        func endLine() {
            let collapsed = line.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
            if !collapsed.isEmpty { lines.append(collapsed) }
            line = ""
        }
        while index < html.endIndex {
            guard html[index] == "<", let close = html[index...].firstIndex(of: ">") else {
                if skipping == nil { line.append(html[index]) }
                index = html.index(after: index)
                continue
            }
            let inner = html[html.index(after: index)..<close]
            let closing = inner.hasPrefix("/")
            let name = inner.drop { $0 == "/" }.prefix { $0.isLetter || $0.isNumber }.lowercased()
            index = html.index(after: close)
            if let open = skipping {
                if closing && name == open { skipping = nil }
                continue
            }
            if !closing && dropped.contains(name) && !inner.hasSuffix("/") {
                skipping = name
            } else if breaks.contains(name) {
                endLine()
            }
        }
        endLine()
        return unescape(lines.joined(separator: "\n"))
    }

    static func unescape(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = text[...]
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            rest = rest[amp...]
            if let semi = rest.prefix(12).firstIndex(of: ";"), let decoded = entity(rest[rest.index(after: rest.startIndex)..<semi]) {
                out += decoded
                rest = rest[rest.index(after: semi)...]
            } else {
                out += "&"
                rest = rest.dropFirst()
            }
        }
        return out + rest
    }

    private static func entity(_ name: Substring) -> String? {
        switch name {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        case "nbsp": return " "
        default:
            guard name.hasPrefix("#") else { return nil }
            let digits = name.dropFirst()
            let value = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
            return value.flatMap(Unicode.Scalar.init).map { String(Character($0)) }
        }
    }
}
