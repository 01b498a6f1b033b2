import ChorusCore
import ChorusWire

/// Checks SPEC §11's membership invariants after every step of a run: completeness, accuracy,
/// convergence and integrity. It only reads the cluster; each violation names seed and step.
public struct InvariantChecker: SimulationObserver {
    public private(set) var violations: [Violation] = []
    /// How many times each invariant was checked: accuracy per death declared, completeness per
    /// crash and observer, convergence per quiet period, integrity per hostile datagram.
    public private(set) var checks: [Violation.Invariant: Int] = [:]
    public var bounds: InvariantBounds
    /// Loss above this excuses false deaths (SPEC §11.6 promises accuracy up to 10%).
    public var accuracyLossLimit = 0.10
    /// Delay jitter above this is slow-link territory, treated like loss beyond the promise.
    public var accuracyDelayLimit: Duration
    /// SPEC §2: no host sends a spoofed address more bytes than it received from it. Only a
    /// tapped network counts those bytes; random runs can turn it off
    /// (`RandomFaultRun.checksReflection`, `chorus simulate --no-check-reflection`).
    public var checksReflection = true
    /// (host, address) pairs already reported: one violation each, not one per datagram.
    private var reflectionsReported: Set<String> = []

    /// The last step at which the network was partitioned, too lossy or too slow.
    private var networkDisturbedAt: Instant?
    /// The last fault of any kind: network, crash, boot, pause, resume, leave.
    private var lastFaultAt: Instant = .zero
    private var convergenceCheckedAfter: Instant?
    private var crashesSeen = 0
    private var pendingDetections: [(node: Int, crashedAt: Instant, deadline: Instant)] = []
    private var decisionLogs = DecisionLogChecker()
    private var transitions = TransitionChecker()
    private var tasks = TaskChecker()
    /// The agreed log replayed for invariant 10.
    private var budgetLog = (agreed: AgreedState(), nextSlot: UInt64(0))

    public init(settings: MembershipSettings, clusterSize: Int) {
        bounds = InvariantBounds(settings: settings, clusterSize: clusterSize)
        accuracyDelayLimit = settings.probeTimeout / 2
    }

    public mutating func observe(_ record: StepRecord, in cluster: SimulatedCluster) {
        noteFaults(record, in: cluster)
        if record.hostileInputChangedState {
            report(.integrity, record, cluster, "a forged or replayed datagram changed \(cluster.name(of: record.node))'s view")
        } else if record.integrityChecked {
            checks[.integrity, default: 0] += 1
        }
        for event in record.events where event.kind == .memberFailed {
            checkAccuracy(of: event.member, at: record, in: cluster)
        }
        if checksReflection { checkReflection(record, in: cluster) }
        checkDetections(record, in: cluster)
        checkConvergenceWhenQuiet(record, in: cluster)
        checkDecisionLog(record, in: cluster)
        checkTransitions(record, in: cluster)
        checkTasks(record, in: cluster)
        checkBudget(record, in: cluster)
    }

    /// Invariant 10: no slot is granted while the budget in force is spent, and no member holds
    /// two. Judged on the agreed log as it grows (agreement makes it one log), each grant against
    /// the state before it: a budget lowered later (a rollout aborted mid-turn) spends no grant.
    private mutating func checkBudget(_ record: StepRecord, in cluster: SimulatedCluster) {
        for decided in record.decided where decided.slot == budgetLog.nextSlot {
            let before = budgetLog.agreed
            budgetLog.agreed.apply(decided.value, slot: decided.slot)
            budgetLog.nextSlot += 1
            guard case .grantSlot = decided.value else { continue }
            checks[.budget, default: 0] += 1
            let holders = budgetLog.agreed.disruptionSlots.map(\.holder)
            guard holders.count > before.maxUnavailable || Set(holders).count != holders.count else { continue }
            let names = holders.map { cluster.index(of: $0).map(cluster.name(of:)) ?? $0.short }
            report(.budget, record, cluster, "slot \(decided.slot) granted with slots held for \(names.joined(separator: ", ")) "
                       + "and a budget of \(before.maxUnavailable)")
        }
    }

    /// Applied finishTasks decisions in the agreed log so far.
    public var tasksFinished: Int { tasks.finishes }

    /// The end of a run whose faults have healed and converged: an approved upgrade's tasks
    /// must have finished (or failed) by now.
    public mutating func checkEnd(of cluster: SimulatedCluster) {
        checks[.tasks, default: 0] += 1
        guard let slot = tasks.openApproval else { return }
        violations.append(Violation(invariant: .tasks, seed: cluster.seed, step: cluster.step, at: cluster.now,
                                    detail: "the upgrade approved in slot \(slot) never finished its tasks, though every fault healed"))
    }

    private mutating func checkTransitions(_ record: StepRecord, in cluster: SimulatedCluster) {
        guard let state = cluster.upgradeState(of: record.node) else { return }
        checks[.transitions, default: 0] += 1
        let applied = record.decided.filter(\.applied).map(\.value)
        if let finding = transitions.check(host: record.node, state: state, applied: applied) {
            report(.transitions, record, cluster, "\(cluster.name(of: record.node)) \(finding)")
        }
    }

    private mutating func checkTasks(_ record: StepRecord, in cluster: SimulatedCluster) {
        let (checked, findings) = tasks.check(record, in: cluster)
        checks[.tasks, default: 0] += checked
        for finding in findings {
            switch finding {
            case .concurrentRuns(let what), .unfencedStart(let what), .finishedTwice(let what), .finishedWithoutRun(let what):
                report(.tasks, record, cluster, what)
            }
        }
    }

    private mutating func checkDecisionLog(_ record: StepRecord, in cluster: SimulatedCluster) {
        let (checked, findings) = decisionLogs.check(host: record.node, log: cluster.decisionLog(of: record.node))
        guard checked > 0 else { return }
        checks[.agreement, default: 0] += checked
        checks[.quorum, default: 0] += checked
        for finding in findings {
            switch finding {
            case .disagreement(let slot, let held, let chosen):
                report(.agreement, record, cluster, "\(cluster.name(of: record.node)) decided \(held) in slot \(slot), another host \(chosen)")
            case .noQuorum(let slot, let votes, let needed):
                report(.quorum, record, cluster, "\(cluster.name(of: record.node)) decided slot \(slot) on \(votes) votes, a majority is \(needed)")
            }
        }
    }

    // MARK: Fault bookkeeping

    private mutating func noteFaults(_ record: StepRecord, in cluster: SimulatedCluster) {
        let network = cluster.network
        if network.isPartitioned || network.lossRate > accuracyLossLimit
            || network.maximumDelay > accuracyDelayLimit {
            networkDisturbedAt = record.at
        }
        if network.isPartitioned || network.lossRate > accuracyLossLimit { lastFaultAt = record.at }
        switch record.cause {
        case .boot, .resume, .leave: lastFaultAt = record.at
        case .datagram, .timer, .command, .tasks: break
        }
        while crashesSeen < cluster.crashes.count {
            let crash = cluster.crashes[crashesSeen]
            crashesSeen += 1
            lastFaultAt = max(lastFaultAt, crash.at)
            pendingDetections.append((crash.node, crash.at, crash.at + bounds.detection))
        }
    }

    private func disturbed(_ node: Int, since start: Instant, in cluster: SimulatedCluster) -> Bool {
        if let at = networkDisturbedAt, at >= start { return true }
        if let at = cluster.lastDisruption(of: node), at >= start { return true }
        return cluster.isPaused(node)
    }

    // MARK: Invariant 6: accuracy

    private mutating func checkAccuracy(of subject: MemberSnapshot, at record: StepRecord, in cluster: SimulatedCluster) {
        // Only the accused's own faults and the network's excuse a death: a stalled or restarted
        // observer must not make a live node dead (SPEC §3).
        guard let accused = cluster.index(of: subject.id) else { return }
        // A node the cluster revoked is cut off by design, and cannot hear those it accuses.
        let revoked = Self.revokedHosts(in: cluster)
        guard !revoked.contains(record.node), !revoked.contains(accused) else { return }
        checks[.accuracy, default: 0] += 1
        let since = Instant(nanoseconds: record.at.nanoseconds - bounds.convergence.nanoseconds)
        let window = SimulationTime.format(bounds.convergence)
        if cluster.hasLeft(accused) {
            // A death of an earlier life (a crash, then a reboot that left) is news still spreading.
            guard subject.incarnation >= cluster.incarnation(of: accused) else { return }
            // A graceful leave is never a failure, unless the network kept the news away.
            guard networkDisturbedAt.map({ $0 < since }) ?? true else { return }
            report(.accuracy, record, cluster, "\(cluster.name(of: record.node)) declared \(subject.name) dead, but it "
                       + "left gracefully and the network was sound for the last \(window)")
            return
        }
        guard cluster.isRunning(accused), !disturbed(accused, since: since, in: cluster) else { return }
        report(.accuracy, record, cluster,
               "\(cluster.name(of: record.node)) declared \(subject.name) dead, but it is running and nothing "
                   + "disturbed it or the network in the last \(window)")
    }

    // MARK: SPEC §2: no amplification

    /// Cumulative per host and spoofed address: bytes sent to it never exceed bytes from it.
    private mutating func checkReflection(_ record: StepRecord, in cluster: SimulatedCluster) {
        guard cluster.isTapped else { return }
        let ledger = cluster.reflections(of: record.node)
        guard !ledger.isEmpty else { return }
        if record.cause == .datagram(from: nil) { checks[.reflection, default: 0] += 1 }
        for entry in ledger where entry.sent > entry.received {
            let key = "\(record.node) \(entry.address)"
            guard reflectionsReported.insert(key).inserted else { continue }
            report(.reflection, record, cluster,
                   "\(cluster.name(of: record.node)) sent \(entry.sent) bytes to \(entry.address), a spoofed address "
                       + "that sent it \(entry.received)")
        }
    }

    // MARK: Invariant 5: completeness

    private mutating func checkDetections(_ record: StepRecord, in cluster: SimulatedCluster) {
        guard let first = pendingDetections.first, first.deadline <= record.at else { return }
        var remaining: [(node: Int, crashedAt: Instant, deadline: Instant)] = []
        for pending in pendingDetections {
            guard pending.deadline <= record.at else {
                remaining.append(pending)
                continue
            }
            // A node booted since is no longer that death to detect (its next one may be).
            guard cluster.lastBoot(of: pending.node) < pending.crashedAt else { continue }
            for observer in 0..<cluster.size where cluster.isRunning(observer) && observer != pending.node {
                guard !disturbed(observer, since: pending.crashedAt, in: cluster) else { continue }
                checks[.completeness, default: 0] += 1
                let status = cluster.status(of: pending.node, seenBy: observer)
                if status == .alive || status == .suspect {
                    report(.completeness, record, cluster,
                           "\(cluster.name(of: pending.node)) crashed at \(SimulationTime.format(pending.crashedAt)) "
                               + "but \(cluster.name(of: observer)) still sees it \(status!.rawValue) after "
                               + SimulationTime.format(bounds.detection))
                }
            }
        }
        pendingDetections = remaining
    }

    // MARK: Invariant 7: convergence

    private mutating func checkConvergenceWhenQuiet(_ record: StepRecord, in cluster: SimulatedCluster) {
        // A host still paused is a fault that has not healed.
        guard record.at - lastFaultAt >= bounds.convergence, convergenceCheckedAfter != lastFaultAt,
              !cluster.hasPausedHosts else { return }
        convergenceCheckedAfter = lastFaultAt
        checks[.convergence, default: 0] += 1
        if let disagreement = Self.disagreement(in: cluster) {
            report(.convergence, record, cluster,
                   "\(SimulationTime.format(bounds.convergence)) after the last fault: \(disagreement)")
        }
    }

    /// The first way live nodes disagree, or nil when every live node sees every live node alive
    /// on its current version, and all that know a stopped node agree it is dead, or agree it left.
    public static func disagreement(in cluster: SimulatedCluster) -> String? {
        membershipDisagreement(in: cluster) ?? decisionDisagreement(in: cluster)
    }

    /// The first running node whose decision log, upgrade state or cluster version differs
    /// from the first running node's, or nil.
    public static func decisionDisagreement(in cluster: SimulatedCluster) -> String? {
        var first: (index: Int, summary: String)?
        let revoked = revokedHosts(in: cluster)
        for index in 0..<cluster.size where !revoked.contains(index) {
            guard let summary = cluster.decisionSummary(of: index) else { continue }
            guard let reference = first else {
                first = (index, summary)
                continue
            }
            if summary != reference.summary {
                return "\(cluster.name(of: index)) has \(summary), but \(cluster.name(of: reference.index)) has \(reference.summary)"
            }
        }
        return nil
    }

    /// Hosts whose key a running host's agreed state revoked: out of the cluster for good (a
    /// removal decided while the host was down, then a restart), so no liveness check covers them.
    static func revokedHosts(in cluster: SimulatedCluster) -> Set<Int> {
        var revoked: Set<Int> = []
        for index in 0..<cluster.size {
            for id in cluster.agreedState(of: index)?.revoked ?? [] {
                if let host = cluster.index(of: id) { revoked.insert(host) }
            }
        }
        return revoked
    }

    private static func membershipDisagreement(in cluster: SimulatedCluster) -> String? {
        let revoked = revokedHosts(in: cluster)
        for subject in 0..<cluster.size where !revoked.contains(subject) {
            var stoppedAs: (observer: Int, status: MemberStatus)?
            for observer in 0..<cluster.size
            where observer != subject && cluster.isRunning(observer) && !revoked.contains(observer) {
                let view = cluster.view(of: subject, seenBy: observer)
                let who = "\(cluster.name(of: observer)) sees \(cluster.name(of: subject))"
                if cluster.isRunning(subject) {
                    guard let view else { return "\(who) not at all" }
                    if view.status != .alive { return "\(who) \(view.status.rawValue)" }
                    if view.version != cluster.appVersion(of: subject) { return "\(who) on \(view.version)" }
                } else if let status = view?.status {
                    if status == .alive || status == .suspect { return "\(who) \(status.rawValue), but it is down" }
                    if let first = stoppedAs, first.status != status {
                        return "\(who) \(status.rawValue), but \(cluster.name(of: first.observer)) sees it \(first.status.rawValue)"
                    }
                    stoppedAs = stoppedAs ?? (observer, status)
                }
            }
        }
        return nil
    }

    private mutating func report(_ invariant: Violation.Invariant, _ record: StepRecord,
                                 _ cluster: SimulatedCluster, _ detail: String) {
        violations.append(Violation(invariant: invariant, seed: cluster.seed, step: record.step, at: record.at,
                                    detail: detail))
    }
}
