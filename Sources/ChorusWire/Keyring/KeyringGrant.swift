/// The cluster's keys as one member hands them to another that still seals with a removed key
/// (it was offline during a rotation). It travels sealed for that member's node key
/// (`GossipCipher.seal(_:forMember:)`), inside a datagram signed by the granting member.
///
///     decided slots u64 | key count u8 | (key id 8, secret 32) × count, the primary first
public struct KeyringGrant: Sendable, Equatable {
    public static let maxKeys = 8

    /// How many slots the granter had applied: the receiver keeps the grant only until its own
    /// log is at least as long, then its decided keyring is as new.
    public var decidedSlots: UInt64
    /// The keys in use, the primary first.
    public var keys: [GossipKey]

    public init(decidedSlots: UInt64, keys: [GossipKey]) {
        precondition((1...Self.maxKeys).contains(keys.count), "a grant carries 1 to \(Self.maxKeys) keys")
        self.decidedSlots = decidedSlots
        self.keys = keys
    }

    public var primary: GossipKey { keys[0] }

    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 9 + keys.count * 40)
        writer.write(uint64: decidedSlots)
        writer.write(uint8: UInt8(keys.count))
        for key in keys { key.encode(into: &writer) }
        return writer.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(WireError) -> KeyringGrant {
        var reader = ByteReader(bytes)
        let slots = try reader.readUInt64()
        let count = Int(try reader.readUInt8())
        guard (1...maxKeys).contains(count) else { throw .invalidField("grant of \(count) keys") }
        var keys: [GossipKey] = []
        for _ in 0..<count { keys.append(try GossipKey.decode(from: &reader)) }
        guard reader.offset == bytes.count else { throw .invalidField("trailing bytes in a grant") }
        return KeyringGrant(decidedSlots: slots, keys: keys)
    }
}
