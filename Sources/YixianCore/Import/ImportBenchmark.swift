import Foundation
import XMLCoder

/// Times export and validated re-import of a synthetic student roster, as .xlsx and as CSV,
/// and compares the hand-written worksheet scanner with XMLCoder on the same sheet.
/// Wired to `yixian bench import`.
public enum ImportBenchmark {
    public static func run(students count: Int) -> String {
        let units = (1...20).map { Unit(code: String(format: "U%02d", $0), name: "第\($0)学院", kind: .college) }
        let classCount = max(1, count / 30)
        let collectives = (0..<classCount).map { i in
            Collective(code: String(format: "C%05d", i), name: "\(2021 + i % 4)级\(i)班", kind: .class,
                       unitCode: units[i % units.count].code, grade: 2021 + i % 4, size: 30)
        }
        let surnames = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
        let givenNames = Array("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华")
        let students = (0..<count).map { i in
            let collective = collectives[i % classCount]
            let name = String(surnames[i % surnames.count]) + String(givenNames[(i / 7) % givenNames.count]) + String(givenNames[(i / 3) % givenNames.count])
            return Student(studentNumber: String(format: "2024%06d", i), name: name, unitCode: collective.unitCode, collectiveCodes: [collective.code])
        }
        let knownUnits = Set(units.map(\.code)), knownCollectives = Set(collectives.map(\.code))

        var lines = ["import benchmark: \(count) students, \(classCount) collectives"]
        func measure<T>(_ label: String, bytes: Int? = nil, _ body: () throws -> T) -> T? {
            let clock = ContinuousClock()
            let start = clock.now
            do {
                let result = try body()
                let seconds = Double((clock.now - start).components.attoseconds) / 1e18 + Double((clock.now - start).components.seconds)
                let rate = seconds > 0 ? Int(Double(count) / seconds) : 0
                let size = bytes.map { String(format: ", %.1f MB", Double($0) / 1_000_000) } ?? ""
                let padded = label.padding(toLength: 34, withPad: " ", startingAt: 0)
                lines.append("  " + padded + String(format: "%8.3f s  %9d rows/s", seconds, rate) + size)
                return result
            } catch {
                lines.append("  \(label): failed: \(error)")
                return nil
            }
        }

        guard let xlsx = measure("write xlsx", { try RosterExport.xlsx(students) }),
              let csv = measure("write csv", { RosterExport.csv(students) }) else { return lines.joined(separator: "\n") }
        let xlsxReport = measure("parse+validate xlsx", bytes: xlsx.count) {
            try RosterImport.parse(data: xlsx, fileName: "students.xlsx", kind: Student.self, knownUnits: knownUnits, knownCollectives: knownCollectives)
        }
        let csvReport = measure("parse+validate csv", bytes: csv.count) {
            try RosterImport.parse(data: csv, fileName: "students.csv", kind: Student.self, knownUnits: knownUnits, knownCollectives: knownCollectives)
        }
        let gbk = try? TabularText.encodeGB18030(String(decoding: csv.dropFirst(3), as: UTF8.self))
        if let gbk {
            _ = measure("parse+validate csv (GBK)", bytes: gbk.count) {
                try RosterImport.parse(data: gbk, fileName: "students.csv", kind: Student.self, knownUnits: knownUnits, knownCollectives: knownCollectives)
            }
        }
        lines.append("  valid rows: xlsx \(xlsxReport?.rows.count ?? 0), csv \(csvReport?.rows.count ?? 0); issues: \((xlsxReport?.issues.count ?? 0) + (csvReport?.issues.count ?? 0))")

        // The same worksheet XML through both parsers, to justify the hand-written scanner.
        if let package = try? XLSXPackage(data: xlsx, limits: XLSXLimits()), let sheet = try? package.part("xl/worksheets/sheet1.xml"),
           let strings = try? package.part("xl/sharedStrings.xml").map(XLSXReader.parseSharedStrings) {
            _ = measure("sheet XML: hand-written scanner", bytes: sheet.count) {
                var reader = SheetReader(sharedStrings: strings, styles: XLSXStyles(), date1904: false, limits: XLSXLimits())
                return try reader.read(XMLScanner(bytes: sheet, part: "sheet1.xml")).count
            }
            _ = measure("sheet XML: XMLCoder decode", bytes: sheet.count) {
                try XMLDecoder().decode(BenchWorksheet.self, from: Data(sheet)).sheetData.row.count
            }
        }
        return lines.joined(separator: "\n")
    }

    private struct BenchWorksheet: Decodable {
        struct Cell: Decodable { var r: String?; var t: String?; var s: String?; var v: String? }
        struct Row: Decodable { var r: String?; var c: [Cell] }
        struct SheetData: Decodable { var row: [Row] }
        var sheetData: SheetData
    }
}
