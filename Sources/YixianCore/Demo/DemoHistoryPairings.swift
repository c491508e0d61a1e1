import Foundation

extension DemoHistoryBuilder {
    /// Links the policy asks for that the demo's policy-blind pairings lack: a diligent or
    /// partly behind cadre gets them (an honorary class head, a student party branch, the
    /// linked college's student union…), a clearly behind cadre keeps the gap so coverage
    /// pages have something to show. New links go to collectives nobody links yet where
    /// possible, in the college the cadre already links, else the cadre's own college.
    mutating func addRequiredPairings() {
        let year = demo.currentAcademicYear
        let cadreIndex = Dictionary(demo.cadres.enumerated().map { ($1.staffNumber, $0) }, uniquingKeysWith: { a, _ in a })
        var linkCount = Array(repeating: 0, count: demo.collectives.count)
        var held = Array(repeating: [(collective: Int, kind: Pairing.Kind)](), count: demo.cadres.count)
        for pairing in demo.pairings where pairing.academicYearID == year.id {
            guard let c = cadreIndex[pairing.cadreStaffNumber], let code = pairing.collectiveCode, let i = collectiveIndex[code] else { continue }
            linkCount[i] += 1
            held[c].append((i, pairing.kind))
        }
        let rules = policy.rules.compactMap { rule -> (RoleSelector, PairingRule)? in
            guard case .cadres(let selector) = rule.subject, case .pairing(let body) = rule.body, body.collectiveKinds != nil else { return nil }
            return (selector, body)
        }
        let sortedColleges = collegeCodes.sorted()
        for c in demo.cadres.indices where demo.cadres[c].active && diligence[c] != .behind {
            let cadre = demo.cadres[c]
            let unitKind = unitByCode[cadre.unitCode]?.kind
            for (selector, rule) in rules where selector.matches(cadre, unitKind: unitKind, roles: roleSelectors) {
                let kinds = rule.collectiveKinds!.sorted { $0.rawValue < $1.rawValue }
                let pairingKind: Pairing.Kind = rule.pairingKinds.contains(.linked) ? .linked : rule.pairingKinds.min { $0.rawValue < $1.rawValue }!
                func satisfying() -> Int {
                    held[c].count { rule.pairingKinds.contains($0.kind) && kinds.contains(demo.collectives[$0.collective].kind) }
                }
                while satisfying() < rule.minimum {
                    let linkedColleges = held[c].map { demo.collectives[$0.collective].unitCode }.filter(collegeCodes.contains)
                    let colleges = linkedColleges + (collegeCodes.contains(cadre.unitCode) ? [cadre.unitCode] : [])
                        + [sortedColleges[c % sortedColleges.count]]
                    let mine = Set(held[c].map(\.collective))
                    var target: Int?
                    for college in colleges where target == nil {
                        let pool = kinds.flatMap { collectivesByUnitKind[college + "|" + $0.rawValue] ?? [] }.filter { !mine.contains($0) }
                        target = pool.min { (linkCount[$0], $0) < (linkCount[$1], $1) }
                    }
                    guard let target else { break }
                    addedPairings.append(Pairing(cadreStaffNumber: cadre.staffNumber, kind: pairingKind, collectiveCode: demo.collectives[target].code,
                                                 academicYearID: year.id, range: year.range))
                    linkCount[target] += 1
                    held[c].append((target, pairingKind))
                }
            }
        }
    }
}
