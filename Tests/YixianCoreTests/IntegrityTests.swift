import Foundation
import Testing
@testable import YixianCore

/// Builders for ledger lines in China Standard Time, written the way people say them.
enum IntegrityFixture {
    static let rules = IntegrityRules()

    /// `"2025-09-03 14:00"` in UTC+8.
    static func at(_ text: String) -> Date {
        let parts = text.split(separator: " ")
        let day = LocalDate(String(parts[0]))!
        let clock = parts[1].split(separator: ":").map { Int($0)! }
        return day.startInstant().addingTimeInterval(TimeInterval(clock[0] * 3600 + clock[1] * 60))
    }

    static func record(_ id: String, cadre: String = "T001", kind: String = "dorm-visit", start: String, minutes: Int = 60,
                       entered: String? = nil, summary: String = "", photos: [String] = [], taken: [String] = [], confirmations: Int = 1,
                       status: ContactRecord.Status = .submitted, reason: String? = nil) -> IntegrityInput {
        let begin = at(start)
        let end = begin.addingTimeInterval(TimeInterval(minutes * 60))
        return IntegrityInput(id: id, cadreStaffNumber: cadre, kind: kind, start: begin, end: end,
                              createdAt: entered.map(at) ?? end.addingTimeInterval(600), summary: summary,
                              attachmentHashes: photos, photoCaptureTimes: taken.map(at), confirmedByStudents: confirmations, status: status, backdateReason: reason)
    }

    static let autumnTerm = IntegrityPeriod(name: Localized(zh: "2025年秋季学期", en: "autumn term 2025"),
                                            range: DateRange(start: LocalDate("2025-09-01")!, end: LocalDate("2026-01-16")!))
    static let asOf = LocalDate("2026-02-01")!

    static func flags(_ records: [IntegrityInput], periods: [IntegrityPeriod] = [], expecting: Set<String> = [],
                      asOf: LocalDate = asOf, rules: IntegrityRules = rules) -> [IntegrityFlag] {
        IntegrityDetector.flags(records: records, periods: periods, kindsExpectingStudents: expecting, asOf: asOf, rules: rules)
    }
}

struct IntegrityLateEntryTests {
    @Test func flagsARecordEnteredLongAfterTheContact() {
        // setup
        let late = IntegrityFixture.record("r1", start: "2025-09-03 14:00", entered: "2025-09-23 20:00", reason: "出差期间未能及时录入")
        let prompt = IntegrityFixture.record("r2", start: "2025-09-03 16:00", entered: "2025-09-04 09:00")
        // act
        let flags = IntegrityFixture.flags([late, prompt])
        // check: the late one is flagged with its delay and its reason; a reason clears back-dating only
        let lateFlags = flags.filter { $0.kind == .lateEntry }
        #expect(lateFlags.map(\.recordIDs) == [["r1"]])
        #expect(lateFlags.first?.reason.zh.contains("20 天") == true)
        #expect(lateFlags.first?.reason.zh.contains("出差期间未能及时录入") == true)
        #expect(lateFlags.first?.reason.en.contains("20 days") == true)
        #expect(!flags.contains { $0.kind == .backdatedWithoutReason })
    }

    @Test func backDatingBeyondTheWindowNeedsAReason() {
        // setup
        let noReason = IntegrityFixture.record("r1", start: "2025-10-08 10:00", entered: "2025-10-13 21:00")
        let blankReason = IntegrityFixture.record("r2", start: "2025-10-08 15:00", entered: "2025-10-13 21:00", reason: "  \n")
        let withReason = IntegrityFixture.record("r3", start: "2025-10-09 10:00", entered: "2025-10-14 21:00", reason: "手机没电，次周补录")
        let inWindow = IntegrityFixture.record("r4", start: "2025-10-10 10:00", entered: "2025-10-13 08:00")
        // act
        let flags = IntegrityFixture.flags([noReason, blankReason, withReason, inWindow])
        // check: five days is beyond the 3-day window but within the 14-day late-entry limit
        #expect(flags.map(\.kind) == [.backdatedWithoutReason, .backdatedWithoutReason])
        #expect(flags.map(\.recordIDs) == [["r1"], ["r2"]])
        #expect(flags[0].reason.en.contains("3-day window"))
    }

    @Test func windowsAreCountedInLocalDays() {
        // setup: ended 23:30 on the 3rd Beijing time (15:30 UTC), entered 00:30 on the 7th: four local days
        let record = IntegrityFixture.record("r1", start: "2025-09-03 22:30", entered: "2025-09-07 00:30")
        // act
        let beijing = IntegrityFixture.flags([record])
        let utc = IntegrityFixture.flags([record], rules: IntegrityRules(utcOffsetSeconds: 0))
        // check: in UTC the same instants are only three days apart
        #expect(beijing.map(\.kind) == [.backdatedWithoutReason])
        #expect(utc.isEmpty)
    }
}

struct IntegrityOverlapTests {
    @Test func flagsTwoRecordsOfOneCadreAtTheSameTime() {
        // setup
        let dorm = IntegrityFixture.record("r1", start: "2025-09-03 14:00", minutes: 60)
        let lecture = IntegrityFixture.record("r2", kind: "class-observation", start: "2025-09-03 14:30", minutes: 60)
        let afterwards = IntegrityFixture.record("r3", start: "2025-09-03 15:30", minutes: 30)
        let colleague = IntegrityFixture.record("r4", cadre: "T002", start: "2025-09-03 14:00", minutes: 90)
        // act
        let flags = IntegrityFixture.flags([afterwards, lecture, colleague, dorm])
        // check: r2 ends when r3 starts, which is no overlap; another cadre's record never overlaps
        #expect(flags.map(\.kind) == [.overlap])
        #expect(flags.first?.recordIDs == ["r1", "r2"])
        #expect(flags.first?.reason.zh.contains("30 分钟") == true)
        #expect(flags.first?.reason.en.contains("r1 2025-09-03 14:00–2025-09-03 15:00") == true)
    }

    @Test func aLongRecordOverlapsEverythingInsideIt() {
        // setup: a whole-afternoon social practice and two visits during it
        let practice = IntegrityFixture.record("p", kind: "social-practice", start: "2025-09-06 13:00", minutes: 300)
        let a = IntegrityFixture.record("a", start: "2025-09-06 14:00", minutes: 30)
        let b = IntegrityFixture.record("b", start: "2025-09-06 16:00", minutes: 30)
        // act
        let flags = IntegrityFixture.flags([practice, a, b])
        // check
        #expect(flags.map(\.recordIDs) == [["a", "b", "p"]], "one finding for the afternoon, not one per pair")
        #expect(flags.first?.reason.zh.contains("3 条记录在 2025-09-06 13:00–2025-09-06 18:00 内") == true, "\(flags)")
    }

    @Test func toleranceForgivesShortOverlaps() {
        // setup: 20 minutes of overlap, the walk from one building to the next recorded twice
        let first = IntegrityFixture.record("r1", start: "2025-09-03 14:00", minutes: 60)
        let second = IntegrityFixture.record("r2", start: "2025-09-03 14:40", minutes: 60)
        // act
        let strict = IntegrityFixture.flags([first, second])
        let atTheLimit = IntegrityFixture.flags([first, second], rules: IntegrityRules(overlapToleranceMinutes: 20))
        let lenient = IntegrityFixture.flags([first, second], rules: IntegrityRules(overlapToleranceMinutes: 30))
        // check
        #expect(strict.count == 1)
        #expect(atTheLimit.count == 1)
        #expect(lenient.isEmpty)
    }

    @Test func sweepFindsExactlyThePairsThatBruteForceFinds() {
        // setup: random records of a few cadres within one week
        var random = EvidenceTestRandom(seed: 42)
        let monday = IntegrityFixture.at("2025-09-01 08:00")
        let records = (0..<400).map { i -> IntegrityInput in
            let start = monday.addingTimeInterval(TimeInterval(random.next() % (7 * 24 * 4)) * 900)
            let end = start.addingTimeInterval(TimeInterval(random.next() % 12) * 900)
            return IntegrityInput(id: String(format: "r%03d", i), cadreStaffNumber: "T\(random.next() % 5)", kind: "dorm-visit",
                                  start: start, end: end, createdAt: end, confirmedByStudents: 1)
        }
        // act
        let swept = Set(IntegrityDetector.overlaps(records, rules: IntegrityRules()).map(\.recordIDs))
        // check
        var brute = Set<[String]>()
        for i in records.indices {
            for j in records.indices where i < j {
                let a = records[i], b = records[j]
                if a.cadreStaffNumber == b.cadreStaffNumber, a.start < b.end, b.start < a.end { brute.insert([a.id, b.id].sorted()) }
            }
        }
        #expect(!brute.isEmpty)
        // The findings are the connected groups of the pairs, each pair inside exactly one finding.
        var parent = Dictionary(uniqueKeysWithValues: records.map { ($0.id, $0.id) })
        func root(_ id: String) -> String { parent[id] == id ? id : root(parent[id]!) }
        for pair in brute { parent[root(pair[0])] = root(pair[1]) }
        let components = Set(Dictionary(grouping: brute.flatMap { $0 }, by: root).values.map { Array(Set($0)).sorted() })
        #expect(swept == components)
        #expect(swept.count < brute.count)
    }

    @Test func identicalRecordsAreOneFindingNotOnePerPair() {
        // setup: the same record filed 1,500 times (what `scripts/bench-http.sh` posts)
        let copies = (0..<1500).map { IntegrityFixture.record(String(format: "c%04d", $0), start: "2025-09-03 14:00", minutes: 60) }
        // act
        let overlaps = IntegrityDetector.overlaps(copies, rules: IntegrityRules())
        // check
        #expect(overlaps.count == 1)
        #expect(overlaps.first?.recordIDs.count == 1500)
        #expect(overlaps.first?.reason.zh.contains("1500 条记录") == true)
        #expect(overlaps.first?.reason.en == "1500 records of the same cadre overlap between 2025-09-03 14:00 and 2025-09-03 15:00, by up to 60 minutes.")
    }
}

struct IntegrityDuplicateTests {
    @Test func flagsTheSamePhotoOnDifferentRecords() {
        // setup
        let hash = EvidenceSHA256.hex(Data("dorm-photo".utf8))
        let other = EvidenceSHA256.hex(Data("class-photo".utf8))
        let records = [
            IntegrityFixture.record("r1", start: "2025-09-03 14:00", photos: [hash, other]),
            IntegrityFixture.record("r2", start: "2025-10-09 14:00", photos: [hash.uppercased()]),
            IntegrityFixture.record("r3", cadre: "T002", start: "2025-11-12 14:00", photos: [hash]),
            IntegrityFixture.record("r4", start: "2025-11-19 14:00", photos: [other, other]),
        ]
        // act
        let flags = IntegrityFixture.flags(records)
        // check: one flag per reused file with every record holding it; a file twice on one record is not reuse
        #expect(flags.map(\.kind) == [.duplicatePhoto, .duplicatePhoto])
        #expect(Set(flags.map(\.recordIDs)) == [["r1", "r2", "r3"], ["r1", "r4"]])
        #expect(flags.contains { $0.reason.zh.contains(String(hash.prefix(12))) && $0.reason.en.contains("3 records") })
    }

    @Test func filesReusedTogetherAreOneFinding() {
        // setup: the same two photos on two records
        let photos = ["a", "b"].map { EvidenceSHA256.hex(Data($0.utf8)) }
        let records = [
            IntegrityFixture.record("r1", start: "2025-09-03 14:00", photos: photos),
            IntegrityFixture.record("r2", start: "2025-09-10 14:00", photos: photos.reversed()),
        ]
        // act
        let flags = IntegrityFixture.flags(records)
        // check
        #expect(flags.map(\.recordIDs) == [["r1", "r2"]])
        #expect(flags.first?.reason.en.hasPrefix("2 identical files") == true)
    }

    @Test func flagsPhotosTakenFarFromTheContactsTime() {
        // setup: a photo from last month, a photo from the same evening, a photo with no capture time
        let records = [
            IntegrityFixture.record("old", start: "2025-10-09 14:00", photos: ["h1"], taken: ["2025-09-12 10:15", "2025-10-09 14:20"]),
            IntegrityFixture.record("same-day", start: "2025-10-09 16:00", photos: ["h2"], taken: ["2025-10-09 21:30"]),
            IntegrityFixture.record("no-exif", start: "2025-10-10 16:00", photos: ["h3"]),
        ]
        // act
        let flags = IntegrityFixture.flags(records)
        // check: the earliest of the mismatching times is quoted
        #expect(flags.map(\.kind) == [.photoTimeMismatch])
        #expect(flags.first?.recordIDs == ["old"])
        #expect(flags.first?.reason.zh.contains("2025-09-12 10:15") == true)
        #expect(IntegrityFixture.flags(records, rules: IntegrityRules(photoTimeToleranceHours: 24 * 30)).isEmpty)
    }

    @Test func flagsSummariesCopiedUpToSpacesAndPunctuation() {
        // setup
        let text = "走访3号楼宿舍，同学们反映热水供应不稳定，已转后勤处理。"
        let records = [
            IntegrityFixture.record("r1", start: "2025-09-03 14:00", summary: text),
            IntegrityFixture.record("r2", start: "2025-09-10 14:00", summary: "走访 ３号楼宿舍, 同学们反映热水供应不稳定 —— 已转后勤处理!"),
            IntegrityFixture.record("r3", cadre: "T002", start: "2025-09-17 14:00", summary: " 走访3号楼宿舍 同学们反映热水供应不稳定 已转后勤处理 "),
            IntegrityFixture.record("r4", start: "2025-09-24 14:00", summary: "走访5号楼宿舍，同学们反映网络卡顿，已联系信息中心。"),
            IntegrityFixture.record("r5", start: "2025-10-01 14:00", summary: "无。"),
            IntegrityFixture.record("r6", start: "2025-10-08 14:00", summary: "无"),
        ]
        // act
        let flags = IntegrityFixture.flags(records)
        // check: full-width digits and any punctuation do not hide the copy; "无" is too short to count
        #expect(flags.map(\.kind) == [.copiedSummary])
        #expect(flags.first?.recordIDs == ["r1", "r2", "r3"])
        #expect(flags.first?.reason.zh.contains("2 名干部") == true)
        #expect(IntegrityDetector.normalisedSummary("Visited  Dorm 3, OK!") == IntegrityDetector.normalisedSummary("ｖisited dorm３ ok"))
        #expect(IntegrityDetector.normalisedSummary("Ünterricht 第3节，ΣΑ") == "ünterricht第3节σα")
    }
}

struct IntegrityBurstTests {
    /// Six contacts spread over the term, entered `entered` (or promptly when nil).
    static func term(entered: [String?], cadre: String = "T001") -> [IntegrityInput] {
        let days = ["2025-09-10", "2025-10-15", "2025-11-05", "2025-11-26", "2025-12-17", "2026-01-07"]
        return zip(days, entered).enumerated().map { i, pair in
            IntegrityFixture.record("\(cadre)-\(i)", cadre: cadre, start: pair.0 + " 14:00", entered: pair.1, reason: "期末补录")
        }
    }

    @Test func flagsManyRecordsEnteredAtTheEndOfTheTerm() {
        // setup: T001 enters five of six in the last week; T002 enters all on time
        let crammed = Self.term(entered: [nil, "2026-01-12 20:00", "2026-01-13 21:00", "2026-01-14 22:00", "2026-01-15 20:00", "2026-01-20 09:00"])
        let steady = Self.term(entered: Array(repeating: nil, count: 6), cadre: "T002")
        // act
        let flags = IntegrityFixture.flags(crammed + steady, periods: [IntegrityFixture.autumnTerm]).filter { $0.kind == .endOfPeriodBurst }
        // check
        #expect(flags.map(\.recordIDs) == [["T001-1", "T001-2", "T001-3", "T001-4", "T001-5"]])
        #expect(flags.first?.reason.zh.contains("2025年秋季学期") == true)
        #expect(flags.first?.reason.en.contains("from 2025-10-15 to 2026-01-07") == true)
    }

    @Test func noBurstBelowTheThresholdOrForContactsThatWereAllRecent() {
        // setup: four late entries only; and five genuinely held in the last fortnight, entered in the last week
        let fewLate = Self.term(entered: [nil, nil, "2026-01-13 21:00", "2026-01-14 22:00", "2026-01-15 20:00", "2026-01-16 09:00"])
        let recent = (0..<5).map { i in
            IntegrityFixture.record("T003-\(i)", cadre: "T003", start: "2026-01-0\(5 + i) 14:00", entered: "2026-01-1\(2 + i) 20:00", reason: "考试周")
        }
        // act
        let flags = IntegrityFixture.flags(fewLate + recent, periods: [IntegrityFixture.autumnTerm]).filter { $0.kind == .endOfPeriodBurst }
        // check
        #expect(flags.isEmpty)
    }
}

struct IntegrityConfirmationTests {
    @Test func flagsMissingConfirmationOnlyWhereStudentsWereExpected() {
        // setup
        let expecting: Set<String> = ["dorm-visit", "class-meeting"]
        let records = [
            IntegrityFixture.record("unconfirmed", start: "2026-01-10 14:00", confirmations: 0),
            IntegrityFixture.record("confirmed", start: "2026-01-10 16:00", confirmations: 3),
            IntegrityFixture.record("reviewed", kind: "class-meeting", start: "2026-01-11 14:00", confirmations: 0, status: .confirmed),
            IntegrityFixture.record("meeting", kind: "analysis-meeting", start: "2026-01-12 14:00", confirmations: 0),
            IntegrityFixture.record("recent", start: "2026-01-28 14:00", confirmations: 0),
        ]
        // act
        let flags = IntegrityFixture.flags(records, expecting: expecting, asOf: LocalDate("2026-02-01")!)
        // check: a contact of four days ago still has its grace period
        #expect(flags.map(\.kind) == [.noStudentConfirmation])
        #expect(flags.first?.recordIDs == ["unconfirmed"])
        #expect(flags.first?.reason.en.contains("2026-01-10") == true)
    }

    @Test func theVocabularysInPersonKindsCanBeTheExpectation() throws {
        // setup
        let inPerson = Set(try #require(ContactVocabulary.standard.expandKind(ContactVocabulary.inPersonGroup)))
        let records = [
            IntegrityFixture.record("talk", kind: "heart-to-heart", start: "2025-12-01 10:00", confirmations: 0),
            IntegrityFixture.record("online", kind: "online", start: "2025-12-01 20:00", confirmations: 0),
        ]
        // act
        let flags = IntegrityFixture.flags(records, expecting: inPerson)
        // check
        #expect(flags.map(\.recordIDs) == [["talk"]])
    }
}

struct IntegrityDetectorTests {
    @Test func draftsAreIgnored() {
        // setup: a draft that would trip every detector
        let hash = EvidenceSHA256.hex(Data("p".utf8))
        let summary = "走访宿舍了解学生学习生活情况并记录问题"
        let filed = IntegrityFixture.record("filed", start: "2025-09-03 14:00", summary: summary, photos: [hash])
        let draft = IntegrityFixture.record("draft", start: "2025-09-03 14:00", entered: "2025-12-30 10:00", summary: summary,
                                            photos: [hash], confirmations: 0, status: .draft)
        // act
        let flags = IntegrityFixture.flags([filed, draft], expecting: ["dorm-visit"])
        // check
        #expect(flags.isEmpty)
    }

    @Test func outputIsTheSameWhateverTheInputOrder() {
        // setup: records that trip several detectors
        let hash = EvidenceSHA256.hex(Data("p".utf8))
        var records = [
            IntegrityFixture.record("a", start: "2025-09-03 14:00", entered: "2025-10-01 10:00", photos: [hash], confirmations: 0),
            IntegrityFixture.record("b", start: "2025-09-03 14:30", photos: [hash], taken: ["2025-08-30 09:00"]),
            IntegrityFixture.record("c", cadre: "T002", start: "2025-09-03 14:00", summary: "同学们反映图书馆座位紧张，建议延长开放时间", confirmations: 0),
            IntegrityFixture.record("d", cadre: "T003", start: "2025-09-04 14:00", summary: "同学们反映：图书馆座位紧张，建议延长开放时间。"),
        ]
        let expected = IntegrityFixture.flags(records, expecting: ["dorm-visit"])
        var random = EvidenceTestRandom(seed: 3)
        for _ in 0..<10 {
            // act
            records.sort { _, _ in random.next() % 2 == 0 }
            let again = IntegrityFixture.flags(records.reversed(), expecting: ["dorm-visit"])
            // check
            #expect(again == expected)
        }
        // check: kinds in their declared order, so the assessor's list reads the same every time
        let order = expected.map { IntegrityFlagKind.allCases.firstIndex(of: $0.kind)! }
        #expect(order == order.sorted())
        #expect(Set(expected.map(\.kind)) == [.lateEntry, .backdatedWithoutReason, .overlap, .duplicatePhoto, .photoTimeMismatch, .copiedSummary, .noStudentConfirmation])
        #expect(Set(expected.map(\.id)).count == expected.count)
    }

    @Test func flagsAreGroupedPerRecordForDisplay() {
        // setup
        let hash = EvidenceSHA256.hex(Data("p".utf8))
        let flags = IntegrityFixture.flags([
            IntegrityFixture.record("a", start: "2025-09-03 14:00", photos: [hash]),
            IntegrityFixture.record("b", start: "2025-09-03 14:30", photos: [hash]),
            IntegrityFixture.record("c", start: "2025-09-05 14:30"),
        ])
        // act
        let perRecord = IntegrityFlag.byRecord(flags)
        // check
        #expect(perRecord["a"]?.map(\.kind) == [.overlap, .duplicatePhoto])
        #expect(perRecord["b"]?.count == 2)
        #expect(perRecord["c"] == nil)
    }

    @Test func buildsInputFromALedgerLine() {
        // setup
        let start = IntegrityFixture.at("2025-09-03 14:00")
        let record = ContactRecord(id: "r1", cadreStaffNumber: "T001", kind: "dorm-visit", start: start,
                                   end: start.addingTimeInterval(3600), confirmedByStudents: 2)
        // act
        let input = IntegrityInput(record: record, createdAt: start.addingTimeInterval(7200), summary: "s", attachmentHashes: ["h"])
        // check
        #expect(input.id == record.id && input.kind == record.kind && input.end == record.end)
        #expect(input.isConfirmed)
        #expect(input.attachmentHashes == ["h"])
    }

    @Test func aSchoolLedgerIsCheckedInOnePass() {
        // setup: 200 cadres × 80 records over a term, with some copied photos (the release benchmark runs 600 × 80)
        var random = EvidenceTestRandom(seed: 11)
        let termStart = IntegrityFixture.at("2025-09-01 08:00")
        var records: [IntegrityInput] = []
        for cadre in 0..<200 {
            for n in 0..<80 {
                let start = termStart.addingTimeInterval(TimeInterval(n * 36 * 3600 + Int(random.next() % 20) * 900))
                let end = start.addingTimeInterval(TimeInterval(1 + random.next() % 8) * 900)
                let photo = random.next() % 200 == 0 ? "shared" : "p\(cadre)-\(n)"
                records.append(IntegrityInput(id: "c\(cadre)-\(n)", cadreStaffNumber: "T\(cadre)", kind: "dorm-visit", start: start, end: end,
                                              createdAt: end.addingTimeInterval(TimeInterval(random.next() % (6 * 86_400))),
                                              summary: "第\(cadre)位干部第\(n)次走访记录，学生反映情况若干", attachmentHashes: [photo],
                                              confirmedByStudents: Int(random.next() % 3)))
            }
        }
        // act
        let clock = ContinuousClock()
        var flags: [IntegrityFlag] = []
        let elapsed = clock.measure {
            flags = IntegrityFixture.flags(records, periods: [IntegrityFixture.autumnTerm], expecting: ["dorm-visit"])
        }
        print("integrity: \(records.count) records → \(flags.count) flags in \(elapsed)")
        // check: each kind of flag found is consistent with the generated data
        let shared = flags.filter { $0.kind == .duplicatePhoto }
        #expect(shared.count == 1)
        #expect(shared.first?.recordIDs.count == records.filter { $0.attachmentHashes == ["shared"] }.count)
        #expect(flags.filter { $0.kind == .noStudentConfirmation }.count == records.filter { $0.confirmedByStudents == 0 }.count)
        #expect(!flags.contains { $0.kind == .copiedSummary })
        // A loose bound: debug builds on a shared machine; it catches a quadratic slip, not a slow CPU.
        #expect(elapsed < .seconds(60))
    }
}
