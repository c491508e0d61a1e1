import Foundation

/// One demo account the server creates on a fresh install. Passwords are the server's business.
public struct DemoLogin: Hashable, Sendable, Codable {
    /// Role code: `system-admin`, `security-admin`, `audit-admin`, `business-admin`,
    /// `unit-secretary`, `cadre`, `assessor`, `student`.
    public var role: String
    public var username: String
    public var displayName: String
    /// Set when the account acts as a cadre of the roster.
    public var staffNumber: String?
    /// Set when the account is a student's.
    public var studentNumber: String?

    public init(role: String, username: String, displayName: String, staffNumber: String? = nil, studentNumber: String? = nil) {
        self.role = role
        self.username = username
        self.displayName = displayName
        self.staffNumber = staffNumber
        self.studentNumber = studentNumber
    }
}

extension DemoUniversity {
    /// One login per role, wired so a demo tells a story: the `secretary` runs the first
    /// college, `cadre` is that college's deputy secretary for student work, `student` sits in
    /// a class `cadre` is linked to, and `leader` is the vice president for student work.
    public var logins: [DemoLogin] {
        var result = [
            DemoLogin(role: "system-admin", username: "admin", displayName: "系统管理员"),
            DemoLogin(role: "security-admin", username: "security", displayName: "安全管理员"),
            DemoLogin(role: "audit-admin", username: "audit", displayName: "审计管理员"),
            DemoLogin(role: "business-admin", username: "office", displayName: "学生工作部业务管理员"),
        ]
        guard let college = units.first(where: { $0.kind == .college }) else { return result }
        if let secretary = cadres.first(where: { $0.unitCode == college.code && $0.posts.contains("党委书记") }) {
            result.append(DemoLogin(role: "unit-secretary", username: "secretary", displayName: secretary.name, staffNumber: secretary.staffNumber))
        }
        let deputy = cadres.first { $0.unitCode == college.code && $0.posts.contains("分管学生工作副书记") }
        if let deputy {
            result.append(DemoLogin(role: "cadre", username: "cadre", displayName: deputy.name, staffNumber: deputy.staffNumber))
        }
        let leaders = cadres.filter { $0.rank == .schoolLeader }
        if let leader = leaders.first(where: { $0.tags.contains("student-work") && $0.posts.contains("副校长") }) ?? leaders.first {
            result.append(DemoLogin(role: "cadre", username: "leader", displayName: leader.name, staffNumber: leader.staffNumber))
        }
        result.append(DemoLogin(role: "assessor", username: "assessor", displayName: "考核评估员"))
        let linkedClasses = Set(pairings.filter { $0.cadreStaffNumber == deputy?.staffNumber && $0.kind != .keyStudent }.compactMap(\.collectiveCode))
        if let student = students.first(where: { $0.unitCode == college.code && !linkedClasses.isDisjoint(with: $0.collectiveCodes) })
            ?? students.first(where: { $0.unitCode == college.code }) {
            result.append(DemoLogin(role: "student", username: "student", displayName: student.name, studentNumber: student.studentNumber))
        }
        return result
    }
}
