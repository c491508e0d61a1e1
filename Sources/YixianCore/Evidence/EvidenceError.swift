import Foundation

/// Why an uploaded evidence file was refused, with a message for the cadre in both languages.
public struct EvidenceError: Error, Hashable, Sendable {
    public enum Code: String, Sendable, Codable {
        case empty, tooLarge, tooManyFiles, unsupportedType, malformed, dimensionsTooLarge, activeContent, uninspectable
    }

    public var code: Code
    public var message: Localized

    public init(_ code: Code, _ message: Localized) {
        self.code = code
        self.message = message
    }

    static let empty = EvidenceError(.empty, Localized(zh: "文件为空。", en: "The file is empty."))

    static func tooLarge(bytes: Int, limit: Int) -> EvidenceError {
        EvidenceError(.tooLarge, Localized(
            zh: "文件过大（\(megabytes(bytes))），上限为 \(megabytes(limit))。",
            en: "The file is too large (\(megabytes(bytes))); the limit is \(megabytes(limit))."))
    }

    static func tooManyFiles(count: Int, limit: Int) -> EvidenceError {
        EvidenceError(.tooManyFiles, Localized(
            zh: "每条记录最多 \(limit) 个附件，本次共 \(count) 个。",
            en: "A record takes at most \(limit) attachments; this one has \(count)."))
    }

    static let unsupportedType = EvidenceError(.unsupportedType, Localized(
        zh: "只接受 JPEG、PNG 图片或 PDF 文件（按文件内容识别，不看扩展名）。",
        en: "Only JPEG or PNG images and PDF files are accepted (recognised by content, not by name)."))

    static func malformed(_ kind: EvidenceKind, zh: String, en: String) -> EvidenceError {
        EvidenceError(.malformed, Localized(
            zh: "\(kind.label.zh)文件结构有误：\(zh)。",
            en: "The \(kind.label.en) file is malformed: \(en)."))
    }

    static func dimensionsTooLarge(width: Int, height: Int, limit: EvidenceLimits) -> EvidenceError {
        EvidenceError(.dimensionsTooLarge, Localized(
            zh: "图片尺寸 \(width)×\(height) 超出上限 \(limit.maxPixelWidth)×\(limit.maxPixelHeight)。",
            en: "The image is \(width)×\(height) pixels; the limit is \(limit.maxPixelWidth)×\(limit.maxPixelHeight)."))
    }

    static func activeContent(_ names: [String]) -> EvidenceError {
        let list = names.map { "/" + $0 }.joined(separator: ", ")
        return EvidenceError(.activeContent, Localized(
            zh: "PDF 含有脚本、启动动作、嵌入文件或网页代码（\(list)），出于安全原因不予接受；请打印后扫描，或另存为普通 PDF。",
            en: "The PDF contains scripts, launch actions, embedded files or web code (\(list)) and is refused for safety; print and scan it, or save it as a plain PDF."))
    }

    static let uninspectable = EvidenceError(.uninspectable, Localized(
        zh: "PDF 中有无法检查的压缩对象，不予接受；请另存为普通 PDF 后再上传。",
        en: "The PDF has compressed objects that cannot be inspected; save it as a plain PDF and upload again."))

    private static func megabytes(_ bytes: Int) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_048_576)
    }
}
