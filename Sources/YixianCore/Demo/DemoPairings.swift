import Foundation

/// Who is linked to what in the current academic year. The rules mirror the seed policies:
/// school leaders link a class and, if party members, a student party branch (苏州大学);
/// middle-level cadres link one collective, mostly in their own college (东南大学); some
/// directors are honorary class heads of freshman classes (湖南科技大学); every cadre has one
/// key student (苏州大学). About 5 % of classes are left with nobody, so coverage gaps show.
extension DemoUniversityBuilder {
    private struct PairingState {
        var reservedClasses: Set<Int> = []
        var linkCount: [Int]
        var pairingsPerCadre: [Int]
        var firstCollectiveOfCadre: [Int?]
    }

    static let uncoveredClassShare = 0.05

    mutating func buildPairings() {
        let year = academicYears[academicYears.count - 1]
        var state = PairingState(linkCount: Array(repeating: 0, count: collectives.count),
                                 pairingsPerCadre: Array(repeating: 0, count: cadres.count),
                                 firstCollectiveOfCadre: Array(repeating: nil, count: cadres.count))
        let classes = collectives.indices.filter { collectives[$0].kind == .class }
        let reservedCount = Int((Double(classes.count) * DemoUniversityBuilder.uncoveredClassShare).rounded())
        state.reservedClasses = Set(random.shuffled(classes).prefix(reservedCount))

        func link(_ cadre: Int, _ collective: Int, _ kind: Pairing.Kind, _ state: inout PairingState, _ pairings: inout [Pairing]) {
            pairings.append(Pairing(cadreStaffNumber: cadres[cadre].staffNumber, kind: kind, collectiveCode: collectives[collective].code,
                                    academicYearID: year.id, range: year.range))
            state.linkCount[collective] += 1
            state.pairingsPerCadre[cadre] += 1
            if state.firstCollectiveOfCadre[cadre] == nil { state.firstCollectiveOfCadre[cadre] = collective }
        }

        let collegeCodes = colleges.map(\.code)
        var leaderNumber = 0
        for c in cadres.indices {
            let cadre = cadres[c]
            let ownCollege = collegeCodes.contains(cadre.unitCode) ? cadre.unitCode : nil
            switch cadre.rank {
            case .schoolLeader:
                // Spread leaders over colleges rather than piling onto one.
                let college = collegeCodes[leaderNumber % collegeCodes.count]
                if let target = pick(.class, in: college, state: state) { link(c, target, .linked, &state, &pairings) }
                if cadre.partyMember, let branch = pick(.partyBranch, in: collegeCodes[(leaderNumber + 1) % collegeCodes.count], state: state) {
                    link(c, branch, .linked, &state, &pairings)
                }
                if leaderNumber % 3 == 0, let freshmen = pick(.class, in: college, freshmenOnly: true, state: state) {
                    link(c, freshmen, .honoraryClassHead, &state, &pairings)
                }
                leaderNumber += 1
            case .partyCommitteeMember, .director, .deputyDirector:
                let kind = collectiveKind(for: cadre, inCollege: ownCollege != nil)
                let college = ownCollege.flatMap { random.chance(0.9) ? $0 : nil } ?? random.element(of: collegeCodes)
                if let target = pick(kind, in: college, state: state) ?? pick(.class, in: college, state: state) {
                    link(c, target, .linked, &state, &pairings)
                }
                if cadre.rank != .deputyDirector, random.chance(0.25),
                   let freshmen = pick(.class, in: ownCollege ?? random.element(of: collegeCodes), freshmenOnly: true, state: state) {
                    link(c, freshmen, .honoraryClassHead, &state, &pairings)
                }
            case .sectionChief, .deputySectionChief, .staff:
                break
            }
        }

        // Close the remaining gaps with the college's own cadres, least busy first.
        for target in classes where state.linkCount[target] == 0 && !state.reservedClasses.contains(target) {
            let unit = collectives[target].unitCode
            let candidates = cadres.indices.filter { cadres[$0].unitCode == unit }
            guard let cadre = candidates.min(by: { (state.pairingsPerCadre[$0], $0) < (state.pairingsPerCadre[$1], $1) }) else { continue }
            link(cadre, target, .linked, &state, &pairings)
        }

        // One key student each, preferably from the cadre's own collective and, half the time,
        // one of the students in special difficulty there.
        var taken = Set<Int>()
        let everyone = Array(students.indices)
        let inDifficulty = students.map { sensitive[$0.studentNumber] != nil }
        for c in cadres.indices {
            let pool = state.firstCollectiveOfCadre[c].map { members[$0] } ?? studentIndicesByCollege[cadres[c].unitCode] ?? everyone
            guard !pool.isEmpty else { continue }
            var student: Int?
            if random.chance(0.5) {
                let vulnerable = pool.filter { inDifficulty[$0] && !taken.contains($0) }
                if !vulnerable.isEmpty { student = random.element(of: vulnerable) }
            }
            if student == nil {
                // Pools are large and mostly free, so a few random draws almost always hit.
                for _ in 0..<16 where student == nil {
                    let candidate = random.element(of: pool)
                    if !taken.contains(candidate) { student = candidate }
                }
            }
            if student == nil, let any = pool.first(where: { !taken.contains($0) }) { student = any }
            guard let student else { continue }
            taken.insert(student)
            pairings.append(Pairing(cadreStaffNumber: cadres[c].staffNumber, kind: .keyStudent, studentNumber: students[student].studentNumber,
                                    academicYearID: year.id, range: year.range))
        }
    }

    /// What a middle-level cadre links to: logistics, infrastructure and security heads go to
    /// dorms, student-work heads to classes, others by a realistic mix.
    private mutating func collectiveKind(for cadre: Cadre, inCollege: Bool) -> CollectiveKind {
        let tags = Set(cadre.tags)
        if !tags.isDisjoint(with: ["logistics", "infrastructure", "security"]) { return .dorm }
        if tags.contains("student-work") && !inCollege { return .class }
        let mix: [(CollectiveKind, Int)] = inCollege
            ? [(.class, 55), (.leagueBranch, 10), (.partyBranch, 10), (.dorm, 15), (.lab, 10)]
            : [(.class, 50), (.dorm, 20), (.club, 15), (.leagueBranch, 10), (.partyBranch, 5)]
        return DemoWeightedTable(mix).pick(&random)
    }

    /// A collective of `kind` in `college` (clubs: anywhere), preferring ones nobody links yet.
    /// Classes reserved as gaps are never picked.
    private mutating func pick(_ kind: CollectiveKind, in college: String, freshmenOnly: Bool = false, state: PairingState) -> Int? {
        let pool = collectives.indices.filter { i in
            let candidate = collectives[i]
            guard candidate.kind == kind, kind == .club || candidate.unitCode == college else { return false }
            if kind == .class && state.reservedClasses.contains(i) { return false }
            return !freshmenOnly || candidate.grade == intakeYear
        }
        let fresh = pool.filter { state.linkCount[$0] == 0 }
        let choices = fresh.isEmpty ? pool : fresh
        return choices.isEmpty ? nil : random.element(of: choices)
    }
}
