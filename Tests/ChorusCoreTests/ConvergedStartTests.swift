import ChorusCore
import ChorusWire
import Testing

/// `assumeConverged`: a core that starts knowing the cluster trusts only what verifies.
@Suite struct ConvergedStartTests {
    let fixture = CoreFixture(count: 4)

    @Test func aConvergedStartKnowsEveryVerifiedMemberAliveAndAnnouncesNothing() {
        let roster = (1...2).compactMap { index in
            KnownMember(certificate: fixture.identities[index].certificate,
                        statement: fixture.node(index).ownSignedHeartbeat)
        }
        var node = fixture.node(0, seeds: [1])
        node.assumeConverged(fixture.roster(roster))
        let effects = node.start(now: .zero)
        #expect(node.status(of: fixture.id(1)) == .alive)
        #expect(node.status(of: fixture.id(2)) == .alive)
        #expect(node.hasJoined)
        #expect(effects.events.isEmpty)
        #expect(!node.hasQueuedNews)
    }

    @Test func aRosterEntryThatDoesNotVerifyIsLeftOut() {
        // Node 2's key signed a heartbeat that claims to be node 3's.
        var forged = fixture.node(3).ownSignedHeartbeat
        forged.signature = fixture.statement(by: 2, .heartbeat, body: forged.body).signature
        let roster = [KnownMember(certificate: fixture.identities[3].certificate, statement: forged)!,
                      KnownMember(certificate: fixture.identities[1].certificate, statement: forged)!]
        var node = fixture.node(0)
        node.assumeConverged(fixture.roster(roster))
        #expect(node.status(of: fixture.id(3)) == nil)
        #expect(node.status(of: fixture.id(1)) == nil)
    }

    @Test func aNodeInItsOwnRosterListsEveryoneButItself() {
        let roster = (0...3).compactMap { index in
            KnownMember(certificate: fixture.identities[index].certificate,
                        statement: fixture.node(index).ownSignedHeartbeat)
        }
        var node = fixture.node(2)
        node.assumeConverged(fixture.roster(roster))
        #expect([0, 1, 3].allSatisfy { node.status(of: fixture.id($0)) == .alive })
        #expect(node.footprint.members == 3) // the roster's four, less itself
    }

    @Test func aRosterVerifiedUnderAnotherAuthorityIsIgnored() {
        let other = CoreFixture(count: 2, seed: 99)
        let roster = other.roster([KnownMember(certificate: other.identities[1].certificate,
                                               statement: other.node(1).ownSignedHeartbeat)!])
        var node = fixture.node(0, seeds: [1])
        node.assumeConverged(roster)
        #expect(node.status(of: other.id(1)) == nil)
        #expect(!node.hasJoined)
    }

    @Test func aFirstRoundDelayHoldsTheFirstProbeAndGossipUntilItEnds() {
        let roster = fixture.roster((1...3).compactMap { index in
            KnownMember(certificate: fixture.identities[index].certificate,
                        statement: fixture.node(index).ownSignedHeartbeat)
        })
        var node = fixture.node(0, firstRoundDelay: .milliseconds(300))
        node.assumeConverged(roster)
        let started = node.start(now: .zero)
        #expect((1...3).allSatisfy { fixture.datagrams(in: started, to: $0).isEmpty })
        #expect(node.nextWakeup == .zero + .milliseconds(300))
        let ticked = node.tick(now: .zero + .milliseconds(300), unixSeconds: fixture.unixSeconds)
        #expect((1...3).contains { !fixture.datagrams(in: ticked, to: $0).isEmpty })
    }
}
