import Foundation

/// When a photo was taken, as the camera wrote it (EXIF `DateTimeOriginal`): a wall-clock time,
/// with its UTC offset only when the camera also wrote `OffsetTimeOriginal`.
public struct EvidenceCaptureTime: Hashable, Sendable, Codable {
    public var day: LocalDate
    public var hour: Int
    public var minute: Int
    public var second: Int
    public var utcOffsetSeconds: Int?

    public init(day: LocalDate, hour: Int, minute: Int, second: Int, utcOffsetSeconds: Int? = nil) {
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// The instant, reading the wall clock in the camera's own offset if known, else in `assumedUTCOffsetSeconds`.
    public func instant(assumedUTCOffsetSeconds: Int = 8 * 3600) -> Date {
        let offset = utcOffsetSeconds ?? assumedUTCOffsetSeconds
        return day.startInstant(utcOffsetSeconds: offset).addingTimeInterval(TimeInterval(hour * 3600 + minute * 60 + second))
    }

    /// Parses EXIF's `YYYY:MM:DD HH:MM:SS`; nil for blanks (`0000:00:00 00:00:00`) and impossible values.
    init?(exif text: String, offset: String?) {
        let parts = text.split(whereSeparator: { $0 == ":" || $0 == " " }).map { Int($0) }
        guard parts.count == 6, let y = parts[0], let mo = parts[1], let d = parts[2],
              let h = parts[3], let mi = parts[4], let s = parts[5],
              let day = LocalDate(year: y, month: mo, day: d),
              (0...23).contains(h), (0...59).contains(mi), (0...60).contains(s) else { return nil }
        self.init(day: day, hour: h, minute: mi, second: s, utcOffsetSeconds: offset.flatMap(Self.parseOffset))
    }

    /// `+08:00` → 28800.
    private static func parseOffset(_ text: String) -> Int? {
        let chars = Array(text.utf8)
        guard chars.count == 6, chars[0] == UInt8(ascii: "+") || chars[0] == UInt8(ascii: "-"), chars[3] == UInt8(ascii: ":"),
              let h = Int(String(decoding: chars[1...2], as: UTF8.self)),
              let m = Int(String(decoding: chars[4...5], as: UTF8.self)), h <= 14, m < 60 else { return nil }
        let seconds = h * 3600 + m * 60
        return chars[0] == UInt8(ascii: "-") ? -seconds : seconds
    }
}

/// Reads the capture time out of an EXIF TIFF structure. Never throws: EXIF is dropped from the
/// stored file anyway, so a broken block just means no capture time.
enum EvidenceEXIFReader {
    private static let exifIFDPointer: UInt16 = 0x8769
    private static let dateTimeOriginal: UInt16 = 0x9003
    private static let dateTimeDigitized: UInt16 = 0x9004
    private static let offsetTimeOriginal: UInt16 = 0x9011
    private static let asciiType: UInt16 = 2
    private static let longType: UInt16 = 4

    /// `tiff` starts at the TIFF header (`II*\0` or `MM\0*`); a leading `Exif\0\0` is skipped.
    static func captureTime(_ bytes: ArraySlice<UInt8>) -> EvidenceCaptureTime? {
        var tiff = bytes
        if tiff.starts(with: Array("Exif\0\0".utf8)) { tiff = tiff.dropFirst(6) }
        let t = Array(tiff)
        guard t.count >= 8 else { return nil }
        let little: Bool
        switch (t[0], t[1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return nil
        }
        func u16(_ at: Int) -> UInt16? {
            guard at >= 0, at + 2 <= t.count else { return nil }
            return little ? UInt16(t[at]) | UInt16(t[at + 1]) << 8 : UInt16(t[at]) << 8 | UInt16(t[at + 1])
        }
        func u32(_ at: Int) -> UInt32? {
            guard let a = u16(at), let b = u16(at + 2) else { return nil }
            return little ? UInt32(a) | UInt32(b) << 16 : UInt32(a) << 16 | UInt32(b)
        }
        guard u16(2) == 42, let ifd0 = u32(4) else { return nil }

        /// Entries of one IFD as tag → (type, count, value-or-offset field position).
        func entries(_ offset: UInt32) -> [UInt16: (type: UInt16, count: UInt32, field: Int)] {
            let start = Int(offset)
            guard let n = u16(start), Int(n) <= 1000 else { return [:] }
            var result: [UInt16: (UInt16, UInt32, Int)] = [:]
            for i in 0..<Int(n) {
                let at = start + 2 + 12 * i
                guard let tag = u16(at), let type = u16(at + 2), let count = u32(at + 4), at + 12 <= t.count else { break }
                result[tag] = (type, count, at + 8)
            }
            return result
        }
        func ascii(_ entry: (type: UInt16, count: UInt32, field: Int)?) -> String? {
            guard let entry, entry.type == asciiType, entry.count > 0, entry.count < 64 else { return nil }
            let count = Int(entry.count)
            let start = count <= 4 ? entry.field : u32(entry.field).map(Int.init) ?? -1
            guard start >= 0, start + count <= t.count else { return nil }
            let text = t[start..<(start + count)].prefix { $0 != 0 }
            return String(decoding: text, as: UTF8.self)
        }

        let root = entries(ifd0)
        guard let pointer = root[exifIFDPointer], pointer.type == longType, let exifOffset = u32(pointer.field) else { return nil }
        let exif = entries(exifOffset)
        let offset = ascii(exif[offsetTimeOriginal])
        for tag in [dateTimeOriginal, dateTimeDigitized] {
            if let text = ascii(exif[tag]), let time = EvidenceCaptureTime(exif: text, offset: offset) { return time }
        }
        return nil
    }
}
