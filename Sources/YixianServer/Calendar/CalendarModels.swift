import Fluent
import Foundation
import YixianCore

final class AcademicYearModel: Model, @unchecked Sendable {
    static let schema = "academic_years"
    @ID var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    @Field(key: "start_date") var startDate: String
    @Field(key: "end_date") var endDate: String
    @Children(for: \.$academicYear) var terms: [TermModel]

    init() {}
}

final class TermModel: Model, @unchecked Sendable {
    static let schema = "terms"
    @ID var id: UUID?
    @Parent(key: "academic_year_id") var academicYear: AcademicYearModel
    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    @Field(key: "start_date") var startDate: String
    @Field(key: "end_date") var endDate: String
    @Children(for: \.$term) var specialWeeks: [SpecialWeekModel]
    @Children(for: \.$term) var vacations: [VacationModel]

    init() {}
}

final class SpecialWeekModel: Model, @unchecked Sendable {
    static let schema = "special_weeks"
    @ID var id: UUID?
    @Parent(key: "term_id") var term: TermModel
    @Field(key: "name") var name: String
    @Field(key: "kind") var kind: String
    @Field(key: "start_date") var startDate: String
    @Field(key: "end_date") var endDate: String
    @Field(key: "excluded") var excluded: Bool

    init() {}
}

final class VacationModel: Model, @unchecked Sendable {
    static let schema = "term_vacations"
    @ID var id: UUID?
    @Parent(key: "term_id") var term: TermModel
    @Field(key: "name") var name: String
    @Field(key: "start_date") var startDate: String
    @Field(key: "end_date") var endDate: String

    init() {}
}
