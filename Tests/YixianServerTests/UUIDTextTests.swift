import Foundation
import Testing
@testable import YixianServer

@Suite("UUIDs read and written without sscanf and snprintf")
struct UUIDTextTests {
    @Test("parsing reads the canonical form as UUID(uuidString:) does and never accepts what it refuses; writing equals uuidString")
    func agreesWithFoundation() {
        var generator = SystemRandomNumberGenerator()
        let noise: [Character] = ["g", "G", "-", " ", "{", "0", "f", "F", "é", "中", "\u{0}"]
        var accepted = 0
        for round in 0..<20_000 {
            let id = UUID()
            // setup: the canonical form, its lower case, or one with a character changed, dropped or added
            var text = round % 2 == 0 ? id.uuidString : id.uuidString.lowercased()
            let changed = Int.random(in: 0..<5, using: &generator)
            switch changed {
            case 0:
                let at = text.index(text.startIndex, offsetBy: Int.random(in: 0..<36, using: &generator))
                text.replaceSubrange(at...at, with: String(noise.randomElement(using: &generator)!))
            case 1: text.remove(at: text.index(text.startIndex, offsetBy: Int.random(in: 0..<36, using: &generator)))
            case 2: text.insert(noise.randomElement(using: &generator)!, at: text.index(text.startIndex, offsetBy: Int.random(in: 0...36, using: &generator)))
            default: break
            }

            // act
            let mine = UUID(text: text), foundation = UUID(uuidString: text)

            // check
            // sscanf lets a space or a sign before a digit pair through; a malformed id is refused here.
            #expect(mine == foundation || (mine == nil && changed < 3), "\(text.debugDescription)")
            if changed >= 3 { #expect(mine == id) }
            #expect(id.text == id.uuidString)
            if mine != nil { accepted += 1 }
        }
        #expect(accepted > 5_000 && accepted < 20_000, "both outcomes were exercised")
        #expect(UUID(text: " 4407550-A801-47DE-923B-BED16E5B79B1") == nil)
        #expect(UUID(text: "") == nil && UUID(text: String(repeating: "0", count: 36)) == nil)
    }
}
