import Foundation
import Testing
import YixianCore

@Suite("The academic calendar as a sheet")
struct CalendarSheetTests {
    static let good: [[String]] = [
        CalendarSheet.header,
        ["学年", "2026-2027", "2026—2027学年", "2026-08-24", "2027-08-22", "", ""],
        ["学期", "2026-2027-1", "第一学期", "2026-08-31", "2027-01-17", "2026-2027", ""],
        ["学期", "2026-2027-2", "第二学期", "2027-02-22", "2027-07-11", "2026-2027", ""],
        ["考试周", "", "期末考试周", "2027-01-04", "2027-01-17", "2026-2027-1", ""],
        ["教学礼拜周", "", "教学礼拜周", "2026-11-09", "2026-11-15", "2026-2027-1", "否"],
        ["假期", "", "国庆节", "2026-10-01", "2026-10-07", "2026-2027-1", ""],
        ["", "", "", "", "", "", ""],
    ]

    @Test("a good sheet gives the years, terms, special weeks and vacations, and exports back to itself")
    func roundTrip() throws {
        let result = CalendarSheet.parse(Self.good)
        #expect(result.issues.isEmpty, "\(result.issues)")
        let year = try #require(result.years.first)
        #expect(year.terms.map(\.id) == ["2026-2027-1", "2026-2027-2"])
        let autumn = year.terms[0]
        #expect(autumn.specialWeeks.map(\.kind) == [.exam, .teachingWorship])
        #expect(autumn.specialWeeks[0].excludedFromWeeklyRules, "exam weeks are skipped by weekly rules unless the sheet says otherwise")
        #expect(!autumn.specialWeeks[1].excludedFromWeeklyRules)
        #expect(autumn.vacations == [DateRange(start: LocalDate("2026-10-01")!, end: LocalDate("2026-10-07")!)])
        let again = CalendarSheet.parse(CalendarSheet.rows(result.years))
        #expect(again.issues.isEmpty && again.years == result.years)
    }

    @Test("each bad row is reported with its row and column; overlapping terms and a term outside its year are refused")
    func badRows() {
        var sheet = Self.good
        sheet[2][4] = "2027-02-30"                                           // row 3: impossible date
        sheet.append(["学期", "2026-2027-3", "夏季学期", "2027-07-01", "2027-09-10", "2026-2027", ""])   // row 9: outside the year
        sheet.append(["教学周", "", "x", "2026-09-01", "2026-09-07", "2026-2027-1", ""])               // row 10: unknown kind
        sheet.append(["假期", "", "寒假", "2027-01-20", "2027-02-10", "2026-2027-2", ""])               // row 11: outside its term
        sheet.append(["学年", "2027-2028", "2027—2028学年", "2027-09-01", "2027-08-31", "", ""])       // row 12: end before start
        let result = CalendarSheet.parse(sheet)
        let errors = Set(result.errors.map { "\($0.row):\($0.column)" })
        #expect(errors.isSuperset(of: ["3:结束日期", "9:开始日期", "10:类型", "11:开始日期", "12:结束日期"]), "\(result.errors)")
        #expect(result.errors.allSatisfy { !$0.message.zh.isEmpty && !$0.message.en.isEmpty })

        var overlapping = Self.good
        overlapping[3][3] = "2027-01-10"
        #expect(CalendarSheet.parse(overlapping).errors.map(\.row) == [4], "spring starting inside autumn")
        #expect(CalendarSheet.parse([["名称", "开始"]]).errors.first?.row == 1, "a sheet without the header")
    }

    @Test("a gap between two academic years is a warning, not an error")
    func gap() {
        var sheet = Self.good
        sheet.append(["学年", "2027-2028", "2027—2028学年", "2027-09-01", "2028-08-20", "", ""])
        let result = CalendarSheet.parse(sheet)
        #expect(result.errors.isEmpty)
        #expect(result.issues.filter(\.isWarning).map(\.row) == [9])
    }
}
