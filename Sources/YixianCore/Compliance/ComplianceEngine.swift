import Foundation

/// A cadre's post, rank or unit changing on a day: the cadre's value from that day on.
public struct CadreChange: Hashable, Sendable, Codable {
    public var staffNumber: String
    public var effectiveOn: LocalDate
    public var cadre: Cadre

    public init(staffNumber: String, effectiveOn: LocalDate, cadre: Cadre) {
        self.staffNumber = staffNumber
        self.effectiveOn = effectiveOn
        self.cadre = cadre
    }
}

/// Units, cadres and collectives as the engine needs them. `cadres` hold each cadre's
/// value before any of `cadreChanges`.
public struct ComplianceRoster: Sendable {
    public var units: [Unit]
    public var cadres: [Cadre]
    public var collectives: [Collective]
    public var cadreChanges: [CadreChange]

    public init(units: [Unit], cadres: [Cadre], collectives: [Collective], cadreChanges: [CadreChange] = []) {
        self.units = units
        self.cadres = cadres
        self.collectives = collectives
        self.cadreChanges = cadreChanges
    }
}

/// Everything the engine judges. Nothing here reads a clock: the as-of day is passed to `evaluate`.
public struct ComplianceInput: Sendable {
    public var policy: Policy
    public var calendar: AcademicCalendar
    public var roster: ComplianceRoster
    public var pairings: [Pairing]
    public var contacts: [ContactRecord]
    public var cases: [StudentCase]
    public var filings: [Filing]
    public var workdays: WorkdayCalendar
    /// Helps and talks logged per student on 精准帮扶, for `perKeyStudent` count rules (§4.20).
    public var supportLogs: [SupportLog]

    public init(policy: Policy, calendar: AcademicCalendar, roster: ComplianceRoster, pairings: [Pairing] = [],
                contacts: [ContactRecord] = [], cases: [StudentCase] = [], filings: [Filing] = [],
                workdays: WorkdayCalendar = .prc, supportLogs: [SupportLog] = []) {
        self.policy = policy
        self.calendar = calendar
        self.roster = roster
        self.pairings = pairings
        self.contacts = contacts
        self.cases = cases
        self.filings = filings
        self.workdays = workdays
        self.supportLogs = supportLogs
    }
}

/// Evaluates a policy over the facts of one academic year as of a day.
///
/// Status rules (docs/POLICY-FORMAT.md, “How verdicts are reached”):
/// not yet due before the period starts; met once the requirement is reached; missed when the
/// period (or deadline) is over without it; in between on track if the achieved amount is at
/// least the whole units due pro rata so far, else at risk. Only ledger lines dated up to the
/// as-of day exist for the engine, so a later as-of day can only add facts.
public enum ComplianceEngine {
    /// How much of the “why not” a report carries.
    public enum Detail: Sendable {
        /// Every line of the subject in the period that did not count, with its reason (drill-down, CLI).
        case full
        /// Leaves out lines of other kinds (`wrong-kind`), the bulk of the list: for whole-school tables.
        case nearMisses
    }

    public static func evaluate(_ input: ComplianceInput, asOf: LocalDate, academicYearID: String? = nil,
                                detail: Detail = .full) -> ComplianceReport {
        evaluate(ComplianceIndex(input), asOf: asOf, academicYearID: academicYearID, detail: detail)
    }

    /// Evaluates over facts indexed beforehand; `policy` replaces the input's policy when given.
    public static func evaluate(_ index: ComplianceIndex, asOf: LocalDate, policy: Policy? = nil, academicYearID: String? = nil,
                                detail: Detail = .full) -> ComplianceReport {
        var input = index.input
        if let policy { input.policy = policy }
        let year = academicYearID.flatMap(input.calendar.academicYear(id:))
            ?? input.calendar.academicYear(containing: asOf)
            ?? input.calendar.years.last { $0.range.start <= asOf }
            ?? input.calendar.years.first
        guard let year else {
            return ComplianceReport(policyID: input.policy.id, academicYearID: "", asOf: asOf, cells: [], rollups: [],
                                    unitTotals: [:], schoolTotal: ComplianceTally())
        }
        let evaluation = Evaluation(index: index, policy: input.policy, year: year, asOf: asOf, listOtherKinds: detail == .full)
        return evaluation.run()
    }
}
