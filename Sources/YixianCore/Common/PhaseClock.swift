import Foundation

/// Where a long operation's time goes, for the benchmarks: code marks the end of each phase and
/// `bench import` prints the list. Carried as a task-local so that nothing is threaded through
/// signatures, and free when no benchmark is listening (`current` is nil).
public final class PhaseClock: @unchecked Sendable {
    @TaskLocal public static var current: PhaseClock?

    private let lock = NSLock()
    private var last = ContinuousClock.now
    private var phases: [(String, Duration)] = []

    public init() {}

    /// Ends the phase running since the previous mark (or since the clock started).
    public static func mark(_ phase: String) {
        guard let clock = current else { return }
        let now = ContinuousClock.now
        clock.lock.withLock {
            clock.phases.append((phase, now - clock.last))
            clock.last = now
        }
    }

    /// "parse 0.201 s · students 0.150 s · …", phases of the same name added up.
    public var summary: String {
        let phases = lock.withLock { self.phases }
        var order: [String] = []
        var totals: [String: Duration] = [:]
        for (name, duration) in phases {
            if totals[name] == nil { order.append(name) }
            totals[name, default: .zero] += duration
        }
        return order.map { name in
            let parts = totals[name]!.components
            return "\(name) " + String(format: "%.3f s", Double(parts.seconds) + Double(parts.attoseconds) / 1e18)
        }.joined(separator: " · ")
    }
}
