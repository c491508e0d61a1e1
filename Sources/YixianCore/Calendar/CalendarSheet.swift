import Foundation

/// The academic calendar as one sheet a university's 教务处 can fill in Excel: a row per academic
/// year, term, special week or vacation, each child naming its parent's code.
///
/// | 类型 | 代码 | 名称 | 开始日期 | 结束日期 | 所属 | 不计入每周要求 |
/// |---|---|---|---|---|---|---|
/// | 学年 | 2026-2027 | 2026—2027学年 | 2026-08-24 | 2027-08-22 | | |
/// | 学期 | 2026-2027-1 | 第一学期 | 2026-08-31 | 2027-01-17 | 2026-2027 | |
/// | 考试周 | | 期末考试周 | 2027-01-04 | 2027-01-17 | 2026-2027-1 | 是 |
/// | 假期 | | 国庆节 | 2026-10-01 | 2026-10-07 | 2026-2027-1 | |
///
/// Parsing never throws on a bad row: every problem is reported with its row (as Excel numbers
/// it) and column, and the calendar is only taken when there are none.
public enum CalendarSheet {
    public static let header = ["类型", "代码", "名称", "开始日期", "结束日期", "所属", "不计入每周要求"]

    public struct Issue: Hashable, Sendable, Codable {
        /// The row as Excel shows it (the header is row 1); 0 for a problem of the calendar as a whole.
        public var row: Int
        public var column: String
        public var message: Localized
        /// A warning is shown but does not stop the import (a gap between academic years).
        public var isWarning: Bool

        public init(row: Int, column: String, message: Localized, isWarning: Bool = false) {
            self.row = row
            self.column = column
            self.message = message
            self.isWarning = isWarning
        }
    }

    public struct Result: Sendable {
        public var years: [AcademicYear]
        public var issues: [Issue]
        public var errors: [Issue] { issues.filter { !$0.isWarning } }
    }

    enum RowKind: Equatable {
        case year, term, vacation
        case special(SpecialWeek.Kind)

        init?(_ text: String) {
            switch text {
            case "学年", "year": self = .year
            case "学期", "term": self = .term
            case "假期", "vacation": self = .vacation
            case "考试周", "exam": self = .special(.exam)
            case "教学礼拜周", "teaching-worship": self = .special(.teachingWorship)
            case "迎新周", "orientation": self = .special(.orientation)
            case "特殊周", "其他", "other": self = .special(.other)
            default: return nil
            }
        }
    }

    /// `records[0]` is the header row; `records[i]` is Excel's row `i + 1`.
    public static func parse(_ records: [[String]]) -> Result {
        var issues: [Issue] = []
        func fail(_ row: Int, _ column: String, _ zh: String, _ en: String) {
            issues.append(Issue(row: row, column: column, message: Localized(zh: zh, en: en)))
        }
        guard let first = records.first, first.prefix(6).map({ $0.trimmingCharacters(in: .whitespaces) }) == Array(header.prefix(6)) else {
            fail(1, "类型", "第一行应为表头：\(header.joined(separator: "、"))", "Row 1 must be the header: \(header.joined(separator: ", "))")
            return Result(years: [], issues: issues)
        }
        struct Pending { var row: Int; var kind: RowKind; var code: String; var name: String; var range: DateRange; var parent: String; var excluded: Bool }
        var pending: [Pending] = []
        for (index, raw) in records.enumerated().dropFirst() {
            let row = index + 1
            let cells = (0..<header.count).map { $0 < raw.count ? raw[$0].trimmingCharacters(in: .whitespacesAndNewlines) : "" }
            if cells.allSatisfy(\.isEmpty) { continue }
            guard let kind = RowKind(cells[0]) else {
                fail(row, "类型", "类型“\(cells[0])”无效：应为 学年、学期、考试周、教学礼拜周、迎新周、特殊周 或 假期",
                     "Kind \(cells[0]) is not one of 学年, 学期, 考试周, 教学礼拜周, 迎新周, 特殊周, 假期")
                continue
            }
            let start = LocalDate(cells[3]), end = LocalDate(cells[4])
            if start == nil { fail(row, "开始日期", "开始日期“\(cells[3])”不是有效日期（YYYY-MM-DD）", "Start \(cells[3]) is not a date (YYYY-MM-DD)") }
            if end == nil { fail(row, "结束日期", "结束日期“\(cells[4])”不是有效日期（YYYY-MM-DD）", "End \(cells[4]) is not a date (YYYY-MM-DD)") }
            if let start, let end, end < start { fail(row, "结束日期", "结束日期早于开始日期", "The end is before the start") }
            if (kind == .year || kind == .term) && cells[1].isEmpty { fail(row, "代码", "学年和学期须填写代码，如 2026-2027、2026-2027-1", "Years and terms need a code, e.g. 2026-2027-1") }
            if cells[1].count > 40 || cells[1].contains(where: { $0.isWhitespace || $0 == "," }) {
                fail(row, "代码", "代码不能含空格或逗号，最多 40 个字符", "A code has no spaces or commas and at most 40 characters")
            }
            if cells[2].isEmpty { fail(row, "名称", "请填写名称", "The name is required") }
            if cells[2].count > 50 { fail(row, "名称", "名称最多 50 个字符", "The name has at most 50 characters") }
            if kind != .year && cells[5].isEmpty { fail(row, "所属", "请填写所属的学年或学期代码", "Name the year or term it belongs to") }
            let excluded: Bool
            switch cells[6] {
            case "", "否", "no", "false": excluded = false
            case "是", "yes", "true": excluded = true
            default:
                fail(row, "不计入每周要求", "应填“是”或“否”", "Must be 是 or 否")
                excluded = false
            }
            guard let start, let end, start <= end else { continue }
            pending.append(Pending(row: row, kind: kind, code: cells[1], name: cells[2], range: DateRange(start: start, end: end),
                                   parent: cells[5], excluded: kind == .special(.exam) && cells[6].isEmpty ? true : excluded))
        }
        var years: [AcademicYear] = []
        var yearRows: [String: Int] = [:]
        for p in pending where p.kind == .year {
            if yearRows[p.code] != nil { fail(p.row, "代码", "学年代码“\(p.code)”重复", "Year code \(p.code) appears twice"); continue }
            yearRows[p.code] = p.row
            years.append(AcademicYear(id: p.code, name: p.name, range: p.range, terms: []))
        }
        var termRows: [String: Int] = [:]
        var termIndex: [String: (year: Int, term: Int)] = [:]
        for p in pending where p.kind == .term {
            guard let y = years.firstIndex(where: { $0.id == p.parent }) else {
                fail(p.row, "所属", "所属学年“\(p.parent)”不在本表中", "Year \(p.parent) is not in this sheet"); continue
            }
            if termRows[p.code] != nil { fail(p.row, "代码", "学期代码“\(p.code)”重复", "Term code \(p.code) appears twice"); continue }
            termRows[p.code] = p.row
            years[y].terms.append(Term(id: p.code, name: p.name, range: p.range))
            termIndex[p.code] = (y, years[y].terms.count - 1)
        }
        var partRows: [String: [(DateRange, Int)]] = [:]
        for p in pending {
            switch p.kind {
            case .year, .term: continue
            case .vacation, .special:
                guard let (y, t) = termIndex[p.parent] else {
                    fail(p.row, "所属", "所属学期“\(p.parent)”不在本表中", "Term \(p.parent) is not in this sheet"); continue
                }
                let term = years[y].terms[t]
                guard term.range.start <= p.range.start && p.range.end <= term.range.end else {
                    fail(p.row, "开始日期", "\(p.range.start.iso) 至 \(p.range.end.iso) 超出所属学期（\(term.range.start.iso) 至 \(term.range.end.iso)）",
                         "\(p.range.start.iso)–\(p.range.end.iso) lies outside its term (\(term.range.start.iso)–\(term.range.end.iso))"); continue
                }
                if case .special(let kind) = p.kind {
                    years[y].terms[t].specialWeeks.append(SpecialWeek(name: p.name, kind: kind, range: p.range, excludedFromWeeklyRules: p.excluded))
                } else {
                    years[y].terms[t].vacations.append(p.range)
                }
                if let clash = partRows[p.parent, default: []].first(where: { $0.0.overlaps(p.range) }) {
                    issues.append(Issue(row: p.row, column: "开始日期", message: Localized(
                        zh: "与第 \(clash.1) 行的时段重叠，请确认", en: "Overlaps row \(clash.1); please check"), isWarning: true))
                }
                partRows[p.parent, default: []].append((p.range, p.row))
            }
        }
        for index in years.indices { years[index].terms.sort { $0.range.start < $1.range.start } }
        years.sort { $0.range.start < $1.range.start }
        issues += check(years, rows: yearRows.merging(termRows) { a, _ in a })
        return Result(years: years, issues: issues.sorted { ($0.row, $0.isWarning ? 1 : 0) < ($1.row, $1.isWarning ? 1 : 0) })
    }

    /// Terms inside their year, no two terms or years overlapping, and a warning where a year
    /// does not follow on from the one before.
    public static func check(_ years: [AcademicYear], rows: [String: Int] = [:]) -> [Issue] {
        var issues: [Issue] = []
        for year in years {
            for term in year.terms where !(year.range.start <= term.range.start && term.range.end <= year.range.end) {
                issues.append(Issue(row: rows[term.id] ?? 0, column: "开始日期", message: Localized(
                    zh: "学期“\(term.name)”（\(term.range.start.iso) 至 \(term.range.end.iso)）超出学年（\(year.range.start.iso) 至 \(year.range.end.iso)）",
                    en: "Term \(term.name) lies outside its year")))
            }
            for (a, b) in zip(year.terms, year.terms.dropFirst()) where a.range.overlaps(b.range) {
                issues.append(Issue(row: rows[b.id] ?? 0, column: "开始日期", message: Localized(
                    zh: "学期“\(b.name)”与“\(a.name)”时间重叠", en: "Term \(b.name) overlaps \(a.name)")))
            }
        }
        for (a, b) in zip(years, years.dropFirst()) {
            if a.range.overlaps(b.range) {
                issues.append(Issue(row: rows[b.id] ?? 0, column: "开始日期", message: Localized(
                    zh: "学年“\(b.name)”与“\(a.name)”时间重叠", en: "Year \(b.name) overlaps \(a.name)")))
            } else if a.range.end.adding(days: 1) < b.range.start {
                issues.append(Issue(row: rows[b.id] ?? 0, column: "开始日期", message: Localized(
                    zh: "学年“\(a.name)”结束（\(a.range.end.iso)）与“\(b.name)”开始（\(b.range.start.iso)）之间有空档，其间的日期不属于任何学年",
                    en: "There is a gap between \(a.name) and \(b.name): those days belong to no year"), isWarning: true))
            }
        }
        return issues
    }

    /// The calendar as the sheet's rows (header first): exported, it imports unchanged.
    public static func rows(_ years: [AcademicYear]) -> [[String]] {
        var rows = [header]
        for year in years {
            rows.append(["学年", year.id, year.name, year.range.start.iso, year.range.end.iso, "", ""])
            for term in year.terms {
                rows.append(["学期", term.id, term.name, term.range.start.iso, term.range.end.iso, year.id, ""])
                for week in term.specialWeeks {
                    let kind = switch week.kind { case .exam: "考试周"; case .teachingWorship: "教学礼拜周"; case .orientation: "迎新周"; case .other: "特殊周" }
                    rows.append([kind, "", week.name, week.range.start.iso, week.range.end.iso, term.id, week.excludedFromWeeklyRules ? "是" : "否"])
                }
                for (index, vacation) in term.vacations.enumerated() {
                    rows.append(["假期", "", "假期 \(index + 1)", vacation.start.iso, vacation.end.iso, term.id, ""])
                }
            }
        }
        return rows
    }
}
