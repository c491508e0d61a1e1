import Foundation

/// What students raise most: counts by category, unit and month, and the phrases that recur in the
/// texts. Chinese has no spaces, so phrases are runs of two to four Chinese characters counted
/// across cases (each case once), without runs that hold a function character (的, 了, 很…), and a
/// shorter run is dropped when a longer one that contains it is as frequent — "热水供应" rather than
/// "热水" and "供应" apart. No dictionary to ship or keep current, and it finds new topics by itself.
public enum HotTopics {
    /// Characters that carry grammar, not topic.
    static let stopCharacters: Set<Character> = Set("的了是在有和与及或也都就很太更最还又再被把让给对为从向于等这那个些一不没没有吗呢吧啊呀哦我你他她它们希望建议能否可以请问要会想觉得比较非常")

    public struct Phrase: Hashable, Sendable {
        public var text: String
        /// How many cases contain it.
        public var cases: Int
    }

    public static func phrases(in texts: [String], top: Int = 12, minimumCases: Int = 2) -> [Phrase] {
        var counts: [String: Int] = [:]
        for text in texts {
            var seen: Set<String> = []
            for run in chineseRuns(text) where run.count >= 2 {
                let chars = Array(run)
                for length in 2...min(4, chars.count) {
                    for start in 0...(chars.count - length) {
                        let piece = chars[start..<(start + length)]
                        if piece.contains(where: stopCharacters.contains) { continue }
                        seen.insert(String(piece))
                    }
                }
            }
            for phrase in seen { counts[phrase, default: 0] += 1 }
        }
        let frequent = counts.filter { $0.value >= minimumCases }
        // Keep a phrase unless a longer frequent phrase containing it occurs in as many cases.
        let kept = frequent.filter { phrase, count in
            !frequent.contains { other, otherCount in other.count > phrase.count && other.contains(phrase) && otherCount >= count }
        }
        return kept.map { Phrase(text: $0.key, cases: $0.value) }
            .sorted { a, b in
                if a.cases != b.cases { return a.cases > b.cases }
                if a.text.count != b.text.count { return a.text.count > b.text.count }
                return a.text < b.text
            }
            .prefix(top).map { $0 }
    }

    /// Maximal runs of CJK unified ideographs.
    static func chineseRuns(_ text: String) -> [String] {
        var runs: [String] = [], current = ""
        for character in text {
            if character.unicodeScalars.allSatisfy({ (0x4E00...0x9FFF).contains($0.value) }) {
                current.append(character)
            } else if !current.isEmpty {
                runs.append(current)
                current = ""
            }
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }
}
