@testable import YixianCore

/// Named builders for the pairing tests.
enum PairingFixtures {
    static let yearID = "2025-2026"
    static let yearStart = LocalDate(year: 2025, month: 9, day: 1)!
    static let yearEnd = LocalDate(year: 2026, month: 8, day: 31)!
    static var year: DateRange { DateRange(start: yearStart, end: yearEnd) }

    static func cadre(_ staff: String, unit: String, party: Bool = true, rank: Rank = .deputyDirector) -> Cadre {
        Cadre(staffNumber: staff, name: "干部\(staff)", unitCode: unit, posts: [], rank: rank, partyMember: party)
    }

    static func collective(_ code: String, _ kind: CollectiveKind, unit: String) -> Collective {
        Collective(code: code, name: code, kind: kind, unitCode: unit, grade: 2024, size: 30)
    }

    static func pairing(_ staff: String, _ code: String, kind: Pairing.Kind = .linked, range: DateRange = year) -> Pairing {
        Pairing(cadreStaffNumber: staff, kind: kind, collectiveCode: code, academicYearID: yearID, range: range)
    }

    static let units = [
        // The university's own order: by name alone 电子 would come before 计算机.
        Unit(code: "CS", name: "计算机学院", kind: .college, sortOrder: 1),
        Unit(code: "EE", name: "电子学院", kind: .college, sortOrder: 2),
        Unit(code: "ORG", name: "组织部", kind: .functionalDepartment, sortOrder: 3),
    ]

    /// Every cadre links a class; party members also a party branch; every class of a college is covered.
    static let policy = Policy(id: "pairing-test", title: "结对测试", roles: [
        PolicyRole(name: "cadre", selector: .everyone),
        PolicyRole(name: "party-cadre", selector: .match(CadreCriteria(partyMember: true))),
    ], rules: [
        PolicyRule(id: "link-class", title: "联系 1 个班级", subject: .cadres(.role("cadre")),
                   body: .pairing(PairingRule(collectiveKinds: [.class], minimum: 1))),
        PolicyRule(id: "party-branch", title: "党员联系党支部", subject: .cadres(.role("party-cadre")),
                   body: .pairing(PairingRule(collectiveKinds: [.partyBranch], minimum: 1))),
        PolicyRule(id: "every-class", title: "每个班级有人联系", subject: .units(UnitSelector(kinds: [.college])),
                   body: .coverage(CoverageRule(collectiveKinds: [.class]))),
    ])
}
