/// A cluster key for sealing gossip (SPEC §2, Confidentiality): 32 secret bytes and the id the
/// wire names it by. The id is a hash of the secret (`GossipCipher.identify`), so a datagram
/// says which key opens it without saying anything about the key.
public struct GossipKey: Sendable, Hashable, CustomStringConvertible {
    public static let byteCount = 32

    public let id: KeyID
    /// Never logged, never served over HTTP: only decisions (stored 0600) and sealed grants carry it.
    public let secret: [UInt8]

    public init(id: KeyID, secret: [UInt8]) {
        precondition(secret.count == Self.byteCount, "a gossip key is \(Self.byteCount) bytes")
        self.id = id
        self.secret = secret
    }

    /// The id only: a key printed by accident (a log line, a trace) must not leak.
    public var description: String { "key \(id)" }

    public func encode(into writer: inout ByteWriter) {
        writer.write(bytes: id.bytes)
        writer.write(bytes: secret)
    }

    public static func decode(from reader: inout ByteReader) throws(WireError) -> GossipKey {
        let id = KeyID(try reader.readBytes(count: KeyID.byteCount))
        return GossipKey(id: id, secret: try reader.readBytes(count: byteCount))
    }
}

/// The public name of a gossip key: the first 8 bytes of its hash.
public struct KeyID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public static let byteCount = 8
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) {
        precondition(bytes.count == Self.byteCount, "a key id is \(Self.byteCount) bytes")
        self.bytes = bytes
    }

    /// 16 hex digits, as `chorus keyring list` prints it; nil for anything else.
    public init?(hex: String) {
        guard hex.utf8.count == 2 * Self.byteCount, let bytes = Hex.decode(hex) else { return nil }
        self.bytes = bytes
    }

    public var hex: String { Hex.encode(bytes) }
    public var description: String { hex }

    public static func < (lhs: KeyID, rhs: KeyID) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }
}
