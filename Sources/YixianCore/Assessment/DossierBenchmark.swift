import Foundation

/// `yixian bench dossiers`: the dossiers of every cadre of a demo university for the running term,
/// as Word documents in one zip, beside one full evaluation of the engine measured in the same run
/// (the reference: the dossiers read its verdicts, so they should cost a small multiple of it).
public enum DossierBenchmark {
    public static func run(policy: Policy, scale: DemoScale = .large, asOf: LocalDate, seed: UInt64 = 2019_0034) -> String {
        func seconds(_ body: () throws -> Void) rethrows -> Double {
            let start = ContinuousClock.now
            try body()
            let elapsed = ContinuousClock.now - start
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
        let demo = DemoUniversity.generate(scale: scale, seed: seed, asOf: asOf)
        let history = DemoHistory.generate(for: demo, policy: policy, asOf: asOf, seed: seed)
        let input = history.complianceInput(for: demo, policy: policy)
        let calendar = AcademicCalendar(years: demo.academicYears)
        guard let term = calendar.term(containing: asOf) ?? demo.academicYears.flatMap(\.terms).last(where: { $0.range.start <= asOf }) else {
            return "no term begun by \(asOf.iso)"
        }
        let index = ComplianceIndex(input)
        var report = ComplianceEngine.evaluate(index, asOf: asOf, academicYearID: calendar.academicYear(containing: asOf)?.id)
        let evaluation = (0..<3).map { _ in
            seconds { report = ComplianceEngine.evaluate(index, asOf: asOf, academicYearID: calendar.academicYear(containing: asOf)?.id) }
        }.min()!
        let rules = Dictionary(policy.rules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let units = Dictionary(demo.units.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        let collectives = Dictionary(demo.collectives.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        var zip = Data()
        var built = 0
        // Grouping once (what the server's DossierSource does), then one dossier and one document per cadre.
        let batch = seconds {
            let cells = Dictionary(grouping: report.cells.filter { $0.subject.kind == .cadre }, by: \.subject.id)
            let contacts = Dictionary(grouping: input.contacts.filter { term.range.contains($0.startDay) }, by: \.cadreStaffNumber)
            let links = Dictionary(grouping: input.pairings.filter { $0.range.overlaps(term.range) && $0.collectiveCode != nil }, by: \.cadreStaffNumber)
            var parts: [(path: String, data: Data)] = []
            for cadre in demo.cadres where cadre.active {
                let dossier = CadreDossier(.init(
                    cadre: cadre, unitName: units[cadre.unitCode] ?? cadre.unitCode, periodName: term.label, range: term.range, asOf: asOf,
                    cells: cells[cadre.staffNumber] ?? [], rules: rules, contacts: contacts[cadre.staffNumber] ?? [], vocabulary: policy.vocabulary,
                    links: (links[cadre.staffNumber] ?? []).compactMap { p in collectives[p.collectiveCode!].map { .init(collective: $0, kind: p.kind) } },
                    problems: [], findings: []))
                parts.append(("\(dossier.unitName)/\(dossier.fileStem).docx", (try? DOCXWriter.write(dossier.documentBlocks())) ?? Data()))
                built += 1
            }
            zip = (try? ZipFile.make(parts)) ?? Data()
        }
        return String(format: """
            dossiers: %d cadres, %d ledger lines, term %@
              engine, one full evaluation (best of 3): %.1f ms
              every cadre's dossier as .docx, zipped (%.1f MB): %.2f s — %.1f ms per cadre, %.0f× one evaluation
            """, built, input.contacts.count, term.id, evaluation * 1000, Double(zip.count) / 1e6, batch, batch * 1000 / Double(max(1, built)),
            batch / evaluation)
    }
}
