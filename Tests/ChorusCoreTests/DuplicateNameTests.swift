import ChorusCore
import ChorusCrypto
import ChorusSimulator
import ChorusWire
import Testing

/// One live member per name (issue 15): an agent started with a live member's name, under a
/// key of its own and a certificate the authority really issued, is not taken in beside it.
@Suite struct DuplicateNameTests {
    /// Node 2's slot holds an impostor: its own key, certified under node 1's name "node-2".
    static func fixtureWithImpostor() -> CoreFixture {
        var fixture = CoreFixture(count: 3)
        let key = try! Ed25519KeyPair(seed: [UInt8](repeating: 7, count: 32))
        let certificate = Certificate.issue(name: "node-2", publicKey: key.publicKey, expiresAt: 4_000_000_000,
                                            authority: fixture.authority)
        fixture.identities[2] = SimulatedIdentity(signer: key, certificate: certificate)
        return fixture
    }

    @Test func aNamesakeOfALiveMemberIsRefused() {
        let fixture = Self.fixtureWithImpostor()
        var node = fixture.convergedNode(0, members: [0, 1])
        _ = node.start(now: .zero)
        let claim = fixture.datagram(from: 2, records: [fixture.heartbeat(of: 2, incarnation: 1, sequence: 1).record])
        _ = node.receive(claim, from: fixture.addresses[2], now: .ms(10))
        #expect(node.status(of: fixture.id(2)) == nil)
        #expect(node.counters.rejected[.duplicateName] == 1)
        #expect(node.memberSnapshots.filter { $0.name == "node-2" }.map(\.id) == [fixture.id(1)])
    }

    /// The host of node 1 rebuilt with a new key, back on its own address before its old
    /// process was declared dead: the old one cannot be running there.
    @Test func aNamesakeOnTheHoldersOwnAddressIsTheSameHostComeBack() {
        var fixture = Self.fixtureWithImpostor()
        fixture.addresses[2] = fixture.addresses[1]
        var node = fixture.convergedNode(0, members: [0, 1])
        _ = node.start(now: .zero)
        let claim = fixture.datagram(from: 2, records: [fixture.heartbeat(of: 2, incarnation: 1, sequence: 1).record])
        _ = node.receive(claim, from: fixture.addresses[2], now: .ms(10))
        #expect(node.status(of: fixture.id(2)) == .alive)
        #expect(node.counters.rejected[.duplicateName] == nil)
    }

    @Test func theImpostorLearnsWhyItIsRefused() {
        let fixture = Self.fixtureWithImpostor()
        var impostor = fixture.node(2, seeds: [0])
        _ = impostor.start(now: .zero)
        #expect(impostor.clusterSnapshot.localNameConflict == nil)
        let holder = fixture.datagram(from: 1, records: [fixture.heartbeat(of: 1, incarnation: 1, sequence: 1).record])
        _ = impostor.receive(holder, from: fixture.addresses[1], now: .ms(10))
        let conflict = impostor.clusterSnapshot.localNameConflict
        #expect(conflict?.contains("already holds the name 'node-2'") == true)
    }

    /// The seed refuses the impostor's join and answers it with the holder's certificate and
    /// heartbeat (issue 15: the refused agent said only "not joined"), never more bytes than the
    /// impostor sent: its address is unproven, so the answers must not amplify. The first answer
    /// comes from a seed whose certificate the impostor lacks; it asks, and a join retry later
    /// the answer is taken.
    @Test func theSeedTellsARefusedNamesakeWhyWithinWhatItSent() {
        let fixture = Self.fixtureWithImpostor()
        var seed = fixture.convergedNode(0, members: [0, 1])
        _ = seed.start(now: .zero)
        var impostor = fixture.node(2, seeds: [0])
        var fromImpostor = impostor.start(now: .zero)
        var (sent, answered) = (0, 0)
        var now = Instant.zero
        while impostor.clusterSnapshot.localNameConflict == nil && now < .ms(10_000) {
            now = now + .milliseconds(100)
            sent += fixture.datagrams(in: fromImpostor, to: 0).map(\.count).reduce(0, +)
            let fromSeed = fixture.deliver(fromImpostor, from: 2, to: 0, node: &seed, at: now)
            answered += fixture.datagrams(in: fromSeed, to: 2).map(\.count).reduce(0, +)
            fromImpostor = fixture.deliver(fromSeed, from: 0, to: 2, node: &impostor, at: now)
                + impostor.tick(now: now, unixSeconds: fixture.unixSeconds)
        }
        #expect(seed.status(of: fixture.id(2)) == nil)
        #expect(impostor.clusterSnapshot.localNameConflict?.contains("already holds the name 'node-2'") == true)
        #expect(answered > 0 && answered <= sent, "answered \(answered) bytes to \(sent)")
    }

    @Test func aRebuiltHostTakesTheNameOnceItsHolderIsDead() {
        let fixture = Self.fixtureWithImpostor()
        var node = fixture.convergedNode(0, members: [0, 1])
        _ = node.start(now: .zero)
        var now = Instant.zero
        // Node 1 answers nothing: probed, suspected, declared dead.
        while node.status(of: fixture.id(1)) != .dead && now < .ms(30_000) {
            now = now + .milliseconds(100)
            _ = node.tick(now: now, unixSeconds: fixture.unixSeconds)
        }
        #expect(node.status(of: fixture.id(1)) == .dead)
        let claim = fixture.datagram(from: 2, records: [fixture.heartbeat(of: 2, incarnation: 1, sequence: 1).record])
        _ = node.receive(claim, from: fixture.addresses[2], now: now)
        #expect(node.status(of: fixture.id(2)) == .alive)
        #expect(node.counters.rejected[.duplicateName] == nil)
    }
}
