import CSodium
import ChorusWire

/// Probe nonces from libsodium's keyed short hash (SipHash-2-4) of a counter: unpredictable to
/// anyone without the key, however many earlier nonces they saw on the wire.
public struct ShortHashNonces: NonceGenerator {
    public static let keySize = 16
    private let key: [UInt8]

    /// A fresh random key: what an agent uses.
    public init() { self.init(key: SecureRandom.bytes(Self.keySize)) }

    /// A given key: simulations derive it from their seed so that runs replay.
    public init(key: [UInt8]) {
        precondition(key.count == Self.keySize, "a short-hash key is \(Self.keySize) bytes")
        Sodium.ensureInitialized()
        self.key = key
    }

    /// A key drawn from `seed`: for simulations and tests, whose runs must replay.
    public init(seed: UInt64) {
        self.init(key: (0..<Self.keySize).map { UInt8(truncatingIfNeeded: (seed &* 0x9E37_79B9_7F4A_7C15) >> (8 * UInt64($0 % 8)) &+ UInt64($0)) })
    }

    public func nonce(_ counter: UInt64) -> UInt64 {
        let input = (0..<8).map { UInt8(truncatingIfNeeded: counter >> (56 - 8 * UInt64($0))) }
        var out = [UInt8](repeating: 0, count: 8)
        _ = crypto_shorthash(&out, input, UInt64(input.count), key)
        return out.reduce(0) { $0 << 8 | UInt64($1) }
    }
}
