import Foundation

/// 抽查: which ledger lines of a unit and month are called back to a student. The draw is a keyed
/// hash of each line's id, so it is random to the cadres (they cannot tell which lines will be
/// checked) yet reproducible: the same seed and lines give the same sample, and anyone can re-derive
/// it to see that the office did not pick and choose.
public enum SpotCheckSample {
    /// At least one line when there are any; otherwise `share` of them rounded up.
    public static func size(of count: Int, share: Double) -> Int {
        guard count > 0 else { return 0 }
        return min(count, max(1, Int((Double(count) * share).rounded(.up))))
    }

    /// The sampled ids, in the order of their draw.
    public static func draw(_ ids: [String], share: Double, seed: String) -> [String] {
        let n = size(of: ids.count, share: share)
        return ids.map { (id: $0, key: EvidenceSHA256.hex(Data((seed + "|" + $0).utf8))) }
            .sorted { ($0.key, $0.id) < ($1.key, $1.id) }
            .prefix(n).map(\.id)
    }
}

/// What the call back found.
public enum SpotCheckResult: String, CaseIterable, Sendable, Codable, Labelled {
    /// The student confirms the contact took place as recorded.
    case confirmed
    /// The student says it did not happen, or not as recorded.
    case denied
    /// No student who took part could be reached.
    case unreachable

    public var label: Localized {
        switch self {
        case .confirmed: Localized(zh: "属实", en: "Confirmed")
        case .denied: Localized(zh: "不属实", en: "Denied")
        case .unreachable: Localized(zh: "无法联系", en: "Unreachable")
        }
    }
}
