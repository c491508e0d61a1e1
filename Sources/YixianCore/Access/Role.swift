import Foundation

/// Who a user is to Yixian. The three 三员 roles (system, security, audit admin)
/// are kept apart by law and by `Role.separationOfDuties`: no account holds two.
public enum Role: String, CaseIterable, Sendable, Codable, Labelled {
    case systemAdmin = "system-admin"
    case securityAdmin = "security-admin"
    case auditAdmin = "audit-admin"
    case businessAdmin = "business-admin"
    case unitSecretary = "unit-secretary"
    case cadre
    case assessor
    case student

    public var label: Localized {
        switch self {
        case .systemAdmin: Localized(zh: "系统管理员", en: "System admin")
        case .securityAdmin: Localized(zh: "安全管理员", en: "Security admin")
        case .auditAdmin: Localized(zh: "审计管理员", en: "Audit admin")
        case .businessAdmin: Localized(zh: "业务管理员", en: "Business admin")
        case .unitSecretary: Localized(zh: "单位秘书", en: "Unit secretary")
        case .cadre: Localized(zh: "干部", en: "Cadre")
        case .assessor: Localized(zh: "考核人员", en: "Assessor")
        case .student: Localized(zh: "学生", en: "Student")
        }
    }

    /// Roles of which one account may hold at most one.
    public static let separationOfDuties: Set<Role> = [.systemAdmin, .securityAdmin, .auditAdmin]

    /// Whether a set of roles is allowed on one account.
    public static func isAllowedCombination(_ roles: Set<Role>) -> Bool {
        roles.intersection(separationOfDuties).count <= 1
    }

    /// What the role needs to link to: a unit secretary to a unit, a cadre to a cadre record, a student to a student.
    public var requiredLink: Link? {
        switch self {
        case .unitSecretary: .unit
        case .cadre: .cadre
        case .student: .student
        default: nil
        }
    }

    public enum Link: String, Sendable { case unit, cadre, student }
}

/// Capabilities checked by every route. A route declares the capability it needs;
/// the scope (which unit, which record) is checked again on the object itself.
public enum Capability: String, CaseIterable, Sendable {
    case manageUsers
    case manageSecurity
    case readAudit
    case readRoster
    case writeRoster
    case importRoster
    case readSensitive
    case writeSensitive
    case manageCalendar
    case readOwnProfile
    case readCompliance
    case managePolicy
    case readOwnProgress
    /// Recording a unit's filings (plans, summaries, meetings): its secretary, or the business admin.
    case fileReports

    public func allows(_ role: Role) -> Bool {
        Capability.matrix[self, default: []].contains(role)
    }

    private static let matrix: [Capability: Set<Role>] = [
        .manageUsers: [.systemAdmin],
        .manageSecurity: [.securityAdmin],
        .readAudit: [.auditAdmin],
        .readRoster: [.businessAdmin, .unitSecretary, .assessor],
        .writeRoster: [.businessAdmin, .unitSecretary],
        .importRoster: [.businessAdmin],
        // Hardship, disability and psychological notes: only those who act on them.
        .readSensitive: [.businessAdmin, .unitSecretary],
        .writeSensitive: [.businessAdmin],
        .manageCalendar: [.businessAdmin],
        .readOwnProfile: Set(Role.allCases),
        .readCompliance: [.businessAdmin, .unitSecretary, .assessor],
        .managePolicy: [.businessAdmin],
        .readOwnProgress: [.cadre],
        .fileReports: [.businessAdmin, .unitSecretary],
    ]
}

/// The unit scope a role's reads and writes are confined to.
public enum AccessScope: Equatable, Sendable {
    /// The whole institution.
    case institution
    /// One unit, by its code.
    case unit(String)
    /// Only records of the signed-in person.
    case own

    public func permits(unitCode: String) -> Bool {
        switch self {
        case .institution: true
        case .unit(let code): code == unitCode
        case .own: false
        }
    }
}
