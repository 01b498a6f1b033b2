/// Sealing as the protocol needs it (SPEC §2, Confidentiality), behind a seam like
/// `SignatureScheme`: the agent plugs in libsodium (`SodiumGossipCipher`); the core never sees
/// how. Implementations MUST be thread-safe.
public protocol GossipCipher: Sendable {
    /// The public name of a key (a hash of it): what a sealed frame carries.
    func identify(_ secret: [UInt8]) -> KeyID
    /// A whole signed datagram sealed under a cluster key (`SealedFrame`).
    func seal(_ datagram: [UInt8], with key: GossipKey) -> [UInt8]
    /// The datagram inside `frame`, or nil when `key` did not seal it or a bit changed.
    func open(_ frame: [UInt8], with key: GossipKey) -> [UInt8]?
    /// `payload` readable only by the holder of the node key `recipient` (an Ed25519 public
    /// key), and provably from this node: how a member that missed a rotation is re-keyed.
    func seal(_ payload: [UInt8], forMember recipient: [UInt8]) -> [UInt8]?
    /// What `sender` (an Ed25519 public key) sealed for this node, or nil.
    func open(_ box: [UInt8], fromMember sender: [UInt8]) -> [UInt8]?
}

/// The layout of a sealed datagram (docs/wire-format.md, "Sealing"):
///
///     magic "CHRE" | key id 8 | nonce 24 | XChaCha20-Poly1305 of the signed datagram (+16 tag)
///
/// The magic and key id are the additional data: bound to the ciphertext, readable without a key.
public enum SealedFrame {
    public static let magic: [UInt8] = Array("CHRE".utf8)
    public static let headerSize = 4 + KeyID.byteCount
    public static let nonceSize = 24
    public static let tagSize = 16
    /// What sealing adds to a datagram.
    public static let overhead = headerSize + nonceSize + tagSize

    public static func header(for key: KeyID) -> [UInt8] { magic + key.bytes }

    /// The key a frame names, or nil when `bytes` is not a sealed frame.
    public static func keyID(of bytes: [UInt8]) -> KeyID? {
        guard bytes.count >= overhead, bytes.starts(with: magic) else { return nil }
        return KeyID(Array(bytes[magic.count..<headerSize]))
    }
}
