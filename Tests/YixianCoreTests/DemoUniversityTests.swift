import Foundation
import Testing
@testable import YixianCore

/// Generated once per process: the standard demo is the fixture most tests read.
enum DemoFixture {
    static let asOf = LocalDate(year: 2025, month: 10, day: 15)!
    static let standard = DemoUniversity.generate(scale: .standard, seed: 20250901, asOf: asOf)
    static let large = DemoUniversity.generate(scale: .large, seed: 7, asOf: asOf)
}

extension DemoUniversity {
    var collectivesByCode: [String: Collective] { Dictionary(uniqueKeysWithValues: collectives.map { ($0.code, $0) }) }
}

private func isChinese(_ text: String) -> Bool {
    !text.isEmpty && text.unicodeScalars.allSatisfy { (0x4E00...0x9FFF).contains($0.value) }
}

// MARK: Sizes and kinds

@Test(arguments: [DemoScale.standard, .large])
func demoCountsMeetTheScale(scale: DemoScale) {
    // setup
    let university = scale == .standard ? DemoFixture.standard : DemoFixture.large

    // check
    #expect(university.units.filter { $0.kind == .college }.count == scale.collegeCount)
    #expect(university.units.count == 1 + scale.collegeCount + scale.departmentCount)
    #expect(university.cadres.count == scale.cadreCount)
    #expect(university.collectives.count == scale.collectiveCount)
    #expect(university.students.count == scale.studentCount)
}

@Test func demoScalesAreTheAgreedSizes() {
    #expect(DemoScale.standard.collegeCount == 15 && DemoScale.standard.departmentCount == 20)
    #expect(DemoScale.standard.cadreCount == 150 && DemoScale.standard.collectiveCount == 400 && DemoScale.standard.studentCount == 8_000)
    #expect(DemoScale.large.cadreCount == 600 && DemoScale.large.collectiveCount == 2_000 && DemoScale.large.studentCount == 30_000)
    #expect(DemoScale.large.collegeCount > DemoScale.standard.collegeCount)
    #expect(DemoScale.large.departmentCount > DemoScale.standard.departmentCount)
}

@Test(arguments: [DemoScale.standard, .large])
func demoHoldsEveryKindAndRank(scale: DemoScale) {
    // setup
    let university = scale == .standard ? DemoFixture.standard : DemoFixture.large

    // check
    #expect(Set(university.units.map(\.kind)) == Set(UnitKind.allCases))
    #expect(Set(university.collectives.map(\.kind)) == Set(CollectiveKind.allCases))
    // every cadre rank; the demo has no staff of rank `staff` (辅导员 …): its plans bind cadres only
    #expect(Set(university.cadres.map(\.rank)) == Set(Rank.allCases).subtracting([.staff]))
    let tags = Set(university.cadres.flatMap(\.tags))
    #expect(tags.isSuperset(of: ["student-work", "logistics", "security", "infrastructure"]))
}

@Test func demoUnitsCarryRealisticNames() {
    // setup
    let names = Set(DemoFixture.standard.units.map(\.name))

    // check
    for expected in ["计算机科学与技术学院", "机械工程学院", "马克思主义学院", "外国语学院", "经济管理学院", "校领导",
                     "党委办公室", "校长办公室", "党委组织部", "党委宣传部", "党委学生工作部（学生工作处）", "研究生工作部",
                     "校团委", "教务处", "后勤管理处", "保卫处", "基建处", "招生就业处", "财务处", "人事处", "科技处",
                     "国际合作与交流处", "图书馆", "网络信息中心"] {
        #expect(names.contains(expected), "missing unit \(expected)")
    }
}

@Test(arguments: [DemoScale.standard, .large])
func demoCodesAreUnique(scale: DemoScale) {
    // setup
    let university = scale == .standard ? DemoFixture.standard : DemoFixture.large

    // check
    #expect(Set(university.units.map(\.code)).count == university.units.count)
    #expect(Set(university.cadres.map(\.staffNumber)).count == university.cadres.count)
    #expect(Set(university.collectives.map(\.code)).count == university.collectives.count)
    #expect(Set(university.students.map(\.studentNumber)).count == university.students.count)
    #expect(Set(university.collectives.map(\.name)).count == university.collectives.count)
}

// MARK: Roster

@Test func demoLeadershipAndCollegePostsAreComplete() {
    // setup
    let university = DemoFixture.standard
    let leaders = university.cadres.filter { $0.rank == .schoolLeader }

    // check: the school's leadership team
    #expect(leaders.allSatisfy { $0.unitCode == "XLD" })
    for post in ["党委书记", "校长", "党委副书记", "纪委书记"] {
        #expect(leaders.contains { $0.posts.contains(post) }, "no leader holds \(post)")
    }
    #expect(leaders.filter { $0.posts.contains("副校长") }.count >= 3)
    #expect(leaders.contains { $0.posts.contains("分管学生工作") && $0.tags.contains("student-work") })
    #expect(leaders.contains { $0.posts.contains("分管后勤基建") && $0.tags.contains("logistics") && $0.tags.contains("infrastructure") })

    // check: every college has its four leading posts, the deputy secretary tagged for student work
    for college in university.units where college.kind == .college {
        let posts = university.cadres.filter { $0.unitCode == college.code }.flatMap(\.posts)
        for post in ["院长", "党委书记", "党委副书记", "副院长"] {
            #expect(posts.contains(post), "\(college.name) has no \(post)")
        }
        #expect(university.cadres.contains { $0.unitCode == college.code && $0.posts.contains("分管学生工作副书记") && $0.tags.contains("student-work") })
    }

    // check: every department has a head and a deputy
    for department in university.units where department.kind != .college && department.kind != .leadership {
        let ranks = university.cadres.filter { $0.unitCode == department.code }.map(\.rank)
        #expect(ranks.contains { $0 == .director || $0 == .partyCommitteeMember }, "\(department.name) has no head")
        #expect(ranks.contains(.deputyDirector), "\(department.name) has no deputy")
    }
}

@Test func demoCadresLookReal() {
    // setup
    let cadres = DemoFixture.standard.cadres
    let unitCodes = Set(DemoFixture.standard.units.map(\.code))
    let partyShare = Double(cadres.filter(\.partyMember).count) / Double(cadres.count)

    // check
    #expect(cadres.allSatisfy { unitCodes.contains($0.unitCode) })
    #expect(cadres.allSatisfy { $0.staffNumber.wholeMatch(of: /T\d{4}/) != nil })
    #expect(cadres.allSatisfy { !$0.posts.isEmpty })
    #expect(partyShare > 0.8 && partyShare < 1.0, "party share \(partyShare)")
    #expect(cadres.filter { $0.tags.contains("security") }.contains { $0.unitCode == "BWC" })
}

@Test(arguments: [DemoScale.standard, .large])
func demoNamesLookChinese(scale: DemoScale) {
    // setup
    let university = scale == .standard ? DemoFixture.standard : DemoFixture.large
    let names = university.students.map(\.name) + university.cadres.map(\.name)

    // check
    #expect(names.allSatisfy(isChinese))
    #expect(names.allSatisfy { (2...4).contains($0.count) })
    // 王, 李 and 张 carry about a fifth of the population.
    let common = names.filter { ["王", "李", "张"].contains($0.prefix(1)) }.count
    let share = Double(common) / Double(names.count)
    #expect(share > 0.15 && share < 0.27, "王李张 share \(share)")
    #expect(names.contains { $0.hasPrefix("欧阳") || $0.hasPrefix("司马") || $0.hasPrefix("诸葛") || $0.hasPrefix("上官") })
    #expect(names.contains { $0.count == 2 } && names.contains { $0.count == 3 })
}

// MARK: Students and collectives

@Test(arguments: [DemoScale.standard, .large])
func demoStudentsBelongToTheirCollege(scale: DemoScale) {
    // setup
    let university = scale == .standard ? DemoFixture.standard : DemoFixture.large
    let byCode = university.collectivesByCode
    let colleges = Set(university.units.filter { $0.kind == .college }.map(\.code))

    for student in university.students {
        let mine = student.collectiveCodes.compactMap { byCode[$0] }

        // check: every code resolves, one class, one league branch, one dorm
        #expect(mine.count == student.collectiveCodes.count, "\(student.studentNumber) has an unknown collective")
        #expect(colleges.contains(student.unitCode))
        #expect(mine.filter { $0.kind == .class }.count == 1)
        #expect(mine.filter { $0.kind == .leagueBranch }.count == 1)
        #expect(mine.filter { $0.kind == .dorm }.count == 1)
        #expect(mine.filter { $0.kind == .club }.count <= 1)
        // Clubs are school-wide (unit 校团委); everything else is the student's own college.
        #expect(mine.allSatisfy { $0.kind == .club ? $0.unitCode == "TW" : $0.unitCode == student.unitCode })
    }
}

@Test(arguments: [DemoScale.standard, .large])
func demoCollectiveSizesAreTheirMembers(scale: DemoScale) {
    // setup
    let university = scale == .standard ? DemoFixture.standard : DemoFixture.large
    var counted: [String: Int] = [:]
    for student in university.students { for code in student.collectiveCodes { counted[code, default: 0] += 1 } }

    // check
    for collective in university.collectives {
        #expect(collective.size == counted[collective.code, default: 0], "\(collective.name)")
        #expect(collective.size > 0, "\(collective.name) is empty")
    }
}

@Test(arguments: [DemoScale.standard, .large])
func demoClassesHaveRealisticGradesAndSizes(scale: DemoScale) {
    // setup
    let university = scale == .standard ? DemoFixture.standard : DemoFixture.large
    let classes = university.collectives.filter { $0.kind == .class }
    let undergraduate = classes.filter { $0.grade != nil }

    // check: four undergraduate grades 2022–2025 for an October 2025 demo, every grade in every college
    #expect(Set(undergraduate.compactMap(\.grade)) == Set(2022...2025))
    // The standard scale's 400-collective budget forces big classes (see `DemoUniversity`).
    let mean = Double(undergraduate.reduce(0) { $0 + $1.size }) / Double(undergraduate.count)
    #expect(mean >= 30 && mean <= 60, "mean class size \(mean)")
    #expect(undergraduate.allSatisfy { (15...80).contains($0.size) }, "class sizes \(undergraduate.map(\.size).min()!)–\(undergraduate.map(\.size).max()!)")
    #expect(undergraduate.allSatisfy { $0.name.wholeMatch(of: /\p{Han}+\d{4}班/) != nil })
    // Each class has its league branch with the same members.
    let byCode = university.collectivesByCode
    for cls in classes {
        let league = byCode[cls.code.replacingOccurrences(of: "CLS-", with: "LB-")]
        #expect(league?.kind == .leagueBranch && league?.size == cls.size, "\(cls.name) has no matching league branch")
    }
    // Freshman intake is the largest grade.
    let perGrade = Dictionary(grouping: undergraduate, by: { $0.grade! }).mapValues { $0.reduce(0) { $0 + $1.size } }
    #expect(perGrade[2025]! > perGrade[2022]!)
}

@Test func demoStudentNumbersFollowTheScheme() {
    // setup
    let university = DemoFixture.standard
    let collegeIndex = Dictionary(uniqueKeysWithValues: university.units.filter { $0.kind == .college }.enumerated().map { ($1.code, $0 + 1) })
    let byCode = university.collectivesByCode

    for student in university.students {
        // check: year + college + class + sequence, e.g. 2023010101
        let number = student.studentNumber
        #expect(number.wholeMatch(of: /20\d{8}/) != nil, "\(number)")
        #expect(Int(number.dropFirst(4).prefix(2)) == collegeIndex[student.unitCode])
        let cls = student.collectiveCodes.compactMap { byCode[$0] }.first { $0.kind == .class }!
        if let grade = cls.grade { #expect(number.hasPrefix(String(grade))) } else { #expect(number.dropFirst(6).hasPrefix("90")) }
    }
}

@Test func demoCollectiveNamesLookReal() {
    // setup
    let names = DemoFixture.standard.collectives.map(\.name)

    // check
    #expect(names.contains("计算机2301班"))
    #expect(names.contains("计算机2301团支部"))
    #expect(names.contains("计算机学院本科生第一党支部"))
    #expect(names.contains("计算机学院学生会") && names.contains("计算机学院研究生会"))
    #expect(names.contains { $0.wholeMatch(of: /\p{Han}+园\d+舍-\d层/) != nil })
    #expect(names.contains("青年志愿者协会"))
}

@Test(arguments: [DemoScale.standard, .large])
func demoSensitiveFlagsAreRareAndAttached(scale: DemoScale) {
    // setup
    let university = scale == .standard ? DemoFixture.standard : DemoFixture.large
    let numbers = Set(university.students.map(\.studentNumber))
    let share = Double(university.sensitive.count) / Double(university.students.count)

    // check
    #expect(share >= 0.03 && share <= 0.05, "sensitive share \(share)")
    #expect(university.sensitive.keys.allSatisfy(numbers.contains))
    #expect(university.sensitive.values.allSatisfy { !$0.isEmpty && !$0.note.isEmpty })
    #expect(university.sensitive.values.contains { $0.familyHardship })
    #expect(university.sensitive.values.contains { $0.disability })
    #expect(university.sensitive.values.contains { $0.psychologicalAttention })
}

// MARK: Pairings

@Test(arguments: [DemoScale.standard, .large])
func demoPairingsReferToRealThings(scale: DemoScale) {
    // setup
    let university = scale == .standard ? DemoFixture.standard : DemoFixture.large
    let staff = Set(university.cadres.map(\.staffNumber))
    let collectives = Set(university.collectives.map(\.code))
    let students = Set(university.students.map(\.studentNumber))
    let year = university.currentAcademicYear

    // check
    #expect(!university.pairings.isEmpty)
    for pairing in university.pairings {
        #expect(staff.contains(pairing.cadreStaffNumber))
        #expect(pairing.academicYearID == year.id && pairing.range == year.range)
        if pairing.kind == .keyStudent {
            #expect(pairing.collectiveCode == nil && students.contains(pairing.studentNumber ?? ""))
        } else {
            #expect(pairing.studentNumber == nil && collectives.contains(pairing.collectiveCode ?? ""))
        }
    }
    #expect(Set(university.pairings).count == university.pairings.count)
}

@Test(arguments: [DemoScale.standard, .large])
func demoPairingsFollowThePolicies(scale: DemoScale) {
    // setup
    let university = scale == .standard ? DemoFixture.standard : DemoFixture.large
    let byCode = university.collectivesByCode
    let linked = Dictionary(grouping: university.pairings.filter { $0.kind == .linked }, by: \.cadreStaffNumber)
        .mapValues { $0.compactMap { byCode[$0.collectiveCode!] } }

    // check: school leaders link a class, and party members a student party branch too
    for leader in university.cadres where leader.rank == .schoolLeader {
        let mine = linked[leader.staffNumber] ?? []
        #expect(mine.contains { $0.kind == .class }, "\(leader.posts) links no class")
        #expect(mine.contains { $0.kind == .partyBranch } == leader.partyMember)
    }
    // check: every middle-level cadre links at least one collective, college cadres mostly in their own college
    let middle = university.cadres.filter { [.partyCommitteeMember, .director, .deputyDirector].contains($0.rank) }
    #expect(middle.allSatisfy { !(linked[$0.staffNumber] ?? []).isEmpty })
    let collegeCodes = Set(university.units.filter { $0.kind == .college }.map(\.code))
    let collegeLinks = middle.filter { collegeCodes.contains($0.unitCode) }.flatMap { cadre in (linked[cadre.staffNumber] ?? []).map { ($0, cadre.unitCode) } }
    let own = Double(collegeLinks.filter { $0.0.unitCode == $0.1 }.count) / Double(collegeLinks.count)
    #expect(own > 0.8, "own-college share \(own)")
    // check: honorary class heads of freshman classes exist
    let honorary = university.pairings.filter { $0.kind == .honoraryClassHead }.compactMap { byCode[$0.collectiveCode!] }
    #expect(!honorary.isEmpty && honorary.allSatisfy { $0.kind == .class && $0.grade == 2025 })
    // check: every cadre has exactly one key student, and no student is anyone else's
    let keys = university.pairings.filter { $0.kind == .keyStudent }
    #expect(Set(keys.map(\.cadreStaffNumber)) == Set(university.cadres.map(\.staffNumber)))
    #expect(keys.count == university.cadres.count)
    #expect(Set(keys.compactMap(\.studentNumber)).count == keys.count)
}

@Test(arguments: [DemoScale.standard, .large])
func demoLeavesAFewClassesUncovered(scale: DemoScale) {
    // setup
    let university = scale == .standard ? DemoFixture.standard : DemoFixture.large
    let classes = university.collectives.filter { $0.kind == .class }.map(\.code)
    let covered = Set(university.pairings.filter { $0.kind != .keyStudent }.compactMap(\.collectiveCode))

    // act
    let gaps = classes.filter { !covered.contains($0) }
    let share = Double(gaps.count) / Double(classes.count)

    // check
    #expect(share >= 0.03 && share <= 0.07, "uncovered share \(share)")
}

// MARK: Determinism and speed

@Test func demoIsDeterministic() throws {
    // setup
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]

    // act
    let again = DemoUniversity.generate(scale: .standard, seed: 20250901, asOf: DemoFixture.asOf)
    let other = DemoUniversity.generate(scale: .standard, seed: 20250902, asOf: DemoFixture.asOf)

    // check
    #expect(again == DemoFixture.standard)
    #expect(try encoder.encode(again) == encoder.encode(DemoFixture.standard))
    #expect(other != DemoFixture.standard)
    #expect(other.students.map(\.name) != DemoFixture.standard.students.map(\.name))
    #expect(other.pairings != DemoFixture.standard.pairings)
}

@Test func demoStandardGeneratesQuickly() {
    // act
    let clock = ContinuousClock()
    let elapsed = clock.measure { _ = DemoUniversity.generate(scale: .standard, seed: 99, asOf: DemoFixture.asOf) }

    // check: a debug build, shared CPU; release is more than ten times faster
    #expect(elapsed < .seconds(10), "standard demo took \(elapsed)")
}
