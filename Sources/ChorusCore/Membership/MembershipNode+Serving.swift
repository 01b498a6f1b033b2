import ChorusWire

extension MembershipNode {
    /// Changes what this node's heartbeat says about taking traffic (drain, undrain), signs a
    /// fresh heartbeat and gossips it, so every member sees the change within O(log N) rounds.
    public mutating func setServing(_ state: ServingState, now: Instant) -> [MembershipEffect] {
        advanceClock(now)
        guard !isLeaving, state != .leaving, state != serving else { return [] }
        serving = state
        memberFacts[id] = ownFacts
        refreshHeartbeat()
        broadcastOwnHeartbeat()
        return takeEffects()
    }
}
