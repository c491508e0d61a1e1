import Foundation

/// The dossier as the documents an assessor files: a Word document in 公文 style and a workbook,
/// both in Chinese (what goes into the 干部档案 is written in Chinese whatever the reader's screen).
extension CadreDossier {
    public var title: String { "\(cadre.name)同志联系学生工作考核材料" }
    public var subtitle: String { "\(unitName)　\(cadre.posts.joined(separator: "、"))　（\(periodName.zh)）" }

    public static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    public static let ruleHeader = ["要求", "周期", "应完成", "已完成", "结果"]
    public var ruleRows: [[String]] {
        rules.map { line in
            [line.title + (line.advisory ? "（倡导性）" : ""), line.period.zh, Self.number(line.required) + line.unit.zh,
             Self.number(line.achieved) + line.unit.zh, line.status.label.zh]
        }
    }

    public static let tallyHeader = ["类别", "次数", "人次"]
    public static func tallyRows(_ tallies: [Tally]) -> [[String]] { tallies.map { [$0.label.zh, String($0.records), String($0.personTimes)] } }

    public static let collectiveHeader = ["学生集体", "结对方式", "走访次数"]
    public var collectiveRows: [[String]] { collectives.map { [$0.name, $0.pairing.zh, String($0.visits)] } }

    public static let problemHeader = ["编号", "问题", "类别", "收到日期", "答复期限", "答复日期", "状态", "学生评价"]
    public var problemRows: [[String]] {
        problems.map { p in
            [p.number, p.title, p.category.zh, p.receivedOn.iso, p.answerDue.iso, p.answeredOn?.iso ?? "—",
             p.status.zh + (p.onTime(asOf: asOf) == false ? "（逾期）" : ""), p.rating?.zh ?? "—"]
        }
    }

    public static let findingHeader = ["类型", "情况", "核查结论"]
    public var findingRows: [[String]] { findings.map { [$0.kind.zh, $0.reason.zh, $0.verdict?.zh ?? "待核查"] } }

    /// 一、二、… headings with their content; the narrative given (edited) or the drafted one.
    public func documentBlocks(narrative text: String? = nil) -> [DOCXBlock] {
        let t = tally
        var blocks: [DOCXBlock] = [.title(title), .subtitle(subtitle)]
        blocks.append(.heading("一、工作小结"))
        blocks.append(.paragraph(text ?? narrative.zh))
        blocks.append(.heading("二、落实工作规定情况"))
        blocks.append(.paragraph("共 \(t.met + t.onTrack + t.atRisk + t.missed + t.notYetDue) 项要求：已完成 \(t.met) 项，进行中 \(t.onTrack) 项，有风险 \(t.atRisk) 项，未完成 \(t.missed) 项，未到期 \(t.notYetDue) 项。"))
        blocks.append(.table(header: Self.ruleHeader, rows: ruleRows))
        blocks.append(.heading("三、联系学生情况"))
        var facts = "记录联系学生 \(records) 次、\(personTimes) 人次，累计 \(Self.number(hours)) 小时"
        if let share = confirmedShare { facts += "；经学生确认的记录占 \(Self.percent(share))" }
        if doubtedRecords > 0 { facts += "；另有经核查认定存疑的记录 \(doubtedRecords) 条，不计入" }
        facts += "。"
        if !venuesMissed.isEmpty { facts += "本期未到过的场所：" + venuesMissed.map(\.zh).joined(separator: "、") + "。" }
        blocks.append(.paragraph(facts))
        if !kinds.isEmpty { blocks.append(.table(header: Self.tallyHeader.replacing(first: "联系形式"), rows: Self.tallyRows(kinds))) }
        if !venues.isEmpty { blocks.append(.table(header: Self.tallyHeader.replacing(first: "场所（七进）"), rows: Self.tallyRows(venues))) }
        blocks.append(.heading("四、联系学生集体"))
        if collectives.isEmpty {
            blocks.append(.paragraph("本期无结对联系的学生集体。"))
        } else {
            blocks.append(.table(header: Self.collectiveHeader, rows: collectiveRows))
        }
        blocks.append(.heading("五、学生反映问题办理情况"))
        if problems.isEmpty {
            blocks.append(.paragraph("本期联系中未收集到学生反映的问题。"))
        } else {
            let answered = problems.filter { $0.answeredOn != nil }.count
            let late = problems.filter { $0.onTime(asOf: asOf) == false }.count
            blocks.append(.paragraph("收集问题 \(problems.count) 个，已答复 \(answered) 个，逾期 \(late) 个。"))
            blocks.append(.table(header: Self.problemHeader, rows: problemRows))
        }
        blocks.append(.heading("六、诚信核查"))
        if findings.isEmpty {
            blocks.append(.paragraph("本期记录无诚信提示。"))
        } else {
            blocks.append(.table(header: Self.findingHeader, rows: findingRows))
        }
        blocks.append(.heading("七、问责情况"))
        if measures.isEmpty {
            blocks.append(.paragraph("本期无问责记录。"))
        } else {
            blocks.append(.table(header: Self.measureHeader, rows: measureRows))
        }
        blocks.append(.paragraph("材料生成日期：\(asOf.chinese)。数据截至该日，来自“一线”工作台账。"))
        return blocks
    }

    public static let measureHeader = ["决定日期", "问责方式", "事由", "依据"]
    public var measureRows: [[String]] { measures.map { [$0.decidedOn.iso, $0.kind.zh, $0.reason, $0.evidence.isEmpty ? "—" : $0.evidence] } }

    /// One workbook: 落实情况, 联系情况, 学生集体, 问题办理, 诚信核查.
    public func worksheets() -> [XLSXWorksheet] {
        func text(_ rows: [[String]]) -> [[XLSXCell]] { rows.map { $0.map(XLSXCell.text) } }
        let rulesSheet = XLSXWorksheet(name: "落实情况", header: ["要求", "周期", "应完成", "已完成", "单位", "结果", "倡导性"],
                                       rows: rules.map { line in
                                           [.text(line.title), .text(line.period.zh), .number(line.required), .number(line.achieved),
                                            .text(line.unit.zh), .text(line.status.label.zh), .text(line.advisory ? "是" : "否")]
                                       }, title: "\(title)（\(periodName.zh)）", printA4: true)
        let contactRows: [[XLSXCell]] = kinds.map { [.text("形式"), .text($0.label.zh), .number(Double($0.records)), .number(Double($0.personTimes))] }
            + venues.map { [.text("场所"), .text($0.label.zh), .number(Double($0.records)), .number(Double($0.personTimes))] }
            + [[.text("合计"), .text(""), .number(Double(records)), .number(Double(personTimes))],
               [.text("学生确认"), .text(""), .number(Double(confirmedRecords)), .text(confirmedShare.map(Self.percent) ?? "—")]]
        return [
            rulesSheet,
            XLSXWorksheet(name: "联系情况", header: ["类别", "名称", "次数", "人次"], rows: contactRows, printA4: true),
            XLSXWorksheet(name: "学生集体", header: Self.collectiveHeader,
                          rows: collectives.map { [.text($0.name), .text($0.pairing.zh), .number(Double($0.visits))] }, printA4: true),
            XLSXWorksheet(name: "问题办理", header: Self.problemHeader, rows: text(problemRows), printA4: true),
            XLSXWorksheet(name: "诚信核查", header: Self.findingHeader, rows: text(findingRows), printA4: true),
            XLSXWorksheet(name: "问责记录", header: Self.measureHeader, rows: text(measureRows), printA4: true),
        ]
    }

    /// A file name people recognise in a folder of 600: unit, name, staff number, period.
    public var fileStem: String {
        "\(unitName)-\(cadre.name)-\(cadre.staffNumber)-\(periodName.zh)".map { "/\\:*?\"<>|".contains($0) ? "_" : $0 }.reduce(into: "") { $0.append($1) }
    }
}

extension Array where Element == String {
    fileprivate func replacing(first: String) -> [String] { isEmpty ? self : [first] + dropFirst() }
}
