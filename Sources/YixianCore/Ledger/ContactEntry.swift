import Foundation

/// One problem a student raised, as typed into a contact record.
public struct ProblemInput: Codable, Sendable, Equatable {
    public var text: String?
    public var category: String?
    public var collectiveCode: String?

    public init(text: String?, category: String? = nil, collectiveCode: String? = nil) {
        self.text = text
        self.category = category
        self.collectiveCode = collectiveCode
    }
}

/// What a cadre sent for one contact (the API's JSON body, or the phone form read into it),
/// before it is checked.
public struct ContactInput: Codable, Sendable, Equatable {
    /// 代录: the cadre a secretary or the office records for (a cadre records for themself and leaves it out).
    public var cadreId: UUID?
    public var kind: String?
    /// `YYYY-MM-DDTHH:MM` in China time (what `<input type=datetime-local>` sends) or full ISO 8601.
    public var start: String?
    public var end: String?
    public var place: String?
    public var venue: String?
    public var collectiveCodes: [String]?
    public var participantCount: Int?
    /// Student numbers of those who took part (§4.14); each must be a student of the roster.
    public var participantNumbers: [String]?
    public var summary: String?
    public var problems: [ProblemInput]?
    /// false keeps a draft; default true.
    public var submit: Bool?
    public var backdateReason: String?
    /// Why a submitted record is corrected.
    public var reason: String?

    public init(kind: String? = nil, start: String? = nil, end: String? = nil, place: String? = nil, venue: String? = nil,
                collectiveCodes: [String]? = nil, participantCount: Int? = nil, summary: String? = nil,
                problems: [ProblemInput]? = nil, submit: Bool? = nil, backdateReason: String? = nil, reason: String? = nil,
                participantNumbers: [String]? = nil) {
        self.kind = kind
        self.start = start
        self.end = end
        self.place = place
        self.venue = venue
        self.collectiveCodes = collectiveCodes
        self.participantCount = participantCount
        self.summary = summary
        self.problems = problems
        self.submit = submit
        self.backdateReason = backdateReason
        self.reason = reason
        self.participantNumbers = participantNumbers
    }
}

/// A contact that passed the ledger's rules, ready to be stored.
public struct ContactEntry: Sendable, Equatable {
    public var kind: String
    public var start: Date
    public var end: Date
    public var place: String
    public var venue: String?
    public var collectiveCodes: [String]
    public var participantCount: Int
    public var summary: String
    public var problems: [ProblemInput]
    public var backdateReason: String?
    /// Student numbers of those who took part, trimmed, each once; empty when the line names none.
    public var participantNumbers: [String] = []

    /// Hours to two decimals, as the ledger shows and sums them.
    public var hours: Double { (end.timeIntervalSince(start) / 3600 * 100).rounded() / 100 }
}

/// What makes a ledger line valid. The caller passes in everything that is not the input
/// itself — the time, the policy's vocabulary, the collectives this cadre may name — so the
/// rules are tested without a database or a clock.
public enum ContactRules {
    public static let maxDuration: TimeInterval = 24 * 3600
    /// A phone's clock may run a little ahead of the server's.
    public static let futureTolerance: TimeInterval = 600
    public static let maxCollectives = 20
    public static let maxProblems = 20
    public static let maxParticipantNumbers = 500
    public static let defaultBackdateWindowDays = 7

    public struct Context: Sendable {
        public var now: Date
        public var vocabulary: ContactVocabulary
        /// Codes of the collectives paired with the cadre or of their own unit.
        public var allowedCollectives: Set<String>
        /// Records starting longer ago than this need a reason (补录说明).
        public var backdateWindowDays: Int
        /// Which of the input's `participantNumbers` are students of the roster; the others are refused.
        public var knownStudents: Set<String> = []

        public init(now: Date, vocabulary: ContactVocabulary, allowedCollectives: Set<String>,
                    backdateWindowDays: Int = ContactRules.defaultBackdateWindowDays) {
            self.now = now
            self.vocabulary = vocabulary
            self.allowedCollectives = allowedCollectives
            self.backdateWindowDays = backdateWindowDays
        }
    }

    /// Every problem of the input at once; the collective scope is checked only once the rest is clean.
    public static func validate(_ input: ContactInput, in context: Context) throws(FieldErrors) -> ContactEntry {
        var check = FieldChecker()
        let vocabulary = context.vocabulary
        let now = context.now
        let kind = input.kind.flatMap { vocabulary.kind($0) }
        if kind == nil {
            check.fail("kind", zh: "请选择联系形式", en: "choose a kind of contact")
        }
        let start = parseInstant(input.start)
        let end = parseInstant(input.end)
        if start == nil { check.fail("start", zh: "开始时间无效，请按“年-月-日 时:分”填写", en: "start is not a valid time") }
        if end == nil { check.fail("end", zh: "结束时间无效，请按“年-月-日 时:分”填写", en: "end is not a valid time") }
        if let start, let end {
            if end < start { check.fail("end", zh: "结束时间早于开始时间，请检查", en: "end is before start") }
            if end.timeIntervalSince(start) > maxDuration { check.fail("end", zh: "一次联系不应超过 24 小时", en: "a contact lasts at most 24 hours") }
            if start > now.addingTimeInterval(futureTolerance) { check.fail("start", zh: "不能记录尚未发生的联系", en: "the contact has not happened yet") }
        }
        var backdateReason = check.text("backdateReason", input.backdateReason, label: "补录说明", max: 200, required: false)
        if backdateReason?.isEmpty == true { backdateReason = nil }
        let window = context.backdateWindowDays
        if let start, now.timeIntervalSince(start) > Double(window) * 86400, backdateReason == nil {
            check.fail("backdateReason", zh: "超过 \(window) 天的补录须说明原因", en: "records older than \(window) days need a reason")
        }
        // Where a face-to-face contact happened is part of what makes the record checkable; a draft may wait for it.
        let placeRequired = kind?.inPerson == true && input.submit != false
        let place = check.text("place", input.place, label: "地点", max: 100, required: placeRequired) ?? ""
        let summary = check.text("summary", input.summary, label: "情况摘要", max: 2000, required: false) ?? ""
        if let venue = input.venue, !venue.isEmpty, vocabulary.venue(venue) == nil {
            check.fail("venue", zh: "场所无效", en: "unknown venue")
        }
        let numbers = participantNumbers(input.participantNumbers, known: context.knownStudents, check: &check)
        // Named students are the head count unless a larger one is given.
        let participants = check.integer("participantCount", input.participantCount ?? max(1, numbers.count), label: "参与人次", range: 0...5000)
        if let participants, participants < numbers.count {
            check.fail("participantCount", zh: "参与人次（\(participants)）少于所列学生人数（\(numbers.count)）", en: "participantCount (\(participants)) is below the \(numbers.count) students listed")
        }
        let codes = Array(Set(input.collectiveCodes ?? [])).sorted()
        if codes.count > maxCollectives { check.fail("collectiveCodes", zh: "一次最多选择 \(maxCollectives) 个学生集体", en: "at most \(maxCollectives) collectives") }
        let problems = input.problems ?? []
        if problems.count > maxProblems { check.fail("problems", zh: "每条记录最多 \(maxProblems) 个问题", en: "at most \(maxProblems) problems") }
        for problem in problems {
            _ = check.text("problems", problem.text, label: "问题描述", max: 500)
            _ = check.text("problems", problem.category, label: "问题类别", max: 40, required: false)
        }
        try check.throwIfAny()
        guard let kind, let start, let end, let participants else { throw FieldErrors(check.problems) }
        if let foreign = codes.first(where: { !context.allowedCollectives.contains($0) }) {
            throw .field("collectiveCodes", zh: "学生集体“\(foreign)”不属于您的学院或联系范围", en: "Collective \(foreign) is outside your college and pairings")
        }
        return ContactEntry(kind: kind.code, start: start, end: end, place: place,
                            venue: input.venue?.isEmpty == false ? input.venue : kind.defaultVenue,
                            collectiveCodes: codes, participantCount: participants, summary: summary, problems: problems,
                            backdateReason: backdateReason, participantNumbers: numbers)
    }

    /// The student numbers typed, trimmed and each once in the order given; unknown ones (not in `known`) are refused
    /// by name, all of them at once.
    static func participantNumbers(_ input: [String]?, known: Set<String>, check: inout FieldChecker) -> [String] {
        var numbers: [String] = []
        for number in (input ?? []).map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) }) where !number.isEmpty && !numbers.contains(number) {
            numbers.append(number)
        }
        if numbers.count > maxParticipantNumbers {
            check.fail("participantNumbers", zh: "一条记录最多列 \(maxParticipantNumbers) 个学号", en: "at most \(maxParticipantNumbers) student numbers per record")
        }
        let unknown = numbers.filter { !known.contains($0) }
        if !unknown.isEmpty {
            check.fail("participantNumbers", zh: "学号不存在：\(unknown.prefix(10).joined(separator: "、"))", en: "unknown student numbers: \(unknown.prefix(10).joined(separator: ", "))")
        }
        return numbers
    }

    /// `YYYY-MM-DDTHH:MM:SS` ending in `Z` or `±HH:MM` — what browsers and API clients send — read
    /// byte by byte. The regular expression and the shared formatter behind its lock were a twentieth of
    /// a contact POST. Anything else (and any value out of range) goes the long way below.
    static func canonicalInstant(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count == 20 || b.count == 25 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                guard (48...57).contains(b[i]) else { return nil }
                value = value * 10 + Int(b[i] - 48)
            }
            return value
        }
        guard b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"), b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
              let year = number(0..<4), let month = number(5..<7), let dayOfMonth = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              year >= 1900, hour < 24, minute < 60, second < 60, let day = LocalDate(year: year, month: month, day: dayOfMonth) else { return nil }
        var offset = 0
        if b.count == 20 {
            guard b[19] == UInt8(ascii: "Z") else { return nil }
        } else {
            guard b[19] == UInt8(ascii: "+") || b[19] == UInt8(ascii: "-"), b[22] == UInt8(ascii: ":"),
                  let hours = number(20..<22), let minutes = number(23..<25), hours <= 14, minutes < 60 else { return nil }
            offset = (hours * 3600 + minutes * 60) * (b[19] == UInt8(ascii: "-") ? -1 : 1)
        }
        return day.startInstant(utcOffsetSeconds: offset).addingTimeInterval(TimeInterval(hour * 3600 + minute * 60 + second))
    }

    /// One formatter, not one per call (making it was a twentieth of a contact POST); behind a
    /// lock because formatters are not safe to share between threads. The parse strategy of
    /// `Date.ISO8601FormatStyle` would be lock-free but accepts trailing text.
    nonisolated(unsafe) private static let isoFormatter = ISO8601DateFormatter()
    private static let isoLock = NSLock()

    /// A zoned ISO 8601 instant, or a China-time `YYYY-MM-DDTHH:MM[:SS]` with nothing after it.
    public static func parseInstant(_ text: String?) -> Date? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if let instant = canonicalInstant(text) { return instant }
        // The formatter ignores text after the zone; a zone must end the text.
        let zoned = text.hasSuffix("Z") || text.range(of: #"[+-][0-9]{2}:?[0-9]{2}$"#, options: .regularExpression) != nil
        if zoned, let date = isoLock.withLock({ isoFormatter.date(from: text) }) { return date }
        let parts = text.split(separator: "T")
        guard parts.count == 2, let day = LocalDate(String(parts[0])) else { return nil }
        let fields = parts[1].split(separator: ":", omittingEmptySubsequences: false)
        let clock = fields.compactMap { $0.count == 2 ? Int($0) : nil }
        guard clock.count == fields.count, (2...3).contains(clock.count), (0..<24).contains(clock[0]), (0..<60).contains(clock[1]),
              clock.count == 2 || (0..<60).contains(clock[2]) else { return nil }
        return day.startInstant().addingTimeInterval(TimeInterval(clock[0] * 3600 + clock[1] * 60 + (clock.count == 3 ? clock[2] : 0)))
    }
}
