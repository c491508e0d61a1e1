import Foundation

/// How big a demo university to make. The figures are targets the generator meets exactly
/// (units, cadres, collectives, students); the layout below decides how they split.
public enum DemoScale: String, CaseIterable, Sendable, Codable {
    case standard
    case large

    public var collegeCount: Int { self == .standard ? 15 : 30 }
    /// Departments other than colleges, not counting the 校领导 unit.
    public var departmentCount: Int { self == .standard ? 20 : 40 }
    public var cadreCount: Int { self == .standard ? 150 : 600 }
    public var collectiveCount: Int { self == .standard ? 400 : 2000 }
    public var studentCount: Int { self == .standard ? 8_000 : 30_000 }

    /// Share of graduate students; they sit in one 研究生班 per college, labs and the 研究生会.
    var graduateShare: Double { self == .standard ? 0.10 : 0.12 }
    var undergraduatePartyBranchesPerCollege: Int { self == .standard ? 1 : 2 }
    var labsPerCollege: Int { self == .standard ? 1 : 3 }
    var clubCount: Int { self == .standard ? 12 : 40 }
    /// Dorm collectives are floors of a residence hall (see `DemoUniversity`).
    var dormFloorCount: Int { self == .standard ? 28 : 110 }
    /// Deputy heads per college (副院长) and per department (副处长 …).
    var collegeDeputyCount: Int { self == .standard ? 1 : 2 }
    var departmentDeputyCount: Int { self == .standard ? 1 : 2 }
    /// School leaders: the first n of the leadership catalog.
    var schoolLeaderCount: Int { self == .standard ? 9 : 12 }
}
