import Fluent
import Foundation

/// `yixian keys rotate`: a new data key becomes current (appended to `sensitive.key`; with
/// `YIXIAN_DATA_KEY` the operator appends it to the env and the last one is current), every
/// sensitive row is re-encrypted under it in one transaction, and old keys stay readable
/// until `--prune` drops them.
enum KeyRotation {
    static func rotate(_ protection: DataProtection, prune: Bool, on db: any Database) async throws -> String {
        var ring = protection.keyRing
        if !ring.fromEnvironment {
            ring = ring.adding(KeyFiles.newKeyID(), SymmetricKeyFactory.make())
            try KeyFiles.save(ring, directory: protection.dataDirectory)
            protection.replaceKeyRing(ring)
        }
        let current = ring.currentID
        let (changed, total) = try await db.write { db in
            let rows = try await StudentSensitiveModel.query(on: db).all()
            var changed = 0
            for row in rows where row.keyID != current {
                row.apply(try row.unsealed())
                try await row.save(on: db)
                changed += 1
            }
            try await AuditTrail.record("keys.rotate", objectType: "data_key", objectID: current,
                                        detail: "\(changed) of \(rows.count) sensitive rows re-encrypted", by: .init(id: nil, name: "cli"), on: db)
            return (changed, rows.count)
        }
        if prune, !ring.fromEnvironment {
            let pruned = ring.keeping([current])
            try KeyFiles.save(pruned, directory: protection.dataDirectory)
            protection.replaceKeyRing(pruned)
        }
        return "data key \(current): \(changed) of \(total) rows re-encrypted" + (prune ? "; old keys pruned" : "; old keys kept in \(KeyFiles.dataKeyFile)")
    }
}
