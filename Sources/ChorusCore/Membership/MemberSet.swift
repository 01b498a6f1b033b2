import ChorusWire

/// A set of member ids kept sorted, so picks from it replay from the seed (a dictionary's
/// order varies per instance) and random access is cheap.
///
/// Held as sorted chunks of at most `2 × chunkCapacity` ids, each its own copy-on-write array:
/// a copy of the set shares every chunk, and a change copies one chunk, not N ids. Every node's
/// view starts as the same roster in the simulator's large runs (`ConvergedRoster`), and each
/// holds several of these sets, so at 10,000 nodes flat arrays would be 10⁸ ids per set.
struct MemberSet: Sendable, RandomAccessCollection {
    static let chunkCapacity = 128

    private var chunks: [[NodeID]] = []
    /// `chunkStarts[c]` is the position of `chunks[c].first` in the whole set.
    private var chunkStarts: [Int] = []
    private(set) var count = 0

    /// Up to this many candidates, `sample` shuffles them all, as earlier versions did, so
    /// seeded runs of small clusters replay unchanged; beyond it a full shuffle per pick
    /// would cost O(N).
    static let fullShuffleLimit = 64

    init() {}

    /// `ids` must be sorted and free of duplicates.
    init(sorted ids: [NodeID]) {
        for start in stride(from: 0, to: ids.count, by: Self.chunkCapacity) {
            chunkStarts.append(start)
            chunks.append(Array(ids[start..<Swift.min(start + Self.chunkCapacity, ids.count)]))
        }
        count = ids.count
    }

    var startIndex: Int { 0 }
    var endIndex: Int { count }

    subscript(position: Int) -> NodeID {
        precondition(position >= 0 && position < count, "MemberSet position out of range")
        let chunk = chunkIndex(containing: position)
        return chunks[chunk][position - chunkStarts[chunk]]
    }

    /// Walks the chunks directly, without a search per element.
    func makeIterator() -> FlattenSequence<[[NodeID]]>.Iterator { chunks.joined().makeIterator() }

    func contains(_ id: NodeID) -> Bool { locate(id).found }

    mutating func insert(_ id: NodeID) {
        guard !chunks.isEmpty else {
            chunks = [[id]]
            chunkStarts = [0]
            count = 1
            return
        }
        let place = locate(id)
        guard !place.found else { return }
        chunks[place.chunk].insert(id, at: place.offset)
        count += 1
        for later in (place.chunk + 1)..<chunks.count { chunkStarts[later] += 1 }
        if chunks[place.chunk].count >= 2 * Self.chunkCapacity { split(place.chunk) }
    }

    mutating func remove(_ id: NodeID) {
        let place = locate(id)
        guard place.found else { return }
        chunks[place.chunk].remove(at: place.offset)
        count -= 1
        for later in (place.chunk + 1)..<chunks.count { chunkStarts[later] -= 1 }
        if chunks[place.chunk].isEmpty {
            chunks.remove(at: place.chunk)
            chunkStarts.remove(at: place.chunk)
        }
    }

    /// The position `id` has, or would have, in the set.
    func position(of id: NodeID) -> (index: Int, found: Bool) {
        guard !chunks.isEmpty else { return (0, false) }
        let place = locate(id)
        return (chunkStarts[place.chunk] + place.offset, place.found)
    }

    /// Up to `k` distinct ids other than `excluded`, drawn uniformly. Large sets use Floyd's
    /// algorithm: one draw per pick, however many ids there are.
    func sample(_ k: Int, excluding excluded: NodeID? = nil, using random: inout SeededRandom) -> [NodeID] {
        let skipped = excluded.map { position(of: $0) }.flatMap { $0.found ? $0.index : nil }
        let available = count - (skipped == nil ? 0 : 1)
        guard available > Self.fullShuffleLimit else {
            return Array(filter { $0 != excluded }.shuffled(using: &random).prefix(k))
        }
        let wanted = Swift.min(k, available)
        var picked: [Int] = []
        picked.reserveCapacity(wanted)
        for bound in (available - wanted)..<available {
            let draw = Int(random.next(upperBound: UInt64(bound + 1)))
            picked.append(picked.contains(draw) ? bound : draw)
        }
        return picked.map { index in self[skipped.map { index >= $0 ? index + 1 : index } ?? index] }
    }

    /// The chunk that holds, or would take, `id` (the first whose last id is not below it, else
    /// the last chunk), and the offset in it; (0, 0, false) when the set is empty.
    private func locate(_ id: NodeID) -> (chunk: Int, offset: Int, found: Bool) {
        guard !chunks.isEmpty else { return (0, 0, false) }
        var low = 0
        var high = chunks.count - 1
        while low < high {
            let mid = (low + high) / 2
            if chunks[mid][chunks[mid].count - 1] < id { low = mid + 1 } else { high = mid }
        }
        let chunk = chunks[low]
        var first = 0
        var last = chunk.count
        while first < last {
            let mid = (first + last) / 2
            if chunk[mid] < id { first = mid + 1 } else { last = mid }
        }
        return (low, first, first < chunk.count && chunk[first] == id)
    }

    private func chunkIndex(containing position: Int) -> Int {
        var low = 0
        var high = chunkStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if chunkStarts[mid] <= position { low = mid } else { high = mid - 1 }
        }
        return low
    }

    private mutating func split(_ chunk: Int) {
        let whole = chunks[chunk]
        let half = whole.count / 2
        chunks[chunk] = Array(whole[..<half])
        chunks.insert(Array(whole[half...]), at: chunk + 1)
        chunkStarts.insert(chunkStarts[chunk] + half, at: chunk + 1)
    }
}
