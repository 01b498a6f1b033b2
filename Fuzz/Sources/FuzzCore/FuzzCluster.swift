import ChorusCore
import ChorusSimulator
import ChorusWire

/// A four-member cluster whose node 0 is under test. Identities use the simulator's
/// `ForgeableHashScheme`, so every signature the harness makes verifies, cheaply, and inputs
/// reach the protocol logic instead of stopping at the signature check.
///
/// Node 0 founds the decision log and admits the other three before any input arrives, so votes,
/// promises and leases from the roster are answered as a voter's would be.
struct FuzzCluster: Sendable {
    static let size = 4
    static let startUnixSeconds: UInt64 = 1_800_000_000
    /// Setup runs to this instant; inputs start after it.
    static let settledAt = Instant(nanoseconds: 5_000_000_000)

    let identities: [SimulatedIdentity]
    let ids: [NodeID]
    let addresses: [PeerAddress]
    let clusterID: [UInt8]
    /// Signed by an authority the cluster does not trust.
    let outsider: SimulatedIdentity
    let outsiderID: NodeID
    /// Node 0, converged and settled: each input starts from a copy of it.
    let settledNode: MembershipNode

    static let shared = FuzzCluster()

    private init() {
        let factory = IdentityFactory(signatures: .forgeableHash, seed: 14)
        let identities = (0..<Self.size).map(factory.identity)
        let addresses = (0..<Self.size).map { PeerAddress(ipv4: 10, 0, 0, UInt8($0 + 1), port: 7720) }
        self.identities = identities
        self.addresses = addresses
        ids = identities.map { NodeID(bytes: $0.signer.publicKey)! }
        clusterID = Array(factory.authorityKey.prefix(8))
        outsider = factory.outsider()
        outsiderID = NodeID(bytes: outsider.signer.publicKey)!
        let known = (0..<Self.size).compactMap { index in
            KnownMember(certificate: identities[index].certificate,
                        statement: Self.node(index, factory: factory, identities: identities, addresses: addresses)
                            .ownSignedHeartbeat)
        }
        let roster = ConvergedRoster(known, authorityKey: factory.authorityKey, scheme: factory.scheme, now: .zero,
                                     unixSeconds: Self.startUnixSeconds)
        var node = Self.node(0, factory: factory, identities: identities, addresses: addresses, foundsCluster: true)
        node.assumeConverged(roster)
        _ = node.start(now: .zero)
        var now = Instant.zero
        while now < Self.settledAt {
            now = now + .milliseconds(100)
            _ = node.tick(now: now, unixSeconds: Self.unixSeconds(at: now))
        }
        precondition(node.decisions.isVoter && node.decisions.nextSlot >= 2,
                     "setup did not found the log and admit the roster (slots: \(node.decisions.nextSlot))")
        settledNode = node
    }

    static func unixSeconds(at now: Instant) -> UInt64 { startUnixSeconds + UInt64(now.nanoseconds / 1_000_000_000) }

    private static func node(_ index: Int, factory: IdentityFactory, identities: [SimulatedIdentity],
                             addresses: [PeerAddress], foundsCluster: Bool = false) -> MembershipNode {
        var configuration = MembershipConfiguration(
            signer: identities[index].signer, certificate: identities[index].certificate,
            authorityKey: factory.authorityKey, scheme: factory.scheme, nonces: CountingNonces(), settings: .lan,
            advertiseAddress: addresses[index], appVersion: "1.0.0", seeds: [], restoredIncarnation: 0,
            randomSeed: UInt64(index))
        configuration.foundsCluster = foundsCluster
        return MembershipNode(configuration: configuration, now: .zero, unixSeconds: startUnixSeconds)
    }

    /// A member id chosen by the input: one of the roster (node 0 included) or the outsider.
    func memberID(_ input: inout FuzzInput) -> NodeID {
        let pick = input.choice(Self.size + 1)
        return pick < Self.size ? ids[pick] : outsiderID
    }

    /// A signer chosen by the input: a roster member other than node 0, or the outsider.
    func signer(_ input: inout FuzzInput) -> SimulatedIdentity {
        let pick = input.choice(Self.size)
        return pick == 0 ? outsider : identities[pick]
    }

    func statement(_ kind: SignedStatement.Kind, body: [UInt8], by identity: SimulatedIdentity) -> SignedStatement {
        SignedStatement.sign(kind: kind, body: body, clusterID: clusterID, signer: identity.signer)
    }
}

/// Probe nonces for the fuzzed core: deterministic, so every input replays. Being predictable
/// costs nothing here: a fuzzed ack echoes a nonce only by chance, as an attacker's would.
struct CountingNonces: NonceGenerator {
    func nonce(_ counter: UInt64) -> UInt64 { counter &* 0x9E37_79B9_7F4A_7C15 }
}
