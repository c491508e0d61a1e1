import Foundation
import Yams

/// The fields rule bodies share: the contact filter, measure, quantities, shares, kinds, bounds and deadlines.
/// Each returns nil when the field is invalid, after reporting it.
extension PolicyDecoder {
    func decodeFilter(_ f: YAMLFields, _ context: RuleContext, defaultKinds: String?) -> ContactFilter? {
        var ok = true
        var kindNames: [String] = []
        var kinds = Set<String>()
        if let n = defaultKinds == nil ? f.require("kinds") : f.take("kinds") {
            if let items = reader.strings(n, "活动类型"), items.isEmpty {
                // An empty list would count nothing, and the rule could never be met.
                ok = false
                reader.fail(at: n, .invalidValue, "kinds 不能为空：请列出计入的活动类型，或写 [any]", "kinds cannot be empty: list the kinds that count, or write [any]")
            } else if let items = reader.strings(n, "活动类型") {
                for (name, itemNode) in items {
                    if let codes = context.vocabulary.expandKind(name) {
                        kindNames.append(name)
                        kinds.formUnion(codes)
                    } else {
                        ok = false
                        reader.fail(at: itemNode, .unknownKind, "未知的活动类型「\(name)」（可在 vocabulary.kinds 中增加）",
                                    "unknown activity kind “\(name)” (add it under vocabulary.kinds)")
                    }
                }
            } else { ok = false }
        } else if let defaultKinds {
            kindNames = [defaultKinds]
            kinds = Set(context.vocabulary.expandKind(defaultKinds) ?? [])
        } else { ok = false }
        var venueNames: [String]?
        var venues: Set<String>?
        if let n = f.take("venues") {
            if let items = reader.strings(n, "场所") {
                venueNames = []
                venues = []
                for (name, itemNode) in items {
                    if let codes = context.vocabulary.expandVenue(name) {
                        venueNames?.append(name)
                        venues?.formUnion(codes)
                    } else {
                        ok = false
                        reader.fail(at: itemNode, .unknownVenue, "未知的场所「\(name)」", "unknown venue “\(name)”")
                    }
                }
            } else { ok = false }
        }
        var scope = ContactScope.any
        if let n = f.take("scope"), let text = reader.string(n, "scope") {
            if let value = ContactScope(rawValue: text) { scope = value } else {
                ok = false
                let names = ContactScope.allCases.map(\.rawValue).joined(separator: ", ")
                reader.fail(at: n, .invalidValue, "scope 应为 \(names)", "scope must be one of \(names)")
            }
        }
        var collectiveKinds: Set<CollectiveKind>?
        if let n = f.take("collectiveKinds") {
            if let value = decodeCollectiveKinds(n) { collectiveKinds = value } else { ok = false }
        }
        var pairingKinds: Set<Pairing.Kind>?
        if let n = f.take("pairingKinds") {
            if let value = decodePairingKinds(n) { pairingKinds = value } else { ok = false }
            // A key-student pairing links a student, not a collective, so no line could ever be "own" through it.
            if pairingKinds == [.keyStudent] {
                ok = false
                reader.fail(at: n, .invalidValue,
                            "重点联系学生的结对不涉及学生集体，不能用来判断“本人联系的集体”；谈心谈话次数用不带 scope 的 count 规则，结对本身用 pairing 规则",
                            "a key-student pairing links a student, not a collective, so it cannot make a line “own”; count the talks without scope and require the pairing with a pairing rule")
            }
        }
        let confirmedOnly = f.take("confirmedOnly").map { reader.bool($0, "confirmedOnly") } ?? false
        guard ok, let confirmedOnly else { return nil }
        return ContactFilter(kindNames: kindNames, kinds: kinds, venueNames: venueNames, venues: venues, scope: scope,
                             collectiveKinds: collectiveKinds, pairingKinds: pairingKinds, confirmedOnly: confirmedOnly)
    }

    func decodeMeasure(_ f: YAMLFields) -> ContactMeasure? {
        guard let n = f.take("measure") else { return .events }
        guard let text = reader.string(n, "measure") else { return nil }
        guard let measure = ContactMeasure(rawValue: text) else {
            let names = ContactMeasure.allCases.map(\.rawValue).joined(separator: ", ")
            reader.fail(at: n, .invalidValue, "measure 应为 \(names)", "measure must be one of \(names)")
            return nil
        }
        return measure
    }

    /// `3`, or `{ top-leader: 2, default: 1 }` (first matching role wins).
    func decodeQuantity(_ node: Node, _ context: RuleContext) -> RuleQuantity? {
        if case .mapping = node {
            guard let f = reader.mapping(node, "atLeast") else { return nil }
            var byRole: [RuleQuantity.ByRole] = []
            var fallback: Double?
            var ok = true
            for entry in f.entries {
                _ = f.take(entry.key)
                guard let value = reader.amount(entry.value, "atLeast") else { ok = false; continue }
                if entry.key == "default" {
                    fallback = value
                } else if context.roleNames.contains(entry.key) {
                    byRole.append(.init(role: entry.key, value: value))
                } else {
                    ok = false
                    unknownRole(entry.key, at: entry.keyNode, context.roleNames)
                }
            }
            return ok ? RuleQuantity(byRole: byRole, fallback: fallback) : nil
        }
        return reader.amount(node, "atLeast").map(RuleQuantity.init)
    }

    /// `includeVacations` and `includeExamWeeks` (§4.2): whether weeks (months) the calendar pauses are still
    /// required. Only weeks and months can be paused; a term or a year always includes its vacations.
    func decodePauses(_ f: YAMLFields, per: PeriodKind?) -> CalendarPauses? {
        let vacationsNode = f.take("includeVacations"), examsNode = f.take("includeExamWeeks")
        let vacations = vacationsNode.map { reader.bool($0, "includeVacations") } ?? false
        let exams = examsNode.map { reader.bool($0, "includeExamWeeks") } ?? false
        guard let vacations, let exams else { return nil }
        if let per, !per.isPausable, let node = vacationsNode ?? examsNode {
            reader.fail(at: node, .invalidValue,
                        "includeVacations、includeExamWeeks 只用于按周、月、两周、两个月、天或工作日计的规则：按学期、学年计数时假期和考试周里的联系本来就计入",
                        "includeVacations and includeExamWeeks apply to per: week, month, two-weeks, two-months, day or workday only: a term or year count already counts contacts in vacations and exam weeks")
            return nil
        }
        return CalendarPauses(includeVacations: vacations, includeExamWeeks: exams)
    }

    /// What no count of `measure` can mean: a fractional number of events or venues (hours and person-times may
    /// be fractional), or more distinct venues than the rule's venues (or the vocabulary) have.
    func checkQuantity(_ quantity: RuleQuantity?, at node: Node?, measure: ContactMeasure?, filter: ContactFilter?, _ context: RuleContext) {
        guard let quantity, let node, let measure, measure.countsWholes else { return }
        let values = [quantity.fallback].compactMap { $0 } + quantity.byRole.map(\.value)
        if values.contains(where: { $0 != $0.rounded() }) {
            reader.fail(at: node, .invalidValue, "按次数计的 atLeast 应为整数", "atLeast counts events here: it must be a whole number")
        } else if measure == .distinctVenues, let filter, let most = values.max() {
            let venues = filter.venues?.count ?? context.vocabulary.venues.count
            if most > Double(venues) {
                let within = filter.venues == nil ? "词表中" : "venues 所列"
                reader.fail(at: node, .invalidValue, "要求 \(yamlNumberText(most)) 个不同场所，但\(within)只有 \(venues) 个场所",
                            "\(yamlNumberText(most)) distinct venues are required but only \(venues) exist\(filter.venues == nil ? "" : " among the rule's venues")")
            }
        }
    }

    func decodeShare(_ node: Node) -> Double? {
        guard let value = reader.amount(node, "比例") else { return nil }
        // 0 would be met by nothing at all: a rule that asks for no share is no rule.
        guard value > 0, value <= 1 else {
            reader.fail(at: node, .invalidValue, "比例应大于 0、不超过 1（0.5 表示一半）", "a share must be above 0 and at most 1 (0.5 is half)")
            return nil
        }
        return value
    }

    func decodeCollectiveKinds(_ node: Node) -> Set<CollectiveKind>? {
        reader.enumValues(node, "学生集体类型", code: .unknownCollectiveKind, allowed: CollectiveKind.allCases.map(\.rawValue),
                          CollectiveKind.init(flexible:)).map(Set.init)
    }

    func decodePairingKinds(_ node: Node) -> Set<Pairing.Kind>? {
        reader.enumValues(node, "结对类型", code: .unknownPairingKind, allowed: Pairing.Kind.allCases.map(\.rawValue),
                          Pairing.Kind.init(rawValue:)).map(Set.init)
    }

    /// `atLeast: N`, `exactly: N` or `between: [N, M]`.
    func decodeBounds(_ f: YAMLFields, node: Node) -> (Int, Int?)? {
        let atLeast = f.take("atLeast"), exactly = f.take("exactly"), between = f.take("between")
        let given = [atLeast, exactly, between].compactMap { $0 }
        guard given.count == 1 else {
            reader.fail(at: node, .missingField, "须且只能写 atLeast、exactly、between 之一", "give exactly one of atLeast, exactly, between")
            return nil
        }
        if let atLeast { return reader.count(atLeast, "atLeast").map { ($0, nil) } }
        if let exactly { return reader.count(exactly, "exactly").map { ($0, $0) } }
        guard let between, let items = reader.sequence(between, "between"), items.count == 2 else {
            reader.fail(at: between, .invalidValue, "between 应为 [最少, 最多]", "between must be [min, max]")
            return nil
        }
        guard let low = reader.count(items[0], "between"), let high = reader.count(items[1], "between") else { return nil }
        guard low <= high else {
            reader.fail(at: between, .invalidValue, "between 的最少数大于最多数", "between: min is above max")
            return nil
        }
        return (low, high)
    }

    /// The deadline when given and valid; nil when absent, or invalid (then reported).
    /// `terms` picks, from each academic year of the calendar (when the policy is checked with one), the terms the
    /// deadline is reckoned from: a deadline that falls before its year starts can never be met in that year.
    func decodeDeadline(_ node: Node, _ context: RuleContext, terms: (AcademicYear) -> ArraySlice<Term>) -> DeadlineSpec? {
        guard let text = reader.string(node, "deadline") else { return nil }
        let spec: DeadlineSpec
        do {
            spec = try DeadlineSpec(parsing: text)
        } catch {
            reader.fail(at: node, .badDeadline, "截止规则有误：\(error.message.zh)", "bad deadline: \(error.message.en)")
            return nil
        }
        for year in context.years {
            for term in terms(year) {
                // A term without the anchor's special week is the engine's to report, cell by cell.
                guard let day = try? spec.resolve(term: term, calendar: .prc), day < year.range.start else { continue }
                reader.fail(at: node, .badDeadline,
                            "截止日期落在学年开始之前：\(term.name)按「\(text)」为 \(day.iso)，而 \(year.name) 学年 \(year.range.start.iso) 才开始",
                            "the deadline falls before its academic year starts: “\(text)” is \(day.iso) for \(term.id), but \(year.id) starts on \(year.range.start.iso)")
                return nil
            }
        }
        return spec
    }
}
