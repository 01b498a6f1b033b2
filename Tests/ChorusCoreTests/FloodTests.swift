import ChorusCore
import ChorusCrypto
import ChorusWire
import Synchronization
import Testing

/// Ed25519 that counts its verifications: the work a flood makes a node do.
final class CountingScheme: SignatureScheme {
    private let count = Mutex(0)
    var verifications: Int { count.withLock { $0 } }

    func verify(signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool {
        count.withLock { $0 += 1 }
        return Ed25519Scheme().verify(signature: signature, message: message, publicKey: publicKey)
    }
}

/// A flood costs the victim bounded signature work, and its members' own traffic still gets
/// through (SPEC §2, issue 14 item 4). Written as the flooder would.
@Suite struct FloodTests {
    let scheme = CountingScheme()
    var fixture = CoreFixture(count: 3)
    let attacker = PeerAddress(ipv4: 10, 0, 0, 66, port: 4444)

    init() { fixture.scheme = scheme }

    /// A datagram naming `sender` whose signature is garbage, carrying `certificates` garbage
    /// certificate records.
    func forged(naming sender: Int, certificates: Int = 0) -> [UInt8] {
        var builder = DatagramBuilder(clusterID: Array(fixture.authority.publicKey.prefix(8)), sender: fixture.id(sender), maxSize: 1400)
        for index in 0..<certificates {
            var garbage = fixture.identities[sender].certificate.encoded
            garbage[garbage.count - 1 - index] ^= 0xff
            builder.append(Record(type: RecordType.certificate.rawValue, value: garbage))
        }
        builder.append(fixture.heartbeat(of: sender, incarnation: 9, sequence: 0).record)
        var bytes = builder.finish(signer: fixture.identities[sender].signer)
        bytes[bytes.count - 1] ^= 0x01
        return bytes
    }

    @Test func aFloodNamingAMemberFromAnotherAddressCostsBoundedChecks() {
        var a = fixture.convergedNode(0, members: [0, 1, 2])
        let before = scheme.verifications
        for step in 0..<10_000 {
            _ = a.receive(forged(naming: 1), from: attacker, now: .ms(Int64(step / 10))) // 10,000 a second for 1 s
        }
        let spent = scheme.verifications - before
        #expect(spent <= 32 + 16 + 1, "signature checks spent on one flooding source in 1 s")
        #expect((a.counters.rejected[.shed] ?? 0) >= 9_900)
        // The member itself, from its own address, is heard throughout.
        let update = fixture.heartbeat(of: 1, incarnation: 2, sequence: 0)
        _ = a.receive(fixture.datagram(from: 1, records: [update.record], withCertificate: false), from: fixture.addresses[1], now: .ms(1_000))
        #expect(a.incarnation(of: fixture.id(1)) == 2)
    }

    @Test func aFloodFromManyAddressesCostsAtMostTheStrangersShare() {
        var a = fixture.convergedNode(0, members: [0, 1, 2])
        let before = scheme.verifications
        for step in 0..<20_000 {
            let source = PeerAddress(ipv4: 10, 1, UInt8(step / 250 % 250), UInt8(step % 250), port: 4444)
            _ = a.receive(forged(naming: 2), from: source, now: .ms(Int64(step / 10))) // 2 s
        }
        #expect(scheme.verifications - before <= 256 + 2 * 128 + 1)
    }

    @Test func garbageCertificatesBehindABadSignatureCostOneCheck() {
        var a = fixture.convergedNode(0, members: [0, 1, 2])
        let before = scheme.verifications
        _ = a.receive(forged(naming: 1, certificates: 8), from: attacker, now: .ms(1))
        #expect(scheme.verifications - before == 1)
        #expect(a.counters.rejected[.badSignature] == 1)
    }

    @Test func anInsiderStuffingGarbageCertificatesIsShedAfterItsFailures() {
        var a = fixture.convergedNode(0, members: [0, 1, 2])
        // Each datagram differs (a fresh ping), so none is refused as a copy of another.
        func stuffed(_ step: Int) -> [UInt8] {
            var builder = DatagramBuilder(clusterID: Array(fixture.authority.publicKey.prefix(8)), sender: fixture.id(2), maxSize: 1400)
            for index in 0..<8 {
                var garbage = fixture.identities[1].certificate.encoded
                garbage[garbage.count - 1 - index] ^= 0xff
                builder.append(Record(type: RecordType.certificate.rawValue, value: garbage))
            }
            builder.append(Ping(sequence: UInt32(step), target: fixture.id(0), nonce: UInt64(step)).record)
            return builder.finish(signer: fixture.identities[2].signer)
        }
        let datagrams = (0..<1_000).map(stuffed)
        let before = scheme.verifications
        for step in 0..<1_000 { _ = a.receive(datagrams[step], from: fixture.addresses[2], now: .ms(Int64(step))) }
        // 32 failures of burst, then 8 a second: about 40 checks of certificates, not 8,000.
        #expect(scheme.verifications - before <= 32 + 8 + 2 * 20)
        #expect((a.counters.rejected[.shed] ?? 0) >= 980)
    }

    /// One valid datagram, captured and replayed 10,000 times a second from a stranger's address:
    /// only the first copy is verified (it once made the source "proven", and every copy cost a
    /// check; tools/chaos found it), and the member's own traffic still gets through.
    @Test func aReplayedValidDatagramCostsOneCheck() {
        var a = fixture.convergedNode(0, members: [0, 1, 2])
        let captured = fixture.datagram(from: 1, records: [fixture.heartbeat(of: 1, incarnation: 1, sequence: 7).record],
                                        withCertificate: false)
        let before = scheme.verifications
        for step in 0..<10_000 {
            _ = a.receive(captured, from: attacker, now: .ms(Int64(step / 10)))
        }
        #expect(scheme.verifications - before <= 2, "signature checks spent on copies of one datagram")
        #expect((a.counters.rejected[.replay] ?? 0) >= 9_990)
        let update = fixture.heartbeat(of: 1, incarnation: 2, sequence: 0)
        _ = a.receive(fixture.datagram(from: 1, records: [update.record], withCertificate: false), from: fixture.addresses[1], now: .ms(1_000))
        #expect(a.incarnation(of: fixture.id(1)) == 2)
    }

    @Test func aFullStateBurstFromAMemberIsNeverShed() {
        var a = fixture.convergedNode(0, members: [0, 1, 2])
        for step in 0..<500 {
            let heartbeat = fixture.heartbeat(of: 1, incarnation: 1, sequence: UInt64(step + 1))
            _ = a.receive(fixture.datagram(from: 1, records: [heartbeat.record]), from: fixture.addresses[1], now: .ms(1))
        }
        #expect(a.counters.rejected[.shed] == nil)
    }
}
