import Foundation

/// What the integrity detectors need to know about one ledger line: the record plus the facts
/// `ContactRecord` does not carry (when it was entered, its summary, its photos' hashes).
public struct IntegrityInput: Hashable, Sendable, Codable {
    public var id: String
    public var cadreStaffNumber: String
    /// A `ContactKind` code.
    public var kind: String
    public var start: Date
    public var end: Date
    /// When the record was first submitted (the server's clock at the time, stored with the record).
    public var createdAt: Date
    public var summary: String
    /// SHA-256 hex of each attachment (`SanitizedEvidence.sha256`).
    public var attachmentHashes: [String]
    /// Capture times of the attachments that had one (`SanitizedEvidence.captureTime`).
    public var photoCaptureTimes: [Date]
    public var confirmedByStudents: Int
    public var status: ContactRecord.Status
    /// Why the cadre recorded a contact late; required beyond the back-dating window.
    public var backdateReason: String?
    /// Person-times the record says took part; 0 when unknown.
    public var participantCount: Int = 0

    public init(id: String, cadreStaffNumber: String, kind: String, start: Date, end: Date, createdAt: Date,
                summary: String = "", attachmentHashes: [String] = [], photoCaptureTimes: [Date] = [], confirmedByStudents: Int = 0,
                status: ContactRecord.Status = .submitted, backdateReason: String? = nil) {
        self.id = id
        self.cadreStaffNumber = cadreStaffNumber
        self.kind = kind
        self.start = start
        self.end = max(start, end)
        self.createdAt = createdAt
        self.summary = summary
        self.attachmentHashes = attachmentHashes
        self.photoCaptureTimes = photoCaptureTimes
        self.confirmedByStudents = confirmedByStudents
        self.status = status
        self.backdateReason = backdateReason
    }

    public init(record: ContactRecord, createdAt: Date, summary: String = "", attachmentHashes: [String] = [],
                photoCaptureTimes: [Date] = [], backdateReason: String? = nil) {
        self.init(id: record.id, cadreStaffNumber: record.cadreStaffNumber, kind: record.kind, start: record.start,
                  end: record.end, createdAt: createdAt, summary: summary, attachmentHashes: attachmentHashes,
                  photoCaptureTimes: photoCaptureTimes,
                  confirmedByStudents: record.confirmedByStudents, status: record.status, backdateReason: backdateReason)
        participantCount = record.participantCount
    }

    var isConfirmed: Bool { status == .confirmed || confirmedByStudents > 0 }
    var hasBackdateReason: Bool { !(backdateReason ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
}

/// A stretch of time in which entries are judged for an end-of-period burst (a term, a month).
public struct IntegrityPeriod: Hashable, Sendable, Codable {
    public var name: Localized
    public var range: DateRange

    public init(name: Localized, range: DateRange) {
        self.name = name
        self.range = range
    }
}

/// Thresholds of the detectors; a school may tune them, the defaults suit a weekly rhythm of contacts.
public struct IntegrityRules: Hashable, Sendable, Codable {
    /// Entered more than this many days after the contact ended → `lateEntry`.
    public var lateEntryDays: Int
    /// Beyond this many days a reason is required; without one → `backdatedWithoutReason`.
    public var backdateWindowDays: Int
    /// Overlaps shorter than this are travel slack, not a conflict (0: any overlap counts).
    public var overlapToleranceMinutes: Int
    /// A photo taken more than this many hours before the start or after the end → `photoTimeMismatch`.
    public var photoTimeToleranceHours: Int
    /// Summaries shorter than this after normalisation (“无”, “正常”) are too generic to call copied.
    public var summaryMinLength: Int
    /// At least this many records of one cadre …
    public var burstMinRecords: Int
    /// … entered in the last this many days of a period (or after it) …
    public var burstWindowDays: Int
    /// … for contacts whose days span at least this many days → `endOfPeriodBurst`.
    public var burstMinEventSpanDays: Int
    /// Students get this many days after a contact to confirm it before it is flagged.
    public var confirmationGraceDays: Int
    /// The offset in which instants become days (China Standard Time).
    public var utcOffsetSeconds: Int

    public init(lateEntryDays: Int = 14, backdateWindowDays: Int = 3, overlapToleranceMinutes: Int = 0,
                photoTimeToleranceHours: Int = 12, summaryMinLength: Int = 10, burstMinRecords: Int = 5, burstWindowDays: Int = 7,
                burstMinEventSpanDays: Int = 21, confirmationGraceDays: Int = 7, utcOffsetSeconds: Int = 8 * 3600) {
        self.lateEntryDays = lateEntryDays
        self.backdateWindowDays = backdateWindowDays
        self.overlapToleranceMinutes = overlapToleranceMinutes
        self.photoTimeToleranceHours = photoTimeToleranceHours
        self.summaryMinLength = summaryMinLength
        self.burstMinRecords = burstMinRecords
        self.burstWindowDays = burstWindowDays
        self.burstMinEventSpanDays = burstMinEventSpanDays
        self.confirmationGraceDays = confirmationGraceDays
        self.utcOffsetSeconds = utcOffsetSeconds
    }
}
