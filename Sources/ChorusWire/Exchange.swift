/// Since protocol 3, the first record of every datagram (type 17): the node it is for and the
/// sender's process epoch, both under the sender's signature, so a datagram captured on one
/// path is refused on any other, and one written by an earlier process of its sender is refused
/// once the receiver knows a later one (docs/wire-format.md, "Freshness").
///
///     recipient u64 (the first 8 bytes of its node id; 0 when the sender does not know whom it
///     addresses: a seed) | epoch u64 (the incarnation the sender's process started at: stored
///     before use, so every start has a new one; refutations within the process leave it)
public struct Exchange: Sendable, Equatable {
    /// "Whoever is at this address": a join request to a seed, whose key the joiner does not know.
    public static let anyRecipient: UInt64 = 0

    public var recipient: UInt64
    public var epoch: UInt64

    public init(recipient: NodeID?, epoch: UInt64) {
        self.init(recipientPrefix: recipient?.prefix64 ?? Self.anyRecipient, epoch: epoch)
    }

    init(recipientPrefix: UInt64, epoch: UInt64) {
        recipient = recipientPrefix
        self.epoch = epoch
    }

    /// True when this datagram was addressed to `node`, or to whoever holds the address.
    public func isFor(_ node: NodeID) -> Bool {
        recipient == Self.anyRecipient || recipient == node.prefix64
    }

    public static let encodedSize = 3 + 16

    public var record: Record {
        var writer = ByteWriter(capacity: 16)
        writer.write(uint64: recipient)
        writer.write(uint64: epoch)
        return Record(type: RecordType.exchange.rawValue, value: writer.bytes)
    }

    public static func decode(_ value: [UInt8]) throws(WireError) -> Exchange {
        var reader = ByteReader(value)
        let recipient = try reader.readUInt64()
        return Exchange(recipientPrefix: recipient, epoch: try reader.readUInt64())
    }
}

extension Datagram {
    /// The exchange record when the datagram carries one (a protocol 3 sender puts it first);
    /// nil from an earlier protocol. A malformed one fails like any malformed record.
    public func exchange() throws(WireError) -> Exchange? {
        guard let first = records.first, first.type == RecordType.exchange.rawValue else { return nil }
        return try Exchange.decode(first.value)
    }
}
