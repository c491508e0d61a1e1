import Fluent
import Plot
import Vapor
import YixianCore

/// The audit admin's chain check (naming the first bad row) and a student's own data (PIPL Art. 45).
enum DataProtectionPages {
    static func register(_ app: Application) {
        app.routes.on(.GET, SitePattern.auditVerify.components, access: .capability(.readAudit)) { req -> Response in
            let ctx = PageContext(req)
            let report = try await AuditTrail.verifyReport(on: req.db)
            var firstRow: AuditEventModel?
            if let first = report.firstBad {
                firstRow = try await AuditEventModel.query(on: req.db).filter(\.$seq == first.seq).first()
            }
            let status = report.intact
                ? ctx.t("哈希链校验：完整。共 \(report.count) 条，HMAC 与检查点均一致。", "Hash chain: intact. \(report.count) events; HMACs and checkpoint agree.")
                : ctx.t("哈希链校验：断裂！第一条异常记录：序号 \(report.firstBad!.seq)（\(report.firstBad!.reason.zh)）",
                        "Hash chain broken! First bad row: seq \(report.firstBad!.seq) (\(report.firstBad!.reason.en))")
            let checkpoint = report.checkpoint.map { "seq \($0.seq) · \($0.hash.prefix(19))… · \(AdminPages.timestamp($0.at))" } ?? "—"
            return ctx.render(title: ctx.t("审计链校验", "Audit chain check"), content: .group(
                .h1(.text(ctx.t("审计链校验", "Audit chain check"))),
                .div(.class("panel"), .attribute(named: "data-intact", value: report.intact ? "true" : "false"),
                     .attribute(named: "data-first-bad", value: report.firstBad.map { String($0.seq) } ?? ""),
                     .p(.strong(.text(status))),
                     .dl(.class("props"),
                         .dt(.text(ctx.t("事件数", "Events"))), .dd(.text(String(report.count))),
                         .dt(.text(ctx.t("链头序号", "Head seq"))), .dd(.text(report.headSeq.map(String.init) ?? "—")),
                         .dt(.text(ctx.t("库外检查点", "Checkpoint outside the database"))), .dd(.text(checkpoint))),
                     .forEach(report.notes) { .p(.class("muted"), .text(ctx.t($0))) }),
                .if(firstRow != nil, .div(.class("panel"),
                    .h2(.text(ctx.t("第一条异常记录", "First bad row"))),
                    .dl(.class("props"),
                        .dt(.text(ctx.t("序号", "Seq"))), .dd(.text(String(firstRow?.seq ?? 0))),
                        .dt(.text(ctx.t("时间", "Time"))), .dd(.text(firstRow.map { AdminPages.timestamp($0.at) } ?? "")),
                        .dt(.text(ctx.t("操作人", "Actor"))), .dd(.text(firstRow?.actorName ?? "")),
                        .dt(.text(ctx.t("操作", "Action"))), .dd(.text(firstRow?.action ?? "")),
                        .dt(.text(ctx.t("对象", "Object"))), .dd(.text("\(firstRow?.objectType ?? "") \(firstRow?.objectID ?? "")")),
                        .dt(.text(ctx.t("详情", "Detail"))), .dd(.text(firstRow?.detail ?? ""))))),
                .if(!report.intact, Components.table(ctx, headers: [ctx.t("序号", "Seq"), ctx.t("问题", "Problem")],
                    rows: report.problems.sorted { $0.seq < $1.seq }.map { [Components.cell(String($0.seq)), Components.cell(ctx.t($0.reason))] },
                    empty: .text(""))),
                .p(.class("muted"), .text(ctx.t("命令行：yixian audit verify（链断裂时退出码为 1）。",
                                                "Command line: yixian audit verify (exit status 1 when broken).")))
            ))
        }

        app.routes.on(.GET, SitePattern.myData.components, access: .roles([.student])) { req -> Response in
            let ctx = PageContext(req)
            let user = try req.requireUser()
            guard let studentID = user.studentID else { throw AppError.notFound("student") }
            let data = try await MyData.load(studentID: studentID, by: user, on: req.db)
            let yes = ctx.t("是", "Yes"), no = ctx.t("否", "No")
            return ctx.render(title: ctx.t("我的数据", "My data"), content: .group(
                .h1(.text(ctx.t("我的数据", "My data"))),
                .p(.class("muted"), .text(ctx.t("依据《个人信息保护法》第四十五条，这里列出本系统保存的关于您的全部个人信息。如有错误，请联系所在学院更正。",
                                                "Under PIPL Art. 45 this lists all personal information the system holds about you. Ask your college to correct anything wrong."))),
                .div(.class("panel"), .h2(.text(ctx.t("基本信息", "Profile"))),
                     .dl(.class("props"),
                         .dt(.text(ctx.t("姓名", "Name"))), .dd(.text(data.name)),
                         .dt(.text(ctx.t("学号", "Student number"))), .dd(.text(data.studentNumber)),
                         .dt(.text(ctx.t("学院", "College"))), .dd(.text(data.unitName)),
                         .dt(.text(ctx.t("状态", "Status"))), .dd(.text(data.active ? ctx.t("在读", "Active") : ctx.t("已停用", "Inactive"))),
                         .dt(.text(ctx.t("登录账号", "Account"))), .dd(.text(user.username)))),
                .div(.class("panel"), .h2(.text(ctx.t("所在集体", "Collectives"))),
                     Components.table(ctx, headers: [ctx.t("代码", "Code"), ctx.t("名称", "Name")],
                                      rows: data.collectives.map { [Components.cell($0.code), Components.cell($0.name)] },
                                      empty: .text(ctx.t("无。", "None.")))),
                .div(.class("panel"), .h2(.text(ctx.t("特殊困难信息", "Special difficulty"))),
                     .p(.class("muted"), .text(ctx.t("这些信息加密保存，只有学生工作部门和您所在学院的秘书可以查看，每次查看都记入审计日志。",
                                                     "Stored encrypted; only the student-work office and your college's secretary may read it, and every read is audited."))),
                     .if(data.sensitive == nil, .p(.text(ctx.t("系统中没有关于您的特殊困难信息。", "The system holds no special-difficulty information about you.")))),
                     .unwrap(data.sensitive) { flags in
                         .dl(.class("props"),
                             .dt(.text(ctx.t("家庭经济困难", "Family hardship"))), .dd(.text(flags.familyHardship ? yes : no)),
                             .dt(.text(ctx.t("残疾", "Disability"))), .dd(.text(flags.disability ? yes : no)),
                             .dt(.text(ctx.t("心理关注", "Psychological attention"))), .dd(.text(flags.psychologicalAttention ? yes : no)),
                             .dt(.text(ctx.t("备注", "Note"))), .dd(.text(flags.note.isEmpty ? "—" : flags.note)))
                     }),
                .div(.class("panel"), .h2(.text(ctx.t("我作出的确认", "Confirmations I gave"))),
                     Components.table(ctx, headers: [ctx.t("联系日期", "Contact date"), ctx.t("方式", "Kind"), ctx.t("确认时间", "Confirmed at")],
                                      rows: data.confirmations.map { [Components.cell($0.date), Components.cell($0.kind), Components.cell(AdminPages.timestamp($0.confirmedAt))] },
                                      empty: .text(ctx.t("您还没有确认过联系记录。", "You have not confirmed any contact.")))),
                .div(.class("panel"), .h2(.text(ctx.t("我反映的问题", "Problems I raised"))),
                     .p(.text(ctx.t("学生反映的问题由干部记录在联系记录中，只标明学生集体，不记录是哪位学生反映的，因此系统中没有与您个人关联的问题记录。",
                                    "Problems students raise are recorded by the cadre against a collective, never against a named student, so none is linked to you personally."))))
            ))
        }
    }
}

/// What the system holds about one student.
enum MyData {
    struct Confirmation: Sendable {
        var date: String
        var kind: String
        var confirmedAt: Date
    }

    struct Holdings: Sendable {
        var name: String
        var studentNumber: String
        var unitName: String
        var active: Bool
        var collectives: [(code: String, name: String)]
        var sensitive: SensitiveFlags?
        var confirmations: [Confirmation]
    }

    static func load(studentID: UUID, by user: CurrentUser, on db: any Database) async throws -> Holdings {
        try await db.write { db in
            guard let student = try await StudentModel.query(on: db).filter(\.$id == studentID).with(\.$unit).first() else {
                throw AppError.notFound("student")
            }
            let memberships = try await StudentCollectiveModel.query(on: db).filter(\.$student.$id == studentID).with(\.$collective).all()
            let sensitive = try await StudentSensitiveModel.query(on: db).filter(\.$student.$id == studentID).first()
            let confirmations = try await ContactConfirmationModel.query(on: db).filter(\.$student.$id == studentID)
                .with(\.$record).sort(\.$confirmedAt, .descending).all()
            // The student reading their own flags is a read of sensitive data like any other.
            try await AuditTrail.record("personal.self-access", objectType: "student", objectID: student.studentNumber,
                                        detail: sensitive == nil ? "" : "sensitive flags shown", by: .init(user), on: db)
            return Holdings(name: student.name, studentNumber: student.studentNumber, unitName: student.unit.name, active: student.active,
                            collectives: memberships.map { ($0.collective.code, $0.collective.name) }.sorted { $0.code < $1.code },
                            sensitive: sensitive.map(\.core),
                            confirmations: confirmations.map {
                                Confirmation(date: LocalDate($0.record.startAt).iso, kind: $0.record.kind, confirmedAt: $0.confirmedAt)
                            })
        }
    }
}
