import ChorusCore
import ChorusCrypto
import ChorusWire

extension SimulatedIdentity {
    /// A cluster's worth of deterministic Ed25519 identities: the authority and node keys are
    /// derived from `seed`, and every certificate is really issued and verified.
    public static func ed25519Cluster(count: Int, seed: UInt64, names: (Int) -> String = { "node-\($0 + 1)" })
        -> (authority: Ed25519KeyPair, identities: [SimulatedIdentity]) {
        let authority = keyPair(seed: seed, index: UInt64.max)
        let identities = (0..<count).map { index in
            let signer = keyPair(seed: seed, index: UInt64(index))
            let certificate = Certificate.issue(
                name: names(index), publicKey: signer.publicKey, expiresAt: 4_000_000_000, authority: authority)
            return SimulatedIdentity(signer: signer, certificate: certificate)
        }
        return (authority, identities)
    }

    private static func keyPair(seed: UInt64, index: UInt64) -> Ed25519KeyPair {
        var material = [UInt8](repeating: 0, count: Ed25519KeyPair.seedByteCount)
        for shift in 0..<8 {
            material[shift] = UInt8(truncatingIfNeeded: seed >> (8 * UInt64(shift)))
            material[8 + shift] = UInt8(truncatingIfNeeded: index >> (8 * UInt64(shift)))
        }
        // A 32-byte seed of the right length cannot fail to make a key pair.
        return try! Ed25519KeyPair(seed: material)
    }
}

extension SimulatedCluster {
    /// A cluster of `size` nodes with real Ed25519 signatures, node 0 the seed.
    public init(size: Int, seed: UInt64, settings: MembershipSettings = .lan) {
        let (authority, identities) = SimulatedIdentity.ed25519Cluster(count: size, seed: seed)
        self.init(identities: identities, authorityKey: authority.publicKey, scheme: Ed25519Scheme(),
                  settings: settings, seed: seed)
    }
}
