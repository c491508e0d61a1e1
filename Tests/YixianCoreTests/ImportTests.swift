import Foundation
import Testing
@testable import YixianCore

@Suite("Import: roster files")
struct ImportTests {
    static let units: Set<String> = ["CS", "MATH", "XGB"]
    static let collectives: Set<String> = ["CS2401", "CS2402", "DORM-3-201"]

    static func csv(_ lines: [String]) -> Data { Data(lines.joined(separator: "\r\n").utf8) }

    @Test func gbkStudentCSVFromExcelImports() throws {
        // setup
        let text = "学号,姓名,所属单位代码,所在集体代码\r\n2024010203,欧阳娜娜,CS,CS2401、DORM-3-201\r\n2024010204,李雷,CS,CS2402\r\n"
        let data = try TabularText.encodeGB18030(text)
        // act
        let report = try RosterImport.parse(data: data, fileName: "学生名单.csv", kind: Student.self,
                                            knownUnits: Self.units, knownCollectives: Self.collectives)
        // check
        #expect(report.encoding == .gb18030)
        #expect(report.issues.isEmpty)
        #expect(report.rows.map(\.row) == [2, 3])
        #expect(report.values.first == Student(studentNumber: "2024010203", name: "欧阳娜娜", unitCode: "CS", collectiveCodes: ["CS2401", "DORM-3-201"]))
    }

    @Test func cadresWithBOMEnglishHeadersAndFlexibleValues() throws {
        // setup: English headers, a starred required column, posts split three ways, yes/no variants
        let data = Data([0xEF, 0xBB, 0xBF]) + Self.csv([
            "Staff number,Name,*Unit code,Posts,Rank,Party member,Tags",
            "T001,王芳,CS,院长、党委副书记,正处,是,student-work; teaching",
            "T002,张伟,XGB,处长;副书记，主任,deputy-director,0,",
            "T003,刘洋,MATH,副院长,副处级,TRUE,",
        ])
        // act
        let report = try RosterImport.parse(data: data, fileName: "cadres.csv", kind: Cadre.self, knownUnits: Self.units)
        // check
        #expect(report.encoding == .utf8WithBOM)
        #expect(report.issues.isEmpty)
        #expect(report.values == [
            Cadre(staffNumber: "T001", name: "王芳", unitCode: "CS", posts: ["院长", "党委副书记"], rank: .director, partyMember: true,
                  tags: ["student-work", "teaching"]),
            Cadre(staffNumber: "T002", name: "张伟", unitCode: "XGB", posts: ["处长", "副书记", "主任"], rank: .deputyDirector, partyMember: false),
            Cadre(staffNumber: "T003", name: "刘洋", unitCode: "MATH", posts: ["副院长"], rank: .deputyDirector, partyMember: true),
        ])
    }

    @Test func missingColumnRejectsTheFileAndNamesIt() throws {
        // setup: 学号 misspelled, and an extra column
        let data = Self.csv(["学 号码,姓名,所属单位代码,所在集体代码,备注", "2024010203,张三,CS,CS2401,x"])
        // act
        let report = try RosterImport.parse(data: data, fileName: "s.csv", kind: Student.self,
                                            knownUnits: Self.units, knownCollectives: Self.collectives)
        // check
        #expect(report.isFileRejected)
        #expect(report.rows.isEmpty)
        let missing = try #require(report.issues.first { $0.code == .missingColumn })
        #expect(missing.column == "学号")
        #expect(missing.reason.zh.contains("缺少必需的列“学号”"))
        #expect(missing.reason.en.contains("student number"))
        #expect(report.warnings.map(\.column) == ["学 号码", "备注"])
    }

    @Test func unknownColumnsAreWarningsAndHeaderHintsAreIgnored() throws {
        // setup: a title row above the header, hints in brackets, a full-width space inside a header
        let data = Self.csv(["2024级学生名单,,,", "学　号,姓名（必填）,所属单位代码,所在集体代码(多个用、分隔),备注", "2024010203,张三,CS,CS2401,转专业"])
        // act
        let report = try RosterImport.parse(data: data, fileName: "s.csv", kind: Student.self,
                                            knownUnits: Self.units, knownCollectives: Self.collectives)
        // check
        #expect(!report.hasErrors)
        #expect(report.rows.map(\.row) == [3])
        #expect(report.warnings.count == 1)
        #expect(report.warnings.first?.code == .unknownColumn)
        #expect(report.warnings.first?.row == 2)
    }

    @Test func duplicateKeysNameBothRowsAndImportNeither() throws {
        // setup
        let data = Self.csv(["单位代码,单位名称,单位类型", "CS,计算机学院,学院", "MATH,数学学院,学院", "CS,计算机科学与技术学院,院（系）"])
        // act
        let report = try RosterImport.parse(data: data, fileName: "u.csv", kind: Unit.self)
        // check
        #expect(report.values.map(\.code) == ["MATH"])
        let duplicates = report.issues.filter { $0.code == .duplicateKey }
        #expect(duplicates.map(\.row) == [2, 4])
        #expect(duplicates.allSatisfy { $0.reason.zh.contains("第 2、4 行") && $0.reason.en.contains("rows 2, 4") })
    }

    @Test func unitsCarryTheUniversitysOwnOrder() throws {
        // setup: 排序 as the university keeps it; one unit without, one with a bad value
        let data = Self.csv(["单位代码,单位名称,单位类型,排序", "ZZ,党委办公室,党委部门,1", "AA,文学院,学院,3", "MM,数学学院,学院,2",
                             "BB,保卫处,职能部门,", "XX,图书馆,直属单位,第一"])
        // act
        let report = try RosterImport.parse(data: data, fileName: "u.csv", kind: Unit.self)
        // check: the order is the 排序 column's, not the codes'; the unordered unit follows; the bad value is named
        #expect(report.values.sorted(by: Unit.inUniversityOrder).map(\.code) == ["ZZ", "MM", "AA", "BB"])
        #expect(report.issues.map(\.row) == [6])
        #expect(report.issues.first?.column == "排序")
        // A file without the column still imports (the column is optional).
        let plain = try RosterImport.parse(data: Self.csv(["单位代码,单位名称,单位类型", "CS,计算机学院,学院"]), fileName: "u.csv", kind: Unit.self)
        #expect(plain.values.map(\.sortOrder) == [nil])
        #expect(plain.issues.isEmpty)
    }

    @Test func blankLinesAreSkippedSilentlyAndRowNumbersStayTrue() throws {
        // setup: blank lines, one made of full-width spaces, and trailing blank lines
        let data = Self.csv(["单位代码,单位名称,单位类型", "", "CS,计算机学院,学院", "　, ,", "XGB,学生工作部,学生工作部门", "BAD,,学院", "", ""])
        // act
        let report = try RosterImport.parse(data: data, fileName: "u.csv", kind: Unit.self)
        // check
        #expect(report.rows.map(\.row) == [3, 5])
        #expect(report.blankRowCount == 2)
        #expect(report.issues.map(\.row) == [6])
        #expect(report.issues.first?.code == .required)
        #expect(report.issues.first?.column == "单位名称")
    }

    @Test func formulaErrorsAreReportedNotImported() throws {
        // setup
        let data = Self.csv(["学号,姓名,所属单位代码,所在集体代码", "2024010203,#REF!,CS,CS2401", "2024010204,李四,#N/A,CS2401", "2024010205,王五,CS,CS2401"])
        // act
        let report = try RosterImport.parse(data: data, fileName: "s.csv", kind: Student.self,
                                            knownUnits: Self.units, knownCollectives: Self.collectives)
        // check
        #expect(report.values.map(\.studentNumber) == ["2024010205"])
        #expect(report.issues.map(\.code) == [.formulaError, .formulaError])
        #expect(report.issues.map(\.column) == ["姓名", "所属单位代码"])
        #expect(report.issues[1].reason.zh.contains("#N/A"))
    }

    @Test func badEnumValuesListWhatIsAccepted() throws {
        // setup
        let data = Self.csv(["工号,姓名,单位代码,职务,职级,是否党员", "T001,王芳,CS,院长,处长级,也许"])
        // act
        let report = try RosterImport.parse(data: data, fileName: "c.csv", kind: Cadre.self, knownUnits: Self.units)
        // check
        let rank = try #require(report.issues.first { $0.column == "职级" })
        #expect(rank.code == .badValue)
        for accepted in Rank.allCases {
            #expect(rank.reason.zh.contains(accepted.label.zh))
            #expect(rank.reason.en.contains(accepted.rawValue))
        }
        let party = try #require(report.issues.first { $0.column == "是否党员" })
        #expect(party.reason.zh.contains("是、否、true、false、1、0"))
        #expect(report.rows.isEmpty)
    }

    @Test func overLongValuesAndScientificNotationAreCaught() throws {
        // setup
        let longName = String(repeating: "长", count: 101)
        let longCode = String(repeating: "C", count: 65)
        let data = Self.csv(["学号,姓名,所属单位代码,所在集体代码", "2024010203,\(longName),CS,", "\(longCode),张三,CS,", "2.02401E+09,李四,CS,", "2024 0102,王五,CS,"])
        // act
        let report = try RosterImport.parse(data: data, fileName: "s.csv", kind: Student.self, knownUnits: Self.units)
        // check
        #expect(report.rows.isEmpty)
        #expect(report.issues.map(\.code) == [.tooLong, .tooLong, .scientificNotation, .badValue])
        #expect(report.issues[0].reason.zh.contains("101"))
        #expect(report.issues[2].reason.zh.contains("文本"))
    }

    @Test func lengthLimitsCountCharactersNotBytes() throws {
        // setup: 100 three-byte characters are within the 100-character limit, 101 are not
        let data = Self.csv(["学号,姓名,所属单位代码,所在集体代码", "1,\(String(repeating: "长", count: 100)),CS,", "2,\(String(repeating: "长", count: 101)),CS,",
                             "3,\(String(repeating: "é", count: 100)),CS,"])
        // act
        let report = try RosterImport.parse(data: data, fileName: "s.csv", kind: Student.self, knownUnits: Self.units)
        // check
        #expect(report.rows.map(\.row) == [2, 4])
        #expect(report.issues.map(\.code) == [.tooLong])
        #expect(report.issues.first?.row == 3)
    }

    @Test func listSeparatorsMatchTheCharacterSet() {
        // A separator followed by a combining mark is another character and must not split.
        let samples: [Character] = ["、", ";", "；", ",", "，", "a", "。", " ", "\u{3001}\u{301}", ",\u{301}", "\u{FF0C}\u{FE0F}", "e\u{301}", "\u{FE50}", "\u{FE51}"]
        for character in samples {
            #expect(RosterRowReader.isListSeparator(character) == RosterRowReader.listSeparators.contains(character), "\(character.unicodeScalars.map(\.value))")
        }
        #expect(RosterRowReader.looksScientific("2.02401E+09"))
        #expect(RosterRowReader.looksScientific("1.2e+10"))
        #expect(!RosterRowReader.looksScientific("1E203"))
        #expect(!RosterRowReader.looksScientific("2024010203"))
    }

    @Test func referencesMustExistIncludingThoseImportedEarlier() throws {
        // setup: units and collectives come in the same batch, before the students
        let unitFile = Self.csv(["单位代码,单位名称,单位类型", "PHY,物理学院,学院"])
        let collectiveFile = Self.csv(["集体代码,名称,类型,所属单位代码,年级,人数", "PHY2401,物理2401班,班级,PHY,2024级,32人", "PHYCLUB,天文社,社团,PHY,,"])
        let studentFile = Self.csv(["学号,姓名,所属单位代码,所在集体代码", "1,甲,PHY,PHY2401、PHYCLUB", "2,乙,CHEM,PHY2401", "3,丙,PHY,PHY2499"])
        // act
        let units = try RosterImport.parse(data: unitFile, fileName: "u.csv", kind: Unit.self)
        let knownUnits = Self.units.union(units.keys)
        let collectives = try RosterImport.parse(data: collectiveFile, fileName: "c.csv", kind: Collective.self, knownUnits: knownUnits)
        let students = try RosterImport.parse(data: studentFile, fileName: "s.csv", kind: Student.self,
                                              knownUnits: knownUnits, knownCollectives: Self.collectives.union(collectives.keys))
        // check
        #expect(collectives.values == [
            Collective(code: "PHY2401", name: "物理2401班", kind: .class, unitCode: "PHY", grade: 2024, size: 32),
            Collective(code: "PHYCLUB", name: "天文社", kind: .club, unitCode: "PHY", grade: nil, size: 0),
        ])
        #expect(students.values.map(\.studentNumber) == ["1"])
        #expect(students.issues.map(\.code) == [.unknownReference, .unknownReference])
        #expect(students.issues[0].reason.zh.contains("CHEM"))
        #expect(students.issues[1].reason.en.contains("PHY2499"))
    }

    @Test func gradeAndSizeRangesAreChecked() throws {
        // setup
        let data = Self.csv(["集体代码,名称,类型,所属单位代码,年级,人数", "A,甲班,班级,CS,1989,30", "B,乙班,班级,CS,2024,10001", "C,丙班,班级,CS,二〇二四,30", "D,丁班,班级,CS,2100,0"])
        // act
        let report = try RosterImport.parse(data: data, fileName: "c.csv", kind: Collective.self, knownUnits: Self.units)
        // check
        #expect(report.values.map(\.code) == ["D"])
        #expect(report.issues.map(\.code) == [.outOfRange, .outOfRange, .badValue])
        #expect(report.issues[0].reason.zh.contains("1990–2100"))
        #expect(report.issues[1].reason.en.contains("0–10000"))
    }

    @Test func fullWidthAndInvisibleSpacesAreTrimmed() throws {
        // setup: U+3000, NBSP and a zero-width space around values
        let data = Self.csv(["单位代码,单位名称,单位类型", "\u{3000}CS\u{00A0},\u{200B}计算机学院\u{3000}, 学院 "])
        // act
        let report = try RosterImport.parse(data: data, fileName: "u.csv", kind: Unit.self)
        // check
        #expect(report.values == [Unit(code: "CS", name: "计算机学院", kind: .college)])
    }

    @Test func junkAndImagesAreRefusedQuickly() throws {
        // setup
        let junk = TabularTextTests.junk(bytes: 10_000_000, seed: 42)
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + Data(repeating: 7, count: 100)
        let clock = ContinuousClock()
        let start = clock.now
        // act
        let junkError = #expect(throws: TabularError.self) {
            try RosterImport.parse(data: junk, fileName: "students.xlsx", kind: Student.self)
        }
        let elapsed = clock.now - start
        let pngError = #expect(throws: TabularError.self) {
            try RosterImport.parse(data: png, fileName: "students.csv", kind: Student.self)
        }
        // check
        #expect(junkError != nil)
        #expect(elapsed < .seconds(3))
        #expect(pngError?.reason.zh.contains("PNG") == true)
    }

    @Test func contentWinsOverTheFileExtension() throws {
        // setup: a CSV someone renamed to .xlsx
        let data = Self.csv(["单位代码,单位名称,单位类型", "CS,计算机学院,学院"])
        // act
        let report = try RosterImport.parse(data: data, fileName: "units.xlsx", kind: Unit.self)
        // check
        #expect(report.format == .text)
        #expect(report.values.count == 1)
        #expect(report.warnings.first?.code == .fileExtension)
    }

    @Test func xlsxWithNumericStudentNumbersImportsExactly() throws {
        // setup: the student number typed as a number, so Excel stores 2.024010203E9
        let sheet = XLSXWorksheet(name: "学生", header: ["学号", "姓名", "所属单位代码", "所在集体代码"],
                                  rows: [[.number(2_024_010_203), "张三", "CS", "CS2401"], ["00042", "李四", "CS", ""]])
        let data = try XLSXWriter.write([sheet])
        // act
        let report = try RosterImport.parse(data: data, fileName: "s.xlsx", kind: Student.self,
                                            knownUnits: Self.units, knownCollectives: Self.collectives)
        // check
        #expect(report.format == .xlsx)
        #expect(report.issues.isEmpty)
        #expect(report.values.map(\.studentNumber) == ["2024010203", "00042"])
    }

    @Test func theRosterIsFoundBehindAnInstructionsSheet() throws {
        // setup: the first worksheet holds only instructions (说明); the roster is on the second (学生)
        let sheet = #"<row r="1"><c r="A1" t="inlineStr"><is><t>学号</t></is></c><c r="B1" t="inlineStr"><is><t>姓名</t></is></c><c r="C1" t="inlineStr"><is><t>所属单位代码</t></is></c><c r="D1" t="inlineStr"><is><t>所在集体代码</t></is></c></row><row r="2"><c r="A2"><v>2024010203</v></c><c r="B2" t="inlineStr"><is><t>张三</t></is></c><c r="C2" t="inlineStr"><is><t>CS</t></is></c></row>"#
        let data = try TabularXLSXTests.handmadeWorkbook(sheetXML: sheet)
        // act
        let report = try RosterImport.parse(data: data, fileName: "学生.xlsx", kind: Student.self, knownUnits: Self.units)
        // check
        #expect(report.sheetName == "学生")
        #expect(report.values == [Student(studentNumber: "2024010203", name: "张三", unitCode: "CS", collectiveCodes: [])])
        #expect(report.warnings.map(\.code) == [.sheetChosen])
    }

    @Test(arguments: [false, true])
    func exportThenImportGivesBackTheSameRosters(xlsx: Bool) throws {
        // setup: values that stress both formats — leading zeros, a formula-looking name, commas, quotes
        let units = [Unit(code: "CS", name: "计算机学院", kind: .college), Unit(code: "XGB", name: "=学工部\"处\",一", kind: .studentWork),
                     Unit(code: "LEAD", name: "校领导", kind: .leadership), Unit(code: "DW", name: "党委组织部", kind: .partyDepartment)]
        let collectives = [Collective(code: "CS2401", name: "计科2401班", kind: .class, unitCode: "CS", grade: 2024, size: 31),
                           Collective(code: "PB-1", name: "-本科生党支部", kind: .partyBranch, unitCode: "CS", grade: nil, size: 0)]
        let cadres = [Cadre(staffNumber: "000123", name: "王芳", unitCode: "CS", posts: ["院长", "党委副书记"], rank: .director,
                            partyMember: true, tags: ["student-work"]),
                      Cadre(staffNumber: "T9", name: "Li, Lei", unitCode: "LEAD", posts: [], rank: .schoolLeader, partyMember: false)]
        let students = [Student(studentNumber: "2024010203", name: "欧阳娜娜", unitCode: "CS", collectiveCodes: ["CS2401", "PB-1"]),
                        Student(studentNumber: "0024", name: "@张三", unitCode: "CS", collectiveCodes: [])]
        func roundTrip<R: RosterRecord>(_ values: [R], units: Set<String> = [], collectives: Set<String> = []) throws -> ImportReport<R> {
            let data = xlsx ? try RosterExport.xlsx(values) : RosterExport.csv(values)
            return try RosterImport.parse(data: data, fileName: xlsx ? "x.xlsx" : "x.csv", kind: R.self,
                                          knownUnits: units, knownCollectives: collectives)
        }
        // act
        let unitReport = try roundTrip(units)
        let collectiveReport = try roundTrip(collectives, units: unitReport.keys)
        let cadreReport = try roundTrip(cadres, units: unitReport.keys)
        let studentReport = try roundTrip(students, units: unitReport.keys, collectives: collectiveReport.keys)
        // check
        #expect(unitReport.values == units)
        #expect(collectiveReport.values == collectives)
        #expect(cadreReport.values == cadres)
        #expect(studentReport.values == students)
        #expect(unitReport.issues + collectiveReport.issues + cadreReport.issues + studentReport.issues == [])
    }

    @Test func exportUsesTheImportHeaders() {
        // setup / act
        let records = RosterExport.records([Student(studentNumber: "1", name: "甲", unitCode: "CS", collectiveCodes: ["A", "B"])])
        // check
        #expect(records[0] == RosterKind.students.columns.map(\.header))
        #expect(records[1] == ["1", "甲", "CS", "A、B"])
    }

    @Test func benchmarkReportsBothFormats() {
        // act
        let report = ImportBenchmark.run(students: 300)
        // check
        #expect(report.contains("parse+validate xlsx"))
        #expect(report.contains("parse+validate csv"))
        #expect(report.contains("valid rows: xlsx 300, csv 300; issues: 0"))
    }
}
