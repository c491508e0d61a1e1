import Foundation

/// One of the policy's pairing rules as it binds one cadre: “needs at least N collectives of these kinds”.
public struct PairingRequirement: Hashable, Sendable {
    public var ruleID: String
    /// The rule's short title, or its id when it has none.
    public var title: String
    public var severity: PolicyRule.Severity
    /// nil: any collective (or, for key-student rules, no collective at all).
    public var collectiveKinds: Set<CollectiveKind>?
    public var pairingKinds: Set<Pairing.Kind>
    public var minimum: Int
    public var maximum: Int?

    public init(ruleID: String, title: String, severity: PolicyRule.Severity = .required, collectiveKinds: Set<CollectiveKind>?,
                pairingKinds: Set<Pairing.Kind> = [.linked, .honoraryClassHead], minimum: Int, maximum: Int? = nil) {
        self.ruleID = ruleID
        self.title = title
        self.severity = severity
        self.collectiveKinds = collectiveKinds
        self.pairingKinds = pairingKinds
        self.minimum = minimum
        self.maximum = maximum
    }

    /// Key-student rules are met by a student, not a collective, so matching leaves them to people.
    public var needsCollective: Bool { !pairingKinds.isDisjoint(with: [.linked, .honoraryClassHead]) }

    /// The same test the compliance engine applies to a pairing.
    public func counts(_ pairing: Pairing, collectiveKind: CollectiveKind?) -> Bool {
        // A college link (§4.18) is no collective nor key student: the coverage page and matching never count it.
        guard pairingKinds.contains(pairing.kind), pairing.collegeCode == nil else { return false }
        guard let collectiveKinds else { return true }
        return collectiveKind.map(collectiveKinds.contains) ?? false
    }

    /// “1 个学生党支部” / “1 party branch”.
    public func need(_ count: Int) -> Localized {
        if pairingKinds == [.keyStudent] {
            return Localized(zh: "\(count) 名重点联系学生", en: "\(count) key student\(count == 1 ? "" : "s")")
        }
        let kinds = PairingRequirement.describe(collectiveKinds)
        let role = pairingKinds.contains(.linked) ? "" : "（名誉班主任）"
        let roleEN = pairingKinds.contains(.linked) ? "" : " (as honorary class head)"
        return Localized(zh: "\(count) 个\(kinds.zh)\(role)", en: "\(count) \(kinds.en)\(roleEN)")
    }

    /// “needs 1 party branch, has 0”.
    public func gapMessage(has: Int) -> Localized {
        let need = need(minimum)
        return Localized(zh: "需联系 \(need.zh)，现有 \(has) 个", en: "needs \(need.en), has \(has)")
    }

    static func describe(_ kinds: Set<CollectiveKind>?) -> Localized {
        guard let kinds else { return Localized(zh: "学生集体", en: "collective") }
        let sorted = CollectiveKind.allCases.filter(kinds.contains)
        return Localized(zh: sorted.map(\.label.zh).joined(separator: "或"),
                         en: sorted.map { $0.label.en.lowercased() }.joined(separator: " or "))
    }
}

public enum PairingRequirements {
    /// Pairing requirements per staff number: each active cadre's pairing rules whose role selects them.
    /// Cadres bound by no pairing rule are absent.
    public static func derive(policy: Policy, cadres: [Cadre], units: [Unit]) -> [String: [PairingRequirement]] {
        let unitKinds = Dictionary(units.map { ($0.code, $0.kind) }, uniquingKeysWith: { first, _ in first })
        let roles = policy.roleSelectors
        let rules: [(RoleSelector, PairingRequirement)] = policy.rules.compactMap { rule in
            guard case .cadres(let selector) = rule.subject, case .pairing(let body) = rule.body, !body.countsColleges else { return nil }
            return (selector, PairingRequirement(ruleID: rule.id, title: rule.title ?? rule.id, severity: rule.severity,
                                                 collectiveKinds: body.collectiveKinds, pairingKinds: body.pairingKinds,
                                                 minimum: body.minimum, maximum: body.maximum))
        }
        var result: [String: [PairingRequirement]] = [:]
        for cadre in cadres where cadre.active {
            let mine = rules.filter { $0.0.matches(cadre, unitKind: unitKinds[cadre.unitCode], roles: roles) }.map(\.1)
            if !mine.isEmpty { result[cadre.staffNumber] = mine }
        }
        return result
    }

    /// The collective kinds the policy wants covered (its coverage rules), or classes when it has none.
    public static func coverageKinds(in policy: Policy) -> Set<CollectiveKind> {
        let kinds = policy.rules.reduce(into: Set<CollectiveKind>()) { kinds, rule in
            if case .coverage(let body) = rule.body { kinds.formUnion(body.collectiveKinds) }
        }
        return kinds.isEmpty ? [.class] : kinds
    }
}
