import Foundation

/// Filings of the covered terms, and the links of earlier academic years.
extension DemoHistoryBuilder {
    /// How a unit deals with deadlines; drawn once per unit so the same offices are late every term.
    private enum Punctuality {
        case reliable, sloppy, poor

        /// Chances of filing on time and late; the rest is never filed.
        var odds: (onTime: Double, late: Double) {
            switch self {
            case .reliable: (0.92, 0.05)
            case .sloppy: (0.55, 0.30)
            case .poor: (0.25, 0.25)
            }
        }
    }

    private struct FilingPeriod {
        var anchor: Term
        var reported: Period
        var start: LocalDate
        var due: LocalDate
        var periodID: String?
    }

    mutating func buildFilings() {
        var punctuality: [String: Punctuality] = [:]
        for code in demo.units.map(\.code) + [Filing.schoolUnitCode] {
            let roll = random.unit()
            punctuality[code] = roll < 0.65 ? .reliable : roll < 0.85 ? .sloppy : .poor
        }
        var made: [(unit: String, term: String, kind: String, day: LocalDate, period: String?)] = []
        for rule in policy.rules {
            guard case .filing(let body) = rule.body else { continue }
            let subjects: [String]
            switch rule.subject {
            case .school: subjects = [Filing.schoolUnitCode]
            // The engine credits filings of the leadership unit to the school, so none are made for it.
            case .units(let selector): subjects = demo.units.filter { $0.active && $0.kind != .leadership && selector.matches($0) }.map(\.code)
            case .cadres: subjects = []
            }
            let periods = filingPeriods(body)
            for unit in subjects {
                let odds = punctuality[unit]!.odds
                for period in periods {
                    let roll = random.unit()
                    for _ in 0..<max(1, body.atLeast) {
                        let day: LocalDate
                        if roll < odds.onTime {
                            let earliest = max(period.start, period.due.adding(days: -12))
                            day = earliest.adding(days: random.int(below: max(1, earliest.days(until: period.due) + 1)))
                        } else if roll < odds.onTime + odds.late {
                            day = period.due.adding(days: 1 + random.int(below: 20))
                        } else { continue }
                        guard day <= asOf else { continue }
                        made.append((unit, period.anchor.id, body.kind, day, period.periodID))
                    }
                }
            }
        }
        made.sort { ($0.day, $0.unit, $0.kind) < ($1.day, $1.unit, $1.kind) }
        filings = made.enumerated().map { n, f in
            Filing(id: "DF" + demoPadded(n + 1, width: 5), unitCode: f.unit, termID: f.term, kind: f.kind, submittedOn: f.day, periodID: f.period)
        }
    }

    /// The periods of the covered terms a filing rule asks for, each with its due day as the engine reckons it.
    private func filingPeriods(_ body: FilingRule) -> [FilingPeriod] {
        func due(_ anchor: Term, _ reported: Period, otherwise end: LocalDate) -> LocalDate {
            body.deadline.flatMap { try? $0.resolve(term: anchor, calendar: workdays, period: reported) } ?? end
        }
        switch body.per {
        case .term:
            return covered.map { entry in
                let reported = Period(term: entry.term)
                return FilingPeriod(anchor: entry.term, reported: reported, start: entry.term.range.start,
                                    due: due(entry.term, reported, otherwise: entry.term.range.end))
            }
        case .academicYear:
            var seen = Set<String>()
            return covered.compactMap { entry in
                guard seen.insert(entry.year.id).inserted else { return nil }
                let terms = entry.year.terms
                let anchor = body.term.flatMap { terms.indices.contains($0 - 1) ? terms[$0 - 1] : nil } ?? terms[0]
                let reported = Period(term: anchor)
                return FilingPeriod(anchor: anchor, reported: reported, start: anchor.range.start,
                                    due: due(anchor, reported, otherwise: entry.year.range.end))
            }
        case .month:
            return covered.flatMap { entry in
                Period.months(intersecting: entry.term.range).compactMap { month -> FilingPeriod? in
                    guard let range = month.range(clippedTo: entry.term.range) else { return nil }
                    return FilingPeriod(anchor: entry.term, reported: month, start: range.start,
                                        due: due(entry.term, month, otherwise: range.end), periodID: month.id)
                }
            }
        case .week, .twoWeeks, .twoMonths, .day, .workday:
            return []
        }
    }

    /// This year's links carried into earlier covered years. A class that did not exist yet (this
    /// year's freshmen) becomes the same-numbered class of that year's intake; key students who
    /// had not enrolled are left out.
    mutating func carryPairingsBack() {
        let current = demo.currentAcademicYear
        var done = Set<String>()
        for entry in covered where entry.year.id != current.id && done.insert(entry.year.id).inserted {
            let firstYear = entry.year.range.start.year
            let shift = current.range.start.year - firstYear
            for pairing in demo.pairings + addedPairings {
                var earlier = pairing
                earlier.academicYearID = entry.year.id
                earlier.range = entry.year.range
                if let code = pairing.collectiveCode, let i = collectiveIndex[code], let grade = demo.collectives[i].grade, grade > firstYear {
                    let collective = demo.collectives[i]
                    let replacement = "CLS-\(collective.unitCode)-" + demoPadded((grade - shift) % 100, width: 2) + String(code.suffix(2))
                    guard collective.kind == .class, collectiveIndex[replacement] != nil else { continue }
                    earlier.collectiveCode = replacement
                }
                if let student = pairing.studentNumber, let entryYear = Int(student.prefix(4)), entryYear > firstYear { continue }
                earlierPairings.append(earlier)
            }
        }
    }
}
