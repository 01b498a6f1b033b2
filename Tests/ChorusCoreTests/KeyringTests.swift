import ChorusCore
import ChorusCrypto
import ChorusSimulator
import ChorusWire
import Testing

/// Gossip sealed with a cluster keyring (SPEC §2, Confidentiality; issue 14 item 5), written as
/// an eavesdropper, an outsider and a member that slept through a rotation would meet it.
@Suite struct KeyringTests {
    static let first = SodiumGossipCipher.key((0..<32).map { UInt8($0) })
    static let second = SodiumGossipCipher.key((0..<32).map { UInt8(100 + $0) })
    static let third = SodiumGossipCipher.key((0..<32).map { UInt8(200 &+ $0) })

    // MARK: The wire

    @Test func everyDatagramLeavesSealedAndSaysNothingInTheClear() {
        var fixture = CoreFixture(count: 2)
        fixture.gossipKeys = [Self.first]
        var node = fixture.node(1, seeds: [0])
        let sent = fixture.datagrams(in: node.start(now: .zero), to: 0)
        #expect(!sent.isEmpty)
        for bytes in sent {
            #expect(SealedFrame.keyID(of: bytes) == Self.first.id)
            #expect(bytes.count <= MembershipSettings.lan.maxDatagramSize)
            // The node's name and version travel in its certificate and heartbeat: not readable.
            #expect(!Self.contains(bytes, Array("node-2".utf8)))
            #expect(!Self.contains(bytes, Array("1.0.0".utf8)))
        }
    }

    @Test func twoSealedNodesJoin() {
        var fixture = CoreFixture(count: 2)
        fixture.gossipKeys = [Self.first]
        let (a, b) = fixture.joinedPair()
        #expect(a.status(of: fixture.id(1)) == .alive)
        #expect(b.status(of: fixture.id(0)) == .alive)
    }

    /// An outsider without the key, even with a member's valid certificate and signature, costs
    /// one decryption: no signature is checked.
    @Test func withoutTheKeyNothingReachesSignatureChecks() {
        let scheme = CountingScheme()
        var fixture = CoreFixture(count: 2)
        fixture.scheme = scheme
        fixture.gossipKeys = [Self.first]
        var victim = fixture.node(0)
        _ = victim.start(now: .zero)
        let signed = fixture.datagram(from: 1, records: [fixture.heartbeat(of: 1, incarnation: 1, sequence: 1).record])
        let outsider = SodiumGossipCipher(nodeKey: fixture.identities[1].signer as! Ed25519KeyPair)
        var tampered = outsider.seal(signed, with: Self.first)
        tampered[tampered.count - 20] ^= 1
        let attempts: [([UInt8], RejectReason)] = [
            (signed, .unsealed),
            (outsider.seal(signed, with: Self.third), .badSeal),
            (tampered, .badSeal),
        ]
        let checksBefore = scheme.verifications
        for (bytes, reason) in attempts {
            let before = victim.counters.rejected[reason, default: 0]
            _ = victim.receive(bytes, from: fixture.addresses[1], now: Instant(nanoseconds: 10_000_000))
            #expect(victim.counters.rejected[reason, default: 0] == before + 1, "\(reason)")
        }
        #expect(scheme.verifications == checksBefore)
        #expect(victim.status(of: fixture.id(1)) == nil)
        // The same datagram sealed with the key is taken.
        _ = victim.receive(outsider.seal(signed, with: Self.first), from: fixture.addresses[1], now: Instant(nanoseconds: 20_000_000))
        #expect(victim.status(of: fixture.id(1)) == .alive)
    }

    // MARK: Decisions

    @Test func aKeyIsNeverInstalledOnAClusterInTheClear() {
        var cluster = SimulatedCluster(size: 3, seed: 7)
        var observer = NoObserver()
        cluster.run(for: .seconds(5))
        let request = cluster.submit(.installKey(Self.second), at: 1, observer: &observer)
        cluster.run(for: .seconds(1))
        guard case .rejected(let reason) = cluster.commands[Int(request!) - 1].outcome else {
            Issue.record("install on a cluster in the clear: \(String(describing: cluster.commands.last?.outcome))")
            return
        }
        #expect(reason.contains("not sealed"))
        #expect(cluster.agreedState(of: 0)?.keyring.installed.isEmpty == true)
    }

    @Test func theKeyringRefusesWhatWouldBreakIt() {
        var ring = AgreedState()
        ring.apply(.found(founder: CoreFixture(count: 1).id(0), clusterVersion: "1.0.0"), slot: 0)
        // Nothing is in use by decision yet: the configured key may be the one in use.
        #expect(ring.voidReason(of: .removeKey(Self.first.id), slot: 1) != nil)
        #expect(ring.voidReason(of: .useKey(Self.second.id), slot: 1) != nil, "use of a key never installed")
        var applied: [Bool] = []
        for (slot, value) in [DecisionValue.installKey(Self.second), .installKey(Self.second), .useKey(Self.second.id),
                              .removeKey(Self.second.id), .removeKey(Self.first.id), .installKey(Self.first)].enumerated() {
            applied.append(ring.apply(value, slot: UInt64(slot + 1)))
        }
        // Installed; not twice; used; the primary not removed; the old key removed; never back.
        #expect(applied == [true, false, true, false, true, false])
        #expect(ring.keyring.removed == [Self.first.id])
        #expect(ring.keyring.primary == Self.second.id)
    }

    /// Install, use, remove on a live sealed cluster: nobody is ever suspected, and every agent
    /// ends sealing with the new key and refusing the old one.
    @Test func rotationWithoutDowntime() throws {
        var cluster = SimulatedCluster(size: 5, seed: 11, gossipKeys: [Self.first])
        var observer = NoObserver()
        cluster.run(for: .seconds(8))
        try Self.expectAllAlive(cluster, among: Array(0..<5))
        for (step, command) in [OperatorCommand.installKey(Self.second), .useKey(Self.second.id), .removeKey(Self.first.id)].enumerated() {
            let request = try #require(cluster.submit(command, at: step, observer: &observer))
            cluster.run(for: .seconds(2))
            let outcome = cluster.commands[Int(request) - 1].outcome
            guard case .committed = outcome else {
                Issue.record("\(command): \(String(describing: outcome))")
                return
            }
        }
        cluster.run(for: .seconds(5))
        try Self.expectAllAlive(cluster, among: Array(0..<5))
        for index in 0..<5 {
            let core = try #require(cluster.core(of: index))
            #expect(core.sealingKeyring.primary?.id == Self.second.id, "node \(index)")
            #expect(core.sealingKeyring.accepted[Self.first.id] == nil, "node \(index)")
            #expect(core.counters.suspicionsRaised == 0, "node \(index) suspected someone during the rotation")
        }
    }

    /// The member that slept through install, use and remove comes back holding only the removed
    /// key: a peer recognises it, checks its signature and certificate, and hands it the keys
    /// sealed for its node key; it joins again and catches up (what Serf cannot do, serf#579).
    @Test func aMemberOfflineDuringARotationIsRekeyedAndRejoins() throws {
        var cluster = SimulatedCluster(size: 3, seed: 5, gossipKeys: [Self.first])
        var observer = NoObserver()
        cluster.run(for: .seconds(8))
        try Self.expectAllAlive(cluster, among: [0, 1, 2])
        cluster.crash(2)
        cluster.run(for: .seconds(10))
        for command in [OperatorCommand.installKey(Self.second), .useKey(Self.second.id), .removeKey(Self.first.id)] {
            let request = try #require(cluster.submit(command, at: 0, observer: &observer))
            cluster.run(for: .seconds(2))
            let outcome = cluster.commands[Int(request) - 1].outcome
            guard case .committed = outcome else {
                Issue.record("\(command) with node 2 down: \(String(describing: outcome))")
                return
            }
        }
        cluster.restart(2, observer: &observer)
        #expect(cluster.core(of: 2)?.sealingKeyring.primary?.id == Self.first.id, "it comes back on the removed key")
        cluster.run(for: .seconds(10))
        try Self.expectAllAlive(cluster, among: [0, 1, 2])
        let returned = try #require(cluster.core(of: 2))
        #expect(returned.counters.keyringGrantsAdopted >= 1)
        #expect(returned.sealingKeyring.primary?.id == Self.second.id)
        #expect(returned.decisions.agreed.keyring.removed == [Self.first.id], "caught up on the decisions")
        let granted = (0..<2).compactMap { cluster.core(of: $0)?.counters.keyringGrantsSent }.reduce(0, +)
        #expect(granted >= 1)
    }

    // MARK: Helpers

    static func expectAllAlive(_ cluster: SimulatedCluster, among nodes: [Int]) throws {
        for observer in nodes {
            for subject in nodes where subject != observer {
                let status = cluster.status(of: subject, seenBy: observer)
                #expect(status == .alive, "node \(subject) seen by node \(observer): \(String(describing: status))")
            }
        }
    }

    static func contains(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
        guard bytes.count >= needle.count else { return false }
        return (0...(bytes.count - needle.count)).contains { Array(bytes[$0..<$0 + needle.count]) == needle }
    }
}

/// A grant is the one record a member can use to change another's keys: an insider's grant to a
/// member that did not miss a rotation, or one no newer than its log, is ignored.
@Suite struct KeyringGrantTests {
    @Test func anUnaskedGrantChangesNothing() throws {
        var fixture = CoreFixture(count: 2)
        fixture.gossipKeys = [KeyringTests.first]
        var (victim, _) = fixture.joinedPair()
        let insider = SodiumGossipCipher(nodeKey: fixture.identities[1].signer as! Ed25519KeyPair)
        let hostile = SodiumGossipCipher.key([UInt8](repeating: 0xEE, count: 32))
        let grants = [
            // Leaves our key behind, but claims no newer log than ours.
            KeyringGrant(decidedSlots: 0, keys: [hostile]),
            // Newer, but our key is still in it: we missed nothing.
            KeyringGrant(decidedSlots: 1_000, keys: [hostile, KeyringTests.first]),
        ]
        for (offset, grant) in grants.enumerated() {
            let box = try #require(insider.seal(grant.encoded, forMember: fixture.id(0).bytes))
            let datagram = fixture.datagram(from: 1, records: [Record(type: RecordType.keyringGrant.rawValue, value: box)])
            _ = victim.receive(insider.seal(datagram, with: KeyringTests.first), from: fixture.addresses[1],
                               now: Instant(nanoseconds: Int64(offset + 1) * 10_000_000))
            #expect(victim.sealingKeyring.primary?.id == KeyringTests.first.id)
            #expect(victim.sealingKeyring.accepted[hostile.id] == nil)
        }
        #expect(victim.counters.keyringGrantsAdopted == 0)
    }
}
