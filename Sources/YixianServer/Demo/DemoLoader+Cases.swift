import Fluent
import Foundation
import Vapor
import YixianCore

extension DemoLoader {
    /// Writes the demo's cases with their histories; each state is reached through the workflow
    /// a handler's steps go through, so the demo cannot hold a case the pages could not make.
    static func loadCases(_ cases: [DemoCase], on db: any Database) async throws {
        try await db.write { db in
            let organization = try await OrganizationFacts.load(on: db)
            let numbers = Set(cases.compactMap(\.studentNumber))
            let students = Dictionary(try await StudentModel.query(on: db).filter(\.$studentNumber ~~ numbers).all()
                .map { ($0.studentNumber, $0.id!) }, uniquingKeysWith: { a, _ in a })
            let versions = try await ComplianceService.versions(on: db)
            var taken: Set<String> = []
            var rows: [CaseModel] = []
            var events: [CaseEventModel] = []
            for (index, item) in cases.enumerated() {
                let row = CaseModel()
                row.id = UUID()
                repeat { row.number = CaseService.newNumber(on: item.receivedOn) } while !taken.insert(row.number).inserted
                row.channel = item.channel.rawValue
                row.mailbox = item.mailbox
                row.category = item.category.code
                row.urgent = item.urgent
                row.tier = CaseService.tierName(urgent: item.urgent, in: CaseService.rule(on: item.receivedOn, in: versions))
                row.title = String(item.text.prefix(40))
                row.text = item.text
                row.$submitter.id = item.studentNumber.flatMap { students[$0] }
                // An unsigned letter's secret is one nobody holds.
                row.secretHash = item.channel == .mailbox && row.$submitter.id == nil ? Secrets.sha256(Secrets.random()) : nil
                row.$cadre.id = item.cadreStaffNumber.flatMap { organization.cadreIDs[$0] }
                row.collectiveCode = item.collectiveCode
                row.receivedOn = item.receivedOn.iso
                let received = item.receivedOn.startInstant().addingTimeInterval(9 * 3600 + Double(index % 480) * 60)
                row.createdAt = received
                func event(_ at: Date, _ actor: String, _ action: String, _ unit: String?, _ note: String) {
                    let e = CaseEventModel()
                    e.id = UUID()
                    e.$studentCase.id = row.id!
                    e.at = at
                    e.actor = actor
                    e.action = action
                    e.unitCode = unit
                    e.note = note
                    events.append(e)
                }
                event(received, item.channel == .contact ? "联系干部" : "学生", "received", nil, item.channel.label.zh)
                var state = CaseState(receivedOn: item.receivedOn, urgent: item.urgent)
                var unitCode: String?
                for (offset, step) in item.steps.enumerated() {
                    state = try CaseWorkflow.apply(step.action, to: state, on: step.day)
                    let at = offset == 0 && item.routedOnReceipt ? received.addingTimeInterval(1)
                        : max(received.addingTimeInterval(Double(offset + 2)), step.day.startInstant().addingTimeInterval(10 * 3600 + Double(offset) * 60))
                    switch step.action {
                    case .assign(let code):
                        unitCode = code
                        event(at, item.routedOnReceipt ? "系统" : "学工部", "assign", code,
                              item.routedOnReceipt ? "按类别“\(item.category.label.zh)”分派" : "")
                    case .acknowledge: event(at, "经办人", "acknowledge", nil, "")
                    case .answer(let outcome, let text):
                        row.answerText = text
                        event(at, "经办人", "answer", nil, outcome.label.zh)
                    case .rate(let rating):
                        row.rating = rating.rawValue
                        event(at, "学生", "rate", nil, rating.label.zh)
                        if state.status == .assigned {
                            row.answerText = nil
                            event(at.addingTimeInterval(1), "系统", "reopen", nil, "学生不满意，重新办理")
                        }
                    default: break
                    }
                }
                row.apply(state)
                row.$responsibleUnit.id = unitCode.flatMap { organization.unitIDs[$0] }
                row.updatedAt = events.last?.at ?? received
                rows.append(row)
            }
            try await RosterStore.insert(rows, on: db)
            try await RosterStore.insert(events, on: db)
        }
    }
}
