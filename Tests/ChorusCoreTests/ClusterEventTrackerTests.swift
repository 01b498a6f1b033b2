@testable import ChorusCore
import ChorusWire
import Testing

/// The cluster events no single datagram announces (SPEC §8): each is emitted once, when it
/// happens, and never for the state a node merely starts in.
@Suite struct ClusterEventTrackerTests {
    private static func decided(_ value: DecisionValue, applied: Bool = true) -> MembershipEffect {
        .decision(.decided(slot: 1, value: value, applied: applied))
    }

    private static func clusterEvents(_ effects: [MembershipEffect]) -> [EventName] {
        effects.compactMap { if case .clusterEvent(let event) = $0 { event.name } else { nil } }
    }

    @Test func theStateANodeStartsInIsNoNewsButEnteringALaterOneIs() {
        var tracker = ClusterEventTracker()
        #expect(tracker.tickEvents(state: .mixed, banner: nil).isEmpty)
        #expect(tracker.tickEvents(state: .mixed, banner: nil).isEmpty)
        #expect(Self.clusterEvents(tracker.tickEvents(state: .readyToRunUpgradeTasks, banner: nil)) == [.upgradeReady])
        #expect(tracker.tickEvents(state: .readyToRunUpgradeTasks, banner: nil).isEmpty, "announced once")
    }

    @Test func anAppliedDecisionIsFollowedByItsEventAndAVoidOneIsNot() {
        var tracker = ClusterEventTracker()
        _ = tracker.tickEvents(state: .stable, banner: nil)
        let start = Self.decided(.startUpgrade)
        #expect(tracker.annotate([start], state: .readyToUpgrade, agreed: AgreedState(), banner: nil) == [start, .clusterEvent(ClusterEvent(.upgradeStarted))])
        let void = Self.decided(.startUpgrade, applied: false)
        #expect(tracker.annotate([void], state: .readyToUpgrade, agreed: AgreedState(), banner: nil) == [void])
    }

    @Test func aRetryIsAnnouncedByTheStateItLeadsIntoAtOnceAndOnlyOnce() {
        var tracker = ClusterEventTracker()
        _ = tracker.tickEvents(state: .upgradeTasksFailed, banner: nil)
        let retry = Self.decided(.retryUpgrade)
        #expect(tracker.annotate([retry], state: .readyToRunUpgradeTasks, agreed: AgreedState(), banner: nil) == [retry, .clusterEvent(ClusterEvent(.upgradeReady))])
        #expect(tracker.tickEvents(state: .readyToRunUpgradeTasks, banner: nil).isEmpty)
    }

    @Test func aDecidedStateIsNotAnnouncedAgainAsDerived() {
        var tracker = ClusterEventTracker()
        _ = tracker.tickEvents(state: .readyToUpgrade, banner: nil)
        _ = tracker.annotate([Self.decided(.cancelUpgrade)], state: .mixed, agreed: AgreedState(), banner: nil)
        #expect(tracker.tickEvents(state: .mixed, banner: nil).isEmpty, "upgrade-cancelled already said it")
    }

    @Test func theBannerIsAnnouncedWhenSetAndAgainWhenItExpires() {
        let served = AnnouncementBanner(message: "upgrade at 18:00", level: .info, expiresAt: nil)
        var tracker = ClusterEventTracker(banner: nil)
        let set = Self.decided(.setBanner(served))
        #expect(Self.clusterEvents(tracker.annotate([set], state: .stable, agreed: AgreedState(), banner: served)) == [.bannerChanged])
        #expect(tracker.tickEvents(state: .stable, banner: served).isEmpty)
        #expect(Self.clusterEvents(tracker.tickEvents(state: .stable, banner: nil)) == [.bannerChanged], "expired")
        var started = ClusterEventTracker(banner: served)
        #expect(started.tickEvents(state: .stable, banner: served).isEmpty, "the banner served at start is no news")
    }

    @Test func anExpiringCertificateIsAnnouncedOncePerDayUntilRenewed() {
        let now: UInt64 = 1_800_000_000
        var member = MemberSnapshot(name: "node-2", id: NodeID(bytes: [UInt8](repeating: 2, count: 32))!,
                                    address: .unknown, status: .alive, version: "1.0.0", incarnation: 1,
                                    serving: .serving, protocolVersion: 1, voter: true, isLocal: false,
                                    certificateExpiresAt: now + 86_400)
        var tracker = ClusterEventTracker()
        #expect(tracker.certificateCheckIsDue(atUnixSeconds: now))
        #expect(tracker.certificatesExpiring(among: [member], unixSeconds: now).count == 1)
        #expect(!tracker.certificateCheckIsDue(atUnixSeconds: now + 59))
        #expect(tracker.certificatesExpiring(among: [member], unixSeconds: now + 60).isEmpty, "not again the same day")
        #expect(tracker.certificatesExpiring(among: [member], unixSeconds: now + 86_400).count == 1, "again the next day")
        member.certificateExpiresAt = now + 400 * 86_400
        #expect(tracker.certificatesExpiring(among: [member], unixSeconds: now + 2 * 86_400).isEmpty, "renewed")
        member.status = .left
        member.certificateExpiresAt = now
        #expect(tracker.certificatesExpiring(among: [member], unixSeconds: now + 3 * 86_400).isEmpty, "a member that left is no concern")
    }
}
