import ChorusCore
import ChorusCrypto
import ChorusWire

/// Makes the identities of a simulated cluster on demand, all derived from the run's seed, with
/// certificates really issued by the cluster authority and really verified by every core.
public struct IdentityFactory: Sendable {
    public enum Signatures: String, Sendable, CaseIterable {
        /// libsodium Ed25519, as the agent uses. The default.
        case ed25519
        /// `ForgeableHashScheme`: cheap and insecure, for the largest scale runs only.
        case forgeableHash = "forgeable-hash"
    }

    public let signatures: Signatures
    public let authorityKey: [UInt8]
    public let scheme: any SignatureScheme
    /// The cluster authority; public because tests issue odd certificates (expired, misnamed) with it.
    public let authority: any MessageSigner
    private let seed: UInt64

    public init(signatures: Signatures = .ed25519, seed: UInt64) {
        self.signatures = signatures
        self.seed = seed
        authority = Self.signer(signatures, seed: seed, index: .max)
        authorityKey = authority.publicKey
        scheme = switch signatures {
        case .ed25519: Ed25519Scheme()
        case .forgeableHash: ForgeableHashScheme()
        }
    }

    /// The identity of node `index` (0-based), named `node-<index+1>`.
    public func identity(_ index: Int) -> SimulatedIdentity {
        let signer = Self.signer(signatures, seed: seed, index: UInt64(index))
        let certificate = Certificate.issue(
            name: "node-\(index + 1)", publicKey: signer.publicKey, expiresAt: 4_000_000_000, authority: authority)
        return SimulatedIdentity(signer: signer, certificate: certificate)
    }

    /// A signer whose certificate comes from another authority: what an outsider can produce.
    public func outsider() -> SimulatedIdentity {
        let foreignAuthority = Self.signer(signatures, seed: ~seed, index: .max)
        let signer = Self.signer(signatures, seed: ~seed, index: 0)
        let certificate = Certificate.issue(
            name: "outsider", publicKey: signer.publicKey, expiresAt: 4_000_000_000, authority: foreignAuthority)
        return SimulatedIdentity(signer: signer, certificate: certificate)
    }

    private static func signer(_ signatures: Signatures, seed: UInt64, index: UInt64) -> any MessageSigner {
        var material = [UInt8](repeating: 0, count: 32)
        for shift in 0..<8 {
            material[shift] = UInt8(truncatingIfNeeded: seed >> (8 * UInt64(shift)))
            material[8 + shift] = UInt8(truncatingIfNeeded: index >> (8 * UInt64(shift)))
        }
        switch signatures {
        case .ed25519:
            // A 32-byte seed of the right length cannot fail to make a key pair.
            return try! Ed25519KeyPair(seed: material)
        case .forgeableHash:
            // Hashed, so keys look as random as Ed25519's: ids are ordered and digested by their
            // leading bytes, which the raw material (the seed first) would make all equal.
            return ForgeableHashScheme.Signer(publicKey: Array(ForgeableHashScheme.tag(material, key: []).prefix(32)))
        }
    }
}
