import CSodium
import ChorusWire

/// An Ed25519 signing key pair (libsodium's 64-byte secret key: seed followed by public key).
///
/// Used for both node identities and the cluster authority. Signing is deterministic, so
/// simulations built from `init(seed:)` keys replay bit for bit.
public struct Ed25519KeyPair: MessageSigner, CustomStringConvertible {
    public static let seedByteCount = Int(crypto_sign_SEEDBYTES)
    public static let secretKeyByteCount = Int(crypto_sign_SECRETKEYBYTES)

    /// The 64-byte libsodium secret key. Write it only through `KeyFileFormat`; never log it.
    public let secretKey: [UInt8]
    public let publicKey: [UInt8]

    private init(secretKey: [UInt8], publicKey: [UInt8]) {
        self.secretKey = secretKey
        self.publicKey = publicKey
    }

    /// A fresh key pair from the system's secure random source.
    public static func generate() -> Ed25519KeyPair {
        Sodium.ensureInitialized()
        var publicKey = [UInt8](repeating: 0, count: SignatureSizes.publicKey)
        var secretKey = [UInt8](repeating: 0, count: secretKeyByteCount)
        guard crypto_sign_keypair(&publicKey, &secretKey) == 0 else {
            fatalError("crypto_sign_keypair failed")
        }
        return Ed25519KeyPair(secretKey: secretKey, publicKey: publicKey)
    }

    /// The key pair determined by a 32-byte seed: the same seed always gives the same keys.
    public init(seed: [UInt8]) throws(Ed25519KeyError) {
        guard seed.count == Self.seedByteCount else { throw .wrongSeedLength(seed.count) }
        Sodium.ensureInitialized()
        var publicKey = [UInt8](repeating: 0, count: SignatureSizes.publicKey)
        var secretKey = [UInt8](repeating: 0, count: Self.secretKeyByteCount)
        guard crypto_sign_seed_keypair(&publicKey, &secretKey, seed) == 0 else {
            fatalError("crypto_sign_seed_keypair failed")
        }
        self.init(secretKey: secretKey, publicKey: publicKey)
    }

    /// Restores a key pair from a stored 64-byte secret key.
    ///
    /// The public half stored inside the secret key is checked against the one its seed derives,
    /// so a corrupted key file is rejected instead of producing signatures nobody can verify.
    public init(secretKey: [UInt8]) throws(Ed25519KeyError) {
        guard secretKey.count == Self.secretKeyByteCount else { throw .wrongSecretKeyLength(secretKey.count) }
        Sodium.ensureInitialized()
        var publicKey = [UInt8](repeating: 0, count: SignatureSizes.publicKey)
        var seed = [UInt8](repeating: 0, count: Self.seedByteCount)
        guard crypto_sign_ed25519_sk_to_pk(&publicKey, secretKey) == 0,
              crypto_sign_ed25519_sk_to_seed(&seed, secretKey) == 0 else {
            fatalError("libsodium failed to split an Ed25519 secret key")
        }
        let derived = try Ed25519KeyPair(seed: seed)
        guard derived.publicKey == publicKey else { throw .inconsistentSecretKey }
        self.init(secretKey: secretKey, publicKey: publicKey)
    }

    /// The node id this key pair signs as.
    public var nodeID: NodeID {
        guard let id = NodeID(bytes: publicKey) else { fatalError("Ed25519 public key is not \(NodeID.byteCount) bytes") }
        return id
    }

    /// A detached 64-byte signature of `message`.
    public func sign(_ message: [UInt8]) -> [UInt8] {
        Sodium.ensureInitialized()
        var signature = [UInt8](repeating: 0, count: SignatureSizes.signature)
        guard crypto_sign_detached(&signature, nil, message, UInt64(message.count), secretKey) == 0 else {
            fatalError("crypto_sign_detached failed")
        }
        return signature
    }

    /// Shows only the public key, so a key pair can be logged or printed without leaking the secret.
    public var description: String { "Ed25519KeyPair(public: \(Hex.encode(publicKey)))" }
}

/// Why bytes could not be turned into an `Ed25519KeyPair`.
public enum Ed25519KeyError: Error, Sendable, Equatable, CustomStringConvertible {
    case wrongSeedLength(Int)
    case wrongSecretKeyLength(Int)
    /// The public key stored in the secret key does not match the one its seed derives.
    case inconsistentSecretKey

    public var description: String {
        switch self {
        case .wrongSeedLength(let count):
            "an Ed25519 seed must be \(Ed25519KeyPair.seedByteCount) bytes, got \(count)"
        case .wrongSecretKeyLength(let count):
            "an Ed25519 secret key must be \(Ed25519KeyPair.secretKeyByteCount) bytes, got \(count)"
        case .inconsistentSecretKey:
            "the Ed25519 secret key is corrupt: its public half does not match its seed"
        }
    }
}
