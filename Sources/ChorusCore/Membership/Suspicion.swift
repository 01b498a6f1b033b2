import ChorusWire
import RealModule


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

    /// The part of `pausedFor` owed to this node running late (`noteLateRunning`), at most
    /// `maximum`: a node late on every input still reaches a verdict.
    private(set) var lateFor: Duration = .zero

    /// Puts the deadline off by `gap`, as far as the cap allows; false when it allowed nothing.
    mutating func extendForLateRunning(by gap: Duration) -> Bool {
        let added = min(gap, maximum - lateFor)
        guard added > .zero else { return false }
        lateFor += added
        pausedFor += added
        return true
    }

    var confirmations: Int { accusers.count - 1 }

    /// timeout = max(min, max - (max - min) * log(C + 1) / log(K + 1)); the minimum when K is 0
    /// (clusters of two or three have nobody left to confirm).
    var timeout: Duration {
        guard expectedConfirmations > 0 else { return minimum }
        let c = Double(min(confirmations, expectedConfirmations))
        let k = Double(expectedConfirmations)
        let fraction = Double.log(c + 1) / Double.log(k + 1)
        let span = Double((maximum - minimum).nanoseconds)
        let value = Double(maximum.nanoseconds) - span * fraction
        return .nanoseconds(max(minimum.nanoseconds, Int64(value)))
    }

    var deadline: Instant { startedAt + timeout + pausedFor }

    /// How many times this node has handed the accusation to the accused itself.
    private(set) var checks = 0

    /// When to hand the accusation to the accused: after every `minimum` the suspicion has stood,
    /// while the deadline is still further away. Gossip reaches all nodes only with high
    /// probability: a node that heard the suspicion but missed the refutation would otherwise
    /// wait out its timer and declare a live node dead. By then the accused has refuted if it
    /// could hear; asked directly, it answers with its current heartbeat. nil once the deadline
    /// comes first (a confirmed suspicion, as a real death is, sends nothing extra).
    var checkAt: Instant? {
        let at = startedAt + minimum * (checks + 1) + pausedFor
        return at < deadline ? at : nil
    }

    mutating func checked() { checks += 1 }

    /// The next time this suspicion needs the node: a check, else the deadline.
    var nextEventAt: Instant { checkAt ?? deadline }
}
