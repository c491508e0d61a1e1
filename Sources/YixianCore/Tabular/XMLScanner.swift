import Foundation

/// A small pull scanner for the XML inside .xlsx parts. Hand-written rather than XMLCoder
/// or XMLParser because a worksheet is a flat stream of `<row>/<c>/<v>` with thousands of
/// elements per second to get through, and building a tree or decoding `Codable` values for
/// each cell costs far more than the cell itself (see ImportBenchmark).
/// It never expands DTD entities (no XXE, no billion laughs) and does not check that tags
/// nest properly — the worksheet walkers only need start, end and text events.
struct XMLScanner {
    struct StartTag {
        /// Local name, without a namespace prefix (`x:row` → `row`).
        var name: String
        var attributes: [(name: String, value: String)]
        var selfClosing: Bool

        /// Looks an attribute up by local name (`r:id` → `id`).
        func attribute(_ name: String) -> String? { attributes.first { $0.name == name }?.value }
    }

    enum Token {
        case start(StartTag)
        case end(String)
        /// Character data; `isCDATA` means it is taken literally, without entity decoding.
        case text(Range<Int>, isCDATA: Bool)
    }

    let bytes: [UInt8]
    let part: String
    private(set) var position = 0

    init(bytes: [UInt8], part: String) {
        self.bytes = bytes
        self.part = part
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    }

    mutating func next() throws -> Token? {
        guard position < bytes.count else { return nil }
        if bytes[position] != lt {
            let start = position
            position = bytes[position...].firstIndex(of: lt) ?? bytes.count
            return .text(start..<position, isCDATA: false)
        }
        if matches("<?") { try skip(past: Array("?>".utf8)); return try next() }
        if matches("<!--") { try skip(past: Array("-->".utf8)); return try next() }
        if matches("<![CDATA[") {
            let start = position + 9
            position = start
            try skip(past: Array("]]>".utf8))
            return .text(start..<(position - 3), isCDATA: true)
        }
        if matches("<!") { try skipDeclaration(); return try next() }
        if matches("</") {
            position += 2
            let name = readName()
            guard let close = bytes[position...].firstIndex(of: gt) else { throw failure("unterminated end tag") }
            position = close + 1
            return .end(name)
        }
        position += 1
        let name = readName()
        guard !name.isEmpty else { throw failure("missing element name") }
        var attributes: [(name: String, value: String)] = []
        while true {
            skipSpaces()
            guard position < bytes.count else { throw failure("unterminated start tag <\(name)") }
            switch bytes[position] {
            case gt:
                position += 1
                return .start(StartTag(name: name, attributes: attributes, selfClosing: false))
            case slash:
                guard position + 1 < bytes.count, bytes[position + 1] == gt else { throw failure("expected '/>'") }
                position += 2
                return .start(StartTag(name: name, attributes: attributes, selfClosing: true))
            default:
                let attributeName = readName()
                guard !attributeName.isEmpty else { throw failure("bad attribute in <\(name)") }
                skipSpaces()
                guard position < bytes.count, bytes[position] == equals else { throw failure("expected '=' after \(attributeName)") }
                position += 1
                skipSpaces()
                guard position < bytes.count, bytes[position] == quote || bytes[position] == apostrophe else {
                    throw failure("expected a quoted value for \(attributeName)")
                }
                let delimiter = bytes[position]
                let valueStart = position + 1
                guard let valueEnd = bytes[valueStart...].firstIndex(of: delimiter) else { throw failure("unterminated attribute value") }
                position = valueEnd + 1
                attributes.append((attributeName, decode(valueStart..<valueEnd, isCDATA: false)))
            }
        }
    }

    /// Text with the five XML entities and numeric character references resolved;
    /// anything else starting with `&` is kept as written.
    func decode(_ range: Range<Int>, isCDATA: Bool) -> String {
        let slice = bytes[range]
        if isCDATA || !slice.contains(amp) { return String(decoding: slice, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(slice.count)
        var i = range.lowerBound
        while i < range.upperBound {
            let b = bytes[i]
            guard b == amp, let semicolon = bytes[i..<min(range.upperBound, i + 12)].firstIndex(of: UInt8(ascii: ";")) else {
                out.append(b)
                i += 1
                continue
            }
            let entity = String(decoding: bytes[(i + 1)..<semicolon], as: UTF8.self)
            var replacement: String?
            switch entity {
            case "lt": replacement = "<"
            case "gt": replacement = ">"
            case "amp": replacement = "&"
            case "quot": replacement = "\""
            case "apos": replacement = "'"
            default:
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    replacement = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String($0) }
                } else if entity.hasPrefix("#") {
                    replacement = UInt32(entity.dropFirst()).flatMap(Unicode.Scalar.init).map { String($0) }
                }
            }
            if let replacement {
                out.append(contentsOf: replacement.utf8)
                i = semicolon + 1
            } else {
                out.append(b)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - Private

    private let lt = UInt8(ascii: "<"), gt = UInt8(ascii: ">"), slash = UInt8(ascii: "/"), equals = UInt8(ascii: "=")
    private let quote = UInt8(ascii: "\""), apostrophe = UInt8(ascii: "'"), amp = UInt8(ascii: "&"), colon = UInt8(ascii: ":")

    private func failure(_ reason: String) -> TabularError {
        TabularError.malformedXML(part: part, offset: position, reason: reason)
    }

    private func matches(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        return literal.withUTF8Buffer { buffer in
            for k in 0..<count where bytes[position + k] != buffer[k] { return false }
            return true
        }
    }

    private mutating func skip(past terminator: [UInt8]) throws {
        var i = position
        while i + terminator.count <= bytes.count {
            if bytes[i] == terminator[0], bytes[i..<(i + terminator.count)].elementsEqual(terminator) {
                position = i + terminator.count
                return
            }
            i += 1
        }
        throw failure("unterminated markup")
    }

    /// `<!DOCTYPE … [ … ]>`: skipped whole, internal subset included, never interpreted.
    private mutating func skipDeclaration() throws {
        var depth = 0
        var i = position + 2
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "]"): depth -= 1
            case gt where depth <= 0:
                position = i + 1
                return
            default: break
            }
            i += 1
        }
        throw failure("unterminated declaration")
    }

    private mutating func skipSpaces() {
        while position < bytes.count, bytes[position] == 0x20 || bytes[position] == 0x0A || bytes[position] == 0x0D || bytes[position] == 0x09 {
            position += 1
        }
    }

    /// Reads a qualified name and returns its local part.
    private mutating func readName() -> String {
        var localStart = position
        while position < bytes.count {
            let b = bytes[position]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 || b == gt || b == slash || b == equals { break }
            if b == colon { localStart = position + 1 }
            position += 1
        }
        return String(decoding: bytes[localStart..<position], as: UTF8.self)
    }
}
