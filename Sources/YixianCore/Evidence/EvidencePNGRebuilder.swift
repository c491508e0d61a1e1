import Foundation

/// Checks every PNG chunk's CRC and copies only the chunks needed to draw the image.
enum EvidencePNGRebuilder {
    private static let kept: Set<String> = ["IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA", "sRGB", "pHYs"]

    static func rebuild(_ b: [UInt8], limits: EvidenceLimits) throws(EvidenceError) -> EvidenceRebuiltImage {
        func bad(_ zh: String, _ en: String) -> EvidenceError { .malformed(.png, zh: zh, en: en) }
        func u32(_ at: Int) -> Int { Int(b[at]) << 24 | Int(b[at + 1]) << 16 | Int(b[at + 2]) << 8 | Int(b[at + 3]) }
        let n = b.count
        guard n >= 8, Array(b[0..<8]) == EvidenceKind.pngSignature else { throw bad("文件签名错误", "a wrong signature") }
        var out = EvidenceKind.pngSignature
        out.reserveCapacity(n)
        var i = 8
        var size: (width: Int, height: Int)?
        var colourType: UInt8 = 0
        var sawPalette = false, sawData = false
        var captureTime: EvidenceCaptureTime?

        while true {
            guard i + 12 <= n else { throw bad("文件被截断（缺少 IEND）", "the file is truncated (no IEND)") }
            let length = u32(i)
            guard length <= 0x7FFF_FFFF, i + 12 + length <= n else { throw bad("数据块长度越界", "a chunk runs past the end of the file") }
            let typeBytes = b[(i + 4)..<(i + 8)]
            guard typeBytes.allSatisfy({ (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) else {
                throw bad("数据块类型无效", "an invalid chunk type")
            }
            let type = String(decoding: typeBytes, as: UTF8.self)
            let dataStart = i + 8, chunkEnd = i + 12 + length
            guard EvidencePNGCRC.checksum(b[(i + 4)..<dataStart + length]) == UInt32(u32(dataStart + length)) else {
                throw bad("数据块 \(type) 校验和错误", "chunk \(type) fails its CRC")
            }
            let data = b[dataStart..<(dataStart + length)]
            guard (type == "IHDR") == (size == nil) else { throw bad("IHDR 必须是第一个且唯一的数据块", "IHDR must come first, once") }

            switch type {
            case "IHDR":
                guard length == 13 else { throw bad("IHDR 长度错误", "a wrong IHDR length") }
                let width = u32(dataStart), height = u32(dataStart + 4)
                guard width > 0, height > 0 else { throw bad("图像尺寸为零", "zero image dimensions") }
                try limits.checkDimensions(width: width, height: height)
                let depth = b[dataStart + 8]
                colourType = b[dataStart + 9]
                let allowedDepths: [UInt8: [UInt8]] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
                guard allowedDepths[colourType]?.contains(depth) == true, b[dataStart + 10] == 0, b[dataStart + 11] == 0,
                      b[dataStart + 12] <= 1 else { throw bad("IHDR 参数无效", "invalid IHDR fields") }
                size = (width, height)
            case "PLTE": sawPalette = true
            case "IDAT": sawData = true
            case "eXIf":
                if captureTime == nil { captureTime = EvidenceEXIFReader.captureTime(data) }
            default:
                // Unknown critical chunks (upper-case first letter) cannot be skipped safely.
                if !kept.contains(type), typeBytes.first! < 0x61 {
                    throw bad("不支持的关键数据块 \(type)", "an unsupported critical chunk \(type)")
                }
            }
            if kept.contains(type) { out += b[i..<chunkEnd] }
            i = chunkEnd
            if type == "IEND" { break }  // anything after IEND is dropped
        }
        guard let size, sawData else { throw bad("没有图像数据", "no image data") }
        guard colourType != 3 || sawPalette else { throw bad("调色板图像缺少 PLTE", "a palette image without PLTE") }
        return EvidenceRebuiltImage(bytes: out, width: size.width, height: size.height, captureTime: captureTime)
    }
}

/// CRC-32 as PNG (and zlib) use it.
enum EvidencePNGCRC {
    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes { c = table[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
