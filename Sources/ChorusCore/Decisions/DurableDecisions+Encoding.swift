import ChorusWire

/// The on-disk form of what the decision engine persists: the log as a sequence of proven
/// slots, the acceptor state as one record. Decoding is bounded like the wire: a torn or
/// corrupt tail ends the log where it stops making sense, and proofs are re-checked on load.
extension DecidedSlot {
    /// slot | ballot | value | bundle count u16 | `VoteBundle` × count (the signed body once each).
    public func encode(into writer: inout ByteWriter) {
        writer.write(uint64: slot)
        ballot.encode(into: &writer)
        value.encode(into: &writer)
        let groups = VoteBundle.byBody(votes)
        writer.write(uint16: UInt16(groups.count))
        for (body, group) in groups {
            writer.write(bytes: VoteBundle.encoded(body: body, votes: group[...]))
        }
    }

    public static func decode(from reader: inout ByteReader) throws(WireError) -> DecidedSlot {
        let slot = try reader.readUInt64()
        let ballot = try Ballot.decode(from: &reader)
        let value = try DecisionValue.decode(from: &reader)
        let groups = Int(try reader.readUInt16())
        var votes: [SignedStatement] = []
        for _ in 0..<groups {
            votes.append(contentsOf: try VoteBundle.decode(from: &reader))
        }
        return DecidedSlot(slot: slot, ballot: ballot, value: value, votes: votes)
    }
}

extension AcceptorState {
    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 128)
        writer.write(uint64: slot)
        writer.write(uint32: highestRound)
        if let promised {
            writer.write(uint8: 1)
            promised.encode(into: &writer)
        } else {
            writer.write(uint8: 0)
        }
        QuorumMessage.AcceptedValue.encode(accepted, into: &writer)
        return writer.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(WireError) -> AcceptorState {
        var reader = ByteReader(bytes)
        let slot = try reader.readUInt64()
        let highestRound = try reader.readUInt32()
        let promised = try reader.readUInt8() == 1 ? try Ballot.decode(from: &reader) : nil
        let accepted = try QuorumMessage.AcceptedValue.decodeOptional(from: &reader)
        return AcceptorState(slot: slot, promised: promised, accepted: accepted, highestRound: highestRound)
    }
}
