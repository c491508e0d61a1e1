import Foundation
import Yams

/// `slot:` on a count rule (POLICY-FORMAT §4.11). Returns nil after reporting every problem.
extension PolicyDecoder {
    func decodeSlot(_ node: Node, per: PeriodKind?, perNode: Node?) -> CalendarSlot? {
        guard let f = reader.mapping(node, "slot") else { return nil }
        var ok = true
        func fail(_ at: Node?, _ zh: String, _ en: String) {
            ok = false
            reader.fail(at: at, .invalidValue, zh, en)
        }
        var weekday: Int?
        if let n = f.require("weekday"), let value = reader.count(n, "weekday") {
            if (1...7).contains(value) { weekday = value } else { fail(n, "weekday 应为 1（周一）到 7（周日）：\(value)", "weekday must be 1 (Monday) to 7 (Sunday): \(value)") }
        } else { ok = false }
        var minutes: Range<Int>?
        if let n = f.take("time"), let text = reader.string(n, "time") {
            minutes = CalendarSlot.minutes(parsing: text)
            if minutes == nil {
                fail(n, "time 应形如 14:00-17:30（24 小时制，开始早于结束）：\(text)", "time must look like 14:00-17:30 (24-hour clock, start before end): \(text)")
            }
        }
        var weeks = CalendarSlot.Weeks.all
        let weeksNode = f.take("weeks")
        if let n = weeksNode, let text = reader.string(n, "weeks") {
            if let value = CalendarSlot.Weeks(rawValue: text) { weeks = value } else { fail(n, "weeks 应为 all、odd（单周）或 even（双周）", "weeks must be all, odd or even") }
        }
        var onHoliday = CalendarSlot.OnHoliday.postpone
        if let n = f.take("onHoliday"), let text = reader.string(n, "onHoliday") {
            if let value = CalendarSlot.OnHoliday(rawValue: text) { onHoliday = value } else {
                fail(n, "onHoliday 应为 postpone（顺延到下一个工作日）或 skip（不举行）", "onHoliday must be postpone (to the next workday) or skip")
            }
        }
        let nthNode = f.take("nth"), teachingWeekNode = f.take("teachingWeek")
        var inMonth: CalendarSlot.InMonth?
        for (n, name) in [(nthNode, "nth"), (teachingWeekNode, "teachingWeek")] {
            guard let n, let value = reader.count(n, name) else { continue }
            if !(1...5).contains(value) {
                fail(n, "\(name) 应为 1 到 5（一个月最多 5 个同一星期几）：\(value)", "\(name) must be 1 to 5 (a month has at most five of a weekday): \(value)")
            } else { inMonth = name == "nth" ? .nthWeekday(value) : .nthTeachingWeek(value) }
        }
        f.finish()
        if nthNode != nil && teachingWeekNode != nil {
            fail(teachingWeekNode, "nth（每月第几个星期几）与 teachingWeek（每月第几个教学周）只能写一个", "give nth (the n-th weekday of the month) or teachingWeek (the month's n-th teaching week), not both")
        }
        switch per {
        case .week?:
            if let n = nthNode ?? teachingWeekNode {
                fail(n, "每周的时段不能写 nth 或 teachingWeek：每月一次的时段请写 per: month", "a weekly slot takes no nth or teachingWeek: for a monthly slot write per: month")
            }
        case .month?:
            if nthNode == nil && teachingWeekNode == nil {
                fail(node, "per: month 的时段须写 nth（每月第几个星期几）或 teachingWeek（每月第几个教学周）", "a monthly slot needs nth (the n-th weekday of the month) or teachingWeek (the month's n-th teaching week)")
            }
            if let weeksNode { fail(weeksNode, "单双周只用于每周的时段（per: week）", "odd and even weeks are for weekly slots (per: week)") }
        case nil:
            ok = false
        default:
            fail(perNode, "有 slot 的规则按 week（每周、单双周）或 month（每月第几个）计", "a rule with a slot is per: week (every, odd or even week) or per: month (the n-th of each month)")
        }
        guard ok, let weekday else { return nil }
        return CalendarSlot(weekday: weekday, minutes: minutes, weeks: weeks, inMonth: inMonth, onHoliday: onHoliday)
    }
}
