import Foundation
import Vapor
import YixianCore

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
    /// Seconds a connection may sit without reading or writing before the server closes it.
    public var idleTimeoutSeconds: Int = 120
    var rateLimits = RateLimiter.Settings()
    /// How old a compliance or integrity answer may be when served to a reader who did not write
    /// since: under a stream of writes the school is re-evaluated at most once per this interval,
    /// not once per write. A reader's own writes are always included.
    var staleReadSeconds: Double = 1
    /// Reverse proxies whose `X-Forwarded-For` is believed (comma-separated addresses).
    var trustedProxies: Set<String> = []
    /// Contacts that started longer ago than this need a reason (补录说明) — `YIXIAN_BACKDATE_DAYS`.
    public var backdateWindowDays = ContactRules.defaultBackdateWindowDays
    /// Where the policy presets are read from first — `YIXIAN_POLICY_DIR`.
    public var policyDirectory: String?
    /// Now, for everything the server dates (records, deadlines, "today" on pages).
    public var clock = WallClock.system
    /// The address people type to reach the server (`YIXIAN_PUBLIC_URL`, e.g. https://yixian.example.edu.cn),
    /// printed on activation slips; without it, the address the admin's own request came to.
    public var publicURL: String?
    /// Days after a contact in which its students may confirm it — `YIXIAN_CONFIRM_DAYS`.
    public var confirmWindowDays = LedgerService.defaultConfirmWindowDays
    /// 统一身份认证 — `YIXIAN_CAS_URL` (the CAS base, e.g. https://cas.example.edu.cn/cas) and
    /// `YIXIAN_CAS_VERSION` (3, or 2); nil: local passwords only.
    var cas: CASLogin.Settings?
    /// Tags that make a school leader (rank 校领导) the leader in charge of student work, who reads
    /// the whole school's compliance — `YIXIAN_OVERSIGHT_TAGS`, comma-separated, default `student-work`.
    public var oversightTags: Set<String> = ["student-work"]

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
        var config = AppConfig(
            storage: storage,
            sessionIdleMinutes: env["YIXIAN_SESSION_IDLE_MINUTES"].flatMap(Int.init) ?? 30,
            sessionMaxHours: env["YIXIAN_SESSION_MAX_HOURS"].flatMap(Int.init) ?? 12,
            bcryptCost: env["YIXIAN_BCRYPT_COST"].flatMap(Int.init).map { min(max($0, 4), 15) } ?? 11,
            secureCookies: env["YIXIAN_SECURE_COOKIES"] == "1",
            dataDirectory: dataDirectory
        )
        config.rateLimits = RateLimiter.Settings.fromEnvironment(env)
        config.trustedProxies = Set((env["YIXIAN_TRUSTED_PROXIES"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        config.staleReadSeconds = env["YIXIAN_STALE_READ_MS"].flatMap(Double.init).map { min(max($0, 0), 60_000) / 1000 } ?? 1
        config.idleTimeoutSeconds = env["YIXIAN_IDLE_TIMEOUT_SECONDS"].flatMap(Int.init).map { min(max($0, 5), 3600) } ?? 120
        config.backdateWindowDays = env["YIXIAN_BACKDATE_DAYS"].flatMap(Int.init).map { min(max($0, 0), 366) } ?? ContactRules.defaultBackdateWindowDays
        config.policyDirectory = env["YIXIAN_POLICY_DIR"].flatMap { $0.isEmpty ? nil : $0 }
        config.publicURL = env["YIXIAN_PUBLIC_URL"].flatMap { $0.hasPrefix("http://") || $0.hasPrefix("https://") ? $0.hasSuffix("/") ? String($0.dropLast()) : $0 : nil }
        config.confirmWindowDays = env["YIXIAN_CONFIRM_DAYS"].flatMap(Int.init).map { min(max($0, 1), 366) } ?? LedgerService.defaultConfirmWindowDays
        if let base = env["YIXIAN_CAS_URL"], base.hasPrefix("http://") || base.hasPrefix("https://") {
            config.cas = CASLogin.Settings(base: base.hasSuffix("/") ? String(base.dropLast()) : base,
                                           version: env["YIXIAN_CAS_VERSION"] == "2" ? 2 : 3)
        }
        if let tags = env["YIXIAN_OVERSIGHT_TAGS"] {
            config.oversightTags = Set(tags.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        if let today = env["YIXIAN_TODAY"].flatMap(LocalDate.init) { config.clock = .shifted(toDay: today) }
        return config
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
