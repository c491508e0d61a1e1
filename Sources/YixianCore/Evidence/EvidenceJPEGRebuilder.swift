import Foundation

/// Walks a JPEG's segments and copies only those needed to draw the image.
enum EvidenceJPEGRebuilder {
    static func rebuild(_ b: [UInt8], limits: EvidenceLimits) throws(EvidenceError) -> EvidenceRebuiltImage {
        func bad(_ zh: String, _ en: String) -> EvidenceError { .malformed(.jpeg, zh: zh, en: en) }
        let n = b.count
        guard n >= 4, b[0] == 0xFF, b[1] == 0xD8 else { throw bad("缺少起始标记", "no start-of-image marker") }
        var out: [UInt8] = [0xFF, 0xD8]
        out.reserveCapacity(n)
        var i = 2
        var size: (width: Int, height: Int)?
        var sawScan = false
        var captureTime: EvidenceCaptureTime?

        while true {
            guard i < n, b[i] == 0xFF else { throw bad("第 \(i) 字节处应为段标记", "expected a marker at byte \(i)") }
            while i < n, b[i] == 0xFF { i += 1 }  // fill bytes
            guard i < n else { throw bad("文件被截断", "the file is truncated") }
            let marker = b[i]
            i += 1
            if marker == 0xD9 {
                guard sawScan else { throw bad("没有图像数据", "no image data before the end marker") }
                out += [0xFF, 0xD9]
                break  // anything after EOI is dropped
            }
            guard marker != 0x00, marker != 0x01, marker != 0xD8, !(0xD0...0xD7).contains(marker) else {
                throw bad("段标记位置错误", "a stray marker 0x\(String(marker, radix: 16))")
            }
            guard i + 2 <= n else { throw bad("文件被截断", "the file is truncated") }
            let length = Int(b[i]) << 8 | Int(b[i + 1])
            guard length >= 2, i + length <= n else { throw bad("段长度越界", "a segment runs past the end of the file") }
            let segment = b[(i - 2)..<(i + length)]  // marker through payload
            let payload = b[(i + 2)..<(i + length)]
            let segmentEnd = i + length

            switch marker {
            case 0xE0:
                // Only a bare JFIF header is kept, with its thumbnail removed: APP0 can carry any bytes.
                if payload.count >= 14, payload.starts(with: Array("JFIF\0".utf8)) {
                    out += [0xFF, 0xE0, 0x00, 0x10]
                    out += payload.prefix(12)
                    out += [0, 0]
                }
            case 0xE1:
                if captureTime == nil { captureTime = EvidenceEXIFReader.captureTime(payload) }
            case 0xEE:
                // Adobe's 12-byte APP14 only says how colours are coded; CMYK scans decode wrongly without it.
                if length == 14, payload.starts(with: Array("Adobe".utf8)) { out += segment }
            case 0xE2...0xEF, 0xFE:
                break  // ICC, XMP extensions, maker data, comments
            case 0xC0...0xCF where marker != 0xC4 && marker != 0xC8 && marker != 0xCC:
                guard size == nil else { throw bad("含有多个帧", "more than one frame") }
                guard payload.count >= 6 else { throw bad("帧头过短", "a short frame header") }
                let height = Int(payload[payload.startIndex + 1]) << 8 | Int(payload[payload.startIndex + 2])
                let width = Int(payload[payload.startIndex + 3]) << 8 | Int(payload[payload.startIndex + 4])
                guard width > 0, height > 0 else { throw bad("图像尺寸为零", "zero image dimensions") }
                try limits.checkDimensions(width: width, height: height)
                size = (width, height)
                out += segment
            case 0xC4, 0xCC, 0xDB, 0xDD:
                out += segment  // DHT, DAC, DQT, DRI
            case 0xDA:
                guard size != nil else { throw bad("图像数据前缺少帧头", "a scan before the frame header") }
                out += segment
                // Entropy-coded data runs to the next marker that is neither stuffing (FF00) nor a restart (FFD0–D7).
                var j = segmentEnd
                while j < n {
                    if b[j] == 0xFF, j + 1 < n, b[j + 1] != 0x00, !(0xD0...0xD7).contains(b[j + 1]) { break }
                    j += 1
                }
                guard j + 1 < n else { throw bad("文件被截断", "the file is truncated") }
                out += b[segmentEnd..<j]
                sawScan = true
                i = j
                continue
            default:
                throw bad("不支持的段 0x\(String(marker, radix: 16))", "unsupported segment 0x\(String(marker, radix: 16))")
            }
            i = segmentEnd
        }
        guard let size else { throw bad("缺少帧头", "no frame header") }
        return EvidenceRebuiltImage(bytes: out, width: size.width, height: size.height, captureTime: captureTime)
    }
}
