import Foundation

/// The unit's dossier for the 述职评议 of its leadership: its cadres × the policy's verdicts, the
/// unit's own requirements (filings on time, coverage, answering students), the cases it was given and
/// how timely and well they were answered, and which of its collectives no cadre links.
public struct UnitDossier: Hashable, Sendable {
    public struct CadreRow: Hashable, Sendable {
        public var cadre: Cadre
        public var tally: ComplianceTally
        public var records: Int
        public var personTimes: Int
        public var missed: [String]
    }

    public struct Cases: Hashable, Sendable {
        public var received = 0
        public var answered = 0
        public var answeredOnTime = 0
        public var overdue = 0
        public var satisfied = 0
        public var basicallySatisfied = 0
        public var dissatisfied = 0
    }

    public var unit: Unit
    public var periodName: Localized
    public var range: DateRange
    public var asOf: LocalDate
    public var cadres: [CadreRow]
    /// The unit's own requirements (filings, coverage, answering): subject = the unit.
    public var rules: [CadreDossier.RuleLine]
    public var cases: Cases
    /// The cases received in the period, oldest first: the problem list a summary must contain.
    public var problems: [CadreDossier.ProblemLine]
    public var collectives: Int
    public var uncovered: [Collective]

    public var tally: ComplianceTally {
        var tally = ComplianceTally()
        for row in cadres { tally.met += row.tally.met; tally.missed += row.tally.missed; tally.atRisk += row.tally.atRisk
            tally.onTrack += row.tally.onTrack; tally.notYetDue += row.tally.notYetDue }
        return tally
    }

    public struct Input: Sendable {
        public var unit: Unit
        public var periodName: Localized
        public var range: DateRange
        public var asOf: LocalDate
        /// Cells of the unit and of its cadres (any period); those inside `range` are kept.
        public var cells: [ComplianceCell]
        public var rules: [String: PolicyRule]
        public var cadres: [Cadre]
        public var contacts: [ContactRecord]
        public var collectives: [Collective]
        public var pairings: [Pairing]
        public var problems: [CadreDossier.ProblemLine]
        /// Raw rating codes of the problems, parallel to `problems` (满意 …), nil when not rated.
        public var ratings: [CaseRating?]

        public init(unit: Unit, periodName: Localized, range: DateRange, asOf: LocalDate, cells: [ComplianceCell], rules: [String: PolicyRule],
                    cadres: [Cadre], contacts: [ContactRecord], collectives: [Collective], pairings: [Pairing],
                    problems: [CadreDossier.ProblemLine], ratings: [CaseRating?]) {
            self.unit = unit
            self.periodName = periodName
            self.range = range
            self.asOf = asOf
            self.cells = cells
            self.rules = rules
            self.cadres = cadres
            self.contacts = contacts
            self.collectives = collectives
            self.pairings = pairings
            self.problems = problems
            self.ratings = ratings
        }
    }

    public init(_ input: Input) {
        let range = input.range
        unit = input.unit
        periodName = input.periodName
        self.range = range
        asOf = input.asOf
        let inRange = input.cells.filter { range.contains($0.period.start) && $0.period.end <= range.end }
        let byCadre = Dictionary(grouping: inRange.filter { $0.subject.kind == .cadre }, by: \.subject.id)
        let lines = Dictionary(grouping: input.contacts.filter {
            ($0.status == .submitted || $0.status == .confirmed) && range.contains($0.startDay) && $0.startDay <= input.asOf
        }, by: \.cadreStaffNumber)
        // The leadership's review: 领导干部 only — staff of rank `staff` (辅导员 …) are not the unit's cadres.
        cadres = input.cadres.filter { $0.unitCode == input.unit.code && $0.active && $0.isCadre }.sorted { $0.staffNumber < $1.staffNumber }.map { cadre in
            let cells = (byCadre[cadre.staffNumber] ?? []).filter { $0.severity == .required }
            var tally = ComplianceTally()
            for cell in cells { tally.add(cell.status) }
            let mine = lines[cadre.staffNumber] ?? []
            return CadreRow(cadre: cadre, tally: tally, records: mine.count, personTimes: mine.reduce(0) { $0 + $1.participantCount },
                            missed: cells.filter { $0.status == .missed }.map { input.rules[$0.ruleID]?.title ?? $0.ruleID })
        }
        rules = CadreDossier.ruleLines(inRange.filter { $0.subject.kind == .unit && $0.subject.id == input.unit.code }, rules: input.rules, in: range)
        var cases = Cases()
        for (problem, rating) in zip(input.problems, input.ratings) where range.contains(problem.receivedOn) {
            cases.received += 1
            if problem.answeredOn != nil { cases.answered += 1 }
            switch problem.onTime(asOf: input.asOf) {
            case true?: cases.answeredOnTime += 1
            case false?: cases.overdue += 1
            case nil: break
            }
            switch rating {
            case .satisfied?: cases.satisfied += 1
            case .basicallySatisfied?: cases.basicallySatisfied += 1
            case .dissatisfied?: cases.dissatisfied += 1
            case nil: break
            }
        }
        self.cases = cases
        problems = input.problems.filter { range.contains($0.receivedOn) }.sorted { ($0.receivedOn, $0.number) < ($1.receivedOn, $1.number) }
        let own = input.collectives.filter { $0.unitCode == input.unit.code && $0.active }
        let linked = Set(input.pairings.filter { $0.range.overlaps(range) }.compactMap(\.collectiveCode))
        collectives = own.count
        uncovered = own.filter { !linked.contains($0.code) }.sorted { $0.code < $1.code }
    }

    public var title: String { "\(unit.name)领导班子联系学生工作述职评议材料" }

    public var narrative: Localized {
        let t = tally
        let behind = cadres.filter { !$0.missed.isEmpty }
        var zh = "\(periodName.zh)，\(unit.name)有在岗干部 \(cadres.count) 名，共记录联系学生 \(cadres.reduce(0) { $0 + $1.records }) 次、"
            + "\(cadres.reduce(0) { $0 + $1.personTimes }) 人次。干部个人要求已完成 \(t.met) 项、未完成 \(t.missed) 项、有风险 \(t.atRisk) 项"
        var en = "In \(periodName.en), \(unit.name) had \(cadres.count) cadres in post, who recorded \(cadres.reduce(0) { $0 + $1.records }) contacts "
            + "(\(cadres.reduce(0) { $0 + $1.personTimes }) person-times). Of the cadres' requirements \(t.met) were met, \(t.missed) missed, \(t.atRisk) at risk"
        if !behind.isEmpty {
            zh += "；有未完成事项的干部：" + behind.map(\.cadre.name).joined(separator: "、")
            en += "; cadres with missed items: " + behind.map(\.cadre.name).joined(separator: ", ")
        }
        zh += "。"
        en += "."
        let unitMissed = rules.filter { !$0.advisory && $0.status == .missed }.map { "“\($0.title)”" }
        if !unitMissed.isEmpty {
            zh += "单位层面未完成：" + unitMissed.joined(separator: "、") + "。"
            en += " The unit missed " + unitMissed.joined(separator: ", ") + "."
        }
        if cases.received > 0 {
            zh += "承办学生诉求 \(cases.received) 件，已答复 \(cases.answered) 件，按期答复 \(cases.answeredOnTime) 件，逾期 \(cases.overdue) 件；"
                + "学生评价满意 \(cases.satisfied) 件、基本满意 \(cases.basicallySatisfied) 件、不满意 \(cases.dissatisfied) 件。"
            en += " It handled \(cases.received) student cases: \(cases.answered) answered, \(cases.answeredOnTime) on time, \(cases.overdue) late; "
                + "rated satisfied \(cases.satisfied), basically satisfied \(cases.basicallySatisfied), dissatisfied \(cases.dissatisfied)."
        }
        if collectives > 0 {
            zh += "本单位 \(collectives) 个学生集体中，\(collectives - uncovered.count) 个有干部联系" + (uncovered.isEmpty ? "，已全覆盖。" : "，\(uncovered.count) 个尚无人联系。")
            en += " \(collectives - uncovered.count) of its \(collectives) collectives are linked by a cadre" + (uncovered.isEmpty ? "." : "; \(uncovered.count) are not.")
        }
        return Localized(zh: zh, en: en)
    }

    public static let cadreHeader = ["干部", "职务", "联系次数", "人次", "已完成", "未完成", "有风险", "未完成事项"]
    public var cadreRows: [[String]] {
        cadres.map { row in
            [row.cadre.name, row.cadre.posts.joined(separator: "、"), String(row.records), String(row.personTimes), String(row.tally.met),
             String(row.tally.missed), String(row.tally.atRisk), row.missed.isEmpty ? "—" : row.missed.joined(separator: "；")]
        }
    }

    public func documentBlocks(narrative text: String? = nil) -> [DOCXBlock] {
        var blocks: [DOCXBlock] = [.title(title), .subtitle("（\(periodName.zh)）"), .heading("一、总体情况"), .paragraph(text ?? narrative.zh),
                                   .heading("二、干部落实情况"), .table(header: Self.cadreHeader, rows: cadreRows),
                                   .heading("三、单位落实情况（报送、覆盖、答复）")]
        if rules.isEmpty {
            blocks.append(.paragraph("工作规定对本单位本期无单位层面的要求。"))
        } else {
            blocks.append(.table(header: CadreDossier.ruleHeader, rows: rules.map { line in
                [line.title, line.period.zh, CadreDossier.number(line.required) + line.unit.zh, CadreDossier.number(line.achieved) + line.unit.zh,
                 line.status.label.zh]
            }))
        }
        blocks.append(.heading("四、学生诉求办理"))
        blocks.append(.table(header: ["收到", "已答复", "按期答复", "逾期", "满意", "基本满意", "不满意"],
                             rows: [[cases.received, cases.answered, cases.answeredOnTime, cases.overdue, cases.satisfied, cases.basicallySatisfied,
                                     cases.dissatisfied].map(String.init)]))
        blocks.append(.heading("五、学生集体联系覆盖"))
        blocks.append(.paragraph(uncovered.isEmpty ? "本单位 \(collectives) 个学生集体均有干部联系。"
                                 : "尚无干部联系的学生集体（\(uncovered.count) 个）：" + uncovered.map(\.name).joined(separator: "、") + "。"))
        blocks.append(.paragraph("材料生成日期：\(asOf.chinese)。数据截至该日，来自“一线”工作台账。"))
        return blocks
    }

    public func worksheets() -> [XLSXWorksheet] {
        [
            XLSXWorksheet(name: "干部落实情况", header: Self.cadreHeader, rows: cadres.map { row in
                [.text(row.cadre.name), .text(row.cadre.posts.joined(separator: "、")), .number(Double(row.records)), .number(Double(row.personTimes)),
                 .number(Double(row.tally.met)), .number(Double(row.tally.missed)), .number(Double(row.tally.atRisk)),
                 .text(row.missed.joined(separator: "；"))]
            }, title: "\(title)（\(periodName.zh)）", printA4: true),
            XLSXWorksheet(name: "单位落实情况", header: CadreDossier.ruleHeader, rows: rules.map { line in
                [.text(line.title), .text(line.period.zh), .number(line.required), .number(line.achieved), .text(line.status.label.zh)]
            }, printA4: true),
            XLSXWorksheet(name: "诉求办理", header: ["收到", "已答复", "按期答复", "逾期", "满意", "基本满意", "不满意"],
                          rows: [[cases.received, cases.answered, cases.answeredOnTime, cases.overdue, cases.satisfied, cases.basicallySatisfied,
                                  cases.dissatisfied].map { .number(Double($0)) }], printA4: true),
            XLSXWorksheet(name: "未覆盖集体", header: ["代码", "名称", "类型"],
                          rows: uncovered.map { [.text($0.code), .text($0.name), .text($0.kind.label.zh)] }, printA4: true),
        ]
    }
}
