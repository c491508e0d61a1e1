import Foundation

/// Policy rules in plain Chinese, for `yixian policy explain` and the policy pages.
public enum PolicyExplainer {
    public static func describe(_ policy: Policy) -> String {
        var lines: [String] = ["《\(policy.title)》" + (policy.document.map { "（\($0)）" } ?? "")]
        if let issuer = policy.issuer { lines.append("发布：\(issuer)" + (policy.issuedOn.map { "，\($0.chinese)" } ?? "")) }
        lines.append("")
        lines.append("角色：")
        for role in policy.roles {
            lines.append("  · \(role.label ?? role.name)〔\(role.name)〕：\(describe(role.selector, policy))")
        }
        lines.append("")
        lines.append("规则：")
        for (index, rule) in policy.rules.enumerated() {
            let advisory = rule.severity == .advisory ? "〔倡导，不计入考核〕" : ""
            lines.append("\(index + 1). \(rule.title ?? rule.id)〔\(rule.id)〕\(advisory)")
            lines.append("   \(describe(rule, policy))")
            if let source = rule.source { lines.append("   依据：“\(source)”") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func describe(_ rule: PolicyRule, _ policy: Policy) -> String {
        let who: String
        switch rule.subject {
        case .cadres(let selector): who = describe(selector, policy)
        case .units(let selector): who = describe(selector)
        case .school: who = "学校"
        }
        if let group = rule.group { return describe(group, policy) + "：\(describe(rule.body, policy))。" }
        return "\(who)：\(describe(rule.body, policy))。"
    }

    static func describe(_ body: RuleBody, _ policy: Policy) -> String {
        switch body {
        case .count(let rule):
            let most = rule.atMost.map { "\(yamlNumberText($0)) \(unit(rule.measure))" }
            let bound: String
            if let most, rule.onlyUpperBound {
                bound = "至多 \(most)"
            } else if let most {
                bound = "至少 \(quantity(rule.atLeast, policy, unit: unit(rule.measure)))、至多 \(most)"
            } else {
                bound = "至少 \(quantity(rule.atLeast, policy, unit: unit(rule.measure)))"
            }
            var text = "\(per(rule.per))\(bound)\(what(rule.filter, policy, measure: rule.measure))"
            if let slot = rule.slot {
                text = "固定时段：\(slot.description.zh)，每次\(bound)\(what(rule.filter, policy, measure: rule.measure))（只计当天该时段内的记录，每次单独判定）"
            }
            if let maxParticipants = rule.maxParticipants {
                text += "，每次参加不超过 \(maxParticipants) 人（人数更多的记录不计入本条）"
            }
            if rule.perKeyStudent {
                text += "，对每名重点联系学生分别计（按精准帮扶中为该生记录的谈心谈话和帮扶，每名学生单独判定）"
            }
            if most != nil {
                text += "，超过上限即判未完成（即使本期尚未结束）"
            }
            if rule.measure == .classPeriods {
                text += "（每条记录按时长折合整课时，一课时 \(rule.periodMinutes) 分钟，不足一课时的部分不计）"
            }
            if let within = rule.distinctParticipantsWithin {
                text += "，同一学生\(within == .term ? "一学期" : "一学年")内不重复（参加学生此前已与本人见过面、或未登记学号的记录不计入本条）"
            }
            if let deadline = rule.deadline { text += "，截止：\(describe(deadline))" }
            if let after = rule.after {
                let unit = after.unit == .workdays ? "个工作日" : "日"
                text = "每次记录\(kindNames(after.kindNames, policy))后 \(after.days) \(unit)内（含当日）\(bound)\(what(rule.filter, policy, measure: rule.measure))（每次单独判定）"
            }
            if rule.slot == nil && rule.after == nil { text += periods(rule.per) }
            if rule.per.isPausable { text += describe(rule.pauses, per: rule.per) }
            return text
        case .every(let rule):
            let share = rule.share >= 1 ? "每一\(rule.per.label.zh)" : "至少 \(yamlNumberText(rule.share * 100))% 的\(rule.per.label.zh)"
            return "\(share)都要至少 \(quantity(rule.atLeast, policy, unit: unit(rule.measure)))\(what(rule.filter, policy, measure: rule.measure))"
                + "；按\(rule.within.label.zh)统计“达标\(rule.per.label.zh)数 / 已过\(rule.per.label.zh)数”（只计已结束的\(rule.per.label.zh)）"
                + describe(rule.pauses, per: rule.per)
        case .pairing(let rule):
            // `target: college` (§4.18): colleges linked directly; for a unit, the distinct colleges its people link.
            let kinds = rule.countsColleges ? "院（系）" : rule.collectiveKinds.map(collectiveNames) ?? "对象"
            let bound: String
            if let maximum = rule.maximum {
                bound = maximum == rule.minimum ? "恰好 \(maximum) 个" : "\(rule.minimum) 至 \(maximum) 个"
            } else { bound = "至少 \(rule.minimum) 个" }
            var text = "本学年联系\(kinds)\(bound)（结对类型：\(pairingNames(rule.pairingKinds))）"
            if let deadline = rule.deadline { text += "，截止：第一学期\(describe(deadline))" }
            return text
        case .coverage(let rule):
            // §4.19: from the ledger per period, and/or a share of the collectives (rounded up).
            let which = rule.share < 1 ? "至少 \(yamlNumberText(rule.share * 100))% 的\(collectiveNames(rule.collectiveKinds))（向上取整）"
                                       : "每个\(collectiveNames(rule.collectiveKinds))"
            if let contacts = rule.contacts {
                return "\(per(contacts.per))本单位\(which)都要有联系记录到达（至少 \(rule.atLeast) 次，由谁走访都算；计入：\(kindNames(contacts.filter, policy))）"
            }
            var text = "\(which)都至少有 \(rule.atLeast) 名干部联系（结对类型：\(pairingNames(rule.pairingKinds))）"
            if let deadline = rule.deadline { text += "，截止：第一学期\(describe(deadline))" }
            return text
        case .timeShare(let rule):
            return "\(per(rule.per))直接联系学生的时间不少于工作时间的 \(yamlNumberText(rule.atLeast * 100))%"
                + "（按每个工作日 \(yamlNumberText(rule.hoursPerWorkday)) 小时计；计入：\(kindNames(rule.filter, policy))）"
        case .filing(let rule):
            let kind = policy.filingKinds.first { $0.code == rule.kind }
            let label = kind?.label.zh ?? rule.kind
            // A meeting record is held, and belongs to the week or month it was held in (§4.16).
            var text = kind?.meeting == true ? "\(per(rule.per))至少召开 \(rule.atLeast) 次「\(label)」（以会议记录为准）"
                : "\(per(rule.per))至少 \(rule.atLeast) 次「\(label)」"
            if rule.per == .week || rule.per == .month {
                text += "（未写明所属\(rule.per.label.zh)的，按报送或召开日期计入所在\(rule.per.label.zh)）"
            }
            if let deadline = rule.deadline {
                let term = rule.per == .academicYear ? "第\(rule.term ?? 1)学期" : ""
                text += "，截止：\(term)\(describe(deadline))"
            } else {
                text += "，在\(rule.per.label.zh)结束前完成"
            }
            if let after = rule.after {
                text = "每次记录\(kindNames(after.kindNames, policy))后 \(after.days) \(after.unit == .workdays ? "个工作日" : "日")内（含当日）报送「\(label)」至少 \(rule.atLeast) 次（每次单独判定）"
            }
            return text
        case .response(let rule):
            let ruleUnit = rule.workdays ? "个工作日（节假日顺延，调休上班日计入）" : "天"
            // A tier's own unit (§4.17); the short name where it is said a second time.
            func unitName(_ unit: ResponseRule.Unit?, short: Bool = false) -> String {
                switch unit {
                case nil: short ? (rule.workdays ? "个工作日" : "天") : ruleUnit
                case .hours: "小时"
                case .workdays: "个工作日"
                case .days: "个自然日"
                }
            }
            let tiers = rule.tiers.map { tier in
                let name = tier.label ?? tier.name
                guard tier.needsAnswer else { return "\(name)：无需答复（只登记，不计时限）" }
                let unit = unitName(tier.unit)
                let first = tier.firstResponse.map { "首次响应 \($0) " + unit + "内，" } ?? ""
                var text = "\(name)：\(first)答复 \(tier.answer) \(unit)内"
                if let stage = tier.escalation {
                    let short = unitName(tier.unit, short: true)
                    text += "，逾期 \(stage.after) \(short)仍未答复即督办，督办后 \(stage.answer) \(short)内答复"
                }
                return text
            }
            let hours = rule.tiers.contains { $0.unit == .hours } ? "（按小时计的一档自收到时刻起计）" : ""
            return "学生诉求自收到次日起计\(hours)：" + tiers.joined(separator: "；")
        }
    }

    /// “校党委书记和校长中任一人”, “校领导班子成员按工号顺序轮流（每期一人）”, “各单位的学院领导合计”.
    static func describe(_ group: GroupQuota, _ policy: Policy) -> String {
        let names = group.roles.map { policy.role($0)?.label ?? $0 }.joined(separator: "、")
        let scope = group.by == .unit ? "每个单位的" : "全校"
        switch group.quota {
        case .either: return "\(scope)\(names)中任一人（一人达到即完成，按\(group.by == .unit ? "单位" : "全校")每期一格）"
        case .total: return "\(scope)\(names)合计（成员的记录相加，按\(group.by == .unit ? "单位" : "全校")每期一格）"
        case .rota:
            let order = group.order.isEmpty ? "按工号顺序" : "按 \(group.order.joined(separator: "、")) 的顺序（其余成员按工号排在后面）"
            return "\(scope)\(names)\(order)轮流，每期由一人值守，第 k 期由第 k 人（循环）完成"
        }
    }

    static func describe(_ selector: RoleSelector, _ policy: Policy) -> String {
        switch selector {
        case .everyone: return "全体干部"
        case .role(let name): return policy.role(name)?.label ?? name
        case .all(let parts): return parts.map { nested($0, policy) }.joined(separator: "，且")
        case .any(let parts): return parts.map { nested($0, policy) }.joined(separator: "；或")
        case .not(let inner): return "不属于（\(describe(inner, policy))）"
        case .match(let c):
            var parts: [String] = []
            if let ranks = c.ranks { parts.append("级别为\(either(Rank.allCases.filter(ranks.contains).map(\.label.zh)))") }
            if let rank = c.rankAtLeast { parts.append("\(rank.label.zh)及以上") }
            if let posts = c.posts { parts.append("担任\(either(posts.sorted()))") }
            if let words = c.postContains { parts.append("职务含“\(words.joined(separator: "”或“"))”") }
            if let kinds = c.unitKinds { parts.append("所在单位为\(either(UnitKind.allCases.filter(kinds.contains).map(\.label.zh)))") }
            if let units = c.units { parts.append("所在单位代码为\(either(units.sorted()))") }
            // Tags read by their names (分管学生工作, not student-work), the code kept for the policy's author.
            if let tags = c.tags { parts.append("带有标签" + tags.sorted().map { "“\(CadreTag.label($0).zh)”" + (CadreTag.labels[$0] == nil ? "" : "（\($0)）") }.joined(separator: "或")) }
            if let party = c.partyMember { parts.append(party ? "中共党员" : "非中共党员") }
            return parts.joined(separator: "，")
        }
    }

    /// Combinations inside combinations get brackets so “且” and “或” cannot be misread.
    private static func nested(_ selector: RoleSelector, _ policy: Policy) -> String {
        let text = describe(selector, policy)
        switch selector {
        case .all, .any: return "（\(text)）"
        case .match(let c) where [c.ranks != nil, c.rankAtLeast != nil, c.posts != nil, c.postContains != nil, c.unitKinds != nil,
                                  c.units != nil, c.tags != nil, c.partyMember != nil].filter({ $0 }).count > 1:
            return "（\(text)）"
        default: return text
        }
    }

    private static func either(_ items: [String]) -> String { items.joined(separator: "或") }

    static func describe(_ selector: UnitSelector) -> String {
        var parts: [String] = []
        if let kinds = selector.kinds { parts.append(names(UnitKind.allCases.filter(kinds.contains).map(\.label.zh))) }
        if let codes = selector.codes { parts.append("单位 \(names(codes.sorted()))") }
        return parts.isEmpty ? "各单位" : "各" + parts.joined(separator: "中的")
    }

    static func describe(_ deadline: DeadlineSpec) -> String {
        let anchor: String
        switch deadline.anchor {
        case .termStart: anchor = "开学"
        case .termEnd: anchor = "学期最后一天"
        case .fixedDate(let month, let day): anchor = "\(month)月\(day)日"
        case .dayOfFollowingMonth(let day): anchor = "次月\(day)日"
        case .specialWeekStart(let kind): anchor = "\(kind.label.zh)开始"
        case .vacationStart: anchor = "放假离校（学期结束次日）"
        case .breakStart: anchor = "学期内假期开始"
        }
        var text = anchor
        if deadline.offset != 0 {
            let unit = deadline.unit == .workdays ? "个工作日" : "天"
            text += deadline.offset > 0 ? "后 \(deadline.offset) \(unit)" : "前 \(-deadline.offset) \(unit)"
        }
        if deadline.boundary == .exclusive { text += "（不含当日）" }
        return text
    }

    /// Which weeks (months) a weekly or monthly rule skips, as the engine does: a week or month is skipped only
    /// when all of it lies in what the rule skips. Contacts in a skipped week count for no week; a month is
    /// required as a whole, so an exam-week contact in a required month counts for it.
    static func describe(_ pauses: CalendarPauses, per: PeriodKind) -> String {
        switch per {
        case .twoWeeks, .twoMonths, .day, .workday: return describeNew(pauses, per: per)
        case .week, .month, .term, .academicYear: break
        }
        let unit = per == .month ? "月份" : per.label.zh
        let skipped = [pauses.includeVacations ? nil : "假期", pauses.includeExamWeeks ? nil : "考试周"].compactMap { $0 }
        let kept = [pauses.includeVacations ? "假期" : nil, pauses.includeExamWeeks ? "考试周" : nil].compactMap { $0 }
        var text = ""
        if !skipped.isEmpty {
            let within = skipped.joined(separator: "或")
            text += per == .month ? "；整月都在\(within)内的月份不计（其他月份里\(within)中的联系照常计入当月）"
                : "；整\(unit)都在\(within)内的\(unit)不计，其间的联系不计入任何一\(unit)"
        }
        if !kept.isEmpty { text += "；\(kept.joined(separator: "和"))的\(unit)照常要求" }
        return text
    }

    /// Pauses of the paired and daily periods: a pair is skipped only when all of it is paused, and then counts
    /// as a whole (a contact in its exam week counts for it); a paused day is simply not a period.
    private static func describeNew(_ pauses: CalendarPauses, per: PeriodKind) -> String {
        let skipped = [pauses.includeVacations ? nil : "假期", pauses.includeExamWeeks ? nil : "考试周"].compactMap { $0 }
        let kept = [pauses.includeVacations ? "假期" : nil, pauses.includeExamWeeks ? "考试周" : nil].compactMap { $0 }
        var text = ""
        if !skipped.isEmpty {
            let within = skipped.joined(separator: "或")
            switch per {
            case .day, .workday:
                text += "；\(within)内的\(per == .day ? "日子" : "工作日")不计，当天的联系不计入任何一天"
            default:
                text += "；整期都在\(within)内的\(per.label.zh)不计（其他各期整期照常要求，其中\(within)里的联系也计入该期）"
            }
        }
        if !kept.isEmpty { text += "；\(kept.joined(separator: "和"))期间照常要求" }
        return text
    }

    /// How the paired and daily periods are cut from the calendar; nothing for weeks, months, terms and years.
    static func periods(_ kind: PeriodKind) -> String {
        switch kind {
        case .twoWeeks: "（每学期从第1周起每两个教学周为一期：第1—2周、第3—4周……；学期末单出的一周自成一期）"
        case .twoMonths: "（从学年第一个月起每两个自然月为一期，如9—10月、11—12月……，截至学年末；学期之间的寒暑假按假期计）"
        case .day: "（学期内每个自然日各为一期，周末和节假日也算）"
        case .workday: "（学期内每个工作日各为一期：按国家节假日安排，周末和法定节假日不算，调休上班日算）"
        case .week, .month, .term, .academicYear: ""
        }
    }

    private static func per(_ kind: PeriodKind) -> String { kind == .workday ? "每个工作日" : "每\(kind.label.zh)" }

    private static func unit(_ measure: ContactMeasure) -> String {
        switch measure {
        case .events: "次"
        case .personTimes: "人次"
        case .hours: "小时"
        case .distinctVenues: "个不同场所"
        case .classPeriods: "课时"
        case .distinctColleges: "个不同院（系）"
        }
    }

    private static func quantity(_ q: RuleQuantity, _ policy: Policy, unit: String) -> String {
        var parts = q.byRole.map { "\(yamlNumberText($0.value)) \(unit)（\(policy.role($0.role)?.label ?? $0.role)）" }
        if let fallback = q.fallback { parts.append(q.byRole.isEmpty ? "\(yamlNumberText(fallback)) \(unit)" : "其他 \(yamlNumberText(fallback)) \(unit)") }
        return parts.joined(separator: "，")
    }

    private static func what(_ filter: ContactFilter, _ policy: Policy, measure: ContactMeasure) -> String {
        var text = "：\(kindNames(filter, policy))"
        if let venues = filter.venueNames {
            text += "，场所：" + names(venues.map { policy.vocabulary.venue($0)?.label.zh ?? venueGroupName($0) })
        }
        switch filter.scope {
        case .any: break
        case .ownCollectives: text += "，须在本人联系的学生集体中"
        case .linkedCollege: text += "，须在所联系的学院"
        }
        if let kinds = filter.collectiveKinds { text += "（学生集体：\(names(CollectiveKind.allCases.filter(kinds.contains).map(\.label.zh)))）" }
        if filter.confirmedOnly { text += "，须经学生确认" }
        return text
    }

    private static func kindNames(_ filter: ContactFilter, _ policy: Policy) -> String { kindNames(filter.kindNames, policy) }

    /// Kinds as the plan's readers call them (谈心谈话), not their codes.
    private static func kindNames(_ written: [String], _ policy: Policy) -> String {
        names(written.map { name in
            if name == ContactVocabulary.anyKind { return "任何形式" }
            if name == ContactVocabulary.inPersonGroup { return "任何面对面形式" }
            return policy.vocabulary.kind(name)?.label.zh ?? "\(name)类"
        })
    }

    private static func venueGroupName(_ name: String) -> String {
        switch name {
        case "seven-entries": "七进（课堂、班级、宿舍、食堂、社团、讲座、网络）"
        case "eight-entries": "八进（课堂、实验室、班级、宿舍、食堂、社团、讲座、网络）"
        case "nine-entries": "九进（七进加早操、学生活动现场）"
        default: name
        }
    }

    private static func names(_ items: [String]) -> String { items.joined(separator: "、") }

    private static func collectiveNames(_ kinds: Set<CollectiveKind>) -> String {
        names(CollectiveKind.allCases.filter(kinds.contains).map(\.label.zh))
    }

    private static func pairingNames(_ kinds: Set<Pairing.Kind>) -> String {
        names(Pairing.Kind.allCases.filter(kinds.contains).map(\.label.zh))
    }
}
