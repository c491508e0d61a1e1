@testable import YixianCore

/// Reads a symbol back the way a scanner does once it has sampled the grid, so tests can check what
/// the encoder wrote. Format bits and placement order are read from the standard's description,
/// not from the encoder's writing code; the function-pattern map and the mask formulas are shared.
enum QRCodeTestDecoder {
    struct Decoded {
        var correction: QRCode.Correction
        var mask: Int
        var bytes: [UInt8]
        /// Nonzero syndromes per block; all zero when every Reed–Solomon block is a valid codeword.
        var blocksWithErrors: Int
        /// Data modules beyond the last full codeword (remainder bits).
        var remainderBits: Int
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Copy 1, most significant bit first: row 8 columns 0–5, 7, 8, then column 8 rows 7, 5, 4 … 0.
    static func formatBitsNearTopLeft(_ m: [[Bool]]) -> Int {
        let cells = (0...5).map { (8, $0) } + [(8, 7), (8, 8), (7, 8)] + [5, 4, 3, 2, 1, 0].map { ($0, 8) }
        return cells.reduce(0) { $0 << 1 | (m[$1.0][$1.1] ? 1 : 0) }
    }

    /// Copy 2, most significant bit first: column 8 from the bottom row up (7 bits), then row 8 columns size−8 … size−1.
    static func formatBitsSplit(_ m: [[Bool]]) -> Int {
        let size = m.count
        let cells = (0..<7).map { (size - 1 - $0, 8) } + (0..<8).map { (8, size - 8 + $0) }
        return cells.reduce(0) { $0 << 1 | (m[$1.0][$1.1] ? 1 : 0) }
    }

    /// Data-module positions in reading order: two-column strips from the right, up then down, skipping column 6.
    static func dataPositions(version: Int) -> [(row: Int, column: Int)] {
        let layout = QRSymbolBuilder(version: version)
        let size = layout.size
        var positions: [(row: Int, column: Int)] = []
        var column = size - 1
        var upward = true
        while column > 0 {
            if column == 6 { column = 5 }
            let rows: [Int] = upward ? Array((0..<size).reversed()) : Array(0..<size)
            for row in rows {
                for c in [column, column - 1] where !layout.isFunction[row * size + c] { positions.append((row, c)) }
            }
            upward.toggle()
            column -= 2
        }
        return positions
    }

    static func decode(_ qr: QRCode) throws -> Decoded {
        let m = qr.modules
        let read = formatBitsNearTopLeft(m)
        guard let (correction, mask) = QRCode.Correction.allCases.flatMap({ c in (0..<8).map { (c, $0) } })
            .first(where: { QRSymbolBuilder.formatInformation(correction: $0.0, mask: $0.1) == read }) else {
            throw Failure(description: "no format information matches \(read)")
        }
        let version = (m.count - 17) / 4
        let positions = dataPositions(version: version)
        let total = QRCodeTables.totalCodewords(version: version)
        var codewords = [UInt8](repeating: 0, count: total)
        for (i, p) in positions.prefix(total * 8).enumerated() {
            let bit = m[p.row][p.column] != QRSymbolBuilder.maskInverts(mask, row: p.row, column: p.column)
            if bit { codewords[i / 8] |= UInt8(0x80 >> (i % 8)) }
        }

        // De-interleave: data columns across blocks (short blocks first), then error-correction columns.
        let blockCount = QRCodeTables.blockCount(version: version, correction: correction)
        let ecLength = QRCodeTables.ecCodewordsPerBlock(version: version, correction: correction)
        let dataLength = QRCodeTables.dataCodewords(version: version, correction: correction)
        let lengths = (0..<blockCount).map { dataLength / blockCount + ($0 >= blockCount - dataLength % blockCount ? 1 : 0) }
        var blocks = [[UInt8]](repeating: [], count: blockCount)
        var next = 0
        for i in 0..<lengths.max()! {
            for b in 0..<blockCount where i < lengths[b] { blocks[b].append(codewords[next]); next += 1 }
        }
        for _ in 0..<ecLength {
            for b in 0..<blockCount { blocks[b].append(codewords[next]); next += 1 }
        }
        let blocksWithErrors = blocks.filter { block in (0..<ecLength).contains { syndrome(block, at: $0) != 0 } }.count

        let data = zip(blocks, lengths).flatMap { $0.0.prefix($0.1) }
        return Decoded(correction: correction, mask: mask, bytes: try parseByteMode(data, version: version),
                       blocksWithErrors: blocksWithErrors, remainderBits: positions.count - total * 8)
    }

    /// The codeword polynomial evaluated at αʲ by Horner's rule; zero for every j < ecLength if valid.
    static func syndrome(_ codeword: [UInt8], at j: Int) -> UInt8 {
        let point = QRGaloisField.exponents[j]
        return codeword.reduce(0) { QRGaloisField.multiply($0, point) ^ $1 }
    }

    static func parseByteMode(_ data: [UInt8], version: Int) throws -> [UInt8] {
        var position = 0
        func take(_ count: Int) -> Int {
            var value = 0
            for _ in 0..<count {
                value = value << 1 | Int((data[position / 8] >> (7 - position % 8)) & 1)
                position += 1
            }
            return value
        }
        guard take(4) == 0b0100 else { throw Failure(description: "not byte mode") }
        let count = take(version <= 9 ? 8 : 16)
        let bytes = (0..<count).map { _ in UInt8(take(8)) }
        // Byte mode leaves the text 4 bits short of a byte boundary: the terminator fills them with zeros.
        while position % 8 != 0 {
            guard take(1) == 0 else { throw Failure(description: "nonzero terminator bit at \(position - 1)") }
        }
        for (i, pad) in data[(position / 8)...].enumerated() where pad != (i % 2 == 0 ? 0xEC : 0x11) {
            throw Failure(description: "pad codeword \(i) is \(pad)")
        }
        return bytes
    }
}
