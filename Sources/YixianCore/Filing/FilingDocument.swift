import Foundation

/// Where a filed document stands: the unit drafts and submits it, the office returns it with a
/// comment or approves it; only an approved document is a filing the policy counts.
public enum FilingDocumentStatus: String, Sendable, CaseIterable, Codable {
    case draft, submitted, returned, approved

    public var label: Localized {
        switch self {
        case .draft: Localized(zh: "草稿", en: "Draft")
        case .submitted: Localized(zh: "已提交，待审核", en: "Submitted, awaiting review")
        case .returned: Localized(zh: "已退回修改", en: "Returned for changes")
        case .approved: Localized(zh: "已审核通过", en: "Approved")
        }
    }

    /// The unit may still change the text.
    public var editable: Bool { self == .draft || self == .returned }
}

/// A document's text as people type it in a text box: a line starting 一、 … 十、 is a heading, a
/// line starting with `|` is a table row (the first row of a run is its header), anything else a
/// paragraph. The same text prints on A4 and becomes a .docx, so what the secretary edits is
/// exactly what is filed.
public enum FilingText {
    static let headingMarks = ["一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、", "九、", "十、"]

    public static func blocks(title: String, subtitle: String?, body: String) -> [DOCXBlock] {
        var blocks: [DOCXBlock] = [.title(title)]
        if let subtitle { blocks.append(.subtitle(subtitle)) }
        var table: [[String]] = []
        func flush() {
            guard let header = table.first else { return }
            blocks.append(.table(header: header, rows: Array(table.dropFirst())))
            table = []
        }
        for raw in body.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty else { continue }
            if line.hasPrefix("|") {
                var cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                cells.removeFirst()
                if cells.last?.isEmpty == true { cells.removeLast() }
                table.append(cells)
                continue
            }
            flush()
            blocks.append(headingMarks.contains(where: line.hasPrefix) ? .heading(line) : .paragraph(line))
        }
        flush()
        return blocks
    }

    /// Table rows as the text writes them; a `|` inside a cell becomes the full-width ｜.
    public static func table(header: [String], rows: [[String]]) -> String {
        ([header] + rows).map { row in "| " + row.map { $0.replacingOccurrences(of: "|", with: "｜").replacingOccurrences(of: "\n", with: " ") }
            .joined(separator: " | ") + " |" }.joined(separator: "\n")
    }
}

/// A document drafted from the data — the unit's arrangement plan, its semester summary, the
/// school's report to the party committee — for a person to finish. What only a person can write
/// is left as a 【…】 prompt; everything else comes from the ledger, the pairings, the policy's
/// verdicts and the cases.
public struct FilingDraft: Hashable, Sendable {
    public var title: String
    public var body: String

    public init(title: String, body: String) {
        self.title = title
        self.body = body
    }

    /// The share of the text already written when the draft is made: everything outside 【…】 prompts.
    public var filledShare: Double {
        var prompt = 0, total = 0, inside = false
        for character in body where !character.isWhitespace {
            total += 1
            if character == "【" { inside = true }
            if inside { prompt += 1 }
            if character == "】" { inside = false }
        }
        return total == 0 ? 0 : Double(total - prompt) / Double(total)
    }

    /// True while a 【…】 prompt is left in the text: the person has not finished it.
    public static func hasPrompt(_ text: String) -> Bool {
        guard let open = text.firstIndex(of: "【") else { return false }
        return text[open...].contains("】")
    }

    /// 工作安排: each cadre, the collectives they link this term, and what the policy asks of them.
    public static func arrangementPlan(unitName: String, termName: String, range: DateRange, deadlines: [(title: String, due: LocalDate)],
                                       cadres: [CadreDossier]) -> FilingDraft {
        let title = "\(unitName)\(termName)领导干部深入基层联系学生工作安排"
        var lines: [String] = []
        lines.append("为贯彻落实领导干部深入基层联系学生工作制度，结合本单位实际，现将\(termName)（\(range.start.chinese)至\(range.end.chinese)）工作安排如下。")
        lines.append("一、联系安排")
        // 在岗干部 means 领导干部: staff of rank `staff` (辅导员 …) who hold pairings are listed in the table but counted apart.
        let leaders = cadres.filter(\.cadre.isCadre), staff = cadres.count - leaders.count
        let linked = leaders.filter { !$0.collectives.isEmpty }
        lines.append("本单位在岗干部 \(leaders.count) 名，其中 \(linked.count) 名已结对联系学生集体，共联系学生集体 \(Set(cadres.flatMap { $0.collectives.map(\.code) }).count) 个"
                     + (staff > 0 ? "（另有无职级教职工 \(staff) 名参与联系）。" : "。"))
        lines.append(FilingText.table(header: ["干部", "职务", "联系的学生集体"], rows: cadres.filter { $0.cadre.isCadre || !$0.collectives.isEmpty }.map { dossier in
            [dossier.cadre.name, dossier.cadre.posts.joined(separator: "、"),
             dossier.collectives.isEmpty ? "—" : dossier.collectives.map { "\($0.name)（\($0.pairing.zh)）" }.joined(separator: "、")]
        }))
        let unlinked = leaders.filter { $0.collectives.isEmpty }.map(\.cadre.name)
        if !unlinked.isEmpty { lines.append("尚未结对的干部：\(unlinked.joined(separator: "、"))，本学期内完成结对。") }
        lines.append("二、工作要求")
        let requirements = requirementRows(cadres)
        if requirements.isEmpty {
            lines.append("工作规定对本单位干部本学期无量化要求。")
        } else {
            lines.append("按学校工作规定，本学期对本单位干部的量化要求如下：")
            lines.append(FilingText.table(header: ["要求", "期间", "每期至少", "适用干部"], rows: requirements))
        }
        lines.append("干部每次联系学生后及时在“一线”记录台账，注明联系对象、方式和学生反映的问题；学生反映的问题按规定时限办理答复。")
        lines.append("三、时间安排")
        if deadlines.isEmpty {
            lines.append("本单位按学校通知报送工作安排和工作总结。")
        } else {
            for deadline in deadlines.sorted(by: { $0.due < $1.due }) { lines.append("\(deadline.title)：\(deadline.due.chinese)前报送。") }
        }
        lines.append("四、本单位特色安排")
        lines.append("【请填写本单位结合实际的特色做法（可删去本节）】")
        return FilingDraft(title: title, body: lines.joined(separator: "\n"))
    }

    /// 工作总结: what was done, against the policy, the problems students raised and how they were
    /// answered (the problem list the summary must contain), what fell short.
    public static func semesterSummary(unit: UnitDossier, cadres: [CadreDossier]) -> FilingDraft {
        let title = "\(unit.unit.name)\(unit.periodName.zh)领导干部深入基层联系学生工作总结"
        let records = unit.cadres.reduce(0) { $0 + $1.records }, personTimes = unit.cadres.reduce(0) { $0 + $1.personTimes }
        var lines: [String] = []
        lines.append("一、基本情况")
        lines.append(unit.narrative.zh)
        var kinds: [String: (records: Int, personTimes: Int)] = [:]
        for dossier in cadres { for kind in dossier.kinds {
            kinds[kind.label.zh, default: (0, 0)].records += kind.records
            kinds[kind.label.zh]!.personTimes += kind.personTimes
        } }
        if !kinds.isEmpty {
            lines.append("全体干部共联系学生 \(records) 次、\(personTimes) 人次，按方式统计如下：")
            lines.append(FilingText.table(header: ["联系方式", "次数", "人次"], rows: kinds.sorted { ($1.value.records, $0.key) < ($0.value.records, $1.key) }
                .map { [$0.key, String($0.value.records), String($0.value.personTimes)] }))
        }
        lines.append("二、落实情况")
        lines.append(FilingText.table(header: UnitDossier.cadreHeader, rows: unit.cadreRows))
        let unitRules = unit.rules.filter { !$0.advisory }
        if !unitRules.isEmpty {
            lines.append("单位层面要求：" + unitRules.map { "\($0.title)（\($0.period.zh)）\($0.status.label.zh)" }.joined(separator: "；") + "。")
        }
        lines.append("三、学生反映问题及办理情况")
        // What the unit was given to answer and what its cadres collected from students, once each.
        var seen = Set<String>()
        let problems = (unit.problems + cadres.flatMap(\.problems)).filter { seen.insert($0.number).inserted }
            .sorted { ($0.receivedOn, $0.number) < ($1.receivedOn, $1.number) }
        if problems.isEmpty {
            lines.append("本学期本单位干部未收集到、本单位也未承办学生反映的问题。")
        } else {
            let answered = problems.count { $0.answeredOn != nil }, late = problems.count { $0.onTime(asOf: unit.asOf) == false }
            lines.append("本学期本单位干部收集和本单位承办的学生反映问题共 \(problems.count) 个，已答复 \(answered) 个，逾期 \(late) 个。问题清单如下：")
            lines.append(FilingText.table(header: ["编号", "问题", "类别", "收到", "答复", "状态", "学生评价"], rows: problems.map { p in
                [p.number, p.title, p.category.zh, p.receivedOn.iso, p.answeredOn?.iso ?? "—", p.status.zh, p.rating?.zh ?? "—"]
            }))
        }
        lines.append("四、存在的不足")
        var shortfalls: [String] = []
        let behind = unit.cadres.filter { !$0.missed.isEmpty }
        if !behind.isEmpty {
            shortfalls.append("\(behind.count) 名干部有未完成事项：" + behind.map { "\($0.cadre.name)（\($0.missed.joined(separator: "、"))）" }.joined(separator: "；") + "。")
        }
        let unitMissed = unitRules.filter { $0.status == .missed }
        if !unitMissed.isEmpty { shortfalls.append("单位层面未完成：" + unitMissed.map { "“\($0.title)”" }.joined(separator: "、") + "。") }
        if !unit.uncovered.isEmpty {
            shortfalls.append("尚无干部联系的学生集体 \(unit.uncovered.count) 个：" + unit.uncovered.map(\.name).joined(separator: "、") + "。")
        }
        let late = problems.filter { $0.onTime(asOf: unit.asOf) == false }
        if !late.isEmpty { shortfalls.append("逾期答复的学生问题 \(late.count) 个：" + late.map(\.number).joined(separator: "、") + "。") }
        lines.append(contentsOf: shortfalls.isEmpty ? ["本学期各项要求均已落实，未发现明显不足。"] : shortfalls)
        lines.append("五、下一步工作打算")
        lines.append("【请填写下一步工作打算】")
        return FilingDraft(title: title, body: lines.joined(separator: "\n"))
    }

    /// The office's report to the party committee (党委会每学期听取 1 次报告): school-wide figures, the
    /// units behind, problems students raised that reached the school, good practice.
    public static func partyCommitteeReport(periodName: Localized, units: [UnitDossier], escalated: [CadreDossier.ProblemLine],
                                            practices: [String]) -> FilingDraft {
        let title = "关于\(periodName.zh)领导干部深入基层联系学生工作情况的报告"
        let cadres = units.flatMap(\.cadres)
        var tally = ComplianceTally()
        for unit in units { let t = unit.tally; tally.met += t.met; tally.missed += t.missed; tally.atRisk += t.atRisk }
        let records = cadres.reduce(0) { $0 + $1.records }, personTimes = cadres.reduce(0) { $0 + $1.personTimes }
        let cases = units.reduce(into: UnitDossier.Cases()) { sum, unit in
            sum.received += unit.cases.received; sum.answered += unit.cases.answered; sum.answeredOnTime += unit.cases.answeredOnTime
            sum.overdue += unit.cases.overdue; sum.satisfied += unit.cases.satisfied
        }
        var lines: [String] = ["校党委："]
        lines.append("现将\(periodName.zh)全校领导干部深入基层联系学生工作情况报告如下。")
        lines.append("一、总体情况")
        lines.append("全校 \(units.count) 个单位、在岗干部 \(cadres.count) 名，共记录联系学生 \(records) 次、\(personTimes) 人次。"
            + "干部个人要求已完成 \(tally.met) 项、未完成 \(tally.missed) 项、有风险 \(tally.atRisk) 项。"
            + "各单位承办学生反映问题 \(cases.received) 个，已答复 \(cases.answered) 个，按期答复 \(cases.answeredOnTime) 个，逾期 \(cases.overdue) 个，学生评价满意 \(cases.satisfied) 个。")
        lines.append(FilingText.table(header: ["单位", "干部", "联系次数", "人次", "已完成", "未完成", "有风险", "未覆盖集体"], rows: units.map { unit in
            let t = unit.tally
            return [unit.unit.name, String(unit.cadres.count), String(unit.cadres.reduce(0) { $0 + $1.records }),
                    String(unit.cadres.reduce(0) { $0 + $1.personTimes }), String(t.met), String(t.missed), String(t.atRisk), String(unit.uncovered.count)]
        }))
        lines.append("二、落实不到位的单位")
        let behind = units.filter { $0.tally.missed > 0 || $0.rules.contains { !$0.advisory && $0.status == .missed } }
            .sorted { ($1.tally.missed, $0.unit.name) < ($0.tally.missed, $1.unit.name) }
        if behind.isEmpty {
            lines.append("各单位均已落实工作规定的要求。")
        } else {
            for unit in behind {
                let names = unit.cadres.filter { !$0.missed.isEmpty }.map(\.cadre.name)
                let own = unit.rules.filter { !$0.advisory && $0.status == .missed }.map { "“\($0.title)”" }
                var text = "\(unit.unit.name)：未完成 \(unit.tally.missed) 项"
                if !names.isEmpty { text += "，涉及干部 \(names.joined(separator: "、"))" }
                if !own.isEmpty { text += "；单位层面未完成 \(own.joined(separator: "、"))" }
                lines.append(text + "。")
            }
        }
        lines.append("三、学生反映并报送学校的问题")
        if escalated.isEmpty {
            lines.append("本期无报送学校层面协调解决的学生问题。")
        } else {
            lines.append(FilingText.table(header: ["编号", "问题", "类别", "收到", "答复", "状态"], rows: escalated.map { p in
                [p.number, p.title, p.category.zh, p.receivedOn.iso, p.answeredOn?.iso ?? "—", p.status.zh]
            }))
        }
        lines.append("四、典型经验")
        lines.append(practices.isEmpty ? "本期尚未评选典型经验。" : practices.joined(separator: "；") + "。")
        lines.append("五、下一步工作建议")
        lines.append("【请填写下一步工作建议】")
        return FilingDraft(title: title, body: lines.joined(separator: "\n"))
    }

    /// The policy's requirements on the cadres, one row per rule: its period, the least asked per
    /// period, and how many of the cadres it binds.
    static func requirementRows(_ cadres: [CadreDossier]) -> [[String]] {
        struct Requirement { var line: CadreDossier.RuleLine; var periods: Set<String>; var cadres: Set<String> }
        var byRule: [String: Requirement] = [:], order: [String] = []
        for dossier in cadres {
            for line in dossier.rules where !line.advisory {
                if byRule[line.ruleID] == nil { order.append(line.ruleID); byRule[line.ruleID] = Requirement(line: line, periods: [], cadres: []) }
                byRule[line.ruleID]!.periods.insert(line.period.zh)
                byRule[line.ruleID]!.cadres.insert(dossier.cadre.staffNumber)
                byRule[line.ruleID]!.line.required = max(byRule[line.ruleID]!.line.required, line.required)
            }
        }
        return order.compactMap { byRule[$0] }.map { r in
            [r.line.title, r.periods.count == 1 ? r.line.period.zh : "共 \(r.periods.count) 期",
             CadreDossier.number(r.line.required) + r.line.unit.zh, "\(r.cadres.count) 名"]
        }
    }
}
