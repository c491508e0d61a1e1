import Foundation
import Vapor
import YixianCore

struct UnitDTO: Content, Equatable {
    var id: UUID
    var code: String
    var name: String
    var kind: String
    var kindLabel: Localized
    var active: Bool
    var sortOrder: Int?

    init(_ model: UnitModel) {
        id = model.id!
        code = model.code
        name = model.name
        kind = model.kind
        kindLabel = UnitKind(rawValue: model.kind)?.label ?? Localized(zh: model.kind, en: model.kind)
        active = model.active
        sortOrder = model.sortOrder
    }
}

struct UnitRef: Content, Equatable {
    var id: UUID
    var code: String
    var name: String
}

struct CadreDTO: Content, Equatable, JSONWritable {
    var id: UUID
    var staffNumber: String
    var name: String
    var unit: UnitRef
    var posts: [String]
    var rank: String
    var rankLabel: Localized
    var partyMember: Bool
    var tags: [String]
    var active: Bool

    func write(into json: inout JSONText) {
        json.raw("{\"id\":")
        json.uuid(id)
        json.raw(",\"staffNumber\":")
        json.string(staffNumber)
        json.raw(",\"name\":")
        json.string(name)
        json.raw(",\"unit\":{\"id\":")
        json.uuid(unit.id)
        json.raw(",\"code\":")
        json.string(unit.code)
        json.raw(",\"name\":")
        json.string(unit.name)
        json.raw("},\"posts\":")
        json.strings(posts)
        json.raw(",\"rank\":")
        json.string(rank)
        json.raw(",\"rankLabel\":{\"zh\":")
        json.string(rankLabel.zh)
        json.raw(",\"en\":")
        json.string(rankLabel.en)
        json.raw("},\"partyMember\":")
        json.bool(partyMember)
        json.raw(",\"tags\":")
        json.strings(tags)
        json.raw(",\"active\":")
        json.bool(active)
        json.raw("}")
    }
}

extension CadreDTO {
    init(_ model: CadreModel) {
        id = model.id!
        staffNumber = model.staffNumber
        name = model.name
        unit = UnitRef(id: model.unit.id!, code: model.unit.code, name: model.unit.name)
        posts = model.postList
        rank = model.rank
        rankLabel = Rank(rawValue: model.rank)?.label ?? Localized(zh: model.rank, en: model.rank)
        partyMember = model.partyMember
        tags = model.tagList
        active = model.active
    }
}

struct CollectiveDTO: Content, Equatable {
    var id: UUID
    var code: String
    var name: String
    var kind: String
    var kindLabel: Localized
    var unit: UnitRef
    var grade: Int?
    var size: Int
    var active: Bool

    init(_ model: CollectiveModel) {
        id = model.id!
        code = model.code
        name = model.name
        kind = model.kind
        kindLabel = CollectiveKind(rawValue: model.kind)?.label ?? Localized(zh: model.kind, en: model.kind)
        unit = UnitRef(id: model.unit.id!, code: model.unit.code, name: model.unit.name)
        grade = model.grade
        size = model.size
        active = model.active
    }
}

struct CollectiveRef: Content, Equatable {
    var id: UUID
    var code: String
    var name: String
    var kind: String
}

struct StudentDTO: Content, Equatable {
    var id: UUID
    var studentNumber: String
    var name: String
    var unit: UnitRef
    var collectives: [CollectiveRef]
    var active: Bool
}

struct SensitiveDTO: Content, Equatable {
    var studentId: UUID
    var familyHardship: Bool
    var disability: Bool
    var psychologicalAttention: Bool
    var note: String
}

// MARK: - Inputs (every field optional so that a missing one is reported by name, in Chinese)

struct UnitInput: Content {
    var code: String?
    var name: String?
    var kind: String?
    var active: Bool?
    var sortOrder: Int?
}

struct CadreInput: Content {
    var staffNumber: String?
    var name: String?
    var unitCode: String?
    var posts: [String]?
    var rank: String?
    var partyMember: Bool?
    var tags: [String]?
    var active: Bool?
}

struct CollectiveInput: Content {
    var code: String?
    var name: String?
    var kind: String?
    var unitCode: String?
    var grade: Int?
    var size: Int?
    var active: Bool?
}

struct StudentInput: Content {
    var studentNumber: String?
    var name: String?
    var unitCode: String?
    var collectiveCodes: [String]?
    var active: Bool?
}

struct SensitiveInput: Content {
    var familyHardship: Bool?
    var disability: Bool?
    var psychologicalAttention: Bool?
    var note: String?
}
