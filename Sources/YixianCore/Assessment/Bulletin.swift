import Foundation

/// 通报: the office's circular on how units and cadres did in a period — who did everything, who is
/// behind and on what — drafted from the engine's verdicts, edited by people, then published to
/// the units it names. Only required rules count; a period still running is judged as it stands.
public struct Bulletin: Hashable, Sendable {
    public struct UnitLine: Hashable, Sendable {
        public var unit: Unit
        public var cadres: Int
        public var tally: ComplianceTally
        public var judged: Int { tally.met + tally.missed + tally.atRisk + tally.onTrack }
        public var metShare: Double { judged == 0 ? 0 : Double(tally.met) / Double(judged) }
    }

    public struct CadreLine: Hashable, Sendable {
        public var cadre: Cadre
        public var unitName: String
        public var missed: [String]
    }

    public var title: String
    public var periodName: Localized
    public var units: [UnitLine]
    /// Units whose every cadre met every requirement judged.
    public var exemplary: [UnitLine]
    /// Units with missed requirements, the largest share missed first.
    public var behind: [UnitLine]
    public var cadresBehind: [CadreLine]
    /// Codes of the units the bulletin names: who hears of it when it is published.
    public var concerned: [String]
    /// 典型经验 of the period, as "title（unit cadre）".
    public var practices: [String]

    public init(periodName: Localized, cells: [ComplianceCell], rules: [String: PolicyRule], units: [Unit], cadres: [Cadre], range: DateRange,
                practices: [String] = []) {
        self.periodName = periodName
        self.practices = practices
        title = "关于\(periodName.zh)领导干部联系学生工作落实情况的通报"
        let byStaff = Dictionary(cadres.map { ($0.staffNumber, $0) }, uniquingKeysWith: { a, _ in a })
        var tallies: [String: ComplianceTally] = [:], missed: [String: [String]] = [:], counted: [String: Set<String>] = [:]
        for cell in cells where cell.subject.kind == .cadre && cell.severity == .required && range.contains(cell.period.start) && cell.period.end <= range.end {
            tallies[cell.subject.unitCode, default: ComplianceTally()].add(cell.status)
            counted[cell.subject.unitCode, default: []].insert(cell.subject.id)
            if cell.status == .missed { missed[cell.subject.id, default: []].append(rules[cell.ruleID]?.title ?? cell.ruleID) }
        }
        let ordered = units.filter { tallies[$0.code] != nil }.sorted(by: Unit.inUniversityOrder)
        self.units = ordered.map { UnitLine(unit: $0, cadres: counted[$0.code]?.count ?? 0, tally: tallies[$0.code]!) }
        exemplary = self.units.filter { $0.tally.missed == 0 && $0.tally.atRisk == 0 && $0.tally.met > 0 }
        behind = self.units.filter { $0.tally.missed > 0 }
            .sorted { (Double($0.tally.missed) / Double(max(1, $0.judged)), $1.unit.code) > (Double($1.tally.missed) / Double(max(1, $1.judged)), $0.unit.code) }
        let unitNames = Dictionary(units.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        cadresBehind = missed.compactMap { staff, titles in
            byStaff[staff].map { CadreLine(cadre: $0, unitName: unitNames[$0.unitCode] ?? $0.unitCode, missed: Array(Set(titles)).sorted()) }
        }.sorted { ($1.missed.count, $0.cadre.staffNumber) < ($0.missed.count, $1.cadre.staffNumber) }
        concerned = Array(Set(exemplary.map(\.unit.code) + behind.map(\.unit.code) + cadresBehind.map(\.cadre.unitCode))).sorted()
    }

    static func percent(_ share: Double) -> String { "\(Int((share * 100).rounded())) %" }

    /// The drafted text, in the order a 通报 is written.
    public var draft: String {
        var total = ComplianceTally()
        for line in units { total.met += line.tally.met; total.missed += line.tally.missed; total.atRisk += line.tally.atRisk; total.onTrack += line.tally.onTrack }
        let judged = total.met + total.missed + total.atRisk + total.onTrack
        var text = "各单位：\n"
        text += "根据《领导干部深入基层联系学生工作》有关规定，现将\(periodName.zh)各单位领导干部联系学生工作落实情况通报如下。\n"
        text += "一、总体情况\n"
        text += "全校 \(units.count) 个单位的 \(units.reduce(0) { $0 + $1.cadres }) 名干部共有 \(judged) 项工作要求，已完成 \(total.met) 项（\(Self.percent(judged == 0 ? 0 : Double(total.met) / Double(judged)))），"
            + "未完成 \(total.missed) 项，有风险 \(total.atRisk) 项，进行中 \(total.onTrack) 项。\n"
        text += "二、表现突出的单位\n"
        text += exemplary.isEmpty ? "本期无全部完成的单位。\n"
            : exemplary.map(\.unit.name).joined(separator: "、") + "，所有干部均按要求完成各项工作，予以表扬。\n"
        if !practices.isEmpty { text += "本期推荐的典型经验：" + practices.joined(separator: "；") + "。\n" }
        text += "三、存在的问题\n"
        if behind.isEmpty {
            text += "本期各单位均无未完成事项。\n"
        } else {
            text += "以下单位有未完成事项（按未完成比例排列）：" + behind.prefix(15).map { "\($0.unit.name)（未完成 \($0.tally.missed) 项，完成率 \(Self.percent($0.metShare))）" }.joined(separator: "；") + "。\n"
            if !cadresBehind.isEmpty {
                text += "未完成事项较多的干部：" + cadresBehind.prefix(20).map { "\($0.unitName)\($0.cadre.name)（\($0.missed.joined(separator: "、"))）" }.joined(separator: "；") + "。\n"
            }
        }
        text += "四、工作要求\n"
        text += "请有关单位对照通报查找原因，督促相关干部于下一周期补齐未完成事项，并将整改情况报学生工作部。"
        return text
    }
}
