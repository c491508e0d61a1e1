import Foundation

/// Finds the integrity flags of a set of ledger lines. Every detector is a hash map or a
/// sort-and-sweep, so a school's whole ledger is checked in one pass; drafts are ignored
/// (they are not yet on file). Output order is fixed: by kind, then by record ids.
public enum IntegrityDetector {
    /// - Parameters:
    ///   - periods: periods in which to look for end-of-period bursts (usually the terms).
    ///   - kindsExpectingStudents: kind codes whose records should be confirmed by students present
    ///     (e.g. `vocabulary.expandKind("in-person")`).
    ///   - asOf: today, so that recent contacts still have time to be confirmed.
    public static func flags(records: [IntegrityInput], periods: [IntegrityPeriod] = [], kindsExpectingStudents: Set<String> = [],
                             asOf: LocalDate, rules: IntegrityRules = IntegrityRules()) -> [IntegrityFlag] {
        var flags: [IntegrityFlag] = []
        for (_, own) in Dictionary(grouping: records, by: \.cadreStaffNumber) {
            flags += cadreFlags(own, periods: periods, kindsExpectingStudents: kindsExpectingStudents, asOf: asOf, rules: rules)
        }
        flags += sharedFlags(records.compactMap { SharedTraits($0, rules: rules) })
        return canonicalOrder(flags)
    }

    /// The flags that follow from one cadre's records alone (entered late, overlapping times,
    /// photo times, end-of-period bursts, no confirmation): a server recomputes them only for
    /// the cadres whose records changed. `records` are all of one cadre.
    public static func cadreFlags(_ records: [IntegrityInput], periods: [IntegrityPeriod] = [], kindsExpectingStudents: Set<String> = [],
                                  asOf: LocalDate, rules: IntegrityRules = IntegrityRules()) -> [IntegrityFlag] {
        let filed = records.filter { $0.status != .draft && $0.status != .voided }
        return lateAndBackdated(filed, rules: rules) + overlaps(filed, rules: rules) + photoTimes(filed, rules: rules)
            + bursts(filed, periods: periods, rules: rules) + unconfirmed(filed, kinds: kindsExpectingStudents, asOf: asOf, rules: rules)
            + overConfirmed(filed)
    }

    /// What the detectors across cadres (same photo, copied summary) read of a filed record,
    /// worked out once per record; nil when the record can take part in neither.
    public struct SharedTraits: Sendable, Hashable {
        public var id: String
        public var cadreStaffNumber: String
        public var summary: String
        /// The normalised summary, when long enough to call a copy.
        public var summaryKey: String?
        public var attachmentHashes: [String]

        public init?(_ record: IntegrityInput, rules: IntegrityRules) {
            guard record.status != .draft && record.status != .voided else { return nil }
            let key = normalisedSummary(record.summary)
            summaryKey = key.unicodeScalars.count >= rules.summaryMinLength ? key : nil
            attachmentHashes = record.attachmentHashes.map { $0.lowercased() }
            guard summaryKey != nil || !attachmentHashes.isEmpty else { return nil }
            id = record.id
            cadreStaffNumber = record.cadreStaffNumber
            summary = record.summary
        }
    }

    /// The flags across cadres, from every filed record's traits.
    public static func sharedFlags(_ traits: [SharedTraits]) -> [IntegrityFlag] {
        duplicatePhotos(traits) + copiedSummaries(traits)
    }

    /// By kind, then by record ids, then by reason: the same flags always come out in the same order.
    public static func canonicalOrder(_ flags: [IntegrityFlag]) -> [IntegrityFlag] {
        flags.sorted(by: precedes)
    }

    static let kindOrder = Dictionary(uniqueKeysWithValues: IntegrityFlagKind.allCases.enumerated().map { ($1, $0) })

    public static func precedes(_ a: IntegrityFlag, _ b: IntegrityFlag) -> Bool {
        if a.kind != b.kind { return kindOrder[a.kind]! < kindOrder[b.kind]! }
        if a.recordIDs != b.recordIDs { return a.recordIDs.lexicographicallyPrecedes(b.recordIDs) }
        return a.reason.en < b.reason.en
    }

    // MARK: Entered late, back-dated

    static func lateAndBackdated(_ records: [IntegrityInput], rules: IntegrityRules) -> [IntegrityFlag] {
        var flags: [IntegrityFlag] = []
        for record in records {
            let ended = LocalDate(record.end, utcOffsetSeconds: rules.utcOffsetSeconds)
            let entered = LocalDate(record.createdAt, utcOffsetSeconds: rules.utcOffsetSeconds)
            let delay = ended.days(until: entered)
            if delay > rules.lateEntryDays {
                let why = record.hasBackdateReason ? (record.backdateReason ?? "") : ""
                let (ended, entered) = (text(ended), text(entered))
                flags.append(IntegrityFlag(kind: .lateEntry, recordIDs: [record.id], reason: Localized(
                    zh: "活动于 \(ended) 结束，\(delay) 天后（\(entered)）才录入，超过 \(rules.lateEntryDays) 天" + (why.isEmpty ? "。" : "；说明：\(why)"),
                    en: "The contact ended on \(ended) and was entered \(delay) days later (\(entered)), more than \(rules.lateEntryDays) days" + (why.isEmpty ? "." : "; reason given: \(why)"))))
            }
            if delay > rules.backdateWindowDays, !record.hasBackdateReason {
                flags.append(IntegrityFlag(kind: .backdatedWithoutReason, recordIDs: [record.id], reason: Localized(
                    zh: "补录了 \(delay) 天前的活动，超过 \(rules.backdateWindowDays) 天的补录时限，但未说明原因。",
                    en: "Recorded \(delay) days after the contact, beyond the \(rules.backdateWindowDays)-day window, with no reason given.")))
            }
        }
        return flags
    }

    // MARK: Overlapping times

    /// One finding per cadre and stretch of time in which their records overlap — the connected
    /// records, not every pair: 1,135 copies of one record are one finding, not 643,545. Per cadre,
    /// records sorted by start; a sweep keeps only the stretch's latest end, so the work is
    /// n log n. With a tolerance, a record that overlaps the stretch by less starts a new one, and no
    /// later record can then overlap the old stretch by more (it starts later still).
    static func overlaps(_ records: [IntegrityInput], rules: IntegrityRules) -> [IntegrityFlag] {
        let tolerance = TimeInterval(rules.overlapToleranceMinutes * 60)
        var flags: [IntegrityFlag] = []
        for (_, own) in Dictionary(grouping: records, by: \.cadreStaffNumber) {
            let sorted = own.sorted { $0.start != $1.start ? $0.start < $1.start : $0.id < $1.id }
            var stretch: [IntegrityInput] = []
            var latestEnd = Date.distantPast
            // The latest end among the stretch's records that started strictly earlier: a record of
            // no duration conflicts only with a record it lies strictly inside.
            var latestEndBefore = Date.distantPast
            var lastStart = Date.distantPast
            var longest: TimeInterval = 0
            func close() {
                if stretch.count > 1 { flags.append(finding(stretch, longest: longest, rules)) }
            }
            for record in sorted {
                if record.start > lastStart { latestEndBefore = latestEnd; lastStart = record.start }
                let instant = record.end <= record.start
                let reach = instant ? latestEndBefore : latestEnd
                let overlap = min(reach, record.end).timeIntervalSince(record.start)
                if !stretch.isEmpty, reach > record.start, overlap >= tolerance {
                    stretch.append(record)
                    longest = max(longest, overlap)
                    latestEnd = max(latestEnd, record.end)
                } else if instant, record.start < latestEnd {
                    continue  // at another record's very start: in no conflict, and it ends no stretch
                } else {
                    close()
                    stretch = [record]
                    longest = 0
                    latestEnd = record.end
                    latestEndBefore = .distantPast
                }
            }
            close()
        }
        return flags
    }

    private static func finding(_ stretch: [IntegrityInput], longest: TimeInterval, _ rules: IntegrityRules) -> IntegrityFlag {
        let minutes = Int(longest / 60)
        let byID = stretch.sorted { $0.id < $1.id }
        if byID.count == 2 {
            let (a, b) = (byID[0], byID[1])
            return IntegrityFlag(kind: .overlap, recordIDs: [a.id, b.id], reason: Localized(
                zh: "同一干部的两条记录时间重叠 \(minutes) 分钟：\(span(a, rules))、\(span(b, rules))。",
                en: "Two records of the same cadre overlap by \(minutes) minutes: \(span(a, rules)) and \(span(b, rules))."))
        }
        // The records are linked beside the reason; ids in the sentence only made it unreadable.
        let from = clock(stretch[0].start, rules), to = clock(stretch.map(\.end).max()!, rules)
        return IntegrityFlag(kind: .overlap, recordIDs: byID.map(\.id), reason: Localized(
            zh: "同一干部的 \(byID.count) 条记录在 \(from)–\(to) 内时间相互重叠，最长重叠 \(minutes) 分钟。",
            en: "\(byID.count) records of the same cadre overlap between \(from) and \(to), by up to \(minutes) minutes."))
    }

    private static func span(_ record: IntegrityInput, _ rules: IntegrityRules) -> String {
        "\(record.id) \(clock(record.start, rules))–\(clock(record.end, rules))"
    }

    /// `2025-09-03 14:00` in the rules' offset.
    static func clock(_ instant: Date, _ rules: IntegrityRules) -> String {
        let day = LocalDate(instant, utcOffsetSeconds: rules.utcOffsetSeconds)
        let seconds = Int(instant.timeIntervalSince(day.startInstant(utcOffsetSeconds: rules.utcOffsetSeconds)))
        return text(day) + " " + twoDigits(seconds / 3600) + ":" + twoDigits(seconds % 3600 / 60)
    }

    /// `2025-09-03`. `LocalDate.iso` goes through `String(format:)`, which on Linux made the
    /// reasons cost more than the detection itself.
    static func text(_ day: LocalDate) -> String {
        String(day.year) + "-" + twoDigits(day.month) + "-" + twoDigits(day.day)
    }

    private static func twoDigits(_ n: Int) -> String { n < 10 ? "0" + String(n) : String(n) }

    // MARK: Same photo on different records

    /// One flag per set of records sharing files, so two photos reused together are one finding.
    static func duplicatePhotos(_ records: [SharedTraits]) -> [IntegrityFlag] {
        var holders: [String: Set<String>] = [:]
        for record in records {
            for hash in record.attachmentHashes { holders[hash, default: []].insert(record.id) }
        }
        var shared: [[String]: [String]] = [:]
        for (hash, ids) in holders where ids.count > 1 { shared[ids.sorted(), default: []].append(hash) }
        return shared.map { ids, hashes in
            let files = hashes.sorted().map { String($0.prefix(12)) + "…" }.joined(separator: ", ")
            return IntegrityFlag(kind: .duplicatePhoto, recordIDs: ids, reason: Localized(
                zh: "\(hashes.count) 个相同文件（SHA-256 \(files)）出现在 \(ids.count) 条记录中。",
                en: "\(hashes.count) identical file\(hashes.count == 1 ? "" : "s") (SHA-256 \(files)) attached to \(ids.count) records."))
        }
    }

    // MARK: Photo taken at another time

    /// A photo's capture time (kept from its EXIF before the metadata was removed) far from the
    /// contact's own time suggests a picture from another occasion.
    static func photoTimes(_ records: [IntegrityInput], rules: IntegrityRules) -> [IntegrityFlag] {
        let slack = TimeInterval(rules.photoTimeToleranceHours * 3600)
        return records.compactMap { record in
            func distance(_ t: Date) -> TimeInterval { max(record.start.timeIntervalSince(t), t.timeIntervalSince(record.end), 0) }
            guard let worst = record.photoCaptureTimes.max(by: { distance($0) < distance($1) }), distance(worst) > slack else { return nil }
            return IntegrityFlag(kind: .photoTimeMismatch, recordIDs: [record.id], reason: Localized(
                zh: "照片拍摄于 \(clock(worst, rules))，而活动时间为 \(clock(record.start, rules)) 至 \(clock(record.end, rules))，相差超过 \(rules.photoTimeToleranceHours) 小时。",
                en: "A photo was taken at \(clock(worst, rules)), but the contact ran from \(clock(record.start, rules)) to \(clock(record.end, rules)): more than \(rules.photoTimeToleranceHours) hours apart."))
        }
    }

    // MARK: Copied summaries

    /// Full-width forms folded to ASCII, lower-cased, letters and digits only: what is left when
    /// whitespace, punctuation and symbols no longer hide a copy. Done scalar by scalar, because
    /// Foundation's compatibility mapping costs more than all the other detectors together.
    public static func normalisedSummary(_ text: String) -> String {
        var text = text
        return text.withUTF8 { normalise(utf8: $0) }
    }

    /// Decodes UTF-8 by hand: going through `unicodeScalars` and scalar properties costs twenty
    /// times more, and a school's ledger has tens of thousands of summaries.
    private static func normalise(utf8 b: UnsafeBufferPointer<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            let start = i
            let lead = b[i]
            var value: UInt32
            if lead < 0x80 {
                value = UInt32(lead); i += 1
            } else if lead < 0xE0, i + 1 < b.count {
                value = UInt32(lead & 0x1F) << 6 | UInt32(b[i + 1] & 0x3F); i += 2
            } else if lead < 0xF0, i + 2 < b.count {
                value = UInt32(lead & 0x0F) << 12 | UInt32(b[i + 1] & 0x3F) << 6 | UInt32(b[i + 2] & 0x3F); i += 3
            } else if i + 3 < b.count {
                value = UInt32(lead & 0x07) << 18 | UInt32(b[i + 1] & 0x3F) << 12 | UInt32(b[i + 2] & 0x3F) << 6 | UInt32(b[i + 3] & 0x3F); i += 4
            } else {
                break  // a String's UTF-8 is valid, so this is never reached
            }
            if (0xFF01...0xFF5E).contains(value) { value -= 0xFEE0 }  // full-width forms → ASCII
            switch value {
            case 0x30...0x39, 0x61...0x7A: out.append(UInt8(value))
            case 0x41...0x5A: out.append(UInt8(value | 0x20))
            case 0...0x7F, 0x2000...0x206F, 0x3000...0x303F: continue  // ASCII punctuation and spaces, general and CJK punctuation
            case 0x4E00...0x9FFF: out.append(contentsOf: b[start..<i])  // common CJK ideographs, the bulk of a summary
            default:
                guard let scalar = Unicode.Scalar(value), scalar.properties.isAlphabetic || scalar.properties.numericType != nil else { continue }
                out.append(contentsOf: (scalar.properties.changesWhenLowercased ? scalar.properties.lowercaseMapping : String(scalar)).utf8)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func copiedSummaries(_ records: [SharedTraits]) -> [IntegrityFlag] {
        var groups: [String: [SharedTraits]] = [:]
        for record in records {
            if let key = record.summaryKey { groups[key, default: []].append(record) }
        }
        return groups.values.compactMap { group in
            let ids = Set(group.map(\.id))
            guard ids.count > 1 else { return nil }
            let cadres = Set(group.map(\.cadreStaffNumber)).count
            // Quote the earliest id's wording, so the reason does not depend on input order.
            let first = group.min { $0.id < $1.id }!
            let excerpt = String(first.summary.trimmingCharacters(in: .whitespacesAndNewlines).prefix(30))
            return IntegrityFlag(kind: .copiedSummary, recordIDs: ids.sorted(), reason: Localized(
                zh: "\(ids.count) 条记录（\(cadres) 名干部）的摘要相同或仅标点、空格不同：“\(excerpt)”。",
                en: "\(ids.count) records (\(cadres) cadre\(cadres == 1 ? "" : "s")) have the same summary, up to spaces and punctuation: “\(excerpt)”."))
        }
    }

    // MARK: End-of-period burst

    static func bursts(_ records: [IntegrityInput], periods: [IntegrityPeriod], rules: IntegrityRules) -> [IntegrityFlag] {
        guard !periods.isEmpty else { return [] }
        var flags: [IntegrityFlag] = []
        for (cadre, own) in Dictionary(grouping: records, by: \.cadreStaffNumber) {
            let days = own.map { (record: $0,
                                  held: LocalDate($0.start, utcOffsetSeconds: rules.utcOffsetSeconds),
                                  entered: LocalDate($0.createdAt, utcOffsetSeconds: rules.utcOffsetSeconds)) }
            for period in periods {
                let windowStart = period.range.end.adding(days: 1 - rules.burstWindowDays)
                let late = days.filter { period.range.contains($0.held) && $0.entered >= windowStart }
                guard late.count >= rules.burstMinRecords,
                      let first = late.map(\.held).min(), let last = late.map(\.held).max(),
                      first.days(until: last) >= rules.burstMinEventSpanDays else { continue }
                flags.append(IntegrityFlag(kind: .endOfPeriodBurst, recordIDs: late.map(\.record.id).sorted(), reason: Localized(
                    zh: "干部 \(cadre) 在\(period.name.zh)的最后 \(rules.burstWindowDays) 天或其后集中录入 \(late.count) 条记录，活动日期却分布在 \(text(first)) 至 \(text(last))。",
                    en: "Cadre \(cadre) entered \(late.count) records in the last \(rules.burstWindowDays) days of \(period.name.en) or later, for contacts spread from \(text(first)) to \(text(last)).")))
            }
        }
        return flags
    }

    // MARK: No student confirmation

    /// More students confirmed than the record says were there: the count or the confirmations are wrong.
    static func overConfirmed(_ records: [IntegrityInput]) -> [IntegrityFlag] {
        records.compactMap { record in
            guard record.participantCount > 0, record.confirmedByStudents > record.participantCount else { return nil }
            return IntegrityFlag(kind: .overConfirmed, recordIDs: [record.id], reason: Localized(
                zh: "记录写明 \(record.participantCount) 人次参与，却有 \(record.confirmedByStudents) 名学生确认。",
                en: "The record says \(record.participantCount) took part, yet \(record.confirmedByStudents) students confirmed it."))
        }
    }

    static func unconfirmed(_ records: [IntegrityInput], kinds: Set<String>, asOf: LocalDate, rules: IntegrityRules) -> [IntegrityFlag] {
        records.compactMap { record in
            let ended = LocalDate(record.end, utcOffsetSeconds: rules.utcOffsetSeconds)
            guard kinds.contains(record.kind), !record.isConfirmed, ended.days(until: asOf) > rules.confirmationGraceDays else { return nil }
            return IntegrityFlag(kind: .noStudentConfirmation, recordIDs: [record.id], reason: Localized(
                zh: "该类活动应有学生在场，但活动结束（\(text(ended))）\(rules.confirmationGraceDays) 天后仍无学生确认。",
                en: "Students should have been present at this kind of contact, yet none confirmed it within \(rules.confirmationGraceDays) days of \(text(ended))."))
        }
    }
}
