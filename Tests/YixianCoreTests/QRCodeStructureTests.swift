import Testing
@testable import YixianCore

@Suite("QR code: symbol structure, format information and masks")
struct QRCodeStructureTests {
    /// ISO/IEC 18004 annex C, table C.1 (as listed by thonky.com): format information after the 0x5412 mask, by level then mask 0…7.
    static let publishedFormatInformation: [QRCode.Correction: [String]] = [
        .low: ["111011111000100", "111001011110011", "111110110101010", "111100010011101",
               "110011000101111", "110001100011000", "110110001000001", "110100101110110"],
        .medium: ["101010000010010", "101000100100101", "101111001111100", "101101101001011",
                  "100010111111001", "100000011001110", "100111110010111", "100101010100000"],
        .quartile: ["011010101011111", "011000001101000", "011111100110001", "011101000000110",
                    "010010010110100", "010000110000011", "010111011011010", "010101111101101"],
        .high: ["001011010001001", "001001110111110", "001110011100111", "001100111010000",
                "000011101100010", "000001001010101", "000110100001100", "000100000111011"],
    ]

    // MARK: Format and version information

    @Test func formatInformationMatchesThePublishedTable() {
        for (correction, row) in Self.publishedFormatInformation {
            for (mask, bits) in row.enumerated() {
                // act
                let computed = QRSymbolBuilder.formatInformation(correction: correction, mask: mask)
                // check
                #expect(computed == Int(bits, radix: 2), "\(correction.rawValue) mask \(mask)")
            }
        }
    }

    @Test func formatCodesAreAtLeastSevenBitsApart() {
        // setup: BCH(15,5) has minimum distance 7, which lets a reader correct 3 bit errors
        let codes = QRCode.Correction.allCases.flatMap { c in (0..<8).map { QRSymbolBuilder.formatInformation(correction: c, mask: $0) } }
        // act
        var closest = Int.max
        for i in codes.indices {
            for j in codes.indices where j > i { closest = min(closest, (codes[i] ^ codes[j]).nonzeroBitCount) }
        }
        // check
        #expect(Set(codes).count == 32)
        #expect(closest >= 7)
    }

    @Test(arguments: [(7, 0x07C94), (8, 0x085BC), (9, 0x09A99), (10, 0x0A4D3), (21, 0x15683), (40, 0x28C69)])
    func versionInformationMatchesTheStandardTable(version: Int, published: Int) {
        // act / check: ISO/IEC 18004 annex D, table D.1
        #expect(QRSymbolBuilder.versionInformation(version: version) == published)
    }

    @Test func bothFormatCopiesCarryTheLevelAndMaskForEveryMask() throws {
        for correction in QRCode.Correction.allCases {
            for mask in 0..<8 {
                // setup
                let row = try #require(Self.publishedFormatInformation[correction])
                let expected = try #require(Int(row[mask], radix: 2))
                // act
                let qr = try QRCode.encode("https://host/c/ABCD2345", correction: correction, mask: mask)
                // check
                #expect(qr.mask == mask)
                #expect(QRCodeTestDecoder.formatBitsNearTopLeft(qr.modules) == expected)
                #expect(QRCodeTestDecoder.formatBitsSplit(qr.modules) == expected)
            }
        }
    }

    @Test(arguments: [7, 10, 25, 40])
    func versionInformationBlocksAreDrawnNextToBothFinders(version: Int) throws {
        // setup
        let qr = try QRCode.encode("v", correction: .low, versions: version...version)
        let m = qr.modules, size = qr.size
        // act: bit i sits at row i/3, column size−11+i%3 (top right) and transposed (bottom left)
        var topRight = 0, bottomLeft = 0
        for i in (0..<18).reversed() {
            topRight = topRight << 1 | (m[i / 3][size - 11 + i % 3] ? 1 : 0)
            bottomLeft = bottomLeft << 1 | (m[size - 11 + i % 3][i / 3] ? 1 : 0)
        }
        // check: the six high bits are the version itself
        #expect(topRight == QRSymbolBuilder.versionInformation(version: version))
        #expect(bottomLeft == topRight)
        #expect(topRight >> 12 == version)
    }

    @Test func symbolsBelowVersion7UseTheVersionAreaForData() {
        // setup
        let layout = QRSymbolBuilder(version: 6)
        // act
        let reserved = (0..<6).flatMap { a in (0..<3).map { b in layout.isFunction[a * layout.size + layout.size - 11 + b] } }
        // check
        #expect(!reserved.contains(true))
    }

    // MARK: Function patterns

    @Test(arguments: [1, 2, 6, 7, 10, 40])
    func findersSeparatorsTimingAndDarkModuleAreInPlace(version: Int) throws {
        // setup
        let qr = try QRCode.encode("a", correction: .medium, versions: version...version)
        let m = qr.modules, size = qr.size
        // act / check: each finder is dark ring, light ring, dark 3×3 core, and a light separator toward the inside
        #expect(size == 17 + 4 * version)
        for (top, left) in [(0, 0), (0, size - 7), (size - 7, 0)] {
            for r in 0..<7 {
                for c in 0..<7 {
                    let ring = max(abs(r - 3), abs(c - 3))
                    #expect(m[top + r][left + c] == (ring != 2), "finder at \(top),\(left): \(r),\(c)")
                }
            }
            let separatorRow = top == 0 ? 7 : size - 8
            let separatorColumn = left == 0 ? 7 : size - 8
            for i in 0..<8 {
                #expect(!m[separatorRow][left == 0 ? i : size - 1 - i])
                #expect(!m[top == 0 ? i : size - 1 - i][separatorColumn])
            }
        }
        // Timing runs between the separators on row 6 and column 6, dark on even indices.
        for i in 8..<(size - 8) {
            #expect(m[6][i] == (i % 2 == 0), "row timing \(i)")
            #expect(m[i][6] == (i % 2 == 0), "column timing \(i)")
        }
        #expect(m[size - 8][8], "the dark module")
    }

    @Test func alignmentPositionsMatchTheStandardTable() {
        // setup: ISO/IEC 18004 annex E, table E.1
        let published: [Int: [Int]] = [
            1: [], 2: [6, 18], 6: [6, 34], 7: [6, 22, 38], 10: [6, 28, 50], 14: [6, 26, 46, 66],
            21: [6, 28, 50, 72, 94], 32: [6, 34, 60, 86, 112, 138], 36: [6, 24, 50, 76, 102, 128, 154],
            40: [6, 30, 58, 86, 114, 142, 170],
        ]
        // act / check
        for (version, positions) in published {
            #expect(QRCodeTables.alignmentPositions(version: version) == positions, "version \(version)")
        }
    }

    @Test(arguments: [2, 7, 10])
    func alignmentPatternsAreDrawnExceptUnderTheFinders(version: Int) throws {
        // setup
        let qr = try QRCode.encode("a", correction: .low, versions: version...version)
        let positions = QRCodeTables.alignmentPositions(version: version)
        let last = qr.size - 7
        let finderCorners: Set<[Int]> = [[6, 6], [6, last], [last, 6]]
        let centres: [(Int, Int)] = positions.flatMap { r in positions.map { (r, $0) } }.filter { !finderCorners.contains([$0.0, $0.1]) }
        // act / check: dark centre, light ring, dark outer ring
        #expect(centres.count == positions.count * positions.count - 3)
        for (r, c) in centres {
            for dr in -2...2 {
                for dc in -2...2 { #expect(qr.modules[r + dr][c + dc] == (max(abs(dr), abs(dc)) != 1), "alignment at \(r),\(c)") }
            }
        }
    }

    @Test func dataModulesLeaveTheStandardRemainderBits() throws {
        // setup: ISO/IEC 18004 table 1, remainder bits by version range
        func remainder(_ version: Int) -> Int {
            switch version {
            case 2...6: 7
            case 14...20, 28...34: 3
            case 21...27: 4
            default: 0
            }
        }
        for version in QRCode.supportedVersions {
            // act: count what the layout leaves free, independently of the module-count formula
            let positions = QRCodeTestDecoder.dataPositions(version: version)
            // check
            #expect(positions.count == QRCodeTables.rawDataModules(version: version))
            #expect(positions.count - QRCodeTables.totalCodewords(version: version) * 8 == remainder(version), "version \(version)")
        }
    }

    // MARK: Masks

    @Test func theChosenMaskHasTheLowestPenaltyOfAllEight() throws {
        for text in ["https://yixian.example.edu.cn/c/ABCD2345", "https://h/c/ZZZZ9999", String(repeating: "一线", count: 40)] {
            // setup
            let penalties = try (0..<8).map { mask in
                let qr = try QRCode.encode(text, correction: .medium, mask: mask)
                return QRMaskPenalty.score(qr.modules.flatMap { $0 }, size: qr.size)
            }
            // act
            let chosen = try QRCode.encode(text, correction: .medium)
            // check: lowest penalty, first one on a tie
            #expect(chosen.mask == penalties.firstIndex(of: penalties.min()!))
        }
    }

    @Test func maskPatternsFollowTheirFormulas() {
        // setup: each condition checked at a few hand-evaluated cells (row, column)
        let darkCells: [Int: [(Int, Int)]] = [
            0: [(0, 0), (1, 1), (2, 4)], 1: [(0, 5), (2, 3)], 2: [(5, 0), (1, 3)], 3: [(1, 2), (4, 5)],
            4: [(0, 0), (1, 2), (2, 3)], 5: [(0, 7), (6, 1)], 6: [(0, 3), (1, 2)], 7: [(0, 0), (1, 3)],
        ]
        let lightCells: [Int: [(Int, Int)]] = [
            0: [(0, 1)], 1: [(1, 0)], 2: [(0, 1)], 3: [(0, 1)], 4: [(0, 3), (2, 0)], 5: [(1, 1)], 6: [(2, 2)], 7: [(0, 1)],
        ]
        for mask in 0..<8 {
            // act / check
            for (r, c) in darkCells[mask]! { #expect(QRSymbolBuilder.maskInverts(mask, row: r, column: c), "mask \(mask) at \(r),\(c)") }
            for (r, c) in lightCells[mask]! { #expect(!QRSymbolBuilder.maskInverts(mask, row: r, column: c), "mask \(mask) at \(r),\(c)") }
        }
    }

    @Test func penaltyOfAnAllLightSymbolAddsUpRuleByRule() {
        // setup: 21×21, all light
        let size = 21
        let grid = [Bool](repeating: false, count: size * size)
        let runs = 2 * size * (3 + (size - 5))        // N1: 42 lines, each one run of 21
        let blocks = (size - 1) * (size - 1) * 3       // N2: every 2×2 block
        let balance = 9 * 10                           // N4: 0 % dark is 50 % off, nine full 5 % steps past 45–55 %
        // act
        let score = QRMaskPenalty.score(grid, size: size)
        // check: no finder look-alike (N3) in a blank symbol
        #expect(score == runs + blocks + balance)
    }

    @Test func finderLookAlikeWithLightSurroundingsCostsForty() {
        // setup: 1011101 at columns 4…10 in an otherwise light line of 21
        let line = (0..<21).map { [4, 6, 7, 8, 10].contains($0) }
        let noSpace = [true, true, true, true] + [true, false, true, true, true, false, true] + [true, true, true, true]
        // act
        let penalty = QRMaskPenalty.linePenalty(line)
        let crowded = QRMaskPenalty.linePenalty(noSpace)
        // check: 40 for the pattern, 3 + 5 for the light run of 10 after it
        #expect(penalty == 40 + 3 + 5)
        // Runs of 5 dark on both sides (3 each) but no light margin: no N3.
        #expect(crowded == 3 + 3)
    }

    @Test func balancedSymbolsHaveNoDarkShareCost() {
        // setup: checkerboard is exactly half dark with no runs, blocks or finder look-alikes
        let size = 21
        let checkerboard = (0..<(size * size)).map { ($0 / size + $0 % size) % 2 == 0 }
        // act / check: 221 of 441 dark is 50.1 %
        #expect(QRMaskPenalty.score(checkerboard, size: size) == 0)
    }
}
