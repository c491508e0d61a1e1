import Fluent

/// A filing by one cadre (每位校领导每学期提交 1 份联系学生情况报告, POLICY-FORMAT §4.16): the staff number of the
/// cadre it is from. Optional: a unit's own plans, summaries and meeting records name no cadre.
struct AddFilingCadre: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("filings").field("cadre_staff_number", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("filings").deleteField("cadre_staff_number").update()
    }
}
