import Foundation

/// The measures a university takes when a cadre's contact work falls short or is faked (不到位、弄虚作假),
/// mildest first.
public enum AccountabilityKind: String, CaseIterable, Sendable, Codable, Labelled {
    case reminderTalk = "reminder-talk"
    case criticism
    case circulatedCriticism = "circulated-criticism"
    case admonition
    case organisational

    public var label: Localized {
        switch self {
        case .reminderTalk: Localized(zh: "提醒谈话", en: "Reminder talk")
        case .criticism: Localized(zh: "批评教育", en: "Criticism")
        case .circulatedCriticism: Localized(zh: "通报批评", en: "Circulated criticism")
        case .admonition: Localized(zh: "诫勉谈话", en: "Admonition")
        case .organisational: Localized(zh: "组织处理", en: "Organisational measures")
        }
    }
}
