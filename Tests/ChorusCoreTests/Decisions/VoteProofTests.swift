import ChorusCore
import ChorusWire
import Testing

@Suite("Proofs travel as vote bundles, every vote checked on its own")
struct VoteProofTests {
    /// A node that missed a decision, and the decision's proof as the proposer holds it.
    static func laggingNode() throws -> (DecisionHarness, DecidedSlot) {
        var harness = QuorumDecisionTests.formedCluster()
        harness.crash(4)
        harness.submit(.startMaintenance(message: "backup"), at: 1, requestID: 1)
        harness.run(for: .seconds(1))
        let decided = try #require(harness.engines[1]?.log.last)
        #expect(decided.value == .maintenanceOn(message: "backup"))
        harness.boot(4)
        #expect(harness.engines[4]?.nextSlot == decided.slot)
        return (harness, decided)
    }

    /// Delivers `votes` to node 4 the way the wire does, and returns its next undecided slot.
    static func deliver(_ votes: [SignedStatement], to harness: inout DecisionHarness) throws -> UInt64? {
        for record in VoteBundle.records(of: votes) {
            _ = harness.engines[4]?.receive(votes: try VoteBundle.decode(record.value), from: harness.ids[1], now: harness.now)
        }
        return harness.engines[4]?.nextSlot
    }

    @Test("a proposer behind the log is refused by every voter, fetches the proofs from one, and commits next")
    func proposerBehindCatchesUpFromOne() throws {
        var (harness, decided) = try Self.laggingNode()
        harness.sent = []
        harness.submit(.startMaintenance(message: "longer window"), at: 4, requestID: 2)
        harness.run(for: .seconds(2))
        guard case .committed(let slot, .maintenanceOn("longer window")) = harness.outcomes[2] else {
            Issue.record("the new message was not committed: \(String(describing: harness.outcomes[2]))")
            return
        }
        #expect(slot == decided.slot + 1)
        let proofSenders = Set(harness.sent.filter { batch in
            batch.to == 4 && batch.records.contains { record in
                record.type == RecordType.votes.rawValue
                    && (try? VoteBundle.decode(record.value).first.map { try Vote.decode($0.body).slot }) == decided.slot
            }
        }.map(\.from))
        #expect(proofSenders.count == 1, "proofs came to the late proposer from \(proofSenders)")
    }

    @Test("one broken signature leaves a bare quorum short, and nothing is adopted")
    func brokenSignature() throws {
        var (harness, decided) = try Self.laggingNode()
        var votes = decided.votes
        votes[0].signature[0] ^= 1
        #expect(try Self.deliver(votes, to: &harness) == decided.slot)
    }

    @Test("real signatures under another value's body prove nothing")
    func swappedBody() throws {
        var (harness, decided) = try Self.laggingNode()
        let otherBody = Vote(slot: decided.slot, ballot: decided.ballot, value: .maintenanceOff).encoded
        let votes = decided.votes.map { SignedStatement(kind: $0.kind, origin: $0.origin, body: otherBody, signature: $0.signature) }
        #expect(try Self.deliver(votes, to: &harness) == decided.slot)
    }

    @Test("the intact proof, split over records, is adopted")
    func intactProof() throws {
        var (harness, decided) = try Self.laggingNode()
        #expect(try Self.deliver(decided.votes, to: &harness) == decided.slot + 1)
        #expect(harness.engines[4]?.log.last == decided)
    }
}
