import ChorusWire

extension MembershipNode {
    /// This node's heartbeat exactly as it signed it: the simulator builds forgeries from it.
    public var ownSignedHeartbeat: SignedStatement { ownStatement }
}
