import Testing
@testable import YixianCore

/// 三个纳入 / 教党函〔2019〕34号 四: experience and findings computed by hand.
@Suite("Appointment check: student-work experience and findings on a proposed post")
struct AppointmentCheckTests {
    static let kinds: [String: UnitKind] = ["CS": .college, "XGB": .studentWork, "ZZB": .partyDepartment, "JWC": .functionalDepartment]
    static let cadre = Cadre(staffNumber: "T1", name: "张伟", unitCode: "CS", posts: ["副院长"], rank: .deputyDirector, partyMember: true)

    static func day(_ text: String) -> LocalDate { LocalDate(text)! }

    static func year(_ start: Int, completed: Bool, met: Int = 0, missed: Int = 0, atRisk: Int = 0, confirmed: Int = 0,
                     measures: [Localized] = []) -> AppointmentCheck.YearRecord {
        var tally = ComplianceTally()
        tally.met = met
        tally.missed = missed
        tally.atRisk = atRisk
        return .init(yearID: "\(start)-\(start + 1)", name: .same("\(start)—\(start + 1)学年"),
                     range: DateRange(start: day("\(start)-08-25"), end: day("\(start + 1)-08-23")), completed: completed, tally: tally,
                     confirmedFindings: confirmed, measures: measures)
    }

    static func check(_ spells: [AppointmentCheck.Spell], _ years: [AppointmentCheck.YearRecord] = [],
                      asOf: String = "2026-12-07", thresholds: AppointmentCheck.Thresholds = .init()) -> AppointmentCheck {
        AppointmentCheck(cadre: cadre, unitKinds: kinds, spells: spells, history: years, asOf: day(asOf), thresholds: thresholds)
    }

    @Test("experience: days in student-work units or posts, overlaps once, open spells to the day of the check")
    func experience() {
        let c = Self.check([
            // 辅导员 in a college, 2020-09-01 … 2022-08-31: 730 days (2020-09-01 to 2022-08-31 inclusive is 365 + 365).
            .init(unitCode: "CS", posts: ["辅导员"], from: Self.day("2020-09-01"), recordedFrom: Self.day("2020-09-01"), to: Self.day("2022-08-31")),
            // A teaching post: not student work.
            .init(unitCode: "CS", posts: ["系主任"], from: Self.day("2022-09-01"), recordedFrom: Self.day("2022-09-01"), to: Self.day("2024-08-31")),
            // 学工部 (unit kind student-work) from 2024-09-01 to 2026-12-07: 828 days.
            .init(unitCode: "XGB", posts: ["副部长"], from: Self.day("2024-09-01"), recordedFrom: Self.day("2024-09-01"), to: nil),
        ])
        #expect(c.studentWorkSpells.count == 2)
        #expect(c.studentWorkDays == 730 + 828)
        // 1558 / 365.25 = 4.265… → 4.2
        #expect(c.studentWorkYears == 4.2)
        #expect(!c.startsUnknown)
    }

    @Test("a spell that began before the records counts from the day it was recorded, and says so")
    func unknownStart() throws {
        let c = Self.check([.init(unitCode: "XGB", posts: ["科长"], from: nil, recordedFrom: Self.day("2026-09-01"), to: nil)])
        // 2026-09-01 … 2026-12-07: 30 + 31 + 30 + 7 = 98 days.
        #expect(c.studentWorkDays == 98)
        #expect(c.startsUnknown)
        let findings = c.findings(post: "部长", unitCode: "XGB")
        let short = try #require(findings.first { $0.code == .shortExperience })
        #expect(short.severity == .attention)
        #expect(short.reason.zh.contains("0.2 年") && short.reason.zh.contains("2026-09-01") && short.reason.zh.contains("干部人事档案"))
    }

    @Test("head posts: 部长/处长/主任/书记 in student-work or party departments, or a post in charge of student work")
    func headPosts() {
        let c = Self.check([])
        #expect(c.isHeadPost(post: "党委学生工作部部长", unitCode: "XGB"))
        #expect(c.isHeadPost(post: "副部长", unitCode: "ZZB"))
        #expect(c.isHeadPost(post: "分管学生工作副书记", unitCode: "CS"))
        #expect(!c.isHeadPost(post: "院长", unitCode: "CS"))
        #expect(!c.isHeadPost(post: "处长", unitCode: "JWC"))
        #expect(!c.isHeadPost(post: "科员", unitCode: "XGB"))
    }

    @Test("a head post for a cadre without student-work experience is blocking; with 2 years or more it is not")
    func experienceFindings() {
        let none = Self.check([.init(unitCode: "CS", posts: ["副院长"], from: Self.day("2020-09-01"), recordedFrom: Self.day("2020-09-01"), to: nil)])
        let findings = none.findings(post: "部长", unitCode: "XGB")
        #expect(findings.first?.code == .noExperience && findings.first?.severity == .blocking)
        #expect(findings.first?.reason.zh.contains("分工联系、兼任职务、岗位锻炼") == true)
        #expect(AppointmentCheck.outcome(findings) == .blocking)
        // The same cadre for a post that is not a head post: the requirement does not apply.
        let other = none.findings(post: "院长", unitCode: "CS")
        #expect(other.contains { $0.code == .notHeadPost } && !other.contains { $0.code == .noExperience })

        let two = Self.check([.init(unitCode: "XGB", posts: ["科长"], from: Self.day("2024-09-01"), recordedFrom: Self.day("2024-09-01"), to: nil)])
        // 828 days = 2.2 years ≥ 2.
        #expect(two.studentWorkYears == 2.2)
        #expect(!two.findings(post: "部长", unitCode: "XGB").contains { [.noExperience, .shortExperience].contains($0.code) })
        // A university asking for 3 years, and treating a shortfall as blocking.
        var strict = AppointmentCheck.Thresholds()
        strict.minimumYears = 3
        strict.shortExperienceSeverity = .blocking
        let strictCheck = Self.check(two.spells, thresholds: strict)
        let short = strictCheck.findings(post: "部长", unitCode: "XGB").first { $0.code == .shortExperience }
        #expect(short?.severity == .blocking)
        #expect(short?.reason.zh == "学生工作经历 2.2 年，少于本校要求的 3 年。")
    }

    @Test("compliance: missed requirements in the last completed year, the running year, integrity and accountability")
    func complianceFindings() {
        let spells: [AppointmentCheck.Spell] = [.init(unitCode: "XGB", posts: ["科长"], from: Self.day("2020-09-01"), recordedFrom: Self.day("2020-09-01"), to: nil)]
        let years = [
            Self.year(2026, completed: false, met: 1, missed: 1, atRisk: 2),
            Self.year(2025, completed: true, met: 3, missed: 2),
            Self.year(2024, completed: true, met: 4, missed: 1, confirmed: 1, measures: [AccountabilityKind.admonition.label]),
        ]
        let c = Self.check(spells, years)
        let findings = c.findings(post: "部长", unitCode: "XGB")
        let codes = findings.map(\.code)
        // Only the last completed year (2025) by default: 2024's one missed requirement is not a finding.
        #expect(findings.filter { $0.code == .missed }.map(\.reason.zh) == ["2025—2026学年未完成 2 项工作要求（可接受 0 项）。"])
        #expect(findings.first { $0.code == .atRisk }?.reason.zh == "本学年（2026—2027学年）至今未完成 1 项、有风险 2 项。")
        #expect(findings.first { $0.code == .integrity }?.severity == .blocking)
        #expect(findings.first { $0.code == .accountability }?.reason.zh == "2024—2025学年受到问责：诫勉谈话。")
        // Most severe first.
        #expect(codes.first == .integrity)
        #expect(findings.map(\.severity) == findings.map(\.severity).sorted())

        // Two recent years, one missed tolerated: 2025 (2 > 1) is a finding, 2024 (1) is not.
        var t = AppointmentCheck.Thresholds()
        t.recentCompletedYears = 2
        t.tolerableMissed = 1
        t.missedSeverity = .blocking
        let two = Self.check(spells, years, thresholds: t).findings(post: "部长", unitCode: "XGB").filter { $0.code == .missed }
        #expect(two.count == 1 && two[0].severity == .blocking && two[0].reason.en.contains("2025—2026"))

        // Nothing completed yet.
        let fresh = Self.check(spells, [Self.year(2026, completed: false)]).findings(post: "部长", unitCode: "XGB")
        #expect(fresh.contains { $0.code == .noCompletedYear } && !fresh.contains { $0.code == .atRisk })
        #expect(AppointmentCheck.outcome(fresh) == .info)
    }
}
