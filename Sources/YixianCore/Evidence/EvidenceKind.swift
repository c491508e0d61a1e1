import Foundation

/// The file types accepted as evidence (photos and sign-in sheets). Recognised by content only:
/// a PNG named `.jpg` is a PNG, and HTML, SVG or anything else is refused.
public enum EvidenceKind: String, CaseIterable, Sendable, Codable, Labelled {
    case jpeg, png, pdf

    public var label: Localized {
        switch self {
        case .jpeg: Localized(zh: "JPEG 图片", en: "JPEG image")
        case .png: Localized(zh: "PNG 图片", en: "PNG image")
        case .pdf: Localized(zh: "PDF", en: "PDF")
        }
    }

    /// What the server must send as `Content-Type` (with `X-Content-Type-Options: nosniff`).
    public var mimeType: String {
        switch self {
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .pdf: "application/pdf"
        }
    }

    public var fileExtension: String {
        switch self {
        case .jpeg: "jpg"
        case .png: "png"
        case .pdf: "pdf"
        }
    }

    public var isImage: Bool { self != .pdf }

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The kind the bytes claim by their magic number and first structure, or nil. This is a
    /// quick first look; `EvidenceSanitizer` checks the whole file.
    public static func sniff(_ data: Data) -> EvidenceKind? {
        let head = [UInt8](data.prefix(16))
        // JPEG: SOI then the first segment's marker.
        if head.count >= 4, head[0] == 0xFF, head[1] == 0xD8, head[2] == 0xFF, head[3] != 0x00, head[3] != 0xFF {
            return .jpeg
        }
        // PNG: signature, then an IHDR chunk of 13 bytes.
        if head.count >= 16, Array(head[0..<8]) == pngSignature,
           Array(head[8..<16]) == [0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52] {
            return .png
        }
        // PDF: `%PDF-1.x` or `%PDF-2.0` at the very start.
        if head.count >= 8, Array(head[0..<5]) == Array("%PDF-".utf8),
           (head[5] == UInt8(ascii: "1") || head[5] == UInt8(ascii: "2")),
           head[6] == UInt8(ascii: "."), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(head[7]) {
            return .pdf
        }
        return nil
    }
}
