import ChorusCore
import ChorusWire
import Testing

/// Revocation as quorum decisions (SPEC §2, issue 15): a revoked key proposes nothing, removal
/// revokes unless the key is kept, and operator credentials are revoked by name up to a moment.
@Suite struct RevocationDecisionTests {
    static func revokedFifth() -> DecisionHarness {
        var harness = QuorumDecisionTests.formedCluster()
        harness.submit(.revokeMember(harness.ids[4]), at: 0, requestID: 1)
        harness.run(for: .seconds(1))
        return harness
    }

    @Test func aRevokedMemberIsOutEverywhereAndAfterARestart() {
        var harness = Self.revokedFifth()
        guard case .committed(_, .revoke(harness.ids[4])) = harness.outcomes[1] else {
            Issue.record("the revocation must commit: \(String(describing: harness.outcomes[1]))")
            return
        }
        for engine in harness.engines {
            #expect(engine!.agreed.revoked == [harness.ids[4]])
            #expect(!engine!.agreed.voters.contains(harness.ids[4]))
        }
        harness.crash(1)
        harness.boot(1)
        #expect(harness.engines[1]!.agreed.revoked == [harness.ids[4]], "replayed from the durable log")
    }

    /// The attacker holds the revoked key and writes Paxos messages by hand, with a ballot above
    /// any the cluster used, for the next free slot.
    @Test func noAcceptorAnswersOrStoresARevokedKeysProposal() {
        var harness = Self.revokedFifth()
        let slot = harness.engines[0]!.nextSlot
        let ballot = Ballot(round: 1_000, proposer: harness.ids[4])
        for message in [QuorumMessage.prepare(slot: slot, ballot: ballot),
                        .accept(slot: slot, ballot: ballot, value: .maintenanceOn(message: "owned"))] {
            for acceptor in 0..<4 {
                let effects = harness.engines[acceptor]!.receive(message, from: harness.ids[4], now: harness.now)
                #expect(effects.isEmpty, "acceptor \(acceptor) answered or stored \(message): \(effects)")
            }
        }
        harness.run(for: .seconds(2))
        #expect(harness.engines[0]!.agreed.maintenanceMessage == nil)
    }

    @Test func theRevokedNodeRefusesCommandsGivenToIt() {
        var harness = Self.revokedFifth()
        harness.submit(.startMaintenance(message: "from a removed host"), at: 4, requestID: 2)
        guard case .rejected(let reason) = harness.outcomes[2] else {
            Issue.record("a removed node's command must be refused: \(String(describing: harness.outcomes[2]))")
            return
        }
        #expect(reason.contains("removed from the cluster"))
    }

    @Test func removalRevokesUnlessTheKeyIsKept() {
        var harness = QuorumDecisionTests.formedCluster()
        harness.crash(3)
        harness.crash(4)
        harness.submit(.removeMember(harness.ids[3], keepKey: true), at: 0, requestID: 1)
        harness.run(for: .seconds(1))
        harness.submit(.removeMember(harness.ids[4], keepKey: false), at: 0, requestID: 2)
        harness.run(for: .seconds(1))
        let agreed = harness.engines[0]!.agreed
        #expect(agreed.voters.count == 3)
        #expect(agreed.revoked == [harness.ids[4]])
        harness.submit(.revokeMember(harness.ids[3]), at: 1, requestID: 3)
        harness.run(for: .seconds(1))
        #expect(harness.engines[0]!.agreed.revoked == [harness.ids[3], harness.ids[4]], "a kept key can be revoked later")
    }

    @Test func aNodeCannotRevokeItself() {
        var harness = QuorumDecisionTests.formedCluster()
        harness.submit(.revokeMember(harness.ids[2]), at: 2, requestID: 1)
        guard case .rejected(let reason) = harness.outcomes[1] else {
            Issue.record("self-revocation must be refused: \(String(describing: harness.outcomes[1]))")
            return
        }
        #expect(reason.contains("cannot revoke itself"))
    }

    @Test func operatorCredentialsAreRevokedUpToAMoment() {
        var harness = QuorumDecisionTests.formedCluster()
        harness.submit(.revokeOperator(name: "alice", issuedBefore: 1_000), at: 1, requestID: 1)
        harness.run(for: .seconds(1))
        for engine in harness.engines {
            #expect(engine!.agreed.hasRevokedOperator("alice", issuedAt: 1_000))
            #expect(!engine!.agreed.hasRevokedOperator("alice", issuedAt: 1_001), "issued anew after the revocation")
            #expect(!engine!.agreed.hasRevokedOperator("bob", issuedAt: 1))
        }
        harness.submit(.revokeOperator(name: "alice", issuedBefore: 500), at: 2, requestID: 2)
        guard case .rejected(let reason) = harness.outcomes[2] else {
            Issue.record("an earlier moment revokes nothing more: \(String(describing: harness.outcomes[2]))")
            return
        }
        #expect(reason.contains("already revoked"))
    }
}
