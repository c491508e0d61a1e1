import Foundation
import Logging
import NIOConcurrencyHelpers

/// The head of the audit chain, kept outside the database (`audit.checkpoint` in the data
/// directory, 0600) and written to the log: a truncated, renumbered or wiped table no longer
/// matches it.
///
/// `seq`/`hash` is the last head read back *after* its transaction committed; `pendingSeq`/
/// `pendingHash` is the latest append, written inside its transaction (it may still roll back).
struct AuditCheckpoint: Codable, Sendable, Equatable {
    var seq: Int
    var hash: String
    var at: Date
    var pendingSeq: Int?
    var pendingHash: String?
    /// Set when an append found the file gone: sticky, so deleting the file is not forgotten.
    var missingSince: Int?
}

final class AuditCheckpointStore: @unchecked Sendable {
    static let fileName = "audit.checkpoint"
    let path: String
    private let logger: Logger
    private let lock = NIOLock()
    private var confirmScheduled = false
    /// Reads the committed head (set by `configureDataProtection`).
    var headReader: (@Sendable () async throws -> (seq: Int, hash: String)?)? {
        get { lock.withLock { _headReader } }
        set { lock.withLock { _headReader = newValue } }
    }
    private var _headReader: (@Sendable () async throws -> (seq: Int, hash: String)?)?

    init(path: String, logger: Logger) {
        self.path = path
        self.logger = logger
    }

    func read() -> AuditCheckpoint? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(AuditCheckpoint.self, from: data)
    }

    var exists: Bool { FileManager.default.fileExists(atPath: path) }

    private func write(_ checkpoint: AuditCheckpoint) {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        do {
            try KeyFiles.writePrivate(String(decoding: try encoder.encode(checkpoint), as: UTF8.self) + "\n", to: path)
        } catch {
            logger.error("audit checkpoint not written: \(error)")
        }
    }

    /// Called inside the appending transaction, holding the write lock.
    func noteAppend(seq: Int, hash: String) {
        lock.withLock {
            var checkpoint: AuditCheckpoint
            if let existing = read() {
                checkpoint = existing
            } else {
                checkpoint = AuditCheckpoint(seq: 0, hash: "", at: Date(), missingSince: seq > 1 ? seq : nil)
                if seq > 1 { logger.error("audit checkpoint missing at append", metadata: ["seq": .stringConvertible(seq)]) }
            }
            checkpoint.pendingSeq = seq
            checkpoint.pendingHash = hash
            write(checkpoint)
            scheduleConfirm()
        }
    }

    /// Moves the checkpoint forward to a head read from committed data; never backwards.
    func confirm(seq: Int, hash: String) {
        lock.withLock {
            // A missing file is evidence: only an append (which records it) or a restore recreates it.
            guard var checkpoint = read(), seq > checkpoint.seq else { return }
            checkpoint.seq = seq
            checkpoint.hash = hash
            checkpoint.at = Date()
            if let pending = checkpoint.pendingSeq, pending <= seq {
                checkpoint.pendingSeq = nil
                checkpoint.pendingHash = nil
            }
            write(checkpoint)
            logger.info("audit checkpoint", metadata: ["seq": .stringConvertible(seq), "hash": .string(hash)])
        }
    }

    /// Replaces the checkpoint outright: after a restore, the restored head is the truth.
    func reset(seq: Int, hash: String) {
        lock.withLock {
            write(AuditCheckpoint(seq: seq, hash: hash, at: Date()))
            logger.notice("audit checkpoint reset", metadata: ["seq": .stringConvertible(seq), "hash": .string(hash)])
        }
    }

    /// Shortly after an append, reads the committed head and confirms it.
    private func scheduleConfirm() {
        guard !confirmScheduled, let reader = _headReader else { return }
        confirmScheduled = true
        Task.detached { [weak self] in
            try? await Task.sleep(for: .milliseconds(100))
            self?.lock.withLock { self?.confirmScheduled = false }
            if let head = try? await reader() { self?.confirm(seq: head.seq, hash: head.hash) }
        }
    }

    /// Confirms the committed head now (commands call this before they exit).
    func confirmNow() async {
        guard let reader = headReader, let head = try? await reader() else { return }
        confirm(seq: head.seq, hash: head.hash)
    }
}
