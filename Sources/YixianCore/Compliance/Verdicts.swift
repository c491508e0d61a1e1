import Foundation

/// How a status is reached, as pure functions of amounts and days: the table of
/// docs/POLICY-FORMAT.md §5 in code. Every rule kind judges its cells through these, so the
/// documentation, the tests and the engine say the same thing in one place.
enum Verdicts {
    /// Person-times and hours are sums of fractions: a total may land a hair under a whole
    /// requirement it meets (0.1 × 10 is 0.999…).
    static let tolerance = 1e-9
    /// A filing due within this many days is at risk rather than on track.
    static let filingWarningDays = 7

    static func reached(_ achieved: Double, _ required: Double) -> Bool { achieved >= required - tolerance }

    /// Whole periods out of `count` that a share asks for, rounded up (80 % of 16 weeks: 13).
    static func periodsNeeded(share: Double, of count: Int) -> Double {
        (share * Double(count) - tolerance).rounded(.up)
    }

    /// Count rules (and anything measured against a pace): not yet due before `start`; met once
    /// reached; missed after `end`; otherwise on track while at least the whole units due pro rata
    /// so far are done (4 per term, 51 % of it gone: 2 needed), else at risk.
    static func pace(achieved: Double, required: Double, asOf: LocalDate, start: LocalDate, end: LocalDate) -> ComplianceStatus {
        if asOf < start { return .notYetDue }
        if reached(achieved, required) { return .met }
        if asOf > end { return .missed }
        let total = Double(max(1, end.dayNumber - start.dayNumber + 1))
        let elapsed = Double(asOf.dayNumber - start.dayNumber + 1) / total
        return achieved >= (required * elapsed + tolerance).rounded(.down) ? .onTrack : .atRisk
    }

    /// Count rules with an upper bound (`atMost`): over it is missed as soon as it happens, even in a running
    /// period (a contact made cannot be unmade); otherwise `pace` — and with no lower bound, met once the
    /// period is over and on track while it runs.
    static func bounded(achieved: Double, required: Double, maximum: Double?, onlyMaximum: Bool,
                        asOf: LocalDate, start: LocalDate, end: LocalDate) -> ComplianceStatus {
        if asOf < start { return .notYetDue }
        guard let maximum else { return pace(achieved: achieved, required: required, asOf: asOf, start: start, end: end) }
        if achieved > maximum + tolerance { return .missed }
        if onlyMaximum { return asOf > end ? .met : .onTrack }
        return pace(achieved: achieved, required: required, asOf: asOf, start: start, end: end)
    }

    /// One week (or month) of an every rule: met once reached, missed once over without it.
    static func subPeriod(achieved: Double, required: Double, started: Bool, closed: Bool) -> ComplianceStatus {
        if !started { return .notYetDue }
        if reached(achieved, required) { return .met }
        return closed ? .missed : .onTrack
    }

    /// An every rule over its outer period, from its counting sub-periods: `total` of them,
    /// `closed` already over, `met` and `missedClosed` of those met and missed (a running week met
    /// early is not counted until it is over, so achieved never outruns elapsed). Missed as soon as the
    /// periods still open cannot make the share; at risk while behind the share of the closed ones.
    static func every(share: Double, total: Int, met: Int, closed: Int, missedClosed: Int, started: Bool) -> (required: Double, status: ComplianceStatus) {
        let required = periodsNeeded(share: share, of: total)
        let achieved = Double(met)
        if !started { return (required, .notYetDue) }
        if achieved >= required { return (required, .met) }
        if Double(total - missedClosed) < required { return (required, .missed) }
        return (required, achieved >= periodsNeeded(share: share, of: closed) ? .onTrack : .atRisk)
    }

    /// Pairing rules: over the upper bound is missed; at least the minimum is met; short of it,
    /// at risk until the deadline and missed after it (or at once without a deadline).
    static func pairing(count: Int, minimum: Int, maximum: Int?, asOf: LocalDate, start: LocalDate, deadline: LocalDate?) -> ComplianceStatus {
        if asOf < start { return .notYetDue }
        if let maximum, count > maximum { return .missed }
        if count >= minimum { return .met }
        if let deadline, asOf <= deadline { return .atRisk }
        return .missed
    }

    /// Time-share rules: judged at the end of the period; while it runs, on track when the hours
    /// logged so far cover the share of the workdays so far.
    static func timeShare(hours: Double, required: Double, asOf: LocalDate, start: LocalDate, end: LocalDate) -> ComplianceStatus {
        if asOf < start { return .notYetDue }
        let enough = reached(hours, required)
        if asOf > end { return enough ? .met : .missed }
        return enough ? .onTrack : .atRisk
    }

    /// Coverage rules: met when no collective is left uncovered; otherwise at risk until the
    /// deadline and missed after it (or at once without a deadline).
    static func coverage(uncovered: Int, asOf: LocalDate, start: LocalDate, deadline: LocalDate?) -> ComplianceStatus {
        if asOf < start { return .notYetDue }
        if uncovered == 0 { return .met }
        return deadline.map { asOf <= $0 } == true ? .atRisk : .missed
    }

    /// Filing rules: met once enough filings came in by the due day; missed after it; at risk in
    /// its last `filingWarningDays` days.
    static func filing(onTime: Int, required: Int, asOf: LocalDate, start: LocalDate, due: LocalDate) -> ComplianceStatus {
        if asOf < start { return .notYetDue }
        if onTime >= required { return .met }
        if asOf > due { return .missed }
        return due.dayNumber - asOf.dayNumber <= filingWarningDays ? .atRisk : .onTrack
    }

    /// Both stages of one case (first response, then the answer): either stage late or overdue
    /// is missed; still open within its deadlines is on track, or at risk from its due day.
    static func studentCase(firstDue: LocalDate?, firstDone: LocalDate?, answerDue: LocalDate, answered: LocalDate?,
                            asOf: LocalDate) -> (status: ComplianceStatus, reason: ComplianceExclusionReason?) {
        if let firstDue {
            if let firstDone, firstDone > firstDue { return (.missed, .firstResponseLate) }
            if firstDone == nil, asOf > firstDue { return (.missed, .firstResponseOverdue) }
        }
        if let answered { return answered > answerDue ? (.missed, .answerLate) : (.met, nil) }
        if asOf > answerDue { return (.missed, .answerOverdue) }
        let nextDue = firstDone == nil ? (firstDue ?? answerDue) : answerDue
        return (asOf >= nextDue ? .atRisk : .onTrack, .pending)
    }
}
