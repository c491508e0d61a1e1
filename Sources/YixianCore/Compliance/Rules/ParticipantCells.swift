import Foundation

/// “同一学生一年内不重复” (POLICY-FORMAT §4.14): with `distinctParticipantsWithin`, a line counts for a rule only when
/// none of the students it names took part, with the same cadre, in an earlier line the rule counted in that window.
extension Evaluation {
    /// By line position: why a line of the cadre is refused for its participants — a student met before
    /// (`repeat-participant`) or no student numbers at all (`participants-unrecorded`). Lines are taken in time order
    /// from the year's start; only those the rule's filter (and `maxParticipants`) accepts are considered, and a refused
    /// line's students do not count as met. nil when the rule does not ask.
    func participantRefusals(_ body: CountRule, _ ruleIndex: Int, _ context: CadreContext) -> [Int: ComplianceExclusionReason]? {
        guard let within = body.distinctParticipantsWithin, let filter = filters[ruleIndex] else { return nil }
        let participants = index.participantIDs
        var refusals: [Int: ComplianceExclusionReason] = [:]
        var seen: [Int: Set<Int32>] = [:]
        for position in context.slice(first: year.range.start.dayNumber, last: year.range.end.dayNumber) {
            let record = lines[position]
            let state = context.stateIndex(on: Int(record.day))
            guard exclusion(record, filter, context, cadreUnit: context.units[state]) == nil,
                  body.maxParticipants.map({ record.participants <= Double($0) + Verdicts.tolerance }) ?? true else { continue }
            // The window: the term the line falls in (lines between terms: their own), or the whole year.
            let window = within == .term ? (year.terms.firstIndex { $0.range.start.dayNumber <= Int(record.day) && Int(record.day) <= $0.range.end.dayNumber } ?? -1) : 0
            let students = participants[Int(record.participantsStart)..<Int(record.participantsStart + record.participantsCount)]
            if students.isEmpty {
                refusals[position] = .participantsUnrecorded
            } else if let met = seen[window], students.contains(where: met.contains) {
                refusals[position] = .repeatParticipant
            } else {
                seen[window, default: []].formUnion(students)
            }
        }
        return refusals
    }
}
