import ChorusCore
import ChorusWire
import Testing

@Suite("Upgrade tasks under a fenced lease")
struct UpgradeTaskTests {
    private func starts(_ harness: DecisionHarness) -> [(node: Int, at: Instant, assignment: TaskAssignment)] {
        harness.taskLog.compactMap { entry in
            if case .startTasks(let assignment) = entry.effect { return (entry.node, entry.at, assignment) }
            return nil
        }
    }

    @Test("approve → one node runs the tasks → success makes the cluster STABLE on the new version")
    func tasksRunOnceAndFinish() {
        var harness = QuorumDecisionTests.readyToRun()
        harness.submit(.approveUpgrade, at: 2, requestID: 5)
        harness.run(for: .seconds(2))
        for index in 0..<5 { #expect(harness.state(at: index) == .runningUpgradeTasks) }
        let started = starts(harness)
        #expect(started.count == 1)
        guard let runner = started.first else { return }
        #expect(runner.assignment.fromVersion == "1.0.0")
        #expect(runner.assignment.toVersion == "1.1.0")
        #expect(runner.assignment.attempt == 1)
        harness.run(for: .seconds(12)) // beyond one lease: renewals keep it
        #expect(starts(harness).count == 1)
        harness.tasksEnded(at: runner.node, term: runner.assignment.term, failure: nil)
        harness.run(for: .seconds(1))
        for index in 0..<5 {
            #expect(harness.state(at: index) == .stable)
            #expect(harness.engines[index]!.agreed.clusterVersion == "1.1.0")
        }
        #expect(harness.logsAgree)
    }

    @Test("the runner dies: another node takes over after the lease, and only after the old one stopped")
    func runnerDeathMovesTasks() {
        var harness = QuorumDecisionTests.readyToRun()
        harness.submit(.approveUpgrade, at: 2, requestID: 5)
        harness.run(for: .seconds(1))
        guard let first = starts(harness).first else {
            Issue.record("no runner started")
            return
        }
        // Cut the runner off (it keeps running, as a partitioned host would).
        harness.partition([first.node])
        harness.run(for: .seconds(15))
        let all = starts(harness)
        #expect(all.count == 2)
        guard all.count == 2 else { return }
        let second = all[1]
        #expect(second.node != first.node)
        #expect(second.assignment.attempt == 2)
        #expect(second.assignment.term > first.assignment.term)
        let stop = harness.taskLog.first { $0.node == first.node && $0.effect == .stopTasks(term: first.assignment.term) }
        #expect(stop != nil)
        if let stop { #expect(stop.at < second.at) }
        #expect(second.at - first.at <= harness.settings.leaseDuration + .seconds(1) + .seconds(1))
        // The old runner's late success is fenced off; the new runner's counts.
        harness.heal()
        harness.tasksEnded(at: first.node, term: first.assignment.term, failure: nil)
        harness.run(for: .seconds(1))
        #expect(harness.state(at: 0) == .runningUpgradeTasks)
        harness.tasksEnded(at: second.node, term: second.assignment.term, failure: nil)
        harness.run(for: .seconds(1))
        for index in 0..<5 { #expect(harness.state(at: index) == .stable) }
        let finishes = harness.engines[0]!.log.filter { if case .finishTasks = $0.value { true } else { false } }
        #expect(finishes.count == 1)
        #expect(harness.logsAgree)
    }

    @Test("failed tasks → UPGRADE_TASKS_FAILED with the reason; retry → READY_TO_RUN_UPGRADE_TASKS")
    func failureAndRetry() {
        var harness = QuorumDecisionTests.readyToRun()
        harness.submit(.approveUpgrade, at: 0, requestID: 5)
        harness.run(for: .seconds(1))
        guard let runner = starts(harness).first else {
            Issue.record("no runner started")
            return
        }
        harness.tasksEnded(at: runner.node, term: runner.assignment.term, failure: "exit 3: schema busy")
        harness.run(for: .seconds(1))
        let status = UpgradeStatus.derive(harness.engines[4]!.agreed, members: harness.view(of: 4))
        #expect(status.state == .upgradeTasksFailed)
        #expect(status.waitingFor == "exit 3: schema busy")
        #expect(harness.engines[4]!.agreed.clusterVersion == "1.0.0")
        harness.submit(.retryUpgrade, at: 3, requestID: 6)
        harness.run(for: .seconds(1))
        for index in 0..<5 { #expect(harness.state(at: index) == .readyToRunUpgradeTasks) }
    }
}

@Suite("A lease value carried forward by another proposer")
struct CarriedLeaseTests {
    @Test("the runner starts its tasks when another node's ballot decides its grant")
    func grantDecidedUnderAnotherBallot() {
        var settings = DecisionSettings()
        settings.automaticGrace = .seconds(60) // only the first in line proposes a grant
        var harness = QuorumDecisionTests.readyToRun(settings: settings)
        let first = harness.index(of: harness.engines[0]!.agreed.voters[0])
        let keeper = (first + 1) % 5
        harness.submit(.approveUpgrade, at: keeper, requestID: 1)
        // Step until the first in line sends its accepts; let only `keeper` receive them.
        var cut = false
        for _ in 0..<200 where !cut {
            let accepts = harness.queue.indices.filter { index in
                harness.queue[index].from == first
                    && harness.queue[index].records.contains { $0.type == RecordType.accept.rawValue }
            }
            if !accepts.isEmpty {
                harness.queue = harness.queue.enumerated().filter { index, entry in
                    !accepts.contains(index) || entry.to == keeper
                }.map(\.element)
                harness.run(for: .milliseconds(10)) // the keeper accepts; its vote is queued
                harness.partition([first])          // and lost, with every other message of `first`
                cut = true
            } else {
                harness.run(for: .milliseconds(10))
            }
        }
        #expect(cut, "the first in line never proposed a grant")
        harness.run(for: .seconds(3)) // the keeper's recovery decides the grant under its own ballot
        harness.heal()
        harness.run(for: .seconds(1))
        let decided = harness.engines[keeper]!.log.last { if case .grantLease = $0.value { true } else { false } }
        guard let decided, case .grantLease(let runner, _, _) = decided.value else {
            Issue.record("no grant decided")
            return
        }
        #expect(runner == harness.ids[first])
        #expect(decided.ballot.proposer != harness.ids[first])
        let started = harness.taskLog.contains { $0.node == first && { if case .startTasks = $0 { true } else { false } }($0.effect) }
        #expect(started, "the runner named by the decided grant never started its tasks")
    }
}

@Suite("Automatic approval")
struct AutoApproveTests {
    @Test("with auto_approve, READY_TO_RUN_UPGRADE_TASKS moves on to the tasks by itself")
    func approvesWhenReady() {
        var settings = DecisionSettings()
        settings.autoApprove = true
        var harness = QuorumDecisionTests.readyToRun(settings: settings)
        harness.run(for: .seconds(1))
        for index in 0..<5 { #expect(harness.state(at: index) == .runningUpgradeTasks) }
        let approvals = harness.engines[0]!.log.filter { if case .approveUpgrade = $0.value { true } else { false } }
        #expect(approvals.count == 1)
    }

    @Test("without it (the default), the cluster waits for an operator")
    func waitsByDefault() {
        var harness = QuorumDecisionTests.readyToRun()
        harness.run(for: .seconds(5))
        for index in 0..<5 { #expect(harness.state(at: index) == .readyToRunUpgradeTasks) }
    }
}
