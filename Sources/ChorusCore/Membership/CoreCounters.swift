/// Monotonic counters the core keeps about its own work, exported by the shell as metrics and
/// read by the simulator for its figures. Plain values: copying them is a snapshot.
public struct CoreCounters: Sendable, Equatable {
    public var datagramsIn: UInt64 = 0
    public var bytesIn: UInt64 = 0
    public var datagramsOut: UInt64 = 0
    public var bytesOut: UInt64 = 0
    /// Datagrams dropped before they could change state, by reason.
    public var rejected: [RejectReason: UInt64] = [:]
    public var probesSent: UInt64 = 0
    public var probesFailed: UInt64 = 0
    public var indirectProbesSent: UInt64 = 0
    public var suspicionsRaised: UInt64 = 0
    public var refutations: UInt64 = 0
    /// Accusations handed to a suspect by a node holding the suspicion (not its prober).
    public var suspicionChecks: UInt64 = 0
    public var membersDeclaredDead: UInt64 = 0
    /// Peers asked for their certificate after a datagram from them could not be verified.
    public var certificateRequests: UInt64 = 0
    /// Answers not sent because they would have gone to an unproven source with more bytes than
    /// it sent us, or a join request came without its joiner's heartbeat (`ReplyAllowance`).
    public var repliesWithheld: UInt64 = 0
    /// Members that sealed with a removed key and were handed the current keys (`KeyringGrant`).
    public var keyringGrantsSent: UInt64 = 0
    /// Grants this node took after it had missed a rotation.
    public var keyringGrantsAdopted: UInt64 = 0

    public init() {}

    mutating func reject(_ reason: RejectReason) { rejected[reason, default: 0] += 1 }
}
