import Foundation
import Vapor

/// The server's one source of "now", set in `AppConfig`: tests and demos can fix the date
/// instead of depending on the day they run.
public struct WallClock: Sendable {
    private let read: @Sendable () -> Date

    public init(_ read: @escaping @Sendable () -> Date) { self.read = read }

    public func now() -> Date { read() }

    public static let system = WallClock { Date() }

    public static func fixed(_ instant: Date) -> WallClock { WallClock { instant } }
}

extension Request {
    /// Now, by the application's clock.
    var now: Date { application.yixian.clock.now() }
}

extension Application {
    var now: Date { yixian.clock.now() }
}
