import ChorusWire

extension MembershipNode {
    /// This node's heartbeat exactly as it signed it: the simulator builds forgeries from it.
    public var ownSignedHeartbeat: SignedStatement { ownStatement }

    /// Whether news is still waiting to be gossiped: a cluster with none anywhere is idle.
    public var hasQueuedNews: Bool { !broadcasts.isEmpty }
}
