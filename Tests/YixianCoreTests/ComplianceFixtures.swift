import Foundation
@testable import YixianCore

/// A small university in scenario YAML: term 1 runs Wed 2025-09-03 … Sun 2026-01-18 with exam weeks
/// 2026-01-05 … 01-18 excluded from weekly rules; term 2 runs 2026-03-02 … 07-05. Tests add their
/// own contacts, cases, filings and pairings.
enum ComplianceFixture {
    static func scenario(vacations: String = "[]", contacts: String = "[]", pairings: String = "[]", cases: String = "[]",
                         filings: String = "[]", changes: String = "[]", extraCadres: String = "") -> String {
        """
        calendar:
          years:
            - id: 2025-2026
              start: 2025-08-25
              end: 2026-08-23
              terms:
                - id: 2025-2026-1
                  name: 第一学期
                  start: 2025-09-03
                  end: 2026-01-18
                  vacations: \(vacations)
                  specialWeeks:
                    - { name: 教学礼拜周, kind: teaching-worship, start: 2025-11-17, end: 2025-11-23, excluded: false }
                    - { name: 期末考试, kind: exam, start: 2026-01-05, end: 2026-01-18 }
                - id: 2025-2026-2
                  name: 第二学期
                  start: 2026-03-02
                  end: 2026-07-05
        units:
          - { code: LEAD, name: 校领导, kind: leadership }
          - { code: XGB, name: 学生工作部, kind: student-work }
          - { code: HQ, name: 后勤处, kind: functional-department }
          - { code: CS, name: 计算机学院, kind: college }
          - { code: ME, name: 机械学院, kind: college }
        cadres:
          - { staff: L001, name: 王书记, unit: LEAD, posts: [党委书记], rank: school-leader, party: true }
          - { staff: L002, name: 赵副校长, unit: LEAD, posts: [副校长], rank: school-leader, tags: [student-work] }
          - { staff: L003, name: 钱副校长, unit: LEAD, posts: [副校长], rank: school-leader, tags: [logistics] }
          - { staff: C001, name: 刘院长, unit: CS, posts: [院长], rank: director, party: true }
          - { staff: C002, name: 周副书记, unit: CS, posts: [分管学生工作副书记], rank: deputy-director, party: true }
        \(extraCadres)
        cadreChanges: \(changes)
        collectives:
          - { code: CS2501, kind: class, unit: CS, size: 32 }
          - { code: CS2502, kind: class, unit: CS, size: 30 }
          - { code: CSPB1, kind: party-branch, unit: CS, size: 25 }
          - { code: CSSU, kind: student-union, unit: CS, size: 40 }
          - { code: ME2501, kind: class, unit: ME, size: 31 }
        pairings: \(pairings)
        contacts: \(contacts)
        cases: \(cases)
        filings: \(filings)
        """
    }

    /// The university closes 09-29 … 10-08, so the whole week 09-29 … 10-05 is a vacation.
    static let autumnBreak = "[ { start: 2025-09-29, end: 2025-10-08 } ]"

    /// One face-to-face contact of L001 in each of term weeks 1–4 and 6, and (`holiday`) one on 10-02 in the
    /// week `autumnBreak` covers.
    static func weeklyContacts(holiday: Bool) -> String {
        var days = ["w1": "09-05", "w2": "09-09", "w3": "09-16", "w4": "09-23", "w6": "10-09"]
        if holiday { days["holiday"] = "10-02" }
        let lines = days.sorted { $0.value < $1.value }.map { "{ id: \($0.key), cadre: L001, kind: face-to-face, start: \"2025-\($0.value)T10:00\" }" }
        return "[ " + lines.joined(separator: ",\n  ") + " ]"
    }

    static func evaluate(policy: String, scenario: String, asOf: String) throws -> ComplianceReport {
        let policy = try PolicyLoader.load(policy, fileName: "test-policy.yaml")
        let scenario = try ScenarioLoader.load(scenario, fileName: "test-scenario.yaml")
        return ComplianceEngine.evaluate(scenario.input(policy: policy), asOf: LocalDate(asOf)!)
    }

    static func preset(_ id: String) throws -> String { try PolicyTestFiles.text("policies/\(id).yaml") }

    /// A one-rule policy over the standard vocabulary.
    static func policy(roles: String = "school-leader: { rank: [school-leader] }", rules: String) -> String {
        """
        id: test
        title: 测试策略
        roles:
          \(roles)
        rules:
        \(rules)
        """
    }
}

extension ComplianceReport {
    func cell(_ subject: String, _ rule: String, _ period: String) -> ComplianceCell? {
        cells.first { $0.subject.id == subject && $0.ruleID == rule && $0.period.id == period }
    }
}
