import Foundation

/// Size, dimension and count limits for evidence files.
public struct EvidenceLimits: Hashable, Sendable, Codable {
    public var maxBytes: Int
    public var maxPixelWidth: Int
    public var maxPixelHeight: Int
    public var maxFilesPerRecord: Int

    public init(maxBytes: Int = 10 * 1_048_576, maxPixelWidth: Int = 12_000, maxPixelHeight: Int = 12_000, maxFilesPerRecord: Int = 9) {
        self.maxBytes = maxBytes
        self.maxPixelWidth = maxPixelWidth
        self.maxPixelHeight = maxPixelHeight
        self.maxFilesPerRecord = maxFilesPerRecord
    }

    func checkDimensions(width: Int, height: Int) throws(EvidenceError) {
        guard width <= maxPixelWidth, height <= maxPixelHeight else {
            throw .dimensionsTooLarge(width: width, height: height, limit: self)
        }
    }

    /// Refuses a record's attachment list that is too long, before any file is read.
    public func checkCount(_ count: Int) throws(EvidenceError) {
        if count > maxFilesPerRecord { throw .tooManyFiles(count: count, limit: maxFilesPerRecord) }
    }
}

/// A file ready to store: only image data (or a checked PDF), addressed by its hash.
public struct SanitizedEvidence: Hashable, Sendable {
    public var bytes: Data
    public var kind: EvidenceKind
    /// SHA-256 of `bytes`, lowercase hex: the content address, checked again on every read.
    public var sha256: String
    /// Read from EXIF before it was removed, so the record can keep it.
    public var captureTime: EvidenceCaptureTime?
    public var pixelWidth: Int?
    public var pixelHeight: Int?
}

/// Turns an upload into storable evidence, or refuses it.
///
/// Images are rebuilt from their image data only: a JPEG keeps SOI, a bare JFIF APP0, DQT, DHT,
/// SOF, DRI, SOS with its scan data, EOI, and Adobe's 12-byte APP14 (colour transform only, without
/// which CMYK scans decode with wrong colours); a PNG keeps IHDR, PLTE, tRNS, gAMA, sRGB, pHYs,
/// IDAT and IEND. Everything else — EXIF with GPS, XMP, ICC, comments, text chunks, and whatever
/// was appended after the end marker (a `<script>` in a polyglot) — is dropped, so nothing but
/// pixels reaches storage. Pixels are not decoded or re-compressed: the core has no image codec,
/// and copying the coded data unchanged keeps photos exactly as taken.
/// PDFs cannot be rebuilt this way, so they are inspected and refused if they carry active content.
public struct EvidenceSanitizer: Sendable {
    public var limits: EvidenceLimits

    public init(limits: EvidenceLimits = EvidenceLimits()) {
        self.limits = limits
    }

    public func sanitize(_ data: Data) throws(EvidenceError) -> SanitizedEvidence {
        // The size check comes first and costs nothing, so a 50 MB upload is refused before it is read.
        guard !data.isEmpty else { throw .empty }
        guard data.count <= limits.maxBytes else { throw .tooLarge(bytes: data.count, limit: limits.maxBytes) }
        guard let kind = EvidenceKind.sniff(data) else { throw .unsupportedType }
        let bytes = [UInt8](data)
        let output: Data
        var result = SanitizedEvidence(bytes: Data(), kind: kind, sha256: "")
        switch kind {
        case .jpeg:
            let image = try EvidenceJPEGRebuilder.rebuild(bytes, limits: limits)
            output = Data(image.bytes)
            (result.captureTime, result.pixelWidth, result.pixelHeight) = (image.captureTime, image.width, image.height)
        case .png:
            let image = try EvidencePNGRebuilder.rebuild(bytes, limits: limits)
            output = Data(image.bytes)
            (result.captureTime, result.pixelWidth, result.pixelHeight) = (image.captureTime, image.width, image.height)
        case .pdf:
            output = Data(try EvidencePDFInspector.check(bytes))
        }
        result.bytes = output
        result.sha256 = EvidenceSHA256.hex(output)
        return result
    }

    /// Whether stored bytes still match their content address (checked on every read).
    public static func verify(_ data: Data, sha256: String) -> Bool {
        EvidenceSHA256.hex(data) == sha256.lowercased()
    }
}

/// The rebuilt bytes of an image and what was read from it.
struct EvidenceRebuiltImage {
    var bytes: [UInt8]
    var width: Int
    var height: Int
    var captureTime: EvidenceCaptureTime?
}
