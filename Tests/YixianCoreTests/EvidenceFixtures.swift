import Foundation
@testable import YixianCore

/// Hand-built minimal files, small enough to read byte by byte.
enum EvidenceFixture {
    static let gpsLatitude: [UInt8] = [0x20, 0, 0, 0, 1, 0, 0, 0, 0x03, 0, 0, 0, 1, 0, 0, 0, 0x10, 0x0E, 0, 0, 0x64, 0, 0, 0]

    /// An EXIF TIFF block with DateTimeOriginal, optionally OffsetTimeOriginal, and a GPS IFD holding `gpsLatitude`.
    static func exifTIFF(dateTime: String = "2025:09:03 14:05:30", offset: String? = "+08:00", littleEndian: Bool = true) -> [UInt8] {
        var t: [UInt8] = []
        func u16(_ v: Int) { t += littleEndian ? [UInt8(v & 0xFF), UInt8(v >> 8)] : [UInt8(v >> 8), UInt8(v & 0xFF)] }
        func u32(_ v: Int) {
            if littleEndian { u16(v & 0xFFFF); u16(v >> 16) } else { u16(v >> 16); u16(v & 0xFFFF) }
        }
        func entry(_ tag: Int, _ type: Int, _ count: Int, _ value: Int) { u16(tag); u16(type); u32(count); u32(value) }
        let exifIFD = 38, gpsIFD = 68, dateAt = 98, offsetAt = 118, latitudeAt = 126
        t += littleEndian ? Array("II".utf8) : Array("MM".utf8)
        u16(42); u32(8)
        // IFD0 at 8: pointers to the EXIF and GPS IFDs.
        u16(2); entry(0x8769, 4, 1, exifIFD); entry(0x8825, 4, 1, gpsIFD); u32(0)
        // EXIF IFD at 38.
        u16(offset == nil ? 1 : 2); entry(0x9003, 2, 20, dateAt)
        if let offset { entry(0x9011, 2, offset.utf8.count + 1, offsetAt) } else { t += [UInt8](repeating: 0, count: 12) }
        u32(0)
        // GPS IFD at 68: latitude reference inline, latitude as three rationals.
        u16(2); entry(0x0001, 2, 2, Int(UInt8(ascii: "N"))); entry(0x0002, 5, 3, latitudeAt); u32(0)
        precondition(t.count == dateAt)
        t += Array(dateTime.utf8) + [0]
        t += Array((offset ?? "").utf8) + [UInt8](repeating: 0, count: 8 - (offset ?? "").utf8.count)
        precondition(t.count == latitudeAt)
        t += gpsLatitude
        return t
    }

    static func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] {
        [0xFF, marker, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
    }

    static let jfif: [UInt8] = segment(0xE0, Array("JFIF\0".utf8) + [1, 1, 0, 0, 1, 0, 1, 0, 0])
    static let quantisation: [UInt8] = segment(0xDB, [0] + [UInt8](repeating: 1, count: 64))
    static func frame(width: Int, height: Int) -> [UInt8] {
        segment(0xC0, [8, UInt8(height >> 8), UInt8(height & 0xFF), UInt8(width >> 8), UInt8(width & 0xFF), 1, 1, 0x11, 0])
    }
    static let huffman: [UInt8] = segment(0xC4, [0x00] + [1] + [UInt8](repeating: 0, count: 15) + [0])
    static let scanHeader: [UInt8] = segment(0xDA, [1, 1, 0x00, 0, 63, 0])
    /// Entropy-coded bytes with a stuffed FF00 and a restart marker, which must not end the scan.
    static let scanData: [UInt8] = [0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD0, 0x78]

    /// The parts a JPEG needs to be drawn, in order, ending with EOI.
    static func jpegCore(width: Int = 64, height: Int = 48) -> [UInt8] {
        quantisation + frame(width: width, height: height) + huffman + scanHeader + scanData + [0xFF, 0xD9]
    }

    /// A phone photo: JFIF, EXIF with GPS and capture time, a comment, an ICC block.
    static func cameraJPEG(exif: [UInt8] = exifTIFF(), width: Int = 64, height: Int = 48) -> [UInt8] {
        [0xFF, 0xD8] + jfif + segment(0xE1, Array("Exif\0\0".utf8) + exif)
            + segment(0xE2, Array("ICC_PROFILE\0".utf8) + [1, 1, 9, 9])
            + segment(0xFE, Array("shot at 32.06N 118.79E".utf8))
            + jpegCore(width: width, height: height)
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        let crc = EvidencePNGCRC.checksum(body)
        return bigEndian(data.count) + body + bigEndian(Int(crc))
    }

    static func bigEndian(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    /// zlib with one stored (uncompressed) deflate block: valid FlateDecode / IDAT data without a compressor.
    static func zlibStored(_ bytes: [UInt8]) -> [UInt8] {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes { a = (a + UInt32(byte)) % 65_521; b = (b + a) % 65_521 }
        let n = bytes.count
        return [0x78, 0x01, 0x01, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8(~n >> 8 & 0xFF)] + bytes + bigEndian(Int(b << 16 | a))
    }

    static func ihdr(width: Int, height: Int) -> [UInt8] { chunk("IHDR", bigEndian(width) + bigEndian(height) + [8, 0, 0, 0, 0]) }

    /// A grey 2×1 PNG with its drawing chunks only.
    static func pngCore(width: Int = 2, height: Int = 1) -> (header: [UInt8], body: [UInt8]) {
        let header = EvidenceKind.pngSignature + ihdr(width: width, height: height)
        let body = chunk("gAMA", bigEndian(45_455)) + chunk("IDAT", zlibStored([0, 0x80, 0x40])) + chunk("IEND", [])
        return (header, body)
    }

    /// A PNG carrying text, a timestamp, EXIF, and a script appended after IEND.
    static func pngWithPayload() -> [UInt8] {
        let core = pngCore()
        return core.header + chunk("tEXt", Array("Comment\0<script>alert(1)</script>".utf8))
            + chunk("tIME", [0x07, 0xE9, 9, 3, 14, 5, 30]) + chunk("eXIf", exifTIFF(littleEndian: false))
            + core.body + Array("<script>fetch('/api/v1/steal')</script>".utf8)
    }

    static func pdf(catalogExtra: String = "", tail: String = "") -> [UInt8] {
        Array("""
        %PDF-1.4
        1 0 obj
        << /Type /Catalog /Pages 2 0 R \(catalogExtra)>>
        endobj
        2 0 obj
        << /Type /Pages /Kids [] /Count 0 >>
        endobj
        trailer
        << /Root 1 0 R >>
        %%EOF

        """.utf8) + Array(tail.utf8)
    }

    /// A PDF 1.5 whose catalog's extra dictionary lives in a Flate-compressed object stream.
    static func pdfWithObjectStream(hidden: String) -> [UInt8] {
        let packed = zlibStored(Array("3 0 << /S \(hidden) >>".utf8))
        return Array("%PDF-1.5\n4 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length \(packed.count) >>\nstream\n".utf8)
            + packed + Array("\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n".utf8)
    }

    /// Splits a PNG into its chunk types, checking each CRC on the way.
    static func pngChunks(_ bytes: [UInt8]) -> (types: [String], crcsValid: Bool, trailing: Int) {
        var i = 8, types: [String] = [], valid = true
        while i + 12 <= bytes.count {
            let length = Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            let type = String(decoding: bytes[(i + 4)..<(i + 8)], as: UTF8.self)
            let stored = bytes[(i + 8 + length)..<(i + 12 + length)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            valid = valid && EvidencePNGCRC.checksum(bytes[(i + 4)..<(i + 8 + length)]) == stored
            types.append(type)
            i += 12 + length
            if type == "IEND" { break }
        }
        return (types, valid, bytes.count - i)
    }
}

extension Data {
    func evidenceHas(text: String) -> Bool { range(of: Data(text.utf8)) != nil }
    func evidenceHas(bytes: [UInt8]) -> Bool { range(of: Data(bytes)) != nil }
}
