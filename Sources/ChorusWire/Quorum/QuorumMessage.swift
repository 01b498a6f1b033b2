/// The Paxos messages of the decision protocol (docs/decisions.md). Each travels as its own
/// record inside a sender-signed datagram; only votes are signed on their own, because only
/// votes are shown to third parties as proof.
public enum QuorumMessage: Sendable, Equatable {
    /// Phase 1a: "promise to ignore ballots below this one in this slot".
    case prepare(slot: UInt64, ballot: Ballot)
    /// Phase 1b: the promise, with the highest-ballot value this acceptor accepted in the slot.
    case promise(slot: UInt64, ballot: Ballot, accepted: AcceptedValue?)
    /// Phase 2a: "accept this value at this ballot".
    case accept(slot: UInt64, ballot: Ballot, value: DecisionValue)
    /// The acceptor already promised a higher ballot, or has moved past the slot: its next
    /// undecided slot tells a proposer that is behind to catch up first.
    case refuse(slot: UInt64, promised: Ballot?, nextSlot: UInt64)
    /// "Send me the proof of every decision from this slot on."
    case catchUp(fromSlot: UInt64)

    public struct AcceptedValue: Sendable, Equatable {
        public var ballot: Ballot
        public var value: DecisionValue

        public init(ballot: Ballot, value: DecisionValue) {
            self.ballot = ballot
            self.value = value
        }

        /// Presence flag u8, then (if 1) ballot and value: the form in promises and on disk.
        public static func encode(_ accepted: AcceptedValue?, into writer: inout ByteWriter) {
            guard let accepted else {
                writer.write(uint8: 0)
                return
            }
            writer.write(uint8: 1)
            accepted.ballot.encode(into: &writer)
            accepted.value.encode(into: &writer)
        }

        public static func decodeOptional(from reader: inout ByteReader) throws(WireError) -> AcceptedValue? {
            guard try reader.readUInt8() == 1 else { return nil }
            let ballot = try Ballot.decode(from: &reader)
            return AcceptedValue(ballot: ballot, value: try DecisionValue.decode(from: &reader))
        }
    }

    public var record: Record {
        var writer = ByteWriter(capacity: 96)
        let type: RecordType
        switch self {
        case .prepare(let slot, let ballot):
            type = .prepare
            writer.write(uint64: slot)
            ballot.encode(into: &writer)
        case .promise(let slot, let ballot, let accepted):
            type = .promise
            writer.write(uint64: slot)
            ballot.encode(into: &writer)
            AcceptedValue.encode(accepted, into: &writer)
        case .accept(let slot, let ballot, let value):
            type = .accept
            writer.write(uint64: slot)
            ballot.encode(into: &writer)
            value.encode(into: &writer)
        case .refuse(let slot, let promised, let nextSlot):
            type = .refuse
            writer.write(uint64: slot)
            writer.write(uint64: nextSlot)
            if let promised {
                writer.write(uint8: 1)
                promised.encode(into: &writer)
            } else {
                writer.write(uint8: 0)
            }
        case .catchUp(let fromSlot):
            type = .catchUp
            writer.write(uint64: fromSlot)
        }
        return Record(type: type.rawValue, value: writer.bytes)
    }

    /// nil for a record that is not a quorum message.
    public static func decode(_ record: Record) throws(WireError) -> QuorumMessage? {
        guard let type = RecordType(rawValue: record.type) else { return nil }
        var reader = ByteReader(record.value)
        switch type {
        case .prepare:
            let slot = try reader.readUInt64()
            return .prepare(slot: slot, ballot: try Ballot.decode(from: &reader))
        case .promise:
            let slot = try reader.readUInt64()
            let ballot = try Ballot.decode(from: &reader)
            return .promise(slot: slot, ballot: ballot, accepted: try AcceptedValue.decodeOptional(from: &reader))
        case .accept:
            let slot = try reader.readUInt64()
            let ballot = try Ballot.decode(from: &reader)
            return .accept(slot: slot, ballot: ballot, value: try DecisionValue.decode(from: &reader))
        case .refuse:
            let slot = try reader.readUInt64()
            let nextSlot = try reader.readUInt64()
            let promised = try reader.readUInt8() == 1 ? try Ballot.decode(from: &reader) : nil
            return .refuse(slot: slot, promised: promised, nextSlot: nextSlot)
        case .catchUp:
            return .catchUp(fromSlot: try reader.readUInt64())
        default:
            return nil
        }
    }
}

/// An acceptor's phase-2b answer, signed by the acceptor as a statement of kind `vote`: a
/// majority of votes for one (slot, ballot, value) is the proof that the value was decided.
public struct Vote: Sendable, Equatable {
    public var slot: UInt64
    public var ballot: Ballot
    public var value: DecisionValue

    public init(slot: UInt64, ballot: Ballot, value: DecisionValue) {
        self.slot = slot
        self.ballot = ballot
        self.value = value
    }

    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 96)
        writer.write(uint64: slot)
        ballot.encode(into: &writer)
        value.encode(into: &writer)
        return writer.bytes
    }

    public static func decode(_ body: [UInt8]) throws(WireError) -> Vote {
        var reader = ByteReader(body)
        let slot = try reader.readUInt64()
        let ballot = try Ballot.decode(from: &reader)
        return Vote(slot: slot, ballot: ballot, value: try DecisionValue.decode(from: &reader))
    }
}
