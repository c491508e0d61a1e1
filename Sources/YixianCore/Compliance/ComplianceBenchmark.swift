import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Times the engine on a synthetic large university (30,000 students in 2,000 collectives, 600 cadres,
/// 40,000 ledger lines, one academic year) built in memory from a seeded generator, for `yixian bench policy`.
public enum ComplianceBenchmark {
    /// The issue's goal for one warm evaluation of the large university on the project's 2-core machine.
    public static let goalMilliseconds = 50.0

    /// `policyText`: a policy file to evaluate (the HNUST preset is the richest); nil uses a built-in
    /// policy with one rule of every kind. Returns a human-readable summary: what was evaluated (the same on
    /// every machine), the index build time, warm evaluation times over `runs` runs, and whether the goal is met.
    public static func run(policyText: String? = nil, students: Int = 30_000, cadres: Int = 600, collectives: Int = 2_000,
                           contacts: Int = 40_000, runs: Int = 15, seed: UInt64 = 2025) -> String {
        let policy: Policy
        do {
            policy = try PolicyLoader.load(policyText ?? SyntheticUniversity.benchmarkPolicy, fileName: "benchmark-policy.yaml")
        } catch {
            return "benchmark policy does not load:\n\(error.description)\n"
        }
        let asOf = LocalDate(year: 2026, month: 5, day: 20)!
        let clock = ContinuousClock()
        let input = SyntheticUniversity.make(seed: seed, students: students, cadres: cadres, collectives: collectives, contacts: contacts)
            .input(policy: policy)
        // The index is built once per data version; its median over three builds.
        var index = ComplianceIndex(input)
        var indexing: [Duration] = []
        for _ in 0..<3 { indexing.append(clock.measure { index = ComplianceIndex(input) }) }
        indexing.sort()
        // A cadre saves one line: the index updated for that cadre alone (what the server does per write).
        let writer = input.contacts[0].cadreStaffNumber
        var written = input
        written.contacts = input.contacts.filter { $0.cadreStaffNumber == writer }
        var saved = written.contacts[0]
        saved.id = "benchmark-new-line"
        written.contacts.append(saved)
        var updates: [Duration] = []
        for _ in 0..<max(1, runs) {
            var updated: ComplianceIndex?
            updates.append(clock.measure { updated = ComplianceIndex(written, updating: index, changed: [writer]) })
            // Freed outside the timed region, as the reports below.
            withExtendedLifetime(updated) {}
        }
        updates.sort()
        let cold = clock.measure { _ = ComplianceEngine.evaluate(index, asOf: asOf) }
        // Each report is freed outside the timed region: dropping it is the caller's work, not the evaluation's.
        var samples: [Duration] = [], report = ComplianceEngine.evaluate(index, asOf: asOf)
        let cpuBefore = processCPUSeconds()
        for _ in 0..<max(1, runs) {
            var next: ComplianceReport?
            samples.append(clock.measure { next = ComplianceEngine.evaluate(index, asOf: asOf) })
            report = next!
        }
        let cpuPerRun = (processCPUSeconds() - cpuBefore) / Double(max(1, runs)) * 1000
        samples.sort()
        var nearMisses: [Duration] = []
        for _ in 0..<max(1, runs) {
            var next: ComplianceReport?
            nearMisses.append(clock.measure { next = ComplianceEngine.evaluate(index, asOf: asOf, detail: .nearMisses) })
            _ = next
        }
        nearMisses.sort()
        let median = milliseconds(samples[samples.count / 2])
        let t = report.schoolTotal
        let studentCount = input.roster.collectives.filter { $0.kind == .class }.reduce(0) { $0 + $1.size }
        func ms(_ d: Duration) -> String { decimal(milliseconds(d)) + " ms" }
        return """
            compliance benchmark — policy \(policy.id) (\(policy.rules.count) rules), academic year \(SyntheticUniversity.calendar.id), as of \(asOf.iso), seed \(seed)
            university: \(studentCount) students, \(input.roster.units.count) units, \(input.roster.cadres.count) cadres, \
            \(input.roster.collectives.count) collectives, \(input.pairings.count) pairings, \(input.contacts.count) ledger lines, \
            \(input.cases.count) cases, \(input.filings.count) filings
            index build (once per data version): median \(ms(indexing[1])) of 3
            index updated after one cadre's new line: median \(ms(updates[updates.count / 2])), min \(ms(updates.first!)), max \(ms(updates.last!)) \
            (\(decimal(milliseconds(updates[updates.count / 2]) / milliseconds(indexing[1]) * 100)) % of a full build)
            first evaluation after the index: \(ms(cold))
            evaluate, warm, full detail: median \(ms(samples[samples.count / 2])), min \(ms(samples.first!)), max \(ms(samples.last!)) over \(samples.count) runs
              CPU time per run, all threads: \(decimal(cpuPerRun)) ms (wall time also depends on other load on the machine)
            evaluate, warm, near misses only: median \(ms(nearMisses[nearMisses.count / 2])), min \(ms(nearMisses.first!)), max \(ms(nearMisses.last!))
            cells: \(report.cells.count) — met \(t.met), on track \(t.onTrack), at risk \(t.atRisk), missed \(t.missed), not yet due \(t.notYetDue)
            goal ≤ \(decimal(goalMilliseconds)) ms warm median: \(median <= goalMilliseconds ? "met" : "NOT met") (\(ms(samples[samples.count / 2])))

            """
    }

    private static func milliseconds(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }

    private static func decimal(_ value: Double) -> String { String(format: "%.1f", value) }
}

/// CPU time of the whole process, so a figure taken on a busy shared machine can be read apart from the waiting.
private func processCPUSeconds() -> Double {
    #if canImport(Glibc)
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    #else
    return Double(clock()) / Double(CLOCKS_PER_SEC)
    #endif
}

/// A seeded random university, for the benchmark and for property tests.
enum SyntheticUniversity {
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            // SplitMix64: tiny, fast and the same on every platform.
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ range: Range<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
        mutating func chance(_ p: Double) -> Bool { Double(next() % 10_000) / 10_000 < p }
        mutating func pick<T>(_ items: [T]) -> T { items[int(0..<items.count)] }
    }

    static let calendar: AcademicYear = {
        let d = { (text: String) in LocalDate(text)! }
        let term1 = Term(id: "2025-2026-1", name: "第一学期", range: DateRange(start: d("2025-09-01"), end: d("2026-01-18")),
                         specialWeeks: [SpecialWeek(name: "教学礼拜周", kind: .teachingWorship, range: DateRange(start: d("2025-11-17"), end: d("2025-11-23")), excludedFromWeeklyRules: false),
                                        SpecialWeek(name: "期末考试", kind: .exam, range: DateRange(start: d("2026-01-05"), end: d("2026-01-18")), excludedFromWeeklyRules: true)],
                         vacations: [DateRange(start: d("2025-10-01"), end: d("2025-10-08"))])
        let term2 = Term(id: "2025-2026-2", name: "第二学期", range: DateRange(start: d("2026-03-02"), end: d("2026-07-05")),
                         specialWeeks: [SpecialWeek(name: "教学礼拜周", kind: .teachingWorship, range: DateRange(start: d("2026-04-20"), end: d("2026-04-26")), excludedFromWeeklyRules: false),
                                        SpecialWeek(name: "期末考试", kind: .exam, range: DateRange(start: d("2026-06-22"), end: d("2026-07-05")), excludedFromWeeklyRules: true)],
                         vacations: [DateRange(start: d("2026-05-01"), end: d("2026-05-05"))])
        return AcademicYear(id: "2025-2026", name: "2025—2026学年", range: DateRange(start: d("2025-08-25"), end: d("2026-08-23")), terms: [term1, term2])
    }()

    static let contactKinds = ["face-to-face", "dorm-visit", "canteen-visit", "class-observation", "heart-to-heart", "class-meeting",
                               "party-league-day", "ideological-lecture", "policy-lecture", "party-lecture", "survey", "online",
                               "student-forum", "second-classroom", "mailbox-review", "report-hearing", "student-work-meeting"]

    /// `students`: when given, spread over the classes (each student in one class); otherwise 30 a class.
    static func make(seed: UInt64, students studentCount: Int? = nil, cadres cadreCount: Int, collectives collectiveCount: Int,
                     contacts contactCount: Int) -> ComplianceScenario {
        var random = Random(state: seed)
        let colleges = (1...30).map { Unit(code: String(format: "C%02d", $0), name: "第\($0)学院", kind: .college) }
        let departments = (1...40).map { i -> Unit in
            let kind: UnitKind = i <= 8 ? .studentWork : i <= 16 ? .partyDepartment : i <= 36 ? .functionalDepartment : .affiliated
            return Unit(code: String(format: "D%02d", i), name: "第\(i)部门", kind: kind)
        }
        let units = [Unit(code: "LEAD", name: "校领导", kind: .leadership)] + colleges + departments

        var cadres: [Cadre] = []
        let leaderPosts = [["党委书记"], ["校长"], ["副校长"], ["副校长"], ["副校长"], ["党委副书记"], ["副校长"], ["副校长"], ["纪委书记"], ["副校长"], ["副校长"], ["副书记"]]
        let leaderTags = [[], [], ["student-work"], ["logistics"], ["graduate-work"], [], ["security"], [], [], [], [], []]
        for i in 0..<min(12, cadreCount) {
            cadres.append(Cadre(staffNumber: String(format: "L%03d", i + 1), name: "校领导\(i + 1)", unitCode: "LEAD", posts: leaderPosts[i],
                                rank: .schoolLeader, partyMember: i != 6, tags: leaderTags[i]))
        }
        let collegePosts = ["院长", "党委书记", "分管学生工作副书记", "副院长", "副院长", "副院长"]
        var n = cadres.count
        while cadres.count < cadreCount {
            let inCollege = random.chance(0.55)
            let unit = inCollege ? random.pick(colleges) : random.pick(departments)
            let post = inCollege ? collegePosts[n % collegePosts.count] : (n % 3 == 0 ? "处长" : "副处长")
            let rank: Rank = post == "院长" || post == "党委书记" || post == "处长" ? .director : (n % 17 == 0 ? .partyCommitteeMember : .deputyDirector)
            var tags: [String] = []
            if post == "分管学生工作副书记" { tags.append("student-work") }
            if random.chance(0.1) { tags.append("college-party-committee") }
            if unit.kind == .functionalDepartment && random.chance(0.1) { tags.append("logistics") }
            n += 1
            cadres.append(Cadre(staffNumber: String(format: "T%04d", n), name: "干部\(n)", unitCode: unit.code, posts: [post], rank: rank,
                                partyMember: random.chance(0.85), tags: tags))
        }

        var collectives: [Collective] = []
        let kindsCycle: [CollectiveKind] = Array(repeating: .class, count: 10) + [.leagueBranch, .partyBranch, .dorm, .lab, .club]
        for college in colleges {
            collectives.append(Collective(code: "\(college.code)-SU", name: "\(college.name)学生会", kind: .studentUnion, unitCode: college.code, grade: nil, size: 40))
            collectives.append(Collective(code: "\(college.code)-GU", name: "\(college.name)研究生会", kind: .graduateUnion, unitCode: college.code, grade: nil, size: 30))
        }
        var c = 0
        while collectives.count < collectiveCount {
            let college = colleges[c % colleges.count]
            let kind = kindsCycle[(c / colleges.count) % kindsCycle.count]
            c += 1
            collectives.append(Collective(code: "\(college.code)-\(c)", name: "集体\(c)", kind: kind, unitCode: college.code, grade: 2025, size: 30))
        }
        if let studentCount {
            let classIndices = collectives.indices.filter { collectives[$0].kind == .class }
            for (n, i) in classIndices.enumerated() {
                collectives[i].size = studentCount / classIndices.count + (n < studentCount % classIndices.count ? 1 : 0)
            }
        }
        let byKind = Dictionary(grouping: collectives, by: \.kind)
        let classes = byKind[.class] ?? [], branches = byKind[.partyBranch] ?? [], unions = byKind[.studentUnion] ?? []

        var pairings: [Pairing] = []
        var own: [String: [String]] = [:]
        func pair(_ cadre: Cadre, _ collective: Collective, _ kind: Pairing.Kind) {
            pairings.append(Pairing(cadreStaffNumber: cadre.staffNumber, kind: kind, collectiveCode: collective.code,
                                    academicYearID: calendar.id, range: calendar.range))
            own[cadre.staffNumber, default: []].append(collective.code)
        }
        for (i, cadre) in cadres.enumerated() {
            if !classes.isEmpty && random.chance(0.92) { pair(cadre, classes[(i * 7) % classes.count], .honoraryClassHead) }
            if cadre.partyMember && !branches.isEmpty && random.chance(0.6) { pair(cadre, random.pick(branches), .linked) }
            if cadre.rank == .schoolLeader && !unions.isEmpty { pair(cadre, unions[i % unions.count], .linked) }
        }

        let teachingDays = calendar.terms.flatMap { $0.range.days }
        var contacts: [ContactRecord] = []
        contacts.reserveCapacity(contactCount)
        for i in 0..<contactCount {
            let cadre = cadres[random.int(0..<cadres.count)]
            let day = random.pick(teachingDays)
            let start = day.startInstant().addingTimeInterval(TimeInterval(8 * 3600 + random.int(0..<13) * 3600))
            let collectivesHere = random.chance(0.5) ? (own[cadre.staffNumber].map { [random.pick($0)] } ?? []) : []
            let status: ContactRecord.Status = random.chance(0.03) ? .draft : random.chance(0.02) ? .flagged : .submitted
            contacts.append(ContactRecord(id: "R\(i)", cadreStaffNumber: cadre.staffNumber, kind: random.pick(contactKinds), start: start,
                                          end: start.addingTimeInterval(TimeInterval(1800 * random.int(1..<8))),
                                          collectiveCodes: collectivesHere, collegeCode: random.chance(0.3) ? random.pick(colleges).code : nil,
                                          participantCount: random.int(1..<40), confirmedByStudents: random.int(0..<3), status: status))
        }

        var cases: [StudentCase] = []
        for i in 0..<(contactCount / 40) {
            let received = random.pick(teachingDays)
            let first = random.chance(0.9) ? received.adding(days: random.int(0..<4)) : nil
            let answered = first.flatMap { random.chance(0.8) ? $0.adding(days: random.int(0..<12)) : nil }
            cases.append(StudentCase(id: "K\(i)", responsibleUnitCode: random.pick(departments).code, tier: random.chance(0.8) ? "ordinary" : "complex",
                                     receivedOn: received, firstRespondedOn: first, answeredOn: answered))
        }
        var filings: [Filing] = []
        for unit in units where random.chance(0.8) {
            for term in calendar.terms {
                filings.append(Filing(id: "F-\(unit.code)-\(term.id)-plan", unitCode: unit.code, termID: term.id, kind: "arrangement-plan",
                                      submittedOn: term.range.start.adding(days: random.int(0..<20))))
                filings.append(Filing(id: "F-\(unit.code)-\(term.id)-summary", unitCode: unit.code, termID: term.id, kind: "semester-summary",
                                      submittedOn: term.range.end.adding(days: -random.int(0..<14))))
            }
        }
        return ComplianceScenario(calendar: AcademicCalendar(years: [calendar]), workdays: .prc,
                                  roster: ComplianceRoster(units: units, cadres: cadres, collectives: collectives),
                                  pairings: pairings, contacts: contacts, cases: cases, filings: filings)
    }

    /// One rule of every kind, over roles that pick out different parts of the roster.
    static let benchmarkPolicy = """
        id: benchmark
        title: 基准测试策略
        roles:
          school-leader: { rank: [school-leader] }
          cadre: { rankAtLeast: deputy-director }
          college-deputy: { unitKind: [college], tags: [student-work] }
          student-work-head: { unitKind: [student-work, party-department], rankAtLeast: deputy-director }
          logistics: { tags: [logistics] }
        rules:
          - { id: lecture, who: school-leader, count: { kinds: [ideological-lecture, policy-lecture], atLeast: 1, per: term } }
          - { id: weekly, who: school-leader, every: { kinds: [in-person], atLeast: 1, per: week } }
          - { id: monthly, who: cadre, every: { kinds: [in-person], atLeast: 1, per: month } }
          - { id: observe, who: cadre, count: { kinds: [class-observation], atLeast: 4, per: term } }
          - id: class-activity
            who: cadre
            count: { kinds: [class-meeting, party-league-day], scope: own-collectives, collectiveKinds: [class], atLeast: 1, per: term }
          - { id: talks, who: college-deputy, count: { kinds: [heart-to-heart], measure: person-times, atLeast: 30, per: term } }
          - { id: dorm-weekly, who: college-deputy, every: { kinds: [dorm-visit], atLeast: 1, per: week } }
          - id: dorms
            who: { any: [student-work-head, logistics] }
            count: { kinds: [dorm-visit], atLeast: { logistics: 5, default: 4 }, per: term }
          - { id: survey, who: school-leader, count: { kinds: [survey], scope: linked-college, atLeast: 1, per: term, deadline: "special-week:teaching-worship exclusive" } }
          - { id: confirmed, who: cadre, count: { kinds: [in-person], confirmedOnly: true, atLeast: 4, per: term } }
          - { id: seven, who: cadre, severity: advisory, count: { kinds: [any], venues: [seven-entries], measure: distinct-venues, atLeast: 7, per: academic-year } }
          - { id: half-time, who: student-work-head, timeShare: { atLeast: 0.5 } }
          - { id: head-class, who: cadre, pairing: { collectiveKinds: [class], pairingKinds: [honorary-class-head], atLeast: 1 } }
          - { id: coverage, who: { units: { kind: [college] } }, coverage: { collectiveKinds: [class] } }
          - { id: plan, who: { units: any }, filing: { kind: arrangement-plan, per: term, deadline: "term-start +14d" } }
          - { id: summary, who: { units: any }, filing: { kind: semester-summary, per: term, deadline: "term-end -7d" } }
          - { id: response, who: { units: any }, response: { tiers: { ordinary: { firstResponse: 2, answer: 5 }, complex: { firstResponse: 2, answer: 15 } } } }
          - { id: fortnight, who: college-deputy, count: { kinds: [in-person], atLeast: 1, per: two-weeks } }
          - { id: bimonthly, who: cadre, count: { kinds: [class-observation], atLeast: 1, per: two-months } }
          - { id: duty, who: student-work-head, count: { kinds: [in-person], atLeast: 1, per: workday } }
          - { id: holiday-weekly, who: school-leader, count: { kinds: [in-person], atLeast: 1, per: week, includeVacations: true, includeExamWeeks: true } }
          - { id: first-lesson, who: { group: [school-leader], quota: either }, count: { kinds: [ideological-lecture], atLeast: 1, per: academic-year } }
          - { id: reception-rota, who: { group: [school-leader], quota: rota }, count: { kinds: [reception-day], atLeast: 1, per: week } }
          - { id: college-total, who: { group: [college-deputy], quota: total, by: unit }, count: { kinds: [in-person], atLeast: 8, per: month } }
          - { id: weekly-meeting, who: { units: { kind: [student-work] } }, filing: { kind: analysis-meeting, per: week } }
          - { id: leader-report, who: school-leader, filing: { kind: leader-contact-report, per: term } }
          - id: tiers
            who: { units: any }
            response:
              tiers:
                ordinary: { firstResponse: 2, answer: 5, escalation: { after: 2, answer: 3 } }
                urgent: { unit: hours, firstResponse: 2, answer: 24 }
                praise: { answer: none }
          - { id: colleges-reached, who: cadre, count: { kinds: [in-person], measure: distinct-colleges, atLeast: 2, per: term } }
          - { id: dept-colleges, who: { units: { kind: [functional-department] } }, pairing: { target: college, atLeast: 1 } }
          - { id: dorms-monthly, who: { units: { kind: [college] } }, coverage: { collectiveKinds: [dorm], from: contacts, per: month, kinds: [dorm-visit] } }
          - { id: spot-check, who: { units: { kind: [college] } }, coverage: { collectiveKinds: [class], from: contacts, per: term, share: 0.2, kinds: [class-observation] } }
          - { id: key-talks, who: cadre, count: { kinds: [heart-to-heart], atLeast: 2, per: term, perKeyStudent: true } }
          - { id: reception-slot, who: school-leader, count: { kinds: [reception-day], atLeast: 1, per: week, slot: { weekday: 3, time: "14:00-17:30", weeks: odd } } }
          - { id: first-friday, who: cadre, count: { kinds: [student-forum], atLeast: 1, per: month, slot: { weekday: 5, nth: 1, onHoliday: skip } } }
          - { id: report-follow-up, who: cadre, count: { kinds: [heart-to-heart], atLeast: 1, after: { kinds: [special-report], within: 3d } } }
          - { id: lecture-brief, who: school-leader, filing: { kind: activity-list, after: { kinds: [special-report], within: 3wd } } }
          - { id: lecture-periods, who: school-leader, count: { kinds: [lecture], measure: class-periods, atLeast: 2, per: term } }
          - { id: new-students, who: school-leader, count: { kinds: [reception-day], atLeast: 1, per: month, distinctParticipantsWithin: academic-year } }
        """
}
