import ChorusWire

/// Runs one record value through every decoder the core uses, and checks that whatever decodes
/// encodes back to the same value: a value that changes on its way through a relay would make
/// signatures over re-encoded bytes fail, or two nodes disagree on what was said.
enum RecordDecoders {
    private static let quorumTypes: [RecordType] = [.prepare, .promise, .accept, .refuse, .catchUp]

    static func exercise(_ record: Record) {
        let value = record.value
        if let ping = try? Ping.decode(value) { roundTrip(ping, { $0.record.value }, Ping.decode) }
        if let reply = try? ProbeReply.decode(value) {
            roundTrip(reply, { $0.record(.ack).value }, ProbeReply.decode)
        }
        if let request = try? PingRequest.decode(value) { roundTrip(request, { $0.record.value }, PingRequest.decode) }
        if let digest = try? Digest.decode(value) { roundTrip(digest, { $0.record.value }, Digest.decode) }
        if let certificate = try? Certificate.decode(value) {
            roundTrip(certificate, { $0.encoded }, Certificate.decode)
        }
        if let votes = try? VoteBundle.decode(value) { exerciseVotes(votes) }
        if let grant = try? KeyringGrant.decode(value) { roundTrip(grant, { $0.encoded }, KeyringGrant.decode) }
        for type in quorumTypes {
            guard let message = try? QuorumMessage.decode(Record(type: type.rawValue, value: value)) else { continue }
            let again = try? QuorumMessage.decode(message.record)
            precondition(again == message, "quorum message changed on re-encoding: \(message)")
        }
        if let statement = try? SignedStatement.decode(value) {
            roundTrip(statement, { $0.record.value }, SignedStatement.decode)
            exerciseBody(statement.body)
        }
        // A statement body arrives only inside a statement; decoding the bare value as one too
        // lets the fuzzer reach the body decoders without building the statement around it.
        exerciseBody(value)
        var reader = ByteReader(value)
        if let address = try? PeerAddress.decode(from: &reader) {
            var writer = ByteWriter()
            address.encode(into: &writer)
            var again = ByteReader(writer.bytes)
            precondition((try? PeerAddress.decode(from: &again)) == address, "address changed: \(address)")
        }
    }

    /// The bodies a signed statement carries: heartbeat, accusation (suspect, dead) and vote,
    /// whose value is a `DecisionValue`.
    static func exerciseBody(_ body: [UInt8]) {
        if let heartbeat = try? Heartbeat.decode(body) { roundTrip(heartbeat, { $0.encoded }, Heartbeat.decode) }
        if let accusation = try? Accusation.decode(body) { roundTrip(accusation, { $0.encoded }, Accusation.decode) }
        if let vote = try? Vote.decode(body) { roundTrip(vote, { $0.encoded }, Vote.decode) }
        var reader = ByteReader(body)
        if let value = try? DecisionValue.decode(from: &reader) {
            var again = ByteReader(value.encoded)
            precondition((try? DecisionValue.decode(from: &again)) == value, "decision value changed: \(value)")
        }
    }

    private static func exerciseVotes(_ votes: [SignedStatement]) {
        guard let first = votes.first else { preconditionFailure("a vote bundle decoded without votes") }
        let again = try? VoteBundle.decode(VoteBundle.encoded(body: first.body, votes: votes[...]))
        precondition(again == votes, "vote bundle changed on re-encoding")
        exerciseBody(first.body)
    }

    private static func roundTrip<Value: Equatable>(
        _ value: Value, _ encode: (Value) -> [UInt8], _ decode: ([UInt8]) throws(WireError) -> Value
    ) {
        precondition((try? decode(encode(value))) == value, "\(Value.self) changed on re-encoding: \(value)")
    }
}
