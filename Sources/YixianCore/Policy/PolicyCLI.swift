import Foundation

/// What `yixian policy check|explain|evaluate` print; the executable only reads files and sets the exit code.
public enum PolicyCLI {
    public enum OutputFormat: String, CaseIterable, Sendable {
        case json, table, csv
    }

    /// `ok` is false when the file has any problem; `output` lists them as `file:line:column: message`.
    /// With `calendar`, also a `term:` it does not have and deadlines before their academic year starts.
    public static func check(text: String, fileName: String, calendar: AcademicCalendar? = nil) -> (ok: Bool, output: String) {
        do {
            let policy = try PolicyLoader.load(text, fileName: fileName, calendar: calendar)
            return (true, "\(fileName): OK — \(policy.id)，\(policy.roles.count) 个角色，\(policy.rules.count) 条规则\n")
        } catch {
            return (false, error.description + "\n")
        }
    }

    public static func explain(_ policy: Policy) -> String { PolicyExplainer.describe(policy) }

    /// Loads both files and evaluates; problems in either file come back as the output text.
    public static func evaluate(policyText: String, scenarioText: String, asOf: LocalDate, format: OutputFormat,
                                policyFileName: String = "policy.yaml", scenarioFileName: String = "scenario.yaml") -> String {
        let policy: Policy, scenario: ComplianceScenario
        do {
            // The scenario's calendar first: the policy is checked against it too.
            scenario = try ScenarioLoader.load(scenarioText, fileName: scenarioFileName)
            policy = try PolicyLoader.load(policyText, fileName: policyFileName, calendar: scenario.calendar)
        } catch {
            return error.description + "\n"
        }
        let report = ComplianceEngine.evaluate(scenario.input(policy: policy), asOf: asOf)
        switch format {
        case .json: return json(report)
        case .table: return table(report, policy: policy)
        case .csv: return csv(report)
        }
    }

    /// Sorted keys, pretty printed, dates as `YYYY-MM-DD`: byte-for-byte stable for the same input.
    public static func json(_ report: ComplianceReport) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(report), let text = String(data: data, encoding: .utf8) else { return "{}\n" }
        return text + "\n"
    }

    public static func table(_ report: ComplianceReport, policy: Policy) -> String {
        var lines = ["策略 \(report.policyID) · 学年 \(report.academicYearID) · 截至 \(report.asOf.iso)", ""]
        let header = ["对象", "规则", "周期", "完成/要求", "状态", "截止"]
        var rows: [[String]] = []
        for cell in report.cells {
            let title = policy.rule(cell.ruleID)?.title ?? cell.ruleID
            let progress = cell.elapsed.map { "\(number(cell.achieved))/\(number(cell.required))（已过 \($0)）" }
                ?? "\(number(cell.achieved))/\(number(cell.required))"
            rows.append(["\(cell.subject.name)〔\(cell.subject.id)〕", title + (cell.severity == .advisory ? "（倡导）" : ""),
                         cell.period.label.zh, progress, cell.status.label.zh, cell.due?.iso ?? ""])
        }
        let widths = header.indices.map { column in ([header] + rows).map { displayWidth($0[column]) }.max() ?? 0 }
        func render(_ row: [String]) -> String {
            row.enumerated().map { $1 + String(repeating: " ", count: widths[$0] - displayWidth($1)) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        lines.append(render(header))
        lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
        lines += rows.map(render)
        let t = report.schoolTotal
        lines.append("")
        lines.append("全校（不含倡导性规则）：已完成 \(t.met)，进度正常 \(t.onTrack)，有风险 \(t.atRisk)，未完成 \(t.missed)，未到期 \(t.notYetDue)")
        return lines.joined(separator: "\n") + "\n"
    }

    public static func csv(_ report: ComplianceReport) -> String {
        let header = "subject_kind,subject_id,subject_name,unit,rule,severity,period_kind,period_id,period_start,period_end,required,achieved,elapsed,status,due,counted,excluded"
        let rows = report.cells.map { cell -> String in
            let fields = [cell.subject.kind.rawValue, cell.subject.id, cell.subject.name, cell.subject.unitCode, cell.ruleID,
                          cell.severity.rawValue, cell.period.kind.rawValue, cell.period.id, cell.period.start.iso, cell.period.end.iso,
                          number(cell.required), number(cell.achieved), cell.elapsed.map(String.init) ?? "", cell.status.rawValue,
                          cell.due?.iso ?? "", cell.counted.joined(separator: ";"),
                          cell.excluded.map { "\($0.id):\($0.reason.rawValue)" }.joined(separator: ";")]
            return fields.map(csvField).joined(separator: ",")
        }
        return ([header] + rows).joined(separator: "\n") + "\n"
    }

    private static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() ? yamlNumberText(value) : String(format: "%.1f", value)
    }

    /// Terminal columns: CJK characters take two.
    private static func displayWidth(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x2E80 ? 2 : 1) }
    }
}
