import ChorusWire
import Testing

@Suite struct VoteBundleTests {
    static func vote(body: [UInt8], voter: UInt8) -> SignedStatement {
        SignedStatement(kind: SignedStatement.Kind.vote.rawValue, origin: NodeID(bytes: [UInt8](repeating: voter, count: 32))!,
                        body: body, signature: [UInt8](repeating: voter &+ 1, count: 64))
    }

    static let longBody = [UInt8](repeating: 0xAB, count: 494)

    @Test func aProofSplitsIntoRecordsThatFitTheBudgetAndDecodeToTheSameVotes() throws {
        let votes = (1...40).map { Self.vote(body: Self.longBody, voter: $0) }
        let records = VoteBundle.records(of: votes)
        #expect(records.count > 1)
        #expect(records.allSatisfy { $0.type == RecordType.votes.rawValue && $0.encodedSize <= VoteBundle.datagramBudget + 3 })
        let decoded = try records.flatMap { try VoteBundle.decode($0.value) }
        #expect(decoded == votes)
        // The body is sent once per record, not once per vote: under 40% of the votes as statements.
        let bundled = records.reduce(0) { $0 + $1.encodedSize }
        let asStatements = votes.reduce(0) { $0 + $1.record.encodedSize }
        #expect(bundled * 5 < asStatements * 2, "\(bundled) B bundled, \(asStatements) B as statements")
    }

    @Test func decodedVotesShareOneBodyBuffer() throws {
        let votes = (1...5).map { Self.vote(body: Self.longBody, voter: $0) }
        let decoded = try VoteBundle.decode(VoteBundle.records(of: votes)[0].value)
        let addresses = Set(decoded.map { $0.body.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) } })
        #expect(addresses.count == 1)
    }

    @Test func votesOfDifferentBodiesTravelInSeparateRecordsInFirstSeenOrder() throws {
        let votes = [Self.vote(body: [1, 2], voter: 1), Self.vote(body: [3], voter: 2), Self.vote(body: [1, 2], voter: 3)]
        let records = VoteBundle.records(of: votes)
        #expect(records.count == 2)
        #expect(try records.flatMap { try VoteBundle.decode($0.value) }.map(\.origin) == [votes[0], votes[2], votes[1]].map(\.origin))
    }

    @Test func everyTruncationIsRejected() {
        let value = VoteBundle.records(of: (1...3).map { Self.vote(body: [9, 9, 9], voter: $0) })[0].value
        for length in 0..<value.count {
            #expect(throws: WireError.self, "\(length) bytes") { try VoteBundle.decode(Array(value.prefix(length))) }
        }
    }

    @Test func anOversizedBodyAnEmptyBundleAndACountPastTheBytesAreRejected() {
        let oversized = VoteBundle.encoded(body: [UInt8](repeating: 0, count: SignedStatement.maxBodySize + 1),
                                           votes: [Self.vote(body: [], voter: 1)][...])
        #expect(throws: WireError.self) { try VoteBundle.decode(oversized) }
        #expect(throws: WireError.self) { try VoteBundle.decode([0, 1, 7, 0, 0]) }
        #expect(throws: WireError.self) { try VoteBundle.decode([0, 1, 7, 0xFF, 0xFF] + [UInt8](repeating: 0, count: 96)) }
    }
}
