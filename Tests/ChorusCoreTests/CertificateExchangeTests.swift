import ChorusCore
import ChorusWire
import Testing

/// Whose datagrams carry the sender's certificate: everything while a newcomer's announcement
/// spreads, afterwards only what goes to a peer that asked or may have lost it.
@Suite struct CertificateExchangeTests {
    let fixture = CoreFixture(count: 4)

    @Test func aNewcomerAttachesItsCertificateToItsProbes() {
        var (_, joiner) = fixture.joinedPair()
        let effects = joiner.tick(now: .ms(600), unixSeconds: fixture.unixSeconds)
        let pings = fixture.datagrams(in: effects, to: 0).filter { fixture.recordTypes(of: $0).contains(.ping) }
        #expect(pings.count == 1)
        #expect(pings.allSatisfy { fixture.recordTypes(of: $0).contains(.certificate) })
    }

    @Test func aSettledMemberSendsItsProbesWithoutItsCertificate() {
        var node = fixture.convergedNode(0, members: [0, 1])
        _ = node.start(now: .zero)
        let effects = node.tick(now: .ms(600), unixSeconds: fixture.unixSeconds)
        let pings = fixture.datagrams(in: effects, to: 1).filter { fixture.recordTypes(of: $0).contains(.ping) }
        #expect(pings.count == 1)
        #expect(pings.allSatisfy { !fixture.recordTypes(of: $0).contains(.certificate) })
    }

    @Test func aNewcomerStopsAttachingItOnceItsAnnouncementHasSettled() {
        var (seed, joiner) = fixture.joinedPair()
        var now = Instant.zero
        var sentWithout = 0
        // Both ticked and every datagram delivered: probes answered, nothing suspected.
        while now < .zero + fixture.settings.certificateSettleTime + .seconds(2) {
            now = now + .milliseconds(100)
            let fromJoiner = joiner.tick(now: now, unixSeconds: fixture.unixSeconds)
            let answers = fixture.deliver(fromJoiner, from: 1, to: 0, node: &seed, at: now)
            _ = fixture.deliver(answers, from: 0, to: 1, node: &joiner, at: now)
            let fromSeed = seed.tick(now: now, unixSeconds: fixture.unixSeconds)
            let replies = fixture.deliver(fromSeed, from: 0, to: 1, node: &joiner, at: now)
            _ = fixture.deliver(replies, from: 1, to: 0, node: &seed, at: now)
            if now > .zero + fixture.settings.certificateSettleTime {
                sentWithout += fixture.datagrams(in: fromJoiner, to: 0).filter {
                    !fixture.recordTypes(of: $0).contains(.certificate)
                }.count
            }
        }
        #expect(sentWithout > 0)
        #expect(joiner.status(of: fixture.id(0)) == .alive)
        #expect(joiner.counters.certificateRequests == 0 && seed.counters.certificateRequests == 0)
    }

    @Test func aNodeThatCannotVerifyASenderAsksForItsCertificateAtMostOncePerGossipInterval() {
        var node = fixture.node(2, seeds: [3])
        _ = node.start(now: .zero)
        // As a settled member's gossip is: its heartbeat, no certificate.
        let unverifiable = fixture.datagram(from: 0, records: [fixture.heartbeat(of: 0, incarnation: 1, sequence: 1).record],
                                            withCertificate: false)
        let first = node.receive(unverifiable, from: fixture.addresses[0], now: .ms(10))
        let requests = fixture.datagrams(in: first, to: 0)
        #expect(requests.count == 1)
        #expect(requests.allSatisfy { fixture.recordTypes(of: $0) == [.exchange, .certificate, .certificateRequest] })
        #expect(fixture.datagrams(in: node.receive(unverifiable, from: fixture.addresses[0], now: .ms(60)), to: 0).isEmpty)
        #expect(fixture.datagrams(in: node.receive(unverifiable, from: fixture.addresses[0], now: .ms(110)), to: 0).count == 1)
        #expect(node.counters.certificateRequests == 2)
        #expect(node.counters.rejected[.untrustedSender] == 3)
    }

    @Test func aForgedCertificateIsNotAskedAbout() {
        var node = fixture.node(2, seeds: [3])
        _ = node.start(now: .zero)
        let other = CoreFixture(count: 1, seed: 99) // its certificate is under another authority
        var builder = DatagramBuilder(clusterID: Array(fixture.authority.publicKey.prefix(8)), sender: other.id(0), maxSize: 1400)
        builder.append(Record(type: RecordType.certificate.rawValue, value: other.identities[0].certificate.encoded))
        let effects = node.receive(builder.finish(signer: other.identities[0].signer), from: fixture.addresses[0], now: .ms(10))
        #expect(fixture.datagrams(in: effects, to: 0).isEmpty)
        #expect(node.counters.certificateRequests == 0)
    }

    @Test func askedForItsCertificateAMemberAnswersAtOnceAndAttachesItUntilThePeerShowsItHoldsIt() {
        var asked = fixture.convergedNode(0, members: [0, 1])
        var asking = fixture.convergedNode(1, members: [0, 1])
        _ = asked.start(now: .zero)
        _ = asking.start(now: .zero)
        let request = fixture.datagram(from: 1, records: [CertificateRequest.record])
        let answer = fixture.datagrams(in: asked.receive(request, from: fixture.addresses[1], now: .ms(10)), to: 1)
        #expect(answer.count == 1)
        #expect(answer.allSatisfy { Set(fixture.recordTypes(of: $0)).isSuperset(of: [.certificate, .statement]) })
        let probe = asked.tick(now: .ms(600), unixSeconds: fixture.unixSeconds)
        let toAsking = fixture.datagrams(in: probe, to: 1)
        #expect(!toAsking.isEmpty && toAsking.allSatisfy { fixture.recordTypes(of: $0).contains(.certificate) })
        // The peer answers our probe and probes us by id: it holds our certificate now.
        let fromAsking = fixture.deliver(probe, from: 0, to: 1, node: &asking, at: .ms(601))
            + asking.tick(now: .ms(601), unixSeconds: fixture.unixSeconds)
        _ = fixture.deliver(fromAsking, from: 1, to: 0, node: &asked, at: .ms(602))
        // The tick at 600 ms came late (the node asked for 0 ms): local health stretched the next
        // probe to 1.6 s.
        let next = fixture.datagrams(in: asked.tick(now: .ms(1_600), unixSeconds: fixture.unixSeconds), to: 1)
        #expect(!next.isEmpty && next.allSatisfy { !fixture.recordTypes(of: $0).contains(.certificate) })
    }

    @Test func aSettledMembersDatagramToANodeThatNeverHeardOfItEndsWithBothKnowingEachOther() {
        // The settled member still holds node 2 from before it restarted (a tombstone's address
        // is how anti-entropy finds a restarted leaver); node 2 has heard of nobody.
        var settled = fixture.convergedNode(0, members: [0, 1, 2])
        var stranger = fixture.node(2, seeds: [3]) // its seed is down
        _ = settled.start(now: .zero)
        _ = stranger.start(now: .zero)
        // A ping as probes send it: with the prober's heartbeat, here without its certificate.
        let ping = Ping(sequence: 1, target: fixture.id(2), nonce: 1).record
        let first = fixture.datagram(from: 0, records: [ping, fixture.heartbeat(of: 0, incarnation: 1, sequence: 1).record],
                                     withCertificate: false)
        let request = stranger.receive(first, from: fixture.addresses[0], now: .ms(10))
        let answer = fixture.deliver(request, from: 2, to: 0, node: &settled, at: .ms(11))
        _ = fixture.deliver(answer, from: 0, to: 2, node: &stranger, at: .ms(12))
        #expect(stranger.status(of: fixture.id(0)) == .alive)
        #expect(stranger.hasJoined)
    }
}
