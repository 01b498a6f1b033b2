import RealModule

/// The size-dependent timings of SWIM and Lifeguard, public so the simulator's bounds and the
/// docs use the very formulas the core runs.
extension MembershipSettings {
    /// `suspicionMultiplier * max(1, log10(N)) * probeInterval`: a confirmed suspicion's timeout.
    public func minimumSuspicionTimeout(clusterSize: Int) -> Duration {
        probeInterval.scaled(by: suspicionMultiplier * max(1, Double.log10(Double(max(clusterSize, 1)))))
    }

    /// `suspicionMaxMultiplier` times the minimum: an unconfirmed suspicion's timeout.
    public func maximumSuspicionTimeout(clusterSize: Int) -> Duration {
        minimumSuspicionTimeout(clusterSize: clusterSize).scaled(by: suspicionMaxMultiplier)
    }

    /// `retransmitMultiplier * ceil(log10(N + 1))`: how many times each broadcast is sent.
    public func retransmitLimit(clusterSize: Int) -> Int {
        retransmitMultiplier * Int(Double.log10(Double(clusterSize + 1)).rounded(.up))
    }

    /// `probeTimeout / 4`: a timer read later than this was read late. The node was not running
    /// (a long input ahead of it, a CPU taken by others) though not stalled (`stallThreshold`),
    /// and what peers sent meanwhile may still wait in its socket behind the timer: a probe
    /// then gives its helpers their whole window and its target this grace before it fails
    /// (docs/membership.md, "Late timers").
    public var lateTolerance: Duration { probeTimeout / 4 }

    /// `3 * antiEntropyInterval`: how long after joining a node attaches its certificate to what
    /// it sends any peer not known to hold it. By then its announcement has reached everyone
    /// (gossip takes O(log N) rounds, anti-entropy mends what gossip missed); afterwards only a
    /// peer that asks, or may have lost it, gets it (docs/membership.md, "Certificates").
    public var certificateSettleTime: Duration { antiEntropyInterval * 3 }

    /// `indirectProbes + round(2 * max(0, log10(N) - 2))` helpers for a failed direct probe: the
    /// setting up to 100 members, two more per tenfold growth beyond (1,000: 5, 10,000: 7); none
    /// when the setting is 0. Every false suspicion is news that each of the N members relays,
    /// so at a fixed loss rate the per-member load of suspicions and refutations grows as N
    /// times the chance that a live member's probe fails. At 10% loss an indirect path (request,
    /// ping, ack, relayed ack) fails with probability 1 - 0.9^4 = 0.34, so two more helpers make
    /// that chance 8.5 times smaller, about what the tenfold growth takes back.
    public func indirectProbeCount(clusterSize: Int) -> Int {
        guard indirectProbes > 0 else { return 0 }
        let extra = 2 * max(0, Double.log10(Double(max(clusterSize, 1))) - 2)
        return indirectProbes + Int(extra.rounded())
    }
}
