import Foundation

/// What a cadre asked for when the business admin collected wishes (志愿).
public struct MatchingWish: Hashable, Sendable, Codable {
    public var staffNumber: String
    /// Preferred collectives, most wanted first.
    public var collectiveCodes: [String]
    public var collectiveKinds: [CollectiveKind]
    /// Expertise tags, matched against the collectives' tags (major, discipline, …).
    public var expertise: [String]

    public init(staffNumber: String, collectiveCodes: [String] = [], collectiveKinds: [CollectiveKind] = [], expertise: [String] = []) {
        self.staffNumber = staffNumber
        self.collectiveCodes = collectiveCodes
        self.collectiveKinds = collectiveKinds
        self.expertise = expertise
    }
}

/// Preference costs of one proposal; lower is better, all non-negative.
public struct MatchingWeights: Hashable, Sendable {
    public var otherCollege: Int = 100
    /// A collective that is neither wished nor of a wished kind.
    public var unwished: Int = 60
    /// Wish number n (from 1) costs (n − 1) × this, never more than `unwished`.
    public var wishRankStep: Int = 10
    public var wishedKind: Int = 30
    /// Paid when the collective shares no tag with the cadre's expertise.
    public var noExpertise: Int = 20
    /// Each extra collective taken for coverage costs this per pairing the cadre already carries.
    public var load: Int = 15

    public init() {}
}

public struct MatchingOptions: Hashable, Sendable {
    /// Cadres per collective, counting pairings kept.
    public var capacityPerCollective: Int = 1
    public var capacity: [String: Int] = [:]
    /// Collectives the proposal tries to cover beyond the rules (e.g. every class), see `PairingRequirements.coverageKinds(in:)`.
    public var coverageKinds: Set<CollectiveKind> = [.class]
    public var coverageAtLeast: Int = 1
    /// No cadre is given extra collectives for coverage beyond this many pairings in all.
    public var maximumPerCadre: Int = 3
    public var includeAdvisory: Bool = true
    public var partyBranchesForPartyMembersOnly: Bool = true
    /// Candidate pruning: generic (other-college, unwished) collectives kept per cadre and kind;
    /// the result is checked against every pruned edge and re-solved if one could improve it.
    public var candidatesPerKind: Int = 12
    public var weights = MatchingWeights()

    public init() {}
}

public struct MatchingInput: Sendable {
    public var cadres: [Cadre]
    public var collectives: [Collective]
    /// Pairings to keep; those of `academicYearID` running on `asOf` count toward rules, load and capacity.
    public var existing: [Pairing]
    /// Per staff number, usually `PairingRequirements.derive(policy:cadres:units:)`.
    public var requirements: [String: [PairingRequirement]]
    public var wishes: [MatchingWish]
    /// Collective code → tags, matched against wishes' expertise.
    public var collectiveTags: [String: [String]]
    public var academicYearID: String
    public var asOf: LocalDate
    public var options: MatchingOptions

    public init(cadres: [Cadre], collectives: [Collective], existing: [Pairing] = [], requirements: [String: [PairingRequirement]],
                wishes: [MatchingWish] = [], collectiveTags: [String: [String]] = [:], academicYearID: String, asOf: LocalDate,
                options: MatchingOptions = MatchingOptions()) {
        self.cadres = cadres
        self.collectives = collectives
        self.existing = existing
        self.requirements = requirements
        self.wishes = wishes
        self.collectiveTags = collectiveTags
        self.academicYearID = academicYearID
        self.asOf = asOf
        self.options = options
    }
}

public struct MatchingCostBreakdown: Hashable, Sendable {
    public var college: Int
    public var wish: Int
    public var expertise: Int
    public var load: Int
    public var total: Int { college + wish + expertise + load }
}

public struct MatchingProposal: Hashable, Sendable {
    public var staffNumber: String
    public var collectiveCode: String
    public var pairingKind: Pairing.Kind
    /// Rules this pairing is proposed for; empty when it is taken on for coverage.
    public var ruleIDs: [String]
    public var reasons: [Localized]
    public var cost: MatchingCostBreakdown

    public func pairing(academicYearID: String, range: DateRange) -> Pairing {
        Pairing(cadreStaffNumber: staffNumber, kind: pairingKind, collectiveCode: collectiveCode, academicYearID: academicYearID, range: range)
    }
}

/// A requirement the proposal could not meet, reported instead of failing.
public struct MatchingShortfall: Hashable, Sendable {
    public var staffNumber: String
    public var ruleIDs: [String]
    public var missing: Int
    public var message: Localized
}

/// The quantities the matcher minimises, most important first; `score` weighs them so that no amount
/// of a later one outweighs one unit of an earlier one.
public struct MatchingObjective: Hashable, Sendable {
    public var unfilledSlots: Int
    /// Coverage still missing (collective × missing cadre) among the coverage kinds.
    public var uncoveredSlots: Int
    public var preference: Int
    public var load: Int

    static let coverWeight: Int64 = 1_000_000
    static let slotWeight: Int64 = 1_000_000_000_000

    public var score: Int64 {
        (MatchingObjective.slotWeight - MatchingObjective.coverWeight) * Int64(unfilledSlots)
            + MatchingObjective.coverWeight * Int64(uncoveredSlots) + Int64(preference) + Int64(load)
    }
}

public struct MatchingResult: Hashable, Sendable {
    /// Sorted by staff number, then collective code.
    public var proposals: [MatchingProposal]
    public var shortfalls: [MatchingShortfall]
    public var objective: MatchingObjective
    /// Coverage-kind collectives still short of cadres after the proposal, by code.
    public var stillUncovered: [String]
    public var statistics: Statistics

    public struct Statistics: Hashable, Sendable {
        public var nodes: Int
        public var edges: Int
        public var prunedEdges: Int
        public var rounds: Int
        public var dijkstraRuns: Int
    }
}

/// 人岗匹配: proposes pairings that meet the cadres' pairing rules, cover as many collectives as possible,
/// prefer the cadre's own college and wishes and spread extra load — as one min-cost flow:
///
///     source → requirement group (cadre) ─┬→ kind (cadre) → collective → sink
///     source → extra capacity (cadre) ────┘
///
/// A group that cannot be filled drains to the sink at a cost above everything else (a shortfall); unused
/// extra capacity drains at just under the coverage weight, less for busier cadres, so an extra pairing is
/// taken only to cover a collective and goes to the least loaded cadre; a unit reaching a collective that
/// needs no more cover pays the coverage weight. See `MatchingObjective`.
public enum PairingMatcher {
    public static func propose(_ input: MatchingInput) -> MatchingResult {
        let model = MatchingModel(input)
        var extraCandidates: [Int: Set<Int32>] = [:]
        var rounds = 0
        while true {
            rounds += 1
            var built = model.network(extraCandidates: extraCandidates)
            let solved = built.network.solve(source: 0, sink: 1)
            let missed = model.violations(built)
            if missed.isEmpty {
                return model.result(built, rounds: rounds, dijkstraRuns: solved.dijkstraRuns)
            }
            for (node, js) in missed { extraCandidates[node, default: []].formUnion(js) }
        }
    }

    /// The preference part of a proposal's cost; the same for any cadre with the same wish and college.
    static func preference(cadre: Cadre, collective: Collective, wish: MatchingWish?, tags: Set<String>, weights: MatchingWeights) -> MatchingCostBreakdown {
        let college = cadre.unitCode == collective.unitCode ? 0 : weights.otherCollege
        var wishCost = weights.unwished
        if let rank = wish?.collectiveCodes.firstIndex(of: collective.code) {
            wishCost = min(rank * weights.wishRankStep, weights.unwished)
        } else if wish?.collectiveKinds.contains(collective.kind) == true {
            wishCost = min(weights.wishedKind, weights.unwished)
        }
        let expertise = wish.map { !tags.isDisjoint(with: $0.expertise) } == true ? 0 : weights.noExpertise
        return MatchingCostBreakdown(college: college, wish: wishCost, expertise: expertise, load: 0)
    }
}

/// A cadre's open requirements merged so that one collective can serve several rules at once, as the
/// compliance engine counts a pairing toward every rule it fits.
struct MatchingGroup {
    var kinds: Set<CollectiveKind>
    var pairingKinds: Set<Pairing.Kind>
    var count: Int
    var requirements: [PairingRequirement]

    /// Splits overlapping demands into a shared part and the remainders, until no two demands of
    /// different rules overlap.
    static func merge(_ demands: [MatchingGroup]) -> [MatchingGroup] {
        var groups = demands.filter { $0.count > 0 }
        var merged = true
        while merged {
            merged = false
            search: for a in groups.indices {
                for b in groups.indices where b > a {
                    let ga = groups[a], gb = groups[b]
                    let ids = Set(ga.requirements.map(\.ruleID))
                    guard ids.isDisjoint(with: gb.requirements.map(\.ruleID)) else { continue }
                    let kinds = ga.kinds.intersection(gb.kinds), pairingKinds = ga.pairingKinds.intersection(gb.pairingKinds)
                    guard !kinds.isEmpty, !pairingKinds.isEmpty else { continue }
                    let shared = min(ga.count, gb.count)
                    var next = groups.enumerated().filter { $0.offset != a && $0.offset != b }.map(\.element)
                    next.append(MatchingGroup(kinds: kinds, pairingKinds: pairingKinds, count: shared, requirements: ga.requirements + gb.requirements))
                    if ga.count > shared { next.append(MatchingGroup(kinds: ga.kinds, pairingKinds: ga.pairingKinds, count: ga.count - shared, requirements: ga.requirements)) }
                    if gb.count > shared { next.append(MatchingGroup(kinds: gb.kinds, pairingKinds: gb.pairingKinds, count: gb.count - shared, requirements: gb.requirements)) }
                    groups = next
                    merged = true
                    break search
                }
            }
        }
        return groups.sorted { ($0.ruleKey, $0.count) < ($1.ruleKey, $1.count) }
    }

    var ruleKey: String { requirements.map(\.ruleID).joined(separator: "\u{1}") }

    /// The pairing kind a proposal for this group gets: plain linking when the rule accepts it.
    var proposedKind: Pairing.Kind { pairingKinds.contains(.linked) ? .linked : .honoraryClassHead }
}
