import Foundation

/// Random (version 4) UUIDs for bulk inserts, read from the kernel 4 KB at a time. On Linux
/// `UUID()` opens and reads `/dev/urandom` once per id: a twentieth of a 30,000-student import.
struct UUIDBatch {
    private var buffer = [UInt8](repeating: 0, count: 4096)
    private var offset = 4096

    mutating func next() -> UUID {
        if offset == buffer.count { refill() }
        defer { offset += 16 }
        return buffer.withUnsafeBytes { raw in
            var b = (raw[offset], raw[offset + 1], raw[offset + 2], raw[offset + 3], raw[offset + 4], raw[offset + 5],
                     raw[offset + 6], raw[offset + 7], raw[offset + 8], raw[offset + 9], raw[offset + 10], raw[offset + 11],
                     raw[offset + 12], raw[offset + 13], raw[offset + 14], raw[offset + 15])
            b.6 = (b.6 & 0x0F) | 0x40  // version 4
            b.8 = (b.8 & 0x3F) | 0x80  // RFC 4122 variant
            return UUID(uuid: b)
        }
    }

    /// `count` random ids in ascending byte order (how SQLite and PostgreSQL order them), all in
    /// `band` of `bands` equal slices of the id space (by their first two bytes): ids drawn for
    /// band 0, then 1, then 2 … ascend across the calls too.
    mutating func ascending(_ count: Int, band: Int = 0, of bands: Int = 1) -> [UUID] {
        precondition(bands >= 1 && bands <= 65_536 && (0..<bands).contains(band), "a band of at most 65,536")
        func key(_ id: UUID) -> (UInt64, UInt64) {
            withUnsafeBytes(of: id.uuid) { raw in (UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self)),
                                                   UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))) }
        }
        let low = band * 65_536 / bands, width = (band + 1) * 65_536 / bands - low
        let banded: [UUID] = (0..<count).map { _ in
            var id = next().uuid
            guard bands > 1 else { return UUID(uuid: id) }
            let prefix = low + Int(UInt16(id.0) << 8 | UInt16(id.1)) % width
            id.0 = UInt8(prefix >> 8)
            id.1 = UInt8(prefix & 0xFF)
            return UUID(uuid: id)
        }
        return banded.map { (key($0), $0) }.sorted { $0.0 < $1.0 }.map(\.1)
    }

    private mutating func refill() {
        // One read per 256 ids; the system generator (one call per 8 bytes) if the device is missing.
        if let handle = FileHandle(forReadingAtPath: "/dev/urandom"), let data = try? handle.read(upToCount: buffer.count),
           data.count == buffer.count {
            try? handle.close()
            buffer = [UInt8](data)
        } else {
            var generator = SystemRandomNumberGenerator()
            for i in buffer.indices { buffer[i] = UInt8.random(in: .min ... .max, using: &generator) }
        }
        offset = 0
    }
}
