import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Token buckets per signed-in account and per client address: a runaway script or a scraper
/// gets 429 with `Retry-After`, and the rest of the campus is served. Writes have a smaller
/// bucket than reads. Sign-in attempts have their own, stricter throttle (see `Accounts`).
final class RateLimiter: Sendable {
    struct Limit: Sendable, Equatable {
        /// Requests per second, sustained.
        var rate: Double
        /// Requests allowed at once after a quiet spell.
        var burst: Double
    }

    struct Settings: Sendable, Equatable {
        var reads = Limit(rate: 50, burst: 300)
        var writes = Limit(rate: 10, burst: 60)
        var enabled = true

        /// `YIXIAN_RATE_LIMIT=off` turns it off (benchmarks); `READS/WRITES` as `rate:burst`, e.g. `50:300`.
        static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> Settings {
            var settings = Settings()
            if env["YIXIAN_RATE_LIMIT"] == "off" { settings.enabled = false }
            func parse(_ raw: String?) -> Limit? {
                guard let parts = raw?.split(separator: ":"), parts.count == 2, let rate = Double(parts[0]), let burst = Double(parts[1]),
                      rate > 0, burst >= 1 else { return nil }
                return Limit(rate: rate, burst: burst)
            }
            if let reads = parse(env["YIXIAN_RATE_LIMIT_READS"]) { settings.reads = reads }
            if let writes = parse(env["YIXIAN_RATE_LIMIT_WRITES"]) { settings.writes = writes }
            return settings
        }
    }

    private struct Bucket {
        var tokens: Double
        var updated: TimeInterval
    }

    private let state = NIOLockedValueBox<[String: Bucket]>([:])
    let settings: Settings

    init(settings: Settings) { self.settings = settings }

    /// Takes one token from the bucket; nil when allowed, else the seconds to wait.
    func take(_ key: String, limit: Limit, now: TimeInterval = ProcessInfo.processInfo.systemUptime) -> Int? {
        state.withLockedValue { buckets in
            // Bounded memory: forget full buckets when too many clients were seen.
            if buckets.count > 50_000 { buckets = buckets.filter { now - $0.value.updated < limit.burst / limit.rate } }
            var bucket = buckets[key] ?? Bucket(tokens: limit.burst, updated: now)
            bucket.tokens = min(limit.burst, bucket.tokens + (now - bucket.updated) * limit.rate)
            bucket.updated = now
            defer { buckets[key] = bucket }
            guard bucket.tokens >= 1 else { return max(1, Int(((1 - bucket.tokens) / limit.rate).rounded(.up))) }
            bucket.tokens -= 1
            return nil
        }
    }
}

struct RateLimitMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let limiter = request.application.rateLimiter
        guard limiter.settings.enabled, request.url.path != "/healthz", request.url.path != "/readyz" else {
            return try await next.respond(to: request)
        }
        let isWrite = ![.GET, .HEAD, .OPTIONS].contains(request.method)
        let limit = isWrite ? limiter.settings.writes : limiter.settings.reads
        let kind = isWrite ? "w" : "r"
        // An account is limited wherever it comes from; an address whatever accounts it uses.
        var keys = ["ip:\(kind):" + request.clientAddress]
        if let user = request.currentUser { keys.append("user:\(kind):" + user.id.uuidString) }
        for key in keys {
            if let wait = limiter.take(key, limit: limit) {
                let error = AppError(.tooManyRequests, code: .rateLimited,
                                     zh: "请求过于频繁，请 \(wait) 秒后再试", en: "Too many requests; try again in \(wait) s")
                let response = AppErrorMiddleware.response(for: error, request: request)
                response.headers.replaceOrAdd(name: .retryAfter, value: String(wait))
                return response
            }
        }
        return try await next.respond(to: request)
    }
}

struct RateLimiterKey: StorageKey { typealias Value = RateLimiter }

extension Application {
    var rateLimiter: RateLimiter { storage[RateLimiterKey.self]! }
}

extension Request {
    /// The client's address: the peer, or behind a proxy named in `YIXIAN_TRUSTED_PROXIES` the
    /// address that proxy says it forwarded for (its last `X-Forwarded-For` entry).
    var clientAddress: String {
        let peer = remoteAddress?.ipAddress ?? "unknown"
        guard application.yixian.trustedProxies.contains(peer),
              let forwarded = headers.first(name: .xForwardedFor)?.split(separator: ",").last?.trimmingCharacters(in: .whitespaces),
              !forwarded.isEmpty, forwarded.count < 64 else { return peer }
        return forwarded
    }
}
