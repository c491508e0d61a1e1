import Foundation
import Testing
import YixianCore
@testable import YixianServer

extension LedgerListModel {
    static let mock = LedgerListModel(
        isCadre: true,
        quickKinds: ["dorm-visit", "face-to-face"].compactMap { ContactVocabulary.standard.kind($0) },
        rows: [
            Row(id: UUID(uuidString: "00000000-0000-0000-0000-000000000001")!, start: PageSnapshotTests.at("2026-03-09 19:30"), cadre: "张伟",
                kind: Localized(zh: "走访宿舍", en: "Dorm visit"), place: "梅园3舍", participants: 6, confirmations: 2, status: .submitted),
            Row(id: UUID(uuidString: "00000000-0000-0000-0000-000000000002")!, start: PageSnapshotTests.at("2026-03-10 12:00"), cadre: "张伟",
                kind: Localized(zh: "面对面接触", en: "Face-to-face contact"), place: "<食堂> & 二楼", participants: 12, confirmations: 0, status: .draft),
        ],
        page: 1, per: 50, total: 2)
}

extension LedgerRecordModel {
    static let mock: LedgerRecordModel = {
        let id = UUID(uuidString: "00000000-0000-0000-0000-0000000000AA")!
        let contact = ContactDTO(
            id: id, cadre: .init(id: UUID(uuidString: "00000000-0000-0000-0000-0000000000CA")!, staffNumber: "T001", name: "张伟"),
            kind: "dorm-visit", kindLabel: Localized(zh: "走访宿舍", en: "Dorm visit"),
            start: PageSnapshotTests.at("2026-03-09 19:30"), end: PageSnapshotTests.at("2026-03-09 20:30"), place: "梅园3舍",
            venue: "dorm", collectiveCodes: ["CS2301", "DORM-3"], participantCount: 6, hours: 1, summary: "了解学习生活情况",
            status: "submitted", version: 2, confirmations: 2, confirmCode: "ABCD2345", backdateReason: nil,
            problems: [.init(text: "热水供应不稳定", category: "后勤", collectiveCode: nil)],
            createdAt: PageSnapshotTests.at("2026-03-09 21:00"), submittedAt: PageSnapshotTests.at("2026-03-09 21:00"))
        return LedgerRecordModel(
            contact: contact, collectiveNames: ["CS2301": "计算机2301班"], status: .submitted, mine: true, submitted: true, viewerIsStudent: false,
            flags: [IntegrityFlag(kind: .lateEntry, recordIDs: [id.uuidString], reason: Localized(zh: "活动后 20 天才录入。", en: "Entered 20 days later."))],
            evidence: [.init(link: "/attachments/00000000-0000-0000-0000-0000000000EE", isPDF: false, takenAt: PageSnapshotTests.at("2026-03-09 19:45"))],
            corrections: [.init(version: 1, by: "张伟", at: PageSnapshotTests.at("2026-03-10 08:00"), reason: "人次填错")],
            confirmCode: "ABCD2345", confirmPath: "/c/ABCD2345", qrSVG: nil, mayVoid: true, earlierConfirmations: 1)
    }()
}

extension HomeModel {
    /// A cadre in the ninth week, with two links, one overdue item and a running one.
    static let mockCadre = HomeModel(
        name: "张伟", today: LocalDate("2026-03-10")!, term: .init(name: CalendarNames.term(id: "2025-2026-2", name: "2025-2026学年第二学期"), week: 2),
        body: .cadre(.init(unit: "计算机学院", posts: ["党委书记", "<院长>"], rank: Rank.director.label,
                           links: [(kind: Localized(zh: "联系班级", en: "Linked collective"), target: "计算机2301班"),
                                   (kind: Localized(zh: "重点学生", en: "Key student"), target: "李娜（2023001）")])),
        progress: .init(overdue: 1, running: 2, met: 5), compliance: nil)

    /// The office's view outside term: school-wide counts and compliance.
    static let mockOffice = HomeModel(
        name: "学工部", today: LocalDate("2026-07-20")!, term: nil,
        body: .roster(units: 36, cadres: 150, staff: 0, collectives: 412, students: 8000, canImport: true),
        progress: nil, compliance: .init(met: 855, judged: 1200, missed: 345, atRisk: 12, flags: 7, link: .compliance))
}

extension FilingPageModel {
    /// The office after a refused post: what was typed stays, the future date is named.
    static let mockRefused = FilingPageModel(
        input: FilingInput(unitCode: "CS", kind: "semester-summary", termCode: "2025-2026-2", period: nil, submittedOn: "2026-04-01"),
        problems: [FieldProblem(field: "submittedOn", message: Localized(zh: "报送日期不能晚于今天", en: "The filing date cannot be in the future"))],
        filed: false,
        filings: [FilingDTO(id: UUID(uuidString: "00000000-0000-0000-0000-0000000000F1")!, unitCode: "CS", unitName: "计算机学院",
                            kind: "arrangement-plan", kindLabel: Localized(zh: "工作安排", en: "Arrangement plan"),
                            termCode: "2025-2026-2", period: nil, submittedOn: "2026-03-02",
                            attachments: [.init(id: UUID(uuidString: "00000000-0000-0000-0000-0000000000A1")!, name: "工作安排<盖章>.pdf", kind: "pdf", size: 2048)])],
        kinds: Array(FilingKind.standard.prefix(2)),
        terms: [.init(id: "2025-2026-2", name: CalendarNames.term(id: "2025-2026-2", name: "2025-2026学年第二学期")), .init(id: "2025-2026-1", name: CalendarNames.term(id: "2025-2026-1", name: "2025-2026学年第一学期"))],
        currentTermID: "2025-2026-2", units: [.init(code: "CS", name: "计算机学院"), .init(code: "EE", name: "电子学院")],
        today: LocalDate("2026-03-10")!)
}

extension CadreDTO {
    static let mock = CadreDTO(id: UUID(uuidString: "00000000-0000-0000-0000-0000000000CA")!, staffNumber: "T001", name: "张伟",
                               unit: .init(id: UUID(uuidString: "00000000-0000-0000-0000-0000000000C5")!, code: "CS", name: "计算机学院"),
                               posts: ["党委书记", "<院长>"], rank: "director", rankLabel: Rank.director.label, partyMember: true,
                               tags: ["student-work"], active: true)
}

extension RosterListModel<CadreDTO> {
    /// The second of three pages, filtered by unit and text: page links must keep both.
    static let mock = RosterListModel(
        filter: RosterFilter(text: "张", unitID: CadreDTO.mock.unit.id, page: PageRequest(page: 2, per: 1)),
        page: ListPage(items: [.mock], page: 2, per: 1, total: 3),
        unitOptions: [(CadreDTO.mock.unit.id.uuidString, "计算机学院"), ("00000000-0000-0000-0000-0000000000C6", "电子学院")],
        canExport: true, query: ["q": "张", "unit": CadreDTO.mock.unit.id.uuidString])
}

extension CadrePageModel {
    static let mock = CadrePageModel(cadre: .mock, pairings: [
        .init(academicYear: "2025-2026", kind: "linked", with: "计算机2301班", start: "2025-09-01", end: "2026-08-31"),
        .init(academicYear: "2025-2026", kind: "key-student", with: "李娜（2023001）", start: "2025-09-01", end: "2026-01-15"),
    ], record: .init(cadreID: CadreDTO.mock.id, check: AppointmentCheck(
        cadre: Cadre(staffNumber: "T001", name: "张伟", unitCode: "CS", posts: ["党委副书记"], rank: .deputyDirector, partyMember: true),
        unitKinds: ["CS": .college, "XGB": .studentWork],
        spells: [.init(unitCode: "XGB", posts: ["辅导员"], from: LocalDate("2021-09-01")!, recordedFrom: LocalDate("2021-09-01")!, to: LocalDate("2024-08-31")!),
                 .init(unitCode: "CS", posts: ["党委副书记"], from: LocalDate("2024-09-01")!, recordedFrom: LocalDate("2024-09-01")!, to: nil)],
        history: [.init(yearID: "2025-2026", name: Localized(zh: "2025—2026学年", en: "2025–2026"),
                        range: DateRange(start: LocalDate("2025-08-25")!, end: LocalDate("2026-08-23")!), completed: true,
                        tally: { var t = ComplianceTally(); t.met = 5; t.missed = 1; return t }())],
        asOf: LocalDate("2026-10-01")!),
        unitNames: ["CS": "计算机学院", "XGB": "党委学生工作部"], units: [], firstPairing: LocalDate("2025-09-01"), firstContact: nil),
    mayCheck: true)
}

/// Whole pages rendered from `.mock` models and compared with `Snapshots/*.html`, so a change
/// to a page shows in review as a change to its snapshot. Run with `YIXIAN_RECORD_SNAPSHOTS=1`
/// to write the snapshots anew after an intended change.
@Suite("Page snapshots")
struct PageSnapshotTests {
    static func at(_ text: String) -> Date {
        let parts = text.split(separator: " ")
        let clock = parts[1].split(separator: ":").map { Int($0)! }
        return LocalDate(String(parts[0]))!.startInstant().addingTimeInterval(TimeInterval(clock[0] * 3600 + clock[1] * 60))
    }

    static let cadre = CurrentUser(id: UUID(uuidString: "00000000-0000-0000-0000-0000000000B1")!, username: "cadre", displayName: "张伟",
                                   role: .cadre, cadreID: UUID(uuidString: "00000000-0000-0000-0000-0000000000CA")!)

    static func context(_ path: String, _ language: Language = .zh) -> PageContext {
        PageContext(user: cadre, language: language, path: path, csrfToken: "CSRF-TOKEN", today: LocalDate("2026-03-10")!,
                    navigation: Layout.navigation.filter { [.home, .progress, .ledger, .calendar].contains($0.route) })
    }

    static func check(_ name: String, _ page: String) throws {
        // One tag per line, so a change reads as a line diff in review.
        let html = page.replacingOccurrences(of: "><", with: ">\n<") + "\n"
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots/\(name).html")
        if ProcessInfo.processInfo.environment["YIXIAN_RECORD_SNAPSHOTS"] == "1" {
            try Data(html.utf8).write(to: file)
            return
        }
        let expected = try #require(try? String(contentsOf: file, encoding: .utf8), "no snapshot \(name).html; record it with YIXIAN_RECORD_SNAPSHOTS=1")
        #expect(html == expected, "\(name) changed; review the diff and re-record if intended")
    }

    @Test("the ledger list of a cadre, in Chinese and English")
    func ledgerList() throws {
        for language in [Language.zh, .en] {
            let ctx = Self.context("/ledger", language)
            try Self.check("ledger-list-\(language.rawValue)",
                           Layout.page(ctx, title: ctx.t("工作台账", "Ledger"), content: LedgerPages.listView(ctx, .mock)))
        }
    }

    @Test("a submitted record seen by its cadre: flags, evidence, problems, code, corrections")
    func ledgerRecord() throws {
        let ctx = Self.context("/ledger/00000000-0000-0000-0000-0000000000AA")
        let html = Layout.page(ctx, title: "走访宿舍", breadcrumbs: [("工作台账", "/ledger"), ("走访宿舍", nil)],
                               content: LedgerPages.recordView(ctx, .mock))
        try Self.check("ledger-record", html)
        #expect(html.contains("&lt;食堂&gt;") == false, "the record page does not show the list's rows")
        #expect(html.contains("计算机2301班、DORM-3"), "names where known, codes otherwise")
    }

    @Test("text from users is escaped on the list page")
    func escaped() {
        let ctx = Self.context("/ledger")
        let html = Layout.page(ctx, title: "工作台账", content: LedgerPages.listView(ctx, .mock))
        #expect(html.contains("&lt;食堂&gt; &amp; 二楼"))
        #expect(!html.contains("<食堂>"))
    }

    @Test("the home page of a cadre and of the office, in Chinese and English")
    func home() throws {
        for language in [Language.zh, .en] {
            let ctx = Self.context("/", language)
            try Self.check("home-cadre-\(language.rawValue)", Layout.page(ctx, title: ctx.t("首页", "Home"), content: HomePage.view(ctx, .mockCadre)))
            try Self.check("home-office-\(language.rawValue)", Layout.page(ctx, title: ctx.t("首页", "Home"), content: HomePage.view(ctx, .mockOffice)))
        }
        let ctx = Self.context("/")
        let office = Layout.page(ctx, title: "首页", content: HomePage.view(ctx, .mockOffice))
        #expect(office.contains(">71%<"), "855 of 1,200 due items met")
        #expect(office.contains("不在学期内"))
        let cadre = Layout.page(ctx, title: "首页", content: HomePage.view(ctx, .mockCadre))
        #expect(cadre.contains("&lt;院长&gt;") && !cadre.contains("<院长>"))
        #expect(!cadre.contains("本学期落实情况"), "a cadre without compliance reading sees no school tally")
    }

    @Test("the filings page after a refused post keeps what was typed and names the problem")
    func filings() throws {
        let ctx = Self.context("/filings")
        let html = Layout.page(ctx, title: "报送", status: .unprocessableEntity, content: FilingPages.view(ctx, .mockRefused))
        try Self.check("filings-refused", html)
        #expect(html.contains("data-status=\"422\""))
        #expect(html.contains("value=\"2026-04-01\""), "the typed date stays")
        #expect(html.contains("<option value=\"semester-summary\" selected"), "the chosen kind stays")
        #expect(html.contains("报送日期不能晚于今天"))
    }

    @Test("the pairing page after a refused handover keeps the form's input and reasons")
    func pairingHandoverRefused() throws {
        let ctx = Self.context("/pairings")
        let model = PairingTableModel(yearID: "2025-2026", yearName: CalendarNames.academicYear(id: "2025-2026", name: "2025-2026学年"), rows: [], canManage: true, handedOver: false,
                                      handover: HandoverInput(fromStaffNumber: "T001", toStaffNumber: "T001", date: "2026-03-01"),
                                      problems: [FieldProblem(field: "toStaffNumber", message: Localized(zh: "接任干部不能与原任干部相同", en: "the successor must differ from the predecessor"))])
        let html = Layout.page(ctx, title: "结对表", status: .unprocessableEntity, content: PairingPages.view(ctx, model))
        try Self.check("pairings-handover-refused", html)
        #expect(html.contains("接任干部不能与原任干部相同") && html.contains("value=\"2026-03-01\""))
        let reader = Layout.page(ctx, title: "结对表", content: PairingPages.view(ctx, PairingTableModel(
            yearID: model.yearID, yearName: model.yearName, rows: [], canManage: false, handedOver: true, handover: HandoverInput(), problems: [])))
        #expect(!reader.contains("id=\"handover\"") && reader.contains("交接完成"), "readers see the notice but not the form")
    }

    @Test("the wish form shows saved wishes by name and ticks the chosen kinds")
    func wishes() throws {
        for language in [Language.zh, .en] {
            let ctx = Self.context("/pairings/wishes", language)
            let model = WishPageModel(yearName: CalendarNames.academicYear(id: "2025-2026", name: "2025-2026学年"), kinds: ["class", "dorm"], collectives: "计算机2302班，<学生会>",
                                      expertise: "心理辅导", saved: true, problems: [])
            let html = Layout.page(ctx, title: ctx.t("结对志愿", "Pairing wishes"), content: WishPages.view(ctx, model))
            try Self.check("wishes-\(language.rawValue)", html)
            #expect(html.contains("value=\"class\" checked") && !html.contains("value=\"club\" checked"))
            #expect(html.contains("&lt;学生会&gt;") && !html.contains("<学生会>"))
        }
    }

    @Test("the users page as the security admin: a locked account can be unlocked, the admin cannot act on themself")
    func users() throws {
        let admin = CurrentUser(id: UUID(uuidString: "00000000-0000-0000-0000-0000000000D1")!, username: "security", displayName: "安全管理员",
                                role: .securityAdmin, totpEnrolled: true)
        let ctx = PageContext(user: admin, language: .zh, path: "/admin/users", csrfToken: "CSRF-TOKEN", today: LocalDate("2026-03-10")!,
                              navigation: Layout.navigation.filter { [.home, .users].contains($0.route) })
        let model = UsersPageModel(users: [
            .init(id: admin.id, username: "security", displayName: "安全管理员", role: .securityAdmin, active: true, locked: false, totpEnrolled: true),
            .init(id: UUID(uuidString: "00000000-0000-0000-0000-0000000000D2")!, username: "cadre", displayName: "<张伟>", role: .cadre,
                  active: true, locked: true, totpEnrolled: false),
        ], page: 1, per: 50, total: 2, form: UserInput(), problems: [])
        let html = Layout.page(ctx, title: "用户管理", content: AdminPages.usersView(ctx, model))
        try Self.check("users-security", html)
        #expect(html.contains("action=\"/admin/users/00000000-0000-0000-0000-0000000000D2/unlock\""), "a locked account can be unlocked")
        #expect(!html.contains("0000000000D1/deactivate"), "no action on one's own account")
        #expect(html.contains("&lt;张伟&gt;") && !html.contains("新建用户"), "the security admin grants roles but does not create accounts")
    }

    @Test("the cadre roster keeps its filter on page links; a cadre's page lists their pairings by kind")
    func roster() throws {
        let ctx = Self.context("/cadres")
        let list = Layout.page(ctx, title: "干部", content: RosterPages.cadresView(ctx, .mock))
        try Self.check("roster-cadres", list)
        #expect(list.contains("page=3"), "a link to the last page")
        #expect(list.contains("q=%E5%BC%A0"), "the search text stays on page links")
        #expect(list.contains("&lt;院长&gt;") && !list.contains("<院长>"))
        let page = Layout.page(ctx, title: "张伟", content: RosterPages.cadreView(ctx, .mock))
        try Self.check("roster-cadre", page)
        #expect(page.contains("李娜（2023001）"))
    }

    @Test("the integrity list: counts per kind, and each flag with its records")
    func integrity() throws {
        let ctx = Self.context("/integrity")
        let model = IntegrityPageModel(counts: [.lateEntry: 3], kind: .lateEntry, rows: [
            .init(kind: .lateEntry, reason: Localized(zh: "活动后 20 天才录入。", en: "Entered 20 days later."), date: LocalDate("2026-03-09"),
                  cadres: ["张伟", "李强"], recordIDs: ["00000000-0000-0000-0000-0000000000AA"]),
        ], page: 1, per: 100, total: 3)
        let html = Layout.page(ctx, title: "诚信提示", content: IntegrityPages.view(ctx, model))
        try Self.check("integrity", html)
        #expect(html.contains("href=\"/ledger/00000000-0000-0000-0000-0000000000AA\""))
        #expect(html.contains("张伟、李强") && html.contains(">3<"))
    }
}
