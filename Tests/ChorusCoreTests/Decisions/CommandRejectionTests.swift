import ChorusCore
import ChorusWire
import Testing

@Suite("Commands the state forbids are rejected with a reason (409)")
struct CommandRejectionTests {
    private func rejection(_ command: OperatorCommand, in harness: inout DecisionHarness, at node: Int = 1) -> String? {
        let requestID = UInt64(harness.outcomes.count + 100)
        harness.submit(command, at: node, requestID: requestID)
        if case .rejected(let reason) = harness.outcomes[requestID] { return reason }
        return nil
    }

    @Test("in STABLE: approve, cancel and retry are rejected; start is not")
    func stable() {
        var harness = QuorumDecisionTests.formedCluster()
        #expect(rejection(.approveUpgrade, in: &harness)?.contains("READY_TO_RUN_UPGRADE_TASKS") == true)
        #expect(rejection(.cancelUpgrade, in: &harness)?.contains("READY_TO_UPGRADE") == true)
        #expect(rejection(.retryUpgrade, in: &harness)?.contains("UPGRADE_TASKS_FAILED") == true)
        #expect(rejection(.startUpgrade, in: &harness) == nil)
    }

    @Test("start needs every voter alive and on the cluster version")
    func startPreconditions() {
        var harness = QuorumDecisionTests.formedCluster()
        harness.crash(4)
        #expect(rejection(.startUpgrade, in: &harness)?.contains("not alive") == true)
        harness.boot(4)
        harness.versions[3] = "1.0.1"
        #expect(rejection(.startUpgrade, in: &harness)?.contains("runs 1.0.1") == true)
    }

    @Test("in upgrade mode: a second start is rejected; cancel in MIXED is rejected")
    func upgradeMode() {
        var harness = QuorumDecisionTests.formedCluster()
        harness.submit(.startUpgrade, at: 0, requestID: 1)
        harness.run(for: .seconds(1))
        #expect(rejection(.startUpgrade, in: &harness)?.contains("already in progress") == true)
        harness.versions[2] = "1.1.0"
        #expect(rejection(.cancelUpgrade, in: &harness)?.contains("MIXED") == true)
        #expect(rejection(.approveUpgrade, in: &harness)?.contains("MIXED") == true)
    }

    @Test("a dead voter blocks READY_TO_RUN_UPGRADE_TASKS until it is removed")
    func deadVoterBlocks() {
        var harness = QuorumDecisionTests.formedCluster()
        harness.submit(.startUpgrade, at: 0, requestID: 1)
        harness.run(for: .seconds(1))
        harness.crash(4)
        for index in 0..<4 { harness.versions[index] = "1.1.0" }
        #expect(harness.state(at: 0) == .mixed)
        #expect(rejection(.approveUpgrade, in: &harness)?.contains("not alive") == true)
        #expect(rejection(.removeMember(harness.ids[3], keepKey: true), in: &harness)?.contains("is alive") == true)
        harness.submit(.removeMember(harness.ids[4], keepKey: true), at: 2, requestID: 2)
        harness.run(for: .seconds(1))
        guard case .committed = harness.outcomes[2] else {
            Issue.record("removing a dead voter must commit: \(String(describing: harness.outcomes[2]))")
            return
        }
        #expect(harness.engines[0]!.agreed.voters.count == 4)
        #expect(harness.state(at: 0) == .readyToRunUpgradeTasks)
    }

    @Test("a member on another major version, or older than the cluster, is never admitted")
    func incompatibleStaysNonVoter() {
        var harness = DecisionHarness(count: 4)
        harness.versions[2] = "2.0.0"
        harness.versions[3] = "0.9.0"
        harness.boot(2)
        harness.boot(3)
        harness.run(for: .seconds(20))
        #expect(harness.engines[0]!.agreed.voters.count == 2)
        #expect(harness.engines[0]!.agreed.isVoter(harness.ids[2]) == false)
        #expect(SemanticVersion.incompatibility(of: "2.0.0", clusterVersion: "1.0.0")?.contains("major") == true)
        #expect(SemanticVersion.incompatibility(of: "1.1.9", clusterVersion: "1.2.0")?.contains("older") == true)
        #expect(SemanticVersion.incompatibility(of: "1.3.0", clusterVersion: "1.2.0") == nil)
    }
}

@Suite("Durability of votes")
struct VoteDurabilityTests {
    @Test("a restarted acceptor keeps its promise: it refuses a lower ballot it would otherwise accept")
    func promiseSurvivesRestart() {
        var harness = QuorumDecisionTests.formedCluster()
        let slot = harness.engines[3]!.nextSlot
        let high = Ballot(round: 50, proposer: harness.ids[0])
        let low = Ballot(round: 40, proposer: harness.ids[1])
        harness.handle(harness.engines[3]!.receive(.prepare(slot: slot, ballot: high), from: harness.ids[0], now: harness.now), at: 3)
        harness.crash(3)
        harness.boot(3)
        let effects = harness.engines[3]!.receive(.accept(slot: slot, ballot: low, value: .startUpgrade),
                                                  from: harness.ids[1], now: harness.now)
        #expect(effects.contains(.send([QuorumMessage.refuse(slot: slot, promised: high, nextSlot: slot).record], to: harness.ids[1])))
        #expect(!effects.contains { if case .effect(.persistAcceptor) = $0 { true } else { false } })
    }

    @Test("a restarted node keeps its log and never proposes below a round it used")
    func logAndRoundsSurviveRestart() {
        var harness = QuorumDecisionTests.formedCluster()
        harness.submit(.startUpgrade, at: 2, requestID: 1)
        harness.run(for: .seconds(1))
        let round = harness.durable[2].acceptor!.highestRound
        let log = harness.engines[2]!.log
        harness.crash(2)
        harness.boot(2)
        #expect(harness.engines[2]!.log == log)
        harness.submit(.cancelUpgrade, at: 2, requestID: 2)
        #expect(harness.durable[2].acceptor!.highestRound > round)
    }
}
