extension MembershipSettings {
    /// How long a leaving node keeps gossiping before its process exits, so the leave spreads
    /// by gossip as well as by the direct notifications. lan: 400 ms.
    public var leaveGrace: Duration { max(.milliseconds(300), gossipInterval * 4) }
}
