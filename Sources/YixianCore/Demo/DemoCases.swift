import Foundation

/// A case of the demo's history: where it came from, and the steps taken on it up to `asOf`.
public struct DemoCase: Sendable {
    public var channel: CaseChannel
    /// `secretary`, `president` or `department` for letters.
    public var mailbox: String?
    public var category: CaseCategory
    public var text: String
    public var urgent: Bool
    /// The student who wrote it (portal, signed letters); nil for anonymous letters and contact problems.
    public var studentNumber: String?
    /// The cadre who recorded it in a contact.
    public var cadreStaffNumber: String?
    public var collectiveCode: String?
    public var receivedOn: LocalDate
    /// Each step with its day, in order.
    public var steps: [(day: LocalDate, action: CaseAction)]

    /// The first step (the unit taking it) was the category's routing on receipt, not the office.
    public var routedOnReceipt: Bool
}

/// A term's worth of students' cases for the demo: most answered on time and rated, some late,
/// a few overdue now and escalated, a few 不满意 and reopened, so every case page shows something real.
public enum DemoCases {
    static let texts: [String: [String]] = [
        "logistics": ["宿舍热水供应时断时续", "食堂晚餐时段排队太久", "宿舍楼洗衣机经常故障", "教室空调不制冷", "快递点取件排队时间长", "宿舍卫生间下水道堵塞"],
        "study": ["图书馆自习座位不够", "希望增加考研辅导讲座", "部分课程教材到货太晚", "实验室开放时间太短", "选课系统高峰期卡顿"],
        "life": ["校园网晚上经常断线", "宿舍楼道灯损坏", "校车班次太少", "校园卡补办流程太慢"],
        "safety": ["东门外路口缺少红绿灯", "宿舍区夜间照明不足", "电动车充电桩不够，有人在楼道充电"],
        "employment": ["希望多举办专场招聘会", "实习证明办理流程不清楚", "希望有简历修改指导"],
        "psychology": ["最近学习压力大，想找人聊聊", "室友关系紧张，影响休息"],
        "ideology": ["希望党课形式更多样", "希望形势与政策课多结合时事"],
        "other": ["希望周末开放体育馆", "建议增设校园直饮水点"],
    ]

    /// The unit that answers each category: the first non-college unit whose cadres carry its tag;
    /// the student-work department for the rest.
    /// The unit each tagged category routes to, as the server routes: the first non-college unit
    /// by code whose cadres carry the tag. Categories without one wait for the office.
    static func homes(_ demo: DemoUniversity) -> [String: String] {
        let handling = demo.units.filter { ![.college, .leadership].contains($0.kind) }.map(\.code).sorted()
        var result: [String: String] = [:]
        for category in CaseCategory.standard {
            guard let tag = category.routeTag else { continue }
            result[category.code] = handling.first { code in demo.cadres.contains { $0.unitCode == code && $0.tags.contains(tag) } }
        }
        return result
    }

    /// `featuredStudent` (the demo's student login) writes the first few portal cases, so their page shows some.
    public static func generate(for demo: DemoUniversity, asOf: LocalDate, seed: UInt64, count: Int = 240, featuredStudent: String? = nil,
                                workdays: WorkdayCalendar = .prc) -> [DemoCase] {
        var random = DemoRandom(seed: seed ^ 0xCA5E)
        let homes = homes(demo)
        let term = demo.academicYears.flatMap(\.terms).last { $0.range.start <= asOf } ?? demo.currentAcademicYear.terms[0]
        let span = max(1, min(asOf.dayNumber, term.range.end.dayNumber) - term.range.start.dayNumber)
        let categories = CaseCategory.standard
        let weights = [1, 5, 1, 4, 8, 2, 3, 1]  // 后勤 and 学业 come up most, 心理 rarely by letter
        let students = demo.students.filter(\.active)
        let collegeCadres = demo.cadres.filter { c in demo.units.first { $0.code == c.unitCode }?.kind == .college }
        var cases: [DemoCase] = []
        var featured = 0
        for _ in 0..<count {
            var pick = random.int(below: weights.reduce(0, +))
            var categoryIndex = 0
            while pick >= weights[categoryIndex] { pick -= weights[categoryIndex]; categoryIndex += 1 }
            let category = categories[categoryIndex]
            let received = LocalDate(dayNumber: term.range.start.dayNumber + random.int(below: span + 1))
            let text = random.element(of: texts[category.code] ?? ["其他"])
            let channelRoll = random.int(below: 10)
            var item = DemoCase(channel: .portal, mailbox: nil, category: category, text: text, urgent: random.chance(0.04),
                                studentNumber: nil, cadreStaffNumber: nil, collectiveCode: nil, receivedOn: received, steps: [],
                                routedOnReceipt: false)
            var student = students.isEmpty ? nil : random.element(of: students)
            if featured < 3, let number = featuredStudent, let mine = students.first(where: { $0.studentNumber == number }), channelRoll >= 8 {
                student = mine
                featured += 1
            }
            switch channelRoll {
            case 0...3:
                item.channel = .contact
                if let cadre = collegeCadres.isEmpty ? nil : random.element(of: collegeCadres) {
                    item.cadreStaffNumber = cadre.staffNumber
                    item.collectiveCode = demo.collectives.first { $0.unitCode == cadre.unitCode && $0.kind == .class }?.code
                }
            case 4...6:
                item.channel = .mailbox
                item.mailbox = random.chance(0.5) ? "president" : (random.chance(0.5) ? "secretary" : "department")
                if random.chance(0.4) { item.studentNumber = student?.studentNumber }
            case 7:
                item.channel = .hotline
                item.studentNumber = student?.studentNumber
            default:
                item.studentNumber = student?.studentNumber
            }
            let home = homes[category.code]
            let waitsForOffice = item.mailbox == "president" || item.mailbox == "secretary" || home == nil
            var day = received
            func advance(_ n: Int) { day = workdays.addingWorkdays(n, to: day) }
            guard let unit = home ?? demo.units.first(where: { $0.kind == .studentWork })?.code else { cases.append(item); continue }
            if waitsForOffice {
                // The office dispatches within a workday or two; a few still wait.
                advance(random.int(below: 2))
                guard day <= asOf, !random.chance(0.03) else { cases.append(item); continue }
            } else {
                item.routedOnReceipt = true
            }
            item.steps.append((day, .assign(unitCode: unit)))
            // Some are acknowledged first; most answered within the five workdays, some late, some not yet.
            advance(1 + random.int(below: 2))
            if day <= asOf, random.chance(0.6) { item.steps.append((day, .acknowledge)) }
            let late = random.chance(0.12)
            advance(late ? 5 + random.int(below: 6) : 1 + random.int(below: 3))
            guard day <= asOf, !random.chance(0.06) else { cases.append(item); continue }
            let outcome: CaseOutcome = random.chance(0.8) ? .solved : .explained
            item.steps.append((day, .answer(outcome, text: answer(for: category, outcome))))
            // Only someone who can be asked rates: the student who wrote, a letter's holder, a student who was there.
            advance(1 + random.int(below: 4))
            guard day <= asOf, random.chance(0.75) else { cases.append(item); continue }
            let roll = random.int(below: 20)
            let rating: CaseRating = roll < 13 ? .satisfied : (roll < 18 ? .basicallySatisfied : .dissatisfied)
            item.steps.append((day, .rate(rating)))
            if rating == .dissatisfied {
                advance(2 + random.int(below: 3))
                guard day <= asOf else { cases.append(item); continue }
                item.steps.append((day, .answer(.explained, text: "已再次核实并当面向学生说明情况，后续将持续跟进。")))
                advance(1 + random.int(below: 3))
                if day <= asOf { item.steps.append((day, .rate(random.chance(0.6) ? .basicallySatisfied : .dissatisfied))) }
            }
            cases.append(item)
        }
        return cases.sorted { ($0.receivedOn, $0.text) < ($1.receivedOn, $1.text) }
    }

    static func answer(for category: CaseCategory, _ outcome: CaseOutcome) -> String {
        guard outcome == .solved else { return "经研究，该问题涉及学校整体安排，暂无法立即解决，已向学生说明原因，并纳入下学期工作计划。" }
        switch category.code {
        case "logistics": return "已安排维修人员现场处理，并增加巡查频次。"
        case "study": return "已与教务处、图书馆协调，自下周起延长开放时间。"
        case "life": return "已报修并完成处理，请同学们继续反映使用情况。"
        case "safety": return "已会同保卫处现场查看，整改措施已落实。"
        case "employment": return "就业指导中心将于本月举办专场活动，欢迎参加。"
        case "psychology": return "心理中心老师已与同学联系并预约面谈。"
        default: return "已研究落实，感谢同学的建议。"
        }
    }
}
