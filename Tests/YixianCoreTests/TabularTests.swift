import Foundation
import Testing
@testable import YixianCore

@Suite("Tabular: text decoding and CSV")
struct TabularTextTests {
    /// Deterministic pseudo-random bytes (SplitMix64), so a failure can be replayed.
    static func junk(bytes count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> Data {
        var state = seed
        let words = (0..<(count + 7) / 8).map { _ -> UInt64 in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return words.withUnsafeBytes { Data($0.prefix(count)) }
    }

    @Test func utf8WithBOMIsDetectedAndTheBOMDropped() throws {
        // setup
        let text = "学号,姓名\n2024010203,张三\n"
        let data = Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8)
        // act
        let decoded = try TabularText.decode(data)
        // check
        #expect(decoded.encoding == .utf8WithBOM)
        #expect(decoded.text == text)
    }

    @Test func gbkBytesFromExcelAreDecoded() throws {
        // setup: what Excel in China writes for "CSV (逗号分隔)"
        let text = "学号,姓名,所属单位代码\r\n2024010203,欧阳娜娜,CS\r\n"
        let gbk = try TabularText.encodeGB18030(text)
        #expect(gbk != Data(text.utf8))
        #expect(String(data: gbk, encoding: .utf8) == nil)
        // act
        let decoded = try TabularText.decode(gbk)
        // check
        #expect(decoded.encoding == .gb18030)
        #expect(decoded.text == text)
    }

    @Test func gb18030FourByteCharactersRoundTrip() throws {
        // setup: 𠀀 (U+20000) and € need GB18030's four-byte form, absent from plain GBK
        let text = "名字,𠀀€"
        // act
        let decoded = try TabularText.decode(try TabularText.encodeGB18030(text))
        // check
        #expect(decoded.text == text)
    }

    @Test func invalidGBKNamesTheByteOffset() throws {
        // setup: a valid GBK prefix, then a lead byte followed by a byte that cannot trail it
        var bytes = try TabularText.encodeGB18030("学号,姓名\n")
        let badOffset = bytes.count
        bytes.append(contentsOf: [0x81, 0x0A])
        // act
        let error = #expect(throws: TabularError.self) { try TabularText.decode(bytes) }
        // check
        #expect(error?.code == .decoding)
        #expect(error?.reason.en.contains("offset \(badOffset)") == true)
        #expect(error?.reason.zh.contains("第 \(badOffset) 字节") == true)
    }

    @Test func invalidUTF8AfterABOMNamesTheOffset() throws {
        // setup
        let bytes = Data([0xEF, 0xBB, 0xBF]) + Data("ab".utf8) + Data([0xC3, 0x28])
        // act
        let error = #expect(throws: TabularError.self) { try TabularText.decode(bytes) }
        // check
        #expect(error?.reason.en.contains("offset 5") == true)
    }

    @Test func utf16WithBOMIsDecoded() throws {
        // setup: Excel's "Unicode text" export: UTF-16LE, tab-separated
        let text = "学号\t姓名\r\n001\t李四\r\n"
        var data = Data([0xFF, 0xFE])
        for unit in text.utf16 { data.append(contentsOf: [UInt8(unit & 0xFF), UInt8(unit >> 8)]) }
        // act
        let decoded = try TabularText.decode(data)
        let records = CSV.parse(decoded.text)
        // check
        #expect(decoded.encoding == .utf16LE)
        #expect(records == [["学号", "姓名"], ["001", "李四"]])
    }

    @Test func csvReaderHandlesQuotesNewlinesAndBlankLines() {
        // setup
        let text = "a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"line1\nline2\"\n\n1,,3\r\n\r\n\n"
        // act
        let records = CSV.parse(text)
        // check
        #expect(records == [
            ["a", "b", "c"],
            ["x, y", "say \"hi\"", "line1\nline2"],
            [""],  // the blank line in the middle keeps its row number
            ["1", "", "3"],
        ])
        #expect(TabularData(records: records).rows.map(\.number) == [2, 3, 4])
    }

    @Test func csvReaderKeepsALastLineWithoutNewline() {
        // setup / act
        let records = CSV.parse("h1,h2\nv1,\"v2\"")
        // check
        #expect(records == [["h1", "h2"], ["v1", "v2"]])
    }

    @Test func csvWriterAddsBOMQuotesAndGuardsFormulas() throws {
        // setup
        let rows = [["姓名", "备注"], ["=HYPERLINK(\"http://x\")", "a,b"], ["+86 123", "say \"hi\""], ["@SUM(A1)", "two\nlines"], ["-1", " padded "]]
        // act
        let data = CSV.write(rows)
        let text = String(decoding: data.dropFirst(3), as: UTF8.self)
        // check
        #expect(data.starts(with: [0xEF, 0xBB, 0xBF]))
        #expect(text.hasPrefix("姓名,备注\r\n"))
        #expect(text.contains("\"'=HYPERLINK(\"\"http://x\"\")\",\"a,b\""))
        #expect(text.contains("'+86 123,"))
        #expect(text.contains("'@SUM(A1)"))
        let reread = CSV.parse(text).map { $0.map(CSV.restoreNeutralized) }
        #expect(reread == rows)
    }

    @Test func tenMegabytesOfJunkFailFast() throws {
        // setup
        let junk = Self.junk(bytes: 10_000_000)
        let clock = ContinuousClock()
        let start = clock.now
        // act
        let error = #expect(throws: TabularError.self) { try SpreadsheetFile.load(junk) }
        let elapsed = clock.now - start
        // check
        #expect(error?.code == .binaryContent)
        #expect(elapsed < .seconds(3))
    }

    @Test func knownBinaryFormatsAreNamed() throws {
        // setup
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13])
        let xls = Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
        let html = Data("<html><body><table><tr><td>学号</td></tr></table></body></html>".utf8)
        // act
        let pngError = #expect(throws: TabularError.self) { try SpreadsheetFile.load(png) }
        let xlsError = #expect(throws: TabularError.self) { try SpreadsheetFile.load(xls) }
        let htmlError = #expect(throws: TabularError.self) { try SpreadsheetFile.load(html) }
        let emptyError = #expect(throws: TabularError.self) { try SpreadsheetFile.load(Data()) }
        // check
        #expect(pngError?.reason.en.contains("PNG") == true)
        #expect(xlsError?.code == .legacyExcel)
        #expect(htmlError?.code == .htmlTable)
        #expect(emptyError?.code == .emptyFile)
    }

    @Test func tableNumbersRowsAsExcelDoes() {
        // setup
        let records = [["学号", "姓名"], ["1", "甲"], ["2", "乙"]]
        // act
        let table = TabularData(records: records)
        // check
        #expect(table.header == ["学号", "姓名"])
        #expect(table.rows.map(\.number) == [2, 3])
        #expect(table.rows[1][1] == "乙")
        #expect(table.rows[1][5] == "")
        #expect(table.records == records)
    }
}
