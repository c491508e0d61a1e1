@preconcurrency import Crypto
import Fluent
import Foundation
import Vapor
import YixianCore

/// Data lifecycle (PIPL Art. 19, 47): a graduated student's personal data is kept for the
/// retention period and then anonymised. Counts survive: the student row, memberships and
/// confirmations stay (ledger records keep counting), with the name, number and login replaced
/// by a keyed pseudonym; sensitive rows are deleted.
///
/// Graduation year = the latest entry year (`grade`) among the student's collectives plus the
/// programme length (`YIXIAN_PROGRAM_YEARS`, default 4). Retention: `YIXIAN_RETENTION_YEARS`
/// after graduation (default 3).
enum Lifecycle {
    static let anonymousPrefix = "ANON-"

    struct Settings: Sendable {
        var retentionYears: Int
        var programYears: Int

        static func fromEnvironment() -> Settings {
            let env = ProcessInfo.processInfo.environment
            return Settings(retentionYears: env["YIXIAN_RETENTION_YEARS"].flatMap(Int.init).map { max($0, 0) } ?? 3,
                            programYears: env["YIXIAN_PROGRAM_YEARS"].flatMap(Int.init).map { max($0, 1) } ?? 4)
        }

        /// Students who graduated before this year are past retention in `year`.
        func cutoff(inYear year: Int) -> Int { year - retentionYears }
    }

    struct Result: Sendable, Equatable {
        var students: Int
        var sensitiveRowsDeleted: Int
        var accountsClosed: Int
    }

    static func pseudonym(for studentNumber: String, key: SymmetricKey) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("pseudonym|\(studentNumber)".utf8), using: key)
        return Data(mac).hexString.prefix(12).description
    }

    /// Students whose graduation year is before `year`, not yet anonymised.
    static func eligible(graduatedBefore year: Int, settings: Settings, on db: any Database) async throws -> [StudentModel] {
        let memberships = try await StudentCollectiveModel.query(on: db).with(\.$collective).all()
        var graduation: [UUID: Int] = [:]
        for m in memberships {
            guard let grade = m.collective.grade else { continue }
            graduation[m.$student.id] = max(graduation[m.$student.id] ?? 0, grade + settings.programYears)
        }
        let ids = graduation.filter { $0.value < year }.map(\.key)
        guard !ids.isEmpty else { return [] }
        return try await StudentModel.query(on: db).filter(\.$id ~~ ids).all().filter { !$0.studentNumber.hasPrefix(anonymousPrefix) }
    }

    /// Ledger lines name who took part by student number (§4.14): each anonymised number becomes the student's
    /// pseudonym there too, in the line and in its earlier versions, so “the same student” still reads the same and
    /// “no repeat within a year” keeps its verdicts.
    static func renumberParticipants(_ renumbered: [String: String], on db: any Database) async throws {
        guard !renumbered.isEmpty else { return }
        for record in try await ContactRecordModel.query(on: db).filter(\.$participantNumbers != nil).all() {
            let numbers = ContactRecordModel.collectiveList(record.participantNumbers ?? "")
            guard numbers.contains(where: { renumbered[$0] != nil }) else { continue }
            record.participantNumbers = numbers.map { renumbered[$0] ?? $0 }.joined(separator: ",")
            try await record.save(on: db)
            for version in try await ContactRecordVersionModel.query(on: db).filter(\.$record.$id == record.id!).all() {
                guard var snapshot = try? JSONDecoder().decode(ContactSnapshot.self, from: Data(version.snapshot.utf8)),
                      let old = snapshot.participantNumbers, old.contains(where: { renumbered[$0] != nil }) else { continue }
                snapshot.participantNumbers = old.map { renumbered[$0] ?? $0 }
                version.snapshot = String(decoding: try JSONEncoder().encode(snapshot), as: UTF8.self)
                try await version.save(on: db)
            }
        }
    }

    static func anonymise(graduatedBefore year: Int, settings: Settings, dryRun: Bool, by actor: AuditTrail.Actor,
                          on db: any Database) async throws -> Result {
        let key = try db.requireDataProtection().auditKey
        return try await db.write { db in
            let students = try await eligible(graduatedBefore: year, settings: settings, on: db)
            let ids = students.compactMap(\.id)
            let sensitive = ids.isEmpty ? 0 : try await StudentSensitiveModel.query(on: db).filter(\.$student.$id ~~ ids).count()
            let accounts = ids.isEmpty ? [] : try await UserModel.query(on: db).filter(\.$student.$id ~~ ids).all()
            let result = Result(students: students.count, sensitiveRowsDeleted: sensitive, accountsClosed: accounts.count)
            guard !dryRun, !ids.isEmpty else { return result }
            var pseudonyms: [UUID: String] = [:], renumbered: [String: String] = [:]
            for student in students {
                let alias = pseudonym(for: student.studentNumber, key: key)
                pseudonyms[student.id!] = alias
                renumbered[student.studentNumber] = anonymousPrefix + alias
                student.studentNumber = anonymousPrefix + alias
                student.name = "匿名学生 \(alias.prefix(6))"
                student.active = false
                try await student.save(on: db)
            }
            try await StudentSensitiveModel.query(on: db).filter(\.$student.$id ~~ ids).delete()
            // Help logs (精准帮扶) keep their date and kind for the counts; their notes go with the flags.
            try await SupportLogModel.query(on: db).filter(\.$student.$id ~~ ids).set(\.$note, to: "").update()
            try await renumberParticipants(renumbered, on: db)
            for account in accounts {
                let alias = account.$student.id.flatMap { pseudonyms[$0] } ?? UUID().uuidString.prefix(12).description
                account.username = "anon-" + alias
                account.displayName = "匿名学生 \(alias.prefix(6))"
                account.active = false
                try await account.save(on: db)
                try await SessionModel.query(on: db).filter(\.$user.$id == account.id!).delete()
            }
            try await AuditTrail.record("students.anonymise", objectType: "students", objectID: "graduated-before-\(year)",
                                        detail: "\(result.students) students anonymised, \(result.sensitiveRowsDeleted) sensitive rows deleted, \(result.accountsClosed) accounts closed",
                                        by: actor, on: db)
            return result
        }
    }
}
