import ChorusCore
import ChorusSimulator
import Testing

/// In-process clusters of real cores on a seeded network. Every assertion message carries the
/// seed, so a failure replays exactly.
@Suite struct ClusterScenarioTests {
    static let seeds: [UInt64] = [1, 7, 42]

    /// Every running node sees every other running node with `status`.
    func everyone(in cluster: SimulatedCluster, sees subject: Int, as status: MemberStatus) -> Bool {
        (0..<cluster.size).allSatisfy { observer in
            observer == subject || !cluster.isRunning(observer) || cluster.status(of: subject, seenBy: observer) == status
        }
    }

    func runUntil(_ cluster: inout SimulatedCluster, within bound: Duration, _ condition: (SimulatedCluster) -> Bool) -> Duration? {
        let start = cluster.now
        while cluster.now - start <= bound {
            if condition(cluster) { return cluster.now - start }
            cluster.run(for: .milliseconds(50))
        }
        return nil
    }

    @Test("a cluster converges through one seed", arguments: seeds)
    func joinConverges(seed: UInt64) {
        var cluster = SimulatedCluster(size: 10, seed: seed)
        let took = runUntil(&cluster, within: .seconds(10)) { c in
            (0..<c.size).allSatisfy { everyone(in: c, sees: $0, as: .alive) }
        }
        #expect(took != nil, "seed \(seed): not converged in 10 s")
    }

    @Test("fifty nodes joining at once converge within 3 s", arguments: seeds)
    func joinStormConverges(seed: UInt64) {
        var cluster = SimulatedCluster(size: 50, seed: seed)
        let took = runUntil(&cluster, within: .seconds(3)) { c in
            (0..<c.size).allSatisfy { everyone(in: c, sees: $0, as: .alive) }
        }
        #expect(took != nil, "seed \(seed): 50 simultaneous joins not converged in 3 s")
    }

    @Test("a crashed node is declared dead by every survivor within the bound", arguments: seeds)
    func crashDetected(seed: UInt64) {
        var cluster = SimulatedCluster(size: 10, seed: seed)
        cluster.run(for: .seconds(5))
        cluster.crash(4)
        let took = runUntil(&cluster, within: .seconds(6)) { everyone(in: $0, sees: 4, as: .dead) }
        #expect(took != nil, "seed \(seed): node 4 not dead everywhere within 6 s")
        // Completeness must not cost accuracy: nobody else was declared anything but alive.
        for subject in 0..<cluster.size where subject != 4 {
            #expect(everyone(in: cluster, sees: subject, as: .alive), "seed \(seed): node \(subject) not alive everywhere")
        }
    }

    @Test("a graceful leave shows as left, never dead", arguments: seeds)
    func leaveIsNotFailure(seed: UInt64) {
        var cluster = SimulatedCluster(size: 8, seed: seed)
        var recorder = EventRecorder()
        cluster.run(for: .seconds(5), observer: &recorder)
        cluster.leave(3, observer: &recorder)
        cluster.run(for: .seconds(10), observer: &recorder)
        #expect(!cluster.isRunning(3), "seed \(seed): the leaving node did not exit")
        #expect(everyone(in: cluster, sees: 3, as: .left), "seed \(seed)")
        let failures = recorder.events.filter { $0.event.kind == .memberFailed }
        #expect(failures.isEmpty, "seed \(seed): \(failures.count) member-failed events")
    }

    @Test("a restarted node is alive again everywhere, with a higher incarnation", arguments: seeds)
    func restartRejoins(seed: UInt64) {
        var cluster = SimulatedCluster(size: 6, seed: seed)
        cluster.run(for: .seconds(5))
        cluster.crash(2)
        #expect(runUntil(&cluster, within: .seconds(8)) { everyone(in: $0, sees: 2, as: .dead) } != nil, "seed \(seed)")
        var observer = NoObserver()
        cluster.restart(2, observer: &observer)
        let took = runUntil(&cluster, within: .seconds(5)) { everyone(in: $0, sees: 2, as: .alive) }
        #expect(took != nil, "seed \(seed): restarted node not alive everywhere")
    }

    @Test("10% and 20% loss for two minutes declare nobody dead", arguments: seeds, [0.10, 0.20])
    func accuracyUnderLoss(seed: UInt64, loss: Double) {
        var cluster = SimulatedCluster(size: 25, seed: seed)
        cluster.run(for: .seconds(5))
        cluster.network.lossRate = loss
        var recorder = EventRecorder()
        cluster.run(for: .seconds(120), observer: &recorder)
        let failures = recorder.events.filter { $0.event.kind == .memberFailed }
        #expect(failures.isEmpty, "seed \(seed), loss \(loss): false positives \(failures.map { "\($0.node)->\($0.event.member.name)" })")
    }

    @Test("a healed partition merges back", arguments: seeds)
    func partitionHeals(seed: UInt64) {
        var cluster = SimulatedCluster(size: 6, seed: seed)
        cluster.run(for: .seconds(5))
        cluster.network.partition([0, 1, 2], from: [3, 4, 5])
        cluster.run(for: .seconds(20))
        #expect(cluster.status(of: 4, seenBy: 0) == .dead, "seed \(seed): partition not detected")
        cluster.network.heal()
        let took = runUntil(&cluster, within: .seconds(40)) { c in
            (0..<c.size).allSatisfy { everyone(in: c, sees: $0, as: .alive) }
        }
        #expect(took != nil, "seed \(seed): did not merge within 40 s of healing")
    }

    @Test("the same seed replays the same run")
    func deterministic() {
        func trace(_ seed: UInt64) -> [String] {
            var cluster = SimulatedCluster(size: 6, seed: seed)
            cluster.network.lossRate = 0.05
            var recorder = EventRecorder()
            cluster.run(for: .seconds(5), observer: &recorder)
            cluster.crash(1)
            cluster.run(for: .seconds(10), observer: &recorder)
            return recorder.events.map { "\($0.at) \($0.node) \($0.event.kind.rawValue) \($0.event.member.name)" }
        }
        #expect(trace(9) == trace(9))
        #expect(trace(9) != trace(10))
    }
}
