import ChorusWire

/// Which member to probe next: randomized round robin (SWIM), every member probed once per pass,
/// in a fresh order. A pass keeps the probeable set as it stood (a copy that shares its chunks)
/// and a shuffled permutation of its positions: 4 bytes per member instead of a shuffled copy of
/// 32-byte ids. Shuffling positions draws exactly what shuffling the ids would, so seeded runs
/// replay.
struct ProbeRound {
    private var pass = MemberSet()
    private var order: [UInt32] = []
    private var position = 0

    /// The next member of this pass that is still `probeable`, after starting a new pass over
    /// `probeable` when this one is spent; nil when there is no one to probe.
    mutating func next(of probeable: MemberSet, using random: inout SeededRandom,
                       stillProbeable: (NodeID) -> Bool) -> NodeID? {
        for _ in 0..<2 {
            while position < order.count {
                let candidate = pass[Int(order[position])]
                position += 1
                if stillProbeable(candidate) { return candidate }
            }
            pass = probeable
            order = (0..<UInt32(pass.count)).shuffled(using: &random)
            position = 0
            if order.isEmpty { return nil }
        }
        return nil
    }
}
