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
    @OptionalField(key: "sort_order") var sortOrder: Int?
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
        sortOrder = unit.sortOrder
    }

    var core: Unit { Unit(code: code, name: name, kind: UnitKind(rawValue: kind) ?? .affiliated, active: active, sortOrder: sortOrder) }
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

    var postList: [String] { Self.list(posts, separator: "、") }
    var tagList: [String] { Self.list(tags, separator: ",") }

    /// A stored `posts` or `tags` column as its items.
    static func list(_ stored: String, separator: Character) -> [String] { stored.split(separator: separator).map(String.init) }

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

/// Sensitive flags, in their own table so that no ordinary query of students can reach them,
/// and sealed at rest: the flags and the note are one AES-256-GCM ciphertext (`sealed`, bound
/// to the student's id) under the data key named by `key_id`. The old plaintext columns stay in
/// the schema (an existing database must still open) and are written blank. Nothing filters on
/// a flag in SQL, so no blind index is kept; a reader decrypts the row it reads.
final class StudentSensitiveModel: Model, @unchecked Sendable {
    static let schema = "student_sensitive"
    @ID var id: UUID?
    @Parent(key: "student_id") var student: StudentModel
    @Field(key: "family_hardship") var storedFamilyHardship: Bool
    @Field(key: "disability") var storedDisability: Bool
    @Field(key: "psychological_attention") var storedPsychologicalAttention: Bool
    @Field(key: "note") var storedNote: String
    @OptionalField(key: "sealed") var sealed: String?
    @OptionalField(key: "key_id") var keyID: String?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    /// The plaintext in memory: set by `apply`, or by decrypting on first read. Never stored.
    private var plain: SensitiveFlags?

    init() {}

    var familyHardship: Bool { core.familyHardship }
    var disability: Bool { core.disability }
    var psychologicalAttention: Bool { core.psychologicalAttention }
    var note: String { core.note }

    var core: SensitiveFlags {
        if let plain { return plain }
        guard let sealed, let keyID else {
            return SensitiveFlags(familyHardship: storedFamilyHardship, disability: storedDisability,
                                  psychologicalAttention: storedPsychologicalAttention, note: storedNote)
        }
        do {
            let flags = try JSONDecoder().decode(SensitiveFlags.self, from: try Sealer.open(sealed, keyID: keyID, context: sealContext))
            plain = flags
            return flags
        } catch {
            return SensitiveFlags(note: "⚠ 无法解密（密钥 \(keyID)）/ cannot decrypt (key \(keyID)): \(error)")
        }
    }

    /// Decrypts, throwing when the row cannot be opened (the key rotation must not lose a row).
    func unsealed() throws -> SensitiveFlags {
        if let plain { return plain }
        guard let sealed, let keyID else { return core }
        return try JSONDecoder().decode(SensitiveFlags.self, from: try Sealer.open(sealed, keyID: keyID, context: sealContext))
    }

    func apply(_ flags: SensitiveFlags) {
        plain = flags
    }

    private var sealContext: String { "student_sensitive/\($student.id.uuidString.lowercased())" }

    /// Called by `DataProtectionMiddleware` before every create and update.
    func seal(with ring: DataKeyRing) throws {
        let flags: SensitiveFlags
        if let plain {
            flags = plain
        } else if sealed == nil {
            flags = core
        } else {
            return
        }
        guard let key = ring.keys[ring.currentID] else { throw Sealer.Failure(description: "no current data key") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        sealed = try Sealer.seal(try encoder.encode(flags), keyID: ring.currentID, key: key, context: sealContext)
        keyID = ring.currentID
        storedFamilyHardship = false
        storedDisability = false
        storedPsychologicalAttention = false
        storedNote = ""
    }
}

final class PairingModel: Model, @unchecked Sendable {
    static let schema = "pairings"
    @ID var id: UUID?
    @Parent(key: "cadre_id") var cadre: CadreModel
    @Field(key: "kind") var kind: String
    @OptionalParent(key: "collective_id") var collective: CollectiveModel?
    @OptionalParent(key: "student_id") var student: StudentModel?
    /// A college pairing's unit (migration 44); always a unit of kind college.
    @OptionalParent(key: "college_id") var college: UnitModel?
    @Field(key: "academic_year") var academicYear: String
    @Field(key: "start_date") var startDate: String
    @Field(key: "end_date") var endDate: String

    init() {}

    /// A row for a core pairing, resolving its codes; nil when the cadre is unknown.
    convenience init?(_ pairing: Pairing, cadreIDs: [String: UUID], collectiveIDs: [String: UUID], studentIDs: [String: UUID],
                      unitIDs: [String: UUID] = [:]) {
        guard let cadreID = cadreIDs[pairing.cadreStaffNumber] else { return nil }
        self.init()
        id = UUID()
        $cadre.id = cadreID
        kind = pairing.kind.rawValue
        $collective.id = pairing.collectiveCode.flatMap { collectiveIDs[$0] }
        $student.id = pairing.studentNumber.flatMap { studentIDs[$0] }
        $college.id = pairing.collegeCode.flatMap { unitIDs[$0] }
        academicYear = pairing.academicYearID
        startDate = pairing.range.start.iso
        endDate = pairing.range.end.iso
    }
}

extension Sequence where Element == UnitModel {
    /// The university's own order (`Unit.inUniversityOrder`), for every list a person reads.
    func inUniversityOrder() -> [UnitModel] { sorted { Unit.inUniversityOrder($0.core, $1.core) } }
}
