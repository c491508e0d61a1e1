/// Fixed dimensions of QR Code model 2 symbols (ISO/IEC 18004:2015, tables 1, 7, 9 and annex E).
enum QRCodeTables {
    static func size(version: Int) -> Int { 17 + 4 * version }

    /// Modules left for data and error correction once all function patterns are drawn,
    /// remainder bits included; derived from the symbol layout instead of copied from table 1.
    static func rawDataModules(version: Int) -> Int {
        var modules = (16 * version + 128) * version + 64
        if version >= 2 {
            let alignmentCount = version / 7 + 2
            modules -= (25 * alignmentCount - 10) * alignmentCount - 55
            if version >= 7 { modules -= 36 }
        }
        return modules
    }

    static func totalCodewords(version: Int) -> Int { rawDataModules(version: version) / 8 }

    static func dataCodewords(version: Int, correction: QRCode.Correction) -> Int {
        totalCodewords(version: version)
            - ecCodewordsPerBlock(version: version, correction: correction) * blockCount(version: version, correction: correction)
    }

    /// Byte mode: 4-bit mode indicator, then a character count of 8 bits (versions 1–9) or 16 bits (10–40).
    static func characterCountBits(version: Int) -> Int { version <= 9 ? 8 : 16 }

    static func byteCapacity(version: Int, correction: QRCode.Correction) -> Int {
        (dataCodewords(version: version, correction: correction) * 8 - 4 - characterCountBits(version: version)) / 8
    }

    static func ecCodewordsPerBlock(version: Int, correction: QRCode.Correction) -> Int {
        let table: [Int] = switch correction {
        case .low: [7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28,
                    28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30]
        case .medium: [10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
                       26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28]
        case .quartile: [13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30,
                         28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30]
        case .high: [17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28,
                     30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30]
        }
        return table[version - 1]
    }

    static func blockCount(version: Int, correction: QRCode.Correction) -> Int {
        let table: [Int] = switch correction {
        case .low: [1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8,
                    8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25]
        case .medium: [1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16,
                       17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49]
        case .quartile: [1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20,
                         23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68]
        case .high: [1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25,
                     25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81]
        }
        return table[version - 1]
    }

    /// Row/column centres of alignment patterns (annex E): first 6, last size − 7, evenly spaced
    /// with an even step in between (version 32 is the one exception to the step formula).
    static func alignmentPositions(version: Int) -> [Int] {
        guard version >= 2 else { return [] }
        let count = version / 7 + 2
        let step = version == 32 ? 26 : (version * 4 + count * 2 + 1) / (count * 2 - 2) * 2
        let last = size(version: version) - 7
        return [6] + (0..<(count - 1)).reversed().map { last - $0 * step }
    }
}
