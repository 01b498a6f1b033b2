import ChorusWire

/// NOT A SIGNATURE: a keyed hash anyone who knows the public key can compute. It exists so
/// simulations of thousands of nodes are not dominated by Ed25519; every report of a run that
/// uses it says so. The protocol paths are the same: every "signature" is still made and checked,
/// and a wrong key or altered byte still fails.
public struct ForgeableHashScheme: SignatureScheme {
    public init() {}

    public func verify(signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool {
        signature.count == SignatureSizes.signature && signature == Self.tag(message, key: publicKey)
    }

    public struct Signer: MessageSigner {
        public let publicKey: [UInt8]

        public func sign(_ message: [UInt8]) -> [UInt8] { ForgeableHashScheme.tag(message, key: publicKey) }
    }

    /// 64 bytes: eight lanes of a multiply-xorshift hash over key and message.
    static func tag(_ message: [UInt8], key: [UInt8]) -> [UInt8] {
        var lanes: [UInt64] = (0..<8).map { 0x9E37_79B9_7F4A_7C15 &* UInt64($0 + 1) }
        for (index, byte) in key.enumerated() { lanes[index & 7] = mix(lanes[index & 7] ^ UInt64(byte)) }
        var running: UInt64 = UInt64(message.count)
        for byte in message { running = (running ^ UInt64(byte)) &* 0x100_0000_01B3 }
        var tag: [UInt8] = []
        tag.reserveCapacity(64)
        for lane in lanes {
            let value = mix(lane ^ running)
            for shift in 0..<8 { tag.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(shift)))) }
        }
        return tag
    }

    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
