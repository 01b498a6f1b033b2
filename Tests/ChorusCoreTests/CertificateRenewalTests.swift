import ChorusCore
import ChorusCrypto
import ChorusSimulator
import ChorusWire
import Testing

/// A certificate renewed while the node runs (SPEC §2, Certificate lifecycle), tried as an
/// attacker would: only the authority's later certificate for the same key replaces the one
/// members hold. Every certificate here starts short-lived: it expires a minute after the
/// fixed clock's start.
@Suite struct CertificateRenewalTests {
    let fixture = CoreFixture(count: 3)
    var start: UInt64 { fixture.unixSeconds }
    var shortExpiry: UInt64 { start + 60 }
    var renewedExpiry: UInt64 { start + 3_600 }

    func issue(_ index: Int, expiresAt: UInt64, name: String? = nil, key: [UInt8]? = nil,
               authority: (any MessageSigner)? = nil) -> Certificate {
        Certificate.issue(name: name ?? fixture.identities[index].certificate.name,
                          publicKey: key ?? fixture.identities[index].signer.publicKey,
                          expiresAt: expiresAt, authority: authority ?? fixture.authority)
    }

    /// Node `index` of a settled cluster of `members`, every one on a short-lived certificate.
    func settledNode(_ index: Int, members: [Int] = [0, 1, 2]) -> MembershipNode {
        let configuration = MembershipConfiguration(
            signer: fixture.identities[index].signer, certificate: issue(index, expiresAt: shortExpiry),
            authorityKey: fixture.authority.publicKey, scheme: fixture.scheme, nonces: ShortHashNonces(seed: UInt64(index)),
            settings: fixture.settings, advertiseAddress: fixture.addresses[index], appVersion: "1.0.0", seeds: [],
            restoredIncarnation: 0, randomSeed: UInt64(index))
        var core = MembershipNode(configuration: configuration, now: .zero, unixSeconds: start)
        core.assumeConverged(fixture.roster(members.compactMap { member in
            KnownMember(certificate: issue(member, expiresAt: shortExpiry), statement: fixture.node(member).ownSignedHeartbeat)
        }))
        _ = core.start(now: .zero)
        return core
    }

    /// A datagram from node `index` as a settled member sends it: its heartbeat, no certificate
    /// unless `certificate` is given.
    func heartbeatDatagram(from index: Int, sequence: UInt64, certificate: Certificate? = nil) -> [UInt8] {
        var builder = DatagramBuilder(clusterID: Array(fixture.authority.publicKey.prefix(8)), sender: fixture.id(index), maxSize: 1400)
        if let certificate { builder.append(Record(type: RecordType.certificate.rawValue, value: certificate.encoded)) }
        builder.append(fixture.heartbeat(of: index, incarnation: 1, sequence: sequence).record)
        return builder.finish(signer: fixture.identities[index].signer)
    }

    func expiry(of index: Int, at core: MembershipNode) -> UInt64? {
        core.memberSnapshots.first { $0.id == fixture.id(index) }?.certificateExpiresAt
    }

    /// Ticks `core` once per gossip interval from `begin` to `end`; returns what it sent.
    func gossipRounds(of core: inout MembershipNode, from begin: Instant, until end: Instant) -> [MembershipEffect] {
        var sent: [MembershipEffect] = []
        var now = begin
        while now < end {
            now = now + fixture.settings.gossipInterval
            sent += core.tick(now: now, unixSeconds: start)
        }
        return sent
    }

    @Test func aRenewedCertificateReachesEveryMemberAndOutlivesTheOldExpiry() {
        var renewing = settledNode(0)
        var direct = settledNode(1)
        var relayed = settledNode(2)
        let renewed = issue(0, expiresAt: renewedExpiry)
        let (outcome, _) = renewing.replaceCertificate(renewed, now: .ms(1), unixSeconds: start)
        #expect(outcome == .replaced(previousExpiresAt: shortExpiry))
        #expect(renewing.localMember.certificateExpiresAt == renewedExpiry)
        // Only node 1 hears node 0; node 2 learns the renewal from node 1's gossip.
        let sent = gossipRounds(of: &renewing, from: .zero, until: .ms(300))
        #expect(!fixture.datagrams(in: sent, to: 1).isEmpty)
        #expect(fixture.datagrams(in: sent, to: 1).allSatisfy { fixture.recordTypes(of: $0).contains(.certificate) })
        let answers = fixture.deliver(sent, from: 0, to: 1, node: &direct, at: .ms(300))
        #expect(answers.events.contains(.memberUpdate))
        #expect(expiry(of: 0, at: direct) == renewedExpiry)
        let relay = gossipRounds(of: &direct, from: .ms(300), until: .ms(600))
        _ = fixture.deliver(relay, from: 1, to: 2, node: &relayed, at: .ms(600))
        #expect(expiry(of: 0, at: relayed) == renewedExpiry)
        // Past the old expiry node 0's datagrams, without a certificate, still verify everywhere.
        for var member in [direct, relayed] {
            _ = member.tick(now: .ms(1_000), unixSeconds: shortExpiry + 10)
            _ = member.receive(heartbeatDatagram(from: 0, sequence: 50), from: fixture.addresses[0], now: .ms(1_001))
            #expect(member.counters.rejected[.untrustedSender, default: 0] == 0)
            #expect(member.status(of: fixture.id(0)) == .alive)
        }
    }

    @Test func withoutTheRenewalTheSameDatagramIsRefusedPastTheOldExpiry() {
        var member = settledNode(1)
        _ = member.tick(now: .ms(1_000), unixSeconds: shortExpiry + 10)
        _ = member.receive(heartbeatDatagram(from: 0, sequence: 50), from: fixture.addresses[0], now: .ms(1_001))
        #expect(member.counters.rejected[.untrustedSender, default: 0] == 1)
    }

    @Test func aRenewalArrivingWithAHeartbeatNoNewerThanTheOneHeldIsStillAdopted() {
        var member = settledNode(1)
        let renewed = issue(0, expiresAt: renewedExpiry)
        _ = member.receive(heartbeatDatagram(from: 0, sequence: 5), from: fixture.addresses[0], now: .ms(1))
        let effects = member.receive(heartbeatDatagram(from: 0, sequence: 5, certificate: renewed), from: fixture.addresses[0],
                                     now: .ms(2))
        #expect(expiry(of: 0, at: member) == renewedExpiry)
        #expect(effects.events == [.memberUpdate])
    }

    @Test func anOlderCertificateReplayedAfterTheRenewalDoesNotReplaceIt() {
        var member = settledNode(1)
        let renewed = issue(0, expiresAt: renewedExpiry)
        _ = member.receive(heartbeatDatagram(from: 0, sequence: 5, certificate: renewed), from: fixture.addresses[0], now: .ms(1))
        #expect(expiry(of: 0, at: member) == renewedExpiry)
        let replay = heartbeatDatagram(from: 0, sequence: 6, certificate: issue(0, expiresAt: shortExpiry))
        _ = member.receive(replay, from: fixture.addresses[0], now: .ms(2))
        #expect(expiry(of: 0, at: member) == renewedExpiry)
        _ = member.tick(now: .ms(1_000), unixSeconds: shortExpiry + 10)
        _ = member.receive(heartbeatDatagram(from: 0, sequence: 7), from: fixture.addresses[0], now: .ms(1_001))
        #expect(member.counters.rejected[.untrustedSender, default: 0] == 0)
    }

    @Test func aForgedLaterCertificateForAKnownKeyIsRefused() {
        var member = settledNode(1)
        // Another authority's signature, and the real authority's signature over other bytes.
        let foreign = issue(0, expiresAt: renewedExpiry, authority: IdentityFactory(seed: 99).authority)
        var stretched = issue(0, expiresAt: shortExpiry)
        stretched.expiresAt = renewedExpiry
        for forged in [foreign, stretched] {
            _ = member.receive(heartbeatDatagram(from: 0, sequence: 5, certificate: forged), from: fixture.addresses[0], now: .ms(1))
            #expect(expiry(of: 0, at: member) == shortExpiry)
        }
        #expect(member.counters.rejected[.untrustedSender, default: 0] == 2)
        #expect(refusedPastTheOldExpiry(at: &member))
    }

    @Test func aCertificateForAnotherKeyUnderAKnownNameRenewsNothing() {
        var member = settledNode(1)
        // A stranger's key certified under node 0's name, later: the authority's mistake or a theft.
        let stranger = IdentityFactory(seed: 1).identity(7)
        let misnamed = Certificate.issue(name: fixture.identities[0].certificate.name, publicKey: stranger.signer.publicKey,
                                         expiresAt: renewedExpiry, authority: fixture.authority)
        let strangerID = NodeID(bytes: stranger.signer.publicKey)!
        var builder = DatagramBuilder(clusterID: Array(fixture.authority.publicKey.prefix(8)), sender: strangerID, maxSize: 1400)
        builder.append(Record(type: RecordType.certificate.rawValue, value: misnamed.encoded))
        _ = member.receive(builder.finish(signer: stranger.signer), from: fixture.addresses[2], now: .ms(1))
        #expect(expiry(of: 0, at: member) == shortExpiry)
        #expect(refusedPastTheOldExpiry(at: &member))
    }

    /// Whether node 0's next datagram, past its old certificate's expiry, is refused at `member`.
    func refusedPastTheOldExpiry(at member: inout MembershipNode) -> Bool {
        func refusals() -> UInt64 {
            member.counters.rejected[.untrustedSender, default: 0] + member.counters.rejected[.shed, default: 0]
        }
        let before = refusals()
        _ = member.tick(now: .ms(1_000), unixSeconds: shortExpiry + 10)
        _ = member.receive(heartbeatDatagram(from: 0, sequence: 9), from: fixture.addresses[0], now: .ms(1_001))
        return refusals() == before + 1
    }

    @Test func theNodeRefusesACertificateThatIsNotARenewalOfItsOwn() {
        var node = settledNode(0)
        let refusals: [Certificate] = [
            issue(1, expiresAt: renewedExpiry),                                          // another key
            issue(0, expiresAt: renewedExpiry, name: "someone-else"),                    // another name
            issue(0, expiresAt: renewedExpiry, authority: IdentityFactory(seed: 99).authority), // another authority
            issue(0, expiresAt: shortExpiry - 30),                                       // older
            issue(0, expiresAt: start),                                                  // expired
        ]
        for certificate in refusals {
            let (outcome, effects) = node.replaceCertificate(certificate, now: .ms(1), unixSeconds: start)
            guard case .refused = outcome else {
                Issue.record("took \(certificate.name) expiring \(certificate.expiresAt)")
                continue
            }
            #expect(effects.isEmpty)
        }
        #expect(node.replaceCertificate(issue(0, expiresAt: shortExpiry), now: .ms(2), unixSeconds: start).0 == .unchanged)
        #expect(node.localMember.certificateExpiresAt == shortExpiry)
    }
}
