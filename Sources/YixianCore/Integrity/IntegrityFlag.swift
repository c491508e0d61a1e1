import Foundation

/// The kinds of doubt an assessor is shown about ledger lines (弄虚作假 signals). A flag is a
/// question to check, not a verdict.
public enum IntegrityFlagKind: String, CaseIterable, Sendable, Codable, Labelled {
    case lateEntry, backdatedWithoutReason, overlap, duplicatePhoto, photoTimeMismatch, copiedSummary, endOfPeriodBurst, noStudentConfirmation
    case overConfirmed

    public var label: Localized {
        switch self {
        case .lateEntry: Localized(zh: "事后补录", en: "Entered late")
        case .backdatedWithoutReason: Localized(zh: "补录未说明原因", en: "Back-dated without reason")
        case .overlap: Localized(zh: "时间重叠", en: "Overlapping times")
        case .duplicatePhoto: Localized(zh: "照片重复使用", en: "Photo reused")
        case .photoTimeMismatch: Localized(zh: "照片时间不符", en: "Photo time mismatch")
        case .copiedSummary: Localized(zh: "内容雷同", en: "Copied summary")
        case .endOfPeriodBurst: Localized(zh: "期末集中补录", en: "End-of-period burst")
        case .noStudentConfirmation: Localized(zh: "无学生确认", en: "No student confirmation")
        case .overConfirmed: Localized(zh: "确认人数超过参与人数", en: "More confirmations than participants")
        }
    }
}

public struct IntegrityFlag: Hashable, Sendable, Codable {
    public var kind: IntegrityFlagKind
    /// The records concerned, sorted; one for single-record flags, all of them for shared ones.
    public var recordIDs: [String]
    public var reason: Localized

    public init(kind: IntegrityFlagKind, recordIDs: [String], reason: Localized) {
        self.kind = kind
        self.recordIDs = recordIDs
        self.reason = reason
    }

    /// Stable across runs, so an assessor's note or dismissal can refer to it.
    public var id: String { kind.rawValue + ":" + recordIDs.joined(separator: ",") }

    /// Each record's flags, for showing them on the record.
    public static func byRecord(_ flags: [IntegrityFlag]) -> [String: [IntegrityFlag]] {
        var result: [String: [IntegrityFlag]] = [:]
        for flag in flags {
            for id in flag.recordIDs { result[id, default: []].append(flag) }
        }
        return result
    }
}
