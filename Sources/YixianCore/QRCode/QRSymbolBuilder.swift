/// Lays out one QR symbol: function patterns, codeword placement, masking and format/version information.
/// Coordinates are (row, column) from the top-left corner; `true` is a dark module.
struct QRSymbolBuilder {
    let version: Int
    let size: Int
    private(set) var dark: [Bool]
    /// Modules that belong to function patterns and are never masked nor used for data.
    private(set) var isFunction: [Bool]

    init(version: Int) {
        self.version = version
        self.size = QRCodeTables.size(version: version)
        dark = Array(repeating: false, count: size * size)
        isFunction = Array(repeating: false, count: size * size)
        drawFunctionPatterns()
    }

    subscript(row: Int, column: Int) -> Bool { dark[row * size + column] }

    var rows: [[Bool]] { (0..<size).map { Array(dark[$0 * size..<($0 + 1) * size]) } }

    // MARK: Function patterns

    private mutating func setFunction(_ row: Int, _ column: Int, _ isDark: Bool) {
        dark[row * size + column] = isDark
        isFunction[row * size + column] = true
    }

    private mutating func drawFunctionPatterns() {
        // Timing first: finders and alignment patterns overwrite its ends.
        for i in 0..<size {
            setFunction(6, i, i % 2 == 0)
            setFunction(i, 6, i % 2 == 0)
        }
        drawFinder(centerRow: 3, centerColumn: 3)
        drawFinder(centerRow: 3, centerColumn: size - 4)
        drawFinder(centerRow: size - 4, centerColumn: 3)
        let positions = QRCodeTables.alignmentPositions(version: version)
        let last = positions.count - 1
        for (i, row) in positions.enumerated() {
            for (j, column) in positions.enumerated() {
                // The three corners already hold finder patterns.
                if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) { continue }
                drawAlignment(centerRow: row, centerColumn: column)
            }
        }
        // Reserve the format areas now; the real bits are written once the mask is known.
        drawFormatInformation(0)
        drawVersionInformation()
    }

    /// 7×7 finder plus its one-module light separator, clipped at the symbol edge.
    private mutating func drawFinder(centerRow: Int, centerColumn: Int) {
        for dr in -4...4 {
            for dc in -4...4 {
                let row = centerRow + dr, column = centerColumn + dc
                guard (0..<size).contains(row), (0..<size).contains(column) else { continue }
                let ring = max(abs(dr), abs(dc))
                setFunction(row, column, ring != 2 && ring != 4)
            }
        }
    }

    private mutating func drawAlignment(centerRow: Int, centerColumn: Int) {
        for dr in -2...2 {
            for dc in -2...2 { setFunction(centerRow + dr, centerColumn + dc, max(abs(dr), abs(dc)) != 1) }
        }
    }

    /// Writes the 15 format bits twice (around the top-left finder, and split between the other two)
    /// plus the always-dark module beside the bottom-left finder.
    mutating func drawFormatInformation(_ bits: Int) {
        func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
        for i in 0...5 { setFunction(i, 8, bit(i)) }
        setFunction(7, 8, bit(6))
        setFunction(8, 8, bit(7))
        setFunction(8, 7, bit(8))
        for i in 9..<15 { setFunction(8, 14 - i, bit(i)) }
        for i in 0..<8 { setFunction(8, size - 1 - i, bit(i)) }
        for i in 8..<15 { setFunction(size - 15 + i, 8, bit(i)) }
        setFunction(size - 8, 8, true)
    }

    private mutating func drawVersionInformation() {
        guard version >= 7 else { return }
        let bits = QRSymbolBuilder.versionInformation(version: version)
        for i in 0..<18 {
            let isDark = (bits >> i) & 1 == 1
            let near = i / 3, far = size - 11 + i % 3
            setFunction(far, near, isDark)  // bottom-left block
            setFunction(near, far, isDark)  // top-right block
        }
    }

    // MARK: Data

    /// Places codeword bits in the two-column zigzag from the bottom-right corner, skipping the
    /// vertical timing column; modules left over are the remainder bits and stay light before masking.
    mutating func drawCodewords(_ codewords: [UInt8]) {
        let bitCount = codewords.count * 8
        var index = 0
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            let upward = (right + 1) & 2 == 0
            for step in 0..<size {
                let row = upward ? size - 1 - step : step
                for column in [right, right - 1] where !isFunction[row * size + column] && index < bitCount {
                    dark[row * size + column] = (codewords[index >> 3] >> (7 - (index & 7))) & 1 == 1
                    index += 1
                }
            }
            right -= 2
        }
    }

    /// XOR is its own inverse, so applying the same mask twice restores the symbol.
    mutating func applyMask(_ mask: Int) {
        for row in 0..<size {
            for column in 0..<size where !isFunction[row * size + column] && QRSymbolBuilder.maskInverts(mask, row: row, column: column) {
                dark[row * size + column].toggle()
            }
        }
    }

    /// The eight data mask conditions of ISO/IEC 18004 table 10 (i = row, j = column).
    static func maskInverts(_ mask: Int, row i: Int, column j: Int) -> Bool {
        switch mask {
        case 0: (i + j) % 2 == 0
        case 1: i % 2 == 0
        case 2: j % 3 == 0
        case 3: (i + j) % 3 == 0
        case 4: (i / 2 + j / 3) % 2 == 0
        case 5: (i * j) % 2 + (i * j) % 3 == 0
        case 6: ((i * j) % 2 + (i * j) % 3) % 2 == 0
        default: ((i + j) % 2 + (i * j) % 3) % 2 == 0
        }
    }

    /// Tries all eight masks with their format information and keeps the lowest penalty (first on ties).
    mutating func applyBestMask(correction: QRCode.Correction) -> Int {
        var best = (mask: 0, penalty: Int.max)
        for mask in 0..<8 {
            applyMask(mask)
            drawFormatInformation(QRSymbolBuilder.formatInformation(correction: correction, mask: mask))
            let penalty = QRMaskPenalty.score(dark, size: size)
            if penalty < best.penalty { best = (mask, penalty) }
            applyMask(mask)
        }
        apply(mask: best.mask, correction: correction)
        return best.mask
    }

    mutating func apply(mask: Int, correction: QRCode.Correction) {
        applyMask(mask)
        drawFormatInformation(QRSymbolBuilder.formatInformation(correction: correction, mask: mask))
    }

    // MARK: BCH-protected information

    /// 5 data bits (level, mask) + BCH(15,5) remainder with generator 0x537, XOR 0x5412 so it is never all light.
    static func formatInformation(correction: QRCode.Correction, mask: Int) -> Int {
        let data = correction.formatBits << 3 | mask
        var remainder = data
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        return (data << 10 | remainder) ^ 0x5412
    }

    /// 6 version bits + BCH(18,6) remainder with generator 0x1F25 (versions 7 and up only).
    static func versionInformation(version: Int) -> Int {
        var remainder = version
        for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
        return version << 12 | remainder
    }
}

/// The mask evaluation of ISO/IEC 18004 §7.8.3: lower is better for scanners.
enum QRMaskPenalty {
    static func score(_ dark: [Bool], size: Int) -> Int {
        var total = 0
        var line = [Bool](repeating: false, count: size)
        for i in 0..<size {
            for j in 0..<size { line[j] = dark[i * size + j] }
            total += linePenalty(line)
            for j in 0..<size { line[j] = dark[j * size + i] }
            total += linePenalty(line)
        }
        // N2: each 2×2 block of one colour.
        for row in 0..<(size - 1) {
            for column in 0..<(size - 1) {
                let index = row * size + column, colour = dark[index]
                if dark[index + 1] == colour, dark[index + size] == colour, dark[index + size + 1] == colour { total += 3 }
            }
        }
        // N4: 10 points for each full 5 % step the dark share strays beyond 45–55 %.
        var darkCount = 0
        for isDark in dark where isDark { darkCount += 1 }
        let cells = size * size
        let steps = (abs(darkCount * 20 - cells * 10) + cells - 1) / cells - 1
        return total + max(0, steps) * 10
    }

    /// N1 (runs of five or more of one colour) and N3 (1:1:3:1:1 finder look-alikes with four light
    /// modules on either side) along one row or column. Outside the symbol counts as light: it is the quiet zone.
    static func linePenalty(_ line: [Bool]) -> Int {
        let size = line.count
        var penalty = 0
        var runLength = 1
        for i in 1...size {
            if i < size, line[i] == line[i - 1] {
                runLength += 1
            } else {
                if runLength >= 5 { penalty += 3 + runLength - 5 }
                runLength = 1
            }
        }
        func isLight(_ range: Range<Int>) -> Bool {
            for i in range where i >= 0 && i < size && line[i] { return false }
            return true
        }
        for start in 0..<max(0, size - 6)
        where line[start] && !line[start + 1] && line[start + 2] && line[start + 3] && line[start + 4] && !line[start + 5] && line[start + 6] {
            if isLight(start - 4..<start) || isLight(start + 7..<start + 11) { penalty += 40 }
        }
        return penalty
    }
}
