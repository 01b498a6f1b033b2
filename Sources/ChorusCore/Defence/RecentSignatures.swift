import ChorusWire

/// The signatures of the datagrams verified lately, so an exact copy of one from anywhere but its
/// sender's signed address is refused before its signature is checked again. Without it, a stranger replaying one captured, valid datagram
/// passed the first check, counted as proven for its sender (`VerificationBudget`) and made every
/// later copy cost a full verification (tools/chaos, replayed flood: 120% CPU, a false death).
/// A copy counts as a failed check of its source. Bounded: the oldest are forgotten first.
struct RecentSignatures: Sendable {
    static let capacity = 4096

    /// The first 16 bytes of an Ed25519 signature: unique among honest datagrams.
    struct Fingerprint: Hashable, Sendable {
        let high: UInt64
        let low: UInt64

        init(_ signature: [UInt8]) {
            var high: UInt64 = 0, low: UInt64 = 0
            for byte in signature.prefix(8) { high = high << 8 | UInt64(byte) }
            for byte in signature.dropFirst(8).prefix(8) { low = low << 8 | UInt64(byte) }
            (self.high, self.low) = (high, low)
        }
    }

    private var seen: Set<Fingerprint> = []
    private var order: [Fingerprint] = []
    private var next = 0

    func contains(_ fingerprint: Fingerprint) -> Bool { seen.contains(fingerprint) }

    mutating func insert(_ fingerprint: Fingerprint) {
        guard seen.insert(fingerprint).inserted else { return }
        if order.count < Self.capacity {
            order.append(fingerprint)
            return
        }
        seen.remove(order[next])
        order[next] = fingerprint
        next = (next + 1) % Self.capacity
    }
}
