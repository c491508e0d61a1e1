@preconcurrency import Crypto
import Fluent
import Foundation
import SQLKit
import Vapor
import YixianCore

/// The append-only audit trail. Each event's hash is an HMAC-SHA256, keyed with a key kept
/// outside the database, over its fields and the previous event's hash; the head is anchored
/// outside the database in a checkpoint file and the log; triggers refuse UPDATE and DELETE.
/// So an edited row, a chain re-hashed without the key, a renumbered or truncated tail and a
/// wiped table are all found by `verifyReport`.
///
/// Events written before keying carry a bare SHA-256 hash (64 hex digits); keyed ones start
/// with `h1:`. Bare hashes are accepted only before the first keyed event, and the chain must
/// contain a keyed event (the migration that introduced keying records one), which pins them.
enum AuditTrail {
    static let keyedPrefix = "h1:"

    struct Actor: Sendable {
        var id: UUID?
        var name: String

        static let system = Actor(id: nil, name: "system")
        init(id: UUID?, name: String) {
            self.id = id
            self.name = name
        }
        init(_ user: CurrentUser) {
            self.init(id: user.id, name: user.username)
        }
    }

    /// Appends an event. Call inside the same write transaction as the change it records,
    /// so both commit or neither does.
    static func record(_ action: String, objectType: String, objectID: String, detail: String = "", by actor: Actor,
                       on db: any Database) async throws {
        let protection = try db.requireDataProtection()
        if !db.isSQLite, let sql = db as? any SQLDatabase {
            // Serialises appenders on PostgreSQL; SQLite's IMMEDIATE transaction already does.
            try await sql.raw("SELECT pg_advisory_xact_lock(7741)").run()
        }
        // Within a group commit the head is the one the batch's previous writer appended.
        let committer = db.groupCommitter
        let last = if let head = committer?.remembered(Self.headMemo, as: ChainHead.self) { head } else { try await chainHead(on: db) }
        let event = AuditEventModel()
        event.seq = (last?.seq ?? 0) + 1
        // Whole milliseconds, so the hash recomputed from the stored value matches on every database.
        event.at = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded() / 1000)
        event.actorID = actor.id
        event.actorName = actor.name
        event.action = action
        event.objectType = objectType
        event.objectID = objectID
        event.detail = detail
        event.prevHash = last?.hash ?? ""
        event.hash = keyedHash(of: event, key: protection.auditKey)
        try await insert(event, on: db)
        committer?.remember(Self.headMemo, ChainHead(seq: event.seq, hash: event.hash))
        let (seq, hash, checkpoint) = (event.seq, event.hash, protection.checkpoint)
        // A batch of writers appends many events; the checkpoint file names the last, once, before the batch commits.
        // Not the very first event: it creates the file, and a later event of the same batch finding no
        // file would record it as removed (a fresh install's first import appends two).
        let deferred = seq > 1 && (committer?.beforeCommit("audit-checkpoint") { checkpoint.noteAppend(seq: seq, hash: hash) } ?? false)
        if !deferred { checkpoint.noteAppend(seq: seq, hash: hash) }
    }

    /// Every write appends one event: a plain INSERT, as Fluent's `create` reflects over the model's properties each time.
    private static func insert(_ event: AuditEventModel, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return try await event.create(on: db) }
        let id = UUID()
        try await sql.raw("""
            INSERT INTO audit_events (id, seq, at, actor_id, actor_name, action, object_type, object_id, detail, prev_hash, hash) \
            VALUES (\(bind: id), \(bind: event.seq), \(bind: event.at), \(bind: event.actorID), \(bind: event.actorName), \(bind: event.action), \
            \(bind: event.objectType), \(bind: event.objectID), \(bind: event.detail), \(bind: event.prevHash), \(bind: event.hash))
            """).run()
        event.id = id
    }

    private struct ChainHead: Sendable, Decodable {
        var seq: Int
        var hash: String
    }
    private static let headMemo = "audit-chain-head"

    /// The last event's number and hash: every write appends one, so it is read as a plain row.
    private static func chainHead(on db: any Database) async throws -> ChainHead? {
        guard let sql = db as? any SQLDatabase else {
            return try await AuditEventModel.query(on: db).sort(\.$seq, .descending).first().map { ChainHead(seq: $0.seq, hash: $0.hash) }
        }
        return try await sql.raw("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").first(decoding: ChainHead.self)
    }

    /// Records in a transaction of its own (for events not tied to a change: reads, refusals).
    static func recordAlone(_ action: String, objectType: String, objectID: String, detail: String = "", by actor: Actor,
                            on db: any Database) async throws {
        try await db.write { db in
            try await record(action, objectType: objectType, objectID: objectID, detail: detail, by: actor, on: db)
        }
    }

    private static func fields(of event: AuditEventModel) -> [String] {
        let millis = Int64((event.at.timeIntervalSince1970 * 1000).rounded())
        return [String(event.seq), String(millis), event.actorID?.uuidString ?? "", event.actorName, event.action,
                event.objectType, event.objectID, event.detail, event.prevHash]
    }

    /// The unkeyed hash of events written before keying.
    static func legacyHash(of event: AuditEventModel) -> String {
        SHA256.hash(data: Data(fields(of: event).joined(separator: "\u{1F}").utf8)).hexString
    }

    static func keyedHash(of event: AuditEventModel, key: SymmetricKey) -> String {
        let message = Data((["yixian-audit-v1"] + fields(of: event)).joined(separator: "\u{1F}").utf8)
        return keyedPrefix + Data(HMAC<SHA256>.authenticationCode(for: message, using: key)).hexString
    }

    /// The head, if its HMAC holds and the row the checkpoint names still has the checkpoint's
    /// hash (what the checkpoint may move forward to: never past evidence of a rewrite).
    static func head(on db: any Database, key: SymmetricKey, checkpoint: AuditCheckpoint?) async throws -> (seq: Int, hash: String)? {
        guard let last = try await AuditEventModel.query(on: db).sort(\.$seq, .descending).first(),
              last.hash.hasPrefix(keyedPrefix), keyedHash(of: last, key: key) == last.hash else { return nil }
        if let checkpoint, checkpoint.seq > 0 {
            guard let anchored = try await AuditEventModel.query(on: db).filter(\.$seq == checkpoint.seq).first(),
                  anchored.hash == checkpoint.hash else { return nil }
        }
        return (last.seq, last.hash)
    }

    struct Problem: Sendable, Equatable {
        var seq: Int
        var reason: Localized
    }

    struct Report: Sendable {
        var count = 0
        var headSeq: Int?
        var checkpoint: AuditCheckpoint?
        var problems: [Problem] = []
        /// Not a break: the latest append was not found (rolled back, or the last row removed).
        var notes: [Localized] = []
        var intact: Bool { problems.isEmpty }
        var firstBad: Problem? { problems.min { $0.seq < $1.seq } }
    }

    /// The sequence numbers where the chain is broken (empty when intact).
    static func verify(on db: any Database) async throws -> [Int] {
        Array(Set(try await verifyReport(on: db).problems.map(\.seq))).sorted()
    }

    static func verifyReport(on db: any Database) async throws -> Report {
        let protection = try db.requireDataProtection()
        // The checkpoint first: read after the rows, a concurrent append could move it past them.
        let checkpoint = protection.checkpoint.read(), checkpointExists = protection.checkpoint.exists
        let events = try await AuditEventModel.query(on: db).sort(\.$seq).all()
        var report = verify(events, key: protection.auditKey, checkpoint: checkpoint, checkpointExists: checkpointExists)
        if report.intact, let last = events.last, last.hash.hasPrefix(keyedPrefix) {
            protection.checkpoint.confirm(seq: last.seq, hash: last.hash)
            report.checkpoint = protection.checkpoint.read()
        }
        return report
    }

    static func verify(_ events: [AuditEventModel], key: SymmetricKey, checkpoint: AuditCheckpoint?, checkpointExists: Bool) -> Report {
        var report = Report(count: events.count, headSeq: events.last?.seq, checkpoint: checkpoint)
        func problem(_ seq: Int, _ zh: String, _ en: String) { report.problems.append(Problem(seq: seq, reason: Localized(zh: zh, en: en))) }
        var previous = ""
        var expectedSeq = 1
        var keyed = false
        var bySeq: [Int: String] = [:]
        for event in events {
            bySeq[event.seq] = event.hash
            if event.seq != expectedSeq {
                problem(event.seq, "序号不连续：应为 \(expectedSeq)（记录被删除或重新编号）", "sequence gap: expected \(expectedSeq) (rows removed or renumbered)")
            } else if event.prevHash != previous {
                problem(event.seq, "与上一条记录的链接断开", "link to the previous event is broken")
            } else if event.hash.hasPrefix(keyedPrefix) {
                keyed = true
                if keyedHash(of: event, key: key) != event.hash {
                    problem(event.seq, "HMAC 不符：内容被改动，或未持有密钥而重算了哈希", "HMAC mismatch: the row was edited, or re-hashed without the key")
                }
            } else if keyed {
                problem(event.seq, "带密钥的链开始后出现了不带密钥的哈希（伪造）", "an unkeyed hash after the keyed chain began (forged)")
            } else if legacyHash(of: event) != event.hash {
                problem(event.seq, "内容被改动（旧式哈希不符）", "the row was edited (legacy hash mismatch)")
            }
            previous = event.hash
            expectedSeq = event.seq + 1
        }
        if let first = events.first, !keyed {
            problem(first.seq, "整条链没有带密钥的记录：自第一条起均可能被不持有密钥的人整体重算", "no keyed event in the chain: from the first row on it may have been re-hashed wholesale without the key")
        }
        if let checkpoint {
            let lastSeq = events.last?.seq ?? 0
            if let missing = checkpoint.missingSince {
                problem(max(missing - 1, 1), "追加序号 \(missing) 时检查点文件已缺失：此前的记录失去库外锚定", "the checkpoint file was missing when seq \(missing) was appended: earlier rows lost their anchor")
            }
            if checkpoint.seq > 0 {
                if events.isEmpty {
                    problem(checkpoint.seq, "审计表为空，但检查点记录到序号 \(checkpoint.seq)（表被清空）", "the audit table is empty but the checkpoint records seq \(checkpoint.seq) (wiped)")
                } else if lastSeq < checkpoint.seq {
                    problem(lastSeq + 1, "表在序号 \(lastSeq) 处结束，但检查点记录到 \(checkpoint.seq)（尾部被截断）",
                            "the table ends at seq \(lastSeq) but the checkpoint records \(checkpoint.seq) (tail truncated)")
                } else if bySeq[checkpoint.seq] != checkpoint.hash {
                    problem(checkpoint.seq, "序号 \(checkpoint.seq) 与检查点记录的哈希不符（被重写或重新编号）",
                            "seq \(checkpoint.seq) does not match the checkpoint's hash (rewritten or renumbered)")
                }
            }
            if let pending = checkpoint.pendingSeq, let pendingHash = checkpoint.pendingHash {
                if let stored = bySeq[pending] {
                    if stored != pendingHash {
                        problem(pending, "序号 \(pending) 与最近一次追加时的哈希不符", "seq \(pending) does not match the hash of its append")
                    }
                } else if pending > checkpoint.seq {
                    report.notes.append(Localized(zh: "最近一次追加（序号 \(pending)）不在表中：事务已回滚，或最后一条被删除",
                                                  en: "the latest append (seq \(pending)) is not in the table: rolled back, or the last row was removed"))
                }
            }
        } else if checkpointExists || keyed {
            problem(events.last?.seq ?? 0, "检查点文件缺失或无法读取", "the checkpoint file is missing or unreadable")
        }
        return report
    }
}
