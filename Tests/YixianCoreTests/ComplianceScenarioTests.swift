import Foundation
import Testing
@testable import YixianCore

/// Verdicts computed by hand from the calendar in `ComplianceFixture` (term 1: Wed 2025-09-03 … 2026-01-18,
/// exam weeks 01-05 … 01-18 excluded, so 18 counting weeks: 09-03/07, 09-08/14, … 12-29/01-04).
@Suite("Compliance scenarios")
struct ComplianceScenarioTests {
    static let weekly = ComplianceFixture.policy(rules: """
          - id: weekly
            who: school-leader
            every: { kinds: [in-person], atLeast: 1, per: week }
        """)

    @Test("a week spanning the term start counts only from the first day of term")
    func weekSpanningTermStart() throws {
        // setup: Monday 09-01 is before the term; Thursday 09-04 is in term week 1 (Wed 09-03 … Sun 09-07)
        let scenario = ComplianceFixture.scenario(contacts: """
            [ { id: before, cadre: L001, kind: dorm-visit, start: "2025-09-01T19:00" },
              { id: inside, cadre: L001, kind: dorm-visit, start: "2025-09-04T19:00" } ]
            """)
        // act
        let report = try ComplianceFixture.evaluate(policy: Self.weekly, scenario: scenario, asOf: "2025-09-10")
        // check
        let cell = try #require(report.cell("L001", "weekly", "2025-2026-1"))
        let week1 = try #require(cell.parts.first)
        #expect(week1.start == LocalDate("2025-09-03") && week1.end == LocalDate("2025-09-07"))
        #expect(week1.status == .met && week1.achieved == 1)
        // Labels and notes are in both languages: the English page shows no Chinese week names.
        #expect(week1.label.zh.hasSuffix("第1周") && week1.label.en.hasSuffix("Week 1"), "\(week1.label)")
        #expect(cell.counted == ["inside"])
        #expect(cell.excluded == [ComplianceExclusion(id: "before", reason: .outsidePeriod)])
        #expect(cell.required == 18 && cell.achieved == 1 && cell.elapsed == 1)
        #expect(cell.status == .onTrack)  // week 2 (09-08 … 09-14) is still open on 09-10
    }

    @Test("a voided line (作废) counts nowhere and says why")
    func voidedLine() throws {
        let scenario = ComplianceFixture.scenario(contacts: """
            [ { id: kept, cadre: L001, kind: dorm-visit, start: "2025-09-04T19:00" },
              { id: double, cadre: L001, kind: dorm-visit, start: "2025-09-09T19:00", status: voided } ]
            """)
        let report = try ComplianceFixture.evaluate(policy: Self.weekly, scenario: scenario, asOf: "2025-09-16")
        let cell = try #require(report.cell("L001", "weekly", "2025-2026-1"))
        #expect(cell.counted == ["kept"])
        #expect(cell.excluded == [ComplianceExclusion(id: "double", reason: .voided)])
        #expect(cell.achieved == 1)
    }

    @Test("a leadership unit that files on time meets its own units-any cell and the school's (was: missed, the filing nowhere)")
    func leadershipFilesForItself() throws {
        let policy = ComplianceFixture.policy(rules: """
              - id: plan
                who: { units: any }
                filing: { kind: arrangement-plan, per: term, deadline: "term-start +14d" }
            """)
        let scenario = ComplianceFixture.scenario(filings: """
            [ { id: lead-plan, unit: LEAD, term: 2025-2026-1, kind: arrangement-plan, submitted: 2025-09-10 } ]
            """)
        let report = try ComplianceFixture.evaluate(policy: policy, scenario: scenario, asOf: "2025-10-01")
        let own = try #require(report.cell("LEAD", "plan", "2025-2026-1"))
        #expect(own.status == .met && own.counted == ["lead-plan"], "\(own.status) \(own.counted)")
        #expect(report.cell("CS", "plan", "2025-2026-1")?.status == .missed)
    }

    @Test("holiday weeks are skipped: not required, and contacts in them count nowhere")
    func holidayWeeks() throws {
        // setup: the university closes 09-29 … 10-08, so the whole week 09-29 … 10-05 is a vacation
        let scenario = ComplianceFixture.scenario(vacations: ComplianceFixture.autumnBreak,
                                                  contacts: ComplianceFixture.weeklyContacts(holiday: true))
        // act
        let report = try ComplianceFixture.evaluate(policy: Self.weekly, scenario: scenario, asOf: "2025-10-13")
        // check
        let cell = try #require(report.cell("L001", "weekly", "2025-2026-1"))
        let holidayWeek = try #require(cell.parts.first { $0.start == LocalDate("2025-09-29") })
        #expect(!holidayWeek.counts)
        #expect(holidayWeek.note.map { !$0.zh.isEmpty && $0.en != $0.zh } == true, "\(String(describing: holidayWeek.note))")
        #expect(cell.required == 17)          // 18 counting weeks less the holiday week
        #expect(cell.elapsed == 5)            // weeks 1–4 and 6 are over on 10-13
        #expect(cell.achieved == 5)
        #expect(cell.status == .onTrack)
        #expect(cell.excluded.contains(ComplianceExclusion(id: "holiday", reason: .pausedPeriod)))
        #expect(!cell.counted.contains("holiday"))
    }

    @Test("a missed week makes an every-week rule missed; the week is named in the parts")
    func missedWeek() throws {
        // setup: nothing in week 2 (09-08 … 09-14)
        let scenario = ComplianceFixture.scenario(contacts: """
            [ { id: a, cadre: L001, kind: canteen-visit, start: "2025-09-05T12:00" },
              { id: b, cadre: L001, kind: canteen-visit, start: "2025-09-17T12:00" } ]
            """)
        // act
        let report = try ComplianceFixture.evaluate(policy: Self.weekly, scenario: scenario, asOf: "2025-09-18")
        // check
        let cell = try #require(report.cell("L001", "weekly", "2025-2026-1"))
        #expect(cell.status == .missed)
        #expect(cell.parts.filter { $0.status == .missed }.map(\.start) == [LocalDate("2025-09-08")!])
    }

    @Test("a record on the last second of a week counts in that week, the next second in the next")
    func lastSecondOfPeriod() throws {
        // setup: Sunday 09-07 23:59:59 China time, written once with an offset and once in UTC
        let scenario = ComplianceFixture.scenario(contacts: """
            [ { id: last-second, cadre: L001, kind: face-to-face, start: "2025-09-07T23:59:59+08:00" },
              { id: last-second-utc, cadre: L002, kind: face-to-face, start: "2025-09-07T15:59:59Z" },
              { id: next-week, cadre: L002, kind: face-to-face, start: "2025-09-08T00:00:00+08:00" } ]
            """)
        // act
        let report = try ComplianceFixture.evaluate(policy: Self.weekly, scenario: scenario, asOf: "2025-09-15")
        // check
        let l001 = try #require(report.cell("L001", "weekly", "2025-2026-1"))
        let l002 = try #require(report.cell("L002", "weekly", "2025-2026-1"))
        #expect(l001.parts[0].achieved == 1 && l001.parts[1].achieved == 0)
        #expect(l002.parts[0].achieved == 1 && l002.parts[1].achieved == 1)
        #expect(l002.status == .onTrack && l001.status == .missed)
    }

    @Test("a cadre who becomes a school leader mid-term is judged only from that week on")
    func postChangeMidTerm() throws {
        // setup: 刘院长 becomes 副校长 on Monday 10-13 (term week 7); contacts in weeks 6, 7, 8, 9
        let scenario = ComplianceFixture.scenario(
            contacts: """
            [ { id: as-dean, cadre: C001, kind: face-to-face, start: "2025-10-08T10:00" },
              { id: w7, cadre: C001, kind: face-to-face, start: "2025-10-14T10:00" },
              { id: w8, cadre: C001, kind: face-to-face, start: "2025-10-21T10:00" },
              { id: w9, cadre: C001, kind: face-to-face, start: "2025-10-28T10:00" } ]
            """,
            changes: "[ { staff: C001, from: 2025-10-13, unit: LEAD, posts: [副校长], rank: school-leader } ]")
        // act
        let report = try ComplianceFixture.evaluate(policy: Self.weekly, scenario: scenario, asOf: "2025-11-02")
        // check: weeks 7 … 18 are his (12), weeks 7 and 8 are over, week 9 ends on the as-of day
        let cell = try #require(report.cell("C001", "weekly", "2025-2026-1"))
        #expect(cell.required == 12)
        #expect(cell.elapsed == 2)
        #expect(cell.achieved == 2)           // week 9 is met in its part, but counts once it is over
        #expect(cell.parts.first { $0.start == LocalDate("2025-10-27") }?.status == .met)
        #expect(cell.status == .onTrack)
        #expect(cell.subject.unitCode == "LEAD")
        #expect(cell.excluded == [ComplianceExclusion(id: "as-dean", reason: .notInRole)])
    }

    @Test("as of the middle of a week: the open week is on track, the term count is judged pro rata")
    func asOfMidWeek() throws {
        // setup: SEU asks 4 face-to-face contacts per term. Term 1 has 138 days; Wednesday 11-12 is day 71,
        // so floor(4 × 71/138) = 2 contacts are due by then.
        let policy = try ComplianceFixture.preset("seu-2019")
        let two = """
            [ { id: a, cadre: C001, kind: dorm-visit, start: "2025-09-10T19:00" },
              { id: b, cadre: C001, kind: class-observation, start: "2025-10-15T08:00" },
              { id: c, cadre: C002, kind: dorm-visit, start: "2025-09-10T19:00" } ]
            """
        // act
        let report = try ComplianceFixture.evaluate(policy: policy, scenario: ComplianceFixture.scenario(contacts: two), asOf: "2025-11-12")
        let weekly = try ComplianceFixture.evaluate(policy: Self.weekly, scenario: ComplianceFixture.scenario(contacts: """
            [ { id: w, cadre: L001, kind: dorm-visit, start: "2025-09-04T19:00" } ]
            """), asOf: "2025-09-10")
        // check
        #expect(report.cell("C001", "face-to-face-per-term", "2025-2026-1")?.status == .onTrack)
        #expect(report.cell("C002", "face-to-face-per-term", "2025-2026-1")?.status == .atRisk)
        let openWeek = try #require(weekly.cell("L001", "weekly", "2025-2026-1")?.parts[1])
        #expect(openWeek.status == .onTrack && openWeek.achieved == 0)
    }

    @Test("a make-up workday inside a response deadline shortens it")
    func makeUpWorkdayInResponseDeadline() throws {
        // setup: received Fri 2025-09-26. Sun 09-28 is a make-up workday (国庆节调休), 10-01 … 10-08 are holidays,
        // Sat 10-11 is a make-up workday. First response in 2 workdays: 09-28, 09-29 → due 09-29.
        // Answer in 5 workdays: 09-28, 09-29, 09-30, 10-09, 10-10 → due 10-10.
        let policy = """
            id: sla
            title: 诉求响应时限
            rules:
              - id: response
                who: { units: any }
                response:
                  tiers:
                    ordinary: { label: 一般诉求, firstResponse: 2, answer: 5 }
                    complex: { label: 复杂诉求, firstResponse: 2, answer: 15 }
            """
        let scenario = ComplianceFixture.scenario(cases: """
            [ { id: on-time, unit: XGB, received: 2025-09-26, firstResponse: 2025-09-29, answered: 2025-10-10 },
              { id: answered-on-makeup-saturday, unit: CS, received: 2025-09-26, firstResponse: 2025-09-28, answered: 2025-10-11 },
              { id: first-response-tuesday, unit: ME, received: 2025-09-26, firstResponse: 2025-09-30, answered: 2025-10-09 } ]
            """)
        // act
        let report = try ComplianceFixture.evaluate(policy: policy, scenario: scenario, asOf: "2025-10-20")
        // check
        let xgb = try #require(report.cell("XGB", "response", "2025-2026-1"))
        #expect(xgb.status == .met && xgb.counted == ["on-time"])
        #expect(xgb.parts.first?.note == Localized(zh: "首次响应截止 2025-09-29；答复截止 2025-10-10", en: "first response due 2025-09-29; answer due 2025-10-10"))
        #expect(report.cell("CS", "response", "2025-2026-1")?.excluded == [ComplianceExclusion(id: "answered-on-makeup-saturday", reason: .answerLate)])
        #expect(report.cell("ME", "response", "2025-2026-1")?.excluded == [ComplianceExclusion(id: "first-response-tuesday", reason: .firstResponseLate)])
        #expect(report.cell("school", "response", "2025-2026-1") == nil)
    }

    @Test("an open case is on track before its deadline, at risk on it, missed after it")
    func openCaseStatus() throws {
        // setup: a complex case received Thu 2025-10-09 (after the holiday) with a first response the next day
        let policy = """
            id: sla
            title: 诉求响应时限
            rules:
              - id: response
                who: school
                response: { tiers: { complex: { firstResponse: 2, answer: 3 } } }
            """
        let scenario = ComplianceFixture.scenario(cases: "[ { id: k, unit: CS, tier: complex, received: 2025-10-09, firstResponse: 2025-10-10 } ]")
        // act: answer due 3 workdays later: 10-10 (Fri), 10-11 (make-up Sat), 10-13 (Mon)
        let statuses = try ["2025-10-10", "2025-10-13", "2025-10-14"].map {
            try ComplianceFixture.evaluate(policy: policy, scenario: scenario, asOf: $0).cell("school", "response", "2025-2026-1")?.status
        }
        // check
        #expect(statuses == [.onTrack, .atRisk, .missed])
    }

    @Test("filing deadlines from anchors: two weeks after term start, a week before term end")
    func filingDeadlines() throws {
        // setup: HNUST. Term 1 starts 09-03, so the arrangement plan is due 09-17; the summary is due 01-11.
        let policy = try ComplianceFixture.preset("hnust-2025")
        let scenario = ComplianceFixture.scenario(filings: """
            [ { id: cs-plan, unit: CS, term: 2025-2026-1, kind: arrangement-plan, submitted: 2025-09-12 },
              { id: xgb-plan, unit: XGB, term: 2025-2026-1, kind: arrangement-plan, submitted: 2025-09-18 },
              { id: report, unit: LEAD, term: 2025-2026-1, kind: leader-contact-report, submitted: 2025-12-20 } ]
            """)
        // act
        let early = try ComplianceFixture.evaluate(policy: policy, scenario: scenario, asOf: "2025-09-05")
        let late = try ComplianceFixture.evaluate(policy: policy, scenario: scenario, asOf: "2025-09-20")
        // check
        #expect(early.cell("ME", "arrangement-plan", "2025-2026")?.status == .onTrack)
        #expect(early.cell("ME", "arrangement-plan", "2025-2026")?.due == LocalDate("2025-09-17"))
        #expect(late.cell("CS", "arrangement-plan", "2025-2026")?.status == .met)
        #expect(late.cell("XGB", "arrangement-plan", "2025-2026")?.excluded == [ComplianceExclusion(id: "xgb-plan", reason: .late)])
        #expect(late.cell("XGB", "arrangement-plan", "2025-2026")?.status == .missed)
        #expect(late.cell("CS", "semester-summary", "2025-2026-1")?.due == LocalDate("2026-01-11"))
        #expect(late.cell("school", "committee-hears-leader-report", "2025-2026-1")?.status == .onTrack)
    }

    @Test("role-conditional quantities: logistics leaders need five dorm visits, others four")
    func roleConditionalQuantity() throws {
        // setup: HNUST visit-dorms; 钱副校长 (logistics) and 赵副校长 (student work) each visit dorms four times
        let policy = try ComplianceFixture.preset("hnust-2025")
        let visits = (1...4).flatMap { i in ["L002", "L003"].map { "{ id: \($0)-\(i), cadre: \($0), kind: dorm-visit, start: \"2025-09-1\(i)T19:00\" }" } }
        let scenario = ComplianceFixture.scenario(contacts: "[ " + visits.joined(separator: ", ") + " ]")
        // act
        let report = try ComplianceFixture.evaluate(policy: policy, scenario: scenario, asOf: "2026-01-31")
        // check
        let logistics = try #require(report.cell("L003", "visit-dorms", "2025-2026-1"))
        let studentWork = try #require(report.cell("L002", "visit-dorms", "2025-2026-1"))
        #expect(logistics.required == 5 && logistics.status == .missed)
        #expect(studentWork.required == 4 && studentWork.status == .met)
        #expect(report.cell("L001", "visit-dorms", "2025-2026-1") == nil)
    }

    @Test("scopes: own collectives, linked college, confirmed only, and a deadline before a special week")
    func scopes() throws {
        // setup
        let policy = ComplianceFixture.policy(roles: "cadre: { rankAtLeast: deputy-director }", rules: """
              - id: own-class
                who: cadre
                count: { kinds: [class-meeting], scope: own-collectives, collectiveKinds: [class], atLeast: 1, per: term, confirmedOnly: true }
              - id: college-survey
                who: cadre
                count: { kinds: [survey], scope: linked-college, atLeast: 1, per: term, deadline: "special-week:teaching-worship exclusive" }
            """)
        let scenario = ComplianceFixture.scenario(
            contacts: """
            [ { id: other-class, cadre: L001, kind: class-meeting, start: "2025-09-10T19:00", collectives: [ME2501], confirmed: 5 },
              { id: unconfirmed, cadre: L001, kind: class-meeting, start: "2025-09-11T19:00", collectives: [CS2501] },
              { id: own-confirmed, cadre: L001, kind: class-meeting, start: "2025-09-12T19:00", collectives: [CS2501], confirmed: 3 },
              { id: survey-me, cadre: L001, kind: survey, start: "2025-09-15T09:00", college: ME },
              { id: survey-cs-late, cadre: L001, kind: survey, start: "2025-11-17T09:00", college: CS } ]
            """,
            pairings: "[ { cadre: L001, collective: CS2501 }, { cadre: L001, collective: CSSU } ]")
        // act
        let report = try ComplianceFixture.evaluate(policy: policy, scenario: scenario, asOf: "2025-11-20")
        // check
        let own = try #require(report.cell("L001", "own-class", "2025-2026-1"))
        #expect(own.counted == ["own-confirmed"])
        #expect(Set(own.excluded) == [ComplianceExclusion(id: "other-class", reason: .notOwnCollective),
                                      ComplianceExclusion(id: "unconfirmed", reason: .unconfirmed),
                                      ComplianceExclusion(id: "survey-me", reason: .wrongKind),
                                      ComplianceExclusion(id: "survey-cs-late", reason: .wrongKind)])
        let survey = try #require(report.cell("L001", "college-survey", "2025-2026-1"))
        #expect(survey.due == LocalDate("2025-11-16"))
        #expect(survey.excluded.contains(ComplianceExclusion(id: "survey-me", reason: .notLinkedCollege)))
        #expect(survey.excluded.contains(ComplianceExclusion(id: "survey-cs-late", reason: .afterDeadline)))
        #expect(survey.status == .missed)
    }

    @Test("pairing bounds and class coverage")
    func pairingAndCoverage() throws {
        // setup: BSU wants exactly one class as class head; a coverage rule wants every class linked
        let bsu = try ComplianceFixture.preset("bsu-2021")
        let coverage = ComplianceFixture.policy(rules: """
              - id: every-class
                who: { units: { kind: [college] } }
                coverage: { collectiveKinds: [class] }
            """)
        let scenario = ComplianceFixture.scenario(pairings: """
            [ { cadre: C001, collective: CS2501, kind: honorary-class-head },
              { cadre: C001, collective: CS2502, kind: honorary-class-head },
              { cadre: C002, collective: CS2502, kind: honorary-class-head },
              { cadre: C002, collective: CSPB1, kind: linked } ]
            """)
        // act
        let bsuReport = try ComplianceFixture.evaluate(policy: bsu, scenario: scenario, asOf: "2025-10-01")
        let coverageReport = try ComplianceFixture.evaluate(policy: coverage, scenario: scenario, asOf: "2025-10-01")
        // check
        #expect(bsuReport.cell("C001", "one-class", "2025-2026")?.status == .missed)
        #expect(bsuReport.cell("C002", "one-class", "2025-2026")?.status == .met)
        #expect(bsuReport.cell("C002", "one-class", "2025-2026")?.excluded == [ComplianceExclusion(id: "CSPB1", reason: .wrongCollectiveKind)])
        let cs = try #require(coverageReport.cell("CS", "every-class", "2025-2026"))
        #expect(cs.required == 2 && cs.achieved == 2 && cs.status == .met)
        let me = try #require(coverageReport.cell("ME", "every-class", "2025-2026"))
        #expect(me.excluded == [ComplianceExclusion(id: "ME2501", reason: .uncovered)] && me.status == .missed)
    }

    @Test("time share: hours with students against half of the working hours elapsed")
    func timeShare() throws {
        // setup: MOE, a student-work head. 09-03 … 09-12 has 8 workdays (64 hours); half is 32 hours.
        let policy = try ComplianceFixture.preset("moe-2019")
        let scenario = ComplianceFixture.scenario(
            contacts: """
            [ { id: long-day, cadre: X001, kind: survey, start: "2025-09-04T08:00", end: "2025-09-04T20:00" },
              { id: talks, cadre: X001, kind: heart-to-heart, start: "2025-09-09T08:00", hours: 21 },
              { id: online, cadre: X001, kind: online, start: "2025-09-10T20:00", hours: 30 } ]
            """,
            extraCadres: "  - { staff: X001, name: 陈部长, unit: XGB, posts: [部长], rank: director }")
        // act
        let report = try ComplianceFixture.evaluate(policy: policy, scenario: scenario, asOf: "2025-09-12")
        // check
        let cell = try #require(report.cell("X001", "half-time-with-students", "2025-2026-1"))
        #expect(cell.required == 32 && cell.achieved == 33)
        #expect(cell.status == .onTrack)
        #expect(cell.excluded == [ComplianceExclusion(id: "online", reason: .wrongKind)])
    }

    @Test("time share: a cadre who takes the role mid-term owes half of the workdays from then, with the hours from then")
    func timeShareFromRoleStart() throws {
        // setup: MOE. 刘院长 heads the student-work department from Monday 09-08: 09-08 … 09-12 has 5 workdays
        // (40 hours), half is 20 hours. The 12-hour survey on 09-04 was done as a dean and does not count.
        let policy = try ComplianceFixture.preset("moe-2019")
        let scenario = ComplianceFixture.scenario(
            contacts: """
            [ { id: as-dean, cadre: C001, kind: survey, start: "2025-09-04T08:00", end: "2025-09-04T20:00" },
              { id: talks, cadre: C001, kind: heart-to-heart, start: "2025-09-09T08:00", hours: 21 } ]
            """,
            changes: "[ { staff: C001, from: 2025-09-08, unit: XGB, posts: [部长], rank: director } ]")
        // act
        let report = try ComplianceFixture.evaluate(policy: policy, scenario: scenario, asOf: "2025-09-12")
        // check
        let cell = try #require(report.cell("C001", "half-time-with-students", "2025-2026-1"))
        #expect(cell.required == 20 && cell.achieved == 21)
        #expect(cell.status == .onTrack)
        #expect(cell.counted == ["talks"])
        #expect(cell.excluded == [ComplianceExclusion(id: "as-dean", reason: .notInRole)])
        #expect(cell.note?.zh.hasPrefix("5 个工作日") == true)
        #expect(cell.note?.en.hasPrefix("5 workdays") == true)
    }

    @Test("dates print as zero-padded ISO text, as reports and case notes show them")
    func isoText() {
        // setup
        let dates = [(1, 1, 1), (999, 12, 31), (2025, 9, 3), (2026, 11, 25), (9999, 12, 31)]
        // act
        let texts = dates.map { LocalDate(year: $0.0, month: $0.1, day: $0.2)!.iso }
        // check
        #expect(texts == ["0001-01-01", "0999-12-31", "2025-09-03", "2026-11-25", "9999-12-31"])
        #expect(texts.map { LocalDate($0) } == dates.map { LocalDate(year: $0.0, month: $0.1, day: $0.2) })
    }

    @Test("roll-ups count every status per unit and for the school")
    func rollups() throws {
        // setup: MOE lecture rule; the secretary lectured, the two vice presidents did not
        let policy = try ComplianceFixture.preset("moe-2019")
        let scenario = ComplianceFixture.scenario(contacts: "[ { id: lecture, cadre: L001, kind: policy-lecture, start: \"2025-10-20T10:00\" } ]")
        // act
        let report = try ComplianceFixture.evaluate(policy: policy, scenario: scenario, asOf: "2026-01-31")
        // check
        let lead = try #require(report.rollups.first { $0.unitCode == "LEAD" && $0.ruleID == "lecture-per-term" && $0.periodID == "2025-2026-1" })
        #expect(lead.tally.met == 1 && lead.tally.missed == 2)
        let school = try #require(report.rollups.first { $0.unitCode == "school" && $0.ruleID == "lecture-per-term" && $0.periodID == "2025-2026-1" })
        #expect(school.tally == lead.tally)
        #expect(report.schoolTotal.total == report.cells.filter { $0.severity == .required }.count)
    }

    @Test("Soochow: party-member leaders also link a party branch; the secretary gives the first lesson")
    func soochowPartyBranch() throws {
        // setup: 王书记 (party member) links a class only; 赵副校长 (not a party member) links a class
        let policy = try ComplianceFixture.preset("suda-2019")
        let scenario = ComplianceFixture.scenario(
            contacts: "[ { id: first-lesson, cadre: L001, kind: first-lesson, start: \"2025-09-05T09:00\", participants: 4000 } ]",
            pairings: "[ { cadre: L001, collective: CS2501 }, { cadre: L002, collective: ME2501 } ]")
        // act
        let report = try ComplianceFixture.evaluate(policy: policy, scenario: scenario, asOf: "2025-10-08")
        // check
        #expect(report.cell("L001", "leader-link-collective", "2025-2026")?.status == .met)
        #expect(report.cell("L001", "leader-link-party-branch", "2025-2026")?.status == .missed)
        #expect(report.cell("L002", "leader-link-party-branch", "2025-2026") == nil)
        // 书记或校长 (§4.15): one school cell for the group; the fixture's only 党委书记/校长 is L001
        let firstLesson = report.cell("school", "leader-first-lesson", "2025-2026")
        #expect(firstLesson?.counted == ["first-lesson"] && firstLesson?.members == ["L001"] && firstLesson?.status == .met)
        #expect(report.cell("L001", "leader-first-lesson", "2025-2026") == nil)
        #expect(report.cell("L002", "leader-first-lesson", "2025-2026") == nil)
    }

    @Test("an index built once gives the same report as evaluating the input directly, for any as-of day")
    func indexReuse() throws {
        // setup
        let policy = try PolicyLoader.load(try ComplianceFixture.preset("hnust-2025"))
        let input = SyntheticUniversity.make(seed: 3, cadres: 30, collectives: 80, contacts: 600).input(policy: policy)
        let index = ComplianceIndex(input)
        for day in ["2025-09-20", "2026-01-10", "2026-06-01"] {
            // act
            let direct = ComplianceEngine.evaluate(input, asOf: LocalDate(day)!)
            let indexed = ComplianceEngine.evaluate(index, asOf: LocalDate(day)!)
            // check
            #expect(PolicyCLI.json(direct) == PolicyCLI.json(indexed))
        }
    }

    @Test("near-miss detail leaves out only lines of other kinds")
    func nearMissDetail() throws {
        // setup
        let input = SyntheticUniversity.make(seed: 11, cadres: 30, collectives: 80, contacts: 600)
            .input(policy: try PolicyLoader.load(SyntheticUniversity.benchmarkPolicy))
        // act
        let full = ComplianceEngine.evaluate(input, asOf: LocalDate("2026-01-31")!)
        let near = ComplianceEngine.evaluate(input, asOf: LocalDate("2026-01-31")!, detail: .nearMisses)
        // check
        #expect(full.cells.count == near.cells.count)
        for (a, b) in zip(full.cells, near.cells) {
            #expect(a.status == b.status && a.achieved == b.achieved && a.counted == b.counted)
            #expect(a.excluded.filter { $0.reason != .wrongKind } == b.excluded)
        }
        #expect(full.cells.contains { $0.excluded.contains { $0.reason == .wrongKind } })
    }

    @Test("the benchmark reports its figures")
    func benchmarkRuns() {
        // act
        let text = ComplianceBenchmark.run(students: 1_200, cadres: 40, collectives: 100, contacts: 800, runs: 3)
        // check
        #expect(text.contains("1200 students") && text.contains("40 cadres") && text.contains("800 ledger lines"))
        #expect(text.contains("index build (once per data version): median"))
        #expect(text.contains("index updated after one cadre's new line: median") && text.contains("% of a full build)"))
        #expect(text.contains("evaluate, warm, full detail: median") && text.contains("over 3 runs"))
        #expect(text.contains("goal ≤ 50.0 ms warm median: met") || text.contains("goal ≤ 50.0 ms warm median: NOT met"))
    }

    @Test("a monthly filing due on the 5th of the following month")
    func monthlyFiling() throws {
        // setup: the October report is due 11-05, the November report 12-05
        let policy = ComplianceFixture.policy(rules: """
              - id: monthly-report
                who: { units: { kind: [college] } }
                filing: { kind: semester-summary, per: month, deadline: "following-month:05" }
            """)
        let scenario = ComplianceFixture.scenario(filings: """
            [ { id: cs-oct, unit: CS, term: 2025-2026-1, kind: semester-summary, period: 2025-10, submitted: 2025-11-05 },
              { id: cs-nov, unit: CS, term: 2025-2026-1, kind: semester-summary, period: 2025-11, submitted: 2025-12-08 } ]
            """)
        // act
        let report = try ComplianceFixture.evaluate(policy: policy, scenario: scenario, asOf: "2025-12-10")
        // check
        let october = try #require(report.cell("CS", "monthly-report", "2025-10"))
        #expect(october.due == LocalDate("2025-11-05") && october.status == .met && october.counted == ["cs-oct"])
        let november = try #require(report.cell("CS", "monthly-report", "2025-11"))
        #expect(november.due == LocalDate("2025-12-05") && november.status == .missed)
        #expect(november.excluded == [ComplianceExclusion(id: "cs-nov", reason: .late)])
        #expect(report.cell("ME", "monthly-report", "2025-12")?.status == .onTrack)
    }
}

