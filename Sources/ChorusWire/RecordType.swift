/// Record types of wire format v1. Values are never reused; readers skip types they do not know.
public enum RecordType: UInt8, Sendable {
    /// A node certificate (any node's): lets the receiver verify that node's signatures.
    case certificate = 1
    /// Direct probe: "are you alive?"
    case ping = 2
    /// Answer to a ping (direct or relayed).
    case ack = 3
    /// Ask the receiver to probe a target on the sender's behalf (SWIM indirect probe).
    case pingRequest = 4
    /// The relay could not reach the target in time (Lifeguard): tells the prober its own link works.
    case nack = 5
    /// An origin-signed statement: heartbeat, suspicion or death.
    case statement = 6
    /// A joining node asks for the receiver's full state.
    case joinRequest = 7
    /// Anti-entropy: a compact summary of the sender's membership view.
    case digest = 8
    /// Decision protocol (`QuorumMessage`): Paxos phases 1a, 1b, 2a, a refusal, a catch-up request.
    case prepare = 9
    case promise = 10
    case accept = 11
    case refuse = 12
    case catchUp = 13
    /// Phase 2b: signed votes of one or more voters for one vote body (`VoteBundle`), the body
    /// sent once. A single acceptor's answer and a quorum's proof travel the same way.
    case votes = 14
    /// The sender could not verify a datagram from the receiver (it lacks the receiver's
    /// certificate): "attach yours to what you send me".
    case certificateRequest = 15
    /// The cluster's current keys for a member that sealed with a removed one (`KeyringGrant`),
    /// sealed for its node key.
    case keyringGrant = 16
    /// Whom the datagram is for and which process of the sender wrote it (`Exchange`); the
    /// first record of every datagram since protocol 3.
    case exchange = 17
    /// Zeros that make a join request as large as the answer it may need: an unproven source
    /// gets no more bytes than it sent (`ReplyAllowance`), so a joiner refused for its name
    /// could not otherwise be told why. QUIC pads its first packet for the same reason.
    /// Read by nobody; protocol 3 readers skip it as a record type they do not know.
    case padding = 18
}

/// Probe bookkeeping records (ping, ack, ping-request, nack) share these shapes.
///
/// Since protocol version 2 each carries the prober's nonce after its v1 fields: an unpredictable
/// number only the matching ack or nack can echo, so an ack captured earlier answers no later
/// probe (docs/wire-format.md, "Freshness"). A v1 reader ignores the trailing bytes; a v1 sender
/// writes none, and decodes here with `nonce == nil`.
public struct Ping: Sendable, Equatable {
    public var sequence: UInt32
    /// The node the prober believes it is talking to; a different node now at that address ignores it.
    public var target: NodeID
    public var nonce: UInt64?

    public init(sequence: UInt32, target: NodeID, nonce: UInt64?) {
        self.sequence = sequence
        self.target = target
        self.nonce = nonce
    }

    public var record: Record {
        var writer = ByteWriter(capacity: 44)
        writer.write(uint32: sequence)
        writer.write(target)
        if let nonce { writer.write(uint64: nonce) }
        return Record(type: RecordType.ping.rawValue, value: writer.bytes)
    }

    public static func decode(_ value: [UInt8]) throws(WireError) -> Ping {
        var reader = ByteReader(value)
        let sequence = try reader.readUInt32()
        let target = try reader.readNodeID()
        return Ping(sequence: sequence, target: target, nonce: try reader.readTrailingNonce())
    }
}

/// Ack and nack carry the probe sequence they answer and, since version 2, the probe's nonce.
public struct ProbeReply: Sendable, Equatable {
    public var sequence: UInt32
    public var nonce: UInt64?

    public init(sequence: UInt32, nonce: UInt64?) {
        self.sequence = sequence
        self.nonce = nonce
    }

    public func record(_ type: RecordType) -> Record {
        var writer = ByteWriter(capacity: 12)
        writer.write(uint32: sequence)
        if let nonce { writer.write(uint64: nonce) }
        return Record(type: type.rawValue, value: writer.bytes)
    }

    public static func decode(_ value: [UInt8]) throws(WireError) -> ProbeReply {
        var reader = ByteReader(value)
        let sequence = try reader.readUInt32()
        return ProbeReply(sequence: sequence, nonce: try reader.readTrailingNonce())
    }
}

public struct PingRequest: Sendable, Equatable {
    public var sequence: UInt32
    public var target: NodeID
    public var targetAddress: PeerAddress
    /// The prober's nonce, which the helper's ack or nack echoes.
    public var nonce: UInt64?

    public init(sequence: UInt32, target: NodeID, targetAddress: PeerAddress, nonce: UInt64?) {
        self.sequence = sequence
        self.target = target
        self.targetAddress = targetAddress
        self.nonce = nonce
    }

    public var record: Record {
        var writer = ByteWriter(capacity: 68)
        writer.write(uint32: sequence)
        writer.write(target)
        targetAddress.encode(into: &writer)
        if let nonce { writer.write(uint64: nonce) }
        return Record(type: RecordType.pingRequest.rawValue, value: writer.bytes)
    }

    public static func decode(_ value: [UInt8]) throws(WireError) -> PingRequest {
        var reader = ByteReader(value)
        let sequence = try reader.readUInt32()
        let target = try reader.readNodeID()
        let address = try PeerAddress.decode(from: &reader)
        return PingRequest(sequence: sequence, target: target, targetAddress: address, nonce: try reader.readTrailingNonce())
    }
}

extension ByteReader {
    /// A version 2 nonce when the record has one after its v1 fields; nil for a v1 record.
    mutating func readTrailingNonce() throws(WireError) -> UInt64? {
        remaining >= 8 ? try readUInt64() : nil
    }
}

/// Join request flags: none in v1; the record's presence is the request.
public enum JoinRequest {
    public static var record: Record { Record(type: RecordType.joinRequest.rawValue, value: []) }
}

public enum CertificateRequest {
    public static var record: Record { Record(type: RecordType.certificateRequest.rawValue, value: []) }
}
