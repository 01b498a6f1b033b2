import CSodium
import ChorusWire

/// Gossip sealing with libsodium (SPEC §2, Confidentiality): XChaCha20-Poly1305 under the
/// cluster keys, with a random 24-byte nonce per datagram (too long to repeat by chance), and
/// crypto_box between node keys (Ed25519 converted to X25519) to re-key a member.
public struct SodiumGossipCipher: GossipCipher {
    private static let idDomain = Array("chorus gossip key id".utf8)
    private let exchangeSecret: [UInt8]

    /// `nodeKey` authenticates the grants this node seals for other members.
    public init(nodeKey: Ed25519KeyPair) {
        Sodium.ensureInitialized()
        var secret = [UInt8](repeating: 0, count: Int(crypto_box_SECRETKEYBYTES))
        guard crypto_sign_ed25519_sk_to_curve25519(&secret, nodeKey.secretKey) == 0 else {
            fatalError("libsodium could not convert the node key for key exchange")
        }
        exchangeSecret = secret
    }

    /// A fresh cluster key from the system's secure random source.
    public static func generateKey() -> [UInt8] { SecureRandom.bytes(GossipKey.byteCount) }

    public func identify(_ secret: [UInt8]) -> KeyID { Self.keyID(of: secret) }

    /// `secret` as a key, named by its id.
    public static func key(_ secret: [UInt8]) -> GossipKey { GossipKey(id: keyID(of: secret), secret: secret) }

    public static func keyID(of secret: [UInt8]) -> KeyID {
        Sodium.ensureInitialized()
        var hash = [UInt8](repeating: 0, count: Int(crypto_generichash_BYTES_MIN))
        let input = Self.idDomain + secret
        _ = crypto_generichash(&hash, hash.count, input, UInt64(input.count), nil, 0)
        return KeyID(Array(hash.prefix(KeyID.byteCount)))
    }

    public func seal(_ datagram: [UInt8], with key: GossipKey) -> [UInt8] {
        let header = SealedFrame.header(for: key.id)
        let nonce = SecureRandom.bytes(SealedFrame.nonceSize)
        var sealed = [UInt8](repeating: 0, count: datagram.count + SealedFrame.tagSize)
        var sealedLength: UInt64 = 0
        _ = crypto_aead_xchacha20poly1305_ietf_encrypt(&sealed, &sealedLength, datagram, UInt64(datagram.count),
                                                         header, UInt64(header.count), nil, nonce, key.secret)
        return header + nonce + sealed
    }

    public func open(_ frame: [UInt8], with key: GossipKey) -> [UInt8]? {
        guard SealedFrame.keyID(of: frame) == key.id else { return nil }
        let header = Array(frame[0..<SealedFrame.headerSize])
        let nonce = Array(frame[SealedFrame.headerSize..<SealedFrame.headerSize + SealedFrame.nonceSize])
        let sealed = Array(frame[(SealedFrame.headerSize + SealedFrame.nonceSize)...])
        var datagram = [UInt8](repeating: 0, count: sealed.count - SealedFrame.tagSize)
        var length: UInt64 = 0
        guard crypto_aead_xchacha20poly1305_ietf_decrypt(&datagram, &length, nil, sealed, UInt64(sealed.count),
                                                         header, UInt64(header.count), nonce, key.secret) == 0 else { return nil }
        return datagram
    }

    public func seal(_ payload: [UInt8], forMember recipient: [UInt8]) -> [UInt8]? {
        guard let peer = Self.exchangeKey(of: recipient) else { return nil }
        let nonce = SecureRandom.bytes(Int(crypto_box_NONCEBYTES))
        var box = [UInt8](repeating: 0, count: payload.count + Int(crypto_box_MACBYTES))
        guard crypto_box_easy(&box, payload, UInt64(payload.count), nonce, peer, exchangeSecret) == 0 else { return nil }
        return nonce + box
    }

    public func open(_ box: [UInt8], fromMember sender: [UInt8]) -> [UInt8]? {
        let nonceSize = Int(crypto_box_NONCEBYTES), macSize = Int(crypto_box_MACBYTES)
        guard box.count >= nonceSize + macSize, let peer = Self.exchangeKey(of: sender) else { return nil }
        let sealed = Array(box[nonceSize...])
        var payload = [UInt8](repeating: 0, count: sealed.count - macSize)
        guard crypto_box_open_easy(&payload, sealed, UInt64(sealed.count), Array(box[..<nonceSize]), peer, exchangeSecret) == 0 else {
            return nil
        }
        return payload
    }

    /// The X25519 key of an Ed25519 node key; nil for bytes that are no valid point.
    private static func exchangeKey(of nodeKey: [UInt8]) -> [UInt8]? {
        guard nodeKey.count == SignatureSizes.publicKey else { return nil }
        var key = [UInt8](repeating: 0, count: Int(crypto_box_PUBLICKEYBYTES))
        return crypto_sign_ed25519_pk_to_curve25519(&key, nodeKey) == 0 ? key : nil
    }
}
