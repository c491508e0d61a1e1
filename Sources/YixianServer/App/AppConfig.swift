import Foundation
import Vapor

/// Everything the server reads from its environment, in one place.
public struct AppConfig: Sendable {
    public enum Storage: Sendable, Equatable {
        case sqlite(path: String)
        case postgres(url: String)
    }

    public var storage: Storage
    /// Minutes of inactivity after which a session ends.
    public var sessionIdleMinutes: Int
    /// Absolute session lifetime in hours, however active.
    public var sessionMaxHours: Int
    public var bcryptCost: Int
    /// Set the cookie's Secure flag (behind HTTPS).
    public var secureCookies: Bool
    public var dataDirectory: String

    public init(storage: Storage, sessionIdleMinutes: Int = 30, sessionMaxHours: Int = 12, bcryptCost: Int = 11,
                secureCookies: Bool = false, dataDirectory: String = "./data") {
        self.storage = storage
        self.sessionIdleMinutes = sessionIdleMinutes
        self.sessionMaxHours = sessionMaxHours
        self.bcryptCost = bcryptCost
        self.secureCookies = secureCookies
        self.dataDirectory = dataDirectory
    }

    /// `DATABASE_URL` selects PostgreSQL; otherwise SQLite at `YIXIAN_SQLITE_PATH` (default `./data/yixian.sqlite`).
    public static func fromEnvironment() -> AppConfig {
        let env = ProcessInfo.processInfo.environment
        let dataDirectory = env["YIXIAN_DATA_DIR"] ?? "./data"
        let storage: Storage
        if let url = env["DATABASE_URL"], !url.isEmpty {
            storage = .postgres(url: url)
        } else {
            storage = .sqlite(path: env["YIXIAN_SQLITE_PATH"] ?? "\(dataDirectory)/yixian.sqlite")
        }
        return AppConfig(
            storage: storage,
            sessionIdleMinutes: env["YIXIAN_SESSION_IDLE_MINUTES"].flatMap(Int.init) ?? 30,
            sessionMaxHours: env["YIXIAN_SESSION_MAX_HOURS"].flatMap(Int.init) ?? 12,
            bcryptCost: env["YIXIAN_BCRYPT_COST"].flatMap(Int.init).map { min(max($0, 4), 15) } ?? 11,
            secureCookies: env["YIXIAN_SECURE_COOKIES"] == "1",
            dataDirectory: dataDirectory
        )
    }
}

struct AppConfigKey: StorageKey {
    typealias Value = AppConfig
}

extension Application {
    public var yixian: AppConfig {
        get { storage[AppConfigKey.self] ?? AppConfig.fromEnvironment() }
        set { storage[AppConfigKey.self] = newValue }
    }
}
