import Testing
@testable import YixianCore

@Suite("QR code: data encoding and Reed–Solomon")
struct QRCodeEncodingTests {
    // MARK: GF(256) and Reed–Solomon

    @Test func galoisFieldWrapsAtThePrimitivePolynomialAndEveryElementHasAnInverse() {
        // setup: α⁸ = α⁴ + α³ + α² + 1 = 0x1D under x⁸ + x⁴ + x³ + x² + 1
        let alphaToEight = QRGaloisField.exponents[8]
        // act
        let inverses = (1...255).map { a in
            QRGaloisField.multiply(UInt8(a), QRGaloisField.exponents[255 - QRGaloisField.logarithms[a]])
        }
        // check
        #expect(alphaToEight == 0x1D)
        #expect(inverses.allSatisfy { $0 == 1 })
        #expect(Set(QRGaloisField.exponents.prefix(255)).count == 255, "α must generate every nonzero element")
    }

    @Test func generatorPolynomialsMatchThePublishedExponents() {
        // setup: thonky.com "Generator polynomial tool", coefficients after the leading α⁰ as powers of α
        let published: [Int: [Int]] = [
            7: [87, 229, 146, 149, 238, 102, 21],
            10: [251, 67, 46, 61, 118, 70, 64, 94, 32, 45],
        ]
        for (degree, exponents) in published {
            // act
            let generator = QRReedSolomon.generator(degree: degree)
            // check
            #expect(generator.map { QRGaloisField.logarithms[Int($0)] } == exponents, "degree \(degree)")
        }
    }

    @Test func helloWorldVersion1MediumErrorCorrectionMatchesThonkyTutorial() {
        // setup: the data codewords of "HELLO WORLD" as 1-M (alphanumeric mode) from thonky.com's QR tutorial
        let data: [UInt8] = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17]
        // act
        let ec = QRReedSolomon.errorCorrection(for: data, degree: 10)
        // check
        #expect(ec == [196, 35, 39, 119, 235, 215, 231, 226, 93, 23])
    }

    @Test func everyCodewordHasZeroSyndromes() {
        // setup: pseudo-random blocks at the error-correction lengths QR uses
        var state: UInt32 = 12345
        for degree in [7, 10, 13, 17, 22, 26, 30] {
            let data = (0..<(20 + degree)).map { _ -> UInt8 in
                state = state &* 1_103_515_245 &+ 12345
                return UInt8(truncatingIfNeeded: state >> 16)
            }
            // act
            let codeword = data + QRReedSolomon.errorCorrection(for: data, degree: degree)
            var corrupted = codeword
            corrupted[3] ^= 0x40
            // check: evaluation at the generator's roots, a different computation from the division
            #expect((0..<degree).allSatisfy { QRCodeTestDecoder.syndrome(codeword, at: $0) == 0 }, "degree \(degree)")
            #expect((0..<degree).contains { QRCodeTestDecoder.syndrome(corrupted, at: $0) != 0 })
        }
    }

    // MARK: Data codewords and blocks

    @Test func byteModeBitStreamIsWorkedOutByHand() {
        // setup: "AB" = 0x41 0x42 in version 1-M (16 data codewords)
        // 0100 | 00000010 | 01000001 | 01000010 | 0000 → 0100 0000  0010 0100  0001 0100  0010 0000
        let expectedHead: [UInt8] = [0x40, 0x24, 0x14, 0x20]
        // act
        let codewords = QRCode.dataCodewords(Array("AB".utf8), version: 1, correction: .medium)
        // check: then the pad codewords alternate 0xEC 0x11 to the end
        #expect(codewords.count == 16)
        #expect(Array(codewords.prefix(4)) == expectedHead)
        #expect(Array(codewords.dropFirst(4)) == (0..<12).map { $0 % 2 == 0 ? 0xEC : 0x11 })
    }

    @Test func byteCapacitiesMatchTheStandardTable() {
        // setup: ISO/IEC 18004 table 7, byte mode, L/M/Q/H
        let table: [Int: [Int]] = [
            1: [17, 14, 11, 7], 2: [32, 26, 20, 14], 3: [53, 42, 32, 24], 4: [78, 62, 46, 34],
            5: [106, 84, 60, 44], 6: [134, 106, 74, 58], 7: [154, 122, 86, 64], 8: [192, 152, 108, 84],
            9: [230, 180, 130, 98], 10: [271, 213, 151, 119], 20: [858, 666, 482, 382], 40: [2953, 2331, 1663, 1273],
        ]
        for (version, capacities) in table {
            // act
            let computed = QRCode.Correction.allCases.map { QRCode.byteCapacity(version: version, correction: $0) }
            // check
            #expect(computed == capacities, "version \(version)")
        }
    }

    @Test func totalCodewordsMatchTheStandardTable() {
        // setup: ISO/IEC 18004 table 1, total codewords per version
        let table = [1: 26, 2: 44, 3: 70, 4: 100, 5: 134, 6: 172, 7: 196, 8: 242, 9: 292, 10: 346, 14: 581, 27: 1828, 40: 3706]
        // act / check
        for (version, total) in table { #expect(QRCodeTables.totalCodewords(version: version) == total, "version \(version)") }
    }

    @Test func blocksSplitShortFirstAsInTheStandard() {
        // setup: ISO/IEC 18004 table 9 — 5-Q is 2×(33,15) + 2×(34,16); 10-H is 6×(43,15) + 2×(44,16)
        let cases: [(Int, QRCode.Correction, [Int])] = [
            (1, .low, [19]),
            (5, .quartile, [15, 15, 16, 16]),
            (10, .high, Array(repeating: 15, count: 6) + [16, 16]),
            (7, .medium, [31, 31, 31, 31]),
        ]
        for (version, correction, lengths) in cases {
            let data = [UInt8](repeating: 0, count: QRCodeTables.dataCodewords(version: version, correction: correction))
            // act
            let blocks = QRCode.dataBlocks(data, version: version, correction: correction)
            // check
            #expect(blocks.map(\.count) == lengths, "\(version)-\(correction.rawValue)")
        }
    }

    @Test func interleavingTakesOneCodewordFromEachBlockInTurn() throws {
        // setup: 5-Q, data codewords numbered 0…61 so their position tells which block they came from
        let data = (0..<62).map { UInt8($0) }
        // act
        let stream = QRCode.interleavedWithErrorCorrection(data, version: 5, correction: .quartile)
        // check: blocks start at 0, 15, 30, 46; the two long blocks alone supply the last data column
        #expect(stream.count == 134)
        #expect(Array(stream.prefix(8)) == [0, 15, 30, 46, 1, 16, 31, 47])
        #expect(Array(stream[56..<60]) == [14, 29, 44, 60])
        #expect(Array(stream[60..<62]) == [45, 61])
        let firstBlockEC = QRReedSolomon.errorCorrection(for: Array(data[0..<15]), degree: 18)
        #expect(stream[62] == firstBlockEC[0])
        #expect(stream[66] == firstBlockEC[1])
    }

    // MARK: Choosing a version

    @Test func smallestVersionThatHoldsTheTextIsChosen() throws {
        // setup
        let capacity = QRCode.byteCapacity(version: 1, correction: .medium)
        let fits = String(repeating: "a", count: capacity)
        // act
        let small = try QRCode.encode(fits, correction: .medium)
        let larger = try QRCode.encode(fits + "a", correction: .medium)
        let confirmationURL = try QRCode.encode("https://yixian.example.edu.cn/c/ABCD2345", correction: .medium)
        // check
        #expect(small.version == 1 && small.size == 21)
        #expect(larger.version == 2 && larger.size == 25)
        #expect(confirmationURL.version == 3, "40 bytes: over 2-M's 26, within 3-M's 42")
    }

    @Test func utf8TextIsMeasuredInBytes() throws {
        // setup: 5 Chinese characters are 15 UTF-8 bytes — over 1-M's 14
        let text = "一线确认码"
        // act
        let qr = try QRCode.encode(text, correction: .medium)
        // check
        #expect(Array(text.utf8).count == 15)
        #expect(qr.version == 2)
        #expect(try QRCodeTestDecoder.decode(qr).bytes == Array(text.utf8))
    }

    @Test func textBeyondTheLargestAllowedVersionIsRefusedWithTheLimit() {
        // setup
        let capacity = QRCode.byteCapacity(version: 10, correction: .high)
        let text = String(repeating: "x", count: capacity + 1)
        // act / check
        let error = #expect(throws: QRCodeError.self) { try QRCode.encode(text, correction: .high, versions: 1...10) }
        #expect(error?.code == .tooLong)
        #expect(error?.reason.en.contains("\(capacity + 1) bytes") == true)
        #expect(error?.reason.en.contains("at most \(capacity) bytes") == true)
        #expect(error?.reason.zh.contains("\(capacity)") == true)
        #expect(throws: Never.self) { try QRCode.encode(String(text.dropLast()), correction: .high, versions: 1...10) }
    }

    @Test func textBeyondVersion40IsRefused() {
        // setup
        let text = String(repeating: "x", count: QRCode.byteCapacity(version: 40, correction: .low) + 1)
        // act / check
        let error = #expect(throws: QRCodeError.self) { try QRCode.encode(text, correction: .low) }
        #expect(error?.code == .tooLong)
    }

    @Test func invalidVersionsAndMasksAreRefused() {
        // act / check
        #expect(throws: QRCodeError.unsupportedVersions(0...5)) { try QRCode.encode("x", versions: 0...5) }
        #expect(throws: QRCodeError.unsupportedVersions(1...41)) { try QRCode.encode("x", versions: 1...41) }
        #expect(throws: QRCodeError.unsupportedMask(8)) { try QRCode.encode("x", mask: 8) }
        #expect(throws: QRCodeError.unsupportedMask(-1)) { try QRCode.encode("x", mask: -1) }
    }

    @Test func restrictingVersionsForcesALargerSymbol() throws {
        // act
        let qr = try QRCode.encode("https://h/c/ABCD2345", correction: .low, versions: 7...10)
        // check
        #expect(qr.version == 7)
        #expect(try QRCodeTestDecoder.decode(qr).bytes == Array("https://h/c/ABCD2345".utf8))
    }

    // MARK: Round trip

    @Test(arguments: [1...10, 11...25, 26...34, 35...40])
    func everyVersionAtFullCapacityReadsBack(versions: ClosedRange<Int>) throws {
        for version in versions {
            // setup: levels rotate so each meets versions of every size; the most bytes the symbol holds,
            // with every byte value represented
            let correction = QRCode.Correction.allCases[version % 4]
            let bytes = (0..<QRCode.byteCapacity(version: version, correction: correction)).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ version) }
            // act
            let qr = try QRCode.encode(bytes: bytes, correction: correction, versions: version...version)
            let decoded = try QRCodeTestDecoder.decode(qr)
            // check
            #expect(qr.version == version)
            #expect(decoded.correction == correction && decoded.mask == qr.mask)
            #expect(decoded.bytes == bytes, "\(version)-\(correction.rawValue)")
            #expect(decoded.blocksWithErrors == 0, "\(version)-\(correction.rawValue)")
        }
    }

    @Test func versions1To10ReadBackAtEveryLevel() throws {
        for version in 1...10 {
            for correction in QRCode.Correction.allCases {
                // setup: one byte past the previous version's capacity forces exactly this version
                let previous = version == 1 ? 0 : QRCode.byteCapacity(version: version - 1, correction: correction)
                let text = String(String(repeating: "https://yixian.example.edu.cn/c/ABCD2345?", count: 10).prefix(previous + 1))
                // act
                let qr = try QRCode.encode(text, correction: correction)
                let decoded = try QRCodeTestDecoder.decode(qr)
                // check
                #expect(qr.version == version, "\(version)-\(correction.rawValue)")
                #expect(decoded.bytes == Array(text.utf8))
                #expect(decoded.blocksWithErrors == 0)
            }
        }
    }

    @Test func shortConfirmationURLsReadBackAtEveryLevel() throws {
        for correction in QRCode.Correction.allCases {
            for code in ["ABCD2345", "ZZZZ9999", "K7P9XM2Q"] {
                // setup
                let url = "https://yixian.example.edu.cn/c/\(code)"
                // act
                let decoded = try QRCodeTestDecoder.decode(try QRCode.encode(url, correction: correction))
                // check
                #expect(String(decoding: decoded.bytes, as: UTF8.self) == url)
                #expect(decoded.blocksWithErrors == 0)
            }
        }
    }

    @Test func emptyTextStillMakesAValidSymbol() throws {
        // act
        let qr = try QRCode.encode("", correction: .high)
        // check
        #expect(qr.version == 1)
        #expect(try QRCodeTestDecoder.decode(qr).bytes.isEmpty)
    }
}
