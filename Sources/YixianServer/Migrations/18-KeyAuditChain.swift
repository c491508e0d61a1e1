import Fluent

/// Events hashed before the chain was keyed keep their SHA-256 hashes; this records one keyed
/// event on top of them, so that from here on the chain cannot be re-hashed without the key.
struct KeyAuditChain: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let last = try await AuditEventModel.query(on: database).sort(\.$seq, .descending).first(),
              !last.hash.hasPrefix(AuditTrail.keyedPrefix) else { return }
        let legacy = try await AuditEventModel.query(on: database).sort(\.$seq).all()
        let report = AuditTrail.verify(legacy, key: try database.requireDataProtection().auditKey, checkpoint: nil, checkpointExists: false)
        let broken = report.problems.filter { !$0.reason.en.hasPrefix("no keyed event") }.map(\.seq)
        // The legacy head becomes the first anchor outside the database.
        try database.requireDataProtection().checkpoint.reset(seq: last.seq, hash: last.hash)
        try await database.write { db in
            try await AuditTrail.record("audit.chain.keyed", objectType: "audit", objectID: String(last.seq),
                                        detail: "events 1–\(last.seq) carry unkeyed SHA-256 hashes (head \(last.hash)); from \(last.seq + 1) on HMAC-SHA256. "
                                            + (broken.isEmpty ? "legacy chain verified intact" : "legacy chain broken at \(broken)"),
                                        by: .system, on: db)
        }
    }

    func revert(on database: any Database) async throws {}
}
