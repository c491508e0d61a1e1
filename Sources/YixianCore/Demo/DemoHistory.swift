import Foundation

/// How a demo cadre keeps up with the policy. Drawn per cadre from the seed: about 70 %
/// diligent, 15 % partially behind, 15 % clearly behind, so the pages show every verdict.
public enum DemoDiligence: String, CaseIterable, Sendable, Codable, Labelled {
    /// Meets every rule the cadre can meet, paced through the term.
    case diligent
    /// Misses some weeks and falls one short on one count each term.
    case partial
    /// Few records; many rules missed.
    case behind

    public var label: Localized {
        switch self {
        case .diligent: Localized(zh: "按要求完成", en: "Diligent")
        case .partial: Localized(zh: "部分落后", en: "Partly behind")
        case .behind: Localized(zh: "明显落后", en: "Clearly behind")
        }
    }
}

/// A generated ledger for the demo university: the previous term and the current term up to
/// the as-of day, written to satisfy (or, for some cadres on purpose, not satisfy) a policy's
/// rules, plus the units' filings. Same demo, policy, as-of day and seed give the same value.
///
/// The generator reads the policy rather than knowing any preset: for each cadre it walks the
/// count, every-period and time-share rules that bind the cadre and adds only the lines still
/// missing, so one dorm visit serves every rule that counts dorm visits. Everyday contacts on
/// top of that bring the ledger to a realistic size (≈ 40,000 lines a year at `.large`).
public struct DemoHistory: Hashable, Sendable, Codable {
    public var asOf: LocalDate
    /// The terms covered, oldest first: every term of the previous academic year, then those of the
    /// current one begun by `asOf`.
    public var termIDs: [String]
    /// Sorted by start; none starts after `asOf`.
    public var contacts: [ContactRecord]
    public var filings: [Filing]
    /// Pairings of earlier academic years that a covered term lies in: the demo only links cadres
    /// for the current year, so the same links are carried back (freshman classes become the
    /// previous intake's class). Empty when every covered term is in the current year.
    public var earlierPairings: [Pairing]
    /// This year's links the policy requires that the demo's own pairings lack, given to the
    /// diligent and partly behind cadres; load them with the demo's pairings.
    public var addedPairings: [Pairing]
    /// Staff number → the behaviour drawn for the cadre.
    public var diligence: [String: DemoDiligence]

    public static func generate(for demo: DemoUniversity, policy: Policy, asOf: LocalDate, seed: UInt64) -> DemoHistory {
        var builder = DemoHistoryBuilder(demo: demo, policy: policy, asOf: asOf, seed: seed)
        builder.buildContacts()
        builder.buildFilings()
        return DemoHistory(asOf: asOf, termIDs: builder.covered.map(\.term.id), contacts: builder.finishedContacts(),
                           filings: builder.filings, earlierPairings: builder.earlierPairings, addedPairings: builder.addedPairings,
                           diligence: Dictionary(uniqueKeysWithValues: zip(demo.cadres.map(\.staffNumber), builder.diligence)))
    }

    /// What the engine needs to judge the demo with this history: roster, both academic years,
    /// this year's and the carried-back pairings, the ledger and the filings.
    public func complianceInput(for demo: DemoUniversity, policy: Policy) -> ComplianceInput {
        ComplianceInput(policy: policy, calendar: AcademicCalendar(years: demo.academicYears),
                        roster: ComplianceRoster(units: demo.units, cadres: demo.cadres, collectives: demo.collectives),
                        pairings: earlierPairings + demo.pairings + addedPairings, contacts: contacts, filings: filings)
    }
}
