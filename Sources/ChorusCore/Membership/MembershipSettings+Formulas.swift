/// The size-dependent timings of SWIM and Lifeguard, public so the simulator's bounds and the
/// docs use the very formulas the core runs.
extension MembershipSettings {
    /// `suspicionMultiplier * max(1, log10(N)) * probeInterval`: a confirmed suspicion's timeout.
    public func minimumSuspicionTimeout(clusterSize: Int) -> Duration {
        probeInterval.scaled(by: suspicionMultiplier * max(1, Logarithm.base10(Double(max(clusterSize, 1)))))
    }

    /// `suspicionMaxMultiplier` times the minimum: an unconfirmed suspicion's timeout.
    public func maximumSuspicionTimeout(clusterSize: Int) -> Duration {
        minimumSuspicionTimeout(clusterSize: clusterSize).scaled(by: suspicionMaxMultiplier)
    }

    /// `retransmitMultiplier * ceil(log10(N + 1))`: how many times each broadcast is sent.
    public func retransmitLimit(clusterSize: Int) -> Int {
        retransmitMultiplier * Int(Logarithm.base10(Double(clusterSize + 1)).rounded(.up))
    }
}
