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
}

/// Probe bookkeeping records (ping, ack, ping-request, nack) share these shapes.
public struct Ping: Sendable, Equatable {
    public var sequence: UInt32
    /// The node the prober believes it is talking to; a different node now at that address ignores it.
    public var target: NodeID

    public init(sequence: UInt32, target: NodeID) {
        self.sequence = sequence
        self.target = target
    }

    public var record: Record {
        var writer = ByteWriter(capacity: 36)
        writer.write(uint32: sequence)
        writer.write(target)
        return Record(type: RecordType.ping.rawValue, value: writer.bytes)
    }

    public static func decode(_ value: [UInt8]) throws(WireError) -> Ping {
        var reader = ByteReader(value)
        let sequence = try reader.readUInt32()
        let target = try reader.readNodeID()
        return Ping(sequence: sequence, target: target)
    }
}

/// Ack and nack carry only the probe sequence they answer.
public struct ProbeReply: Sendable, Equatable {
    public var sequence: UInt32

    public init(sequence: UInt32) { self.sequence = sequence }

    public func record(_ type: RecordType) -> Record {
        var writer = ByteWriter(capacity: 4)
        writer.write(uint32: sequence)
        return Record(type: type.rawValue, value: writer.bytes)
    }

    public static func decode(_ value: [UInt8]) throws(WireError) -> ProbeReply {
        var reader = ByteReader(value)
        return ProbeReply(sequence: try reader.readUInt32())
    }
}

public struct PingRequest: Sendable, Equatable {
    public var sequence: UInt32
    public var target: NodeID
    public var targetAddress: PeerAddress

    public init(sequence: UInt32, target: NodeID, targetAddress: PeerAddress) {
        self.sequence = sequence
        self.target = target
        self.targetAddress = targetAddress
    }

    public var record: Record {
        var writer = ByteWriter(capacity: 60)
        writer.write(uint32: sequence)
        writer.write(target)
        targetAddress.encode(into: &writer)
        return Record(type: RecordType.pingRequest.rawValue, value: writer.bytes)
    }

    public static func decode(_ value: [UInt8]) throws(WireError) -> PingRequest {
        var reader = ByteReader(value)
        let sequence = try reader.readUInt32()
        let target = try reader.readNodeID()
        let address = try PeerAddress.decode(from: &reader)
        return PingRequest(sequence: sequence, target: target, targetAddress: address)
    }
}

/// Join request flags: none in v1; the record's presence is the request.
public enum JoinRequest {
    public static var record: Record { Record(type: RecordType.joinRequest.rawValue, value: []) }
}

public enum CertificateRequest {
    public static var record: Record { Record(type: RecordType.certificateRequest.rawValue, value: []) }
}
