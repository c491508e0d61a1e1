import Foundation

/// Where a redirect taken from the request (`?next=`, `?back=`) may lead: a path on this site only.
///
/// Browsers read `/\host`, `/\t/host` and `//host` as other sites, and a percent-encoded slash or
/// backslash can be decoded twice by a proxy; all of those are refused rather than repaired.
enum LocalPath {
    static let maxLength = 500

    static func validated(_ candidate: String?) -> String? {
        guard let candidate, candidate.count <= maxLength, candidate.hasPrefix("/") else { return nil }
        let second = candidate.dropFirst().first
        guard second != "/", second != "\\" else { return nil }
        guard !candidate.contains("\\"),
              !candidate.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) || $0 == " " }) else { return nil }
        let lowered = candidate.lowercased()
        guard !lowered.contains("%5c"), !lowered.hasPrefix("/%2f"), !lowered.hasPrefix("/%09") else { return nil }
        // Whatever Foundation makes of it must still be a path without a host or scheme.
        guard let url = URLComponents(string: candidate), url.host == nil, url.scheme == nil else { return nil }
        return candidate
    }

    static func safe(_ candidate: String?, fallback: String = SiteRoute.home.path()) -> String {
        validated(candidate) ?? fallback
    }
}
