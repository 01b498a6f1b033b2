import ChorusWire

/// A set of member ids kept sorted, so picks from it replay from the seed (a dictionary's
/// order varies per instance) and random access costs O(1). Inserts and removals shift the
/// array, but they happen on status changes, not on every datagram.
struct MemberSet: Sendable {
    private(set) var ids: [NodeID] = []

    /// Up to this many candidates, `sample` shuffles them all, as earlier versions did, so
    /// seeded runs of small clusters replay unchanged; beyond it a full shuffle per pick
    /// would cost O(N).
    static let fullShuffleLimit = 64

    var count: Int { ids.count }

    func contains(_ id: NodeID) -> Bool { position(of: id).found }

    mutating func insert(_ id: NodeID) {
        let (index, found) = position(of: id)
        if !found { ids.insert(id, at: index) }
    }

    mutating func remove(_ id: NodeID) {
        let (index, found) = position(of: id)
        if found { ids.remove(at: index) }
    }

    /// Up to `k` distinct ids other than `excluded`, drawn uniformly. Large sets use Floyd's
    /// algorithm: one draw per pick, however many ids there are.
    func sample(_ k: Int, excluding excluded: NodeID? = nil, using random: inout SeededRandom) -> [NodeID] {
        let skipped = excluded.map { position(of: $0) }.flatMap { $0.found ? $0.index : nil }
        let available = ids.count - (skipped == nil ? 0 : 1)
        guard available > Self.fullShuffleLimit else {
            return Array(ids.filter { $0 != excluded }.shuffled(using: &random).prefix(k))
        }
        let wanted = min(k, available)
        var picked: [Int] = []
        picked.reserveCapacity(wanted)
        for bound in (available - wanted)..<available {
            let draw = Int(random.next(upperBound: UInt64(bound + 1)))
            picked.append(picked.contains(draw) ? bound : draw)
        }
        return picked.map { index in ids[skipped.map { index >= $0 ? index + 1 : index } ?? index] }
    }

    private func position(of id: NodeID) -> (index: Int, found: Bool) {
        var low = 0
        var high = ids.count
        while low < high {
            let mid = (low + high) / 2
            if ids[mid] < id { low = mid + 1 } else { high = mid }
        }
        return (low, low < ids.count && ids[low] == id)
    }
}
