import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
import Darwin
#endif

/// The text encodings met in spreadsheets exported in China.
public enum TextEncodingKind: String, Sendable, Codable {
    case utf8 = "UTF-8"
    case utf8WithBOM = "UTF-8 (BOM)"
    /// GB18030 is a superset of GBK and GB2312, so one decoder serves all three.
    case gb18030 = "GB18030"
    case utf16LE = "UTF-16LE"
    case utf16BE = "UTF-16BE"
}

/// Turns the bytes of a text file into a string, guessing the encoding the way a person would:
/// a byte-order mark wins; then valid UTF-8; otherwise GBK/GB18030, which is what Excel in
/// China writes when it saves "CSV (逗号分隔)".
public enum TabularText {
    public static func decode(_ data: Data) throws -> (text: String, encoding: TextEncodingKind) {
        let bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            let body = bytes[3...]
            guard let text = String(validating: body, as: UTF8.self) else {
                throw TabularError.decoding(offset: 3 + invalidUTF8Offset(body), encoding: "UTF-8")
            }
            return (text, .utf8WithBOM)
        }
        if bytes.starts(with: [0xFF, 0xFE]) { return (try decodeUTF16(bytes, littleEndian: true), .utf16LE) }
        if bytes.starts(with: [0xFE, 0xFF]) { return (try decodeUTF16(bytes, littleEndian: false), .utf16BE) }
        // NUL never appears in UTF-8 or GB18030 text; it does in images, archives and random junk,
        // so this refuses them after a few hundred bytes instead of decoding megabytes.
        if bytes.prefix(65_536).contains(0) { throw TabularError.binary("含有 NUL 字节 / contains NUL bytes") }
        if let text = String(validating: bytes, as: UTF8.self) { return (text, .utf8) }
        return (try decodeGB18030(bytes), .gb18030)
    }

    /// GB18030 → String via glibc iconv (Foundation on Linux cannot decode GBK).
    public static func decodeGB18030<C: Collection<UInt8>>(_ bytes: C) throws -> String {
        let utf8 = try Iconv.convert(Array(bytes), from: "GB18030", to: "UTF-8")
        return String(decoding: utf8, as: UTF8.self)
    }

    /// String → GB18030 bytes, for tests and for users who ask for a GBK export.
    public static func encodeGB18030(_ text: String) throws -> Data {
        Data(try Iconv.convert(Array(text.utf8), from: "UTF-8", to: "GB18030"))
    }

    private static func decodeUTF16(_ bytes: [UInt8], littleEndian: Bool) throws -> String {
        let encoding = littleEndian ? "UTF-16LE" : "UTF-16BE"
        guard bytes.count % 2 == 0 else { throw TabularError.decoding(offset: bytes.count - 1, encoding: encoding) }
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2 - 1)
        var i = 2
        while i < bytes.count {
            let (a, b) = (UInt16(bytes[i]), UInt16(bytes[i + 1]))
            units.append(littleEndian ? a | b << 8 : a << 8 | b)
            i += 2
        }
        var text = ""
        text.reserveCapacity(units.count)
        var decoder = UTF16()
        var iterator = units.makeIterator()
        var unitIndex = 0
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                text.unicodeScalars.append(scalar)
                unitIndex += scalar.value > 0xFFFF ? 2 : 1
            case .emptyInput: break loop
            case .error: throw TabularError.decoding(offset: 2 + unitIndex * 2, encoding: encoding)
            }
        }
        return text
    }

    /// Only called once validation has failed, to tell the user where.
    static func invalidUTF8Offset<C: Collection<UInt8>>(_ bytes: C) -> Int {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return offset
            case .error: return offset
            }
        }
    }
}

/// A safe wrapper around iconv(3): one descriptor per call, output grown on E2BIG,
/// and invalid or truncated input reported with its byte offset.
enum Iconv {
    static func convert(_ input: [UInt8], from source: String, to target: String) throws -> [UInt8] {
        let descriptor = iconv_open(target, source)
        guard let descriptor, Int(bitPattern: descriptor) != -1 else {
            throw TabularError(.decoding, zh: "系统不支持 \(source) 编码转换", en: "The system cannot convert from \(source)")
        }
        defer { iconv_close(descriptor) }
        if input.isEmpty { return [] }

        var output = [UInt8](repeating: 0, count: input.count * 2 + 16)
        var produced = 0
        var input = input
        let total = input.count
        return try input.withUnsafeMutableBufferPointer { inBuffer -> [UInt8] in
            var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBuffer.baseAddress!)
                .assumingMemoryBound(to: CChar.self)
            var inLeft = total
            while inLeft > 0 {
                let (result, err, written) = output.withUnsafeMutableBufferPointer { outBuffer -> (Int, Int32, Int) in
                    var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuffer.baseAddress! + produced)
                        .assumingMemoryBound(to: CChar.self)
                    var outLeft = outBuffer.count - produced
                    let before = outLeft
                    let result = iconv(descriptor, &inPointer, &inLeft, &outPointer, &outLeft)
                    return (result, result == -1 ? errno : 0, before - outLeft)
                }
                produced += written
                if result != -1 { break }
                if err == E2BIG {
                    output.append(contentsOf: repeatElement(0, count: output.count))
                } else {
                    // EILSEQ (invalid sequence) or EINVAL (truncated at the end).
                    throw TabularError.decoding(offset: total - inLeft, encoding: source)
                }
            }
            output.removeSubrange(produced...)
            return output
        }
    }
}
