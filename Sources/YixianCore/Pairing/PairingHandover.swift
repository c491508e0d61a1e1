import Foundation

/// The outcome of a handover: the full new pairing list plus what changed, for the audit trail.
public struct PairingHandover: Hashable, Sendable {
    /// Every pairing after the handover; the predecessor's past stays on record.
    public var pairings: [Pairing]
    /// The predecessor's pairings as they now end (the day before the handover).
    public var ended: [Pairing]
    /// The successor's new pairings, from the handover day.
    public var started: [Pairing]
    /// Pairings the successor already held on the day, so nothing new was started for them.
    public var alreadyHeld: [Pairing]
}

extension Pairing {
    /// A successor takes over a predecessor's pairings on `day` (换岗): the predecessor's pairings running
    /// on or after `day` end the day before, and the successor's start on `day` with the same target,
    /// kind, year and planned end. A pairing that would not have begun before `day` moves over whole,
    /// as it never was the predecessor's in fact.
    public static func handover(_ pairings: [Pairing], from predecessor: String, to successor: String, on day: LocalDate) -> PairingHandover {
        let successorTargets = Set(pairings.filter { $0.cadreStaffNumber == successor && $0.range.end >= day }.map(\.handoverTarget))
        var result: [Pairing] = [], ended: [Pairing] = [], started: [Pairing] = [], alreadyHeld: [Pairing] = []
        for pairing in pairings {
            guard pairing.cadreStaffNumber == predecessor, pairing.range.end >= day else {
                result.append(pairing)
                continue
            }
            if pairing.range.start < day {
                var past = pairing
                past.range = DateRange(start: pairing.range.start, end: day.adding(days: -1))
                result.append(past)
                ended.append(past)
            }
            if successorTargets.contains(pairing.handoverTarget) {
                alreadyHeld.append(pairing)
                continue
            }
            var next = pairing
            next.cadreStaffNumber = successor
            next.range = DateRange(start: max(day, pairing.range.start), end: pairing.range.end)
            result.append(next)
            started.append(next)
        }
        return PairingHandover(pairings: result, ended: ended, started: started, alreadyHeld: alreadyHeld)
    }

    /// What the pairing links to, whichever kind it is.
    var handoverTarget: String { collectiveCode.map { "c:" + $0 } ?? collegeCode.map { "u:" + $0 } ?? "s:" + (studentNumber ?? "") }
}
