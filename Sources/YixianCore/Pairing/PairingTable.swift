import Foundation

/// 东南大学's 结对表 (attachment form): 序号, 所在单位, 姓名, 职务, 联系学生集体 — written for filing
/// and read back when a unit sends the same table in.
public enum PairingTable {
    public static let header = ["序号", "所在单位", "姓名", "职务", "联系学生集体"]

    public struct Row: Hashable, Sendable {
        public var unitName: String
        public var cadreName: String
        public var staffNumber: String
        public var posts: String
        public var collectiveNames: [String]
    }

    /// One row per cadre with at least one collective pairing in the year, by unit (the university's order) then staff number;
    /// with `everyCadre`, the active cadres linked to nothing too (an empty 联系学生集体 shows the gap).
    public static func rows(units: [Unit], cadres: [Cadre], collectives: [Collective], pairings: [Pairing], academicYearID: String,
                            everyCadre: Bool = false) -> [Row] {
        let unitNames = Dictionary(uniqueKeysWithValues: units.map { ($0.code, $0.name) })
        let position = Dictionary(uniqueKeysWithValues: units.sorted(by: Unit.inUniversityOrder).enumerated().map { ($1.code, $0) })
        let collectiveNames = Dictionary(uniqueKeysWithValues: collectives.map { ($0.code, $0.name) })
        let byCadre = Dictionary(grouping: pairings.filter { $0.academicYearID == academicYearID && $0.collectiveCode != nil }, by: \.cadreStaffNumber)
        return cadres.filter { byCadre[$0.staffNumber] != nil || (everyCadre && $0.active) }
            .sorted { (position[$0.unitCode] ?? Int.max, $0.unitCode, $0.staffNumber) < (position[$1.unitCode] ?? Int.max, $1.unitCode, $1.staffNumber) }
            .map { cadre in
                Row(unitName: unitNames[cadre.unitCode] ?? cadre.unitCode, cadreName: cadre.name, staffNumber: cadre.staffNumber,
                    posts: cadre.posts.joined(separator: "、"),
                    collectiveNames: (byCadre[cadre.staffNumber] ?? []).compactMap { $0.collectiveCode.flatMap { collectiveNames[$0] } }.sorted())
            }
    }

    public static func records(_ rows: [Row]) -> [[String]] {
        rows.enumerated().map { [String($0.offset + 1), $0.element.unitName, $0.element.cadreName, $0.element.posts,
                                 $0.element.collectiveNames.joined(separator: "、")] }
    }

    public struct Parsed: Sendable {
        /// (staff number, collective code) pairs found.
        public var links: [(staffNumber: String, collectiveCode: String, row: Int)]
        public var issues: [ImportIssue]
    }

    /// Reads a filled-in table. Cadres are found by unit name and name (as the table has no staff
    /// numbers), collectives by name or code; anything ambiguous or unknown is an issue with its row.
    public static func parse(records: [[String]], units: [Unit], cadres: [Cadre], collectives: [Collective]) -> Parsed {
        var parsed = Parsed(links: [], issues: [])
        guard let headerIndex = records.firstIndex(where: { $0.contains { $0.trimmed == "姓名" } && $0.contains { $0.trimmed.hasPrefix("联系学生集体") } }) else {
            parsed.issues.append(ImportIssue(row: nil, column: nil, code: .missingColumn,
                                             reason: Localized(zh: "找不到表头：需要“姓名”和“联系学生集体”两列", en: "Header not found: the columns 姓名 and 联系学生集体 are required")))
            return parsed
        }
        let header = records[headerIndex].map(\.trimmed)
        let unitColumn = header.firstIndex { $0.hasPrefix("所在单位") }
        let nameColumn = header.firstIndex { $0 == "姓名" }!
        let collectiveColumn = header.firstIndex { $0.hasPrefix("联系学生集体") }!
        let unitCodesByName = Dictionary(grouping: units, by: \.name).mapValues { $0.map(\.code) }
        let collectivesByKey = Dictionary(grouping: collectives.flatMap { [($0.name, $0.code), ($0.code, $0.code)] }, by: \.0).mapValues { Set($0.map(\.1)) }
        for (index, record) in records.enumerated().dropFirst(headerIndex + 1) {
            let rowNumber = index + 1
            func cell(_ column: Int?) -> String { column.flatMap { $0 < record.count ? record[$0].trimmed : nil } ?? "" }
            let name = cell(nameColumn)
            if name.isEmpty && cell(collectiveColumn).isEmpty { continue }
            let unitName = cell(unitColumn)
            var candidates = cadres.filter { $0.name == name && $0.active }
            if !unitName.isEmpty, let codes = unitCodesByName[unitName] { candidates = candidates.filter { codes.contains($0.unitCode) } }
            guard candidates.count == 1, let cadre = candidates.first else {
                let reason = candidates.isEmpty
                    ? Localized(zh: "找不到干部“\(unitName) \(name)”", en: "No cadre \(name) in \(unitName)")
                    : Localized(zh: "“\(name)”有重名，请填写所在单位", en: "\(name) is ambiguous; fill in the unit")
                parsed.issues.append(ImportIssue(row: rowNumber, column: "姓名", code: .unknownReference, reason: reason))
                continue
            }
            let names = cell(collectiveColumn).split { "、，,;；/\n".contains($0) }.map { String($0).trimmed }.filter { !$0.isEmpty }
            if names.isEmpty {
                // The exported table lists every cadre; one linked to nothing yet is a row to fill in, not an error.
                continue
            }
            for collectiveName in names {
                guard let codes = collectivesByKey[collectiveName], codes.count == 1 else {
                    parsed.issues.append(ImportIssue(row: rowNumber, column: "联系学生集体", code: .unknownReference,
                                                     reason: Localized(zh: "找不到学生集体“\(collectiveName)”", en: "Unknown collective \(collectiveName)")))
                    continue
                }
                parsed.links.append((cadre.staffNumber, codes.first!, rowNumber))
            }
        }
        return parsed
    }
}

private extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: "\u{3000}"))) }
}
