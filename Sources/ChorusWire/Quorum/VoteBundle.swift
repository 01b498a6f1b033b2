/// How votes travel and are stored: the signed vote body once, then each voter's id and
/// signature. Every vote in a proof signs the same body, so repeating it per vote (a 14-member
/// admission is 494 bytes) made proofs three times larger, on the wire, on disk and in every
/// member's memory. Each vote still verifies on its own: the receiver rebuilds
/// the statement `kind vote | origin | body` that the voter signed.
///
/// Layout: body length u16 | body | count u16 | (origin 32 | signature 64) × count.
public enum VoteBundle {
    static let perVoteSize = NodeID.byteCount + SignatureSizes.signature

    /// Room for one bundle record in a datagram that also carries the exchange record and may
    /// carry the sender's certificate and be sealed.
    public static let datagramBudget = Datagram.defaultMaxSize - SealedFrame.overhead - Datagram.overhead
        - Exchange.encodedSize - Certificate.encodedSizeBound - 3

    /// The votes as `votes` records, each holding as many votes of one body as fit
    /// `datagramBudget` (at least one).
    public static func records(of votes: [SignedStatement]) -> [Record] {
        var records: [Record] = []
        for (body, group) in byBody(votes) {
            let perRecord = max(1, (datagramBudget - 4 - body.count) / perVoteSize)
            var start = 0
            while start < group.count {
                let end = min(group.count, start + perRecord)
                records.append(Record(type: RecordType.votes.rawValue, value: encoded(body: body, votes: group[start..<end])))
                start = end
            }
        }
        return records
    }

    /// The votes grouped by the body they sign, in order of first appearance: one group for a
    /// proof, unless voters of different protocol versions signed different bytes.
    public static func byBody(_ votes: [SignedStatement]) -> [(body: [UInt8], votes: [SignedStatement])] {
        // A linear search, not a hash: there is almost always one group, and comparing arrays
        // that share a buffer costs nothing while hashing a body costs every byte.
        var groups: [(body: [UInt8], votes: [SignedStatement])] = []
        for vote in votes {
            if let index = groups.firstIndex(where: { $0.body == vote.body }) {
                groups[index].votes.append(vote)
            } else {
                groups.append((vote.body, [vote]))
            }
        }
        return groups
    }

    /// A bundle's bytes; every one of `votes` must sign `body`.
    public static func encoded(body: [UInt8], votes: ArraySlice<SignedStatement>) -> [UInt8] {
        var writer = ByteWriter(capacity: 4 + body.count + votes.count * perVoteSize)
        writer.write(uint16: UInt16(body.count))
        writer.write(bytes: body)
        writer.write(uint16: UInt16(votes.count))
        for vote in votes {
            writer.write(vote.origin)
            writer.write(bytes: vote.signature)
        }
        return writer.bytes
    }

    /// The votes as statements (unverified), all sharing one body buffer. Bounded like every
    /// decode: the body by a statement's limit, the count by the bytes that are really there.
    public static func decode(_ value: [UInt8]) throws(WireError) -> [SignedStatement] {
        var reader = ByteReader(value)
        return try decode(from: &reader)
    }

    public static func decode(from reader: inout ByteReader) throws(WireError) -> [SignedStatement] {
        let length = Int(try reader.readUInt16())
        guard length <= SignedStatement.maxBodySize else { throw .invalidField("vote body of \(length) bytes") }
        let body = try reader.readBytes(count: length)
        let count = Int(try reader.readUInt16())
        guard count >= 1 else { throw .invalidField("a vote bundle without votes") }
        guard count * perVoteSize <= reader.remaining else { throw .truncated }
        var votes: [SignedStatement] = []
        votes.reserveCapacity(count)
        for _ in 0..<count {
            let origin = try reader.readNodeID()
            let signature = try reader.readBytes(count: SignatureSizes.signature)
            votes.append(SignedStatement(kind: SignedStatement.Kind.vote.rawValue, origin: origin, body: body,
                                         signature: signature))
        }
        return votes
    }
}
