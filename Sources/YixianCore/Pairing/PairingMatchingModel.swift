import Foundation

/// The matching problem indexed for the flow network: integer ids, open requirements, capacities.
struct MatchingModel {
    let input: MatchingInput
    let weights: MatchingWeights
    let cadres: [Cadre]
    let collectives: [Collective]
    let wishes: [MatchingWish?]
    let tags: [Set<String>]
    /// Per cadre: collectives it already holds (never proposed again).
    let held: [Set<Int32>]
    /// Per collective: cadres it may still take, and cover it still lacks (coverage kinds only).
    let room: [Int]
    let deficit: [Int]
    let groups: [[MatchingGroup]]
    /// Per cadre: pairings carried before extras (kept + required), and extras allowed.
    let base: [Int]
    let extra: [Int]
    /// Per cadre: kinds it gets a node for.
    let kinds: [[CollectiveKind]]
    /// Per kind: collectives with room, those lacking cover first.
    let byKind: [CollectiveKind: [Int32]]
    let ownByUnitKind: [String: [CollectiveKind: [Int32]]]
    let byTagKind: [String: [CollectiveKind: [Int32]]]
    let indexByCode: [String: Int32]

    init(_ input: MatchingInput) {
        self.input = input
        let options = input.options
        weights = options.weights
        cadres = input.cadres.filter(\.active).sorted { $0.staffNumber < $1.staffNumber }
        let collectives = input.collectives.filter(\.active).sorted { $0.code < $1.code }
        self.collectives = collectives
        let indexByCode = Dictionary(collectives.enumerated().map { ($1.code, Int32($0)) }, uniquingKeysWith: { first, _ in first })
        self.indexByCode = indexByCode
        let wishByStaff = Dictionary(input.wishes.map { ($0.staffNumber, $0) }, uniquingKeysWith: { first, _ in first })
        wishes = cadres.map { wishByStaff[$0.staffNumber] }
        tags = collectives.map { Set(input.collectiveTags[$0.code] ?? []) }

        let running = input.existing.filter { $0.academicYearID == input.academicYearID && $0.range.contains(input.asOf) }
        var heldByStaff: [String: [Pairing]] = [:]
        var holders = [Set<String>](repeating: [], count: collectives.count)
        for pairing in running {
            heldByStaff[pairing.cadreStaffNumber, default: []].append(pairing)
            if let j = pairing.collectiveCode.flatMap({ indexByCode[$0] }) { holders[Int(j)].insert(pairing.cadreStaffNumber) }
        }
        held = cadres.map { cadre in Set((heldByStaff[cadre.staffNumber] ?? []).compactMap { $0.collectiveCode.flatMap { indexByCode[$0] } }) }
        room = collectives.indices.map { max(0, (options.capacity[collectives[$0].code] ?? options.capacityPerCollective) - holders[$0].count) }
        deficit = collectives.indices.map {
            options.coverageKinds.contains(collectives[$0].kind) ? max(0, options.coverageAtLeast - holders[$0].count) : 0
        }

        let kindOf: (Pairing) -> CollectiveKind? = { $0.collectiveCode.flatMap { indexByCode[$0] }.map { collectives[Int($0)].kind } }
        var groups: [[MatchingGroup]] = [], base: [Int] = [], extra: [Int] = [], kinds: [[CollectiveKind]] = []
        for cadre in cadres {
            let mine = heldByStaff[cadre.staffNumber] ?? []
            let allowed = Set(CollectiveKind.allCases.filter { $0 != .partyBranch || cadre.partyMember || !options.partyBranchesForPartyMembersOnly })
            var demands: [MatchingGroup] = []
            var extraLimit = max(0, options.maximumPerCadre)
            var open = 0
            for requirement in input.requirements[cadre.staffNumber] ?? []
            where requirement.needsCollective && (options.includeAdvisory || requirement.severity == .required) {
                let has = Set(mine.filter { requirement.counts($0, collectiveKind: kindOf($0)) }.map(\.handoverTarget)).count
                let missing = max(0, requirement.minimum - has)
                open += missing
                let ruleKinds = requirement.collectiveKinds ?? Set(CollectiveKind.allCases)
                demands.append(MatchingGroup(kinds: ruleKinds.intersection(allowed),
                                             pairingKinds: requirement.pairingKinds.intersection([.linked, .honoraryClassHead]),
                                             count: missing, requirements: [requirement]))
                if let maximum = requirement.maximum, !ruleKinds.isDisjoint(with: options.coverageKinds) {
                    extraLimit = min(extraLimit, max(0, maximum - has - missing))
                }
            }
            let merged = MatchingGroup.merge(demands)
            let carried = mine.filter { $0.collectiveCode != nil }.count + open
            let extras = options.coverageKinds.isDisjoint(with: allowed) ? 0 : max(0, min(extraLimit, options.maximumPerCadre - carried))
            var nodeKinds = merged.reduce(into: Set<CollectiveKind>()) { $0.formUnion($1.kinds) }
            if extras > 0 { nodeKinds.formUnion(options.coverageKinds.intersection(allowed)) }
            groups.append(merged)
            base.append(carried)
            extra.append(extras)
            kinds.append(CollectiveKind.allCases.filter(nodeKinds.contains))
        }
        self.groups = groups
        self.base = base
        self.extra = extra
        self.kinds = kinds

        var byKind: [CollectiveKind: [Int32]] = [:], own: [String: [CollectiveKind: [Int32]]] = [:], byTag: [String: [CollectiveKind: [Int32]]] = [:]
        for (j, collective) in collectives.enumerated() where room[j] > 0 {
            byKind[collective.kind, default: []].append(Int32(j))
            own[collective.unitCode, default: [:]][collective.kind, default: []].append(Int32(j))
            for tag in tags[j] { byTag[tag, default: [:]][collective.kind, default: []].append(Int32(j)) }
        }
        let deficit = self.deficit
        self.byKind = byKind.mapValues { list in list.filter { deficit[Int($0)] > 0 } + list.filter { deficit[Int($0)] == 0 } }
        ownByUnitKind = own
        byTagKind = byTag
    }

    /// Cost of pairing a cadre with a collective no wish, college or expertise singles out.
    func genericPreference(_ c: Int, _ kind: CollectiveKind) -> Int {
        let wishedKind = wishes[c]?.collectiveKinds.contains(kind) == true
        return weights.otherCollege + (wishedKind ? min(weights.wishedKind, weights.unwished) : weights.unwished) + weights.noExpertise
    }

    func preference(_ c: Int, _ j: Int32) -> MatchingCostBreakdown {
        PairingMatcher.preference(cadre: cadres[c], collective: collectives[Int(j)], wish: wishes[c], tags: tags[Int(j)], weights: weights)
    }

    /// Collectives that beat the generic cost for this cadre and kind: own college, wished, expertise.
    func singledOut(_ c: Int, _ kind: CollectiveKind) -> [Int32] {
        var list = ownByUnitKind[cadres[c].unitCode]?[kind] ?? []
        if let wish = wishes[c] {
            list += wish.collectiveCodes.compactMap { indexByCode[$0] }.filter { collectives[Int($0)].kind == kind && room[Int($0)] > 0 }
            for tag in wish.expertise { list += byTagKind[tag]?[kind] ?? [] }
        }
        return list
    }

    struct KindNode {
        var cadre: Int
        var kind: CollectiveKind
        var node: Int
        var key: Int
        var edges: [(j: Int32, edge: Int)]
    }

    struct GroupNode {
        var node: Int
        var unfilledEdge: Int
        var kindEdges: [(kind: CollectiveKind, edge: Int)]
    }

    struct Built {
        var network: MinCostFlowNetwork
        var kindNodes: [KindNode]
        var groupNodes: [[GroupNode]]
        var extraEdges: [[(kind: CollectiveKind, edge: Int)]]
        var coverEdges: [Int?]
        var prunedEdges: Int
    }

    func network(extraCandidates: [Int: Set<Int32>]) -> Built {
        let coverWeight = MatchingObjective.coverWeight
        var network = MinCostFlowNetwork(nodeCount: 2 + collectives.count)
        var coverEdges = [Int?](repeating: nil, count: collectives.count)
        for j in collectives.indices where room[j] > 0 {
            let covering = min(deficit[j], room[j])
            if covering > 0 { coverEdges[j] = network.addEdge(from: 2 + j, to: 1, capacity: covering, cost: 0) }
            if room[j] > covering { network.addEdge(from: 2 + j, to: 1, capacity: room[j] - covering, cost: coverWeight) }
        }
        var kindNodes: [KindNode] = [], groupNodes: [[GroupNode]] = [], extraEdges: [[(kind: CollectiveKind, edge: Int)]] = []
        var full = 0, kept = 0
        var stamp = [Int32](repeating: -1, count: collectives.count)
        for c in cadres.indices {
            var nodeOf: [CollectiveKind: Int] = [:]
            for kind in kinds[c] {
                let node = network.addNode()
                nodeOf[kind] = node
                let key = c * CollectiveKind.allCases.count + kind.pairingTableOrder
                let stampID = Int32(kindNodes.count)
                var chosen: [Int32] = []
                func take(_ j: Int32) {
                    guard stamp[Int(j)] != stampID, !held[c].contains(j) else { return }
                    stamp[Int(j)] = stampID
                    chosen.append(j)
                }
                singledOut(c, kind).forEach(take)
                extraCandidates[key]?.sorted().forEach(take)
                let pool = byKind[kind] ?? []
                full += pool.filter { !held[c].contains($0) }.count
                // Generic candidates: those lacking cover first, each cadre starting at its own place so
                // that cadres with identical costs do not all crowd onto the same few collectives.
                let lacking = pool.prefix { deficit[Int($0)] > 0 }.count
                var generic = 0
                for (segment, start) in [(pool[..<lacking], 0), (pool[lacking...], lacking)] where !segment.isEmpty && generic < input.options.candidatesPerKind {
                    let offset = (c &* 2_654_435_761) % segment.count
                    for step in 0..<segment.count where generic < input.options.candidatesPerKind {
                        let j = pool[start + (offset + step) % segment.count]
                        if stamp[Int(j)] != stampID && !held[c].contains(j) { take(j); generic += 1 }
                    }
                }
                var edges: [(j: Int32, edge: Int)] = []
                for j in chosen {
                    edges.append((j, network.addEdge(from: node, to: 2 + Int(j), capacity: 1, cost: Int64(preference(c, j).total))))
                }
                kept += edges.count
                kindNodes.append(KindNode(cadre: c, kind: kind, node: node, key: key, edges: edges))
            }
            var mine: [GroupNode] = []
            for group in groups[c] {
                let node = network.addNode()
                network.addEdge(from: 0, to: node, capacity: group.count, cost: 0)
                let unfilled = network.addEdge(from: node, to: 1, capacity: group.count, cost: MatchingObjective.slotWeight)
                let edges = CollectiveKind.allCases.filter(group.kinds.contains).compactMap { kind in
                    nodeOf[kind].map { (kind: kind, edge: network.addEdge(from: node, to: $0, capacity: group.count, cost: 0)) }
                }
                mine.append(GroupNode(node: node, unfilledEdge: unfilled, kindEdges: edges))
            }
            groupNodes.append(mine)
            var extras: [(kind: CollectiveKind, edge: Int)] = []
            if extra[c] > 0 {
                let node = network.addNode()
                network.addEdge(from: 0, to: node, capacity: extra[c], cost: 0)
                // Idle capacity drains at rising costs, so the (u+1)-th extra saves coverWeight − load × (base + u).
                for i in 1...extra[c] {
                    network.addEdge(from: node, to: 1, capacity: 1, cost: coverWeight - Int64(weights.load * (base[c] + extra[c] - i)))
                }
                for kind in CollectiveKind.allCases where input.options.coverageKinds.contains(kind) {
                    if let target = nodeOf[kind] { extras.append((kind, network.addEdge(from: node, to: target, capacity: extra[c], cost: 0))) }
                }
            }
            extraEdges.append(extras)
        }
        return Built(network: network, kindNodes: kindNodes, groupNodes: groupNodes, extraEdges: extraEdges,
                     coverEdges: coverEdges, prunedEdges: full - kept)
    }

    /// Pruned edges whose reduced cost under the solution's potentials is negative: adding any of them
    /// could lower the cost, so they must join the graph. None left means the flow is optimal on the full graph.
    func violations(_ built: Built) -> [Int: [Int32]] {
        let potential = built.network.potential
        var missed: [Int: [Int32]] = [:]
        var stamp = [Int32](repeating: -1, count: collectives.count)
        for (index, kindNode) in built.kindNodes.enumerated() {
            for (j, _) in kindNode.edges { stamp[Int(j)] = Int32(index) }
            let reduced = Int64(genericPreference(kindNode.cadre, kindNode.kind)) + potential[kindNode.node]
            for j in byKind[kindNode.kind] ?? [] where stamp[Int(j)] != Int32(index) && !held[kindNode.cadre].contains(j) {
                if reduced - potential[2 + Int(j)] < 0 { missed[kindNode.key, default: []].append(j) }
            }
        }
        return missed
    }

    func result(_ built: Built, rounds: Int, dijkstraRuns: Int) -> MatchingResult {
        let network = built.network
        var proposals: [MatchingProposal] = [], shortfalls: [MatchingShortfall] = []
        var objective = MatchingObjective(unfilledSlots: 0, uncoveredSlots: 0, preference: 0, load: 0)
        var chosenByCadre = [[CollectiveKind: [Int32]]](repeating: [:], count: cadres.count)
        for kindNode in built.kindNodes {
            chosenByCadre[kindNode.cadre][kindNode.kind] = kindNode.edges.filter { network.flow($0.edge) > 0 }.map(\.j)
                .sorted { collectives[Int($0)].code < collectives[Int($1)].code }
        }
        let taken = takenByRun(built)
        for c in cadres.indices {
            var chosen = chosenByCadre[c]
            func next(_ kind: CollectiveKind) -> Int32 { chosen[kind]!.removeFirst() }
            for (group, node) in zip(groups[c], built.groupNodes[c]) {
                for (kind, edge) in node.kindEdges {
                    for _ in 0..<network.flow(edge) {
                        let j = next(kind)
                        let cost = preference(c, j)
                        let reasons = group.requirements.map { Localized(zh: "满足“\($0.title)”要求", en: "Meets “\($0.title)”") }
                        proposals.append(proposal(c, j, kind: group.proposedKind, rules: group.requirements.map(\.ruleID), reasons: reasons, cost: cost))
                    }
                }
                let unfilled = network.flow(node.unfilledEdge)
                if unfilled > 0 {
                    objective.unfilledSlots += unfilled
                    shortfalls.append(shortfall(c, group, missing: unfilled, takenByRun: taken))
                }
            }
            var extraIndex = 0
            for (kind, edge) in built.extraEdges[c] {
                for _ in 0..<network.flow(edge) {
                    let j = next(kind)
                    var cost = preference(c, j)
                    cost.load = weights.load * (base[c] + extraIndex)
                    extraIndex += 1
                    proposals.append(proposal(c, j, kind: .linked, rules: [], reasons: [], cost: cost))
                }
            }
        }
        var stillUncovered: [String] = []
        for j in collectives.indices where deficit[j] > 0 {
            let missing = deficit[j] - (built.coverEdges[j].map(network.flow) ?? 0)
            if missing > 0 {
                objective.uncoveredSlots += missing
                stillUncovered.append(collectives[j].code)
            }
        }
        for p in proposals {
            objective.preference += p.cost.total - p.cost.load
            objective.load += p.cost.load
        }
        proposals.sort { ($0.staffNumber, $0.collectiveCode) < ($1.staffNumber, $1.collectiveCode) }
        return MatchingResult(proposals: proposals, shortfalls: shortfalls, objective: objective, stillUncovered: stillUncovered,
                              statistics: .init(nodes: network.nodeCount, edges: network.edgeCount, prunedEdges: built.prunedEdges,
                                                rounds: rounds, dijkstraRuns: dijkstraRuns))
    }

    /// Per collective: places this run's proposals fill.
    private func takenByRun(_ built: Built) -> [Int] {
        var taken = [Int](repeating: 0, count: collectives.count)
        for kindNode in built.kindNodes {
            for (j, edge) in kindNode.edges { taken[Int(j)] += built.network.flow(edge) }
        }
        return taken
    }

    /// Why a requirement stays unfilled, counted over the collectives of the kinds it asks for, and
    /// what the office can do about it — a bare "nothing to assign" leaves them stuck.
    private func shortfall(_ c: Int, _ group: MatchingGroup, missing: Int, takenByRun: [Int]) -> MatchingShortfall {
        let titles = group.requirements.map { "“\($0.title)”" }.joined(separator: "、")
        let asked = group.requirements.first?.collectiveKinds ?? Set(CollectiveKind.allCases)
        let kinds = PairingRequirement.describe(group.kinds.isEmpty ? asked : group.kinds)
        let head = Localized(zh: "\(titles)还缺 \(missing) 个\(kinds.zh)",
                             en: "\(titles.replacingOccurrences(of: "、", with: ", ")) short of \(missing) \(kinds.en)")
        if group.kinds.isEmpty {
            return MatchingShortfall(staffNumber: cadres[c].staffNumber, ruleIDs: group.requirements.map(\.ruleID), missing: missing, message: Localized(
                zh: head.zh + "：要求的是党支部，按设置只分配给党员干部。可为该干部手动结对其他类型，或核对其政治面貌。",
                en: head.en + ": party branches go to party members only. Pair another kind by hand, or check the cadre's party membership."))
        }
        var total = 0, own = 0, full = 0, taken = 0
        for (j, collective) in collectives.enumerated() where group.kinds.contains(collective.kind) {
            total += 1
            if held[c].contains(Int32(j)) { own += 1 } else if room[j] == 0 { full += 1 } else if takenByRun[j] >= room[j] { taken += 1 }
        }
        if total == 0 {
            return MatchingShortfall(staffNumber: cadres[c].staffNumber, ruleIDs: group.requirements.map(\.ruleID), missing: missing, message: Localized(
                zh: head.zh + "：名册中没有\(kinds.zh)。请先导入学生集体名册，或核对工作规定要求的集体类型。",
                en: head.en + ": the roster has no \(kinds.en). Import the collectives first, or check the kinds the policy asks for."))
        }
        let capacity = input.options.capacityPerCollective
        var parts: [String] = [], partsEn: [String] = []
        if full > 0 { parts.append("\(full) 个已有\(capacity) 名干部联系（已满额）"); partsEn.append("\(full) already have \(capacity) cadre(s) (full)") }
        if own > 0 { parts.append("\(own) 个已由本人联系"); partsEn.append("\(own) already linked to this cadre") }
        if taken > 0 { parts.append("\(taken) 个已在本次建议中分给其他干部"); partsEn.append("\(taken) proposed to other cadres in this run") }
        return MatchingShortfall(staffNumber: cadres[c].staffNumber, ruleIDs: group.requirements.map(\.ruleID), missing: missing, message: Localized(
            zh: head.zh + "：全校共 \(total) 个\(kinds.zh)，" + parts.joined(separator: "、") +
                "。可提高“每个集体最多几名干部联系”后重新匹配，或为该干部手动添加结对。",
            en: head.en + ": of \(total) \(kinds.en) in the school, " + partsEn.joined(separator: ", ") +
                ". Raise “cadres per collective” and match again, or pair this cadre by hand."))
    }

    private func proposal(_ c: Int, _ j: Int32, kind: Pairing.Kind, rules: [String], reasons: [Localized], cost: MatchingCostBreakdown) -> MatchingProposal {
        let collective = collectives[Int(j)], cadre = cadres[c]
        var reasons = reasons
        if deficit[Int(j)] > 0 {
            reasons.append(Localized(zh: "覆盖尚无人联系的\(collective.kind.label.zh)", en: "Covers an unpaired \(collective.kind.label.en.lowercased())"))
        }
        reasons.append(collective.unitCode == cadre.unitCode ? Localized(zh: "本学院", en: "Own college") : Localized(zh: "外学院", en: "Another college"))
        if let rank = wishes[c]?.collectiveCodes.firstIndex(of: collective.code) {
            reasons.append(Localized(zh: "志愿第 \(rank + 1) 位", en: "Wish #\(rank + 1)"))
        } else if wishes[c]?.collectiveKinds.contains(collective.kind) == true {
            reasons.append(Localized(zh: "志愿类型：\(collective.kind.label.zh)", en: "Wished kind: \(collective.kind.label.en.lowercased())"))
        }
        let shared = (wishes[c]?.expertise ?? []).filter(tags[Int(j)].contains)
        if !shared.isEmpty {
            reasons.append(Localized(zh: "专长相符：\(shared.joined(separator: "、"))", en: "Matches expertise: \(shared.joined(separator: ", "))"))
        }
        if cost.load > 0 {
            reasons.append(Localized(zh: "均衡负担：已有 \(cost.load / max(weights.load, 1)) 项联系", en: "Load balanced: already carries \(cost.load / max(weights.load, 1))"))
        }
        return MatchingProposal(staffNumber: cadre.staffNumber, collectiveCode: collective.code, pairingKind: kind,
                                ruleIDs: rules, reasons: reasons, cost: cost)
    }
}
