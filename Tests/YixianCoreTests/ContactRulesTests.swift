import Foundation
import Testing
@testable import YixianCore

/// The ledger's rules without a database: the time, vocabulary and allowed collectives are passed in.
@Suite("Contact rules")
struct ContactRulesTests {
    /// 2026-03-10 12:00 China time.
    let now = LocalDate("2026-03-10")!.startInstant().addingTimeInterval(12 * 3600)

    func context(allowed: Set<String> = ["CS-2301", "DORM-1"], window: Int = 7) -> ContactRules.Context {
        .init(now: now, vocabulary: .standard, allowedCollectives: allowed, backdateWindowDays: window)
    }

    func input(kind: String = "dorm-visit", start: String = "2026-03-10T09:00", end: String = "2026-03-10T10:30",
               place: String? = "3号楼", codes: [String] = ["CS-2301"]) -> ContactInput {
        ContactInput(kind: kind, start: start, end: end, place: place, collectiveCodes: codes, participantCount: 6, summary: "  查寝  ")
    }

    func fields(_ body: () throws(FieldErrors) -> ContactEntry) -> [String] {
        do { _ = try body(); return [] } catch { return error.problems.map(\.field) }
    }

    @Test("a valid visit gets the kind's default venue, trimmed text and hours to two decimals")
    func valid() throws {
        let entry = try ContactRules.validate(input(codes: ["CS-2301", "CS-2301"]), in: context())
        #expect(entry.kind == "dorm-visit")
        #expect(entry.venue == "dorm")
        #expect(entry.summary == "查寝")
        #expect(entry.collectiveCodes == ["CS-2301"], "duplicates collapse")
        #expect(entry.hours == 1.5)
        #expect(entry.participantCount == 6)
    }

    @Test("every bad field is reported at once")
    func allProblems() {
        let bad = ContactInput(kind: "nap", start: "yesterday", end: "2026-03-10T25:00", venue: "moon", participantCount: 9999)
        #expect(Set(fields { () throws(FieldErrors) in try ContactRules.validate(bad, in: context()) })
                == ["kind", "start", "end", "venue", "participantCount"])
    }

    @Test("at most 24 hours, not ending before it starts, not in the future beyond ten minutes")
    func times() {
        #expect(fields { () throws(FieldErrors) in try ContactRules.validate(input(start: "2026-03-08T09:00", end: "2026-03-09T09:01"), in: context()) } == ["end"])
        #expect(fields { () throws(FieldErrors) in try ContactRules.validate(input(start: "2026-03-10T09:00", end: "2026-03-10T08:00"), in: context()) } == ["end"])
        #expect(fields { () throws(FieldErrors) in try ContactRules.validate(input(start: "2026-03-10T12:09", end: "2026-03-10T12:30"), in: context()) } == [])
        #expect(fields { () throws(FieldErrors) in try ContactRules.validate(input(start: "2026-03-10T12:11", end: "2026-03-10T12:30"), in: context()) } == ["start"])
    }

    @Test("older than the window needs a reason; the window comes from the context")
    func backdating() throws {
        let old = input(start: "2026-03-01T09:00", end: "2026-03-01T10:00")
        #expect(fields { () throws(FieldErrors) in try ContactRules.validate(old, in: context()) } == ["backdateReason"])
        #expect(fields { () throws(FieldErrors) in try ContactRules.validate(old, in: context(window: 14)) } == [])
        var explained = old
        explained.backdateReason = "出差返校后补录"
        #expect(try ContactRules.validate(explained, in: context()).backdateReason == "出差返校后补录")
    }

    @Test("an in-person contact needs a place once submitted; a draft may wait; an online one never")
    func place() {
        #expect(fields { () throws(FieldErrors) in try ContactRules.validate(input(place: nil), in: context()) } == ["place"])
        var draft = input(place: nil)
        draft.submit = false
        #expect(fields { () throws(FieldErrors) in try ContactRules.validate(draft, in: context()) } == [])
        #expect(fields { () throws(FieldErrors) in try ContactRules.validate(input(kind: "online", place: nil), in: context()) } == [])
    }

    @Test("collectives: at most 20, and only those the cadre may name")
    func collectives() {
        let many = (1...21).map { "C\($0)" }
        #expect(fields { () throws(FieldErrors) in try ContactRules.validate(input(codes: many), in: context(allowed: Set(many))) } == ["collectiveCodes"])
        #expect(fields { () throws(FieldErrors) in try ContactRules.validate(input(codes: ["EE-2301"]), in: context()) } == ["collectiveCodes"])
        #expect(fields { () throws(FieldErrors) in try ContactRules.validate(input(codes: []), in: context(allowed: [])) } == [])
    }

    @Test("at most 20 problems, each with a text of at most 500 characters")
    func problems() {
        var many = input()
        many.problems = (1...21).map { ProblemInput(text: "问题\($0)") }
        #expect(fields { () throws(FieldErrors) in try ContactRules.validate(many, in: context()) } == ["problems"])
        var long = input()
        long.problems = [ProblemInput(text: String(repeating: "长", count: 501)), ProblemInput(text: " ")]
        #expect(fields { () throws(FieldErrors) in try ContactRules.validate(long, in: context()) } == ["problems", "problems"])
    }

    @Test("instants: zoned ISO 8601 or China-time local, nothing after")
    func instants() {
        let utc = Date(timeIntervalSince1970: 1_772_330_400)
        #expect(ContactRules.parseInstant("2026-03-01T02:00:00Z") == utc)
        #expect(ContactRules.parseInstant("2026-03-01T10:00") == utc)
        for bad in ["2026-03-01T10:00:00Zjunk", "2026-03-01T10:60", "2026-03-01", ""] {
            #expect(ContactRules.parseInstant(bad) == nil, "\(bad)")
        }
    }

    @Test("the byte-by-byte reading of a zoned instant gives what ISO8601DateFormatter gives, and leaves it the rest")
    func canonicalInstantsMatchTheFormatter() {
        let formatter = ISO8601DateFormatter()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let seconds = Double(Int.random(in: 0...2_000_000_000, using: &generator))
            let offsetMinutes = [0, 480, -300, 330, 840, -720].randomElement(using: &generator)!
            formatter.timeZone = TimeZone(secondsFromGMT: offsetMinutes * 60)
            let text = formatter.string(from: Date(timeIntervalSince1970: seconds))
            #expect(ContactRules.canonicalInstant(text) == formatter.date(from: text), "\(text)")
            #expect(ContactRules.canonicalInstant(text) == Date(timeIntervalSince1970: seconds), "\(text)")
        }
        for odd in ["2026-02-30T10:00:00Z", "2026-03-01T24:00:00Z", "2026-03-01T10:00:60Z", "2026-03-01T10:00:00+08:0x",
                    "2026-03-01 10:00:00Z", "2026-03-01T10:00:00.5Z", "2026-03-01T10:00:00+0800", "２026-03-01T10:00:00Z"] {
            #expect(ContactRules.canonicalInstant(odd) == nil, "\(odd) goes the long way")
        }
        #expect(ContactRules.parseInstant("2026-03-01T10:00:00+08:00") == ContactRules.parseInstant("2026-03-01T02:00:00Z"))
    }
}
