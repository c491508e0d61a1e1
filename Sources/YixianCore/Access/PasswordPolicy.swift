import Foundation

/// What a password chosen by a person must satisfy (GB/T 22239-2019 8.1.4.1 a, OWASP ASVS V6.2):
/// long enough, not on the common-password list, not one repeated or sequential run of characters,
/// not containing the username. Returns every reason it fails, in both languages.
public enum PasswordPolicy {
    public static let minimumLength = 10
    /// bcrypt reads at most 72 bytes; longer would silently be cut.
    public static let maximumBytes = 72

    public enum Problem: String, Sendable, Equatable, CaseIterable {
        case tooShort = "too_short"
        case tooLong = "too_long"
        case common
        case repetitive
        case sequential
        case containsUsername = "contains_username"

        public var message: Localized {
            switch self {
            case .tooShort: Localized(zh: "密码至少 \(PasswordPolicy.minimumLength) 个字符", en: "The password needs at least \(PasswordPolicy.minimumLength) characters")
            case .tooLong: Localized(zh: "密码最多 \(PasswordPolicy.maximumBytes) 字节（汉字每个 3 字节）", en: "The password may have at most \(PasswordPolicy.maximumBytes) bytes")
            case .common: Localized(zh: "这是常见密码，极易被猜中，请换一个", en: "This is a common password that is easily guessed; choose another")
            case .repetitive: Localized(zh: "密码不能由一两个字符反复组成", en: "The password must not repeat one or two characters")
            case .sequential: Localized(zh: "密码不能是连续的字符序列（如 1234567890、abcdefghij）", en: "The password must not be a run of consecutive characters")
            case .containsUsername: Localized(zh: "密码不能包含用户名", en: "The password must not contain the username")
            }
        }
    }

    public static func problems(_ password: String, username: String) -> [Problem] {
        var found: [Problem] = []
        if password.count < minimumLength { found.append(.tooShort) }
        if password.utf8.count > maximumBytes { found.append(.tooLong) }
        let lowered = password.lowercased()
        if isCommon(lowered) { found.append(.common) }
        if Set(lowered).count <= 2 { found.append(.repetitive) }
        if isSequential(lowered) { found.append(.sequential) }
        let name = username.lowercased().trimmingCharacters(in: .whitespaces)
        if name.count >= 3, lowered.contains(name) { found.append(.containsUsername) }
        return found
    }

    /// On the list as typed, or once the digits and symbols around a word are taken off
    /// (`Password2024!`, `woaini1314520`).
    static func isCommon(_ lowered: String) -> Bool {
        if CommonPasswords.list.contains(lowered) { return true }
        let decoration: (Character) -> Bool = { !$0.isLetter }
        let core = String(lowered.drop(while: decoration).reversed().drop(while: decoration).reversed())
        if core.count >= 4, CommonPasswords.list.contains(core) { return true }
        // A common word glued to a common number: woaini + 1314, password + 123.
        let letters = String(lowered.prefix { $0.isLetter })
        return letters.count >= 4 && CommonPasswords.list.contains(letters) && lowered.dropFirst(letters.count).allSatisfy { !$0.isLetter }
    }

    /// Each character one code point above (or below) the previous: 1234567890, abcdefghijk, 9876543210.
    static func isSequential(_ lowered: String) -> Bool {
        let points = lowered.unicodeScalars.map { Int($0.value) }
        guard points.count >= 3 else { return false }
        let steps = zip(points, points.dropFirst()).map { $1 - $0 }
        // 1234567890 wraps from 9 to 0.
        let up = steps.allSatisfy { $0 == 1 || $0 == -9 }
        let down = steps.allSatisfy { $0 == -1 || $0 == 9 }
        return up || down
    }
}

extension Role {
    /// The 三员 and the business admin: roles that only the security admin grants,
    /// that a second factor protects, and whose credentials are reset when granted.
    public var isPrivileged: Bool {
        switch self {
        case .systemAdmin, .securityAdmin, .auditAdmin, .businessAdmin: true
        default: false
        }
    }

    /// The three administrators of 三员 separation (system, security, audit).
    public var isTriadAdministrator: Bool { Role.separationOfDuties.contains(self) }
}
