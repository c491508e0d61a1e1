import Foundation

/// What adopting a policy would change: the verdicts of the version in force beside those of the
/// proposed one, over the same facts and the same day. A cell is matched by subject, rule id and
/// period; a rule only one side has shows as added or removed.
public struct PolicyDiff: Sendable {
    public struct Change: Hashable, Sendable {
        public var subject: ComplianceSubject
        public var ruleID: String
        public var ruleTitle: String
        public var period: Localized
        /// nil: the version had no such cell.
        public var before: ComplianceStatus?
        public var after: ComplianceStatus?
        public var beforeAmount: String
        public var afterAmount: String

        /// Better or worse for the subject, in the order missed < at risk < not yet due < on track < met.
        public var direction: Int { (after.map(Self.rank) ?? 0) - (before.map(Self.rank) ?? 0) }

        static func rank(_ status: ComplianceStatus) -> Int {
            switch status {
            case .missed: 1
            case .atRisk: 2
            case .notYetDue: 3
            case .onTrack: 4
            case .met: 5
            }
        }
    }

    /// Per rule: how many cells turn worse, better, appear or go.
    public struct RuleSummary: Hashable, Sendable {
        public var ruleID: String
        public var title: String
        public var worse = 0
        public var better = 0
        public var added = 0
        public var removed = 0
        public var unchanged = 0
    }

    public var changes: [Change]
    public var rules: [RuleSummary]
    /// Cadres and units whose verdict changes somewhere.
    public var subjects: Int

    public init(before: [ComplianceCell], beforeRules: [PolicyRule], after: [ComplianceCell], afterRules: [PolicyRule]) {
        struct Key: Hashable { var subject: String; var kind: ComplianceSubject.Kind; var rule: String; var period: String }
        func key(_ cell: ComplianceCell) -> Key { Key(subject: cell.subject.id, kind: cell.subject.kind, rule: cell.ruleID, period: cell.period.id) }
        func amount(_ cell: ComplianceCell?) -> String {
            cell.map { "\(CadreDossier.number($0.achieved))/\(CadreDossier.number($0.required))" } ?? "—"
        }
        let titles = Dictionary((beforeRules + afterRules).map { ($0.id, $0.title ?? $0.id) }, uniquingKeysWith: { _, new in new })
        let old = Dictionary(before.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        let new = Dictionary(after.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        var summaries: [String: RuleSummary] = [:]
        var changes: [Change] = []
        for k in Set(old.keys).union(new.keys) {
            let (a, b) = (old[k], new[k])
            var summary = summaries[k.rule] ?? RuleSummary(ruleID: k.rule, title: titles[k.rule] ?? k.rule)
            defer { summaries[k.rule] = summary }
            if let a, let b, a.status == b.status, a.achieved == b.achieved, a.required == b.required { summary.unchanged += 1; continue }
            let cell = (b ?? a)!
            let change = Change(subject: cell.subject, ruleID: k.rule, ruleTitle: titles[k.rule] ?? k.rule, period: cell.period.label,
                                before: a?.status, after: b?.status, beforeAmount: amount(a), afterAmount: amount(b))
            switch (a, b) {
            case (nil, _): summary.added += 1
            case (_, nil): summary.removed += 1
            default:
                if change.direction < 0 { summary.worse += 1 } else if change.direction > 0 { summary.better += 1 } else { summary.unchanged += 1; continue }
            }
            changes.append(change)
        }
        // Worse first: what adopting the version would newly hold against people.
        self.changes = changes.sorted {
            ($0.direction, $0.ruleID, $0.subject.id, $0.period.zh) < ($1.direction, $1.ruleID, $1.subject.id, $1.period.zh)
        }
        let order = (afterRules + beforeRules).map(\.id)
        rules = summaries.values.sorted { (order.firstIndex(of: $0.ruleID) ?? .max, $0.ruleID) < (order.firstIndex(of: $1.ruleID) ?? .max, $1.ruleID) }
        subjects = Set(self.changes.map { "\($0.subject.kind.rawValue):\($0.subject.id)" }).count
    }

    /// Plain text for the command line: the per-rule summary, then each changed verdict.
    public func text(limit: Int = 200) -> String {
        var lines = ["规则\t变差\t变好\t新增\t取消\t不变"]
        for rule in rules { lines.append("\(rule.title)\t\(rule.worse)\t\(rule.better)\t\(rule.added)\t\(rule.removed)\t\(rule.unchanged)") }
        lines.append("")
        lines.append("\(subjects) 个对象的结论有变化，共 \(changes.count) 处（\(subjects) subjects change, \(changes.count) verdicts）")
        for change in changes.prefix(limit) {
            lines.append("\(change.subject.name)（\(change.subject.id)）\t\(change.ruleTitle)\t\(change.period.zh)\t"
                + "\(change.before?.label.zh ?? "无") \(change.beforeAmount) → \(change.after?.label.zh ?? "无") \(change.afterAmount)")
        }
        if changes.count > limit { lines.append("……另有 \(changes.count - limit) 处") }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension PolicyCLI {
    /// `yixian policy diff OLD NEW --scenario S --as-of D`: both versions over the scenario's facts.
    public static func diff(oldText: String, newText: String, scenarioText: String, asOf: LocalDate,
                            oldFileName: String = "old.yaml", newFileName: String = "new.yaml", scenarioFileName: String = "scenario.yaml") -> (ok: Bool, output: String) {
        do {
            let scenario = try ScenarioLoader.load(scenarioText, fileName: scenarioFileName)
            let old = try PolicyLoader.load(oldText, fileName: oldFileName, calendar: scenario.calendar)
            let new = try PolicyLoader.load(newText, fileName: newFileName, calendar: scenario.calendar)
            let index = ComplianceIndex(scenario.input(policy: old))
            let before = ComplianceEngine.evaluate(index, asOf: asOf)
            let after = ComplianceEngine.evaluate(index, asOf: asOf, policy: new)
            return (true, PolicyDiff(before: before.cells, beforeRules: old.rules, after: after.cells, afterRules: new.rules).text())
        } catch {
            return (false, error.description + "\n")
        }
    }
}
