import Crypto
import Fluent
import Foundation
import Vapor
import YixianCore

/// A photo or sign-in sheet attached to a ledger line; the bytes live in the evidence store.
final class AttachmentModel: Model, @unchecked Sendable {
    static let schema = "attachments"
    @ID var id: UUID?
    @Parent(key: "record_id") var record: ContactRecordModel
    @Field(key: "sha256") var sha256: String
    @Field(key: "kind") var kind: String
    @Field(key: "size") var size: Int
    @OptionalField(key: "capture_time") var captureTime: Date?
    @Field(key: "original_name") var originalName: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// Content-addressed files on disk (`evidence/ab/abcdef…`), checked against their hash on every read.
/// An object store can implement the same two calls later.
struct EvidenceStore: Sendable {
    var root: URL

    init(dataDirectory: String) {
        root = URL(fileURLWithPath: dataDirectory).appendingPathComponent("evidence")
    }

    func url(_ sha256: String) -> URL {
        root.appendingPathComponent(String(sha256.prefix(2))).appendingPathComponent(sha256)
    }

    /// Writes once: the same content is stored once however many records use it.
    func put(_ evidence: SanitizedEvidence) throws {
        let target = url(evidence.sha256)
        if FileManager.default.fileExists(atPath: target.path) { return }
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Write a temporary file, fsync it, then rename: an acknowledged upload survives a crash,
        // and a reader never sees half a file.
        let temporary = target.appendingPathExtension("tmp-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: temporary.path, contents: evidence.bytes) else {
            throw AppError(.internalServerError, code: .evidenceWrite, zh: "附件保存失败", en: "Could not store the file")
        }
        let handle = try FileHandle(forUpdating: temporary)
        try handle.synchronize()
        try handle.close()
        try? FileManager.default.moveItem(at: temporary, to: target)
        try? FileManager.default.removeItem(at: temporary)
    }

    func get(_ sha256: String) throws -> Data {
        let data = try Data(contentsOf: url(sha256))
        guard EvidenceSanitizer.verify(data, sha256: sha256) else {
            throw AppError(.internalServerError, code: .evidenceCorrupt, zh: "附件文件校验失败，可能已被篡改或损坏", en: "The stored file fails its hash check")
        }
        return data
    }
}

enum EvidenceService {
    struct Upload: Sendable {
        var name: String
        var data: Data
    }

    static let maxFiles = EvidenceLimits().maxFilesPerRecord

    /// Checks every file before anything is stored: type by content, size, count, active content.
    static func sanitize(_ uploads: [Upload], existing: Int = 0, limit: Int = maxFiles, field: String = "photos") throws -> [(Upload, SanitizedEvidence)] {
        let sanitizer = EvidenceSanitizer()
        guard existing + uploads.count <= limit else {
            throw AppError.field(field, zh: "最多 \(limit) 个附件", en: "at most \(limit) files")
        }
        return try uploads.map { upload in
            do {
                return (upload, try sanitizer.sanitize(upload.data))
            } catch let error as EvidenceError {
                throw AppError.field(field, zh: "“\(upload.name)”：\(error.message.zh)", en: "\(upload.name): \(error.message.en)")
            }
        }
    }

    /// The same checks on a worker thread: rebuilding a 10 MB photo takes seconds of CPU, and on an
    /// event loop it would stall every other request of that loop (two uploads froze `/healthz`).
    static func sanitizeOffLoop(_ uploads: [Upload], existing: Int = 0, limit: Int = maxFiles, field: String = "photos") async throws -> [(Upload, SanitizedEvidence)] {
        guard !uploads.isEmpty else { return try sanitize(uploads, existing: existing, limit: limit, field: field) }
        return try await NIOThreadPool.singleton.runIfActive { try sanitize(uploads, existing: existing, limit: limit, field: field) }
    }

    static func attach(_ files: [(Upload, SanitizedEvidence)], to recordID: UUID, store: EvidenceStore, on db: any Database) async throws {
        for (upload, evidence) in files {
            try store.put(evidence)
            let model = AttachmentModel()
            model.$record.id = recordID
            model.sha256 = evidence.sha256
            model.kind = evidence.kind.rawValue
            model.size = evidence.bytes.count
            model.captureTime = evidence.captureTime?.instant()
            model.originalName = String(upload.name.prefix(120))
            model.createdAt = Date()
            try await model.create(on: db)
        }
    }
}

extension EvidenceService {
    /// A stored file as a response. Photos are rebuilt pixel by pixel and safe to show; a PDF is
    /// checked but not rebuilt, so it is only ever downloaded, and sandboxed should a browser render it anyway.
    static func fileResponse(sha256: String, kind rawKind: String, downloadName: String? = nil, store: EvidenceStore) throws -> Response {
        let data = try store.get(sha256)
        let response = Response(status: .ok, body: .init(data: data))
        let kind = EvidenceKind(rawValue: rawKind) ?? .pdf
        response.headers.replaceOrAdd(name: .contentType, value: kind.mimeType)
        let disposition = kind == .pdf ? "attachment" : "inline"
        let ascii = "\(sha256.prefix(12)).\(kind.fileExtension)"
        response.headers.replaceOrAdd(name: .contentDisposition, value: downloadName.map {
            ImportExport.contentDisposition(ascii: ascii, name: $0).replacingOccurrences(of: "attachment;", with: "\(disposition);")
        } ?? "\(disposition); filename=\"\(ascii)\"")
        response.headers.replaceOrAdd(name: "Content-Security-Policy", value: "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'")
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, max-age=86400")
        return response
    }
}

extension Application {
    var evidenceStore: EvidenceStore { EvidenceStore(dataDirectory: yixian.dataDirectory) }
}
