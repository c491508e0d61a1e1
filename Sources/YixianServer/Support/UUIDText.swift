import Foundation

extension UUID {
    /// The 36-character form (`8-4-4-4-12` hex digits, either case), parsed by hand: Foundation on
    /// Linux parses with `sscanf`, which was a tenth of reading a large university's ledger at start.
    /// Reads the canonical form as `UUID(uuidString:)` does and never accepts what it refuses; it is
    /// stricter where `sscanf` lets a space or a sign before a digit pair through (a test holds it to that).
    init?(text: some StringProtocol) {
        var bytes = (UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0),
                     UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0))
        let parsed = withUnsafeMutableBytes(of: &bytes) { out -> Bool in
            var position = 0, count = 0, high: UInt8?
            for byte in text.utf8 {
                defer { position += 1 }
                if position == 8 || position == 13 || position == 18 || position == 23 {
                    guard byte == UInt8(ascii: "-") else { return false }
                    continue
                }
                let nibble: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte &- UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte &- UInt8(ascii: "a") &+ 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = byte &- UInt8(ascii: "A") &+ 10
                default: return false
                }
                guard count < 16 else { return false }
                if let first = high {
                    out[count] = first << 4 | nibble
                    count += 1
                    high = nil
                } else {
                    high = nibble
                }
            }
            return position == 36 && count == 16
        }
        guard parsed else { return nil }
        self.init(uuid: bytes)
    }

    /// `uuidString` without `snprintf`: upper-case hex in the 8-4-4-4-12 form.
    var text: String {
        withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { out in
                let digits: StaticString = "0123456789ABCDEF"
                var position = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        out[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    out[position] = digits.utf8Start[Int(byte >> 4)]
                    out[position + 1] = digits.utf8Start[Int(byte & 0x0f)]
                    position += 2
                }
                return position
            }
        }
    }
}
