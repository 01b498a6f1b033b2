import ChorusCore
import ChorusWire
import Testing

@Suite struct FailureDetectionTests {
    let fixture = CoreFixture(count: 3)

    /// Ticks `node` every 10 ms from `from` to `to`, delivering nothing (its peer is silent).
    func tickAlone(_ node: inout MembershipNode, from: Int64, to: Int64) -> [MembershipEffect] {
        stride(from: from, through: to, by: 10).flatMap { node.tick(now: .ms($0), unixSeconds: fixture.unixSeconds) }
    }

    /// Nodes 1 and 2 joined through node 0, every handshake delivered.
    func threeJoined() -> (MembershipNode, MembershipNode, MembershipNode) {
        var a = fixture.node(0)
        var b = fixture.node(1, seeds: [0])
        var c = fixture.node(2, seeds: [0])
        _ = a.start(now: .zero)
        _ = fixture.deliver(fixture.deliver(b.start(now: .zero), from: 1, to: 0, node: &a, at: .zero), from: 0, to: 1, node: &b, at: .zero)
        _ = fixture.deliver(fixture.deliver(c.start(now: .zero), from: 2, to: 0, node: &a, at: .zero), from: 0, to: 2, node: &c, at: .zero)
        return (a, b, c)
    }

    /// Node 0 of a converged pair: node 1 is an established member (a pair joined a moment
    /// ago would be in its newcomer grace, `StarvedNodeTests`).
    func establishedPair() -> MembershipNode { fixture.convergedNode(0, members: [0, 1]) }

    @Test func aSilentPeerIsSuspectedThenDeclaredDead() {
        var a = establishedPair()
        // Two-node cluster: no one to confirm, so the minimum timeout applies:
        // 1.5 * max(1, log10(2)) * 500 ms = 750 ms after the suspicion at 500 ms.
        let first = tickAlone(&a, from: 0, to: 600)
        #expect(first.events == [.memberSuspect])
        #expect(a.counters.probesFailed == 1)
        #expect(tickAlone(&a, from: 610, to: 1200).events.isEmpty)
        let later = tickAlone(&a, from: 1210, to: 1300)
        #expect(later.events == [.memberFailed])
        #expect(a.status(of: fixture.id(1)) == .dead)
    }

    @Test func anAckKeepsThePeerAliveAndHealthy() {
        var (a, b) = fixture.joinedPair()
        let ping = a.tick(now: .ms(0), unixSeconds: fixture.unixSeconds)
        let ack = fixture.deliver(ping, from: 0, to: 1, node: &b, at: .ms(1))
        _ = fixture.deliver(ack, from: 1, to: 0, node: &a, at: .ms(2))
        let rest = tickAlone(&a, from: 10, to: 490)
        #expect(rest.events.isEmpty)
        #expect(a.counters.probesFailed == 0)
        #expect(a.localHealth == 0)
    }

    @Test func aStalledNodeDoesNotAccuseWhenItResumes() {
        var a = establishedPair()
        _ = tickAlone(&a, from: 0, to: 600) // suspicion started at ~500 ms
        #expect(a.status(of: fixture.id(1)) == .suspect)
        // Frozen for 10 s: on resume, its own late timers must not turn suspicion into death.
        let resumed = a.tick(now: .ms(10_600), unixSeconds: fixture.unixSeconds)
        #expect(!resumed.events.contains(.memberFailed))
        #expect(a.localHealth >= 1)
    }

    @Test func indirectProbesAreSentAfterTheDirectTimeout() {
        var (a, _, _) = threeJoined()
        let effects = tickAlone(&a, from: 0, to: 250)
        #expect(a.counters.probesSent == 1)
        #expect(a.counters.indirectProbesSent == 1)
        #expect(!effects.isEmpty)
    }

    @Test func tombstonesAreReapedAndTheirReplaysStayOut() {
        var (a, _) = fixture.joinedPair()
        let dead = fixture.statement(by: 2, .dead, body: Accusation(subject: fixture.id(1), incarnation: 1).encoded)
        _ = a.receive(fixture.datagram(from: 2, records: [dead.record]), from: fixture.addresses[2], now: .ms(1))
        // One accuser: a suspicion, dead by our own timer (ticked in steps: a long gap is a stall).
        for step in 1...600 { _ = a.tick(now: .ms(Int64(step) * 100), unixSeconds: fixture.unixSeconds) }
        #expect(a.status(of: fixture.id(1)) == .dead)
        _ = a.tick(now: .ms(3_660_002), unixSeconds: fixture.unixSeconds)
        #expect(a.status(of: fixture.id(1)) == nil)
        let replay = fixture.heartbeat(of: 1, incarnation: 1, sequence: 0)
        _ = a.receive(fixture.datagram(from: 1, records: [replay.record]), from: fixture.addresses[1], now: .ms(3_660_003))
        #expect(a.status(of: fixture.id(1)) == nil)
        #expect(a.counters.rejected[.replay] == 1)
    }

    @Test func aHolderThatMissedTheRefutationHearsItFromTheAccusedBeforeItsTimerEnds() {
        // Found at 1,000 nodes and 10% loss: one node heard a suspicion, missed the refutation
        // that every other node got, and declared the live suspect dead at the 13.5 s timeout.
        var (a, b, _) = threeJoined()
        // Node 2 suspects node 1 at incarnation 1; node 1 refutes, node 0 never hears it.
        let suspicion = fixture.statement(by: 2, .suspect, body: Accusation(subject: fixture.id(1), incarnation: 1).encoded)
        let gossip = fixture.datagram(from: 2, records: [suspicion.record])
        _ = b.receive(gossip, from: fixture.addresses[2], now: .ms(1))
        _ = a.receive(gossip, from: fixture.addresses[2], now: .ms(1))
        #expect(a.status(of: fixture.id(1)) == .suspect)
        // Node 0's gossip of the suspicion and its probes are lost (its round-robin probe goes
        // to node 2 first and fails, so the suspicion of node 1 stays unconfirmed).
        _ = tickAlone(&a, from: 10, to: 740)
        #expect(a.status(of: fixture.id(1)) == .suspect)
        // Three members, K = 1: minimum 750 ms, maximum 4.5 s. Past the minimum, node 0 hands
        // node 1 the accusation itself; without that it would wait for its probe of node 1.
        let handed = fixture.datagrams(in: tickAlone(&a, from: 750, to: 800), to: 1)
        #expect(a.counters.suspicionChecks == 1)
        // Node 1 outlived the accusation: it answers with its current heartbeat, which clears it.
        let answer = handed.flatMap { b.receive($0, from: fixture.addresses[0], now: .ms(801)) }
        _ = fixture.deliver(answer, from: 1, to: 0, node: &a, at: .ms(802))
        #expect(a.status(of: fixture.id(1)) == .alive)
        #expect(a.incarnation(of: fixture.id(1)) == 2)
    }
}
