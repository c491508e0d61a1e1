import Testing
@testable import YixianCore

@Test func demoRandomIsSplitMix64() {
    // setup: the reference sequence of SplitMix64 seeded with 0
    var random = DemoRandom(seed: 0)

    // act
    let first = [random.next(), random.next(), random.next()]

    // check
    #expect(first == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
}

@Test func demoRandomStaysInRange() {
    // setup
    var random = DemoRandom(seed: 42)
    var seen = Set<Int>()

    // act
    for _ in 0..<1_000 { seen.insert(random.int(below: 7)) }
    let units = (0..<1_000).map { _ in random.unit() }

    // check
    #expect(seen == Set(0..<7))
    #expect(units.allSatisfy { $0 >= 0 && $0 < 1 })
}

@Test func demoShuffleKeepsEveryElement() {
    // setup
    var random = DemoRandom(seed: 3)
    let items = Array(0..<50)

    // act
    let shuffled = random.shuffled(items)

    // check
    #expect(shuffled.sorted() == items)
    #expect(shuffled != items)
}

@Test func demoApportionSplitsExactly() {
    // act
    let parts = demoApportion(100, weights: [1, 2, 3, 4], minimum: 5)

    // check: the total is kept, the minimum respected, the order follows the weights
    #expect(parts.reduce(0, +) == 100)
    #expect(parts.allSatisfy { $0 >= 5 })
    #expect(parts == parts.sorted())
}

@Test func demoGroupCountsMinimiseTheLargestGroup() {
    // setup: one big cell, two small ones
    let students = [300, 40, 35]

    // act
    let groups = demoGroupCounts(10, students: students)

    // check: every cell has a group, the big cell gets the rest, no group above 40
    #expect(groups.reduce(0, +) == 10)
    #expect(groups == [8, 1, 1])
    #expect(zip(students, groups).allSatisfy { Double($0) / Double($1) <= 40 })
}

@Test func demoPaddedPadsOnlyWhenShort() {
    #expect(demoPadded(7, width: 4) == "0007")
    #expect(demoPadded(12345, width: 4) == "12345")
}
