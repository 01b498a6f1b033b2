/// A node's identity on the wire: its Ed25519 public key (32 bytes).
///
/// Using the key itself, not a hash of it, means a receiver never has to trust a mapping from id
/// to key: the id *is* the key that must have signed anything the node originates.
///
/// Stored inline as four big-endian words, not as an array: ids are map keys and set members in
/// every node's view of every other, so a heap allocation each (and byte-wise hashing) adds up.
public struct NodeID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public static let byteCount = 32
    let w0: UInt64
    let w1: UInt64
    let w2: UInt64
    let w3: UInt64

    init(words w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64) {
        self.w0 = w0
        self.w1 = w1
        self.w2 = w2
        self.w3 = w3
    }

    /// Returns nil unless `bytes` is exactly 32 bytes long.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        func word(_ start: Int) -> UInt64 { bytes[start..<start + 8].reduce(0) { $0 << 8 | UInt64($1) } }
        self.init(words: word(0), word(8), word(16), word(24))
    }

    public var bytes: [UInt8] {
        var writer = ByteWriter(capacity: Self.byteCount)
        writer.write(self)
        return writer.bytes
    }

    /// The first 8 bytes as a big-endian integer (the anti-entropy digest key).
    package var prefix64: UInt64 { w0 }

    public var hex: String { Hex.encode(bytes) }
    /// The first 8 bytes in hex: enough to tell nodes apart in logs and tables.
    public var short: String { String(hex.prefix(16)) }
    public var description: String { short }

    /// Big-endian words compare like the bytes they hold.
    public static func < (lhs: NodeID, rhs: NodeID) -> Bool { (lhs.w0, lhs.w1, lhs.w2, lhs.w3) < (rhs.w0, rhs.w1, rhs.w2, rhs.w3) }
}

public enum Hex {
    public static func encode(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(chars.count / 2)
        var index = 0
        while index < chars.count {
            guard let high = nibble(chars[index]), let low = nibble(chars[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
