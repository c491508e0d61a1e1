import Crypto
import Foundation

/// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP), HMAC-SHA1, as authenticator apps
/// expect: 30-second steps, 6 digits, one step of clock drift either way. Pure: the caller passes the time.
public enum TOTP {
    public static let period: Int64 = 30
    public static let digits = 6
    /// Steps accepted either side of the current one (phones drift, people type slowly).
    public static let window: Int64 = 1
    /// 160-bit secrets, the size RFC 4226 recommends for HMAC-SHA1.
    public static let secretLength = 20

    /// The moving factor: whole periods since the Unix epoch.
    public static func step(at unixTime: Int64, period: Int64 = period) -> Int64 {
        unixTime >= 0 ? unixTime / period : (unixTime - period + 1) / period
    }

    /// RFC 4226 §5.3: HMAC-SHA1 of the big-endian counter, dynamically truncated.
    public static func hotp(secret: [UInt8], counter: UInt64, digits: Int = digits) -> String {
        var big = counter.bigEndian
        let message = withUnsafeBytes(of: &big) { Data($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let binary = (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let value = String(binary % modulus)
        return String(repeating: "0", count: max(0, digits - value.count)) + value
    }

    /// The code shown at a moment.
    public static func code(secret: [UInt8], at unixTime: Int64, digits: Int = digits, period: Int64 = period) -> String {
        hotp(secret: secret, counter: UInt64(max(0, step(at: unixTime, period: period))), digits: digits)
    }

    /// The step a typed code matches within the window, or nil. A step at or before `usedStep`
    /// is refused, so a code seen over someone's shoulder cannot be replayed within its 90 seconds.
    public static func verify(_ typed: String, secret: [UInt8], at unixTime: Int64, usedStep: Int64? = nil) -> Int64? {
        let code = typed.filter { !$0.isWhitespace && $0 != "-" }
        guard code.count == digits, code.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let now = step(at: unixTime)
        var matched: Int64?
        // Every candidate is computed and compared in constant time, whichever matches.
        for candidate in (now - window)...(now + window) where candidate >= 0 {
            let expected = hotp(secret: secret, counter: UInt64(candidate))
            if constantTimeEqual(Array(expected.utf8), Array(code.utf8)), candidate > (usedStep ?? -1) { matched = candidate }
        }
        return matched
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in a.indices { diff |= a[i] ^ b[i] }
        return diff == 0
    }

    /// `otpauth://totp/Issuer:account?secret=…&issuer=…` (Google Authenticator key-URI format), for the QR code.
    public static func provisioningURI(secret: [UInt8], account: String, issuer: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        func enc(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s }
        return "otpauth://totp/\(enc(issuer)):\(enc(account))?secret=\(Base32.encode(secret))&issuer=\(enc(issuer))&algorithm=SHA1&digits=\(digits)&period=\(period)"
    }
}

/// RFC 4648 base32 without padding: how authenticator apps take secrets typed by hand.
public enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    public static func encode(_ bytes: [UInt8]) -> String {
        var out = "", buffer: UInt32 = 0, bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return out
    }

    /// Case, spaces and padding are forgiven; any other character is refused.
    public static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = [], buffer: UInt32 = 0, bits = 0
        for ch in text.uppercased() where ch != " " && ch != "=" && ch != "-" {
            guard let value = alphabet.firstIndex(of: ch) else { return nil }
            buffer = (buffer << 5) | UInt32(value)
            bits += 5
            if bits >= 8 {
                out.append(UInt8((buffer >> UInt32(bits - 8)) & 0xff))
                bits -= 8
            }
        }
        return out
    }
}
