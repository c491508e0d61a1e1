import Testing
@testable import YixianCore

@Suite struct PairingMatchingTests {
    typealias F = PairingFixtures

    // MARK: Brute force

    /// A random small case: 3 cadres in two colleges, 6 collectives, the fixture policy's two rules,
    /// random wishes, tags, kept pairings and capacities.
    static func smallCase(seed: UInt64, candidatesPerKind: Int) -> MatchingInput {
        var random = MatchingBenchmarkRandom(seed: seed)
        let kinds: [CollectiveKind] = [.class, .class, .partyBranch, .dorm]
        let collectives = (0..<5).map { F.collective("K\($0)", kinds[random.next(kinds.count)], unit: random.next(2) == 0 ? "CS" : "EE") }
        let cadres = (0..<3).map { F.cadre("S\($0)", unit: ["CS", "EE", "ORG"][random.next(3)], party: random.next(3) > 0) }
        let existing = random.next(2) == 0 ? [F.pairing("S0", collectives[random.next(5)].code)] : []
        let wishes = cadres.filter { _ in random.next(2) == 0 }.map {
            MatchingWish(staffNumber: $0.staffNumber, collectiveCodes: [collectives[random.next(5)].code, collectives[random.next(5)].code],
                         collectiveKinds: random.next(2) == 0 ? [.dorm] : [], expertise: ["ai"])
        }
        var options = MatchingOptions()
        options.maximumPerCadre = 2 + random.next(2)
        options.candidatesPerKind = candidatesPerKind
        if random.next(2) == 0 { options.capacity[collectives[random.next(5)].code] = 2 }
        return MatchingInput(cadres: cadres, collectives: collectives, existing: existing,
                             requirements: PairingRequirements.derive(policy: F.policy, cadres: cadres, units: F.units),
                             wishes: wishes, collectiveTags: [collectives[random.next(5)].code: ["ai"]],
                             academicYearID: F.yearID, asOf: F.yearStart, options: options)
    }

    /// The objective of one assignment (cadre → set of collectives), straight from its definition in
    /// `MatchingObjective`: nil when the assignment breaks a hard constraint.
    static func score(_ input: MatchingInput, _ assignment: [[Collective]]) -> Int64? {
        let options = input.options
        var taken: [String: Int] = [:]
        var objective = MatchingObjective(unfilledSlots: 0, uncoveredSlots: 0, preference: 0, load: 0)
        for (cadre, chosen) in zip(input.cadres, assignment) {
            let held = input.existing.filter { $0.cadreStaffNumber == cadre.staffNumber }.compactMap(\.collectiveCode)
            let heldKinds = held.compactMap { code in input.collectives.first { $0.code == code }?.kind }
            let open = (input.requirements[cadre.staffNumber] ?? []).map { requirement in
                (kinds: requirement.collectiveKinds!, count: max(0, requirement.minimum - heldKinds.filter(requirement.collectiveKinds!.contains).count))
            }
            let base = held.count + open.reduce(0) { $0 + $1.count }
            let extras = max(0, options.maximumPerCadre - base)
            // Fill as many requirement slots as the chosen collectives allow; the rest must be classes taken as extras.
            func best(_ i: Int, _ left: [Int], _ extrasLeft: Int) -> Int? {
                if i == chosen.count { return 0 }
                var result: Int?
                for g in open.indices where left[g] > 0 && open[g].kinds.contains(chosen[i].kind) {
                    var next = left
                    next[g] -= 1
                    if let r = best(i + 1, next, extrasLeft) { result = max(result ?? 0, r + 1) }
                }
                if extrasLeft > 0 && options.coverageKinds.contains(chosen[i].kind), let r = best(i + 1, left, extrasLeft - 1) {
                    result = max(result ?? 0, r)
                }
                return result
            }
            guard let filled = best(0, open.map(\.count), extras) else { return nil }
            let wish = input.wishes.first { $0.staffNumber == cadre.staffNumber }
            for collective in chosen {
                if held.contains(collective.code) || (collective.kind == .partyBranch && !cadre.partyMember) { return nil }
                taken[collective.code, default: 0] += 1
                objective.preference += PairingMatcher.preference(cadre: cadre, collective: collective, wish: wish,
                                                                  tags: Set(input.collectiveTags[collective.code] ?? []),
                                                                  weights: options.weights).total
            }
            objective.unfilledSlots += open.reduce(0) { $0 + $1.count } - filled
            for i in 0..<(chosen.count - filled) { objective.load += options.weights.load * (base + i) }
        }
        for collective in input.collectives {
            let before = input.existing.filter { $0.collectiveCode == collective.code }.count
            let now = taken[collective.code] ?? 0
            if before + now > (options.capacity[collective.code] ?? options.capacityPerCollective) { return nil }
            if options.coverageKinds.contains(collective.kind) { objective.uncoveredSlots += max(0, options.coverageAtLeast - before - now) }
        }
        return objective.score
    }

    static func bruteForce(_ input: MatchingInput) -> Int64 {
        let subsets = (0..<(1 << input.collectives.count)).map { mask in input.collectives.indices.filter { mask >> $0 & 1 == 1 }.map { input.collectives[$0] } }
            .filter { $0.count <= input.options.maximumPerCadre }
        var best = Int64.max
        func walk(_ c: Int, _ assignment: [[Collective]]) {
            if c == input.cadres.count {
                if let s = score(input, assignment) { best = min(best, s) }
                return
            }
            for subset in subsets { walk(c + 1, assignment + [subset]) }
        }
        walk(0, [])
        return best
    }

    @Test(arguments: 0..<12)
    func optimalAgainstBruteForce(seed: Int) throws {
        for candidates in [1, 12] {
            // setup
            let input = Self.smallCase(seed: UInt64(seed), candidatesPerKind: candidates)
            // act
            let result = PairingMatcher.propose(input)
            // check: the optimum, and the reported objective is the one the proposals really have
            let proposed = input.cadres.map { cadre in
                result.proposals.filter { $0.staffNumber == cadre.staffNumber }.map { p in input.collectives.first { $0.code == p.collectiveCode }! }
            }
            #expect(result.objective.score == Self.bruteForce(input), "seed \(seed), candidates \(candidates)")
            #expect(Self.score(input, proposed) == result.objective.score)
        }
    }

    // MARK: Properties at scale

    @Test func requirementsAndCapacitiesHoldOnAMidSizedUniversity() {
        // setup
        let input = MatchingBenchmark.syntheticInput(cadres: 90, collectives: 300, seed: 7)
        let kindOf = Dictionary(uniqueKeysWithValues: input.collectives.map { ($0.code, $0.kind) })
        // act
        let result = PairingMatcher.propose(input)
        // check: each cadre without a shortfall meets every rule with kept plus proposed pairings
        let all = input.existing + result.proposals.map { $0.pairing(academicYearID: F.yearID, range: F.year) }
        let short = Set(result.shortfalls.map(\.staffNumber))
        for cadre in input.cadres where !short.contains(cadre.staffNumber) {
            for requirement in input.requirements[cadre.staffNumber] ?? [] {
                let has = all.filter { $0.cadreStaffNumber == cadre.staffNumber && requirement.counts($0, collectiveKind: kindOf[$0.collectiveCode!]) }.count
                #expect(has >= requirement.minimum, "\(cadre.staffNumber) \(requirement.ruleID)")
            }
            #expect(!result.proposals.contains { $0.staffNumber == cadre.staffNumber && kindOf[$0.collectiveCode] == .partyBranch && !cadre.partyMember })
        }
        var perCollective: [String: Int] = [:]
        for pairing in all { perCollective[pairing.collectiveCode!, default: 0] += 1 }
        #expect(perCollective.values.allSatisfy { $0 <= 1 })
        #expect(result.statistics.prunedEdges > 0)
        #expect(result.proposals.allSatisfy { !$0.reasons.isEmpty })
    }

    @Test func sameInputSameProposalWhateverTheOrder() {
        // setup
        let input = MatchingBenchmark.syntheticInput(cadres: 60, collectives: 200, seed: 11)
        var shuffled = input
        shuffled.cadres.reverse()
        shuffled.collectives.reverse()
        shuffled.wishes.reverse()
        // act
        let first = PairingMatcher.propose(input)
        let again = PairingMatcher.propose(input)
        let reordered = PairingMatcher.propose(shuffled)
        // check
        #expect(first == again)
        #expect(first.proposals == reordered.proposals)
        #expect(!first.proposals.isEmpty)
    }

    // MARK: Stories

    @Test func proposalExplainsItselfInBothLanguages() throws {
        // setup: one party member in CS who wishes for a CS party branch first
        let cadres = [F.cadre("A", unit: "CS")]
        let collectives = [F.collective("CS-C1", .class, unit: "CS"), F.collective("CS-P1", .partyBranch, unit: "CS"),
                           F.collective("EE-P1", .partyBranch, unit: "EE")]
        let input = MatchingInput(cadres: cadres, collectives: collectives,
                                  requirements: PairingRequirements.derive(policy: F.policy, cadres: cadres, units: F.units),
                                  wishes: [MatchingWish(staffNumber: "A", collectiveCodes: ["CS-P1"])],
                                  academicYearID: F.yearID, asOf: F.yearStart)
        // act
        let result = PairingMatcher.propose(input)
        // check
        #expect(result.proposals.map(\.collectiveCode) == ["CS-C1", "CS-P1"])
        let branch = try #require(result.proposals.last)
        #expect(branch.ruleIDs == ["party-branch"])
        #expect(branch.reasons.map(\.zh) == ["满足“党员联系党支部”要求", "本学院", "志愿第 1 位"])
        #expect(branch.reasons.map(\.en) == ["Meets “党员联系党支部”", "Own college", "Wish #1"])
        #expect(branch.cost == MatchingCostBreakdown(college: 0, wish: 0, expertise: 20, load: 0))
        #expect(result.proposals.first?.reasons.first?.zh == "满足“联系 1 个班级”要求")
        #expect(result.shortfalls.isEmpty)
    }

    @Test func unsatisfiableRequirementsAreReportedNotCrashedOn() throws {
        // setup: two party members, one party branch, and a non-member who may not take it
        let cadres = [F.cadre("A", unit: "CS"), F.cadre("B", unit: "CS"), F.cadre("C", unit: "CS", party: false)]
        let collectives = [F.collective("CS-P1", .partyBranch, unit: "CS"), F.collective("CS-C1", .class, unit: "CS"),
                           F.collective("CS-C2", .class, unit: "CS"), F.collective("CS-C3", .class, unit: "CS")]
        let input = MatchingInput(cadres: cadres, collectives: collectives,
                                  requirements: PairingRequirements.derive(policy: F.policy, cadres: cadres, units: F.units),
                                  academicYearID: F.yearID, asOf: F.yearStart)
        // act
        let result = PairingMatcher.propose(input)
        // check
        let shortfall = try #require(result.shortfalls.first)
        #expect(result.shortfalls.count == 1)
        #expect(shortfall.ruleIDs == ["party-branch"])
        #expect(shortfall.missing == 1)
        #expect(shortfall.message.en.contains("short of 1 party branch"))
        // It says why, counted, and what to do: the only branch went to the other member in this run.
        #expect(shortfall.message.zh.contains("全校共 1 个学生党支部，1 个已在本次建议中分给其他干部"), "\(shortfall.message.zh)")
        #expect(shortfall.message.zh.contains("手动添加结对"))
        #expect(result.objective.unfilledSlots == 1)
        #expect(result.proposals.filter { $0.collectiveCode == "CS-P1" }.count == 1)
        #expect(!result.proposals.contains { $0.staffNumber == "C" && $0.collectiveCode == "CS-P1" })
        #expect(result.stillUncovered.isEmpty)
    }

    @Test func shortfallsCountWhyAndRaisingTheLimitFillsThem() throws {
        // setup: the only class, CS-C1, is already held by B — full at one cadre per class — so A's
        // class requirement cannot be met.
        let cadres = [F.cadre("A", unit: "CS"), F.cadre("B", unit: "CS")]
        let collectives = [F.collective("CS-C1", .class, unit: "CS"), F.collective("CS-P1", .partyBranch, unit: "CS"),
                           F.collective("CS-P2", .partyBranch, unit: "CS")]
        let held = [Pairing(cadreStaffNumber: "B", kind: .linked, collectiveCode: "CS-C1", academicYearID: F.yearID, range: F.year)]
        var input = MatchingInput(cadres: cadres, collectives: collectives, existing: held,
                                  requirements: PairingRequirements.derive(policy: F.policy, cadres: cadres, units: F.units),
                                  academicYearID: F.yearID, asOf: F.yearStart)
        // act
        let result = PairingMatcher.propose(input)
        // check: the one class is full, and the message names the limit that makes it so
        let shortfall = try #require(result.shortfalls.first { $0.staffNumber == "A" })
        #expect(shortfall.message.zh.contains("全校共 1 个班级，1 个已有1 名干部联系（已满额）"), "\(shortfall.message.zh)")
        #expect(shortfall.message.en.contains("of 1 class in the school, 1 already have 1 cadre(s) (full)"), "\(shortfall.message.en)")
        // act: the way forward the message offers — two cadres per collective
        input.options.capacityPerCollective = 2
        let raised = PairingMatcher.propose(input)
        #expect(!raised.shortfalls.contains { $0.staffNumber == "A" })
        #expect(raised.proposals.contains { $0.staffNumber == "A" && $0.collectiveCode == "CS-C1" })
    }

    @Test func aKindTheRosterLacksIsNamedAsSuch() throws {
        // setup: a class is required, the school has only party branches
        let cadres = [F.cadre("A", unit: "CS")]
        let collectives = [F.collective("CS-P1", .partyBranch, unit: "CS")]
        let input = MatchingInput(cadres: cadres, collectives: collectives,
                                  requirements: PairingRequirements.derive(policy: F.policy, cadres: cadres, units: F.units),
                                  academicYearID: F.yearID, asOf: F.yearStart)
        // act
        let result = PairingMatcher.propose(input)
        // check
        let shortfall = try #require(result.shortfalls.first)
        #expect(shortfall.message.zh.contains("名册中没有班级"), "\(shortfall.message.zh)")
    }

    @Test func overlappingRulesShareOnePairing() {
        // setup: like 东南大学, a cadre bound by two rules whose kinds overlap needs one collective, not two
        let policy = Policy(id: "overlap", title: "overlap", roles: [PolicyRole(name: "all", selector: .everyone)], rules: [
            PolicyRule(id: "training", subject: .cadres(.role("all")), body: .pairing(PairingRule(collectiveKinds: [.class, .lab], minimum: 1))),
            PolicyRule(id: "student-work", subject: .cadres(.role("all")), body: .pairing(PairingRule(collectiveKinds: [.class, .club], minimum: 1))),
        ])
        let cadres = [F.cadre("A", unit: "CS")]
        let collectives = [F.collective("LAB", .lab, unit: "CS"), F.collective("CLUB", .club, unit: "CS"), F.collective("C1", .class, unit: "EE")]
        var options = MatchingOptions()
        options.coverageKinds = []
        let input = MatchingInput(cadres: cadres, collectives: collectives,
                                  requirements: PairingRequirements.derive(policy: policy, cadres: cadres, units: F.units),
                                  academicYearID: F.yearID, asOf: F.yearStart, options: options)
        // act
        let result = PairingMatcher.propose(input)
        // check: the other college's class serves both rules rather than two own-college collectives
        #expect(result.proposals.map(\.collectiveCode) == ["C1"])
        #expect(result.proposals.first?.ruleIDs.sorted() == ["student-work", "training"])
    }

    @Test func extraCoverageGoesToTheLeastLoadedCadre() {
        // setup: both cadres already meet their rules; B carries two pairings, A one; one class is uncovered
        let cadres = [F.cadre("A", unit: "EE", party: false), F.cadre("B", unit: "EE")]
        let collectives = [F.collective("C1", .class, unit: "CS"), F.collective("C2", .class, unit: "CS"),
                           F.collective("P1", .partyBranch, unit: "CS"), F.collective("NEW", .class, unit: "CS")]
        let existing = [F.pairing("A", "C1"), F.pairing("B", "C2"), F.pairing("B", "P1")]
        let input = MatchingInput(cadres: cadres, collectives: collectives, existing: existing,
                                  requirements: PairingRequirements.derive(policy: F.policy, cadres: cadres, units: F.units),
                                  academicYearID: F.yearID, asOf: F.yearStart)
        // act
        let result = PairingMatcher.propose(input)
        // check
        #expect(result.proposals.map(\.staffNumber) == ["A"])
        #expect(result.proposals.first?.collectiveCode == "NEW")
        #expect(result.proposals.first?.ruleIDs == [])
        #expect(result.proposals.first?.cost.load == 15)
        #expect(result.proposals.first?.reasons.first?.en == "Covers an unpaired class")
        #expect(result.stillUncovered.isEmpty)
    }
}
