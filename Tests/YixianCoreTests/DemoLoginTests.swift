import Testing
@testable import YixianCore

@Test func demoLoginsCoverEveryRoleOnce() {
    // act
    let logins = DemoFixture.standard.logins

    // check
    #expect(Set(logins.map(\.role)) == ["system-admin", "security-admin", "audit-admin", "business-admin",
                                        "unit-secretary", "cadre", "assessor", "student"])
    #expect(logins.map(\.username) == ["admin", "security", "audit", "office", "secretary", "cadre", "leader", "assessor", "student"])
    #expect(logins.allSatisfy { $0.username.allSatisfy { $0.isASCII && $0.isLetter } })
    #expect(logins.allSatisfy { !$0.displayName.isEmpty })
    #expect(logins.allSatisfy { $0.staffNumber == nil || $0.studentNumber == nil })
}

@Test func demoLoginsPointAtTheRightPeople() throws {
    // setup
    let university = DemoFixture.standard
    let logins = Dictionary(uniqueKeysWithValues: university.logins.map { ($0.username, $0) })
    func cadre(_ username: String) throws -> Cadre {
        let number = try #require(logins[username]?.staffNumber)
        return try #require(university.cadres.first { $0.staffNumber == number })
    }

    // act
    let secretary = try cadre("secretary")
    let deputy = try cadre("cadre")
    let leader = try cadre("leader")
    let studentNumber = try #require(logins["student"]?.studentNumber)
    let student = try #require(university.students.first { $0.studentNumber == studentNumber })

    // check: a college's secretary, that college's deputy for student work, a school leader
    #expect(university.units.first { $0.code == secretary.unitCode }?.kind == .college)
    #expect(secretary.posts.contains("党委书记"))
    #expect(deputy.unitCode == secretary.unitCode && deputy.posts.contains("党委副书记"))
    #expect(leader.rank == .schoolLeader && logins["leader"]?.role == "cadre")
    #expect(logins["secretary"]?.displayName == secretary.name)
    // check: the student sits in a collective the demo cadre is linked to
    let linked = Set(university.pairings.filter { $0.cadreStaffNumber == deputy.staffNumber }.compactMap(\.collectiveCode))
    #expect(!linked.isDisjoint(with: student.collectiveCodes))
    #expect(["admin", "security", "audit", "office", "assessor"].allSatisfy { logins[$0]?.staffNumber == nil && logins[$0]?.studentNumber == nil })
}
