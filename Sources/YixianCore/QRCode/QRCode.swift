/// A QR Code (model 2, ISO/IEC 18004) holding text in byte mode, UTF-8 — the form phone cameras
/// read as a link, e.g. a student confirmation URL `https://host/c/ABCD2345`.
public struct QRCode: Hashable, Sendable {
    /// Error-correction level: the share of codewords that may be damaged and still be recovered.
    public enum Correction: String, CaseIterable, Hashable, Sendable, Codable {
        /// ~7 %
        case low = "L"
        /// ~15 %: the usual choice for screens.
        case medium = "M"
        /// ~25 %
        case quartile = "Q"
        /// ~30 %: for printed codes that get worn or have a logo laid over them.
        case high = "H"

        /// The two level bits of the format information; deliberately not in L < M < Q < H order.
        var formatBits: Int {
            switch self {
            case .low: 0b01
            case .medium: 0b00
            case .quartile: 0b11
            case .high: 0b10
            }
        }
    }

    public static let supportedVersions = 1...40

    /// 1…40; the symbol is 17 + 4 × version modules wide.
    public let version: Int
    public let correction: Correction
    /// The data mask pattern 0…7 chosen for the lowest penalty.
    public let mask: Int
    /// `modules[row][column]`, `true` for dark; without the quiet zone.
    public let modules: [[Bool]]

    public var size: Int { modules.count }

    /// Encodes `text` as UTF-8 in the smallest version within `versions` that holds it.
    /// - Parameter mask: a fixed mask pattern; `nil` evaluates all eight and keeps the best.
    public static func encode(_ text: String, correction: Correction = .medium,
                              versions: ClosedRange<Int> = supportedVersions, mask: Int? = nil) throws -> QRCode {
        try encode(bytes: Array(text.utf8), correction: correction, versions: versions, mask: mask)
    }

    public static func encode(bytes: [UInt8], correction: Correction = .medium,
                              versions: ClosedRange<Int> = supportedVersions, mask: Int? = nil) throws -> QRCode {
        guard supportedVersions.contains(versions.lowerBound), supportedVersions.contains(versions.upperBound) else {
            throw QRCodeError.unsupportedVersions(versions)
        }
        if let mask, !(0...7).contains(mask) { throw QRCodeError.unsupportedMask(mask) }
        guard let version = versions.first(where: { QRCodeTables.byteCapacity(version: $0, correction: correction) >= bytes.count }) else {
            throw QRCodeError.tooLong(byteCount: bytes.count,
                                      capacity: QRCodeTables.byteCapacity(version: versions.upperBound, correction: correction),
                                      version: versions.upperBound, correction: correction)
        }
        let data = dataCodewords(bytes, version: version, correction: correction)
        var symbol = QRSymbolBuilder(version: version)
        symbol.drawCodewords(interleavedWithErrorCorrection(data, version: version, correction: correction))
        let chosenMask: Int
        if let mask {
            symbol.apply(mask: mask, correction: correction)
            chosenMask = mask
        } else {
            chosenMask = symbol.applyBestMask(correction: correction)
        }
        return QRCode(version: version, correction: correction, mask: chosenMask, modules: symbol.rows)
    }

    /// Mode indicator 0100, character count, the bytes, then terminator, byte alignment and the
    /// alternating pad codewords 0xEC 0x11 up to the data capacity (ISO/IEC 18004 §7.4).
    static func dataCodewords(_ bytes: [UInt8], version: Int, correction: Correction) -> [UInt8] {
        let capacityBits = QRCodeTables.dataCodewords(version: version, correction: correction) * 8
        var bits = QRBitBuffer()
        bits.append(0b0100, count: 4)
        bits.append(bytes.count, count: QRCodeTables.characterCountBits(version: version))
        for byte in bytes { bits.append(Int(byte), count: 8) }
        bits.append(0, count: min(4, capacityBits - bits.count))
        bits.append(0, count: (8 - bits.count % 8) % 8)
        var codewords = bits.bytes
        var pad: UInt8 = 0xEC
        while codewords.count * 8 < capacityBits {
            codewords.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }
        return codewords
    }

    /// Splits the data into blocks (the first ones one codeword shorter when it does not divide evenly),
    /// adds each block's Reed–Solomon codewords, and interleaves column-wise so a smudge hits many blocks a little.
    static func interleavedWithErrorCorrection(_ data: [UInt8], version: Int, correction: Correction) -> [UInt8] {
        let blocks = dataBlocks(data, version: version, correction: correction)
        let ecLength = QRCodeTables.ecCodewordsPerBlock(version: version, correction: correction)
        let ecBlocks = blocks.map { QRReedSolomon.errorCorrection(for: $0, degree: ecLength) }
        var result: [UInt8] = []
        result.reserveCapacity(QRCodeTables.totalCodewords(version: version))
        for i in 0..<(blocks.last?.count ?? 0) {
            for block in blocks where i < block.count { result.append(block[i]) }
        }
        for i in 0..<ecLength {
            for block in ecBlocks { result.append(block[i]) }
        }
        return result
    }

    static func dataBlocks(_ data: [UInt8], version: Int, correction: Correction) -> [[UInt8]] {
        let blockCount = QRCodeTables.blockCount(version: version, correction: correction)
        let shortLength = data.count / blockCount
        let longBlocks = data.count % blockCount
        var blocks: [[UInt8]] = []
        var start = 0
        for i in 0..<blockCount {
            let length = shortLength + (i >= blockCount - longBlocks ? 1 : 0)
            blocks.append(Array(data[start..<start + length]))
            start += length
        }
        return blocks
    }

    /// The most bytes a symbol of this version and level holds in byte mode.
    public static func byteCapacity(version: Int, correction: Correction) -> Int {
        QRCodeTables.byteCapacity(version: version, correction: correction)
    }
}

/// Bits appended most significant first.
struct QRBitBuffer {
    private(set) var count = 0
    private(set) var bytes: [UInt8] = []

    mutating func append(_ value: Int, count bitCount: Int) {
        for i in stride(from: bitCount - 1, through: 0, by: -1) {
            if count % 8 == 0 { bytes.append(0) }
            if (value >> i) & 1 == 1 { bytes[bytes.count - 1] |= UInt8(0x80 >> (count % 8)) }
            count += 1
        }
    }
}

public struct QRCodeError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        case tooLong = "too-long"
        case unsupportedVersions = "unsupported-versions"
        case unsupportedMask = "unsupported-mask"
    }

    public var code: Code
    public var reason: Localized

    public init(_ code: Code, zh: String, en: String) {
        self.code = code
        self.reason = Localized(zh: zh, en: en)
    }

    public var description: String { "\(code.rawValue): \(reason.en)" }

    static func tooLong(byteCount: Int, capacity: Int, version: Int, correction: QRCode.Correction) -> QRCodeError {
        QRCodeError(.tooLong,
                    zh: "内容过长：\(byteCount) 字节（UTF-8），二维码版本 \(version)、纠错等级 \(correction.rawValue) 最多容纳 \(capacity) 字节",
                    en: "The text is too long: \(byteCount) bytes (UTF-8); a version \(version) QR code at level \(correction.rawValue) holds at most \(capacity) bytes")
    }

    static func unsupportedVersions(_ versions: ClosedRange<Int>) -> QRCodeError {
        QRCodeError(.unsupportedVersions, zh: "二维码版本范围 \(versions) 无效，应在 1…40 之内",
                    en: "QR code versions \(versions) are invalid; they must lie within 1…40")
    }

    static func unsupportedMask(_ mask: Int) -> QRCodeError {
        QRCodeError(.unsupportedMask, zh: "掩模编号 \(mask) 无效，应为 0…7", en: "Mask pattern \(mask) is invalid; it must be 0…7")
    }
}
