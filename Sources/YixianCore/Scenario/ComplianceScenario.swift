import Foundation
import Yams

/// The facts of a small university in one YAML file (docs/SCENARIO-FORMAT.md): calendar, units,
/// cadres, collectives, pairings, contacts, cases and filings. Used by `yixian policy evaluate`
/// and by tests with hand-computed verdicts.
public struct ComplianceScenario: Sendable {
    public var calendar: AcademicCalendar
    public var workdays: WorkdayCalendar
    public var roster: ComplianceRoster
    public var pairings: [Pairing]
    public var contacts: [ContactRecord]
    public var cases: [StudentCase]
    public var filings: [Filing]
    /// Helps and talks logged per key student (精准帮扶, §4.20).
    public var supportLogs: [SupportLog] = []

    public func input(policy: Policy) -> ComplianceInput {
        ComplianceInput(policy: policy, calendar: calendar, roster: roster, pairings: pairings, contacts: contacts,
                        cases: cases, filings: filings, workdays: workdays, supportLogs: supportLogs)
    }
}

public enum ScenarioLoader {
    public static func load(_ text: String, fileName: String = "scenario.yaml") throws(YAMLLoadError) -> ComplianceScenario {
        let reader = YAMLReader()
        let scenario = ScenarioDecoder(reader: reader).decode(text)
        guard let scenario, reader.diagnostics.isEmpty else {
            throw YAMLLoadError(fileName: fileName, diagnostics: reader.diagnostics.sorted { ($0.line, $0.column) < ($1.line, $1.column) })
        }
        return scenario
    }

    /// `2025-09-03T19:30`, `2025-09-03T19:30:00+08:00`, `…Z`, or a bare date (09:00 that day); China time unless an offset is given.
    static func instant(_ text: String) -> Date? {
        let parts = text.split(separator: "T", maxSplits: 1).map(String.init)
        guard let date = LocalDate(parts[0]) else { return nil }
        guard parts.count == 2 else { return date.startInstant().addingTimeInterval(9 * 3600) }
        var clock = parts[1]
        var offset = 8 * 3600
        if clock.hasSuffix("Z") {
            offset = 0
            clock.removeLast()
        } else if let signIndex = clock.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let zone = clock[clock.index(after: signIndex)...].split(separator: ":").compactMap { Int($0) }
            guard zone.count == 2 else { return nil }
            offset = (zone[0] * 3600 + zone[1] * 60) * (clock[signIndex] == "-" ? -1 : 1)
            clock = String(clock[..<signIndex])
        }
        let fields = clock.split(separator: ":").compactMap { Int($0) }
        guard (2...3).contains(fields.count), (0..<24).contains(fields[0]), (0..<60).contains(fields[1]),
              fields.count == 2 || (0..<60).contains(fields[2]) else { return nil }
        let seconds = fields[0] * 3600 + fields[1] * 60 + (fields.count == 3 ? fields[2] : 0)
        return date.startInstant(utcOffsetSeconds: offset).addingTimeInterval(TimeInterval(seconds))
    }
}

private struct ScenarioDecoder {
    let reader: YAMLReader

    func decode(_ text: String) -> ComplianceScenario? {
        guard let root = reader.compose(text), let top = reader.mapping(root, "情景文件") else { return nil }
        let years = top.require("calendar").flatMap(decodeCalendar) ?? []
        var workdays = WorkdayCalendar.prc
        if let n = top.take("workdays"), let text = reader.string(n, "workdays") {
            do { workdays = workdays.merging(try WorkdayCalendar(parsing: text)) } catch {
                reader.fail(at: n, .invalidValue, "工作日数据有误：\(error.description)", "bad workday data: \(error.description)")
            }
        }
        let units = list(top.take("units"), "units", decodeUnit)
        let unitCodes = Set(units.map(\.code))
        let cadres = list(top.take("cadres"), "cadres") { decodeCadre($0, unitCodes: unitCodes, base: nil) }
        let cadreByStaff = Dictionary(cadres.map { ($0.staffNumber, $0) }, uniquingKeysWith: { a, _ in a })
        var latest = cadreByStaff
        let changes = list(top.take("cadreChanges"), "cadreChanges") { node -> CadreChange? in
            guard let f = reader.mapping(node, "职务变动"), let staffNode = f.require("staff"),
                  let staff = reader.string(staffNode, "staff"), let from = f.require("from").flatMap({ reader.date($0, "from") }) else { return nil }
            guard let base = latest[staff] else {
                reader.fail(at: staffNode, .unknownReference, "未知的工号「\(staff)」", "unknown staff number “\(staff)”")
                return nil
            }
            guard let cadre = decodeCadreFields(f, unitCodes: unitCodes, base: base) else { return nil }
            latest[staff] = cadre
            return CadreChange(staffNumber: staff, effectiveOn: from, cadre: cadre)
        }
        let collectives = list(top.take("collectives"), "collectives") { decodeCollective($0, unitCodes: unitCodes) }
        let collectiveCodes = Set(collectives.map(\.code))
        let defaultYear = years.first
        let pairings = list(top.take("pairings"), "pairings") { decodePairing($0, cadres: cadreByStaff, collectives: collectiveCodes, units: units, years: years, defaultYear: defaultYear) }
        let contacts = list(top.take("contacts"), "contacts") { decodeContact($0, cadres: cadreByStaff, collectives: collectiveCodes, units: unitCodes) }
        let cases = list(top.take("cases"), "cases") { decodeCase($0, units: unitCodes) }
        let termIDs = Set(years.flatMap(\.terms).map(\.id))
        let filings = list(top.take("filings"), "filings") { decodeFiling($0, units: unitCodes, terms: termIDs, cadres: Set(cadreByStaff.keys)) }
        let supportLogs = list(top.take("supportLogs"), "supportLogs") { decodeSupportLog($0, pairings: pairings) }
        top.finish()
        return ComplianceScenario(calendar: AcademicCalendar(years: years), workdays: workdays,
                                  roster: ComplianceRoster(units: units, cadres: cadres, collectives: collectives, cadreChanges: changes),
                                  pairings: pairings, contacts: contacts, cases: cases, filings: filings, supportLogs: supportLogs)
    }

    private func list<T>(_ node: Node?, _ what: String, _ decode: (Node) -> T?) -> [T] {
        guard let node, let items = reader.sequence(node, what) else { return [] }
        return items.compactMap(decode)
    }

    private func text(_ f: YAMLFields, _ key: String, required: Bool = false) -> String? {
        (required ? f.require(key) : f.take(key)).flatMap { reader.string($0, key) }
    }

    private func range(_ f: YAMLFields) -> DateRange? {
        guard let startNode = f.require("start"), let start = reader.date(startNode, "start"),
              let end = f.require("end").flatMap({ reader.date($0, "end") }) else { return nil }
        guard start <= end else {
            reader.fail(at: startNode, .invalidValue, "结束日期早于开始日期", "the end is before the start")
            return nil
        }
        return DateRange(start: start, end: end)
    }

    private func reference(_ f: YAMLFields, _ key: String, in known: Set<String>, _ what: String, required: Bool = true) -> String?? {
        guard let node = required ? f.require(key) : f.take(key) else { return required ? nil : .some(nil) }
        guard let value = reader.string(node, key) else { return nil }
        guard known.contains(value) else {
            reader.fail(at: node, .unknownReference, "未知的\(what)「\(value)」", "unknown \(what) “\(value)”")
            return nil
        }
        return .some(value)
    }

    // MARK: Calendar

    private func decodeCalendar(_ node: Node) -> [AcademicYear]? {
        guard let f = reader.mapping(node, "calendar") else { return nil }
        let years = list(f.require("years"), "years") { yearNode -> AcademicYear? in
            guard let y = reader.mapping(yearNode, "学年") else { return nil }
            let id = text(y, "id", required: true)
            let name = text(y, "name")
            let range = range(y)
            let terms = list(y.require("terms"), "terms", decodeTerm)
            y.finish()
            guard let id, let range else { return nil }
            return AcademicYear(id: id, name: name ?? id, range: range, terms: terms)
        }
        f.finish()
        let calendar = AcademicCalendar(years: years)
        for problem in calendar.validate() {
            reader.fail(at: node, .invalidValue, problem.message.zh, problem.message.en)
        }
        return years
    }

    private func decodeTerm(_ node: Node) -> Term? {
        guard let f = reader.mapping(node, "学期") else { return nil }
        let id = text(f, "id", required: true)
        let name = text(f, "name")
        let range = range(f)
        let vacations = list(f.take("vacations"), "vacations") { v -> DateRange? in
            guard let vf = reader.mapping(v, "假期") else { return nil }
            defer { vf.finish() }
            _ = vf.take("name")
            return self.range(vf)
        }
        let special = list(f.take("specialWeeks"), "specialWeeks") { s -> SpecialWeek? in
            guard let sf = reader.mapping(s, "特殊周") else { return nil }
            let name = text(sf, "name")
            var kind = SpecialWeek.Kind.other
            if let n = sf.require("kind"), let value = reader.string(n, "kind") {
                if let k = SpecialWeek.Kind(rawValue: value) { kind = k } else {
                    reader.fail(at: n, .invalidValue, "未知的特殊周类型「\(value)」", "unknown special week kind “\(value)”")
                }
            }
            let range = self.range(sf)
            let excluded = sf.take("excluded").flatMap { reader.bool($0, "excluded") } ?? (kind == .exam)
            sf.finish()
            guard let range else { return nil }
            return SpecialWeek(name: name ?? kind.label.zh, kind: kind, range: range, excludedFromWeeklyRules: excluded)
        }
        f.finish()
        guard let id, let range else { return nil }
        return Term(id: id, name: name ?? id, range: range, specialWeeks: special, vacations: vacations)
    }

    // MARK: Organization

    private func decodeUnit(_ node: Node) -> Unit? {
        guard let f = reader.mapping(node, "单位") else { return nil }
        let code = text(f, "code", required: true)
        let name = text(f, "name")
        var kind: UnitKind?
        if let n = f.require("kind") {
            kind = reader.enumValues(n, "单位类型", code: .unknownUnitKind, allowed: UnitKind.allCases.map(\.rawValue), UnitKind.init(flexible:))?.first
        }
        let active = f.take("active").flatMap { reader.bool($0, "active") } ?? true
        f.finish()
        guard let code, let kind else { return nil }
        return Unit(code: code, name: name ?? code, kind: kind, active: active)
    }

    private func decodeCadre(_ node: Node, unitCodes: Set<String>, base: Cadre?) -> Cadre? {
        guard let f = reader.mapping(node, "干部") else { return nil }
        return decodeCadreFields(f, unitCodes: unitCodes, base: base)
    }

    /// Fields of a cadre; with a `base`, the ones left out keep their earlier value (post changes).
    private func decodeCadreFields(_ f: YAMLFields, unitCodes: Set<String>, base: Cadre?) -> Cadre? {
        let staff = base?.staffNumber ?? text(f, "staff", required: true)
        let name = text(f, "name") ?? base?.name
        let unit: String?? = reference(f, "unit", in: unitCodes, "单位", required: base == nil)
        let posts = f.take("posts").flatMap { reader.strings($0, "posts") }.map { $0.map(\.0) } ?? base?.posts ?? []
        var rank = base?.rank
        if let n = base == nil ? f.require("rank") : f.take("rank") {
            rank = reader.enumValues(n, "级别", code: .unknownRank, allowed: Rank.allCases.map(\.rawValue), Rank.init(flexible:))?.first
        }
        let party = f.take("party").flatMap { reader.bool($0, "party") } ?? base?.partyMember ?? false
        let tags = f.take("tags").flatMap { reader.strings($0, "tags") }.map { $0.map(\.0) } ?? base?.tags ?? []
        let active = f.take("active").flatMap { reader.bool($0, "active") } ?? base?.active ?? true
        f.finish()
        guard let staff, let unit, let unitCode = unit ?? base?.unitCode, let rank else { return nil }
        return Cadre(staffNumber: staff, name: name ?? staff, unitCode: unitCode, posts: posts, rank: rank,
                     partyMember: party, tags: tags, active: active)
    }

    private func decodeCollective(_ node: Node, unitCodes: Set<String>) -> Collective? {
        guard let f = reader.mapping(node, "学生集体") else { return nil }
        let code = text(f, "code", required: true)
        let name = text(f, "name")
        var kind: CollectiveKind?
        if let n = f.require("kind") {
            kind = reader.enumValues(n, "学生集体类型", code: .unknownCollectiveKind, allowed: CollectiveKind.allCases.map(\.rawValue),
                                     CollectiveKind.init(flexible:))?.first
        }
        let unit = reference(f, "unit", in: unitCodes, "单位")
        let grade = f.take("grade").flatMap { reader.count($0, "grade") }
        let size = f.take("size").flatMap { reader.count($0, "size") } ?? 0
        let active = f.take("active").flatMap { reader.bool($0, "active") } ?? true
        f.finish()
        guard let code, let kind, let unit, let unitCode = unit else { return nil }
        return Collective(code: code, name: name ?? code, kind: kind, unitCode: unitCode, grade: grade, size: size, active: active)
    }

    private func decodePairing(_ node: Node, cadres: [String: Cadre], collectives: Set<String>, units: [Unit], years: [AcademicYear],
                               defaultYear: AcademicYear?) -> Pairing? {
        guard let f = reader.mapping(node, "结对") else { return nil }
        let cadre = reference(f, "cadre", in: Set(cadres.keys), "工号")
        let collective = reference(f, "collective", in: collectives, "学生集体", required: false)
        let student = text(f, "student")
        // A college pairing (§4.18): only a unit of kind college can be the target.
        var college: String?? = .some(nil)
        if let n = f.take("college"), let code = reader.string(n, "college") {
            if let problem = Pairing.collegeTargetProblem(units.first { $0.code == code }, code: code) {
                reader.fail(at: n, .invalidValue, problem.zh, problem.en)
                college = nil
            } else { college = .some(code) }
        }
        var kind = Pairing.Kind.linked
        if let n = f.take("kind") {
            kind = reader.enumValues(n, "结对类型", code: .unknownPairingKind, allowed: Pairing.Kind.allCases.map(\.rawValue),
                                     Pairing.Kind.init(rawValue:))?.first ?? kind
        }
        var year = defaultYear
        if let n = f.take("year"), let id = reader.string(n, "year") {
            year = years.first { $0.id == id }
            if year == nil { reader.fail(at: n, .unknownReference, "未知的学年「\(id)」", "unknown academic year “\(id)”") }
        }
        let from = f.take("from").flatMap { reader.date($0, "from") }
        let to = f.take("to").flatMap { reader.date($0, "to") }
        f.finish()
        guard let cadre, let staff = cadre, let collective, let college, let year else { return nil }
        if collective == nil && student == nil && college == nil {
            reader.fail(at: node, .missingField, "结对须有 collective、student 或 college", "a pairing needs a collective, a student or a college")
            return nil
        }
        if college != nil && (collective != nil || student != nil) {
            reader.fail(at: node, .invalidValue, "与院（系）的结对不能同时指定学生集体或学生", "a college pairing names no collective or student besides")
            return nil
        }
        let start = from ?? year.range.start, end = to ?? year.range.end
        guard start <= end else {
            reader.fail(at: node, .invalidValue, "结对的结束日期早于开始日期", "the pairing ends before it starts")
            return nil
        }
        return Pairing(cadreStaffNumber: staff, kind: kind, collectiveCode: collective, studentNumber: student, collegeCode: college,
                       academicYearID: year.id, range: DateRange(start: start, end: end))
    }

    // MARK: Facts

    /// A help or talk logged for a key student; as on `/support`, refused unless the cadre is paired with the
    /// student as `key-student` on that day.
    private func decodeSupportLog(_ node: Node, pairings: [Pairing]) -> SupportLog? {
        guard let f = reader.mapping(node, "帮扶记录") else { return nil }
        let id = text(f, "id", required: true)
        let cadre = text(f, "cadre", required: true)
        let student = text(f, "student", required: true)
        let day = f.require("day").flatMap { reader.date($0, "day") }
        var kind: String? = "talk"
        if let n = f.take("kind"), let text = reader.string(n, "kind") {
            kind = SupportLog.kinds.contains(text) ? text : nil
            if kind == nil {
                reader.fail(at: n, .invalidValue, "kind 应为 \(SupportLog.kinds.joined(separator: "、"))：\(text)", "kind must be one of \(SupportLog.kinds.joined(separator: ", ")): \(text)")
            }
        }
        f.finish()
        guard let id, let cadre, let student, let day, let kind else { return nil }
        guard pairings.contains(where: { $0.cadreStaffNumber == cadre && $0.kind == .keyStudent && $0.studentNumber == student && $0.range.contains(day) }) else {
            reader.fail(at: node, .invalidValue, "干部 \(cadre) 在 \(day.iso) 未与学生 \(student) 结对为重点联系学生，不能记录",
                        "cadre \(cadre) is not paired with student \(student) as key student on \(day.iso): the log is refused")
            return nil
        }
        return SupportLog(id: id, cadreStaffNumber: cadre, studentNumber: student, day: day, kind: kind)
    }

    private func decodeContact(_ node: Node, cadres: [String: Cadre], collectives: Set<String>, units: Set<String>) -> ContactRecord? {
        guard let f = reader.mapping(node, "联系记录") else { return nil }
        let id = text(f, "id", required: true)
        let cadre = reference(f, "cadre", in: Set(cadres.keys), "工号")
        let kind = text(f, "kind", required: true)
        var start: Date?
        if let n = f.require("start"), let value = reader.string(n, "start") {
            start = ScenarioLoader.instant(value)
            if start == nil { reader.fail(at: n, .invalidValue, "时间应形如 2025-09-03T19:30 或 2025-09-03T19:30:00+08:00", "a time must look like 2025-09-03T19:30 or 2025-09-03T19:30:00+08:00") }
        }
        var end: Date?
        if let n = f.take("end"), let value = reader.string(n, "end") {
            end = ScenarioLoader.instant(value)
            if end == nil { reader.fail(at: n, .invalidValue, "时间格式有误", "bad time") }
        }
        let hours = f.take("hours").flatMap { reader.amount($0, "hours") }
        let place = text(f, "place") ?? ""
        let venue = text(f, "venue")
        var codes: [String] = []
        if let n = f.take("collectives"), let items = reader.strings(n, "collectives") {
            for (code, itemNode) in items {
                if collectives.contains(code) { codes.append(code) } else {
                    reader.fail(at: itemNode, .unknownReference, "未知的学生集体「\(code)」", "unknown collective “\(code)”")
                }
            }
        }
        let college = reference(f, "college", in: units, "单位", required: false)
        let participants = f.take("participants").flatMap { reader.count($0, "participants") } ?? 1
        let confirmed = f.take("confirmed").flatMap { reader.count($0, "confirmed") } ?? 0
        // The students who took part, by student number (§4.14); absent when the line does not name them.
        let participantNumbers = f.take("participantNumbers").flatMap { reader.strings($0, "participantNumbers")?.map(\.0) }
        var status = ContactRecord.Status.submitted
        if let n = f.take("status"), let value = reader.string(n, "status") {
            if let s = ContactRecord.Status(rawValue: value) { status = s } else {
                reader.fail(at: n, .invalidValue, "status 应为 draft、submitted、confirmed、flagged 或 voided", "status must be draft, submitted, confirmed, flagged or voided")
            }
        }
        f.finish()
        guard let id, let cadre, let staff = cadre, let kind, let start, let college else { return nil }
        return ContactRecord(id: id, cadreStaffNumber: staff, kind: kind, start: start, end: end ?? start.addingTimeInterval(3600),
                             place: place, venue: venue, collectiveCodes: codes, collegeCode: college, participantCount: participants,
                             hours: hours, confirmedByStudents: confirmed, status: status, participantNumbers: participantNumbers)
    }

    private func decodeCase(_ node: Node, units: Set<String>) -> StudentCase? {
        guard let f = reader.mapping(node, "学生诉求") else { return nil }
        let id = text(f, "id", required: true)
        let unit = reference(f, "unit", in: units, "单位")
        let tier = text(f, "tier") ?? "ordinary"
        let received = f.require("received").flatMap { reader.date($0, "received") }
        let first = f.take("firstResponse").flatMap { reader.date($0, "firstResponse") }
        let answered = f.take("answered").flatMap { reader.date($0, "answered") }
        // `receivedAt: "17:00"`: the time it came in, which hours tiers count from (§4.17).
        var minute: Int?? = .some(nil)
        if let n = f.take("receivedAt"), let text = reader.string(n, "receivedAt") {
            let parts = text.split(separator: ":").compactMap { Int($0) }
            if parts.count == 2, text.count == 5, (0..<24).contains(parts[0]), (0..<60).contains(parts[1]) { minute = parts[0] * 60 + parts[1] } else {
                reader.fail(at: n, .invalidValue, "receivedAt 应为 HH:MM：\(text)", "receivedAt must be HH:MM: \(text)")
                minute = nil
            }
        }
        f.finish()
        guard let id, let unit, let unitCode = unit, let received, let minute else { return nil }
        var item = StudentCase(id: id, responsibleUnitCode: unitCode, tier: tier, receivedOn: received, firstRespondedOn: first, answeredOn: answered)
        item.receivedMinute = minute
        return item
    }

    private func decodeFiling(_ node: Node, units: Set<String>, terms: Set<String>, cadres: Set<String>) -> Filing? {
        guard let f = reader.mapping(node, "备案") else { return nil }
        let id = text(f, "id", required: true)
        let unit = reference(f, "unit", in: units.union([Filing.schoolUnitCode]), "单位")
        let term = reference(f, "term", in: terms, "学期")
        let kind = text(f, "kind", required: true)
        let submitted = f.require("submitted").flatMap { reader.date($0, "submitted") }
        let period = text(f, "period")
        let cadre = reference(f, "cadre", in: cadres, "干部", required: false)
        f.finish()
        guard let id, let unit, let unitCode = unit, let term, let termID = term, let kind, let submitted, let cadre else { return nil }
        return Filing(id: id, unitCode: unitCode, termID: termID, kind: kind, submittedOn: submitted, periodID: period, cadreStaffNumber: cadre)
    }
}
