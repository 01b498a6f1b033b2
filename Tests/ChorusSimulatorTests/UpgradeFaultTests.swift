import ChorusCore
import ChorusSimulator
import Testing

/// Upgrades under random faults hold SPEC §11.2 and §11.4, and the task checks catch a runner
/// that keeps running past the lease the others count.
@Suite struct UpgradeFaultTests {
    @Test("random faults with upgrades on 5-25 nodes break no invariant", arguments: 1...6 as ClosedRange<UInt64>)
    func invariantsHold(seed: UInt64) {
        var plan = RandomFaultRun(seed: seed, nodes: 5 + Int(seed * 7 % 21), duration: .seconds(20))
        plan.upgrades = true
        let result = plan.run()
        #expect(result.violations.isEmpty, "\(result.violations.map(\.description).joined(separator: "\n"))")
        #expect(result.faults[.start, default: 0] >= 1, "seed \(seed): the operator never started an upgrade")
        #expect(result.checks[.transitions, default: 0] >= 1)
    }

    /// A 5-node cluster ready to run the upgrade tasks to 1.1.0, approved at node 1, with tasks
    /// that take 30 s; returns the runner once it started.
    private func approved(seed: UInt64, checker: inout InvariantChecker,
                          decisions: DecisionSettings = DecisionSettings()) -> (SimulatedCluster, Int)? {
        var cluster = SimulatedCluster(size: 5, seed: seed)
        cluster.taskDuration = .seconds(30)
        for index in 0..<5 { cluster.configure(index, decisions: decisions) }
        cluster.run(for: .seconds(8), observer: &checker)
        cluster.submit(.startUpgrade, at: 0, observer: &checker)
        cluster.run(for: .seconds(1), observer: &checker)
        for index in 0..<5 {
            cluster.crash(index)
            cluster.restart(index, appVersion: "1.1.0", observer: &checker)
            cluster.run(for: .seconds(2), observer: &checker)
        }
        cluster.submit(.approveUpgrade, at: 0, observer: &checker)
        cluster.run(for: .seconds(1), observer: &checker)
        guard let runner = cluster.taskRunners.first else { return nil }
        return (cluster, runner)
    }

    @Test("a runner cut off stops before another takes over: one runner at a time")
    func cutOffRunnerStopsInTime() throws {
        var checker = InvariantChecker(settings: .lan, clusterSize: 5)
        var (cluster, runner) = try #require(approved(seed: 3, checker: &checker))
        cluster.network.partition([runner], from: (0..<5).filter { $0 != runner })
        cluster.run(for: .seconds(20), observer: &checker)
        let starts = cluster.taskLog.filter { if case .started = $0.kind { true } else { false } }
        #expect(starts.count == 2, "another node took over: \(cluster.taskLog)")
        #expect(checker.violations.isEmpty, "\(checker.violations)")
    }

    @Test("agents that disagree on the lease duration are caught running the tasks twice at once (seed 3)")
    func disagreeingLeaseIsCaught() throws {
        // The runner counts its lease by its own setting, the acceptors wait out theirs: a runner
        // configured with 60 s, cut off among acceptors restarted with 10 s, runs on after they
        // granted the lease to another. (With the same setting everywhere, the test above holds.)
        var checker = InvariantChecker(settings: .lan, clusterSize: 5)
        var long = DecisionSettings()
        long.leaseDuration = .seconds(60)
        var (cluster, runner) = try #require(approved(seed: 3, checker: &checker, decisions: long))
        for index in 0..<5 where index != runner {
            cluster.configure(index, decisions: DecisionSettings())
            cluster.crash(index)
            cluster.restart(index, observer: &checker)
            cluster.run(for: .milliseconds(500), observer: &checker)
        }
        cluster.network.partition([runner], from: (0..<5).filter { $0 != runner })
        cluster.run(for: .seconds(20), observer: &checker)
        let caught = checker.violations.filter { $0.invariant == .tasks }
        #expect(!caught.isEmpty, "the overlapping runners went unnoticed")
        #expect(caught.first?.description.hasPrefix("seed 3 step ") == true)
        #expect(caught.first?.detail.contains("run the upgrade tasks at once") == true)
    }
}
