import Foundation

/// “讲座后3日内报送”: a count rule whose periods are the days after each ledger line of some kinds (POLICY-FORMAT
/// §4.12). Every such line of the cadre opens one period of its own — from its day through `days` days (or
/// workdays) later — in which the rule's own kinds are counted.
public struct EventTrigger: Sendable, Hashable {
    /// Kind names as written (kinds, groups or `any`), and the codes they stand for.
    public var kindNames: [String]
    public var kinds: Set<String>
    public var days: Int
    /// Calendar days (`3d`) or PRC workdays (`3wd`, 调休 included).
    public var unit: DeadlineSpec.Unit

    public init(kindNames: [String], kinds: Set<String>, days: Int, unit: DeadlineSpec.Unit = .calendarDays) {
        self.kindNames = kindNames
        self.kinds = kinds
        self.days = days
        self.unit = unit
    }

    /// The last day of the window an event on `day` opens.
    public func due(after day: LocalDate, workdays: WorkdayCalendar) -> LocalDate {
        unit == .workdays ? workdays.addingWorkdays(days, to: day) : day.adding(days: days)
    }

    /// `3d` / `5wd`.
    public var withinText: String { "\(days)\(unit.rawValue)" }

    /// Parses `3d` or `5wd` (a whole number of days, at least 1).
    public static func within(parsing text: String) -> (Int, DeadlineSpec.Unit)? {
        let unit: DeadlineSpec.Unit = text.hasSuffix("wd") ? .workdays : .calendarDays
        guard text.hasSuffix(unit.rawValue), let days = Int(text.dropLast(unit.rawValue.count)), days >= 1,
              !text.hasPrefix("+") else { return nil }
        return (days, unit)
    }
}
