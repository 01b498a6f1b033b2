/// A Paxos ballot: a round number made unique by the proposer's id. Ordered by round, then id,
/// so two proposers never share a ballot and every proposer can always pick a higher one.
public struct Ballot: Sendable, Hashable, Comparable, CustomStringConvertible {
    public static let encodedSize = 4 + NodeID.byteCount

    public var round: UInt32
    public var proposer: NodeID

    public init(round: UInt32, proposer: NodeID) {
        self.round = round
        self.proposer = proposer
    }

    public static func < (lhs: Ballot, rhs: Ballot) -> Bool {
        (lhs.round, lhs.proposer) < (rhs.round, rhs.proposer)
    }

    public var description: String { "\(round).\(proposer.short.prefix(6))" }

    public func encode(into writer: inout ByteWriter) {
        writer.write(uint32: round)
        writer.write(proposer)
    }

    public static func decode(from reader: inout ByteReader) throws(WireError) -> Ballot {
        let round = try reader.readUInt32()
        return Ballot(round: round, proposer: try reader.readNodeID())
    }
}
