import Foundation
import Testing
@testable import YixianCore

@Suite("抽查: the sample is random to the cadres and reproducible from its seed")
struct SpotCheckSampleTests {
    @Test func sizeIsTheShareRoundedUpAndNeverZeroWhenThereAreLines() {
        #expect(SpotCheckSample.size(of: 0, share: 0.1) == 0)
        #expect(SpotCheckSample.size(of: 3, share: 0.1) == 1)
        #expect(SpotCheckSample.size(of: 10, share: 0.1) == 1)
        #expect(SpotCheckSample.size(of: 11, share: 0.1) == 2)
        #expect(SpotCheckSample.size(of: 7, share: 1) == 7)
    }

    @Test func theSameSeedDrawsTheSameLinesWhateverTheirOrder() {
        let ids = (1...200).map { "line-\($0)" }
        let first = SpotCheckSample.draw(ids, share: 0.05, seed: "a1b2")
        #expect(first.count == 10)
        #expect(Set(first).isSubset(of: Set(ids)))
        #expect(SpotCheckSample.draw(ids.reversed(), share: 0.05, seed: "a1b2") == first)
        #expect(SpotCheckSample.draw(ids, share: 0.05, seed: "other") != first, "another seed, another sample")
    }

    @Test func everyLineHasAFairChance() {
        // Over 400 seeds each of 20 lines should be drawn about 400 × 2 / 20 = 40 times.
        let ids = (1...20).map { "L\($0)" }
        var hits: [String: Int] = [:]
        for seed in 0..<400 { for id in SpotCheckSample.draw(ids, share: 0.1, seed: "\(seed)") { hits[id, default: 0] += 1 } }
        #expect(hits.count == 20)
        #expect(hits.values.allSatisfy { (15...70).contains($0) }, "\(hits.sorted { $0.key < $1.key })")
    }
}
