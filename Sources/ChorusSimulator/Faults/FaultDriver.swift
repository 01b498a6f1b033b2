import ChorusCore

/// Carries out a random-fault run: the cluster, the checker, the pending restarts and heal, and
/// the one generator every fault is drawn from (draw order is part of what a seed replays).
struct FaultDriver {
    var cluster: SimulatedCluster
    var random: SeededRandom
    var observer: ObserverPair<InvariantChecker, ObserverPair<TraceObserver, DetectionTimer>>
    private let trace: ((String) -> Void)?
    let nodes: Int
    var faults: [RandomFaultRun.Fault: Int] = [:]
    var restartAt: [Int: Instant] = [:]
    /// The version a pending restart boots on (upgrade runs only; otherwise drawn at restart).
    var restartVersion: [Int: String] = [:]
    private var healAt: Instant?
    /// Upgrade runs: operator commands and rolling restarts are part of the faults.
    let upgrades: Bool

    init(plan: RandomFaultRun, trace: ((String) -> Void)?) {
        cluster = SimulatedCluster(size: plan.nodes, seed: plan.seed, settings: plan.settings, verifier: plan.verifier,
                                   tapped: plan.hostile)
        random = SeededRandom(seed: plan.seed ^ 0x6661_756C_7473_2121)
        var checker = InvariantChecker(settings: plan.settings, clusterSize: plan.nodes)
        checker.checksReflection = plan.checksReflection
        observer = ObserverPair(checker, ObserverPair(TraceObserver(emit: trace), DetectionTimer(bound: checker.bounds.detection)))
        self.trace = trace
        nodes = plan.nodes
        upgrades = plan.upgrades
    }

    mutating func run(for duration: Duration) { cluster.run(for: duration, observer: &observer) }

    /// Boots the crashed and departed nodes whose time has come, a quarter on a newer version.
    mutating func restartDueNodes() {
        for (index, at) in restartAt.sorted(by: { $0.key < $1.key }) where at <= cluster.now && !cluster.isRunning(index) {
            restartAt[index] = nil
            var version = random.next(upperBound: UInt64(4)) == 0 ? "1.1.0" : nil
            // Upgrade runs choose versions on purpose: a restart keeps its version unless told.
            if upgrades { version = restartVersion.removeValue(forKey: index) }
            log("fault restart \(cluster.name(of: index))\(version.map { " on \($0)" } ?? "")")
            cluster.restart(index, appVersion: version, observer: &observer)
            faults[.restart, default: 0] += 1
        }
    }

    /// Ends the network faults when they are due, and at once when a calm phase begins.
    mutating func healNetworkIfDue(calm: Bool) {
        if calm, healAt != nil { healAt = cluster.now }
        guard let at = healAt, at <= cluster.now else { return }
        healAt = nil
        healNetwork()
        log("fault heal")
        faults[.heal, default: 0] += 1
    }

    private mutating func healNetwork() {
        cluster.network.heal()
        cluster.network.lossRate = 0
        cluster.network.duplicateRate = 0
        cluster.network.maximumDelay = .milliseconds(2)
    }

    mutating func inject(_ fault: RandomFaultRun.Fault, stormy: Bool) {
        let target = Int(random.next(upperBound: UInt64(nodes)))
        guard let detail = apply(fault, to: target, stormy: stormy) else { return }
        faults[fault, default: 0] += 1
        log("fault \(fault.rawValue) \(cluster.name(of: target))\(detail.map { " \($0)" } ?? "") "
            + "(loss \(Int(cluster.network.lossRate * 100))%, partitioned \(cluster.network.isPartitioned))")
    }

    /// nil when the fault does not apply now (the target is down, a partition is already on);
    /// else `.some` of what the trace adds to the fault's name (a forgery's kind), if anything.
    private mutating func apply(_ fault: RandomFaultRun.Fault, to target: Int, stormy: Bool) -> String?? {
        let down = (0..<nodes).count { !cluster.isRunning($0) }
        switch fault {
        case .kill, .leave:
            // Keep most of the cluster up, as a chaos test on real hosts would.
            guard cluster.isRunning(target), !cluster.isPaused(target), down < nodes / 3 else { return nil }
            if fault == .kill { cluster.crash(target) } else { cluster.leave(target, observer: &observer) }
            if random.next(upperBound: UInt64(3)) > 0 {
                restartAt[target] = cluster.now + .milliseconds(Int64(1_000 + random.next(upperBound: UInt64(25_000))))
            }
        case .pause:
            guard cluster.isRunning(target), !cluster.isPaused(target) else { return nil }
            cluster.pause(target, for: .milliseconds(Int64(200 + random.next(upperBound: UInt64(12_000)))))
        case .partition, .oneWay:
            guard !cluster.network.isPartitioned else { return nil }
            let cut = 1 + Int(random.next(upperBound: UInt64(max(1, nodes / 2))))
            let side = Array((0..<nodes).shuffled(using: &random).prefix(cut))
            let rest = (0..<nodes).filter { !side.contains($0) }
            if fault == .partition { cluster.network.partition(side, from: rest) } else { cluster.network.block(from: rest, to: side) }
            healAt = cluster.now + .milliseconds(Int64(2_000 + random.next(upperBound: UInt64(20_000))))
        case .loss:
            let rates = stormy ? [0.10, 0.20, 0.30] : [0.02, 0.05, 0.10]
            cluster.network.lossRate = rates[Int(random.next(upperBound: UInt64(rates.count)))]
            healAt = healAt ?? cluster.now + .milliseconds(Int64(3_000 + random.next(upperBound: UInt64(20_000))))
        case .duplicate:
            cluster.network.duplicateRate = 0.05 + Double(random.next(upperBound: UInt64(20))) / 100
            healAt = healAt ?? cluster.now + .seconds(10)
        case .delay:
            cluster.network.maximumDelay = .milliseconds(Int64(5 + random.next(upperBound: UInt64(300))))
            healAt = healAt ?? cluster.now + .milliseconds(Int64(2_000 + random.next(upperBound: UInt64(10_000))))
        case .drift:
            cluster.setDrift(target, ppm: Int64(random.next(upperBound: UInt64(10_001))) - 5_000)
        case .forge:
            let forgery = Forgery.allCases.randomElement(using: &random)!
            return cluster.inject(forgery, to: target) ? .some(forgery.rawValue) : nil
        case .replay, .reflect, .flood, .insider, .ackReplay:
            return applyHostile(fault, to: target)
        case .restart, .heal, .start, .cancel, .approve, .retry, .remove, .upgradeRestart, .downgrade, .killRunner, .failTasks,
             .maintenance, .banner, .reboot, .rollout:
            return nil
        }
        return .some(nil)
    }

    /// Heals everything, brings back the nodes due for a restart, waits out the pauses, and
    /// gives convergence its full bound, so every run ends with a convergence check.
    mutating func finish() -> RandomFaultRun.Result {
        healNetwork()
        // Upgrade runs bring every host back: an approved upgrade must then finish (SPEC §11.4).
        // Not one the cluster removed: its key is revoked, it stays out for good (issue 15).
        let revoked = InvariantChecker.revokedHosts(in: cluster)
        for index in 0..<nodes where !cluster.isRunning(index) && (restartAt[index] != nil || upgrades)
            && !revoked.contains(index) {
            cluster.restart(index, appVersion: restartVersion.removeValue(forKey: index), observer: &observer)
            faults[.restart, default: 0] += 1
        }
        while cluster.hasPausedHosts { run(for: .seconds(1)) }
        // A running rollout goes on by itself once the faults stop, one member's turn after
        // another: it gets the time to finish, so an approval it makes at its end is not judged
        // half-way through its tasks.
        let rolloutBound = cluster.now + (cluster.rolloutTurnDuration + .seconds(5)) * nodes
        while cluster.now < rolloutBound,
              (0..<nodes).contains(where: { cluster.isRunning($0) && cluster.agreedState(of: $0)?.rollout?.status == .running }) {
            run(for: .seconds(1))
        }
        log("healed; quiet until the convergence check")
        run(for: observer.first.bounds.convergence + .seconds(2))
        if upgrades { observer.first.checkEnd(of: cluster) }
        return RandomFaultRun.Result(
            seed: cluster.seed, nodes: nodes, simulated: cluster.now - .zero, steps: cluster.step, faults: faults,
            violations: observer.first.violations, checks: observer.first.checks,
            detectionSeconds: observer.second.second.seconds, datagramsSent: cluster.datagramsSent,
            bytesSent: cluster.bytesSent, upgradesFinished: observer.first.tasksFinished)
    }

    func log(_ line: String) { trace?("\(SimulationTime.format(cluster.now)) \(line)") }
}
