/// The v1 envelope every Chorus datagram travels in (docs/wire-format.md).
///
///     magic "CHRS" | version u8 | flags u8 | cluster id 8 | sender NodeID 32 |
///     records (type u8, length u16, value)* | sender's Ed25519 signature 64
///
/// The signature covers every byte before it, so nothing in a datagram, records included,
/// can be altered by anyone but its sender.
public struct Datagram: Sendable, Equatable {
    public static let magic: [UInt8] = Array("CHRS".utf8)
    /// The version this build writes.
    public static let currentVersion: UInt8 = 1
    /// Versions this build reads: its own and the next, whose unknown records it skips.
    public static let readableVersions: ClosedRange<UInt8> = 1...2
    public static let headerSize = 4 + 1 + 1 + 8 + NodeID.byteCount
    public static let overhead = headerSize + SignatureSizes.signature
    public static let defaultMaxSize = 1400

    public var version: UInt8
    public var clusterID: [UInt8]
    public var sender: NodeID
    public var records: [Record]
    /// Everything the signature covers.
    public var signedBytes: [UInt8]
    public var signature: [UInt8]

    /// Decodes untrusted bytes. Checks size, magic, version and cluster before looking at any
    /// record; record lengths are checked against what remains, never trusted.
    /// The signature is NOT verified here: the caller does that once it knows the sender's key.
    public static func decode(_ bytes: [UInt8], expectedCluster: [UInt8], maxSize: Int) throws(WireError) -> Datagram {
        guard bytes.count <= maxSize else { throw .tooLarge }
        guard bytes.count >= overhead else { throw .truncated }
        var reader = ByteReader(bytes)
        guard try reader.readBytes(count: 4) == magic else { throw .badMagic }
        let version = try reader.readUInt8()
        guard readableVersions.contains(version) else { throw .unsupportedVersion(version) }
        _ = try reader.readUInt8() // flags: reserved, ignored by v1 readers
        let cluster = try reader.readBytes(count: 8)
        guard cluster == expectedCluster else { throw .wrongCluster }
        let sender = try reader.readNodeID()
        let signatureStart = bytes.count - SignatureSizes.signature
        var records: [Record] = []
        while reader.offset < signatureStart {
            let type = try reader.readUInt8()
            let length = Int(try reader.readUInt16())
            guard length <= signatureStart - reader.offset else { throw .truncated }
            let value = try reader.readBytes(count: length)
            records.append(Record(type: type, value: value))
        }
        guard reader.offset == signatureStart else { throw .truncated }
        return Datagram(
            version: version, clusterID: cluster, sender: sender, records: records,
            signedBytes: Array(bytes[0..<signatureStart]), signature: Array(bytes[signatureStart...]))
    }
}

/// One type-length-value record. Unknown types are kept as opaque bytes and skipped by readers.
public struct Record: Sendable, Equatable {
    public var type: UInt8
    public var value: [UInt8]

    public init(type: UInt8, value: [UInt8]) {
        self.type = type
        self.value = value
    }

    public var encodedSize: Int { 3 + value.count }
}

/// Assembles one datagram within a size budget and signs it.
public struct DatagramBuilder: Sendable {
    private var writer = ByteWriter(capacity: 512)
    public let maxSize: Int
    /// Where the records that carry content start: after the header and the exchange record.
    private var contentStart = Datagram.headerSize

    public init(clusterID: [UInt8], sender: NodeID, maxSize: Int) {
        self.maxSize = maxSize
        writer.write(bytes: Datagram.magic)
        writer.write(uint8: Datagram.currentVersion)
        writer.write(uint8: 0)
        writer.write(bytes: clusterID)
        writer.write(sender)
    }

    /// A builder whose first record binds the datagram to its recipient and the sender's epoch
    /// (protocol 3); `isEmpty` until something else is appended.
    public init(clusterID: [UInt8], sender: NodeID, maxSize: Int, exchange: Exchange) {
        self.init(clusterID: clusterID, sender: sender, maxSize: maxSize)
        append(exchange.record)
        contentStart = writer.count
    }

    /// Room left for records, keeping space for the signature.
    public var remaining: Int { maxSize - SignatureSizes.signature - writer.count }
    public var isEmpty: Bool { writer.count == contentStart }

    /// Appends `record` if it fits; returns false (and appends nothing) otherwise.
    @discardableResult
    public mutating func append(_ record: Record) -> Bool {
        guard record.encodedSize <= remaining, record.value.count <= Int(UInt16.max) else { return false }
        writer.write(uint8: record.type)
        writer.write(uint16: UInt16(record.value.count))
        writer.write(bytes: record.value)
        return true
    }

    /// Appends a padding record so the signed datagram is `size` bytes, when one fits.
    public mutating func pad(to size: Int) {
        let missing = min(size, maxSize) - SignatureSizes.signature - writer.count - 3
        guard missing >= 0 else { return }
        append(Record(type: RecordType.padding.rawValue, value: [UInt8](repeating: 0, count: missing)))
    }

    public func finish(signer: any MessageSigner) -> [UInt8] {
        var out = writer.bytes
        out.append(contentsOf: signer.sign(writer.bytes))
        return out
    }
}
