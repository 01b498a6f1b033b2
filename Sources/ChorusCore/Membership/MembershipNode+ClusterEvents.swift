/// The cluster events of SPEC §8 that follow from this node's state, not from one message
/// (`ClusterEventTracker`), built only when they can be due: the snapshots they need cost a walk
/// of every member.
extension MembershipNode {
    /// Follows every applied decision in `effects` with its event.
    mutating func annotateDecisions(_ effects: [MembershipEffect]) -> [MembershipEffect] {
        guard effects.contains(where: \.isDecided) else { return effects }
        let state = upgradeStatus.state
        return clusterEvents.annotate(effects, state: state, agreed: decisions.agreed, banner: activeBanner)
    }

    /// A tick's news: a derived state entered, the banner changed or expired, certificates near expiry.
    mutating func takeTickEvents() -> [MembershipEffect] {
        let state = upgradeStatus.state
        var events = clusterEvents.tickEvents(state: state, banner: activeBanner)
        if clusterEvents.certificateCheckIsDue(atUnixSeconds: unixSeconds) {
            let members = memberSnapshots
            events += clusterEvents.certificatesExpiring(among: members, unixSeconds: unixSeconds)
        }
        return events
    }
}

extension MembershipEffect {
    var isDecided: Bool {
        if case .decision(.decided) = self { true } else { false }
    }
}
