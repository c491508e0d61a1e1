@preconcurrency import Crypto
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// What protects data at rest for one application: the audit HMAC key, the data keys and
/// the audit checkpoint, all in the data directory (never in the database). It rides on the
/// database configuration as a model middleware, so any `Database` handle — a transaction's
/// connection or a migration's — reaches it, and it seals sensitive rows on every save.
final class DataProtection: Sendable {
    let dataDirectory: String
    let auditKey: SymmetricKey
    private let ring: NIOLockedValueBox<DataKeyRing>
    let checkpoint: AuditCheckpointStore
    let logger: Logger

    init(dataDirectory: String, auditKey: SymmetricKey, ring: DataKeyRing, logger: Logger) {
        self.dataDirectory = dataDirectory
        self.auditKey = auditKey
        self.ring = NIOLockedValueBox(ring)
        self.logger = logger
        self.checkpoint = AuditCheckpointStore(path: dataDirectory + "/" + AuditCheckpointStore.fileName, logger: logger)
        SealedKeyRegistry.register(ring)
    }

    var keyRing: DataKeyRing { ring.withLockedValue { $0 } }

    /// Makes `ring` the keys in use (after a rotation).
    func replaceKeyRing(_ new: DataKeyRing) {
        SealedKeyRegistry.register(new)
        ring.withLockedValue { $0 = new }
    }
}

struct DataProtectionStorageKey: StorageKey {
    typealias Value = DataProtection
}

extension Application {
    var dataProtection: DataProtection? { storage[DataProtectionStorageKey.self] }

    /// Loads (or creates, 0600) the key files, registers the sealing middleware on the database
    /// and makes every file this process creates private to its user (umask 077): the SQLite
    /// file and its WAL, evidence files, backups, key files.
    func configureDataProtection(_ config: AppConfig) throws {
        umask(0o077)
        let directory = config.dataDirectory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let environment = ProcessInfo.processInfo.environment
        let protection: DataProtection
        do {
            protection = DataProtection(dataDirectory: directory,
                                        auditKey: try KeyFiles.auditKey(directory: directory, environment: environment),
                                        ring: try KeyFiles.dataKeys(directory: directory, environment: environment), logger: logger)
        } catch let problem as KeyFiles.Problem {
            logger.critical("\(problem.description)")
            throw problem
        }
        storage[DataProtectionStorageKey.self] = protection
        databases.middleware.use(DataProtectionMiddleware(protection: protection))
        Self.restrictExistingFiles(config)
        // The Databases and the loop group, not the Application: a confirmation may run after shutdown,
        // when the Application's storage is gone, and Databases then simply answers nil.
        let databases = self.databases, group = eventLoopGroup, logger = self.logger
        protection.checkpoint.headReader = { @Sendable in
            guard let db = databases.database(logger: logger, on: group.any()) else { return nil }
            return try await AuditTrail.head(on: db, key: protection.auditKey, checkpoint: protection.checkpoint.read())
        }
    }

    /// Files from before this version may be world-readable: the database and its WAL, evidence.
    static func restrictExistingFiles(_ config: AppConfig) {
        if case .sqlite(let path) = config.storage {
            for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) { chmod(path + suffix, 0o600) }
        }
        let evidence = config.dataDirectory + "/evidence"
        if let files = FileManager.default.enumerator(atPath: evidence) {
            for case let file as String in files {
                let full = evidence + "/" + file
                var isDirectory: ObjCBool = false
                FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory)
                chmod(full, isDirectory.boolValue ? 0o700 : 0o600)
            }
        }
    }
}

extension Database {
    /// The data protection of the application this database belongs to.
    var dataProtection: DataProtection? {
        context.configuration.middleware.lazy.compactMap { ($0 as? DataProtectionMiddleware)?.protection }.first
    }

    func requireDataProtection() throws -> DataProtection {
        guard let protection = dataProtection else {
            throw AppError(.internalServerError, code: .dataProtectionMissing, zh: "数据保护未配置", en: "Data protection is not configured")
        }
        return protection
    }
}

/// Seals a sensitive row before it is written; every other model passes through.
struct DataProtectionMiddleware: AnyModelMiddleware {
    let protection: DataProtection

    func handle(_ event: ModelEvent, _ model: any AnyModel, on db: any Database, chainingTo next: any AnyModelResponder) -> EventLoopFuture<Void> {
        if let sensitive = model as? StudentSensitiveModel {
            switch event {
            case .create, .update:
                do { try sensitive.seal(with: protection.keyRing) } catch { return db.eventLoop.makeFailedFuture(error) }
            default: break
            }
        }
        return next.handle(event, model, on: db)
    }
}
