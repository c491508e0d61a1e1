import Foundation
import Testing
@testable import YixianCore

/// Known vectors from FIPS 180-4 and from `sha256sum`, at every padding boundary.
struct EvidenceSHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("一线", "37d35327eebb4559b97b22e33641b89ae660b268b3b443b84ad5bade00925830"),
    ])
    func knownTexts(text: String, expected: String) {
        // act
        let hex = EvidenceSHA256.hex(Data(text.utf8))
        // check
        #expect(hex == expected)
    }

    @Test(arguments: [
        (55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
        (56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
        (63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"),
        (64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
        (65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"),
        (1000, "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"),
        (1_000_000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
    ])
    func repeatedLetterA(count: Int, expected: String) {
        // setup: lengths on both sides of the 56- and 64-byte padding boundaries, and FIPS' million a's
        let data = Data(repeating: UInt8(ascii: "a"), count: count)
        // act
        let hex = EvidenceSHA256.hex(data)
        // check
        #expect(hex == expected)
    }

    @Test func sliceOfLargerDataHashesLikeACopy() {
        // setup: Data slices do not start at index 0
        let whole = Data("xxabcxx".utf8)
        let slice = whole[2..<5]
        // act / check
        #expect(EvidenceSHA256.hex(slice) == EvidenceSHA256.hex(Data("abc".utf8)))
    }

    @Test func crc32MatchesTheStandardCheckValue() {
        // The check value of CRC-32/ISO-HDLC, which PNG uses.
        #expect(EvidencePNGCRC.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }
}
