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

    @Test("agents that disagree on the lease duration still run the tasks one at a time: the grant carries it")
    func disagreeingLeaseSettingsAgreeOnTheGrant() throws {
        // The runner asked for 60 s; acceptors restarted with the 10 s default must wait out the
        // granted 60 s, not their own 10 s, before a takeover (before the grant carried the
        // duration, this seed ran the tasks twice at once).
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
        func starts() -> Int { cluster.taskLog.filter { if case .started = $0.kind { true } else { false } }.count }
        #expect(starts() == 1, "a takeover before the granted 60 s: \(cluster.taskLog)")
        cluster.run(for: .seconds(60), observer: &checker)
        #expect(starts() == 2, "no takeover after the granted lease ran out: \(cluster.taskLog)")
        #expect(checker.violations.isEmpty, "\(checker.violations)")
    }
}
