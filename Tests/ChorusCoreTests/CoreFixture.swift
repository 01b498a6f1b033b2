import ChorusCore
import ChorusCrypto
import ChorusSimulator
import ChorusWire

/// Cores driven by hand: fixed clock, datagrams passed explicitly, nothing random but the seed.
struct CoreFixture {
    let authority: any MessageSigner
    /// Tests may replace one, e.g. with an impostor holding another node's name.
    var identities: [SimulatedIdentity]
    var addresses: [PeerAddress]
    let unixSeconds: UInt64 = 1_800_000_000
    var settings = MembershipSettings.lan
    var scheme: any SignatureScheme = Ed25519Scheme()
    /// Every node's configured gossip keys; empty: gossip in the clear.
    var gossipKeys: [GossipKey] = []

    init(count: Int, seed: UInt64 = 1) {
        let factory = IdentityFactory(seed: seed)
        authority = factory.authority
        identities = (0..<count).map(factory.identity)
        addresses = (0..<count).map { PeerAddress(ipv4: 10, 0, 0, UInt8($0 + 1), port: 7720) }
    }

    func id(_ index: Int) -> NodeID { NodeID(bytes: identities[index].signer.publicKey)! }

    func node(_ index: Int, seeds: [Int] = [], restoredIncarnation: UInt64 = 0, at now: Instant = .zero,
              firstRoundDelay: Duration = .zero) -> MembershipNode {
        var configuration = MembershipConfiguration(
            signer: identities[index].signer, certificate: identities[index].certificate,
            authorityKey: authority.publicKey, scheme: scheme, nonces: ShortHashNonces(seed: UInt64(index) | restoredIncarnation << 32), settings: settings,
            advertiseAddress: addresses[index], appVersion: "1.0.0", seeds: seeds.map { addresses[$0] },
            restoredIncarnation: restoredIncarnation, randomSeed: UInt64(index))
        configuration.firstRoundDelay = firstRoundDelay
        if !gossipKeys.isEmpty, let nodeKey = identities[index].signer as? Ed25519KeyPair {
            configuration.cipher = SodiumGossipCipher(nodeKey: nodeKey)
            configuration.gossipKeys = gossipKeys
        }
        return MembershipNode(configuration: configuration, now: now, unixSeconds: unixSeconds)
    }

    /// A roster verified under this fixture's authority.
    func roster(_ known: [KnownMember]) -> ConvergedRoster {
        ConvergedRoster(known, authorityKey: authority.publicKey, scheme: scheme, now: .zero,
                        unixSeconds: unixSeconds)
    }

    /// The datagrams in `effects` addressed to node `index`.
    func datagrams(in effects: [MembershipEffect], to index: Int) -> [[UInt8]] {
        effects.compactMap {
            if case .send(let bytes, let address) = $0, address == addresses[index] { return bytes }
            return nil
        }
    }

    /// Delivers every datagram in `effects` addressed to `to`, returning what the receiver emitted.
    func deliver(_ effects: [MembershipEffect], from: Int, to: Int, node: inout MembershipNode, at now: Instant) -> [MembershipEffect] {
        datagrams(in: effects, to: to).flatMap { node.receive($0, from: addresses[from], now: now) }
    }

    /// Node 0 and node 1 joined through node 0, all handshakes delivered.
    func joinedPair(at now: Instant = .zero) -> (MembershipNode, MembershipNode) {
        var a = node(0)
        var b = node(1, seeds: [0])
        _ = a.start(now: now)
        let join = b.start(now: now)
        let reply = deliver(join, from: 1, to: 0, node: &a, at: now)
        _ = deliver(reply, from: 0, to: 1, node: &b, at: now)
        return (a, b)
    }

    /// A statement signed by node `index`.
    func statement(by index: Int, _ kind: SignedStatement.Kind, body: [UInt8]) -> SignedStatement {
        SignedStatement.sign(kind: kind, body: body, clusterID: Array(authority.publicKey.prefix(8)), signer: identities[index].signer)
    }

    /// A datagram sent by node `index` carrying `records`, signed by `signer` (default: its own key).
    func datagram(from index: Int, records: [Record], signer: (any MessageSigner)? = nil,
                  withCertificate: Bool = true) -> [UInt8] {
        var builder = DatagramBuilder(clusterID: Array(authority.publicKey.prefix(8)), sender: id(index), maxSize: 1400)
        if withCertificate {
            builder.append(Record(type: RecordType.certificate.rawValue, value: identities[index].certificate.encoded))
        }
        for record in records { builder.append(record) }
        return builder.finish(signer: signer ?? identities[index].signer)
    }

    /// A core started from a roster of nodes `members` (itself among them): settled, as a member
    /// of a long-running cluster is.
    func convergedNode(_ index: Int, members: [Int]) -> MembershipNode {
        var core = node(index)
        core.assumeConverged(roster(members.compactMap { member in
            KnownMember(certificate: identities[member].certificate, statement: node(member).ownSignedHeartbeat)
        }))
        return core
    }

    /// The record types of `bytes`, a datagram of this cluster.
    func recordTypes(of bytes: [UInt8]) -> [RecordType] {
        let datagram = try? Datagram.decode(bytes, expectedCluster: Array(authority.publicKey.prefix(8)), maxSize: 1400)
        return (datagram?.records ?? []).compactMap { RecordType(rawValue: $0.type) }
    }

    func heartbeat(of index: Int, incarnation: UInt64, sequence: UInt64, serving: UInt8 = 0,
                   protocolVersion: UInt8 = MembershipNode.protocolVersion, appHealth: UInt8 = 0) -> SignedStatement {
        let body = Heartbeat(incarnation: incarnation, sequence: sequence, address: addresses[index], appVersion: "1.0.0",
                             protocolVersion: protocolVersion, serving: serving,
                             decisionsDigest: [UInt8](repeating: 0, count: 8), appHealth: appHealth)
        return statement(by: index, .heartbeat, body: body.encoded)
    }
}

extension MembershipNode {
    func status(of id: NodeID) -> MemberStatus? { memberSnapshots.first { $0.id == id }?.status }
    func incarnation(of id: NodeID) -> UInt64? { memberSnapshots.first { $0.id == id }?.incarnation }
}

extension Array where Element == MembershipEffect {
    var events: [MembershipEvent.Kind] {
        compactMap { if case .event(let event) = $0 { return event.kind } else { return nil } }
    }

    var persistedIncarnations: [UInt64] {
        compactMap { if case .persistIncarnation(let value) = $0 { return value } else { return nil } }
    }
}

extension Instant {
    static func ms(_ value: Int64) -> Instant { Instant(nanoseconds: value * 1_000_000) }
}
