import ChorusWire


/// Lifeguard's dynamic suspicion timeout: long while only one member accuses (a lossy link
/// to one node must not kill it), shrinking towards the minimum as independent accusers
/// confirm (a real death is seen by many), so true failures are declared fast.
struct Suspicion: Sendable {
    let incarnation: UInt64
    let startedAt: Instant
    let minimum: Duration
    let maximum: Duration
    let expectedConfirmations: Int
    private(set) var accusers: Set<NodeID>
    /// Extended when this node itself was stalled, since its timers were late, not the subject.
    private(set) var pausedFor: Duration = .zero

    init(incarnation: UInt64, accuser: NodeID, startedAt: Instant, minimum: Duration, maximum: Duration,
         expectedConfirmations: Int) {
        self.incarnation = incarnation
        self.startedAt = startedAt
        self.minimum = minimum
        self.maximum = maximum
        self.expectedConfirmations = max(0, expectedConfirmations)
        self.accusers = [accuser]
    }

    /// Records an accuser; true when it was a new, independent confirmation.
    mutating func confirm(by accuser: NodeID) -> Bool { accusers.insert(accuser).inserted }

    mutating func extend(by gap: Duration) { pausedFor += gap }

    var confirmations: Int { accusers.count - 1 }

    /// timeout = max(min, max - (max - min) * log(C + 1) / log(K + 1)); the minimum when K is 0
    /// (clusters of two or three have nobody left to confirm).
    var timeout: Duration {
        guard expectedConfirmations > 0 else { return minimum }
        let c = Double(min(confirmations, expectedConfirmations))
        let k = Double(expectedConfirmations)
        let fraction = Logarithm.natural(c + 1) / Logarithm.natural(k + 1)
        let span = Double((maximum - minimum).nanoseconds)
        let value = Double(maximum.nanoseconds) - span * fraction
        return .nanoseconds(max(minimum.nanoseconds, Int64(value)))
    }

    var deadline: Instant { startedAt + timeout + pausedFor }
}
