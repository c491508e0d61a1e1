import Foundation
import Testing
@testable import YixianCore

@Suite("Tabular: xlsx reader and writer")
struct TabularXLSXTests {
    /// A workbook assembled by hand, shaped like what Excel and WPS write.
    static func handmadeWorkbook(sheetXML: String, sharedStrings: String? = nil, styles: String? = nil, date1904: Bool = false,
                                 omit: Set<String> = [], dataFirst: Bool = false) throws -> Data {
        let ns = #"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#
        let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        var parts: [(path: String, data: Data)] = [
            ("_rels/.rels", #"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="\#(rel)/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
            ("xl/workbook.xml", #"<?xml version="1.0" encoding="UTF-8"?><workbook \#(ns)><workbookPr\#(date1904 ? #" date1904="1""# : "")/><sheets>\#(dataFirst ? #"<sheet name="学生" sheetId="1" r:id="rId1"/><sheet name="说明" sheetId="2" r:id="rId2"/>"# : #"<sheet name="说明" sheetId="2" r:id="rId2"/><sheet name="学生" sheetId="1" r:id="rId1"/>"#)</sheets></workbook>"#),
            ("xl/_rels/workbook.xml.rels", #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="\#(rel)/worksheet" Target="/xl/worksheets/data.xml"/><Relationship Id="rId2" Type="\#(rel)/worksheet" Target="worksheets/readme.xml"/><Relationship Id="rId3" Type="\#(rel)/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId4" Type="\#(rel)/styles" Target="styles.xml"/></Relationships>"#),
            ("xl/worksheets/data.xml", #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet \#(ns)><sheetData>\#(sheetXML)</sheetData></worksheet>"#),
            ("xl/worksheets/readme.xml", #"<worksheet \#(ns)><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>请填写第二个工作表</t></is></c></row></sheetData></worksheet>"#),
        ].map { ($0.0, Data($0.1.utf8)) }
        if let sharedStrings { parts.append(("xl/sharedStrings.xml", Data(#"<sst \#(ns)>\#(sharedStrings)</sst>"#.utf8))) }
        if let styles { parts.append(("xl/styles.xml", Data(#"<styleSheet \#(ns)>\#(styles)</styleSheet>"#.utf8))) }
        return try XLSXWriter.archive(parts.filter { !omit.contains($0.path) })
    }

    @Test func readsAHandcraftedWorkbookAsExcelShowsIt() throws {
        // setup: shared strings (one rich text with a pinyin guide), a custom and a built-in date format,
        // a zero-padded format, sparse cells, a numeric student number in E notation, formulas, errors
        let strings = #"<si><t>学号</t></si><si><t>姓名</t></si><si><r><rPr><b/></rPr><t>欧阳</t></r><r><t xml:space="preserve">娜娜 </t></r><rPh sb="0" eb="2"><t>ōuyáng</t></rPh></si><si><t>00123</t></si><si><t>A &amp; B &lt;c&gt;</t></si>"#
        let styles = #"<numFmts count="2"><numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/><numFmt numFmtId="177" formatCode="000000"/></numFmts><cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="176" applyNumberFormat="1"/><xf numFmtId="177" applyNumberFormat="1"/></cellXfs>"#
        let sheet = """
        <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="inlineStr"><is><t>入学日期</t></is></c><c r="E1" t="str"><f>"备"&amp;"注"</f><v>备注</v></c></row>
        <row r="2"><c r="A2"><v>2.024010203E9</v></c><c r="B2" t="s"><v>2</v></c><c r="C2" s="1"><v>45536</v></c><c r="D2" t="b"><v>1</v></c><c r="E2" t="e"><f>VLOOKUP(A2,X:Y,2,0)</f><v>#N/A</v></c></row>
        <row r="5"><c r="A5" t="s"><v>3</v></c><c r="C5" s="2"><v>45658</v></c></row>
        <row r="6"><c r="A6" s="3"><v>42</v></c><c r="B6"><f>1/3</f><v>0.33333333333333331</v></c><c r="C6" t="s"><v>4</v></c></row>
        <row r="7"><c r="B7" s="1"/></row>
        """
        let data = try Self.handmadeWorkbook(sheetXML: sheet, sharedStrings: strings, styles: styles)
        // act
        let records = try XLSXReader.readRecords(from: data, sheetName: "学生")
        // check
        #expect(records == [
            ["学号", "姓名", "入学日期", "", "备注"],
            ["2024010203", "欧阳娜娜 ", "2024-09-01", "TRUE", "#N/A"],
            [],
            [],
            ["00123", "", "2025-01-01"],
            ["000042", "0.333333333333333", "A & B <c>"],
        ])
        #expect(try XLSXReader.sheetNames(in: data) == ["说明", "学生"])
        #expect(try XLSXReader.readRecords(from: data) == [["请填写第二个工作表"]])
    }

    @Test func aSheetReadInSlicesGivesTheSameRecordsAsReadWhole() throws {
        // setup: gaps, empty rows (self-closing, with empty cells), rows without numbers, empty rows at the end
        let cell = { (ref: String, text: String) in #"<c r="\#(ref)" t="inlineStr"><is><t>\#(text)</t></is></c>"# }
        let sheets = [
            (1...40).map { #"<row r="\#($0)">\#(cell("A\($0)", "a\($0)"))\#(cell("C\($0)", "c\($0)"))</row>"# }.joined(),
            #"<row r="1">\#(cell("A1", "h"))</row><row r="4"/><row r="5"><c r="B5"/></row><row r="7">\#(cell("B7", "x"))</row><row>\#(cell("A8", "y"))</row><row r="12"/><row r="13"><c r="A13"/></row>"#,
            #"<row r="2">\#(cell("A2", "late start"))</row><row r="3"></row>"#,
            "",
        ]
        for sheet in sheets {
            let data = try Self.handmadeWorkbook(sheetXML: sheet, dataFirst: true)
            let whole = try XLSXReader.readRecords(from: data)
            for limit in [1, 2, 3, 7, 100] {
                // act
                var stream = try XLSXReader.rowStream(from: data)
                var sliced: [[String]] = []
                while !stream.isDone { sliced += try stream.next(limit: limit) }
                // check
                #expect(sliced == whole, "limit \(limit): \(sheet.prefix(80))")
                #expect(stream.estimatedCount == whole.count)
            }
        }
        // Rows out of order are legal but never written by Excel: the stream gives up, the whole read merges them.
        let backwards = #"<row r="3">\#(cell("A3", "three"))</row><row r="2">\#(cell("A2", "two"))</row>"#
        let data = try Self.handmadeWorkbook(sheetXML: backwards, dataFirst: true)
        #expect(try XLSXReader.readRecords(from: data) == [[], ["two"], ["three"]])
        var stream = try XLSXReader.rowStream(from: data)
        #expect(throws: SheetRowStream.OutOfOrder.self) { while !stream.isDone { _ = try stream.next(limit: 10) } }
    }

    @Test func cellsWithoutReferencesFollowOneAnother() throws {
        // setup: some writers omit r= on rows and cells
        let sheet = #"<row><c t="inlineStr"><is><t>a</t></is></c><c t="inlineStr"><is><t>b</t></is></c></row><row><c><v>1</v></c><c r="D2"><v>4</v></c><c><v>5</v></c></row>"#
        // act
        let records = try XLSXReader.readRecords(from: try Self.handmadeWorkbook(sheetXML: sheet), sheetName: "学生")
        // check
        #expect(records == [["a", "b"], ["1", "", "", "4", "5"]])
    }

    @Test func date1904WorkbooksShiftTheEpoch() throws {
        // setup: serial 0 in the 1904 system is 1904-01-01
        let styles = #"<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs>"#
        let sheet = #"<row r="1"><c r="A1" s="1"><v>0</v></c><c r="B1" s="1"><v>366.5</v></c></row>"#
        // act
        let records = try XLSXReader.readRecords(from: try Self.handmadeWorkbook(sheetXML: sheet, styles: styles, date1904: true), sheetName: "学生")
        // check
        #expect(records == [["1904-01-01", "1905-01-01"]])
    }

    @Test func excelSerialDatesFollowThe1900System() {
        // check: Excel's own table, including the fictitious 1900-02-29 (serial 60)
        #expect(XLSXReader.formatSerial(1, kind: .date, date1904: false) == "1900-01-01")
        #expect(XLSXReader.formatSerial(59, kind: .date, date1904: false) == "1900-02-28")
        #expect(XLSXReader.formatSerial(60, kind: .date, date1904: false) == "1900-02-29")
        #expect(XLSXReader.formatSerial(61, kind: .date, date1904: false) == "1900-03-01")
        #expect(XLSXReader.formatSerial(45658.75, kind: .dateTime, date1904: false) == "2025-01-01 18:00:00")
        #expect(XLSXReader.formatSerial(0.5, kind: .time, date1904: false) == "12:00:00")
        #expect(XLSXWriter.serial(of: LocalDate(year: 2025, month: 1, day: 1)!) == 45658)
    }

    @Test func customFormatsAreClassified() {
        // check
        #expect(XLSXStyles.classify("yyyy/m/d") == .date)
        #expect(XLSXStyles.classify("[$-804]yyyy\"年\"m\"月\"d\"日\";@") == .date)
        #expect(XLSXStyles.classify("h:mm:ss") == .time)
        #expect(XLSXStyles.classify("yyyy-mm-dd hh:mm") == .dateTime)
        #expect(XLSXStyles.classify("0.00_);[Red](0.00)") == .number)
        #expect(XLSXStyles.classify("\"第\"0\"名\"") == .number)
        #expect(XLSXStyles.classify("General") == .number)
        #expect(XLSXStyles.classify("00000") == .zeroPadded(5))
    }

    @Test func writtenWorkbooksReadBackCellForCell() throws {
        // setup: the awkward cases — leading zeros, long numbers as text, XML metacharacters,
        // an OOXML escape lookalike, a control character, newlines, gaps, dates, real numbers
        let students = XLSXWorksheet(name: "学生名单", header: ["学号", "姓名", "备注", "入学", "分数"], rows: [
            ["00123", "张三", "A & B <c> \"d\"", .date(LocalDate(year: 2024, month: 9, day: 1)!), .number(95.5)],
            ["2024010203", "  前后空格 ", "_x0041_ 与 \u{0B} 控制符", "", .number(-3)],
            ["2024010204", "欧阳娜娜", "第一行\n第二行", "", .number(1e20)],
        ])
        let units = XLSXWorksheet(name: "单位/部门?", header: ["代码"], rows: [["CS"], ["=1+1"]])
        // act
        let data = try XLSXWriter.write([students, units])
        let names = try XLSXReader.sheetNames(in: data)
        let first = try XLSXReader.readRecords(from: data)
        let second = try XLSXReader.readRecords(from: data, sheetName: names[1])
        // check
        #expect(data.starts(with: [0x50, 0x4B, 0x03, 0x04]))
        #expect(names == ["学生名单", "单位_部门_"])
        #expect(first == [
            ["学号", "姓名", "备注", "入学", "分数"],
            ["00123", "张三", "A & B <c> \"d\"", "2024-09-01", "95.5"],
            ["2024010203", "  前后空格 ", "_x0041_ 与 \u{0B} 控制符", "", "-3"],
            ["2024010204", "欧阳娜娜", "第一行\n第二行", "", "1e+20"],
        ])
        #expect(second == [["代码"], ["CS"], ["=1+1"]])
        #expect(try XLSXWriter.write([students, units]) == data)
    }

    @Test func writerBoldsTheHeaderAndSizesColumns() throws {
        // setup
        let sheet = XLSXWorksheet(name: "S", header: ["学号", "姓名"], rows: [["2024010203", "一个很长很长很长的名字"]])
        var strings = SharedStringTable()
        // act
        let xml = XLSXWriter.worksheetXML(sheet, strings: &strings)
        // check
        #expect(xml.contains(#"<c r="A1" s="1" t="s">"#))
        #expect(xml.contains(#"<c r="A2" s="3" t="s">"#))
        #expect(xml.contains(#"<col min="2" max="2" width="24" customWidth="1"/>"#))
        #expect(XLSXWriter.stylesXML.contains("<b/>"))
    }

    @Test func cellsLongerThanExcelAllowsAreRefused() throws {
        // setup
        let sheet = XLSXWorksheet(name: "备注", header: ["说明"], rows: [["短"], [.text(String(repeating: "长", count: XLSXWriter.maxCellLength + 1))]])
        // act
        let error = #expect(throws: TabularError.self) { try XLSXWriter.write([sheet]) }
        // check
        #expect(error?.code == .writeFailed)
        #expect(error?.reason.en.contains("A3") == true)
    }

    @Test func notAZipIsRefused() throws {
        // setup: zip magic followed by garbage
        let data = Data([0x50, 0x4B, 0x03, 0x04]) + Data(repeating: 0x41, count: 500)
        // act
        let error = #expect(throws: TabularError.self) { try XLSXReader.readRecords(from: data) }
        // check
        #expect(error?.code == .notZip)
    }

    @Test func aZipWithoutWorkbookIsRefusedByName() throws {
        // setup
        let data = try Self.handmadeWorkbook(sheetXML: "", omit: ["xl/workbook.xml"])
        // act
        let error = #expect(throws: TabularError.self) { try XLSXReader.readRecords(from: data) }
        // check
        #expect(error?.code == .missingPart)
        #expect(error?.reason.en.contains("xl/workbook.xml") == true)
    }

    @Test func unknownSheetNameListsTheSheets() throws {
        // setup
        let data = try Self.handmadeWorkbook(sheetXML: "")
        // act
        let error = #expect(throws: TabularError.self) { try XLSXReader.readRecords(from: data, sheetName: "教师") }
        // check
        #expect(error?.code == .sheetNotFound)
        #expect(error?.reason.zh.contains("说明、学生") == true)
    }

    @Test func aZipBombStopsAtTheLimit() throws {
        // setup: 30 MB of one repeated cell deflates to a few tens of kilobytes
        let row = #"<row><c t="inlineStr"><is><t>xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx</t></is></c></row>"#
        let sheet = String(repeating: row, count: 30_000_000 / row.utf8.count)
        let data = try Self.handmadeWorkbook(sheetXML: sheet)
        #expect(data.count < 1_000_000)
        // act
        let error = #expect(throws: TabularError.self) {
            try XLSXReader.readRecords(from: data, sheetName: "学生", limits: XLSXLimits(maxUncompressedBytes: 10_000_000))
        }
        // check
        #expect(error?.code == .tooLarge)
    }

    @Test func farAwayCellsHitTheRowAndColumnLimits() throws {
        // setup: one cell at XFD1 and one at A1048576 would allocate a huge grid
        let wide = try Self.handmadeWorkbook(sheetXML: #"<row r="1"><c r="XFD1"><v>1</v></c></row>"#)
        let tall = try Self.handmadeWorkbook(sheetXML: #"<row r="1048576"><c r="A1048576"><v>1</v></c></row>"#)
        let limits = XLSXLimits(maxRows: 10_000, maxColumns: 100)
        // act
        let wideError = #expect(throws: TabularError.self) { try XLSXReader.readRecords(from: wide, sheetName: "学生", limits: limits) }
        let tallError = #expect(throws: TabularError.self) { try XLSXReader.readRecords(from: tall, sheetName: "学生", limits: limits) }
        // check
        #expect(wideError?.code == .tooManyColumns)
        #expect(tallError?.code == .tooManyRows)
    }

    @Test func damagedXMLNamesThePart() throws {
        // setup
        let data = try Self.handmadeWorkbook(sheetXML: #"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"#)
        // act
        let error = #expect(throws: TabularError.self) { try XLSXReader.readRecords(from: data, sheetName: "学生") }
        // check
        #expect(error?.code == .malformedXML)
        #expect(error?.reason.en.contains("xl/worksheets/data.xml") == true)
    }

    @Test func scannerDecodesEntitiesCDATAAndPrefixes() throws {
        // setup
        let xml = #"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><!-- note --><x:t a='1 &amp; 2'>&#x4E2D;&#25991;&e;<![CDATA[<raw>&amp;]]></x:t>"#
        var scanner = XMLScanner(bytes: Array(xml.utf8), part: "test")
        var texts: [String] = []
        var tag: XMLScanner.StartTag?
        // act
        while let token = try scanner.next() {
            switch token {
            case .start(let start): tag = start
            case .text(let range, let isCDATA): texts.append(scanner.decode(range, isCDATA: isCDATA))
            case .end: break
            }
        }
        // check
        #expect(tag?.name == "t")
        #expect(tag?.attribute("a") == "1 & 2")
        #expect(texts.joined() == "中文&e;<raw>&amp;")
    }
}
