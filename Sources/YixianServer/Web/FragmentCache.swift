import NIOConcurrencyHelpers
import Plot
import Vapor

/// Page bodies drawn from one evaluation, rendered once and reused while that evaluation is the
/// one served. A compliance page's matrix of cells is the same for every reader of the same
/// address in the same language on the same day; building and rendering it was half of a view
/// of a unit's page. The navigation and everything else about the reader is still drawn per
/// request around it.
final class FragmentCache: Sendable {
    struct Key: StorageKey { typealias Value = FragmentCache }

    /// Bodies kept at once: a few pages × languages × dates looked at; all from the newest evaluation.
    static let capacity = 64

    private struct Entry { var serial: UInt64; var html: String }
    private let entries = NIOLockedValueBox<[String: Entry]>([:])

    /// The html stored under `key` for evaluation `serial`, rendering it when there is none. A
    /// reader served an older evaluation (a stale read) renders its own and leaves the newer entry.
    func html(for key: String, serial: UInt64, render: () -> String) -> String {
        if let hit = entries.withLockedValue({ $0[key] }), hit.serial == serial { return hit.html }
        let html = render()
        entries.withLockedValue { entries in
            if let existing = entries[key], existing.serial > serial { return }
            if entries.count >= Self.capacity { entries = entries.filter { $0.value.serial >= serial } }
            if entries.count >= Self.capacity { entries.removeAll() }
            entries[key] = Entry(serial: serial, html: html)
        }
        return html
    }

    var count: Int { entries.withLockedValue { $0.count } }

    /// A number no other evaluation or snapshot of this process has: what a cached body is drawn from.
    static func nextSerial() -> UInt64 { serials.withLockedValue { $0 += 1; return $0 } }
    private static let serials = NIOLockedValueBox<UInt64>(0)
}

extension Application {
    /// Created in `configure`, one per application.
    var fragmentCache: FragmentCache { storage[FragmentCache.Key.self]! }
}

extension PageContext {
    /// `body`, rendered once per evaluation for this address, language and day. An export builds
    /// it afresh: the exported table is taken from the cells the page builds (`TableExport`).
    /// `variant` names whatever else the body depends on (the reader's scope, say).
    func cached(_ cache: FragmentCache, serial: UInt64, variant: String = "", _ body: () -> Node<HTML.BodyContext>) -> Node<HTML.BodyContext> {
        guard tables?.wanted == nil else { return body() }
        return .raw(cache.html(for: "\(variant)|\(language.rawValue)|\(today.iso)|\(pathWithQuery)", serial: serial) { body().render() })
    }
}
