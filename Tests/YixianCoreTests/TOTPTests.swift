import Foundation
import Testing
@testable import YixianCore

@Suite("TOTP (RFC 6238) and the password policy")
struct TOTPTests {
    static let rfcSecret = Array("12345678901234567890".utf8)

    @Test("RFC 6238 Appendix B test vectors, SHA-1, 8 digits", arguments: [
        (Int64(59), "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"), (2_000_000_000, "69279037"), (20_000_000_000, "65353130"),
    ])
    func rfcVectors(time: Int64, expected: String) {
        #expect(TOTP.code(secret: Self.rfcSecret, at: time, digits: 8) == expected)
    }

    @Test("RFC 4226 Appendix D HOTP values, counters 0 to 9")
    func hotpVectors() {
        let expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]
        for (counter, code) in expected.enumerated() {
            #expect(TOTP.hotp(secret: Self.rfcSecret, counter: UInt64(counter)) == code)
        }
    }

    @Test("a code is accepted one step either side, not two, and never twice")
    func windowAndReplay() {
        let now: Int64 = 1_700_000_015
        let current = TOTP.code(secret: Self.rfcSecret, at: now)
        #expect(TOTP.verify(current, secret: Self.rfcSecret, at: now) == TOTP.step(at: now))
        #expect(TOTP.verify(TOTP.code(secret: Self.rfcSecret, at: now - 30), secret: Self.rfcSecret, at: now) != nil)
        #expect(TOTP.verify(TOTP.code(secret: Self.rfcSecret, at: now + 30), secret: Self.rfcSecret, at: now) != nil)
        #expect(TOTP.verify(TOTP.code(secret: Self.rfcSecret, at: now - 90), secret: Self.rfcSecret, at: now) == nil)
        #expect(TOTP.verify(TOTP.code(secret: Self.rfcSecret, at: now + 90), secret: Self.rfcSecret, at: now) == nil)
        #expect(TOTP.verify(current, secret: Self.rfcSecret, at: now, usedStep: TOTP.step(at: now)) == nil, "replay refused")
        #expect(TOTP.verify("12345", secret: Self.rfcSecret, at: now) == nil)
        #expect(TOTP.verify("abcdef", secret: Self.rfcSecret, at: now) == nil)
        #expect(TOTP.verify(String(current.prefix(3)) + " " + String(current.suffix(3)), secret: Self.rfcSecret, at: now) != nil, "spaces forgiven")
    }

    @Test("base32 round-trips and matches RFC 4648's examples")
    func base32() {
        #expect(Base32.encode(Array("foobar".utf8)) == "MZXW6YTBOI")
        #expect(Base32.encode(Self.rfcSecret) == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        #expect(Base32.decode("gezd gnbv gy3t qojq gezd gnbv gy3t qojq") == Self.rfcSecret)
        #expect(Base32.decode("GEZ1") == nil, "1 is not base32")
        let uri = TOTP.provisioningURI(secret: Self.rfcSecret, account: "office", issuer: "一线 Yixian")
        #expect(uri.hasPrefix("otpauth://totp/"))
        #expect(uri.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"))
        #expect(!uri.contains(" "))
    }

    @Test("the password policy refuses short, common, repetitive, sequential and username passwords", arguments: [
        ("aaaaaaaa", PasswordPolicy.Problem.tooShort), ("aaaaaaaaaaaa", .repetitive), ("aaaaaaaaaa", .common),
        ("1234567890", .common), ("12345678901", .sequential), ("password123", .common), ("Password2024!", .common),
        ("woaini1314", .common), ("qwertyuiop", .common), ("WoAiNi1314520", .common), ("ababababab", .repetitive),
        ("zhangsan-secret-1", .containsUsername), ("abcdefghijk", .sequential), ("长" + String(repeating: "密", count: 30), .tooLong),
    ])
    func policyRefuses(password: String, problem: PasswordPolicy.Problem) {
        #expect(PasswordPolicy.problems(password, username: "zhangsan").contains(problem), "\(password)")
    }

    @Test("reasonable passwords pass, Chinese ones included")
    func policyAccepts() {
        for good in ["correct horse battery", "Tz8#qLm2!vR9", "湖南科技大学一线工作法", "7Rk-under-the-bridge"] {
            #expect(PasswordPolicy.problems(good, username: "office").isEmpty, "\(good)")
        }
        #expect(CommonPasswords.list.count >= 300)
        for required in ["aaaaaaaa", "12345678", "password", "woaini1314", "qwertyuiop"] {
            #expect(CommonPasswords.list.contains(required))
        }
    }
}
