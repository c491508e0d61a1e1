/// The short code printed under a contact record's QR code, typed by students whose phones cannot scan.
/// Eight characters from an alphabet without look-alikes (no 0/O, 1/I/L): 31⁸ ≈ 8.5 × 10¹¹ codes, ~39.6 bits.
public enum ConfirmationCode {
    public static let alphabet: [Character] = Array("23456789ABCDEFGHJKMNPQRSTUVWXYZ")
    public static let length = 8

    /// Builds a code from random bytes (e.g. from the server's CSPRNG). Bytes ≥ 248 are skipped so
    /// every character is equally likely (248 = 8 × 31); `nil` if the bytes run out first.
    public static func make(randomBytes: some Sequence<UInt8>) -> String? {
        let limit = UInt8(256 / alphabet.count * alphabet.count)
        var code = ""
        for byte in randomBytes where byte < limit {
            code.append(alphabet[Int(byte) % alphabet.count])
            if code.count == length { return code }
        }
        return nil
    }

    /// Draws a code from `generator`; pass `SystemRandomNumberGenerator` in production, a seeded one in tests.
    public static func make(using generator: inout some RandomNumberGenerator) -> String {
        String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    /// What a student typed, made canonical: case, spaces and hyphens ignored; `nil` if it cannot be a code.
    public static func normalize(_ typed: String) -> String? {
        let characters = typed.uppercased().filter { $0 != " " && $0 != "-" }
        guard characters.count == length, characters.allSatisfy(alphabet.contains) else { return nil }
        return String(characters)
    }
}
