import Foundation

/// Who a role is, as a test over a cadre: rank, posts, unit kind, tags, party membership,
/// combined with `all` / `any` / `not` and references to other roles. “分管学生工作的院领导”
/// is `{ unitKind: [college], posts: [分管学生工作副书记] }`, not code.
public indirect enum RoleSelector: Sendable, Hashable {
    case everyone
    /// Another role of the same policy, by name.
    case role(String)
    case all([RoleSelector])
    case any([RoleSelector])
    case not(RoleSelector)
    case match(CadreCriteria)

    /// `unitKind` is the kind of the cadre's unit (nil when the unit is unknown);
    /// `roles` resolves `.role` references (the loader has already rejected unknown names and cycles).
    ///
    /// Staff (rank `staff`: 辅导员, 班主任 …) are not 领导干部, so a role binds them only when it **names**
    /// them: some part of it that they satisfy, outside a `not`, says `rank: [staff]` (or `rankAtLeast: staff`)
    /// or lists posts exactly (`posts: [辅导员]`). `everyone`, `unitKind`, `tags`, `postContains` … alone
    /// never reach staff, so importing counsellors changes no verdict of a plan written for cadres.
    public func matches(_ cadre: Cadre, unitKind: UnitKind?, roles: [String: RoleSelector]) -> Bool {
        cadre.isCadre ? holds(cadre, unitKind, roles) : names(cadre, unitKind, roles)
    }

    /// The test itself, whatever the rank.
    private func holds(_ cadre: Cadre, _ unitKind: UnitKind?, _ roles: [String: RoleSelector]) -> Bool {
        switch self {
        case .everyone: true
        case .role(let name): roles[name]?.holds(cadre, unitKind, roles) ?? false
        case .all(let parts): parts.allSatisfy { $0.holds(cadre, unitKind, roles) }
        case .any(let parts): parts.contains { $0.holds(cadre, unitKind, roles) }
        case .not(let inner): !inner.holds(cadre, unitKind, roles)
        case .match(let criteria): criteria.matches(cadre, unitKind: unitKind)
        }
    }

    /// The test holds and a part of it that holds names staff.
    private func names(_ cadre: Cadre, _ unitKind: UnitKind?, _ roles: [String: RoleSelector]) -> Bool {
        switch self {
        case .everyone, .not: false
        case .role(let name): roles[name]?.names(cadre, unitKind, roles) ?? false
        case .all(let parts): holds(cadre, unitKind, roles) && parts.contains { $0.names(cadre, unitKind, roles) }
        case .any(let parts): parts.contains { $0.names(cadre, unitKind, roles) }
        case .match(let criteria): criteria.namesStaff && criteria.matches(cadre, unitKind: unitKind)
        }
    }

    /// Role names this selector refers to, directly.
    var references: [String] {
        switch self {
        case .everyone, .match: []
        case .role(let name): [name]
        case .all(let parts), .any(let parts): parts.flatMap(\.references)
        case .not(let inner): inner.references
        }
    }
}

/// Conditions on one cadre; every condition given must hold. Lists mean “any of these”.
public struct CadreCriteria: Sendable, Hashable {
    public var ranks: Set<Rank>?
    /// This rank or a more senior one (“正处级以上” = `director`).
    public var rankAtLeast: Rank?
    /// Holds one of these posts exactly.
    public var posts: Set<String>?
    /// Holds a post containing one of these words (`副校长` matches `常务副校长`).
    public var postContains: [String]?
    public var unitKinds: Set<UnitKind>?
    public var units: Set<String>?
    /// Carries one of these tags.
    public var tags: Set<String>?
    public var partyMember: Bool?

    public init(ranks: Set<Rank>? = nil, rankAtLeast: Rank? = nil, posts: Set<String>? = nil, postContains: [String]? = nil,
                unitKinds: Set<UnitKind>? = nil, units: Set<String>? = nil, tags: Set<String>? = nil, partyMember: Bool? = nil) {
        self.ranks = ranks
        self.rankAtLeast = rankAtLeast
        self.posts = posts
        self.postContains = postContains
        self.unitKinds = unitKinds
        self.units = units
        self.tags = tags
        self.partyMember = partyMember
    }

    /// Whether these conditions pick staff out by name: their rank (`rank: [staff]`, `rankAtLeast: staff`) or exact posts.
    public var namesStaff: Bool { ranks?.contains(.staff) == true || rankAtLeast == .staff || posts != nil }

    public func matches(_ cadre: Cadre, unitKind: UnitKind?) -> Bool {
        if let ranks, !ranks.contains(cadre.rank) { return false }
        if let rankAtLeast, cadre.rank < rankAtLeast { return false }
        if let posts, !cadre.posts.contains(where: posts.contains) { return false }
        if let postContains, !cadre.posts.contains(where: { post in postContains.contains { post.contains($0) } }) { return false }
        if let unitKinds {
            guard let unitKind, unitKinds.contains(unitKind) else { return false }
        }
        if let units, !units.contains(cadre.unitCode) { return false }
        if let tags, !cadre.tags.contains(where: tags.contains) { return false }
        if let partyMember, cadre.partyMember != partyMember { return false }
        return true
    }
}

/// Which units a unit obligation falls on.
public struct UnitSelector: Sendable, Hashable {
    public var kinds: Set<UnitKind>?
    public var codes: Set<String>?

    public init(kinds: Set<UnitKind>? = nil, codes: Set<String>? = nil) {
        self.kinds = kinds
        self.codes = codes
    }

    public func matches(_ unit: Unit) -> Bool {
        if let kinds, !kinds.contains(unit.kind) { return false }
        if let codes, !codes.contains(unit.code) { return false }
        return true
    }
}
