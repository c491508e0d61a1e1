import Foundation
import Testing
@testable import YixianCore

@Suite("Deadline anchors for filings")
struct CalendarDeadlineTests {
    private func date(_ text: String) -> LocalDate { CalendarFixtures.date(text) }
    private func spec(_ text: String) throws -> DeadlineSpec { try DeadlineSpec(parsing: text) }
    private let prc = WorkdayCalendar.prc

    /// Autumn 2025 with 湖南科技大学's teaching worship week in week 11.
    private let term = CalendarFixtures.autumn2025(specialWeeks: [
        SpecialWeek(name: "教学礼拜周", kind: .teachingWorship, range: CalendarFixtures.range("2025-11-10", "2025-11-16"),
                    excludedFromWeeklyRules: false),
    ])

    @Test func arrangementPlanWithinTwoWeeksOfTermStart() throws {
        // setup: "开学后两周内": the term starts Wednesday 09-03, so 14 days later is 09-17, exclusive.
        let due = try spec("term-start +14d exclusive").resolve(term: term, calendar: prc)
        // check
        #expect(due == date("2025-09-16"))
    }

    @Test func semesterSummaryAWeekBeforeTermEnd() throws {
        // act
        let due = try spec("term-end -7d").resolve(term: term, calendar: prc)
        // check
        #expect(due == date("2026-01-09"))
    }

    @Test func visitsBeforeTheTeachingWorshipWeek() throws {
        // act
        let due = try spec("special-week:teaching-worship exclusive").resolve(term: term, calendar: prc)
        // check
        #expect(due == date("2025-11-09"))
    }

    @Test func missingSpecialWeekIsAnExplainedError() throws {
        // setup
        let plain = CalendarFixtures.spring2026()
        let deadline = try spec("special-week:teaching-worship exclusive")
        // act
        let error = #expect(throws: DeadlineResolutionError.self) { try deadline.resolve(term: plain, calendar: prc) }
        // check
        #expect(error?.reason.zh.contains("2025-2026-2") == true)
        #expect(error?.reason.zh.contains("教学礼拜周") == true)
        #expect(error?.reason.en.contains("teaching worship week") == true)
    }

    @Test func fixedDateIsTheFirstOccurrenceFromTermStart() throws {
        // setup: 东南大学's pairing table "by 15 June"; a January date in an autumn term is next year's.
        let june15 = try spec("date:06-15")
        let january10 = try spec("date:01-10")
        // check
        #expect(try june15.resolve(term: CalendarFixtures.spring2026(), calendar: prc) == date("2026-06-15"))
        #expect(try january10.resolve(term: term, calendar: prc) == date("2026-01-10"))
    }

    @Test func leapDayAnchorClampsInCommonYears() throws {
        // setup
        let leapDay = try spec("date:02-29")
        let autumn2026 = CalendarFixtures.year2026().terms[0]
        var autumn2027 = autumn2026
        autumn2027.range = CalendarFixtures.range("2027-09-06", "2028-01-21")
        // check
        #expect(try leapDay.resolve(term: autumn2026, calendar: prc) == date("2027-02-28"))
        #expect(try leapDay.resolve(term: autumn2027, calendar: prc) == date("2028-02-29"))
        #expect(try spec("date:02-29 +1d").resolve(term: autumn2027, calendar: prc) == date("2028-03-01"))
    }

    @Test func dayOfFollowingMonthUsesTheReportedPeriod() throws {
        // setup
        let fifth = try spec("following-month:5")
        let december = Period.month(containing: date("2025-12-01"))
        // check
        #expect(try fifth.resolve(term: term, calendar: prc, period: december) == date("2026-01-05"))
        #expect(try fifth.resolve(term: term, calendar: prc) == date("2026-02-05"))
        #expect(try spec("following-month:31").resolve(term: term, calendar: prc, period: Period.month(containing: date("2028-01-15")))
                == date("2028-02-29"))
    }

    @Test func workdayOffsetsStepOverSpringFestival() throws {
        // setup: a term ending Thursday 2026-02-12, summary due 5 workdays later.
        // By hand: 02-13 (1), Saturday make-up 02-14 (2), 春节 02-15…02-23, 02-24 (3), 02-25 (4), 02-26 (5).
        var winter = CalendarFixtures.spring2026()
        winter.range = CalendarFixtures.range("2025-09-01", "2026-02-12")
        // act
        let inclusive = try spec("term-end +5wd").resolve(term: winter, calendar: prc)
        let exclusive = try spec("term-end +5wd exclusive").resolve(term: winter, calendar: prc)
        // check
        #expect(inclusive == date("2026-02-26"))
        #expect(exclusive == date("2026-02-25"))
        #expect(try spec("term-end +5d").resolve(term: winter, calendar: prc) == date("2026-02-17"))
    }

    @Test func exclusiveWorkdayBoundaryStepsBackToTheMakeUpDay() throws {
        // setup: due "before the 1st workday after" 10-08 2025 → before 10-09, i.e. on 09-30.
        var national = term
        national.range = CalendarFixtures.range("2025-09-01", "2025-10-08")
        // act
        let due = try spec("term-end +1wd exclusive").resolve(term: national, calendar: prc)
        // check
        #expect(due == date("2025-09-30"))
    }

    @Test func stringFormRoundTrips() throws {
        // setup
        let texts = ["term-start +14d exclusive", "term-end -7d", "date:06-15", "following-month:05",
                     "special-week:teaching-worship exclusive", "term-end +5wd", "term-start +0wd"]
        // act
        let specs = try texts.map(spec)
        // check
        #expect(specs.map(\.description) == texts)
        #expect(specs[1] == DeadlineSpec(anchor: .termEnd, offset: -7))
        #expect(specs[4].anchor == .specialWeekStart(.teachingWorship))
        #expect(try spec("term-start +0d inclusive") == DeadlineSpec(anchor: .termStart))
    }

    @Test func malformedTextsAreRejectedWithAReason() {
        // check
        for text in ["", "term-begin", "term-start 14d", "term-start +14x", "term-start +-3d", "date:02-30",
                     "special-week:holiday", "following-month:32", "term-end -7d later", "term-end exclusive inclusive"] {
            let error = #expect(throws: DeadlineSpecSyntaxError.self, "\(text)") { try DeadlineSpec(parsing: text) }
            #expect(error?.message.en.isEmpty == false)
        }
    }

    @Test("a nearly right anchor says what is wrong, not \"unknown anchor\"")
    func nearlyRightAnchors() {
        func message(_ text: String) -> String {
            do { _ = try DeadlineSpec(parsing: text); return "" } catch { return error.message.zh }
        }
        #expect(message("term-start+14d").contains("须有空格"), "\(message("term-start+14d"))")
        #expect(message("term-end-7d").contains("term-end -7d"))
        #expect(message("date:02-30").contains("02-30") && !message("date:02-30").contains("无法识别"))
        #expect(message("following-month:32").contains("1 到 31"))
        #expect(message("special-week:holiday").contains("holiday") && message("special-week:holiday").contains("exam"))
        #expect(message("term-begin").contains("无法识别"))
    }

    @Test func codableAsAString() throws {
        // setup
        struct Filing: Codable, Equatable { var due: DeadlineSpec }
        let json = #"{"due":"term-start +14d exclusive"}"#
        // act
        let decoded = try JSONDecoder().decode(Filing.self, from: Data(json.utf8))
        let encoded = String(decoding: try JSONEncoder().encode(decoded), as: UTF8.self)
        // check
        #expect(decoded.due == DeadlineSpec(anchor: .termStart, offset: 14, boundary: .exclusive))
        #expect(encoded == json)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Filing.self, from: Data(#"{"due":"soon"}"#.utf8)) }
    }
}
