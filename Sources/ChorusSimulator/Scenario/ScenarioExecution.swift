import ChorusCore
import ChorusWire

/// One run of a script in progress: the cluster, its observer and the trace so far.
struct ScenarioExecution {
    private let script: ScenarioScript
    private var cluster: SimulatedCluster
    private var observer: ScenarioObserver
    private var trace: [String]
    /// The trace so far.
    var traceLines: [String] { trace }
    private var failures: [String] = []
    /// Invariants the script says are broken: their violations do not fail the run.
    private var expected: Set<Violation.Invariant> = []
    private var lastRun: Set<MembershipEvent.Kind> = []

    init(script: ScenarioScript, seed: UInt64, traceAllSteps: Bool) {
        self.script = script
        cluster = SimulatedCluster(size: script.nodes, seed: seed, settings: script.settings,
                                   tapped: script.usesHostileFaults)
        observer = ScenarioObserver(checker: InvariantChecker(settings: script.settings, clusterSize: script.nodes),
                                    traceAllSteps: traceAllSteps)
        trace = ["seed \(seed)", "preset \(script.preset)", "nodes \(script.nodes)"]
    }

    mutating func perform(_ step: ScenarioScript.Step) {
        var line = step.text
        if let problem = carryOut(step.command) {
            line += ": FAILED: \(problem)"
            failures.append("\(script.file):\(step.line): \(step.text): \(problem) (seed \(cluster.seed), step \(cluster.step))")
        } else if case .expect = step.command {
            line += ": ok"
        }
        trace.append(line)
        trace += observer.collect()
    }

    /// Fails the run for every violation the script did not expect and closes the trace.
    mutating func finish() -> ScenarioResult {
        let checker = observer.checker
        for violation in checker.violations where !expected.contains(violation.invariant) {
            failures.append("\(script.file): unexpected violation: \(violation)")
        }
        // Reflection is listed only when something was checked: traces without spoofed traffic keep their shape.
        let checks = Violation.Invariant.allCases.filter { $0 != .reflection || checker.checks[$0] != nil }
            .map { "\($0.rawValue) \(checker.checks[$0, default: 0])" }
        trace.append("checks: " + checks.joined(separator: ", "))
        trace.append(failures.isEmpty ? "passed" : "FAILED: \(failures.count) failure(s)")
        return ScenarioResult(seed: cluster.seed, trace: trace.joined(separator: "\n") + "\n", failures: failures,
                              violations: checker.violations, checks: checker.checks)
    }

    /// Carries out one command; returns why it failed, or nil.
    private mutating func carryOut(_ command: ScenarioCommand) -> String? {
        switch command {
        case .addNodes(let count):
            cluster.addNodes(count, observer: &observer)
            // The bounds grow with the cluster: dissemination takes more rounds.
            observer.checker.bounds = InvariantBounds(settings: script.settings, clusterSize: cluster.size)
        case .kill(let nodes):
            if let down = nodes.first(where: { !cluster.isRunning($0) }) { return "\(cluster.name(of: down)) is down" }
            for node in nodes { cluster.crash(node) }
        case .killRunner:
            guard let runner = cluster.taskRunners.first else { return "no node runs the upgrade tasks" }
            cluster.crash(runner)
        case .restart(let node, let version):
            guard !cluster.isRunning(node) else { return "\(cluster.name(of: node)) is running" }
            cluster.restart(node, appVersion: version, observer: &observer)
        case .leave(let node):
            if let problem = notRunningNormally(node) { return problem }
            cluster.leave(node, observer: &observer)
        case .pause(let node, let duration):
            if let problem = notRunningNormally(node) { return problem }
            cluster.pause(node, for: duration)
        case .starve(let nodes, let duration, let stall, let period):
            for node in nodes { if let problem = notRunningNormally(node) { return problem } }
            for node in nodes { cluster.starve(node, for: duration, stall: stall, every: period) }
        case .drift(let node, let ppm):
            cluster.setDrift(node, ppm: ppm)
        case .partition(let side, let other):
            cluster.network.partition(side, from: other)
        case .block(let senders, let receivers):
            cluster.network.block(from: senders, to: receivers)
        case .heal:
            cluster.network.heal()
        case .loss(let rate):
            cluster.network.lossRate = rate
        case .duplicate(let rate):
            cluster.network.duplicateRate = rate
        case .delay(let low, let high):
            cluster.network.minimumDelay = low
            cluster.network.maximumDelay = high
        case .forge(let forgery, let target):
            guard cluster.inject(forgery, to: target) else { return "nothing to build a \(forgery.rawValue) from yet" }
        case .replay(let origin, let target, let source):
            guard cluster.replayCaptured(from: origin, to: target, source: source) else {
                return "nothing captured from \(cluster.name(of: origin)) on another path yet"
            }
        case .replayAcks(let nodes):
            cluster.replayAcks(of: nodes)
        case .reflect(let bait, let target):
            guard cluster.reflect(bait, at: target) else { return "no \(bait.rawValue) captured to send yet" }
        case .flood(let kind, let target, let member, let count, let duration):
            cluster.flood(kind, at: target, as: member, count: count, over: duration)
        case .lie(let lie, let insider, let subject, let observers, let atCurrent):
            let targets: [Int] = switch observers {
            case .all: (0..<cluster.size).filter { $0 != insider && cluster.isRunning($0) }
            case .nodes(let nodes): nodes
            }
            guard cluster.lie(lie, by: insider, about: subject, to: targets, atCurrentIncarnation: atCurrent) else {
                return "nothing to build a \(lie.rawValue) lie from yet"
            }
        case .run(let duration):
            cluster.run(for: duration, observer: &observer)
            lastRun = observer.kinds
        case .operate(let operation, let node):
            if let problem = notRunningNormally(node) { return problem }
            let command: OperatorCommand = switch operation {
            case .start: .startUpgrade
            case .cancel: .cancelUpgrade
            case .approve: .approveUpgrade
            case .retry: .retryUpgrade
            case .remove(let member): .removeMember(cluster.nodeID(of: member), keepKey: false)
            case .revoke(let member): .revokeMember(cluster.nodeID(of: member))
            case .rebootLock(let client): .acquireRebootSlot(clientID: client, group: "default")
            case .rebootUnlock(let client): .releaseRebootSlot(clientID: client)
            case .rolloutStart(let target, let maxUnavailable, let first, let approve):
                .startRollout(RolloutPlan(targetVersion: target, maxUnavailable: maxUnavailable, approve: approve,
                                          order: first.map(cluster.nodeID(of:))))
            case .rolloutPause: .pauseRollout
            case .rolloutResume: .resumeRollout
            case .rolloutAbort: .abortRollout
            case .rolloutRelease(let member): .releaseSlot(of: cluster.nodeID(of: member))
            }
            cluster.submit(command, at: node, observer: &observer)
        case .failTasks(let runs):
            cluster.failingTaskRuns = runs
        case .taskDuration(let duration):
            cluster.taskDuration = duration
        case .failRolloutTurns(let turns):
            cluster.failingRolloutTurns = turns
        case .rolloutTurnDuration(let duration):
            cluster.rolloutTurnDuration = duration
        case .expect(let expectation):
            if case .violation(let invariant) = expectation { expected.insert(invariant) }
            return expectation.failure(in: cluster, checker: observer.checker, lastRun: lastRun)
        }
        return nil
    }

    /// Leave and pause need a node that is up, not paused and not already leaving.
    private func notRunningNormally(_ node: Int) -> String? {
        let name = cluster.name(of: node)
        if !cluster.isRunning(node) { return "\(name) is down" }
        if cluster.isPaused(node) { return "\(name) is paused" }
        if cluster.hasLeft(node) { return "\(name) is leaving" }
        return nil
    }
}
