import Foundation

/// The mutable workshop behind `DemoUniversity.generate`. One random stream, consumed in a
/// fixed order, is what makes the output reproducible; keep every step's draws in order.
struct DemoUniversityBuilder {
    let scale: DemoScale
    let asOf: LocalDate
    var random: DemoRandom
    let academicYears: [AcademicYear]
    /// Entry year of this year's freshmen.
    let intakeYear: Int
    let colleges: [DemoCatalog.College]
    let departments: [DemoCatalog.Department]

    var units: [Unit] = []
    var cadres: [Cadre] = []
    var collectives: [Collective] = []
    var students: [Student] = []
    var sensitive: [String: SensitiveFlags] = [:]
    var pairings: [Pairing] = []

    /// Student indices per collective index, kept in step with `collectives`.
    var members: [[Int]] = []
    var classIndicesByCollege: [String: [Int]] = [:]
    var studentIndicesByCollege: [String: [Int]] = [:]

    init(scale: DemoScale, seed: UInt64, asOf: LocalDate) {
        self.scale = scale
        self.asOf = asOf
        random = DemoRandom(seed: seed)
        academicYears = DemoUniversity.academicYears(asOf: asOf)
        intakeYear = DemoUniversity.academicYearStart(asOf: asOf)
        colleges = Array(DemoCatalog.colleges.prefix(scale.collegeCount))
        departments = Array(DemoCatalog.departments.prefix(scale.departmentCount))
    }

    // MARK: Units and cadres

    mutating func buildUnits() {
        units.append(Unit(code: DemoCatalog.leadershipCode, name: "校领导", kind: .leadership))
        units += colleges.map { Unit(code: $0.code, name: $0.name, kind: .college) }
        units += departments.map { Unit(code: $0.code, name: $0.name, kind: $0.kind) }
        // The demo university's own 排序: the leadership, its colleges, then its departments, as listed.
        for index in units.indices { units[index].sortOrder = index + 1 }
    }

    private mutating func addCadre(unit: String, posts: [String], rank: Rank, partyMember: Bool, tags: [String]) {
        let number = "T" + demoPadded(cadres.count + 1, width: 4)
        cadres.append(Cadre(staffNumber: number, name: DemoNames.personName(&random), unitCode: unit,
                            posts: posts, rank: rank, partyMember: partyMember, tags: tags))
    }

    mutating func buildCadres() {
        for leader in DemoCatalog.leaders.prefix(scale.schoolLeaderCount) {
            addCadre(unit: DemoCatalog.leadershipCode, posts: leader.posts, rank: .schoolLeader,
                     partyMember: leader.partyMember, tags: leader.tags)
        }
        for (index, college) in colleges.enumerated() {
            // The first college's secretary also sits on the university party committee.
            addCadre(unit: college.code, posts: ["党委书记"], rank: index == 0 ? .partyCommitteeMember : .director,
                     partyMember: true, tags: [])
            addCadre(unit: college.code, posts: ["院长"], rank: .director, partyMember: random.chance(0.8), tags: [])
            addCadre(unit: college.code, posts: ["党委副书记", "分管学生工作副书记"], rank: .deputyDirector,
                     partyMember: true, tags: ["student-work"])
            for _ in 0..<scale.collegeDeputyCount {
                addCadre(unit: college.code, posts: ["副院长"], rank: .deputyDirector, partyMember: random.chance(0.7), tags: [])
            }
        }
        for department in departments {
            let partyUnit = department.kind == .partyDepartment
            addCadre(unit: department.code, posts: [department.headTitle], rank: department.onPartyCommittee ? .partyCommitteeMember : .director,
                     partyMember: partyUnit || random.chance(0.95), tags: department.tags)
            for _ in 0..<scale.departmentDeputyCount {
                addCadre(unit: department.code, posts: ["副" + department.headTitle], rank: .deputyDirector,
                         partyMember: partyUnit || random.chance(0.9), tags: department.tags)
            }
        }
        // Section-level posts, one unit at a time in turn, until the roster is full.
        var round = 0
        while cadres.count < scale.cadreCount {
            for college in colleges where cadres.count < scale.cadreCount {
                let post = DemoCatalog.collegeSectionPosts[round % DemoCatalog.collegeSectionPosts.count]
                addCadre(unit: college.code, posts: [post.post], rank: post.rank, partyMember: random.chance(0.85), tags: post.tags)
            }
            for department in departments where cadres.count < scale.cadreCount {
                let post = DemoCatalog.departmentSectionPosts[round % DemoCatalog.departmentSectionPosts.count]
                addCadre(unit: department.code, posts: [post.post], rank: post.rank,
                         partyMember: department.kind == .partyDepartment || random.chance(0.85), tags: department.tags)
            }
            round += 1
        }
    }

    // MARK: Collectives and students

    private mutating func addCollective(code: String, name: String, kind: CollectiveKind, unit: String, grade: Int?) -> Int {
        collectives.append(Collective(code: code, name: name, kind: kind, unitCode: unit, grade: grade, size: 0))
        members.append([])
        if kind == .class { classIndicesByCollege[unit, default: []].append(collectives.count - 1) }
        return collectives.count - 1
    }

    private mutating func join(_ student: Int, _ collective: Int) {
        members[collective].append(student)
        students[student].collectiveCodes.append(collectives[collective].code)
    }

    private mutating func addStudent(number: String, college: String) -> Int {
        students.append(Student(studentNumber: number, name: DemoNames.personName(&random), unitCode: college, collectiveCodes: []))
        studentIndicesByCollege[college, default: []].append(students.count - 1)
        return students.count - 1
    }

    mutating func buildCollectivesAndStudents() {
        let n = colleges.count
        let graduateTotal = Int((Double(scale.studentCount) * scale.graduateShare).rounded())
        let undergraduateTotal = scale.studentCount - graduateTotal
        let weights = colleges.map(\.weight)

        // The budget: every collective other than classes and league branches is fixed by the
        // scale; what is left is split into class + league-branch pairs (odd one out: a club).
        let perCollege = scale.undergraduatePartyBranchesPerCollege + 1 + 2 + scale.labsPerCollege
        let fixed = n * perCollege + scale.clubCount + scale.dormFloorCount
        let remaining = scale.collectiveCount - fixed
        let clubCount = scale.clubCount + remaining % 2
        let undergraduateClassTotal = remaining / 2 - n

        let undergraduateGrades = Array((intakeYear - 3)...intakeYear)
        let graduateGrades = Array((intakeYear - 2)...intakeYear)
        // Intake grew a little each year.
        let undergraduatesPerCell = demoApportion(undergraduateTotal, weights: weights, minimum: 40)
            .map { demoApportion($0, weights: [0.94, 0.98, 1.02, 1.06], minimum: 10) }
        let graduatesPerCell = demoApportion(graduateTotal, weights: weights, minimum: 6)
            .map { demoApportion($0, weights: [0.95, 1.0, 1.05], minimum: 2) }
        let classesPerCell = demoGroupCounts(undergraduateClassTotal, students: undergraduatesPerCell.flatMap { $0 })
        let dormFloorsPerCollege = demoGroupCounts(scale.dormFloorCount, students: colleges.indices.map {
            undergraduatesPerCell[$0].reduce(0, +) + graduatesPerCell[$0].reduce(0, +)
        })

        var dormFloorNumber = 0
        for (c, college) in colleges.enumerated() {
            let collegeNumber = demoPadded(c + 1, width: 2)
            let firstStudent = students.count

            // Undergraduates: classes grade by grade, each with its league branch.
            var undergraduateBranches: [Int] = []
            for b in 0..<scale.undergraduatePartyBranchesPerCollege {
                undergraduateBranches.append(addCollective(code: "PB-\(college.code)-\(b + 1)",
                                                           name: "\(college.shortName)本科生第\(DemoUniversityBuilder.ordinals[b])党支部",
                                                           kind: .partyBranch, unit: college.code, grade: nil))
            }
            let union = addCollective(code: "SU-\(college.code)", name: "\(college.shortName)学生会", kind: .studentUnion, unit: college.code, grade: nil)
            let labs = (0..<scale.labsPerCollege).map { l in
                addCollective(code: "LAB-\(college.code)-\(l + 1)", name: college.classPrefix + DemoCatalog.labSuffixes[l % DemoCatalog.labSuffixes.count],
                              kind: .lab, unit: college.code, grade: nil)
            }
            for (g, grade) in undergraduateGrades.enumerated() {
                let classCount = classesPerCell[c * undergraduateGrades.count + g]
                let sizes = demoApportion(undergraduatesPerCell[c][g], weights: Array(repeating: 1, count: classCount))
                for (k, size) in sizes.enumerated() {
                    let tag = demoPadded(grade % 100, width: 2) + demoPadded(k + 1, width: 2)
                    let classIndex = addCollective(code: "CLS-\(college.code)-\(tag)", name: "\(college.classPrefix)\(tag)班",
                                                   kind: .class, unit: college.code, grade: grade)
                    let league = addCollective(code: "LB-\(college.code)-\(tag)", name: "\(college.classPrefix)\(tag)团支部",
                                               kind: .leagueBranch, unit: college.code, grade: grade)
                    let yearsIn = intakeYear - grade
                    for seq in 0..<size {
                        // A couple of fixed members keep every branch and union non-empty even in a tiny college.
                        let forced = k == 0 && seq < 2 && (g == 0 || g == 2)
                        let s = addStudent(number: "\(grade)\(collegeNumber)\(demoPadded(k + 1, width: 2))\(demoPadded(seq + 1, width: 2))", college: college.code)
                        join(s, classIndex)
                        join(s, league)
                        // Party membership (incl. probationary) grows with years at university; seniors
                        // go to the first branch when there are two.
                        if random.chance(DemoUniversityBuilder.undergraduatePartyRate[yearsIn]) || forced {
                            let branch = undergraduateBranches.count == 1 || yearsIn >= 2 ? 0 : undergraduateBranches.count - 1
                            join(s, undergraduateBranches[branch])
                        }
                        if yearsIn >= 2 && random.chance(0.06) { join(s, labs[random.int(below: labs.count)]) }
                        if random.chance(0.04) || forced { join(s, union) }
                    }
                }
            }

            // Graduate students: one 研究生班 and its league branch, the graduate party branch, labs, 研究生会.
            let graduateClass = addCollective(code: "CLS-\(college.code)-G", name: "\(college.shortName)研究生班", kind: .class, unit: college.code, grade: nil)
            let graduateLeague = addCollective(code: "LB-\(college.code)-G", name: "\(college.shortName)研究生团支部", kind: .leagueBranch, unit: college.code, grade: nil)
            let graduateBranch = addCollective(code: "PB-\(college.code)-G", name: "\(college.shortName)研究生党支部", kind: .partyBranch, unit: college.code, grade: nil)
            let graduateUnion = addCollective(code: "GU-\(college.code)", name: "\(college.shortName)研究生会", kind: .graduateUnion, unit: college.code, grade: nil)
            for (g, grade) in graduateGrades.enumerated() {
                for seq in 0..<graduatesPerCell[c][g] {
                    // Class number 90 marks graduate students in the number scheme.
                    let s = addStudent(number: "\(grade)\(collegeNumber)90\(demoPadded(seq + 1, width: 2))", college: college.code)
                    join(s, graduateClass)
                    join(s, graduateLeague)
                    if random.chance(0.45) || (g == 0 && seq < 2) { join(s, graduateBranch) }
                    join(s, labs[random.int(below: labs.count)])
                    if random.chance(0.12) || (g == 0 && seq < 2) { join(s, graduateUnion) }
                }
            }

            // Dorm floors, filled in roster order so classmates live near each other.
            var floors: [Int] = []
            for _ in 0..<dormFloorsPerCollege[c] {
                let building = dormFloorNumber / DemoCatalog.floorsPerBuilding.count
                let floor = DemoCatalog.floorsPerBuilding.lowerBound + dormFloorNumber % DemoCatalog.floorsPerBuilding.count
                let garden = DemoCatalog.dormBuildings[building % DemoCatalog.dormBuildings.count]
                let hall = "\(garden)\(building / DemoCatalog.dormBuildings.count + 1)舍"
                floors.append(addCollective(code: "DORM-\(demoPadded(building + 1, width: 2))-\(floor)", name: "\(hall)-\(floor)层",
                                            kind: .dorm, unit: college.code, grade: nil))
                dormFloorNumber += 1
            }
            let count = students.count - firstStudent
            for offset in 0..<count {
                join(firstStudent + offset, floors[offset * floors.count / count])
            }
        }

        // Clubs recruit across the whole university.
        let clubUnit = departments.first { $0.code == "TW" }!.code
        let clubs = (0..<clubCount).map { k in
            let base = DemoCatalog.clubs[k % DemoCatalog.clubs.count]
            let name = k < DemoCatalog.clubs.count ? base : "\(base)（\(k / DemoCatalog.clubs.count + 1)分会）"
            return addCollective(code: "CLUB-\(demoPadded(k + 1, width: 3))", name: name, kind: .club, unit: clubUnit, grade: nil)
        }
        for s in students.indices where random.chance(0.35) {
            join(s, clubs[random.int(below: clubs.count)])
        }
        for i in collectives.indices { collectives[i].size = members[i].count }
    }

    static let ordinals = ["一", "二", "三", "四"]
    /// By years since entry (0 = freshmen); includes probationary members.
    static let undergraduatePartyRate = [0.01, 0.04, 0.10, 0.18]

    // MARK: Sensitive flags

    mutating func buildSensitiveFlags() {
        let notes = DemoCatalog.sensitiveNotes
        for student in students where random.chance(0.04) {
            var flags = SensitiveFlags()
            let roll = random.unit()
            flags.familyHardship = roll < 0.55 || roll >= 0.80
            flags.psychologicalAttention = (0.55..<0.70).contains(roll) || (0.80..<0.90).contains(roll)
            flags.disability = (0.70..<0.80).contains(roll) || roll >= 0.90
            var lines: [String] = []
            if flags.familyHardship { lines.append(random.element(of: notes.hardship)) }
            if flags.disability { lines.append(random.element(of: notes.disability)) }
            if flags.psychologicalAttention { lines.append(random.element(of: notes.psychological)) }
            flags.note = lines.joined(separator: "；")
            sensitive[student.studentNumber] = flags
        }
    }
}
