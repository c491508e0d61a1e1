import Foundation

/// A cadre whose pairings fall short of (or exceed) one of their pairing rules.
public struct PairingGap: Hashable, Sendable {
    public enum Problem: String, Sendable, Hashable, Codable {
        case missing
        case overMaximum = "over-maximum"
    }

    public var staffNumber: String
    public var unitCode: String
    public var ruleID: String
    public var ruleTitle: String
    public var severity: PolicyRule.Severity
    public var problem: Problem
    public var required: Int
    public var maximum: Int?
    public var has: Int
    /// Collective codes (or student numbers) that count toward the rule.
    public var counted: [String]
    public var message: Localized
}

/// A collective below a coverage rule's number of cadres.
public struct CoverageRuleGap: Hashable, Sendable {
    public var ruleID: String
    public var collectiveCode: String
    public var unitCode: String
    public var kind: CollectiveKind
    public var required: Int
    public var has: Int
}

public struct CoverageCell: Hashable, Sendable {
    public var collectives: Int
    public var covered: Int
    /// nil when there is no collective to cover (a blank cell on the heat map, not a red one).
    public var ratio: Double? { collectives == 0 ? nil : Double(covered) / Double(collectives) }

    public init(collectives: Int = 0, covered: Int = 0) {
        self.collectives = collectives
        self.covered = covered
    }
}

public struct CoverageMatrixRow: Hashable, Sendable {
    public var unitCode: String
    public var unitName: String
    /// One cell per `CoverageMatrix.kinds`, in that order.
    public var cells: [CoverageCell]
    public var total: CoverageCell
}

/// Units × collective kinds, for the heat map; `school` sums each column.
public struct CoverageMatrix: Hashable, Sendable {
    public var kinds: [CollectiveKind]
    public var rows: [CoverageMatrixRow]
    public var school: CoverageMatrixRow

    public func cell(unit: String, kind: CollectiveKind) -> CoverageCell? {
        guard let column = kinds.firstIndex(of: kind) else { return nil }
        return rows.first { $0.unitCode == unit }?.cells[column]
    }
}

public struct PairingCoverageReport: Hashable, Sendable {
    public var academicYearID: String
    public var asOf: LocalDate
    /// Active collectives no cadre is paired with on `asOf`, by unit, kind and code.
    public var uncovered: [Collective]
    public var cadreGaps: [PairingGap]
    public var coverageRuleGaps: [CoverageRuleGap]
    public var matrix: CoverageMatrix
}

public enum PairingCoverage {
    /// Who covers what on `asOf` within one academic year: uncovered collectives, cadres short of their
    /// pairing rules (with the rule and what is missing), coverage-rule gaps and the unit × kind matrix.
    public static func analyze(policy: Policy, units: [Unit], cadres: [Cadre], collectives: [Collective],
                               pairings: [Pairing], academicYearID: String, asOf: LocalDate) -> PairingCoverageReport {
        let active = pairings.filter { $0.academicYearID == academicYearID && $0.range.contains(asOf) }
        let collectiveByCode = Dictionary(collectives.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        var cadresByCollective: [String: [(staff: String, kind: Pairing.Kind)]] = [:]
        var pairingsByCadre: [String: [Pairing]] = [:]
        for pairing in active {
            pairingsByCadre[pairing.cadreStaffNumber, default: []].append(pairing)
            if let code = pairing.collectiveCode { cadresByCollective[code, default: []].append((pairing.cadreStaffNumber, pairing.kind)) }
        }
        let live = collectives.filter(\.active).sorted { ($0.unitCode, $0.kind.pairingTableOrder, $0.code) < ($1.unitCode, $1.kind.pairingTableOrder, $1.code) }
        let uncovered = live.filter { cadresByCollective[$0.code] == nil }

        var cadreGaps: [PairingGap] = []
        let requirements = PairingRequirements.derive(policy: policy, cadres: cadres, units: units)
        for cadre in cadres.sorted(by: { $0.staffNumber < $1.staffNumber }) {
            for requirement in requirements[cadre.staffNumber] ?? [] {
                let counted = Set((pairingsByCadre[cadre.staffNumber] ?? []).filter {
                    requirement.counts($0, collectiveKind: $0.collectiveCode.flatMap { collectiveByCode[$0]?.kind })
                }.map { $0.collectiveCode ?? $0.studentNumber ?? "" }).sorted()
                let problem: PairingGap.Problem
                let message: Localized
                if counted.count < requirement.minimum {
                    problem = .missing
                    message = requirement.gapMessage(has: counted.count)
                } else if let maximum = requirement.maximum, counted.count > maximum {
                    problem = .overMaximum
                    let limit = requirement.need(maximum)
                    message = Localized(zh: "最多联系 \(limit.zh)，现有 \(counted.count) 个", en: "at most \(limit.en), has \(counted.count)")
                } else { continue }
                cadreGaps.append(PairingGap(staffNumber: cadre.staffNumber, unitCode: cadre.unitCode, ruleID: requirement.ruleID,
                                            ruleTitle: requirement.title, severity: requirement.severity, problem: problem,
                                            required: requirement.minimum, maximum: requirement.maximum, has: counted.count,
                                            counted: counted, message: message))
            }
        }

        var ruleGaps: [CoverageRuleGap] = []
        for rule in policy.rules {
            guard case .coverage(let body) = rule.body else { continue }
            let bound: (Collective) -> Bool
            switch rule.subject {
            case .school: bound = { _ in true }
            case .units(let selector):
                let codes = Set(units.filter { $0.active && selector.matches($0) }.map(\.code))
                bound = { codes.contains($0.unitCode) }
            case .cadres: continue
            }
            for collective in live where body.collectiveKinds.contains(collective.kind) && bound(collective) {
                let has = Set((cadresByCollective[collective.code] ?? []).filter { body.pairingKinds.contains($0.kind) }.map(\.staff)).count
                if has < body.atLeast {
                    ruleGaps.append(CoverageRuleGap(ruleID: rule.id, collectiveCode: collective.code, unitCode: collective.unitCode,
                                                    kind: collective.kind, required: body.atLeast, has: has))
                }
            }
        }

        return PairingCoverageReport(academicYearID: academicYearID, asOf: asOf, uncovered: uncovered, cadreGaps: cadreGaps,
                                     coverageRuleGaps: ruleGaps,
                                     matrix: matrix(live, units: units, covered: { cadresByCollective[$0.code] != nil }))
    }

    private static func matrix(_ collectives: [Collective], units: [Unit], covered: (Collective) -> Bool) -> CoverageMatrix {
        let kinds = CollectiveKind.allCases.filter { kind in collectives.contains { $0.kind == kind } }
        let column = Dictionary(uniqueKeysWithValues: kinds.enumerated().map { ($1, $0) })
        let names = Dictionary(units.map { ($0.code, $0.name) }, uniquingKeysWith: { first, _ in first })
        var cellsByUnit: [String: [CoverageCell]] = [:]
        var school = [CoverageCell](repeating: CoverageCell(), count: kinds.count)
        for collective in collectives {
            let c = column[collective.kind]!
            let hit = covered(collective) ? 1 : 0
            cellsByUnit[collective.unitCode, default: [CoverageCell](repeating: CoverageCell(), count: kinds.count)][c].collectives += 1
            cellsByUnit[collective.unitCode]![c].covered += hit
            school[c].collectives += 1
            school[c].covered += hit
        }
        func row(_ code: String, _ name: String, _ cells: [CoverageCell]) -> CoverageMatrixRow {
            CoverageMatrixRow(unitCode: code, unitName: name, cells: cells,
                              total: CoverageCell(collectives: cells.reduce(0) { $0 + $1.collectives }, covered: cells.reduce(0) { $0 + $1.covered }))
        }
        let position = Dictionary(units.sorted(by: Unit.inUniversityOrder).enumerated().map { ($1.code, $0) }, uniquingKeysWith: { first, _ in first })
        let rows = cellsByUnit.keys.sorted { (position[$0] ?? Int.max, $0) < (position[$1] ?? Int.max, $1) }
            .map { row($0, names[$0] ?? $0, cellsByUnit[$0]!) }
        return CoverageMatrix(kinds: kinds, rows: rows, school: row(Filing.schoolUnitCode, "学校", school))
    }
}

extension CollectiveKind {
    /// Column order of tables: the order the policy documents list kinds in.
    var pairingTableOrder: Int { CollectiveKind.allCases.firstIndex(of: self)! }
}
