import Foundation

/// 考核材料: one cadre's term or academic year as an assessor reads it for the 述职评议, the
/// 民主生活会 对照检查 and appointment — every rule's verdict with what was required and done, the
/// contacts by kind, venue and collective, the problems students raised and how they ended, the
/// share of records students confirmed, and the integrity findings. Facts only; the narrative is
/// drafted from them and edited by people before printing.
public struct CadreDossier: Hashable, Sendable {
    public struct RuleLine: Hashable, Sendable {
        public var ruleID: String
        public var title: String
        public var period: Localized
        public var required: Double
        public var achieved: Double
        public var unit: Localized
        public var status: ComplianceStatus
        public var advisory: Bool
    }

    public struct Tally: Hashable, Sendable {
        public var label: Localized
        public var records: Int
        public var personTimes: Int
    }

    public struct CollectiveLine: Hashable, Sendable {
        public var code: String
        public var name: String
        public var pairing: Localized
        public var visits: Int
    }

    public struct ProblemLine: Hashable, Sendable {
        public var number: String
        public var title: String
        public var category: Localized
        public var receivedOn: LocalDate
        public var answeredOn: LocalDate?
        public var answerDue: LocalDate
        public var status: Localized
        public var rating: Localized?

        public init(number: String, title: String, category: Localized, receivedOn: LocalDate, answeredOn: LocalDate?, answerDue: LocalDate,
                    status: Localized, rating: Localized?) {
            self.number = number
            self.title = title
            self.category = category
            self.receivedOn = receivedOn
            self.answeredOn = answeredOn
            self.answerDue = answerDue
            self.status = status
            self.rating = rating
        }

        /// Answered by its deadline; nil while open and not yet due.
        public func onTime(asOf: LocalDate) -> Bool? {
            if let answeredOn { return answeredOn <= answerDue }
            return asOf > answerDue ? false : nil
        }
    }

    public struct Finding: Hashable, Sendable {
        public var kind: Localized
        public var reason: Localized
        /// 认定 (confirmed: the records stopped counting), 排除 (dismissed), or nil while undecided.
        public var verdict: Localized?

        public init(kind: Localized, reason: Localized, verdict: Localized?) {
            self.kind = kind
            self.reason = reason
            self.verdict = verdict
        }
    }

    /// A 问责 measure taken about the cadre in the period, with what led to it.
    public struct Measure: Hashable, Sendable {
        public var kind: Localized
        public var decidedOn: LocalDate
        public var reason: String
        public var evidence: String
        public init(kind: Localized, decidedOn: LocalDate, reason: String, evidence: String) {
            self.kind = kind
            self.decidedOn = decidedOn
            self.reason = reason
            self.evidence = evidence
        }
    }

    public var cadre: Cadre
    public var unitName: String
    public var periodName: Localized
    public var range: DateRange
    public var asOf: LocalDate
    public var rules: [RuleLine]
    public var measures: [Measure]
    /// Submitted ledger lines in the period that count: not voided, not found doubtful (存疑).
    public var records: Int
    /// Lines an assessor confirmed as doubtful: they count nowhere, and the dossier says so.
    public var doubtedRecords: Int
    public var personTimes: Int
    public var confirmedRecords: Int
    public var hours: Double
    public var kinds: [Tally]
    public var venues: [Tally]
    /// Venues of the policy's vocabulary the cadre never went to in the period (七进 not reached).
    public var venuesMissed: [Localized]
    public var collectives: [CollectiveLine]
    public var problems: [ProblemLine]
    public var findings: [Finding]

    public var tally: ComplianceTally {
        var tally = ComplianceTally()
        for line in rules where !line.advisory { tally.add(line.status) }
        return tally
    }

    public var confirmedShare: Double? { records == 0 ? nil : Double(confirmedRecords) / Double(records) }

    /// A facts-only paragraph for the 述职 and the 民主生活会 对照检查: what was done, what was
    /// not, what students raised. People edit it before it is printed.
    public var narrative: Localized {
        let t = tally
        let judged = t.met + t.missed + t.atRisk + t.onTrack
        let missedTitles = rules.filter { !$0.advisory && $0.status == .missed }.map { "“\($0.title)”" }
        let riskTitles = rules.filter { !$0.advisory && $0.status == .atRisk }.map { "“\($0.title)”" }
        let answered = problems.filter { $0.answeredOn != nil }.count
        let late = problems.filter { $0.onTime(asOf: asOf) == false }.count
        let topKinds = kinds.prefix(3)
        var zh = "\(periodName.zh)，\(cadre.name)同志共记录联系学生 \(records) 次、\(personTimes) 人次"
        var en = "In \(periodName.en), \(cadre.name) recorded \(records) contacts with students (\(personTimes) person-times)"
        if !topKinds.isEmpty {
            zh += "，其中" + topKinds.map { "\($0.label.zh) \($0.records) 次" }.joined(separator: "、")
            en += ", among them " + topKinds.map { "\($0.records) × \($0.label.en.lowercased())" }.joined(separator: ", ")
        }
        if !collectives.isEmpty {
            zh += "；联系学生集体 \(collectives.count) 个，走访 \(collectives.reduce(0) { $0 + $1.visits }) 次"
            en += "; linked \(collectives.count) collectives and visited them \(collectives.reduce(0) { $0 + $1.visits }) times"
        }
        zh += "。"
        en += "."
        if let share = confirmedShare {
            zh += "学生确认的记录占 \(Self.percent(share))。"
            en += " Students confirmed \(Self.percent(share)) of the records."
        }
        if judged > 0 {
            zh += "工作规定的 \(judged) 项要求中，已完成 \(t.met) 项"
            en += " Of \(judged) requirements of the policy, \(t.met) were met"
            if missedTitles.isEmpty && riskTitles.isEmpty {
                zh += "，无未完成事项"
                en += ", none missed"
            }
            if !missedTitles.isEmpty {
                zh += "，未完成 \(missedTitles.count) 项：" + missedTitles.joined(separator: "、")
                en += "; \(missedTitles.count) missed: " + missedTitles.joined(separator: ", ")
            }
            if !riskTitles.isEmpty {
                zh += "，有风险 \(riskTitles.count) 项：" + riskTitles.joined(separator: "、")
                en += "; \(riskTitles.count) at risk: " + riskTitles.joined(separator: ", ")
            }
            zh += "。"
            en += "."
        }
        if !problems.isEmpty {
            zh += "收集学生反映问题 \(problems.count) 个，已答复 \(answered) 个" + (late > 0 ? "，逾期 \(late) 个" : "") + "。"
            en += " Students raised \(problems.count) problems; \(answered) answered" + (late > 0 ? ", \(late) late" : "") + "."
        }
        if !measures.isEmpty {
            zh += "本期受到问责 \(measures.count) 次（" + measures.map(\.kind.zh).joined(separator: "、") + "）。"
            en += " \(measures.count) accountability measures were taken (" + measures.map(\.kind.en).joined(separator: ", ") + ")."
        }
        if doubtedRecords > 0 {
            zh += "经核查认定存疑记录 \(doubtedRecords) 条，不计入落实情况。"
            en += " \(doubtedRecords) records were found doubtful on review and do not count."
        }
        return Localized(zh: zh, en: en)
    }

    public static let confirmedVerdict = Localized(zh: "已认定", en: "Confirmed")
    public static let dismissedVerdict = Localized(zh: "已排除", en: "Dismissed")

    static func percent(_ share: Double) -> String { "\(Int((share * 100).rounded())) %" }
}

extension CadreDossier {
    /// The cadre's pairings in force in the period, by collective.
    public struct Link: Hashable, Sendable {
        public var collective: Collective
        public var kind: Pairing.Kind
        public init(collective: Collective, kind: Pairing.Kind) {
            self.collective = collective
            self.kind = kind
        }
    }

    /// Everything the dossier reads, gathered by the caller for one cadre and one period.
    public struct Input: Sendable {
        public var cadre: Cadre
        public var unitName: String
        public var periodName: Localized
        public var range: DateRange
        public var asOf: LocalDate
        /// The cadre's cells (any period); those whose period lies in `range` are kept.
        public var cells: [ComplianceCell]
        public var rules: [String: PolicyRule]
        /// The cadre's ledger lines (any date, any status).
        public var contacts: [ContactRecord]
        public var vocabulary: ContactVocabulary
        public var links: [Link]
        public var problems: [ProblemLine]
        public var findings: [Finding]
        public var measures: [Measure]

        public init(cadre: Cadre, unitName: String, periodName: Localized, range: DateRange, asOf: LocalDate, cells: [ComplianceCell],
                    rules: [String: PolicyRule], contacts: [ContactRecord], vocabulary: ContactVocabulary, links: [Link],
                    problems: [ProblemLine], findings: [Finding], measures: [Measure] = []) {
            self.cadre = cadre
            self.unitName = unitName
            self.periodName = periodName
            self.range = range
            self.asOf = asOf
            self.cells = cells
            self.rules = rules
            self.contacts = contacts
            self.vocabulary = vocabulary
            self.links = links
            self.problems = problems
            self.findings = findings
            self.measures = measures
        }
    }

    public init(_ input: Input) {
        let range = input.range
        cadre = input.cadre
        unitName = input.unitName
        periodName = input.periodName
        self.range = range
        asOf = input.asOf
        // Verdicts of periods inside the dossier's span; a week of an every-week rule is one of its
        // term's parts, so the term cell stands for it.
        rules = Self.ruleLines(input.cells.filter { $0.subject.kind == .cadre && $0.subject.id == input.cadre.staffNumber }, rules: input.rules, in: range)
        let inPeriod = input.contacts.filter { $0.cadreStaffNumber == input.cadre.staffNumber && range.contains($0.startDay) && $0.startDay <= input.asOf }
        let lines = inPeriod.filter { $0.status == .submitted || $0.status == .confirmed }
        records = lines.count
        doubtedRecords = inPeriod.count { $0.status == .flagged }
        personTimes = lines.reduce(0) { $0 + $1.participantCount }
        confirmedRecords = lines.count(where: \.isConfirmed)
        hours = lines.reduce(0) { $0 + $1.hours }
        func tallies(_ key: (ContactRecord) -> String?, label: (String) -> Localized) -> [Tally] {
            var byKey: [String: Tally] = [:]
            for line in lines {
                guard let code = key(line) else { continue }
                byKey[code, default: Tally(label: label(code), records: 0, personTimes: 0)].records += 1
                byKey[code]!.personTimes += line.participantCount
            }
            return byKey.values.sorted { ($1.records, $0.label.zh) < ($0.records, $1.label.zh) }
        }
        let vocabulary = input.vocabulary
        kinds = tallies({ $0.kind }, label: { vocabulary.kind($0)?.label ?? Localized(zh: $0, en: $0) })
        let venueOf: (ContactRecord) -> String? = { $0.venue ?? vocabulary.kind($0.kind)?.defaultVenue }
        venues = tallies(venueOf, label: { vocabulary.venue($0)?.label ?? Localized(zh: $0, en: $0) })
        let reached = Set(lines.compactMap(venueOf))
        venuesMissed = vocabulary.venues.filter { !reached.contains($0.code) }.map(\.label)
        var visits: [String: Int] = [:]
        for line in lines { for code in Set(line.collectiveCodes) { visits[code, default: 0] += 1 } }
        var seen = Set<String>()
        collectives = input.links.filter { seen.insert($0.collective.code).inserted }
            .sorted { ($0.kind.rawValue, $0.collective.code) < ($1.kind.rawValue, $1.collective.code) }
            .map { CollectiveLine(code: $0.collective.code, name: $0.collective.name, pairing: $0.kind.label, visits: visits[$0.collective.code] ?? 0) }
        problems = input.problems.filter { range.contains($0.receivedOn) }.sorted { ($0.receivedOn, $0.number) < ($1.receivedOn, $1.number) }
        findings = input.findings
        measures = input.measures.filter { range.contains($0.decidedOn) }.sorted { $0.decidedOn < $1.decidedOn }
    }
}

extension CadreDossier {
    /// The verdicts of periods lying inside `range`, oldest first, as a dossier lists them.
    static func ruleLines(_ cells: [ComplianceCell], rules: [String: PolicyRule], in range: DateRange) -> [RuleLine] {
        cells.filter { range.contains($0.period.start) && $0.period.end <= range.end }
            .sorted { ($0.period.start, $0.ruleID) < ($1.period.start, $1.ruleID) }
            .map { cell in
                let rule = rules[cell.ruleID]
                return RuleLine(ruleID: cell.ruleID, title: rule?.title ?? cell.ruleID, period: cell.period.label, required: cell.required,
                                achieved: cell.achieved, unit: rule?.measureUnit ?? Localized(zh: "", en: ""), status: cell.status,
                                advisory: cell.severity == .advisory)
            }
    }
}

extension PolicyRule {
    /// What a rule's numbers count, for "done / required unit".
    public var measureUnit: Localized {
        switch body {
        case .count(let count):
            switch count.measure {
            case .events: Localized(zh: "次", en: "times")
            case .personTimes: Localized(zh: "人次", en: "person-times")
            case .hours: Localized(zh: "小时", en: "hours")
            case .distinctVenues: Localized(zh: "处", en: "venues")
            case .distinctColleges: Localized(zh: "个院（系）", en: "colleges")
            case .classPeriods: Localized(zh: "课时", en: "class periods")
            }
        case .every(let body): body.per == .month ? Localized(zh: "个月", en: "months") : Localized(zh: "周", en: "weeks")
        case .pairing, .coverage: Localized(zh: "个", en: "")
        case .timeShare: Localized(zh: "小时", en: "hours")
        case .filing: Localized(zh: "份", en: "filings")
        case .response: Localized(zh: "件", en: "cases")
        }
    }
}
