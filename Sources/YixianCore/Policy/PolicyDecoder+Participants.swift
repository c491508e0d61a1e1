import Foundation
import Yams

/// `distinctParticipantsWithin` on a count rule (POLICY-FORMAT §4.14).
extension PolicyDecoder {
    /// `.some(nil)` when not given, `.some(kind)` for `term` or `academic-year`, nil after a reported problem.
    func decodeDistinctParticipants(_ f: YAMLFields) -> PeriodKind?? {
        guard let node = f.take("distinctParticipantsWithin") else { return .some(nil) }
        guard let kind = reader.periodKind(node, allowed: [.term, .academicYear]) else { return nil }
        return .some(kind)
    }
}
