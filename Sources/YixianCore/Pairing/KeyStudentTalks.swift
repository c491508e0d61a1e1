import Foundation

/// One help or talk logged for one student on 精准帮扶 (`/support`, table `support_logs`): the record that
/// names a student. Ledger lines (contact records) name collectives and a head count, never a student, so
/// “每名干部联系1名重点学生并定期谈心” (苏州大学 三2(2)) is counted from these: `/support` refuses a log by a cadre
/// who is not paired with the student as `key-student`, so every log here belongs to a pairing.
public struct SupportLog: Hashable, Sendable, Codable {
    public var id: String
    public var cadreStaffNumber: String
    public var studentNumber: String
    public var day: LocalDate
    /// `talk`, `visit`, `financial-aid`, `psychological-support` or `academic-support`.
    public var kind: String

    public init(id: String, cadreStaffNumber: String, studentNumber: String, day: LocalDate, kind: String) {
        self.id = id
        self.cadreStaffNumber = cadreStaffNumber
        self.studentNumber = studentNumber
        self.day = day
        self.kind = kind
    }

    /// The activity kind a log counts as in a rule's `kinds`: a talk is `heart-to-heart` (谈心谈话), any other help
    /// `hardship-visit` (慰问帮扶).
    public var activityKind: String { kind == "talk" ? "heart-to-heart" : "hardship-visit" }

    /// The kinds `/support` logs (its `SupportKind` codes).
    public static let kinds = ["talk", "visit", "financial-aid", "psychological-support", "academic-support"]

    /// The activity kinds logs can count as.
    public static let activityKinds: Set<String> = ["heart-to-heart", "hardship-visit"]
}

extension Evaluation {
    /// `perKeyStudent: true` (§4.20): a cell per cadre, key student and period — each `key-student` pairing judged on
    /// its own, over the days it runs in the period, from the logs the cadre made for that student.
    func keyStudentCells(_ rule: PolicyRule, _ ruleIndex: Int, _ body: CountRule, _ context: CadreContext, into cells: inout [ComplianceCell]) {
        guard let staff = context.states.first?.cadre.staffNumber else { return }
        let logs = supportLogsByCadre[staff] ?? []
        for period in judgedPeriods(body.per, body.pauses) {
            let stateIndex = context.stateIndex(on: min(asOfDay, period.last))
            guard let required = context.quantities[stateIndex][ruleIndex] else { continue }
            // The student's pairing days within the period (a pairing made mid-term is judged from its first day).
            var spans: [String: DateRange] = [:]
            for pairing in context.pairings where pairing.kind == .keyStudent && pairing.range.overlaps(period.range) && pairing.range.start <= asOf {
                guard let student = pairing.studentNumber else { continue }
                let start = max(pairing.range.start, period.range.start), end = min(pairing.range.end, period.range.end)
                spans[student] = spans[student].map { DateRange(start: min($0.start, start), end: max($0.end, end)) } ?? DateRange(start: start, end: end)
            }
            for (student, span) in spans.sorted(by: { $0.key < $1.key }) {
                var counted: [String] = [], excluded: [ComplianceExclusion] = []
                for log in logs where log.studentNumber == student && period.range.contains(log.day) && log.day <= asOf {
                    if body.filter.kinds.contains(log.activityKind) { counted.append(log.id) } else {
                        excluded.append(ComplianceExclusion(id: log.id, reason: .wrongKind))
                    }
                }
                let achieved = Double(counted.count)
                let status = Verdicts.bounded(achieved: achieved, required: required, maximum: body.atMost, onlyMaximum: body.onlyUpperBound,
                                              asOf: asOf, start: span.start, end: span.end)
                var cell = ComplianceCell(subject: subject(context, state: stateIndex), ruleID: rule.id, severity: rule.severity,
                                          period: period.ref, required: required, achieved: achieved, status: status, due: nil, elapsed: nil,
                                          counted: counted, excluded: excluded, parts: [],
                                          note: Localized(zh: "重点联系学生 \(student)", en: "key student \(student)"), maximum: body.atMost)
                cell.keyStudent = student
                cells.append(cell)
            }
        }
    }
}
