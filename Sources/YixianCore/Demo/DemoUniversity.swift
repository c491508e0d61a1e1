import Foundation

/// A realistic university made up from a seed, so Yixian can start on a fresh machine
/// with something to show. Same scale, seed and `asOf` give the same value, byte for byte.
///
/// Layout decisions worth knowing:
/// - Every class has its league branch (团支部), as in real universities; graduate students of
///   a college share one 研究生班 (grade nil). At `.standard` the 400-collective budget therefore
///   makes undergraduate classes large (42–75, mean ≈ 56); `.large` gets 30–37.
/// - A dorm collective is one floor of a residence hall (`梅园3舍-4层`), not a room: rooms for
///   8,000 students would be ~1,600 collectives. Floors are filled college by college, so a
///   dorm's `unitCode` is the college whose students live there.
/// - Clubs (社团) are school-wide: their unit is 校团委 and their members come from every
///   college. Every other collective belongs to a college and holds only its students.
/// - Collective sizes are the real member counts.
public struct DemoUniversity: Hashable, Sendable, Codable {
    public var scale: DemoScale
    public var seed: UInt64
    public var asOf: LocalDate
    public var units: [Unit]
    public var cadres: [Cadre]
    public var collectives: [Collective]
    public var students: [Student]
    /// Keyed by student number; only the students who have a flag.
    public var sensitive: [String: SensitiveFlags]
    /// Pairings of the academic year holding `asOf`.
    public var pairings: [Pairing]
    /// The previous and the current academic year, oldest first.
    public var academicYears: [AcademicYear]

    public var currentAcademicYear: AcademicYear { academicYears[academicYears.count - 1] }

    public static func generate(scale: DemoScale, seed: UInt64, asOf: LocalDate) -> DemoUniversity {
        var builder = DemoUniversityBuilder(scale: scale, seed: seed, asOf: asOf)
        builder.buildUnits()
        builder.buildCadres()
        builder.buildCollectivesAndStudents()
        builder.buildSensitiveFlags()
        builder.buildPairings()
        return DemoUniversity(
            scale: scale, seed: seed, asOf: asOf,
            units: builder.units, cadres: builder.cadres, collectives: builder.collectives,
            students: builder.students, sensitive: builder.sensitive, pairings: builder.pairings,
            academicYears: builder.academicYears
        )
    }
}
