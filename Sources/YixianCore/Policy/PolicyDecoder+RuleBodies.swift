import Foundation
import Yams

/// One decoder per rule kind (docs/POLICY-FORMAT.md §4). `decodeBody` drops a body that reported a
/// problem, so an optional field that is nil here was simply not given.
extension PolicyDecoder {
    func decodeCount(_ f: YAMLFields, _ context: RuleContext) -> RuleBody? {
        let filter = decodeFilter(f, context, defaultKinds: nil)
        let measure = decodeMeasure(f)
        // `atMost` alone is an upper bound only; with `atLeast` a range (§4.1).
        let atMostNode = f.take("atMost")
        let atLeastNode = atMostNode == nil ? f.require("atLeast") : f.take("atLeast")
        let atLeast = atLeastNode.map { decodeQuantity($0, context) } ?? (atMostNode == nil ? nil : RuleQuantity(0))
        // `after` (§4.12): each event is its own period, so there is no `per`.
        let afterNode = f.take("after")
        let perNode = afterNode == nil ? f.require("per") : f.take("per")
        var per = perNode.flatMap { reader.periodKind($0) }
        if afterNode != nil { per = refuseBesideAfter(f, ["per", "slot", "deadline"]) ? nil : .term }
        let after = afterNode.flatMap { decodeEventTrigger($0, context, counted: filter) }
        let periodMinutes = decodePeriodMinutes(f, measure: measure, atLeast: atLeast, atLeastNode: atLeastNode)
        let distinctParticipants = decodeDistinctParticipants(f)
        let slotNode = f.take("slot")
        let slot = slotNode.flatMap { decodeSlot($0, per: per, perNode: perNode) }
        checkQuantity(atLeast, at: atLeastNode, measure: measure, filter: filter, context)
        var atMost = atMostNode.flatMap { reader.amount($0, "atMost") }
        if let atMostNode, let most = atMost {
            let lows = atLeast.map { [$0.fallback].compactMap { $0 } + $0.byRole.map(\.value) } ?? []
            if let measure, measure.countsWholes, most != most.rounded() {
                reader.fail(at: atMostNode, .invalidValue, "按次数计的 atMost 应为整数", "atMost counts events here: it must be a whole number")
                atMost = nil
            } else if let low = lows.max(), low > most {
                reader.fail(at: atMostNode, .invalidValue, "atMost（\(yamlNumberText(most))）小于 atLeast（\(yamlNumberText(low))）：没有次数能同时满足",
                            "atMost (\(yamlNumberText(most))) is below atLeast (\(yamlNumberText(low))): no count can satisfy both")
                atMost = nil
            }
        }
        let maxParticipantsNode = f.take("maxParticipants")
        var maxParticipants = maxParticipantsNode.flatMap { reader.count($0, "maxParticipants") }
        if let maxParticipantsNode, maxParticipants == 0 {
            reader.fail(at: maxParticipantsNode, .invalidValue, "maxParticipants 至少为 1（每次最多几人）", "maxParticipants must be at least 1 (the most students per session)")
            maxParticipants = nil
        }
        let deadlineNode = f.take("deadline")
        var deadline = deadlineNode.flatMap { decodeDeadline($0, context, terms: { $0.terms[...] }) }
        if refuseCountDeadlineBeforeTerm(deadline, at: deadlineNode) { deadline = nil }
        if let deadlineNode, let per, per != .term {
            reader.fail(at: deadlineNode, .badDeadline, "只有 per: term 的计数规则可以设截止日期", "only per: term count rules can have a deadline")
        }
        let pauses = decodePauses(f, per: per)
        let perKeyStudent = decodePerKeyStudent(f, filter: filter, measure: measure, hasDeadline: deadlineNode != nil,
                                                hasMaxParticipants: maxParticipantsNode != nil)
        guard let filter, let measure, let atLeast, let per, let pauses, let perKeyStudent else { return nil }
        if atMostNode != nil && atMost == nil { return nil }
        if maxParticipantsNode != nil && maxParticipants == nil { return nil }
        if slotNode != nil && slot == nil { return nil }
        if afterNode != nil && after == nil { return nil }
        guard let periodMinutes, let distinctParticipants, deadlineNode == nil || deadline != nil else { return nil }
        var rule = CountRule(filter: filter, measure: measure, atLeast: atLeast, per: per, deadline: deadline, pauses: pauses,
                             atMost: atMost, maxParticipants: maxParticipants, slot: slot, after: after)
        rule.perKeyStudent = perKeyStudent
        rule.periodMinutes = periodMinutes
        rule.distinctParticipantsWithin = distinctParticipants
        return .count(rule)
    }

    func decodeEvery(_ f: YAMLFields, _ context: RuleContext) -> RuleBody? {
        let filter = decodeFilter(f, context, defaultKinds: nil)
        let measure = decodeMeasure(f)
        let atLeastNode = f.take("atLeast")
        let atLeast = atLeastNode.map { decodeQuantity($0, context) } ?? RuleQuantity(1)
        checkQuantity(atLeast, at: atLeastNode, measure: measure, filter: filter, context)
        let perNode = f.require("per")
        var per: PeriodKind?
        if let perNode, let text = reader.string(perNode, "per"), let kind = PeriodKind(rawValue: text),
           [.twoWeeks, .twoMonths, .day, .workday].contains(kind) {
            // Each of these is judged on its own by `count`; an `every` cell would list hundreds of days as parts.
            reader.fail(at: perNode, .unknownPeriod,
                        "every 规则只按 week 或 month 计；每两周、每两个月、每天、每个工作日的要求请写 count 规则并设 per: \(text)（每个周期分别判定）",
                        "an every rule counts weeks or months only; for per: \(text) write a count rule, which judges each period on its own")
        } else {
            per = perNode.flatMap { reader.periodKind($0, allowed: [.week, .month]) }
        }
        let within = f.take("within").map { reader.periodKind($0, allowed: [.term, .academicYear]) } ?? .term
        let share = f.take("share").map { decodeShare($0) } ?? 1
        let pauses = decodePauses(f, per: per)
        guard let filter, let measure, let atLeast, let per, let within, let share, let pauses else { return nil }
        return .every(EveryPeriodRule(filter: filter, measure: measure, atLeast: atLeast, per: per, within: within, share: share, pauses: pauses))
    }

    func decodePairing(_ f: YAMLFields, node: Node, _ context: RuleContext) -> RuleBody? {
        let kindsNode = f.take("collectiveKinds")
        let kinds = kindsNode.flatMap(decodeCollectiveKinds)
        let pairingKindsNode = f.take("pairingKinds")
        let colleges = decodePairingTarget(f, kindsNode: kindsNode, pairingKindsNode: pairingKindsNode)
        let fallback: Set<Pairing.Kind>? = colleges == true ? [.linked] : [.linked, .honoraryClassHead]
        let pairingKinds = pairingKindsNode.map(decodePairingKinds) ?? fallback
        let bounds = decodeBounds(f, node: node)
        // Pairings and coverage are reckoned from the year's first term.
        let deadline = f.take("deadline").flatMap { decodeDeadline($0, context, terms: { $0.terms.prefix(1) }) }
        guard let pairingKinds, let bounds, let colleges else { return nil }
        return .pairing(PairingRule(collectiveKinds: kinds, pairingKinds: pairingKinds, minimum: bounds.0, maximum: bounds.1, deadline: deadline,
                                    countsColleges: colleges))
    }

    func decodeCoverage(_ f: YAMLFields, _ context: RuleContext) -> RuleBody? {
        let kinds = f.require("collectiveKinds").flatMap(decodeCollectiveKinds)
        let pairingKindsNode = f.take("pairingKinds")
        let pairingKinds = pairingKindsNode.map(decodePairingKinds) ?? [.linked, .honoraryClassHead]
        let atLeast = f.take("atLeast").map { reader.count($0, "atLeast") } ?? 1
        let deadlineNode = f.take("deadline")
        let deadline = deadlineNode.flatMap { decodeDeadline($0, context, terms: { $0.terms.prefix(1) }) }
        // `share` and `from: contacts` (§4.19): part of the collectives, or those the ledger reached in each period.
        let share = f.take("share").map { decodeShare($0) } ?? 1
        let contacts = decodeContactCoverage(f, context, pairingKindsNode: pairingKindsNode, deadlineNode: deadlineNode)
        guard let kinds, let pairingKinds, let atLeast, let share, let contacts else { return nil }
        return .coverage(CoverageRule(collectiveKinds: kinds, pairingKinds: pairingKinds, atLeast: atLeast, deadline: deadline,
                                      share: share, contacts: contacts))
    }

    func decodeTimeShare(_ f: YAMLFields, _ context: RuleContext) -> RuleBody? {
        let filter = decodeFilter(f, context, defaultKinds: ContactVocabulary.inPersonGroup)
        let atLeast = f.require("atLeast").flatMap { decodeShare($0) }
        let per = f.take("per").map { reader.periodKind($0, allowed: [.week, .month, .term, .academicYear]) } ?? .term
        let hoursNode = f.take("hoursPerWorkday")
        var hours = hoursNode.map { reader.amount($0, "hoursPerWorkday") } ?? 8
        if let value = hours, !(1...24).contains(value) {
            reader.fail(at: hoursNode, .invalidValue, "hoursPerWorkday 应在 1 到 24 之间：\(yamlNumberText(value))", "hoursPerWorkday must be between 1 and 24: \(yamlNumberText(value))")
            hours = nil
        }
        guard let filter, let atLeast, let per, let hours else { return nil }
        return .timeShare(TimeShareRule(filter: filter, atLeast: atLeast, per: per, hoursPerWorkday: hours))
    }

    func decodeFiling(_ f: YAMLFields, _ context: RuleContext) -> RuleBody? {
        var kind: String?
        if let n = f.require("kind"), let text = reader.string(n, "kind") {
            if context.filingKinds.contains(text) { kind = text } else {
                let known = context.filingKinds.sorted().joined(separator: ", ")
                reader.fail(at: n, .unknownFilingKind, "未知的备案类型「\(text)」，可用：\(known)（可在 filingKinds 中增加）",
                            "unknown filing kind “\(text)”; known: \(known) (add it under filingKinds)")
            }
        }
        let atLeast = f.take("atLeast").map { reader.count($0, "atLeast") } ?? 1
        // `after` (§4.12): each event is its own period, with no `per`, `term` or `deadline`.
        let afterNode = f.take("after")
        var per = (afterNode == nil ? f.require("per") : f.take("per")).flatMap { reader.periodKind($0, allowed: [.week, .month, .term, .academicYear]) }
        let after = afterNode.flatMap { node in refuseBesideAfter(f, ["per", "term", "deadline"]) ? nil : decodeEventTrigger(node, context, counted: nil) }
        if afterNode != nil { per = after == nil ? nil : .term }
        let termNode = f.take("term")
        let term = termNode.flatMap { reader.count($0, "term") }
        if let termNode, let term, term < 1 { reader.fail(at: termNode, .invalidValue, "term 从 1 开始计", "term counts from 1") }
        // Without the calendar's term the deadline would be reckoned from another one, silently.
        if let termNode, let term, let short = context.years.first(where: { $0.terms.count < term }) {
            reader.fail(at: termNode, .invalidValue, "校历中 \(short.name) 学年只有 \(short.terms.count) 个学期，没有第 \(term) 学期",
                        "the calendar's year \(short.id) has \(short.terms.count) terms: there is no term \(term)")
        }
        // A yearly filing is reckoned from its `term`; monthly and termly ones from each term.
        let deadlineNode = f.take("deadline")
        if let deadlineNode, per == .week {
            // The anchors are terms and months: none falls inside a week. A weekly filing is due by the week's end.
            reader.fail(at: deadlineNode, .badDeadline, "每周报送的截止日期就是该周最后一天，不能另设 deadline",
                        "a weekly filing is due by the end of its week: it cannot have a deadline")
        }
        let deadline = deadlineNode.flatMap { node in
            per == .week ? nil : decodeDeadline(node, context, terms: { year in
                per == .academicYear ? year.terms.dropFirst(max(0, (term ?? 1) - 1)).prefix(1) : year.terms[...]
            })
        }
        guard let kind, let atLeast, let per else { return nil }
        var rule = FilingRule(kind: kind, atLeast: atLeast, per: per, term: term, deadline: deadline)
        rule.after = after
        return .filing(rule)
    }

    func decodeResponse(_ f: YAMLFields) -> RuleBody? {
        var workdays = true
        if let n = f.take("days"), let text = reader.string(n, "days") {
            switch text {
            case "workdays": workdays = true
            case "calendar": workdays = false
            default: reader.fail(at: n, .invalidValue, "days 应为 workdays 或 calendar", "days must be workdays or calendar")
            }
        }
        var tiers: [ResponseRule.Tier] = []
        if let n = f.require("tiers"), let tf = reader.mapping(n, "tiers") {
            for entry in tf.entries {
                _ = tf.take(entry.key)
                guard let t = reader.mapping(entry.value, "响应时限") else { continue }
                let label = t.take("label").flatMap { reader.string($0, "label") }
                let firstNode = t.take("firstResponse")
                let first = firstNode.flatMap { reader.count($0, "firstResponse") }
                let answerNode = t.require("answer")
                // `answer: none`: 表扬、建议类“无需答复” (§4.17).
                let noAnswer = answerNode.map { if case .scalar(let s) = $0 { s.string == "none" } else { false } } ?? false
                let answer = noAnswer ? 0 : answerNode.flatMap { reader.count($0, "answer") }
                if let first, let answer, !noAnswer, first > answer {
                    reader.fail(at: answerNode, .invalidValue, "首次响应时限（\(first)）不能长于答复时限（\(answer)）",
                                "the first response (\(first)) cannot be due after the answer (\(answer))")
                }
                let unit = decodeResponseUnit(t.take("unit"))
                let escalationNode = t.take("escalation")
                let escalation = escalationNode.flatMap(decodeEscalation)
                if noAnswer, let node = firstNode ?? escalationNode {
                    reader.fail(at: node, .invalidValue, "无需答复（answer: none）的一档不能再设首次响应或督办时限",
                                "a tier that needs no answer (answer: none) cannot have a first response or an escalation")
                }
                t.finish()
                if let answer, let unit {
                    tiers.append(.init(name: entry.key, label: label, firstResponse: first, answer: answer, unit: unit,
                                       escalation: escalation, needsAnswer: !noAnswer))
                }
            }
            if tf.entries.isEmpty { reader.fail(at: n, .missingField, "tiers 至少要有一档", "tiers needs at least one tier") }
        }
        guard !tiers.isEmpty else { return nil }
        return .response(ResponseRule(tiers: tiers, workdays: workdays))
    }

    /// A tier's `unit` (§4.17): `.some(nil)` when not given (the rule's `days`), nil when invalid (reported).
    func decodeResponseUnit(_ node: Node?) -> ResponseRule.Unit?? {
        guard let node else { return .some(nil) }
        guard let text = reader.string(node, "unit") else { return nil }
        guard let unit = ResponseRule.Unit(rawValue: text) else {
            reader.fail(at: node, .invalidValue, "unit 应为 hours（小时）、workdays（工作日）或 days（自然日）",
                        "unit must be hours, workdays or days")
            return nil
        }
        return .some(unit)
    }

    /// `escalation: { after: N, answer: M }`: 督办 N units past the answer deadline, then answered within M more.
    func decodeEscalation(_ node: Node) -> ResponseRule.Escalation? {
        guard let f = reader.mapping(node, "escalation") else { return nil }
        defer { f.finish() }
        let after = f.require("after").flatMap { reader.count($0, "after") }
        let answerNode = f.require("answer")
        var answer = answerNode.flatMap { reader.count($0, "answer") }
        if let value = answer, value < 1 {
            reader.fail(at: answerNode, .invalidValue, "督办后的答复时限至少为 1", "the answer after an escalation needs at least 1")
            answer = nil
        }
        guard let after, let answer else { return nil }
        return ResponseRule.Escalation(after: after, answer: answer)
    }
}
