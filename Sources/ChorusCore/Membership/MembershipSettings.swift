import ChorusWire

/// Timing and sizing of membership and failure detection. Durations are `Duration`; the
/// presets mirror memberlist's LAN / local / WAN configs, tuned for faster detection on
/// the strength of Lifeguard's confirmation-scaled suspicion (docs/membership.md).
public struct MembershipSettings: Sendable, Equatable {
    /// Time between two probes of this node (one target each). lan: 500 ms.
    public var probeInterval: Duration
    /// How long to wait for a direct ack before asking others to probe. lan: 200 ms.
    /// Must stay well under `probeInterval` so indirect probes have time to answer.
    public var probeTimeout: Duration
    /// Members asked to probe a silent target on our behalf (SWIM's k). lan: 3.
    public var indirectProbes: Int
    /// Time between gossip rounds; a round only sends when something is queued. lan: 100 ms.
    public var gossipInterval: Duration
    /// Random members each gossip round sends to. lan: 3.
    public var gossipFanout: Int
    /// Each broadcast is sent `retransmitMultiplier * ceil(log10(N + 1))` times. lan: 4.
    public var retransmitMultiplier: Int
    /// Minimum suspicion timeout = `suspicionMultiplier * max(1, log10(N)) * probeInterval`. lan: 1.5.
    public var suspicionMultiplier: Double
    /// Maximum suspicion timeout = `suspicionMaxMultiplier * minimum`; an unconfirmed suspicion
    /// waits this long, giving the accused time to refute. lan: 6.
    public var suspicionMaxMultiplier: Double
    /// Independent confirmations that shrink the timeout to its minimum (Lifeguard's K; memberlist
    /// uses SuspicionMult - 2 = 2). lan: 2.
    public var suspicionConfirmations: Int
    /// Ceiling of the local health multiplier (Lifeguard LHM): probe interval and timeout are
    /// scaled by `1 + health score` while this node itself looks unhealthy. lan: 8.
    public var maxLocalHealth: Int
    /// Running later than the wakeup this node asked for by more than this means the process was
    /// stalled (SIGSTOP, VM pause, swap): its own timers are not trusted for that gap.
    /// lan: 3 * probeInterval.
    public var stallThreshold: Duration
    /// Time between anti-entropy digest exchanges with one random member. lan: 10 s.
    public var antiEntropyInterval: Duration
    /// First retry of an unanswered join; doubles up to `joinRetryMax`. lan: 500 ms .. 30 s.
    public var joinRetryInitial: Duration
    public var joinRetryMax: Duration
    /// How long dead and left members are kept as tombstones before being forgotten. lan: 1 h.
    public var tombstoneDuration: Duration
    /// Members told directly of a graceful leave (the rest hear it by gossip). lan: 64.
    public var leaveDirectNotifications: Int
    /// Largest datagram sent or accepted, bytes. All presets: 1400 (fits common MTUs).
    public var maxDatagramSize: Int

    public static func preset(_ preset: TimingPreset) -> MembershipSettings {
        switch preset {
        case .lan: .lan
        case .local: .local
        case .wan: .wan
        }
    }

    public static let lan = MembershipSettings(
        probeInterval: .milliseconds(500), probeTimeout: .milliseconds(200), indirectProbes: 3,
        gossipInterval: .milliseconds(100), gossipFanout: 3, retransmitMultiplier: 4,
        suspicionMultiplier: 1.5, suspicionMaxMultiplier: 6, suspicionConfirmations: 2, maxLocalHealth: 8,
        stallThreshold: .milliseconds(1500), antiEntropyInterval: .seconds(10),
        joinRetryInitial: .milliseconds(500), joinRetryMax: .seconds(30), tombstoneDuration: .seconds(3600),
        leaveDirectNotifications: 64, maxDatagramSize: Datagram.defaultMaxSize)

    /// Loopback and single-host development: everything faster, tombstones short.
    public static let local = MembershipSettings(
        probeInterval: .milliseconds(200), probeTimeout: .milliseconds(80), indirectProbes: 3,
        gossipInterval: .milliseconds(50), gossipFanout: 3, retransmitMultiplier: 4,
        suspicionMultiplier: 1.5, suspicionMaxMultiplier: 6, suspicionConfirmations: 2, maxLocalHealth: 8,
        stallThreshold: .milliseconds(600), antiEntropyInterval: .seconds(5),
        joinRetryInitial: .milliseconds(200), joinRetryMax: .seconds(5), tombstoneDuration: .seconds(300),
        leaveDirectNotifications: 64, maxDatagramSize: Datagram.defaultMaxSize)

    /// Links across regions: tolerant of round trips of hundreds of milliseconds.
    public static let wan = MembershipSettings(
        probeInterval: .seconds(3), probeTimeout: .milliseconds(1500), indirectProbes: 3,
        gossipInterval: .milliseconds(400), gossipFanout: 4, retransmitMultiplier: 4,
        suspicionMultiplier: 3, suspicionMaxMultiplier: 6, suspicionConfirmations: 2, maxLocalHealth: 8,
        stallThreshold: .seconds(9), antiEntropyInterval: .seconds(30),
        joinRetryInitial: .seconds(1), joinRetryMax: .seconds(60), tombstoneDuration: .seconds(3600),
        leaveDirectNotifications: 64, maxDatagramSize: Datagram.defaultMaxSize)
}
