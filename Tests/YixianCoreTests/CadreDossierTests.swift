import Foundation
import Testing
import ZIPFoundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import YixianCore

@Suite("考核材料: a cadre's dossier from the engine's verdicts and the ledger")
struct CadreDossierTests {
    static let policy = ComplianceFixture.policy(rules: """
          - id: dorm
            title: 每学期走访宿舍 2 次
            who: school-leader
            count: { kinds: [dorm-visit], atLeast: 2, per: term }
          - id: lecture
            title: 每学期讲思政课 1 次
            who: school-leader
            count: { kinds: [lecture], atLeast: 1, per: term }
        """)

    /// L001: two dorm visits (one confirmed by students), a face-to-face talk with 12 students,
    /// a voided visit and one found doubtful — as of the winter break after term 1.
    static func dossier(asOf: String = "2026-02-01") throws -> (CadreDossier, ComplianceReport) {
        let scenario = ComplianceFixture.scenario(contacts: """
            [ { id: d1, cadre: L001, kind: dorm-visit, start: "2025-09-10T19:00", participants: 6, confirmed: 2, collectives: [CS2501] },
              { id: d2, cadre: L001, kind: dorm-visit, start: "2025-10-15T19:00", participants: 4, collectives: [CS2501] },
              { id: f1, cadre: L001, kind: face-to-face, start: "2025-11-05T10:00", participants: 12, place: 图书馆 },
              { id: v1, cadre: L001, kind: dorm-visit, start: "2025-11-06T19:00", status: voided },
              { id: x1, cadre: L001, kind: dorm-visit, start: "2025-11-07T19:00", status: flagged },
              { id: other, cadre: C001, kind: dorm-visit, start: "2025-11-08T19:00" },
              { id: spring, cadre: L001, kind: dorm-visit, start: "2026-03-10T19:00" } ]
            """, pairings: """
            [ { cadre: L001, collective: CS2501, kind: linked, year: 2025-2026 },
              { cadre: L001, collective: CS2502, kind: honorary-class-head, year: 2025-2026 } ]
            """)
        let policy = try PolicyLoader.load(policy, fileName: "p.yaml")
        let loaded = try ScenarioLoader.load(scenario, fileName: "s.yaml")
        let input = loaded.input(policy: policy)
        let report = ComplianceEngine.evaluate(input, asOf: LocalDate(asOf)!)
        let term = input.calendar.term(id: "2025-2026-1")!
        let collectives = Dictionary(uniqueKeysWithValues: input.roster.collectives.map { ($0.code, $0) })
        let cadre = input.roster.cadres.first { $0.staffNumber == "L001" }!
        let dossier = CadreDossier(.init(
            cadre: cadre, unitName: "校领导", periodName: term.label, range: term.range, asOf: LocalDate(asOf)!,
            cells: report.cells, rules: Dictionary(uniqueKeysWithValues: policy.rules.map { ($0.id, $0) }), contacts: input.contacts,
            vocabulary: policy.vocabulary,
            links: input.pairings.filter { $0.cadreStaffNumber == "L001" }.map { .init(collective: collectives[$0.collectiveCode!]!, kind: $0.kind) },
            problems: [.init(number: "2025-0001", title: "宿舍热水不稳定", category: Localized(zh: "后勤", en: "Logistics"),
                             receivedOn: LocalDate("2025-10-15")!, answeredOn: LocalDate("2025-10-30")!, answerDue: LocalDate("2025-10-22")!,
                             status: Localized(zh: "已办结", en: "Answered"), rating: Localized(zh: "满意", en: "Satisfied"))],
            findings: [.init(kind: Localized(zh: "时间重叠", en: "Overlap"), reason: .same("与另一记录时间重叠"), verdict: CadreDossier.confirmedVerdict)]))
        return (dossier, report)
    }

    @Test func figuresEqualTheEngineAndTheLedger() throws {
        // act
        let (d, report) = try Self.dossier()
        // check: the verdicts are the engine's cells of the term, one per rule
        let engine = report.cells.filter { $0.subject.id == "L001" && $0.period.id == "2025-2026-1" }
        #expect(d.rules.map(\.ruleID).sorted() == engine.map(\.ruleID).sorted())
        for line in d.rules {
            let cell = try #require(engine.first { $0.ruleID == line.ruleID })
            #expect(line.achieved == cell.achieved && line.required == cell.required && line.status == cell.status)
        }
        #expect(d.rules.first { $0.ruleID == "dorm" }?.status == .met)
        #expect(d.rules.first { $0.ruleID == "lecture" }?.status == .missed)
        // The ledger by hand: d1, d2, f1 count (not the voided, the doubtful, another cadre's or next term's).
        #expect(d.records == 3)
        #expect(d.personTimes == 6 + 4 + 12)
        #expect(d.confirmedRecords == 1)
        #expect(d.doubtedRecords == 1)
        #expect(d.kinds.map(\.records) == [2, 1], "dorm visits first, by count")
        #expect(d.kinds.first?.personTimes == 10)
        #expect(d.collectives.map(\.code) == ["CS2502", "CS2501"], "by pairing kind, then code")
        #expect(d.collectives.first { $0.code == "CS2501" }?.visits == 2)
        #expect(d.collectives.first { $0.code == "CS2502" }?.visits == 0)
        #expect(!d.venuesMissed.isEmpty, "a cadre who went to two places has places left to go")
        #expect(d.problems.first?.onTime(asOf: d.asOf) == false, "answered after its due day")
        #expect(d.tally.met == 1 && d.tally.missed == 1)
    }

    @Test func narrativeStatesTheFactsAndNamesWhatIsMissing() throws {
        let (d, _) = try Self.dossier()
        let zh = d.narrative.zh
        #expect(zh.contains("共记录联系学生 3 次、22 人次"), "\(zh)")
        #expect(zh.contains("已完成 1 项，未完成 1 项：“每学期讲思政课 1 次”"))
        #expect(zh.contains("学生确认的记录占 33 %"))
        #expect(zh.contains("收集学生反映问题 1 个，已答复 1 个，逾期 1 个"))
        #expect(zh.contains("认定存疑记录 1 条"))
        #expect(d.narrative.en.contains("recorded 3 contacts with students (22 person-times)"))
    }

    @Test func theWordDocumentHoldsEverySectionAndOpensAsAZip() throws {
        // act
        let (d, _) = try Self.dossier()
        let data = try DOCXWriter.write(d.documentBlocks(narrative: "经修改的小结 <含特殊字符 & 引号\">"))
        // check: a zip with the parts Word needs; the text is there, escaped, the edited narrative used
        let archive = try Archive(data: data, accessMode: .read)
        let names = Set(archive.map(\.path))
        #expect(names.isSuperset(of: ["[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml", "word/footer1.xml"]))
        var document = Data()
        _ = try archive.extract(archive["word/document.xml"]!) { document.append($0) }
        let xml = String(decoding: document, as: UTF8.self)
        for text in ["同志联系学生工作考核材料", "一、工作小结", "二、落实工作规定情况", "每学期讲思政课 1 次", "未完成", "六、诚信核查", "已认定"] {
            #expect(xml.contains(text), "\(text)")
        }
        #expect(xml.contains("经修改的小结 &lt;含特殊字符 &amp; 引号&quot;&gt;"))
        #expect(!xml.contains(d.narrative.zh), "the edited summary replaces the drafted one")
        // Well-formed XML, as a strict reader (Word) requires.
        let parser = XMLParser(data: document)
        #expect(parser.parse(), "\(parser.parserError.map(String.init(describing:)) ?? "")")
        // Deterministic: the same dossier gives the same bytes.
        #expect(try DOCXWriter.write(d.documentBlocks()) == DOCXWriter.write(d.documentBlocks()))
    }

    @Test func theWorkbookReadsBackWithTheSameFigures() throws {
        let (d, _) = try Self.dossier()
        let data = try XLSXWriter.write(d.worksheets())
        let rules = try XLSXReader.readRecords(from: data)
        #expect(rules.first?.first?.contains("考核材料") == true, "a title row")
        let lecture = try #require(rules.first { $0.first == "每学期讲思政课 1 次" })
        #expect(lecture[2] == "1" && lecture[3] == "0" && lecture[5] == "未完成")
    }

    @Test func controlCharactersNeverBreakTheDocument() throws {
        let data = try DOCXWriter.write([.title("标题\u{0001}"), .paragraph("行一\n行二\u{000B}"), .table(header: ["a"], rows: [["\u{FFFE}x", "多出的格"]])])
        let archive = try Archive(data: data, accessMode: .read)
        var document = Data()
        _ = try archive.extract(archive["word/document.xml"]!) { document.append($0) }
        #expect(XMLParser(data: document).parse())
        #expect(String(decoding: document, as: UTF8.self).contains("行二"))
    }
}

extension CadreDossierTests {
    @Test func onTheTermsLastDayWhatIsNotDoneIsAtRiskAndSaidSo() throws {
        let (d, _) = try Self.dossier(asOf: "2026-01-18")
        #expect(d.rules.first { $0.ruleID == "lecture" }?.status == .atRisk)
        #expect(d.narrative.zh.contains("有风险 1 项：“每学期讲思政课 1 次”"), "\(d.narrative.zh)")
    }
}

@Suite("述职评议材料: a unit's dossier")
struct UnitDossierTests {
    @Test func cadresCasesAndCoverageAddUp() throws {
        // setup: the cadre dossier's scenario; CS's cadres C001 and C002 have no lines, CS2502 nobody links
        let scenario = ComplianceFixture.scenario(contacts: """
            [ { id: d1, cadre: C001, kind: dorm-visit, start: "2025-09-10T19:00", participants: 6 },
              { id: v1, cadre: C001, kind: dorm-visit, start: "2025-09-11T19:00", status: voided } ]
            """, pairings: """
            [ { cadre: C001, collective: CS2501, kind: linked, year: 2025-2026 } ]
            """)
        let policy = try PolicyLoader.load(ComplianceFixture.policy(roles: "middle: { rankAtLeast: deputy-director }", rules: """
              - id: dorm
                title: 每学期走访宿舍 1 次
                who: middle
                count: { kinds: [dorm-visit], atLeast: 1, per: term }
            """), fileName: "p.yaml")
        let input = try ScenarioLoader.load(scenario, fileName: "s.yaml").input(policy: policy)
        let report = ComplianceEngine.evaluate(input, asOf: LocalDate("2026-02-01")!)
        let term = input.calendar.term(id: "2025-2026-1")!
        let cs = input.roster.units.first { $0.code == "CS" }!
        func problem(_ n: String, answered: String?, due: String) -> CadreDossier.ProblemLine {
            .init(number: n, title: n, category: .same("后勤"), receivedOn: LocalDate("2025-10-10")!, answeredOn: answered.flatMap(LocalDate.init),
                  answerDue: LocalDate(due)!, status: .same("x"), rating: nil)
        }
        // act
        let d = UnitDossier(.init(unit: cs, periodName: term.label, range: term.range, asOf: LocalDate("2026-02-01")!, cells: report.cells,
                                  rules: Dictionary(uniqueKeysWithValues: policy.rules.map { ($0.id, $0) }), cadres: input.roster.cadres,
                                  contacts: input.contacts, collectives: input.roster.collectives, pairings: input.pairings,
                                  problems: [problem("a", answered: "2025-10-12", due: "2025-10-17"), problem("b", answered: "2025-10-20", due: "2025-10-17"),
                                             problem("c", answered: nil, due: "2025-10-17")],
                                  ratings: [.satisfied, .dissatisfied, nil]))
        // check: the two CS cadres, C001 met with one line (the voided one left out), C002 missed
        #expect(d.cadres.map(\.cadre.staffNumber) == ["C001", "C002"])
        #expect(d.cadres[0].tally.met == 1 && d.cadres[0].records == 1 && d.cadres[0].personTimes == 6)
        #expect(d.cadres[1].tally.missed == 1 && d.cadres[1].missed == ["每学期走访宿舍 1 次"])
        #expect(d.cases == UnitDossier.Cases(received: 3, answered: 2, answeredOnTime: 1, overdue: 2, satisfied: 1, basicallySatisfied: 0, dissatisfied: 1))
        #expect(d.collectives == 4 && d.uncovered.map(\.code) == ["CS2502", "CSPB1", "CSSU"])
        #expect(d.narrative.zh.contains("有未完成事项的干部：周副书记"), "\(d.narrative.zh)")
        #expect(d.narrative.zh.contains("承办学生诉求 3 件，已答复 2 件，按期答复 1 件，逾期 2 件"))
    }
}

@Suite("SVG charts drawn on the server")
struct SVGChartTests {
    @Test func labelsAreEscapedAndEveryItemIsDrawn() {
        let svg = SVGChart.bars([("<script>", 3), ("宿舍 & 食堂", 6)], title: "a \"title\"")
        #expect(!svg.contains("<script>") && svg.contains("&lt;script&gt;") && svg.contains("宿舍 &amp; 食堂"))
        #expect(svg.components(separatedBy: "<rect").count - 1 == 2)
        #expect(svg.contains("width=\"360\""), "the largest value spans the full bar width")
        let grid = SVGChart.grid([("A", true), ("B", false), ("C", true)], title: "g", perRow: 2)
        #expect(grid.components(separatedBy: SVGChart.green).count - 1 == 2 && grid.components(separatedBy: SVGChart.grey).count - 1 == 1)
        let weeks = SVGChart.weeks([("1", 4, 0.5), ("2", 8, 1), ("3", 0, nil)], title: "w", shareName: "met")
        #expect(weeks.contains("<polyline"), "a line through the weeks that have a share")
        #expect(weeks.components(separatedBy: "<circle").count - 1 == 2)
        let stacked = SVGChart.stacked([("后勤", [2, 1, 0, 1])], legend: [("a", "#1"), ("b", "#2"), ("c", "#3"), ("d", "#4")], title: "s")
        #expect(stacked.contains(">4</text>"), "the row's total at its end")
        #expect(!stacked.contains("fill=\"#3\"><title>"), "an empty part draws nothing")
    }
}
