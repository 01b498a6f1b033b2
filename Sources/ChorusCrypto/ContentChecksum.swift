import CSodium

/// A 16-byte BLAKE2b digest that tells a stored file from a damaged one (a flipped bit, a cut
/// write); not an authenticator: whoever can write the file can write its checksum.
public enum ContentChecksum {
    public static let byteCount = Int(crypto_generichash_BYTES_MIN)

    public static func of(_ bytes: [UInt8]) -> [UInt8] {
        Sodium.ensureInitialized()
        var digest = [UInt8](repeating: 0, count: byteCount)
        _ = crypto_generichash(&digest, digest.count, bytes, UInt64(bytes.count), nil, 0)
        return digest
    }
}
