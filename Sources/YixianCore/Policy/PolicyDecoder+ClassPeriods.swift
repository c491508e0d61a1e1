import Foundation
import Yams

/// `measure: class-periods` and `periodMinutes` on a count rule (POLICY-FORMAT §4.13).
extension PolicyDecoder {
    /// The length of a 课时: 45 unless `periodMinutes` says otherwise; nil after a reported problem. A fractional
    /// number of class periods is refused too: lines count in whole periods.
    func decodePeriodMinutes(_ f: YAMLFields, measure: ContactMeasure?, atLeast: RuleQuantity?, atLeastNode: Node?) -> Int? {
        if measure == .classPeriods, let atLeast, let atLeastNode,
           ([atLeast.fallback].compactMap { $0 } + atLeast.byRole.map(\.value)).contains(where: { $0 != $0.rounded() }) {
            reader.fail(at: atLeastNode, .invalidValue, "课时按整课时计，atLeast 应为整数", "class periods count whole periods: atLeast must be a whole number")
            return nil
        }
        guard let node = f.take("periodMinutes") else { return 45 }
        guard let minutes = reader.count(node, "periodMinutes") else { return nil }
        if measure != .classPeriods {
            reader.fail(at: node, .invalidValue, "periodMinutes 只用于 measure: class-periods（按课时计）", "periodMinutes is for measure: class-periods only")
            return nil
        }
        guard (30...60).contains(minutes) else {
            reader.fail(at: node, .invalidValue, "periodMinutes（一课时）应为 30 到 60 分钟（常见 45 或 50）：\(minutes)",
                        "periodMinutes (one class period) must be 30 to 60 minutes (usually 45 or 50): \(minutes)")
            return nil
        }
        return minutes
    }
}
