@preconcurrency import Crypto
import Fluent
import FluentSQLiteDriver
import Foundation
import SQLKit
import Vapor

/// Online backup and restore. SQLite: `VACUUM INTO` writes a consistent copy from one read
/// transaction while other connections keep writing (WAL). PostgreSQL: `pg_dump` / `pg_restore`.
/// Keys are not in the backup: keep `audit.key` and `sensitive.key` (or the env values) apart.
enum Backup {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    struct TableDigest: Equatable, Sendable, CustomStringConvertible {
        var rows: Int
        var sha256: String
        var description: String { "\(rows) rows, sha256 \(sha256.prefix(16))" }
    }

    /// Row count and a hash of every row (in rowid order) of every table of an SQLite file.
    static func digest(sqliteFile path: String) async throws -> [String: TableDigest] {
        try await withSQLite(path) { connection in
            var result: [String: TableDigest] = [:]
            let tables = try await connection.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").get()
            for table in tables {
                guard case .text(let name)? = table.columns.first?.data else { continue }
                var hasher = SHA256()
                var count = 0
                for row in try await connection.query("SELECT * FROM \"\(name.replacingOccurrences(of: "\"", with: "\"\""))\" ORDER BY rowid").get() {
                    count += 1
                    for column in row.columns { hasher.update(data: Data("\(column.name)=\(column.data.description)\u{1F}".utf8)) }
                    hasher.update(data: Data([0x1E]))
                }
                result[name] = TableDigest(rows: count, sha256: Data(hasher.finalize()).hexString)
            }
            return result
        }
    }

    /// Opens an SQLite file, runs `body`, and always closes the connection.
    static func withSQLite<T: Sendable>(_ path: String, _ body: (SQLiteConnection) async throws -> T) async throws -> T {
        let connection = try await SQLiteConnection.open(storage: .file(path: path))
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// `PRAGMA integrity_check` of an SQLite file: "ok" when sound.
    static func integrityCheck(sqliteFile path: String) async throws -> String {
        try await withSQLite(path) { connection in
            let rows = try await connection.query("PRAGMA integrity_check").get()
            return rows.compactMap { row -> String? in if case .text(let t)? = row.columns.first?.data { return t } else { return nil } }.joined(separator: "; ")
        }
    }

    /// Writes a backup of the live database to `path` (which must not exist), 0600.
    static func backup(to path: String, app: Application) async throws -> String {
        let target = URL(fileURLWithPath: path).standardizedFileURL.path
        guard !FileManager.default.fileExists(atPath: target) else {
            throw Failure(description: "\(target) 已存在，不会覆盖 / \(target) exists; not overwritten")
        }
        try await AuditTrail.recordAlone("backup.create", objectType: "database", objectID: URL(fileURLWithPath: target).lastPathComponent,
                                         by: .init(id: nil, name: "cli"), on: app.db)
        switch app.yixian.storage {
        case .sqlite:
            guard FileManager.default.createFile(atPath: target, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw Failure(description: "无法创建 \(target) / cannot create \(target)")
            }
            do {
                try await (app.db as! any SQLDatabase).raw("VACUUM INTO \(bind: target)").run()
            } catch {
                try? FileManager.default.removeItem(atPath: target)
                throw error
            }
            chmod(target, 0o600)
            let digest = try await digest(sqliteFile: target)
            return "backup written: \(target) (\(digest.count) tables, \(digest.values.reduce(0) { $0 + $1.rows }) rows; integrity \(try await integrityCheck(sqliteFile: target)))"
        case .postgres(let url):
            let schema = try await currentSchema(app.db)
            FileManager.default.createFile(atPath: target, contents: nil, attributes: [.posixPermissions: 0o600])
            try run("pg_dump", ["--format=custom", "--no-owner", "--schema=\(schema)", "--file=\(target)", url])
            chmod(target, 0o600)
            return "backup written: \(target) (pg_dump, schema \(schema))"
        }
    }

    static func currentSchema(_ db: any Database) async throws -> String {
        struct Row: Decodable { var schema: String }
        return try await (db as! any SQLDatabase).raw("SELECT current_schema() AS schema").first(decoding: Row.self)?.schema ?? "public"
    }

    /// Restores `file` over the configured database. SQLite: refused while another process has
    /// the database open (the server must be stopped); the file is checked before it replaces
    /// anything, and the audit checkpoint is reset to the restored head.
    static func restore(from file: String, app: Application) async throws -> String {
        let source = URL(fileURLWithPath: file).standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: source) else {
            throw Failure(description: "找不到备份文件 \(source) / backup file \(source) not found")
        }
        let protection = try app.db.requireDataProtection()
        switch app.yixian.storage {
        case .sqlite(let path):
            if let pid = otherProcessHoldingDatabase(path) {
                throw Failure(description: "数据库正在被进程 \(pid) 使用，请先停止服务器 / the database is in use by process \(pid); stop the server first")
            }
            let check = (try? await integrityCheck(sqliteFile: source)) ?? "unreadable"
            guard check == "ok" else { throw Failure(description: "备份文件无效：\(check) / not a sound SQLite backup: \(check)") }
            let digest = try await digest(sqliteFile: source)
            guard digest["audit_events"] != nil else { throw Failure(description: "备份中没有本系统的数据表 / the backup holds no Yixian tables") }
            let temporary = path + ".restore-\(UUID().uuidString.prefix(8))"
            try FileManager.default.copyItem(atPath: source, toPath: temporary)
            chmod(temporary, 0o600)
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            guard rename(temporary, path) == 0 else {
                try? FileManager.default.removeItem(atPath: temporary)
                throw Failure(description: "无法替换 \(path) / cannot replace \(path): errno \(errno)")
            }
            let head = try await restoredHead(sqliteFile: path)
            protection.checkpoint.reset(seq: head.seq, hash: head.hash)
            return "restored \(source) → \(path) (\(digest.count) tables, \(digest.values.reduce(0) { $0 + $1.rows }) rows; audit head seq \(head.seq))"
        case .postgres(let url):
            try run("pg_restore", ["--clean", "--if-exists", "--no-owner", "--single-transaction", "--dbname=\(url)", source])
            if let last = try await AuditEventModel.query(on: app.db).sort(\.$seq, .descending).first() {
                protection.checkpoint.reset(seq: last.seq, hash: last.hash)
            }
            return "restored \(source) with pg_restore"
        }
    }

    static func restoredHead(sqliteFile path: String) async throws -> (seq: Int, hash: String) {
        try await withSQLite(path) { connection in
            let rows = try await connection.query("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").get()
            guard let row = rows.first, case .integer(let seq)? = row.column("seq"), case .text(let hash)? = row.column("hash") else { return (0, "") }
            return (Int(seq), hash)
        }
    }

    /// The pid of another process that has the SQLite database open: every connection holds a
    /// shared lock on the "DMS" byte (offset 128) of the `-shm` file while it is open.
    static func otherProcessHoldingDatabase(_ path: String) -> Int32? {
        let shm = path + "-shm"
        let fd = open(shm, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        lock.l_start = 128
        lock.l_len = 1
        guard fcntl(fd, F_GETLK, &lock) == 0 else { return nil }
        return lock.l_type == Int16(F_UNLCK) ? nil : lock.l_pid
    }

    static func run(_ tool: String, _ arguments: [String]) throws {
        let candidates = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map { "\($0)/\(tool)" }
        guard let executable = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Failure(description: "找不到 \(tool)，请安装 PostgreSQL 客户端 / \(tool) not found; install the PostgreSQL client tools")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(tool) 失败 / \(tool) failed (\(process.terminationStatus)): \(String(decoding: message, as: UTF8.self).prefix(500))")
        }
    }
}
