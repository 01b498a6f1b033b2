import ChorusCore
import ChorusCrypto
import ChorusSimulator
import ChorusWire
import Testing

/// Invariant 8: nothing unsigned, wrongly signed, from an unknown key or replayed changes state.
@Suite struct IntegrityTests {
    let fixture = CoreFixture(count: 3)

    @Test func aReplayedOlderHeartbeatIsIgnoredAndCounted() {
        var (a, _) = fixture.joinedPair()
        let newer = fixture.heartbeat(of: 1, incarnation: 3, sequence: 10)
        _ = a.receive(fixture.datagram(from: 1, records: [newer.record]), from: fixture.addresses[1], now: .ms(1))
        let older = fixture.heartbeat(of: 1, incarnation: 3, sequence: 4)
        let effects = a.receive(fixture.datagram(from: 1, records: [older.record]), from: fixture.addresses[1], now: .ms(2))
        #expect(effects.events.isEmpty)
        #expect(a.counters.rejected[.replay] == 1)
    }

    @Test func aStatementSignedByAnotherKeyIsRejected() {
        var (a, _) = fixture.joinedPair()
        // Node 2 forges node 1's departure: origin says node 1, but node 2's key signed it.
        var forged = fixture.heartbeat(of: 1, incarnation: 9, sequence: 0, serving: 2)
        forged.signature = fixture.statement(by: 2, .heartbeat, body: forged.body).signature
        let effects = a.receive(fixture.datagram(from: 2, records: [forged.record]), from: fixture.addresses[2], now: .ms(1))
        #expect(effects.events.filter { $0 != .memberJoin }.isEmpty)
        #expect(a.status(of: fixture.id(1)) == .alive)
        #expect(a.counters.rejected[.badSignature] == 1)
    }

    @Test func aTamperedDatagramIsRejected() {
        var (a, _) = fixture.joinedPair()
        var bytes = fixture.datagram(from: 1, records: [fixture.heartbeat(of: 1, incarnation: 4, sequence: 0).record])
        bytes[bytes.count - 80] ^= 0x01
        #expect(a.receive(bytes, from: fixture.addresses[1], now: .ms(1)).isEmpty)
        #expect(a.incarnation(of: fixture.id(1)) == 1)
        #expect(a.counters.rejected[.badSignature] == 1)
    }

    @Test func aKeyCertifiedByAnotherAuthorityIsRejected() {
        var (a, _) = fixture.joinedPair()
        let stranger = CoreFixture(count: 3, seed: 99) // same names, different authority
        let suspect = stranger.statement(by: 2, .suspect, body: Accusation(subject: fixture.id(1), incarnation: 1).encoded)
        var builder = DatagramBuilder(clusterID: Array(fixture.authority.publicKey.prefix(8)), sender: stranger.id(2), maxSize: 1400)
        builder.append(Record(type: RecordType.certificate.rawValue, value: stranger.identities[2].certificate.encoded))
        builder.append(suspect.record)
        let effects = a.receive(builder.finish(signer: stranger.identities[2].signer), from: fixture.addresses[2], now: .ms(1))
        #expect(effects.isEmpty)
        #expect(a.status(of: fixture.id(1)) == .alive)
        #expect((a.counters.rejected[.untrustedSender] ?? 0) >= 1)
    }

    @Test func anExpiredCertificateIsRejected() {
        var (a, _) = fixture.joinedPair()
        let expired = Certificate.issue(name: "node-3", publicKey: fixture.identities[2].signer.publicKey,
                                        expiresAt: fixture.unixSeconds - 1, authority: fixture.authority)
        var builder = DatagramBuilder(clusterID: Array(fixture.authority.publicKey.prefix(8)), sender: fixture.id(2), maxSize: 1400)
        builder.append(Record(type: RecordType.certificate.rawValue, value: expired.encoded))
        builder.append(fixture.heartbeat(of: 2, incarnation: 1, sequence: 0).record)
        #expect(a.receive(builder.finish(signer: fixture.identities[2].signer), from: fixture.addresses[2], now: .ms(1)).isEmpty)
        #expect(a.status(of: fixture.id(2)) == nil)
    }

    @Test func garbageIsCountedAsMalformed() {
        var a = fixture.node(0)
        #expect(a.receive([1, 2, 3], from: fixture.addresses[1], now: .ms(1)).isEmpty)
        #expect(a.counters.rejected[.malformed] == 1)
    }
}
