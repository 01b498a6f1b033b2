import ChorusCore
import ChorusWire
import Testing

/// Acks captured while a member lived keep nothing alive once it is dead (issue 14: replayed
/// acks kept a killed member alive for 80 s). Written as the replayer would: capture every ack
/// the member sends, kill it, replay them all, from another address, at every step.
@Suite struct ProbeFreshnessTests {
    let fixture = CoreFixture(count: 3)
    let replayer = PeerAddress(ipv4: 10, 0, 0, 77, port: 7720)

    /// Node 1's acks to node 0 while the two run alone for `duration`: every probe of node 0
    /// targets node 1, so the capture holds an ack for every probe sequence up to then.
    func capturedAcks(for duration: Duration) -> [[UInt8]] {
        var nodes = [0, 1].map { fixture.convergedNode($0, members: [0, 1]) }
        var acks: [[UInt8]] = []
        var now = Instant.zero
        while now < .zero + duration {
            now = now + .milliseconds(10)
            for from in nodes.indices {
                let effects = nodes[from].tick(now: now, unixSeconds: fixture.unixSeconds)
                for to in nodes.indices where to != from {
                    let replies = fixture.deliver(effects, from: from, to: to, node: &nodes[to], at: now)
                    if to == 1 && from == 0 {
                        acks += fixture.datagrams(in: replies, to: 0).filter { fixture.recordTypes(of: $0).contains(.ack) }
                    }
                    _ = fixture.deliver(replies, from: to, to: from, node: &nodes[from], at: now)
                }
            }
        }
        return acks
    }

    @Test func acksCapturedFromAPreviousProcessDoNotAnswerTheRestartedProbersProbes() {
        let acks = capturedAcks(for: .seconds(40))
        #expect(acks.count >= 60)
        // Node 0 restarts (its probe sequences start at 1 again) and node 1 is dead; the
        // replayer sends every captured ack every 10 ms.
        var prober = fixture.node(0, restoredIncarnation: 1)
        prober.assumeConverged(fixture.roster([0, 1].map { member in
            KnownMember(certificate: fixture.identities[member].certificate, statement: fixture.node(member).ownSignedHeartbeat)!
        }))
        var now = Instant.zero
        var deadAt: Instant?
        while now < .zero + .seconds(30), deadAt == nil {
            now = now + .milliseconds(10)
            _ = prober.tick(now: now, unixSeconds: fixture.unixSeconds)
            for ack in acks { _ = prober.receive(ack, from: replayer, now: now) }
            if prober.status(of: fixture.id(1)) == .dead { deadAt = now }
        }
        #expect(deadAt != nil, "the dead member was kept alive by replayed acks")
        #expect((deadAt ?? .distantFuture) < .zero + .seconds(10))
        #expect((prober.counters.rejected[.stale] ?? 0) > 0)
    }

    @Test func anAckWithoutTheNonceAnswersOnlyAMemberThatSignedProtocolVersion1() {
        for version in [UInt8(1), MembershipNode.protocolVersion] {
            var prober = fixture.node(0)
            prober.assumeConverged(fixture.roster([
                KnownMember(certificate: fixture.identities[0].certificate, statement: fixture.node(0).ownSignedHeartbeat)!,
                KnownMember(certificate: fixture.identities[1].certificate,
                            statement: fixture.heartbeat(of: 1, incarnation: 1, sequence: 0, protocolVersion: version))!,
            ]))
            let probe = prober.tick(now: .ms(1), unixSeconds: fixture.unixSeconds)
            let ping = fixture.datagrams(in: probe, to: 1).compactMap { bytes -> Ping? in
                let datagram = try? Datagram.decode(bytes, expectedCluster: Array(fixture.authority.publicKey.prefix(8)), maxSize: 1400)
                return datagram?.records.first { $0.type == RecordType.ping.rawValue }.flatMap { try? Ping.decode($0.value) }
            }.first
            #expect(ping?.nonce != nil)
            let bare = ProbeReply(sequence: ping?.sequence ?? 0, nonce: nil)
            _ = prober.receive(fixture.datagram(from: 1, records: [bare.record(.ack)]), from: fixture.addresses[1], now: .ms(2))
            let answered = prober.tick(now: .ms(1_000), unixSeconds: fixture.unixSeconds).events.isEmpty
                && prober.status(of: fixture.id(1)) == .alive && prober.counters.rejected[.stale] == nil
            #expect(answered == (version == 1), "protocol \(version)")
        }
    }
}
