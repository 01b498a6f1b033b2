import ChorusWire

/// Works out the events of SPEC §8 that no single datagram announces: a decision applied, a
/// derived state entered (MIXED, READY_TO_RUN_UPGRADE_TASKS follow from versions), the served
/// banner changed (it also expires by this node's clock), and certificates near expiry. It keeps
/// what was last announced, so every agent and the simulator emit the same events the same way.
struct ClusterEventTracker: Sendable {
    /// Certificates are looked at this often (Unix seconds), and each one is announced at most
    /// once per `repeatPeriod` until renewed.
    static let certificateCheckPeriod: UInt64 = 60
    static let repeatPeriod: UInt64 = 86_400

    /// nil until the first tick: the state a node starts in is no news.
    private var lastState: UpgradeState?
    private var lastBanner: AnnouncementBanner?
    private var certificateAnnouncedAt: [NodeID: UInt64] = [:]
    private var nextCertificateCheck: UInt64 = 0

    /// `banner`: the one served at start, which is no news.
    init(banner: AnnouncementBanner? = nil) { lastBanner = banner }

    /// Follows each applied decision with its event, or, for a decision with no event of its own
    /// (a retry), with the derived state it led into. `state` is the state now: the decisions are
    /// already part of it, so decisions caught up on in one step all carry the final state.
    mutating func annotate(_ effects: [MembershipEffect], state: UpgradeState, agreed: AgreedState,
                           banner: AnnouncementBanner?) -> [MembershipEffect] {
        var annotated: [MembershipEffect] = []
        annotated.reserveCapacity(effects.count + 2)
        for effect in effects {
            annotated.append(effect)
            guard case .decision(.decided(_, let value, let applied)) = effect else { continue }
            let events = applied ? ClusterEvent.applying(value, agreed: agreed) : []
            if !events.isEmpty {
                annotated += events.map(MembershipEffect.clusterEvent)
                lastState = state
            } else if let event = derivedStateChange(to: state) {
                annotated.append(event)
            }
            if let event = bannerChange(to: banner) { annotated.append(event) }
        }
        return annotated
    }

    /// A derived state entered since the last look, and the banner changed or expired.
    mutating func tickEvents(state: UpgradeState, banner: AnnouncementBanner?) -> [MembershipEffect] {
        var events: [MembershipEffect] = []
        if let event = derivedStateChange(to: state) { events.append(event) }
        if let event = bannerChange(to: banner) { events.append(event) }
        return events
    }

    func certificateCheckIsDue(atUnixSeconds unixSeconds: UInt64) -> Bool { unixSeconds >= nextCertificateCheck }

    /// `members`' certificates within the warning period, each announced once per `repeatPeriod`.
    mutating func certificatesExpiring(among members: [MemberSnapshot], unixSeconds: UInt64) -> [MembershipEffect] {
        nextCertificateCheck = unixSeconds + Self.certificateCheckPeriod
        var events: [MembershipEffect] = []
        for member in CertificateExpiry.expiring(members.filter { $0.status != .left }, unixSeconds: unixSeconds)
        where (certificateAnnouncedAt[member.id] ?? 0) + Self.repeatPeriod <= unixSeconds {
            certificateAnnouncedAt[member.id] = unixSeconds
            events.append(.event(MembershipEvent(kind: .certificateExpiring, member: member)))
        }
        return events
    }

    /// The event of entering `state`, if it differs from the last one announced. The first look
    /// only records the state: the state a node starts in is no news.
    private mutating func derivedStateChange(to state: UpgradeState) -> MembershipEffect? {
        defer { lastState = state }
        guard let previous = lastState, previous != state, let name = EventName.entering(state) else { return nil }
        return .clusterEvent(ClusterEvent(name))
    }

    private mutating func bannerChange(to banner: AnnouncementBanner?) -> MembershipEffect? {
        guard banner != lastBanner else { return nil }
        lastBanner = banner
        return .clusterEvent(ClusterEvent(.bannerChanged))
    }
}
