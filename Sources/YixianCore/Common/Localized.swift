import Foundation

/// A text in the two languages of the interface: Chinese first, English second.
public struct Localized: Hashable, Sendable, Codable {
    public var zh: String
    public var en: String

    public init(zh: String, en: String) {
        self.zh = zh
        self.en = en
    }

    /// A name that is the same in both languages (a term or year named by the university).
    public static func same(_ text: String) -> Localized { Localized(zh: text, en: text) }

    public func text(_ language: Language) -> String { language == .zh ? zh : en }
}

public enum Language: String, Sendable, Codable, CaseIterable {
    case zh, en

    /// Picks the interface language from an `Accept-Language` header or a `lang` value;
    /// Chinese unless English is asked for first.
    public static func negotiate(_ header: String?) -> Language {
        guard let header = header?.lowercased() else { return .zh }
        for part in header.split(separator: ",") {
            let tag = part.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            if tag.hasPrefix("zh") { return .zh }
            if tag.hasPrefix("en") { return .en }
        }
        return .zh
    }
}

/// Anything shown to people with a bilingual label.
public protocol Labelled {
    var label: Localized { get }
}
