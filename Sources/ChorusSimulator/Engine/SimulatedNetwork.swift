import ChorusCore

/// A seeded datagram network between simulated hosts (by index): loss, duplication, delay
/// jitter (hence reordering) and directed link cuts, all drawn from one generator so a run
/// replays exactly from its seed.
public struct SimulatedNetwork: Sendable {
    /// Probability in 0...1 that a datagram is dropped.
    public var lossRate: Double = 0
    /// Probability in 0...1 that a delivered datagram arrives a second time (later).
    public var duplicateRate: Double = 0
    public var minimumDelay: Duration = .microseconds(200)
    public var maximumDelay: Duration = .milliseconds(2)
    /// Directed links that drop everything: `from` cannot reach `to`.
    public private(set) var blocked: Set<DirectedLink> = []
    private var random: SeededRandom

    public struct DirectedLink: Hashable, Sendable {
        public let from: Int
        public let to: Int
    }

    public init(seed: UInt64) { random = SeededRandom(seed: seed ^ 0x6E65_7477_6F72_6B21) }

    public var isPartitioned: Bool { !blocked.isEmpty }

    /// Cuts every link between the two groups, both directions.
    public mutating func partition(_ side: [Int], from other: [Int]) {
        block(from: side, to: other)
        block(from: other, to: side)
    }

    /// Cuts the links one way only: `from` cannot reach `to`, while `to` still reaches `from`.
    public mutating func block(from senders: [Int], to receivers: [Int]) {
        for a in senders {
            for b in receivers where a != b { blocked.insert(DirectedLink(from: a, to: b)) }
        }
    }

    public mutating func heal() { blocked.removeAll() }

    public func isBlocked(from: Int, to: Int) -> Bool {
        !blocked.isEmpty && blocked.contains(DirectedLink(from: from, to: to))
    }

    /// When each copy of a datagram arrives: none when it is lost, two when it is duplicated.
    mutating func arrivals(from: Int, to: Int, sentAt: Instant) -> [Instant] {
        guard !isBlocked(from: from, to: to) else { return [] }
        if lossRate > 0, random.nextUnit() < lossRate { return [] }
        let first = sentAt + randomDelay()
        guard duplicateRate > 0, random.nextUnit() < duplicateRate else { return [first] }
        return [first, first + randomDelay()]
    }

    private mutating func randomDelay() -> Duration {
        let span = UInt64(max(0, (maximumDelay - minimumDelay).nanoseconds)) + 1
        return minimumDelay + .nanoseconds(Int64(random.next(upperBound: span)))
    }
}
