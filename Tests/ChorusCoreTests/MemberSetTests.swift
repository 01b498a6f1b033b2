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
            #expect(set.ids == set.ids.sorted())
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
        #expect(set.ids == (0..<10).filter { $0 != 4 }.map(id))
        #expect(!set.contains(id(4)))
    }
}
