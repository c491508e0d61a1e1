import Foundation

/// SplitMix64: tiny, fast and fully specified, so a seed gives the same demo on
/// every platform and Swift version. The standard library's `random(in:using:)`
/// and `shuffle(using:)` are not promised to stay stable, hence our own helpers.
struct DemoRandom: Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<bound` (Lemire's multiply-high; the bias is below 2⁻³² for our bounds).
    mutating func int(below bound: Int) -> Int {
        precondition(bound > 0)
        return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// Uniform in [0, 1) with 53 bits.
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    mutating func chance(_ probability: Double) -> Bool { unit() < probability }

    mutating func element<T>(of items: [T]) -> T { items[int(below: items.count)] }

    mutating func shuffle<T>(_ items: inout [T]) {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            items.swapAt(i, int(below: i + 1))
        }
    }

    mutating func shuffled<T>(_ items: [T]) -> [T] {
        var copy = items
        shuffle(&copy)
        return copy
    }
}

/// Picks from a fixed table by integer weights in O(log n).
struct DemoWeightedTable<T: Sendable>: Sendable {
    private let items: [T]
    private let cumulative: [Int]

    init(_ entries: [(T, Int)]) {
        items = entries.map(\.0)
        var total = 0
        cumulative = entries.map { total += $0.1; return total }
    }

    func pick(_ random: inout DemoRandom) -> T {
        let target = random.int(below: cumulative.last!)
        var low = 0, high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] > target { high = mid } else { low = mid + 1 }
        }
        return items[low]
    }
}

/// Splits `total` into parts proportional to `weights` (largest remainder), each at least `minimum`.
func demoApportion(_ total: Int, weights: [Double], minimum: Int = 0) -> [Int] {
    precondition(total >= minimum * weights.count)
    let free = total - minimum * weights.count
    let sum = weights.reduce(0, +)
    let exact = weights.map { Double(free) * $0 / sum }
    var parts = exact.map { Int($0.rounded(.down)) }
    let order = exact.indices.sorted { (exact[$0] - Double(parts[$0]), $1) > (exact[$1] - Double(parts[$1]), $0) }
    for i in order.prefix(free - parts.reduce(0, +)) { parts[i] += 1 }
    return parts.map { $0 + minimum }
}

/// Splits `total` groups (classes, dorm floors) over cells of `students` so the largest group is as
/// small as it can be: each cell starts with one and every further one goes to the fullest cell.
func demoGroupCounts(_ total: Int, students: [Int]) -> [Int] {
    precondition(total >= students.count)
    var classes = Array(repeating: 1, count: students.count)
    for _ in students.count..<total {
        var fullest = 0
        for i in students.indices where students[i] * classes[fullest] > students[fullest] * classes[i] { fullest = i }
        classes[fullest] += 1
    }
    return classes
}

/// Zero-padded decimal, cheaper than `String(format:)` in the hot student loop.
func demoPadded(_ value: Int, width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}
