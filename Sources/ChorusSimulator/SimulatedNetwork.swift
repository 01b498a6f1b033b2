import ChorusCore
import ChorusWire

/// A seeded datagram network: loss, delay jitter (hence reordering) and partitions, all decided
/// by one generator so a run replays exactly from its seed.
public struct SimulatedNetwork: Sendable {
    /// Probability in 0...1 that a datagram is dropped.
    public var lossRate: Double = 0
    public var minimumDelay: Duration = .microseconds(200)
    public var maximumDelay: Duration = .milliseconds(2)
    /// Directed links that drop everything (`from` cannot reach `to`).
    private(set) var blocked: Set<Link> = []
    private var random: SeededRandom

    struct Link: Hashable, Sendable {
        let from: PeerAddress
        let to: PeerAddress
    }

    public init(seed: UInt64) { random = SeededRandom(seed: seed) }

    /// Cuts every link between the two groups, both directions.
    public mutating func partition(_ side: [PeerAddress], from other: [PeerAddress]) {
        for a in side {
            for b in other {
                blocked.insert(Link(from: a, to: b))
                blocked.insert(Link(from: b, to: a))
            }
        }
    }

    public mutating func heal() { blocked.removeAll() }

    /// When the datagram arrives, or nil when it is lost.
    mutating func deliveryTime(from: PeerAddress, to: PeerAddress, sentAt: Instant) -> Instant? {
        guard !blocked.contains(Link(from: from, to: to)) else { return nil }
        if lossRate > 0, Double(random.next() >> 11) / Double(1 << 53) < lossRate { return nil }
        let span = UInt64(max(0, (maximumDelay - minimumDelay).nanoseconds)) + 1
        return sentAt + minimumDelay + .nanoseconds(Int64(random.next(upperBound: span)))
    }
}
