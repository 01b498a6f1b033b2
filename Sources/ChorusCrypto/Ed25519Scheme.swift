import CSodium
import ChorusWire

/// Ed25519 signature verification through libsodium: the scheme real agents use.
///
/// Never traps on hostile input: a signature or key of the wrong length simply does not verify.
public struct Ed25519Scheme: SignatureScheme {
    public init() {}

    public func verify(signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard signature.count == SignatureSizes.signature, publicKey.count == SignatureSizes.publicKey else {
            return false
        }
        Sodium.ensureInitialized()
        return crypto_sign_verify_detached(signature, message, UInt64(message.count), publicKey) == 0
    }
}
