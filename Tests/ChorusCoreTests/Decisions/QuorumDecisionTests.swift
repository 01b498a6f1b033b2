import ChorusCore
import ChorusWire
import Testing

@Suite("Decisions by a leaderless majority quorum")
struct QuorumDecisionTests {
    /// Five engines, founded by node 0, every other node admitted as a voter.
    static func formedCluster(count: Int = 5) -> DecisionHarness {
        var harness = DecisionHarness(count: count)
        harness.run(for: .seconds(20))
        return harness
    }

    @Test("the founder admits every compatible member, and all logs agree")
    func foundingAndAdmission() {
        let harness = Self.formedCluster()
        for engine in harness.engines {
            #expect(engine!.agreed.voters.count == 5)
            #expect(engine!.agreed.clusterVersion == "1.0.0")
        }
        #expect(harness.logsAgree)
        // Found, then one admission of the four members the founder saw alive together.
        #expect(harness.logs.allSatisfy { $0.count == 2 })
        #expect(harness.logs.first?.last == .admit(Array(harness.ids[1...]).sorted()))
    }

    @Test("any node's command commits at every node")
    func commandFromAnyNode() {
        var harness = Self.formedCluster()
        harness.submit(.startUpgrade, at: 3, requestID: 1)
        harness.run(for: .seconds(1))
        guard case .committed(_, .startUpgrade) = harness.outcomes[1] else {
            Issue.record("start not committed: \(String(describing: harness.outcomes[1]))")
            return
        }
        for index in 0..<5 { #expect(harness.state(at: index) == .readyToUpgrade) }
    }

    @Test("a minority partition decides nothing; the majority side does")
    func minorityCannotDecide() {
        var harness = Self.formedCluster()
        harness.submit(.startUpgrade, at: 0, requestID: 1)
        harness.run(for: .seconds(1))
        let before = harness.engines[0]!.log.count
        harness.partition([0, 1])
        harness.submit(.cancelUpgrade, at: 0, requestID: 2)
        harness.run(for: .seconds(6))
        #expect(harness.outcomes[2] == .noQuorum)
        for index in [0, 1] {
            #expect(harness.engines[index]!.log.count == before)
            #expect(harness.state(at: index) == .readyToUpgrade)
        }
        harness.submit(.cancelUpgrade, at: 3, requestID: 3)
        harness.run(for: .seconds(1))
        guard case .committed = harness.outcomes[3] else {
            Issue.record("the majority side must decide: \(String(describing: harness.outcomes[3]))")
            return
        }
        harness.heal()
        harness.run(for: .seconds(3))
        #expect(harness.logsAgree)
        for index in 0..<5 { #expect(harness.state(at: index) == .stable) }
    }

    @Test("a majority decides while two voters are down; they learn it when they return")
    func majorityDecidesWithVotersDown() {
        var harness = Self.formedCluster()
        harness.submit(.startUpgrade, at: 2, requestID: 1)
        harness.run(for: .seconds(1))
        harness.crash(0)
        harness.crash(1)
        harness.versions[4] = "1.1.0"
        harness.submit(.cancelUpgrade, at: 3, requestID: 2)
        harness.run(for: .seconds(1))
        // Node 4 runs a newer version: cancel is refused by the state, not by the quorum.
        guard case .rejected(let reason) = harness.outcomes[2] else {
            Issue.record("cancel in MIXED must be rejected")
            return
        }
        #expect(reason.contains("MIXED"))
        harness.versions[4] = "1.0.0"
        harness.submit(.cancelUpgrade, at: 3, requestID: 3)
        harness.run(for: .seconds(1))
        guard case .committed = harness.outcomes[3] else {
            Issue.record("cancel with 3 of 5 voters must commit: \(String(describing: harness.outcomes[3]))")
            return
        }
        harness.boot(0)
        harness.boot(1)
        harness.run(for: .seconds(2))
        #expect(harness.logsAgree)
        #expect(harness.engines[0]!.agreed.phase == .stable)
        #expect(harness.engines[1]!.log.count == harness.engines[3]!.log.count)
    }

    @Test("two nodes approving at once give one approval, and both are told it committed")
    func concurrentApprovals() {
        var harness = Self.readyToRun()
        harness.submit(.approveUpgrade, at: 1, requestID: 10)
        harness.submit(.approveUpgrade, at: 4, requestID: 11)
        harness.run(for: .seconds(2))
        let approvals = harness.engines[0]!.log.filter { if case .approveUpgrade = $0.value { true } else { false } }
        #expect(approvals.count == 1)
        guard case .committed = harness.outcomes[10], case .committed = harness.outcomes[11] else {
            Issue.record("both approvals must report committed: \(harness.outcomes)")
            return
        }
        #expect(harness.logsAgree)
    }

    @Test("approve and cancel at once: exactly one wins everywhere, the other is rejected")
    func approveRacesCancel() {
        // Node 1 approves while every voter runs 1.1.0; in the same instant all are rolled back,
        // so node 2 sees READY_TO_UPGRADE and cancels. Both commands are valid where given.
        var harness = Self.readyToRun()
        harness.submit(.approveUpgrade, at: 1, requestID: 20)
        for index in 0..<5 { harness.versions[index] = "1.0.0" }
        harness.submit(.cancelUpgrade, at: 2, requestID: 21)
        harness.run(for: .seconds(3))
        let outcomes = [harness.outcomes[20], harness.outcomes[21]]
        let committed = outcomes.filter { if case .committed = $0 { true } else { false } }
        let rejected = outcomes.filter { if case .rejected = $0 { true } else { false } }
        #expect(committed.count == 1)
        #expect(rejected.count == 1)
        #expect(harness.logsAgree)
        let phases = Set(harness.engines.map { "\($0!.agreed.phase)" })
        #expect(phases.count == 1)
    }

    /// Five voters, upgrade started, everyone restarted on 1.1.0: READY_TO_RUN_UPGRADE_TASKS.
    static func readyToRun(settings: DecisionSettings = DecisionSettings()) -> DecisionHarness {
        var harness = DecisionHarness(count: 5, settings: settings)
        harness.run(for: .seconds(20))
        harness.submit(.startUpgrade, at: 0, requestID: 1)
        harness.run(for: .seconds(1))
        for index in 0..<5 {
            harness.versions[index] = "1.1.0"
            if index < 4 { #expect(harness.state(at: 0) == .mixed) }
        }
        for index in 0..<5 { #expect(harness.state(at: index) == .readyToRunUpgradeTasks) }
        return harness
    }
}
