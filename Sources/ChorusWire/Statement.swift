/// A statement signed by its origin, relayed unchanged by gossip (SPEC §3: relays cannot alter
/// or forge it). Layout: kind u8 | origin 32 | body length u16 | body | signature 64.
/// The signature covers a domain tag, the cluster id, kind, origin and body.
public struct SignedStatement: Sendable, Hashable {
    public enum Kind: UInt8, Sendable {
        /// The origin's own heartbeat (body: `Heartbeat`).
        case heartbeat = 1
        /// The origin suspects a subject (body: `Accusation`).
        case suspect = 2
        /// The origin declares a subject dead (body: `Accusation`).
        case dead = 3
        /// The origin, a voter, accepted a decision value (body: `Vote`).
        case vote = 4
    }

    static let domain: [UInt8] = Array("chorus-statement-v1".utf8)
    public static let maxBodySize = 512

    public var kind: UInt8
    public var origin: NodeID
    public var body: [UInt8]
    public var signature: [UInt8]

    public init(kind: UInt8, origin: NodeID, body: [UInt8], signature: [UInt8]) {
        self.kind = kind
        self.origin = origin
        self.body = body
        self.signature = signature
    }

    public static func sign(kind: Kind, body: [UInt8], clusterID: [UInt8], signer: any MessageSigner) -> SignedStatement {
        let origin = NodeID(bytes: signer.publicKey)!
        let signature = signer.sign(signedBytes(kind: kind.rawValue, origin: origin, body: body, clusterID: clusterID))
        return SignedStatement(kind: kind.rawValue, origin: origin, body: body, signature: signature)
    }

    static func signedBytes(kind: UInt8, origin: NodeID, body: [UInt8], clusterID: [UInt8]) -> [UInt8] {
        var writer = ByteWriter(capacity: domain.count + 8 + 1 + 32 + body.count)
        writer.write(bytes: domain)
        writer.write(bytes: clusterID)
        writer.write(uint8: kind)
        writer.write(origin)
        writer.write(bytes: body)
        return writer.bytes
    }

    /// True when the origin's key signed exactly this statement for this cluster.
    public func verify(clusterID: [UInt8], scheme: any SignatureScheme) -> Bool {
        scheme.verify(
            signature: signature,
            message: Self.signedBytes(kind: kind, origin: origin, body: body, clusterID: clusterID),
            publicKey: origin.bytes)
    }

    public var record: Record {
        var writer = ByteWriter(capacity: 1 + 32 + 2 + body.count + 64)
        writer.write(uint8: kind)
        writer.write(origin)
        writer.write(uint16: UInt16(body.count))
        writer.write(bytes: body)
        writer.write(bytes: signature)
        return Record(type: RecordType.statement.rawValue, value: writer.bytes)
    }

    public static func decode(_ value: [UInt8]) throws(WireError) -> SignedStatement {
        var reader = ByteReader(value)
        let kind = try reader.readUInt8()
        let origin = try reader.readNodeID()
        let length = Int(try reader.readUInt16())
        guard length <= maxBodySize else { throw .invalidField("statement body of \(length) bytes") }
        let body = try reader.readBytes(count: length)
        let signature = try reader.readBytes(count: SignatureSizes.signature)
        // Trailing bytes belong to a newer protocol version: skipped, and not covered by the signature.
        return SignedStatement(kind: kind, origin: origin, body: body, signature: signature)
    }
}

/// A node's heartbeat (SPEC §3). Newer protocol versions append fields; v1 readers skip them.
public struct Heartbeat: Sendable, Equatable {
    public static let maxVersionLength = 32

    public var incarnation: UInt64
    public var sequence: UInt64
    public var address: PeerAddress
    public var appVersion: String
    public var protocolVersion: UInt8
    public var serving: UInt8
    /// Digest of the origin's view of cluster decisions (8 bytes).
    public var decisionsDigest: [UInt8]
    /// What the origin's application health check last said (`ApplicationHealth` in the core):
    /// 0 unknown, 1 healthy, 2 unhealthy. Appended after the digest, and only when not 0, so a
    /// heartbeat without a check encodes (and hashes) exactly as before it existed; a field
    /// appended after it must write it, even 0.
    public var appHealth: UInt8

    public init(incarnation: UInt64, sequence: UInt64, address: PeerAddress, appVersion: String,
                protocolVersion: UInt8, serving: UInt8, decisionsDigest: [UInt8], appHealth: UInt8 = 0) {
        self.incarnation = incarnation
        self.sequence = sequence
        self.address = address
        self.appVersion = appVersion
        self.protocolVersion = protocolVersion
        self.serving = serving
        self.decisionsDigest = decisionsDigest
        self.appHealth = appHealth
    }

    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 48)
        writer.write(uint64: incarnation)
        writer.write(uint64: sequence)
        address.encode(into: &writer)
        writer.write(shortString: appVersion)
        writer.write(uint8: protocolVersion)
        writer.write(uint8: serving)
        writer.write(bytes: decisionsDigest)
        if appHealth != 0 { writer.write(uint8: appHealth) }
        return writer.bytes
    }

    public static func decode(_ body: [UInt8]) throws(WireError) -> Heartbeat {
        var reader = ByteReader(body)
        let incarnation = try reader.readUInt64()
        let sequence = try reader.readUInt64()
        let address = try PeerAddress.decode(from: &reader)
        let version = try reader.readShortString(maxLength: maxVersionLength)
        let protocolVersion = try reader.readUInt8()
        let serving = try reader.readUInt8()
        let digest = try reader.readBytes(count: 8)
        let appHealth = reader.isAtEnd ? 0 : try reader.readUInt8()
        return Heartbeat(incarnation: incarnation, sequence: sequence, address: address, appVersion: version,
                         protocolVersion: protocolVersion, serving: serving, decisionsDigest: digest, appHealth: appHealth)
    }
}

/// "I suspect / declare dead `subject` at `incarnation`."
public struct Accusation: Sendable, Equatable {
    public var subject: NodeID
    public var incarnation: UInt64

    public init(subject: NodeID, incarnation: UInt64) {
        self.subject = subject
        self.incarnation = incarnation
    }

    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 40)
        writer.write(subject)
        writer.write(uint64: incarnation)
        return writer.bytes
    }

    public static func decode(_ body: [UInt8]) throws(WireError) -> Accusation {
        var reader = ByteReader(body)
        let subject = try reader.readNodeID()
        return Accusation(subject: subject, incarnation: try reader.readUInt64())
    }
}
