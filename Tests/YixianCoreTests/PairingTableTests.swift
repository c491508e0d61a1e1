import Foundation
import Testing
@testable import YixianCore

@Suite("The pairing table (结对表)")
struct PairingTableTests {
    /// In the university's own order (by name alone 机械 would come first).
    static let units = [Unit(code: "CS", name: "计算机学院", kind: .college, sortOrder: 1), Unit(code: "ME", name: "机械学院", kind: .college, sortOrder: 2)]
    static let cadres = [
        Cadre(staffNumber: "T1", name: "张伟", unitCode: "CS", posts: ["党委副书记"], rank: .deputyDirector, partyMember: true),
        Cadre(staffNumber: "T2", name: "张伟", unitCode: "ME", posts: ["副院长"], rank: .deputyDirector, partyMember: false),
        Cadre(staffNumber: "T3", name: "李娜", unitCode: "ME", posts: ["院长"], rank: .director, partyMember: true),
    ]
    static let collectives = [
        Collective(code: "CS2301", name: "计算机2301班", kind: .class, unitCode: "CS", grade: 2023, size: 30),
        Collective(code: "CSPB1", name: "计算机学院本科生第一党支部", kind: .partyBranch, unitCode: "CS", grade: nil, size: 20),
        Collective(code: "ME2301", name: "机械2301班", kind: .class, unitCode: "ME", grade: 2023, size: 30),
    ]
    static let range = DateRange(start: LocalDate("2025-09-01")!, end: LocalDate("2026-08-31")!)

    @Test("writes one numbered row per paired cadre, and reads it back to the same pairings")
    func roundTrip() {
        // setup
        let pairings = [
            Pairing(cadreStaffNumber: "T1", kind: .linked, collectiveCode: "CS2301", academicYearID: "2025-2026", range: Self.range),
            Pairing(cadreStaffNumber: "T1", kind: .linked, collectiveCode: "CSPB1", academicYearID: "2025-2026", range: Self.range),
            Pairing(cadreStaffNumber: "T3", kind: .honoraryClassHead, collectiveCode: "ME2301", academicYearID: "2025-2026", range: Self.range),
            Pairing(cadreStaffNumber: "T2", kind: .linked, collectiveCode: "ME2301", academicYearID: "2024-2025", range: Self.range),
        ]
        // act
        let rows = PairingTable.rows(units: Self.units, cadres: Self.cadres, collectives: Self.collectives, pairings: pairings, academicYearID: "2025-2026")
        let records = [PairingTable.header] + PairingTable.records(rows)
        let parsed = PairingTable.parse(records: records, units: Self.units, cadres: Self.cadres, collectives: Self.collectives)
        // check
        #expect(records[1] == ["1", "计算机学院", "张伟", "党委副书记", "计算机2301班、计算机学院本科生第一党支部"])
        #expect(records.count == 3, "T2's pairing is of another year")
        #expect(parsed.issues.isEmpty)
        #expect(Set(parsed.links.map { "\($0.staffNumber)>\($0.collectiveCode)" }) == ["T1>CS2301", "T1>CSPB1", "T3>ME2301"])
    }

    @Test("ambiguous names, unknown collectives and a missing header are reported by row")
    func problems() {
        let records = [["结对表"], PairingTable.header,
                       ["1", "", "张伟", "", "计算机2301班"],
                       ["2", "机械学院", "李娜", "院长", "机械2301班，不存在的班"],
                       ["3", "机械学院", "王五", "", "机械2301班"]]
        let parsed = PairingTable.parse(records: records, units: Self.units, cadres: Self.cadres, collectives: Self.collectives)
        #expect(parsed.links.map(\.collectiveCode) == ["ME2301"])
        #expect(parsed.issues.map(\.row) == [3, 4, 5])
        #expect(parsed.issues[0].reason.zh.contains("重名"))
        #expect(parsed.issues[1].reason.zh.contains("不存在的班"))
        let none = PairingTable.parse(records: [["a", "b"]], units: Self.units, cadres: Self.cadres, collectives: Self.collectives)
        #expect(none.issues.first?.row == nil)
        #expect(none.links.isEmpty)
    }
}
