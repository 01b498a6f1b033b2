import ChorusCore

/// What every running core of a cluster holds, summed, with the inline sizes of the structures:
/// the attribution of the simulator's memory that a figures run prints with `--trace`. Counts
/// are logical: cores started from one roster share every entry neither has changed since.
public struct MemoryCensus: CustomStringConvertible, Sendable {
    public let hosts: Int
    public let total: CoreFootprint

    public init(_ cluster: SimulatedCluster) {
        let cores = (0..<cluster.size).compactMap { cluster.core(of: $0) }
        hosts = cores.count
        total = cores.reduce(CoreFootprint()) { $0 + $1.footprint }
    }

    public var description: String {
        "\(hosts) cores hold \(total.members) member entries, shared until changed (stride \(CoreFootprint.memberStride) B: "
            + "certificate \(CoreFootprint.certificateStride), heartbeat \(CoreFootprint.heartbeatStride)), "
            + "\(total.trustedCertificates) trusted certificates, \(total.certificateHolders) certificate holders, "
            + "\(total.certificateWanted) certificates owed to peers, "
            + "\(total.decisionViewEntries) decision-view entries (stride \(CoreFootprint.memberFactsStride)), "
            + "\(total.unadmittedWatched) unadmitted watched, \(total.queuedBroadcasts) queued broadcasts, "
            + "\(total.forgottenMembers) forgotten; \(total.decidedSlots) decided slots with \(total.proofVotes) proof votes, "
            + "\(total.pendingVotes) pending votes (stride \(CoreFootprint.signedStatementStride))"
    }
}
