import Foundation
import Vapor
import YixianCore

/// The server's one source of "now", set in `AppConfig`: tests and demos can fix the date
/// instead of depending on the day they run.
public struct WallClock: Sendable {
    private let read: @Sendable () -> Date

    public init(_ read: @escaping @Sendable () -> Date) { self.read = read }

    public func now() -> Date { read() }

    public static let system = WallClock { Date() }

    public static func fixed(_ instant: Date) -> WallClock { WallClock { instant } }

    /// The system clock moved by whole days so that today (in China) is `day`, time of day kept
    /// and running — `YIXIAN_TODAY`, for demos and for journeys that must step a date forward
    /// (deadlines, 督办) across a restart, which everything computes from the stored data and the date.
    public static func shifted(toDay day: LocalDate, from now: Date = Date()) -> WallClock {
        let offset = TimeInterval(day.dayNumber - LocalDate(now).dayNumber) * 86_400
        return WallClock { Date().addingTimeInterval(offset) }
    }
}

extension Request {
    /// Now, by the application's clock.
    var now: Date { application.yixian.clock.now() }
}

extension Application {
    var now: Date { yixian.clock.now() }
}

extension Request {
    /// The address people reach the server at, for links that leave the page (QR codes, activation
    /// slips, the CAS service URL): `YIXIAN_PUBLIC_URL`, else the address this request came to.
    var publicBase: String {
        if let configured = application.yixian.publicURL { return configured }
        let host = headers.first(name: .host) ?? "127.0.0.1"
        return (application.yixian.secureCookies ? "https://" : "http://") + host
    }
}
