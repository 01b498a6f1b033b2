import ChorusCore

/// The time limits the invariants are checked against, derived from the timing settings and
/// the cluster size (docs/simulator.md explains each term).
public struct InvariantBounds: Sendable, Equatable {
    /// A sudden death is known to every live node within this (invariant 5).
    public var detection: Duration
    /// After the last fault, every live node agrees within this (invariant 7).
    public var convergence: Duration

    public init(settings: MembershipSettings, clusterSize: Int) {
        // Someone probes the dead node: within k probe rounds with probability >= 1 - e^-k
        // (every member probes every other once per N-1 rounds, in random order); k = 10.
        let firstProbe = settings.probeInterval * 10
        let dissemination = settings.gossipInterval * settings.retransmitLimit(clusterSize: clusterSize)
        detection = firstProbe + settings.maximumSuspicionTimeout(clusterSize: clusterSize) + dissemination
        // Healed sides find each other through digest exchanges with dead members.
        convergence = detection + settings.antiEntropyInterval * 3
    }
}
