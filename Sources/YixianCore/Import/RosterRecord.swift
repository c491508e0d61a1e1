import Foundation

/// A roster entity that can be read from and written to a spreadsheet row.
public protocol RosterRecord: Sendable {
    static var rosterKind: RosterKind { get }
    /// What must be unique within one file (a code or a number).
    var rosterKey: String { get }
    /// Cells in the order of `rosterKind.columns`.
    var rosterCells: [String] { get }
    /// Reads one row; returns nil when the reader recorded an error.
    static func read(_ row: inout RosterRowReader) -> Self?
}

extension Unit: RosterRecord {
    public static let rosterKind = RosterKind.units
    public var rosterKey: String { code }
    public var rosterCells: [String] { [code, name, kind.label.zh, sortOrder.map(String.init) ?? ""] }

    public static func read(_ row: inout RosterRowReader) -> Unit? {
        let code = row.code("code")
        let name = row.name("name")
        let kind = row.choice("kind", parse: UnitKind.init(flexible:))
        let order = row.integer("order", in: 0...99_999, required: false, dropSuffix: "")
        guard let code, let name, let kind, !row.hasError else { return nil }
        return Unit(code: code, name: name, kind: kind, sortOrder: order)
    }
}

extension Collective: RosterRecord {
    public static let rosterKind = RosterKind.collectives
    public var rosterKey: String { code }
    public var rosterCells: [String] { [code, name, kind.label.zh, unitCode, grade.map(String.init) ?? "", String(size)] }

    public static func read(_ row: inout RosterRowReader) -> Collective? {
        let code = row.code("code")
        let name = row.name("name")
        let kind = row.choice("kind", parse: CollectiveKind.init(flexible:))
        let unit = row.unitReference("unit")
        // Clubs and unions span grades, so the grade may be blank; `2024级` is how it is often written.
        let grade = row.integer("grade", in: 1990...2100, required: false, dropSuffix: "级")
        let size = row.integer("size", in: 0...10_000, required: false, dropSuffix: "人")
        guard let code, let name, let kind, let unit, !row.hasError else { return nil }
        return Collective(code: code, name: name, kind: kind, unitCode: unit, grade: grade, size: size ?? 0)
    }
}

extension Cadre: RosterRecord {
    public static let rosterKind = RosterKind.cadres
    public var rosterKey: String { staffNumber }
    public var rosterCells: [String] {
        [staffNumber, name, unitCode, posts.joined(separator: "、"), rank.label.zh, partyMember ? "是" : "否", tags.joined(separator: "、")]
    }

    public static func read(_ row: inout RosterRowReader) -> Cadre? {
        let staffNumber = row.code("staffNumber")
        let name = row.name("name")
        let unit = row.unitReference("unit")
        let posts = row.list("posts", maxItemLength: 100)
        let rank = row.choice("rank", parse: Rank.init(flexible:))
        let partyMember = row.yesNo("partyMember")
        let tags = row.list("tags", maxItemLength: 64)
        guard let staffNumber, let name, let unit, let rank, let partyMember, !row.hasError else { return nil }
        return Cadre(staffNumber: staffNumber, name: name, unitCode: unit, posts: posts, rank: rank, partyMember: partyMember, tags: tags)
    }
}

extension Student: RosterRecord {
    public static let rosterKind = RosterKind.students
    public var rosterKey: String { studentNumber }
    public var rosterCells: [String] { [studentNumber, name, unitCode, collectiveCodes.joined(separator: "、")] }

    public static func read(_ row: inout RosterRowReader) -> Student? {
        let number = row.code("studentNumber")
        let name = row.name("name")
        let unit = row.unitReference("unit")
        let collectives = row.collectiveReferences("collectives")
        guard let number, let name, let unit, !row.hasError else { return nil }
        return Student(studentNumber: number, name: name, unitCode: unit, collectiveCodes: collectives)
    }
}
