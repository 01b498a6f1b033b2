import ChorusCore
import ChorusWire
import Testing

/// The application's version and health (SPEC §13) change the heartbeat while the agent runs:
/// a peer sees the new facts, and a restart is not needed for an upgraded application.
@Suite struct ApplicationFactsTests {
    let fixture = CoreFixture(count: 2)

    /// Node 0's gossip rounds until node 1 has heard from it; returns node 1's effects.
    func gossip(from sender: inout MembershipNode, to receiver: inout MembershipNode, from begin: Instant) -> [MembershipEffect] {
        var heard: [MembershipEffect] = []
        var now = begin
        for _ in 0..<10 {
            now = now + fixture.settings.gossipInterval
            heard += fixture.deliver(sender.tick(now: now, unixSeconds: fixture.unixSeconds), from: 0, to: 1,
                                     node: &receiver, at: now)
        }
        return heard
    }

    @Test func aNewVersionAndAFailingCheckReachThePeerWithoutARestart() {
        var (a, b) = fixture.joinedPair()
        let incarnation = a.localMember.incarnation
        _ = a.setApplicationFacts(version: "1.1.0", health: .unhealthy, now: .ms(100))
        #expect(a.localMember.version == "1.1.0")
        #expect(a.localMember.health == .unhealthy)
        #expect(a.localMember.incarnation == incarnation)

        let heard = gossip(from: &a, to: &b, from: .ms(100))
        let seen = b.snapshot(of: fixture.id(0))
        #expect(seen?.version == "1.1.0")
        #expect(seen?.health == .unhealthy)
        #expect(seen?.status == .alive)
        #expect(heard.events == [.memberUpdate])
    }

    @Test func theSameFactsAgainChangeNothing() {
        var (a, _) = fixture.joinedPair()
        _ = a.setApplicationFacts(version: "1.0.0", health: .healthy, now: .ms(100))
        let before = a.ownSignedHeartbeat
        #expect(a.setApplicationFacts(version: "1.0.0", health: .healthy, now: .ms(200)).isEmpty)
        #expect(a.ownSignedHeartbeat == before)
    }

    @Test func aLeavingNodeKeepsTheFactsItLeftWith() {
        var (a, _) = fixture.joinedPair()
        _ = a.leave(now: .ms(100))
        #expect(a.setApplicationFacts(version: "2.0.0", health: .unhealthy, now: .ms(200)).isEmpty)
        #expect(a.localMember.version == "1.0.0")
        #expect(a.localMember.health == .unknown)
    }
}
