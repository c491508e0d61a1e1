import Fluent
import Foundation
import YixianCore

final class UnitModel: Model, @unchecked Sendable {
    static let schema = "units"
    @ID var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    @Field(key: "kind") var kind: String
    @Field(key: "active") var active: Bool
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
    init(id: UUID? = nil, _ unit: Unit) {
        self.id = id
        apply(unit)
    }

    func apply(_ unit: Unit) {
        code = unit.code
        name = unit.name
        kind = unit.kind.rawValue
        active = unit.active
    }

    var core: Unit { Unit(code: code, name: name, kind: UnitKind(rawValue: kind) ?? .affiliated, active: active) }
}

final class CadreModel: Model, @unchecked Sendable {
    static let schema = "cadres"
    @ID var id: UUID?
    @Field(key: "staff_number") var staffNumber: String
    @Field(key: "name") var name: String
    @Parent(key: "unit_id") var unit: UnitModel
    /// Posts joined by `、`, the separator Chinese documents use.
    @Field(key: "posts") var posts: String
    @Field(key: "rank") var rank: String
    @Field(key: "party_member") var partyMember: Bool
    /// Tags joined by `,`.
    @Field(key: "tags") var tags: String
    @Field(key: "active") var active: Bool
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var postList: [String] { posts.split(separator: "、").map(String.init) }
    var tagList: [String] { tags.split(separator: ",").map(String.init) }

    func apply(_ cadre: Cadre, unitID: UUID) {
        staffNumber = cadre.staffNumber
        name = cadre.name
        $unit.id = unitID
        posts = cadre.posts.joined(separator: "、")
        rank = cadre.rank.rawValue
        partyMember = cadre.partyMember
        tags = cadre.tags.joined(separator: ",")
        active = cadre.active
    }

    func core(unitCode: String) -> Cadre {
        Cadre(staffNumber: staffNumber, name: name, unitCode: unitCode, posts: postList, rank: Rank(rawValue: rank) ?? .deputySectionChief,
              partyMember: partyMember, tags: tagList, active: active)
    }
}

final class CollectiveModel: Model, @unchecked Sendable {
    static let schema = "collectives"
    @ID var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    @Field(key: "kind") var kind: String
    @Parent(key: "unit_id") var unit: UnitModel
    @OptionalField(key: "grade") var grade: Int?
    @Field(key: "size") var size: Int
    @Field(key: "active") var active: Bool
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    func apply(_ collective: Collective, unitID: UUID) {
        code = collective.code
        name = collective.name
        kind = collective.kind.rawValue
        $unit.id = unitID
        grade = collective.grade
        size = collective.size
        active = collective.active
    }

    func core(unitCode: String) -> Collective {
        Collective(code: code, name: name, kind: CollectiveKind(rawValue: kind) ?? .class, unitCode: unitCode, grade: grade, size: size, active: active)
    }
}

final class StudentModel: Model, @unchecked Sendable {
    static let schema = "students"
    @ID var id: UUID?
    @Field(key: "student_number") var studentNumber: String
    @Field(key: "name") var name: String
    @Parent(key: "unit_id") var unit: UnitModel
    @Field(key: "active") var active: Bool
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}

/// Membership of a student in a collective.
final class StudentCollectiveModel: Model, @unchecked Sendable {
    static let schema = "student_collectives"
    @ID var id: UUID?
    @Parent(key: "student_id") var student: StudentModel
    @Parent(key: "collective_id") var collective: CollectiveModel

    init() {}
    init(studentID: UUID, collectiveID: UUID) {
        self.$student.id = studentID
        self.$collective.id = collectiveID
    }
}

/// Sensitive flags, in their own table so that no ordinary query of students can reach them.
final class StudentSensitiveModel: Model, @unchecked Sendable {
    static let schema = "student_sensitive"
    @ID var id: UUID?
    @Parent(key: "student_id") var student: StudentModel
    @Field(key: "family_hardship") var familyHardship: Bool
    @Field(key: "disability") var disability: Bool
    @Field(key: "psychological_attention") var psychologicalAttention: Bool
    @Field(key: "note") var note: String
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var core: SensitiveFlags {
        SensitiveFlags(familyHardship: familyHardship, disability: disability, psychologicalAttention: psychologicalAttention, note: note)
    }

    func apply(_ flags: SensitiveFlags) {
        familyHardship = flags.familyHardship
        disability = flags.disability
        psychologicalAttention = flags.psychologicalAttention
        note = flags.note
    }
}

final class PairingModel: Model, @unchecked Sendable {
    static let schema = "pairings"
    @ID var id: UUID?
    @Parent(key: "cadre_id") var cadre: CadreModel
    @Field(key: "kind") var kind: String
    @OptionalParent(key: "collective_id") var collective: CollectiveModel?
    @OptionalParent(key: "student_id") var student: StudentModel?
    @Field(key: "academic_year") var academicYear: String
    @Field(key: "start_date") var startDate: String
    @Field(key: "end_date") var endDate: String

    init() {}

    /// A row for a core pairing, resolving its codes; nil when the cadre is unknown.
    convenience init?(_ pairing: Pairing, cadreIDs: [String: UUID], collectiveIDs: [String: UUID], studentIDs: [String: UUID]) {
        guard let cadreID = cadreIDs[pairing.cadreStaffNumber] else { return nil }
        self.init()
        id = UUID()
        $cadre.id = cadreID
        kind = pairing.kind.rawValue
        $collective.id = pairing.collectiveCode.flatMap { collectiveIDs[$0] }
        $student.id = pairing.studentNumber.flatMap { studentIDs[$0] }
        academicYear = pairing.academicYearID
        startDate = pairing.range.start.iso
        endDate = pairing.range.end.iso
    }
}
