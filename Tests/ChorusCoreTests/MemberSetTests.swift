@testable import ChorusCore
import ChorusWire
import Testing

@Suite struct MemberSetTests {
    private func id(_ n: Int) -> NodeID { NodeID(bytes: Array(repeating: 0, count: 30) + [UInt8(n >> 8), UInt8(n & 0xff)])! }

    @Test func samplesAreDistinctSkipTheExcludedAndReplayFromTheSeed() {
        for size in [0, 1, 3, 10, MemberSet.fullShuffleLimit + 1, 500] {
            var set = MemberSet()
            for n in (0..<size).reversed() { set.insert(id(n)) }
            if size > 0 { set.insert(id(0)) } // a second insert changes nothing
            #expect(set.count == size)
            #expect(Array(set) == Array(set).sorted())
            var first = SeededRandom(seed: 9)
            var second = SeededRandom(seed: 9)
            for _ in 0..<50 {
                let picked = set.sample(3, excluding: id(1), using: &first)
                #expect(picked == set.sample(3, excluding: id(1), using: &second))
                #expect(Set(picked).count == picked.count)
                #expect(picked.count == min(3, size > 1 ? size - 1 : size)) // id(1) is in sets of two or more
                #expect(!picked.contains(id(1)))
                #expect(picked.allSatisfy(set.contains))
            }
        }
    }

    @Test func removingKeepsTheRestSorted() {
        var set = MemberSet()
        for n in 0..<10 { set.insert(id(n)) }
        set.remove(id(4))
        set.remove(id(42))
        #expect(Array(set) == (0..<10).filter { $0 != 4 }.map(id))
        #expect(!set.contains(id(4)))
    }

    /// The chunked set against a plain sorted array, through inserts and removals that split,
    /// empty and drop chunks: same order, positions, membership and random access.
    @Test func behavesAsASortedArrayAcrossChunkSplitsAndRemovals() {
        var set = MemberSet()
        var model: [NodeID] = []
        var random = SeededRandom(seed: 3)
        for step in 0..<6_000 {
            let candidate = id(Int(random.next(upperBound: UInt64(1_500))))
            // Mostly inserts first, then mostly removals, so chunks split and later empty.
            if random.next(upperBound: UInt64(10)) < (step < 3_000 ? 8 : 2) {
                set.insert(candidate)
                if !model.contains(candidate) { model.append(candidate); model.sort() }
            } else {
                set.remove(candidate)
                model.removeAll { $0 == candidate }
            }
        }
        #expect(Array(set) == model)
        #expect(set.count == model.count)
        #expect(set.indices.map { set[$0] } == model)
        for n in 0..<1_500 {
            let probe = id(n)
            let expected = model.firstIndex { $0 >= probe } ?? model.count
            #expect(set.position(of: probe) == (expected, model.contains(probe)))
        }
    }

    @Test func aCopyIsIndependentOfTheOriginal() {
        var original = MemberSet(sorted: (0..<1_000).map(id))
        let copy = original
        original.remove(id(500))
        original.insert(id(2_000))
        #expect(copy.count == 1_000 && copy.contains(id(500)) && !copy.contains(id(2_000)))
        #expect(original.count == 1_000 && !original.contains(id(500)) && original.contains(id(2_000)))
        #expect(Array(copy) == (0..<1_000).map(id))
    }
}
