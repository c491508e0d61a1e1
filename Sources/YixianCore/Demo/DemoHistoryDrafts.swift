import Foundation

/// What one ledger line looks like for each kind: which students it involves, when in the day it
/// happens, how many come, and where.
extension DemoHistoryBuilder {
    /// Whom a kind of contact is with, when nothing in the rule says otherwise.
    enum CollectiveNeed: Equatable {
        /// No collective (a canteen, a mailbox).
        case none
        /// A college rather than one collective (调研, 听取汇报, meetings).
        case college
        /// One of the cadre's own collectives, whatever its kind.
        case own
        case kinds([CollectiveKind])
    }

    static let collectiveNeeds: [String: CollectiveNeed] = [
        "ideological-lecture": .kinds([.class]), "policy-lecture": .kinds([.class]), "first-lesson": .kinds([.class]),
        "party-lecture": .kinds([.partyBranch]), "special-report": .kinds([.partyBranch, .studentUnion, .graduateUnion]),
        "class-observation": .kinds([.class]), "dorm-visit": .kinds([.dorm]), "canteen-visit": .none,
        "face-to-face": .own, "heart-to-heart": .own, "class-meeting": .kinds([.class]),
        "party-league-day": .kinds([.partyBranch, .leagueBranch]), "second-classroom": .kinds([.club, .studentUnion, .graduateUnion]),
        "student-forum": .kinds([.studentUnion, .graduateUnion]), "reception-day": .none, "survey": .college,
        "hardship-visit": .kinds([.dorm]), "social-practice": .kinds([.class, .leagueBranch, .club]), "online": .own,
        "mailbox-review": .none, "analysis-meeting": .college, "student-work-meeting": .college, "report-hearing": .college,
        "report-to-committee": .none,
    ]

    /// How often a kind is chosen when a rule accepts several.
    static let kindWeights: [String: Int] = [
        "face-to-face": 30, "heart-to-heart": 14, "dorm-visit": 14, "class-meeting": 10, "canteen-visit": 8,
        "class-observation": 8, "party-league-day": 6, "second-classroom": 5, "survey": 3, "social-practice": 2, "online": 3,
        "ideological-lecture": 6, "policy-lecture": 6, "party-lecture": 5, "special-report": 3, "student-forum": 2,
        "analysis-meeting": 3, "student-work-meeting": 3,
    ]

    /// Half-day blocks that make up a time share: duty at the student service hall, fieldwork.
    static let blockWeights: [String: Int] = [
        "face-to-face": 60, "survey": 15, "second-classroom": 10, "class-meeting": 8, "social-practice": 7,
    ]

    func need(of kind: String) -> CollectiveNeed {
        DemoHistoryBuilder.collectiveNeeds[kind] ?? (policy.vocabulary.kind(kind)?.inPerson == true ? .own : .none)
    }

    /// A line that counts for `filter`, or nil when the cadre cannot make one (no suitable pairing).
    /// `venue`: the venue it must reach (七进); `block`: 0 or 1 for a morning or afternoon block.
    mutating func makeDraft(_ cadre: Int, filter: ContactFilter, measure: ContactMeasure, day: Int, venue wanted: String?,
                            links: Links, block: Int? = nil) -> DemoHistoryDraft? {
        var options: [((String, String?), Int)] = []
        for code in filter.kinds.sorted() {
            guard let kind = policy.vocabulary.kind(code) else { continue }
            var explicitVenue: String?
            if let wanted {
                if kind.defaultVenue == wanted {
                    explicitVenue = nil
                } else if kind.defaultVenue == nil && kind.inPerson && wanted != "online" {
                    explicitVenue = wanted
                } else { continue }
            } else if let venues = filter.venues {
                if let v = kind.defaultVenue, venues.contains(v) {
                    explicitVenue = nil
                } else if kind.defaultVenue == nil, let v = venues.sorted().first {
                    explicitVenue = v
                } else { continue }
            }
            var weight = (block == nil ? DemoHistoryBuilder.kindWeights[code] : DemoHistoryBuilder.blockWeights[code]) ?? 1
            if block != nil && !kind.inPerson { continue }
            if let wantedKinds = filter.collectiveKinds, case .kinds(let natural) = need(of: code),
               !wantedKinds.isDisjoint(with: natural) {
                weight *= 10
            }
            options.append(((code, explicitVenue), weight))
        }
        guard !options.isEmpty else { return nil }
        let (kind, venue) = DemoWeightedTable(options).pick(&random)
        return makeDraft(cadre, kind: kind, filter: filter, day: day, venue: venue, links: links, block: block)
    }

    /// A line of a given kind; the filter, when given, decides whose collectives it must involve.
    mutating func makeDraft(_ cadre: Int, kind: String, filter: ContactFilter?, day: Int, venue: String?, links: Links,
                            block: Int? = nil) -> DemoHistoryDraft? {
        guard let (collectives, college) = chooseCollectives(kind, filter: filter, cadre: cadre, links: links) else { return nil }
        let (start, minutes) = timeSlot(kind, block: block)
        let inPerson = policy.vocabulary.kind(kind)?.inPerson ?? false
        let count = participants(kind, collectives: collectives, inPerson: inPerson, block: block != nil)
        var confirmed = 0
        // Students confirm most of a diligent cadre's visits and fewer of the others', so the
        // "no student confirmation" flag points at the same cadres the compliance pages do.
        let confirmationRate = switch diligence[cadre] { case .diligent: 0.97; case .partial: 0.7; case .behind: 0.3 }
        if count > 0, filter?.confirmedOnly == true || (inPerson && random.chance(confirmationRate)) {
            confirmed = 1 + random.int(below: min(5, count))
        }
        return DemoHistoryDraft(cadre: cadre, day: day, startMinute: start, minutes: minutes, kind: kind, venue: venue,
                                collectives: collectives, college: college, participants: count, confirmed: confirmed,
                                place: place(kind, collectives: collectives, college: college, venue: venue, block: block != nil))
    }

    private mutating func chooseCollectives(_ kind: String, filter: ContactFilter?, cadre: Int, links: Links) -> ([Int], String?)? {
        let need = need(of: kind)
        let wantedKinds = filter?.collectiveKinds
        var natural: [CollectiveKind]?
        if case .kinds(let kinds) = need { natural = kinds }
        let ownCollectives = links.own.map(\.collective)
        func kindOf(_ i: Int) -> CollectiveKind { demo.collectives[i].kind }
        func collectives(of kinds: [CollectiveKind], in unit: String) -> [Int] {
            kinds.flatMap { collectivesByUnitKind[unit + "|" + $0.rawValue] ?? [] }
        }

        switch filter?.scope ?? .any {
        case .ownCollectives:
            let pairingKinds = filter?.pairingKinds ?? [.linked, .honoraryClassHead]
            var pool = links.own.filter { pairingKinds.contains($0.kind) }.map(\.collective)
            if let wantedKinds { pool = pool.filter { wantedKinds.contains(kindOf($0)) } }
            guard !pool.isEmpty else { return nil }
            let preferred = natural.map { kinds in pool.filter { kinds.contains(kindOf($0)) } } ?? []
            return ([random.element(of: preferred.isEmpty ? pool : preferred)], nil)

        case .linkedCollege:
            guard !links.collegeList.isEmpty else { return nil }
            let colleges = links.collegeList.filter(collegeCodes.contains)
            let college = colleges.isEmpty ? links.collegeList[0] : random.chance(0.8) ? colleges[0] : random.element(of: colleges)
            if let kinds = wantedKinds.map(Array.init) ?? natural {
                let own = ownCollectives.filter { demo.collectives[$0].unitCode == college && kinds.contains(kindOf($0)) }
                let pool = own.isEmpty ? collectives(of: kinds, in: college) : own
                if pool.isEmpty { return wantedKinds == nil ? ([], college) : nil }
                return ([random.element(of: pool)], college)
            }
            let own = ownCollectives.filter { demo.collectives[$0].unitCode == college }
            return (need == .own && !own.isEmpty ? [random.element(of: own)] : [], college)

        case .any:
            if let kinds = wantedKinds.map(Array.init) ?? natural {
                let own = ownCollectives.filter { kinds.contains(kindOf($0)) }
                if !own.isEmpty && (wantedKinds != nil || random.chance(0.75)) { return ([random.element(of: own)], nil) }
                let local = links.collegeList.flatMap { collectives(of: kinds, in: $0) }
                let pool = local.isEmpty ? kinds.flatMap { collectivesByKind[$0] ?? [] } : local
                if pool.isEmpty { return wantedKinds == nil ? ([], nil) : nil }
                return ([random.element(of: pool)], nil)
            }
            switch need {
            case .own: return (ownCollectives.isEmpty ? [] : [random.element(of: ownCollectives)], nil)
            case .college: return ([], links.collegeList.first ?? (collegeCodes.contains(demo.cadres[cadre].unitCode) ? demo.cadres[cadre].unitCode : nil))
            case .none, .kinds: return ([], nil)
            }
        }
    }

    // MARK: Time, head count, place

    /// Start (minutes after midnight) and length: lectures in class periods, dorm visits and class
    /// meetings mostly in the evening, canteens at meal times, meetings in office hours.
    private mutating func timeSlot(_ kind: String, block: Int?) -> (Int, Int) {
        func pick(_ options: [(Int, Int)]) -> (Int, Int) { random.element(of: options) }
        func between(_ low: Int, _ high: Int, step: Int = 10) -> Int { low + random.int(below: (high - low) / step + 1) * step }
        if let block {
            return (block == 0 ? between(8 * 60, 8 * 60 + 30) : between(14 * 60, 14 * 60 + 30), between(210, 240))
        }
        switch kind {
        case "ideological-lecture", "policy-lecture", "first-lesson":
            return pick([(8 * 60, 95), (10 * 60 + 10, 95), (14 * 60 + 30, 95), (16 * 60 + 20, 95), (19 * 60, 95)])
        case "class-observation":
            return pick([(8 * 60, 95), (10 * 60 + 10, 95), (14 * 60 + 30, 95), (16 * 60 + 20, 95)])
        case "party-lecture", "special-report":
            return pick([(14 * 60 + 30, 120), (19 * 60, 100)])
        case "dorm-visit", "hardship-visit":
            return random.chance(0.7) ? (between(19 * 60 + 30, 20 * 60 + 30), between(50, 90)) : (between(15 * 60, 16 * 60 + 30), between(40, 70))
        case "canteen-visit":
            return (random.chance(0.6) ? between(11 * 60 + 30, 12 * 60) : between(17 * 60 + 10, 17 * 60 + 40), between(40, 60))
        case "heart-to-heart":
            let start = random.element(of: [between(9 * 60, 11 * 60), between(14 * 60 + 30, 17 * 60), between(19 * 60, 20 * 60 + 30)])
            return (start, between(30, 60))
        case "class-meeting", "party-league-day", "second-classroom", "social-practice":
            return random.chance(0.6) ? (between(19 * 60, 19 * 60 + 30), between(80, 120)) : (between(14 * 60 + 30, 16 * 60), between(90, 120))
        case "student-forum", "reception-day", "survey", "analysis-meeting", "student-work-meeting", "report-hearing", "report-to-committee":
            return (random.chance(0.5) ? between(8 * 60 + 30, 9 * 60 + 30) : between(14 * 60 + 30, 15 * 60 + 30), between(90, 180))
        case "online":
            return (between(20 * 60, 21 * 60 + 30), between(30, 60))
        case "mailbox-review":
            return (between(8 * 60 + 30, 17 * 60), between(20, 40))
        default:
            return pick([(between(9 * 60 + 40, 10 * 60 + 20), 60), (between(12 * 60, 12 * 60 + 20), 40),
                         (between(16 * 60, 16 * 60 + 30), 60), (between(19 * 60 + 20, 20 * 60), 60)])
        }
    }

    private mutating func participants(_ kind: String, collectives: [Int], inPerson: Bool, block: Bool) -> Int {
        let size = collectives.first.map { demo.collectives[$0].size } ?? 0
        func range(_ low: Int, _ high: Int) -> Int { low + random.int(below: high - low + 1) }
        func share(_ low: Double, _ high: Double, otherwise: (Int, Int)) -> Int {
            size > 0 ? max(1, Int((Double(size) * (low + (high - low) * random.unit())).rounded())) : range(otherwise.0, otherwise.1)
        }
        let count: Int
        if block { count = range(6, 25) } else {
            switch kind {
            case "ideological-lecture", "policy-lecture", "first-lesson": count = share(0.85, 1.0, otherwise: (60, 180))
            case "party-lecture", "special-report": count = share(0.7, 0.95, otherwise: (30, 120))
            case "class-observation": count = share(0.8, 1.0, otherwise: (40, 90))
            case "class-meeting": count = share(0.75, 0.95, otherwise: (25, 50))
            case "party-league-day": count = share(0.7, 0.95, otherwise: (12, 30))
            case "dorm-visit": count = range(6, 24)
            case "canteen-visit": count = range(5, 20)
            case "heart-to-heart": count = random.chance(0.7) ? 1 : range(2, 3)
            case "second-classroom": count = range(20, 80)
            case "student-forum", "survey": count = range(10, 30)
            case "reception-day": count = range(3, 12)
            case "hardship-visit": count = range(1, 2)
            case "social-practice": count = range(15, 40)
            case "online": count = range(5, 40)
            case "mailbox-review", "analysis-meeting", "student-work-meeting", "report-hearing", "report-to-committee": count = 0
            default: count = inPerson ? range(3, 15) : 0
            }
        }
        return size > 0 ? min(count, size) : count
    }

    static let teachingBuildings = ["第一教学楼", "第二教学楼", "第三教学楼", "逸夫楼", "综合教学楼"]
    static let canteens = ["第一食堂", "第二食堂", "第三食堂", "清真餐厅", "风味餐厅", "西苑餐厅"]

    private mutating func place(_ kind: String, collectives: [Int], college: String?, venue: String?, block: Bool) -> String {
        let collective = collectives.first.map { demo.collectives[$0] }
        let unitName = (collective?.unitCode ?? college).flatMap { unitByCode[$0]?.name }
        func room() -> String {
            random.element(of: DemoHistoryBuilder.teachingBuildings) + String(1 + random.int(below: 5)) + demoPadded(1 + random.int(below: 20), width: 2)
        }
        if block { return random.element(of: ["学生事务服务中心（值班接待）", "一站式学生社区服务站", unitName.map { $0 + "学生工作办公室" } ?? "学生工作部"]) }
        if venue == "online" { return random.element(of: ["班级微信群", "腾讯会议", "企业微信"]) }
        switch kind {
        case "ideological-lecture", "policy-lecture", "first-lesson", "class-observation", "class-meeting": return room()
        case "party-lecture", "special-report", "party-league-day": return (unitName ?? "学校") + "党员活动室"
        case "dorm-visit", "hardship-visit": return collective?.kind == .dorm ? collective!.name : "学生公寓"
        case "canteen-visit": return random.element(of: DemoHistoryBuilder.canteens)
        case "heart-to-heart": return random.element(of: ["办公室", "谈心谈话室", "学生事务服务中心"])
        case "second-classroom": return "大学生活动中心"
        case "student-forum": return "行政楼第三会议室"
        case "reception-day": return "校领导接待室"
        case "survey", "report-hearing", "analysis-meeting", "student-work-meeting": return (unitName ?? "行政楼") + "会议室"
        case "social-practice": return random.element(of: ["校外实践基地", "社区服务站", "爱国主义教育基地"])
        case "online": return random.element(of: ["班级微信群", "腾讯会议", "企业微信"])
        case "mailbox-review": return random.element(of: ["校长信箱", "阳光服务平台"])
        default: return collective?.name ?? random.element(of: ["图书馆", "大学生活动中心", "田径场", "学生事务服务中心"])
        }
    }
}
