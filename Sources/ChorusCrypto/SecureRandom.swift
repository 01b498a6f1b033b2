import CSodium

/// Cryptographically secure random bytes from libsodium (the kernel's CSPRNG).
///
/// For secrets (admin tokens, keys). Protocol randomness that must replay in the simulator comes
/// from a seeded generator in the core instead.
public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        precondition(count >= 0, "negative byte count")
        Sodium.ensureInitialized()
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { buffer in
            if let base = buffer.baseAddress { randombytes_buf(base, buffer.count) }
        }
        return out
    }
}
