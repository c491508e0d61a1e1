import Foundation
import ZIPFoundation

/// Checks a PDF's frame and refuses active content. PDFs are not rebuilt, so every dictionary is
/// read: the plain file and the compressed object streams (`/ObjStm`, PDF 1.5+) where modern
/// writers hide them. Names are compared after `#xx` decoding, so `/J#61vaScript` is `/JavaScript`.
enum EvidencePDFInspector {
    /// Names that run code, start programs, carry other files, send data out, open links or run
    /// actions on opening (`/OpenAction`, `/AA`). Evidence is a scan or a photo: it needs none.
    static let forbiddenNames: Set<String> = ["JavaScript", "JS", "Launch", "EmbeddedFile", "EmbeddedFiles", "RichMedia", "XFA",
                                              "URI", "SubmitForm", "ImportData", "GoToR", "GoToE", "AA", "OpenAction"]
    /// Markup a browser would run if the file were ever served as HTML.
    private static let forbiddenMarkup = ["<script", "<html", "<svg", "<iframe"]
    /// All object streams of one file together decompress to at most this, so a deflate bomb costs bounded time and memory.
    static let maxInflatedBytes = 64 * 1_048_576

    /// The bytes to store: the file through its last `%%EOF`; anything appended after it is dropped.
    static func check(_ b: [UInt8]) throws(EvidenceError) -> [UInt8] {
        guard let eof = lastIndex(of: Array("%%EOF".utf8), in: b[...]) else {
            throw .malformed(.pdf, zh: "缺少文件结束标记 %%EOF", en: "no %%EOF end marker")
        }
        var body = Array(b[..<(eof + 5)])
        body.append(0x0A)

        var found = Set<String>()
        for tag in forbiddenMarkup where indexIgnoringCase(of: Array(tag.utf8), in: body) != nil { found.insert(tag + ">") }
        var inflateBudget = maxInflatedBytes
        try scan(body[...], into: &found, inflateBudget: &inflateBudget)
        guard found.isEmpty else { throw .activeContent(found.sorted()) }
        return body
    }

    /// Collects forbidden names from the dictionaries of `b`. Stream data is skipped — image bytes
    /// would otherwise spell `/JS` by chance in about one 10 MB scan in twenty-five — except for
    /// object streams, which hold dictionaries and are decoded and scanned in turn.
    static func scan(_ b: ArraySlice<UInt8>, into found: inout Set<String>, inflateBudget: inout Int) throws(EvidenceError) {
        var namesOfObject: [String] = []  // names since the last object or stream ended: the stream's dictionary
        var i = b.startIndex
        while i < b.endIndex {
            let c = b[i]
            if c == UInt8(ascii: "/") {
                let (name, end) = readName(b, at: i)
                if forbiddenNames.contains(name) { found.insert(name) }
                namesOfObject.append(name)
                i = end
            } else if c == UInt8(ascii: "s"), isKeyword("stream", in: b, at: i) {
                var dataStart = i + 6
                if dataStart < b.endIndex, b[dataStart] == 0x0D { dataStart += 1 }
                if dataStart < b.endIndex, b[dataStart] == 0x0A { dataStart += 1 }
                guard let dataEnd = firstIndex(of: Array("endstream".utf8), in: b[dataStart...]) else {
                    throw .malformed(.pdf, zh: "数据流没有结束标记", en: "a stream has no endstream")
                }
                if namesOfObject.contains("ObjStm") {
                    let contents = try decode(b[dataStart..<dataEnd], filters: Set(namesOfObject), budget: &inflateBudget)
                    try scan(contents[...], into: &found, inflateBudget: &inflateBudget)
                }
                namesOfObject = []
                i = dataEnd + 9
            } else if c == UInt8(ascii: "e"), isKeyword("endobj", in: b, at: i) {
                namesOfObject = []
                i += 6
            } else {
                i += 1
            }
        }
    }

    /// A name token (`/Type`) starting at `start`, `#xx` escapes decoded, and the index after it.
    static func readName(_ b: ArraySlice<UInt8>, at start: Int) -> (String, Int) {
        var j = start + 1
        var name: [UInt8] = []
        while j < b.endIndex, !isDelimiterOrSpace(b[j]) {
            if b[j] == UInt8(ascii: "#"), j + 2 < b.endIndex, let hi = hexValue(b[j + 1]), let lo = hexValue(b[j + 2]) {
                name.append(hi << 4 | lo)
                j += 3
            } else {
                name.append(b[j])
                j += 1
            }
        }
        return (String(decoding: name, as: UTF8.self), j)
    }

    /// `word` at `i` as a whole token, not part of a longer one (`endstream` is not `stream`).
    private static func isKeyword(_ word: String, in b: ArraySlice<UInt8>, at i: Int) -> Bool {
        let bytes = Array(word.utf8)
        guard i + bytes.count <= b.endIndex, b[i..<(i + bytes.count)].elementsEqual(bytes) else { return false }
        let before = i == b.startIndex || isDelimiterOrSpace(b[i - 1])
        let after = i + bytes.count == b.endIndex || isDelimiterOrSpace(b[i + bytes.count])
        return before && after
    }

    /// An object stream's bytes: raw, or Flate-decoded; any other filter cannot be inspected.
    private static func decode(_ raw: ArraySlice<UInt8>, filters names: Set<String>, budget: inout Int) throws(EvidenceError) -> [UInt8] {
        let knownFilters: Set<String> = ["FlateDecode", "ASCIIHexDecode", "ASCII85Decode", "LZWDecode", "RunLengthDecode",
                                         "CCITTFaxDecode", "JBIG2Decode", "DCTDecode", "JPXDecode", "Crypt", "DecodeParms"]
        let used = names.intersection(knownFilters)
        if used.isEmpty { return Array(raw) }
        guard used == ["FlateDecode"] else { throw .uninspectable }
        let output = try inflate(raw, limit: budget)
        budget -= output.count
        return output
    }

    /// zlib-wrapped deflate (what FlateDecode is) → bytes, at most `limit`.
    private static func inflate(_ zlib: ArraySlice<UInt8>, limit: Int) throws(EvidenceError) -> [UInt8] {
        guard zlib.count > 2, zlib[zlib.startIndex] & 0x0F == 8 else { throw .uninspectable }
        let deflate = Data(zlib.dropFirst(2))
        let chunk = 64 * 1024
        var output: [UInt8] = []
        do {
            _ = try Data.decompress(size: Int64(deflate.count), bufferSize: chunk, skipCRC32: true, provider: { position, size in
                // ZIPFoundation's zlib loop reads `size` bytes whatever it is given and loops on an empty chunk:
                // pad with zeros so it never reads past the buffer, and stop once the input is spent.
                let from = Int(position)
                guard from < deflate.count else { throw EvidenceError.uninspectable }
                var piece = deflate.subdata(in: from..<min(from + size, deflate.count))
                if piece.count < size { piece.append(Data(count: size - piece.count)) }
                return piece
            }, consumer: { data in
                output += data
                if output.count > limit { throw EvidenceError.uninspectable }
            })
        } catch {
            throw .uninspectable
        }
        return output
    }

    private static func isDelimiterOrSpace(_ c: UInt8) -> Bool {
        switch c {
        case 0, 9, 10, 12, 13, 32, UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "<"), UInt8(ascii: ">"),
             UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "/"), UInt8(ascii: "%"):
            return true
        default:
            return false
        }
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func firstIndex(of needle: [UInt8], in hay: ArraySlice<UInt8>) -> Int? {
        guard let first = needle.first, hay.count >= needle.count else { return nil }
        var i = hay.startIndex
        let last = hay.endIndex - needle.count
        while i <= last {
            if hay[i] == first, hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    private static func lastIndex(of needle: [UInt8], in hay: ArraySlice<UInt8>) -> Int? {
        guard let first = needle.first, hay.count >= needle.count else { return nil }
        var i = hay.endIndex - needle.count
        while i >= hay.startIndex {
            if hay[i] == first, hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i -= 1
        }
        return nil
    }

    private static func indexIgnoringCase(of needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        func lower(_ c: UInt8) -> UInt8 { (0x41...0x5A).contains(c) ? c | 0x20 : c }
        var i = 0
        while i <= hay.count - needle.count {
            var k = 0
            while k < needle.count, lower(hay[i + k]) == needle[k] { k += 1 }
            if k == needle.count { return i }
            i += 1
        }
        return nil
    }
}
