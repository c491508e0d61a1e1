import Foundation
import Testing
@testable import YixianCore

@Suite("QR code: SVG rendering and confirmation codes")
struct QRCodeRenderingTests {
    /// Paints the path's `M x y h w v1 h-w z` runs back onto a grid.
    static func paint(_ svg: String, extent: Int) throws -> [[Bool]] {
        let d = try #require(svg.range(of: #"d="([^"]*)""#, options: .regularExpression).map { String(svg[$0].dropFirst(3).dropLast()) })
        var grid = Array(repeating: Array(repeating: false, count: extent), count: extent)
        let run = try Regex(#"M(\d+) (\d+)h(\d+)v1h-(\d+)z"#)
        var covered = 0
        for match in d.matches(of: run) {
            let x = Int(match.output[1].substring!)!, y = Int(match.output[2].substring!)!, w = Int(match.output[3].substring!)!
            #expect(Int(match.output[4].substring!)! == w, "each run closes on itself")
            for column in x..<(x + w) { grid[y][column] = true }
            covered += match.output[0].substring!.count
        }
        #expect(covered == d.count, "the path holds nothing but runs")
        return grid
    }

    @Test func svgIsOneCrispPathWithNoExternalReferences() throws {
        // setup
        let qr = try QRCode.encode("https://yixian.example.edu.cn/c/ABCD2345", correction: .medium)
        // act
        let svg = qr.svg(moduleSize: 5, quietZone: 4)
        // check
        let extent = qr.size + 8
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.hasSuffix("</svg>"))
        #expect(svg.contains("viewBox=\"0 0 \(extent) \(extent)\""))
        #expect(svg.contains("width=\"\(extent * 5)\" height=\"\(extent * 5)\""))
        #expect(svg.contains("shape-rendering=\"crispEdges\""))
        #expect(svg.components(separatedBy: "<path").count == 2)
        #expect(!svg.contains("href") && !svg.contains("url(") && !svg.contains("<image") && !svg.contains("<script"))
        #expect(svg.components(separatedBy: "http").count == 2, "only the namespace name, which is never fetched")
        #expect(!svg.contains("\n"))
    }

    @Test(arguments: [0, 1, 4])
    func svgPathPaintsExactlyTheDarkModulesInsideTheQuietZone(quietZone: Int) throws {
        // setup
        let qr = try QRCode.encode("领导干部深入基层联系学生 https://h/c/K7P9XM2Q", correction: .quartile)
        let extent = qr.size + 2 * quietZone
        // act
        let grid = try Self.paint(qr.svg(moduleSize: 3, quietZone: quietZone), extent: extent)
        // check
        for row in 0..<extent {
            for column in 0..<extent {
                let inside = (quietZone..<(quietZone + qr.size))
                let expected = inside.contains(row) && inside.contains(column) && qr.modules[row - quietZone][column - quietZone]
                #expect(grid[row][column] == expected, "\(row),\(column)")
            }
        }
    }

    @Test func svgStaysSmallForAConfirmationURL() throws {
        // setup: merged horizontal runs keep the markup compact enough to inline in every ledger page
        let qr = try QRCode.encode("https://yixian.example.edu.cn/c/ABCD2345", correction: .medium)
        let darkModules = qr.modules.joined().filter { $0 }.count
        // act
        let svg = qr.svg()
        // check: well under one path command per dark module
        #expect(svg.utf8.count < darkModules * 10)
        #expect(svg.utf8.count < 6_000)
    }

    // MARK: Confirmation codes

    private struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func alphabetHasNoLookAlikes() {
        // check
        #expect(ConfirmationCode.alphabet.count == 31)
        #expect(Set(ConfirmationCode.alphabet).count == 31)
        #expect(!ConfirmationCode.alphabet.contains { "01ILO".contains($0) })
    }

    @Test func bytesMapOntoTheAlphabetSkippingBiasedValues() {
        // setup: 0 → "2", 30 → "Z", 31 wraps to "2", 248…255 are skipped
        let bytes: [UInt8] = [0, 248, 30, 255, 31, 1, 9, 10, 100, 247]
        // act
        let code = ConfirmationCode.make(randomBytes: bytes)
        // check: 100 % 31 = 7 → "9"; 247 % 31 = 30 → "Z"; 9 → "B"; 10 → "C"
        #expect(code == "2Z23BC9Z")
    }

    @Test func tooFewUsableBytesGiveNoCode() {
        // act / check
        #expect(ConfirmationCode.make(randomBytes: [1, 2, 3, 4, 5, 6, 7]) == nil)
        #expect(ConfirmationCode.make(randomBytes: [1, 2, 3, 4, 5, 6, 7, 250]) == nil)
    }

    @Test func seededGeneratorsRepeatAndCodesSpreadOverTheAlphabet() {
        // setup
        var first = SplitMix64(state: 42), again = SplitMix64(state: 42), other = SplitMix64(state: 43)
        // act
        let codes = (0..<2_000).map { _ in ConfirmationCode.make(using: &first) }
        let repeated = (0..<2_000).map { _ in ConfirmationCode.make(using: &again) }
        let different = ConfirmationCode.make(using: &other)
        // check
        #expect(codes == repeated)
        #expect(different != codes[0])
        #expect(codes.allSatisfy { $0.count == 8 && $0.allSatisfy(ConfirmationCode.alphabet.contains) })
        #expect(Set(codes).count == codes.count, "2,000 draws from 8.5 × 10¹¹ codes should not collide")
        // 16,000 characters over 31 symbols: about 516 each; a broken mapping would leave some far off.
        let counts = Dictionary(grouping: codes.joined(), by: { $0 }).mapValues(\.count)
        #expect(counts.count == 31)
        #expect(counts.values.allSatisfy { (400...640).contains($0) })
    }

    @Test func typedCodesAreNormalized() {
        // act / check
        #expect(ConfirmationCode.normalize("abcd-2345") == "ABCD2345")
        #expect(ConfirmationCode.normalize(" K7P9 XM2Q ") == "K7P9XM2Q")
        #expect(ConfirmationCode.normalize("ABCD234") == nil, "too short")
        #expect(ConfirmationCode.normalize("ABCD2340") == nil, "0 is not in the alphabet")
        #expect(ConfirmationCode.normalize("ABCDI345") == nil, "I is not in the alphabet")
    }

    @Test func aCodeAndItsURLMakeAScannableSymbol() throws {
        // setup
        var generator = SplitMix64(state: 7)
        let code = ConfirmationCode.make(using: &generator)
        let url = "https://yixian.example.edu.cn/c/\(code)"
        // act
        let qr = try QRCode.encode(url, correction: .medium)
        // check
        #expect(try QRCodeTestDecoder.decode(qr).bytes == Array(url.utf8))
        #expect(ConfirmationCode.normalize(code.lowercased()) == code)
    }
}
