/// Anti-entropy summary: one entry per member the sender knows, so the receiver can send back
/// only what the sender lacks or has older (instead of a full state dump every round).
public struct DigestEntry: Sendable, Equatable {
    public static let encodedSize = 8 + 8 + 1 + 4

    /// First 8 bytes of the member's NodeID.
    public var idPrefix: UInt64
    public var incarnation: UInt64
    /// 0 alive, 1 suspect, 2 dead, 3 left.
    public var status: UInt8
    /// Hash of the member's heartbeat fields other than sequence (address, version, serving, digest).
    public var fieldsHash: UInt32

    public init(idPrefix: UInt64, incarnation: UInt64, status: UInt8, fieldsHash: UInt32) {
        self.idPrefix = idPrefix
        self.incarnation = incarnation
        self.status = status
        self.fieldsHash = fieldsHash
    }
}

public struct Digest: Sendable, Equatable {
    /// Whether the receiver should answer with its own digest (the first half of an exchange).
    public var wantsReply: Bool
    /// Whether `entries` is the sender's whole view (then a member missing from it is news to it).
    public var isComplete: Bool
    public var entries: [DigestEntry]

    public init(wantsReply: Bool, isComplete: Bool, entries: [DigestEntry]) {
        self.wantsReply = wantsReply
        self.isComplete = isComplete
        self.entries = entries
    }

    /// How many entries fit in a record of at most `budget` bytes.
    public static func capacity(budget: Int) -> Int { max(0, (budget - 3 - 1) / DigestEntry.encodedSize) }

    public var record: Record {
        var writer = ByteWriter(capacity: 1 + entries.count * DigestEntry.encodedSize)
        writer.write(uint8: (wantsReply ? 1 : 0) | (isComplete ? 2 : 0))
        for entry in entries {
            writer.write(uint64: entry.idPrefix)
            writer.write(uint64: entry.incarnation)
            writer.write(uint8: entry.status)
            writer.write(uint32: entry.fieldsHash)
        }
        return Record(type: RecordType.digest.rawValue, value: writer.bytes)
    }

    public static func decode(_ value: [UInt8]) throws(WireError) -> Digest {
        var reader = ByteReader(value)
        let flags = try reader.readUInt8()
        var entries: [DigestEntry] = []
        while reader.remaining >= DigestEntry.encodedSize {
            entries.append(DigestEntry(
                idPrefix: try reader.readUInt64(), incarnation: try reader.readUInt64(),
                status: try reader.readUInt8(), fieldsHash: try reader.readUInt32()))
        }
        return Digest(wantsReply: flags & 1 != 0, isComplete: flags & 2 != 0, entries: entries)
    }
}
