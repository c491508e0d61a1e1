@preconcurrency import Crypto
import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Keys that protect data at rest, kept outside the database: the audit chain's HMAC key
/// (`audit.key` or `YIXIAN_AUDIT_KEY`) and the keys that seal sensitive student fields
/// (`sensitive.key` or `YIXIAN_DATA_KEY`). Key files are created 0600 at first start.
enum KeyFiles {
    static let auditKeyFile = "audit.key"
    static let dataKeyFile = "sensitive.key"

    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    /// Reads a key from `value` (base64 of 32 bytes, 64 hex digits, or any passphrase of 32+ characters,
    /// which is hashed to 32 bytes).
    static func key(from value: String) throws -> SymmetricKey {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if let data = Data(base64Encoded: trimmed), data.count == 32 { return SymmetricKey(data: data) }
        if trimmed.count == 64, let data = Data(hex: trimmed) { return SymmetricKey(data: data) }
        guard trimmed.count >= 32 else {
            throw Problem(description: "密钥太短（至少 32 个字符或 32 字节的 base64）/ key too short (32+ characters or base64 of 32 bytes)")
        }
        return SymmetricKey(data: SHA256.hash(data: Data(trimmed.utf8)))
    }

    static func encode(_ key: SymmetricKey) -> String { key.withUnsafeBytes { Data($0).base64EncodedString() } }

    /// Writes `contents` to `path` atomically with mode 0600.
    /// Plain system calls: the audit checkpoint is written once per group commit, and Foundation's
    /// `createFile` wrote a temporary file of its own, then set its mode, then renamed it.
    static func writePrivate(_ contents: String, to path: String) throws {
        let temporary = path + ".tmp-\(UUID().uuidString.prefix(8))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Problem(description: "无法写入 \(temporary) / cannot write \(temporary): errno \(errno)") }
        let bytes = Array(contents.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        // The mode asked of open() is narrowed by the umask, never widened: set it outright.
        let moded = fchmod(fd, 0o600)
        close(fd)
        guard written == bytes.count, moded == 0 else {
            unlink(temporary)
            throw Problem(description: "无法写入 \(temporary) / cannot write \(temporary)")
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw Problem(description: "无法替换 \(path) / cannot replace \(path): errno \(errno)")
        }
    }

    /// The audit HMAC key: env first, else the key file, created at first start.
    static func auditKey(directory: String, environment: [String: String]) throws -> SymmetricKey {
        if let value = environment["YIXIAN_AUDIT_KEY"], !value.isEmpty { return try key(from: value) }
        let path = directory + "/" + auditKeyFile
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            chmod(path, 0o600)
            return try key(from: text)
        }
        let key = SymmetricKey(size: .bits256)
        try writePrivate(encode(key) + "\n", to: path)
        return key
    }

    /// The data keys: `YIXIAN_DATA_KEY` (`id:base64,id:base64`, the last one current; or one bare key),
    /// else `sensitive.key` (one `id base64` per line, the last one current), created at first start.
    static func dataKeys(directory: String, environment: [String: String]) throws -> DataKeyRing {
        if let value = environment["YIXIAN_DATA_KEY"], !value.isEmpty {
            var keys: [(String, SymmetricKey)] = []
            for part in value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
                if let colon = part.firstIndex(of: ":"), part.distance(from: part.startIndex, to: colon) <= 32 {
                    keys.append((String(part[..<colon]), try key(from: String(part[part.index(after: colon)...]))))
                } else {
                    let key = try key(from: part)
                    let id = "env-" + SHA256.hash(data: Data(encode(key).utf8)).prefix(4).hexString
                    keys.append((id, key))
                }
            }
            guard let last = keys.last else { throw Problem(description: "YIXIAN_DATA_KEY 为空 / YIXIAN_DATA_KEY is empty") }
            return DataKeyRing(keys: Dictionary(keys, uniquingKeysWith: { $1 }), order: keys.map(\.0), currentID: last.0, fromEnvironment: true)
        }
        let path = directory + "/" + dataKeyFile
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            chmod(path, 0o600)
            var keys: [(String, SymmetricKey)] = []
            for line in text.split(whereSeparator: \.isNewline) {
                let parts = line.split(separator: " ", omittingEmptySubsequences: true)
                guard parts.count == 2 else { continue }
                keys.append((String(parts[0]), try key(from: String(parts[1]))))
            }
            guard let last = keys.last else { throw Problem(description: "\(path) 中没有密钥 / no key in \(path)") }
            return DataKeyRing(keys: Dictionary(keys, uniquingKeysWith: { $1 }), order: keys.map(\.0), currentID: last.0, fromEnvironment: false)
        }
        let ring = DataKeyRing(keys: [:], order: [], currentID: "", fromEnvironment: false).adding(newKeyID(), SymmetricKey(size: .bits256))
        try save(ring, directory: directory)
        return ring
    }

    static func newKeyID() -> String {
        let day = ISO8601DateFormatter.string(from: Date(), timeZone: .gmt, formatOptions: [.withFullDate]).replacingOccurrences(of: "-", with: "")
        return "k\(day)-" + (0..<3).map { _ in UInt8.random(in: 0...255) }.hexString
    }

    static func save(_ ring: DataKeyRing, directory: String) throws {
        let lines = ring.order.compactMap { id in ring.keys[id].map { "\(id) \(encode($0))" } }
        try writePrivate(lines.joined(separator: "\n") + "\n", to: directory + "/" + dataKeyFile)
    }
}

/// The data keys by id; new ciphertexts use `currentID`.
struct DataKeyRing: Sendable {
    var keys: [String: SymmetricKey]
    var order: [String]
    var currentID: String
    var fromEnvironment: Bool

    func adding(_ id: String, _ key: SymmetricKey) -> DataKeyRing {
        var ring = self
        ring.keys[id] = key
        ring.order.removeAll { $0 == id }
        ring.order.append(id)
        ring.currentID = id
        return ring
    }

    func keeping(_ ids: Set<String>) -> DataKeyRing {
        var ring = self
        ring.order = order.filter { ids.contains($0) || $0 == currentID }
        ring.keys = keys.filter { ring.order.contains($0.key) }
        return ring
    }
}

/// Every data key any application of this process has loaded, by id. Key ids carry a random
/// part, so ids of different data directories (tests run many servers at once) never collide;
/// a ciphertext names its key id, so it is opened with the key that sealed it.
enum SealedKeyRegistry {
    private static let keys = NIOLockedValueBox<[String: SymmetricKey]>([:])

    static func register(_ ring: DataKeyRing) {
        keys.withLockedValue { all in for (id, key) in ring.keys { all[id] = key } }
    }

    static func key(_ id: String) -> SymmetricKey? { keys.withLockedValue { $0[id] } }
}

/// Authenticated encryption (AES-256-GCM) of small values, bound to the row they belong to.
enum Sealer {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func seal(_ plaintext: Data, keyID: String, key: SymmetricKey, context: String) throws -> String {
        let box = try AES.GCM.seal(plaintext, using: key, authenticating: Data(context.utf8))
        guard let combined = box.combined else { throw Failure(description: "AES-GCM produced no combined box") }
        return combined.base64EncodedString()
    }

    static func open(_ sealed: String, keyID: String, context: String) throws -> Data {
        guard let key = SealedKeyRegistry.key(keyID) else {
            throw Failure(description: "缺少密钥 \(keyID) / key \(keyID) is not loaded")
        }
        guard let data = Data(base64Encoded: sealed) else { throw Failure(description: "密文格式无效 / malformed ciphertext") }
        return try AES.GCM.open(try AES.GCM.SealedBox(combined: data), using: key, authenticating: Data(context.utf8))
    }
}

extension Data {
    init?(hex: String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.count / 2)
        var iterator = hex.makeIterator()
        while let high = iterator.next() {
            guard let low = iterator.next(), let h = high.hexDigitValue, let l = low.hexDigitValue else { return nil }
            bytes.append(UInt8(h * 16 + l))
        }
        self.init(bytes)
    }

}

extension Sequence<UInt8> {
    /// Lower-case hex, two digits a byte. `String(format: "%02x")` per byte went through vfprintf:
    /// a token's hash on every request and the audit chain's on every write.
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

enum SymmetricKeyFactory {
    static func make() -> SymmetricKey { SymmetricKey(size: .bits256) }
}
