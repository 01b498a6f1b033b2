import ChorusWire

extension MembershipNode {
    /// The application's version and health as the shell last read them (SPEC §13). A change
    /// goes out at once in a fresh heartbeat, as a drain does, and the upgrade state follows the
    /// new version as it would a restart with it; the same facts again change nothing.
    public mutating func setApplicationFacts(version: String, health: ApplicationHealth, now: Instant) -> [MembershipEffect] {
        advanceClock(now)
        guard !isLeaving, version != appVersion || health != appHealth else { return [] }
        if version != appVersion {
            appVersion = version
            decisions.appVersion = version
        }
        appHealth = health
        memberFacts[id] = ownFacts
        refreshHeartbeat()
        broadcastOwnHeartbeat()
        return takeEffects()
    }
}
