/// Signature verification as the protocol needs it: a pure function of its inputs.
///
/// The core verifies every signature through this seam, so the agent plugs in libsodium's
/// Ed25519 while the simulator may plug in a cheaper, clearly named scheme for huge runs.
/// Implementations MUST be deterministic and thread-safe.
public protocol SignatureScheme: Sendable {
    /// True when `signature` is a valid signature of `message` under `publicKey`.
    func verify(signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool
}

/// Signs with one secret key (a node's, or the cluster authority's).
/// Implementations MUST be deterministic (Ed25519 is) so simulations replay bit for bit.
public protocol MessageSigner: Sendable {
    var publicKey: [UInt8] { get }
    func sign(_ message: [UInt8]) -> [UInt8]
}

public enum SignatureSizes {
    public static let publicKey = 32
    public static let signature = 64
}

/// Numbers a peer must not predict (probe nonces): a keyed pseudo-random function of a counter.
/// The agent keys it from the kernel's random source; the simulator keys it from its seed, so
/// runs replay. Implementations MUST be deterministic for one key and thread-safe.
public protocol NonceGenerator: Sendable {
    func nonce(_ counter: UInt64) -> UInt64
}
