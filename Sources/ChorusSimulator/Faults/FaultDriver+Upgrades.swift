import ChorusCore
import ChorusWire

/// The operator of an upgrade run: reads the cluster state from one host's endpoint and takes
/// the next step of a rolling upgrade, often, with mistakes and races on purpose: commands the
/// state forbids, conflicting commands at two hosts at the same instant, downgrades, removals
/// of dead members, a killed task runner, failing tasks; and now and then a maintenance window or
/// a banner, whose decisions race the upgrade's.
extension FaultDriver {
    /// The operator's pace: a look at the cluster and one action this often.
    static let operatorInterval = Duration.milliseconds(500)

    /// Runs for `duration` with the operator acting every `operatorInterval` (and restarts due).
    mutating func runOperating(for duration: Duration) {
        let end = cluster.now + duration
        while cluster.now < end {
            run(for: min(Self.operatorInterval, end - cluster.now))
            restartDueNodes()
            operateUpgrade()
        }
    }

    mutating func operateUpgrade() {
        let running = (0..<nodes).filter { cluster.isRunning($0) && !cluster.isPaused($0) }
        guard !running.isEmpty else { return }
        let observer = running.randomElement(using: &random)!
        guard let state = cluster.upgradeState(of: observer), let agreed = cluster.agreedState(of: observer),
              !agreed.clusterVersion.isEmpty else { return }
        switch random.next(upperBound: UInt64(16)) {
        case 0:
            operateSettings(agreed, among: running)
            return
        case 1:
            operateReboots(agreed, among: running)
            return
        case 2, 3:
            operateRollout(agreed, among: running)
            return
        default:
            break
        }
        let roll = random.next(upperBound: UInt64(100))
        switch state {
        case .stable:
            // Stragglers first: a host left on an older version by a cancel or a downgrade.
            if let straggler = running.first(where: { cluster.appVersion(of: $0) != agreed.clusterVersion }), roll < 50 {
                rollingRestart([straggler], to: agreed.clusterVersion, as: .upgradeRestart)
            } else if roll < 75 {
                command(.startUpgrade, as: .start, among: running)
            } else if roll < 80 {
                // A voter that stays dead blocks every start until it is removed.
                removeDeadVoter(agreed, among: running)
            }
        case .readyToUpgrade, .mixed:
            let original = agreed.originalVersion ?? agreed.clusterVersion
            let target = Self.nextVersion(after: original)
            let behind = running.filter { cluster.appVersion(of: $0) != target }.shuffled(using: &random)
            if behind.isEmpty, roll < 70 {
                // Every running host is upgraded: what still blocks is a dead voter.
                removeDeadVoter(agreed, among: running)
            } else if roll < 70 {
                let batch = 1 + Int(random.next(upperBound: UInt64(max(2, nodes / 8))))
                rollingRestart(Array(behind.prefix(batch)), to: target, as: .upgradeRestart)
            } else if roll < 74 {
                let ahead = running.filter { cluster.appVersion(of: $0) != original }
                if let host = ahead.randomElement(using: &random) { rollingRestart([host], to: original, as: .downgrade) }
            } else if roll < 78 {
                command(.cancelUpgrade, as: .cancel, among: running)
            } else if roll < 90 {
                removeDeadVoter(agreed, among: running)
            } else {
                command(.approveUpgrade, as: .approve, among: running)
            }
        case .readyToRunUpgradeTasks:
            if random.next(upperBound: UInt64(6)) == 0 {
                cluster.failingTaskRuns = 1
                faults[.failTasks, default: 0] += 1
            }
            command(.approveUpgrade, as: .approve, among: running)
            if roll < 20 {
                command(.cancelUpgrade, as: .cancel, among: running)
            } else if roll < 35 {
                command(.approveUpgrade, as: .approve, among: running)
            } else if roll < 45, let host = running.randomElement(using: &random), let original = agreed.originalVersion {
                rollingRestart([host], to: original, as: .downgrade)
            }
        case .runningUpgradeTasks:
            if roll < 15, let runner = cluster.taskRunners.first, cluster.isRunning(runner) {
                log("fault kill-runner \(cluster.name(of: runner))")
                cluster.crash(runner)
                restartAt[runner] = cluster.now + .milliseconds(Int64(1_000 + random.next(upperBound: UInt64(10_000))))
                faults[.killRunner, default: 0] += 1
            }
        case .upgradeTasksFailed:
            if roll < 60 { command(.retryUpgrade, as: .retry, among: running) }
        }
    }

    /// 1.4.2 -> 1.5.0.
    static func nextVersion(after version: String) -> String {
        guard let current = SemanticVersion(version) else { return version }
        return "\(current.major).\(current.minor + 1).0"
    }

    /// Gives `command` to a random running host.
    private mutating func operateSettings(_ agreed: AgreedState, among running: [Int]) {
        let count = UInt64(faults[.maintenance, default: 0] + faults[.banner, default: 0])
        if random.next(upperBound: UInt64(2)) == 0 {
            // Mostly toggles, sometimes a new message while on, sometimes an off that is refused.
            let on = agreed.maintenanceMessage == nil ? random.next(upperBound: UInt64(4)) != 0 : random.next(upperBound: UInt64(4)) == 0
            command(on ? .startMaintenance(message: "backup \(count)") : .endMaintenance, as: .maintenance, among: running)
        } else if agreed.banner == nil || random.next(upperBound: UInt64(3)) == 0 {
            let expiry = random.next(upperBound: UInt64(2)) == 0 ? nil : cluster.trueUnixSeconds + 2 + random.next(upperBound: UInt64(20))
            let banner = AnnouncementBanner(message: "notice \(count)", level: count % 2 == 0 ? .info : .warning, expiresAt: expiry)
            command(.setBanner(banner), as: .banner, among: running)
        } else {
            command(.clearBanner, as: .banner, among: running)
        }
    }

    /// Each host's FleetLock client is "os-<host>": it asks its own agent, as Zincati asks
    /// 127.0.0.1. A holder reboots (kill -9, boot soon after, same version) or releases; a
    /// host without a slot asks, now and then with another host at the same instant.
    private mutating func operateReboots(_ agreed: AgreedState, among running: [Int]) {
        if let slot = agreed.disruptionSlots.first, let holder = cluster.index(of: slot.holder) {
            guard cluster.isRunning(holder), !cluster.isPaused(holder) else { return }
            let roll = random.next(upperBound: UInt64(4))
            if roll == 0, (0..<nodes).count(where: { !cluster.isRunning($0) }) < max(1, nodes / 3) {
                cluster.crash(holder)
                restartAt[holder] = cluster.now + .milliseconds(Int64(300 + random.next(upperBound: UInt64(2_000))))
                restartVersion[holder] = cluster.appVersion(of: holder)
                log("fault reboot \(cluster.name(of: holder)) holding slot \(slot.term)")
                faults[.reboot, default: 0] += 1
            } else {
                // Owned locks: one time in three the wrong client asks, and nothing may change.
                let client = roll == 1 ? "os-someone-else" : "os-\(holder)"
                command(.releaseRebootSlot(clientID: client), as: .reboot, at: holder)
            }
            return
        }
        let askers = running.shuffled(using: &random).prefix(random.next(upperBound: UInt64(3)) == 0 ? 2 : 1)
        for host in askers { command(.acquireRebootSlot(clientID: "os-\(host)", group: "default"), as: .reboot, at: host) }
    }

    /// Starts a rollout when none is under way (to the version the upgrade aims at), else pauses,
    /// resumes or aborts it, often with a conflicting command at another host in the same
    /// instant; makes the next turn fail; kills the node in its turn; releases a dead holder's slot.
    private mutating func operateRollout(_ agreed: AgreedState, among running: [Int]) {
        guard let rollout = agreed.rollout, rollout.status.isActive else {
            let target = Self.nextVersion(after: agreed.originalVersion ?? agreed.clusterVersion)
            let plan = RolloutPlan(targetVersion: target, maxUnavailable: UInt8(1 + random.next(upperBound: UInt64(2))),
                                   approve: random.next(upperBound: UInt64(2)) == 0, order: [])
            let starters = random.next(upperBound: UInt64(4)) == 0 ? 2 : 1
            for _ in 0..<starters { command(.startRollout(plan), as: .rollout, among: running) }
            return
        }
        let roll = random.next(upperBound: UInt64(100))
        let inTurn = agreed.disruptionSlots.filter { if case .rollout = $0.purpose { true } else { false } }
            .compactMap { cluster.index(of: $0.holder) }
        if roll < 20 {
            command(.pauseRollout, as: .rollout, among: running)
        } else if roll < 45 {
            command(.resumeRollout, as: .rollout, among: running)
        } else if roll < 55 {
            command(.abortRollout, as: .rollout, among: running)
            command(.resumeRollout, as: .rollout, among: running)
        } else if roll < 70 {
            cluster.failingRolloutTurns = 1
            faults[.rollout, default: 0] += 1
        } else if roll < 85, let holder = inTurn.first, cluster.isRunning(holder), !cluster.isPaused(holder),
                  (0..<nodes).count(where: { !cluster.isRunning($0) }) < max(1, nodes / 3) {
            log("fault rollout kill \(cluster.name(of: holder)) in its turn")
            cluster.crash(holder)
            restartAt[holder] = cluster.now + .milliseconds(Int64(500 + random.next(upperBound: UInt64(5_000))))
            faults[.rollout, default: 0] += 1
        } else if let dead = agreed.disruptionSlots.compactMap({ cluster.index(of: $0.holder) }).first(where: { !cluster.isRunning($0) }) {
            command(.releaseSlot(of: cluster.nodeID(of: dead)), as: .rollout, among: running)
        }
    }

    private mutating func command(_ command: OperatorCommand, as fault: RandomFaultRun.Fault, among running: [Int]) {
        self.command(command, as: fault, at: running.randomElement(using: &random)!)
    }

    private mutating func command(_ command: OperatorCommand, as fault: RandomFaultRun.Fault, at host: Int) {
        guard cluster.isRunning(host), !cluster.isPaused(host) else { return }
        let request = cluster.submit(command, at: host, observer: &observer)
        log("fault \(fault.rawValue) at \(cluster.name(of: host)) (request \(request.map(String.init) ?? "none"))")
        faults[fault, default: 0] += 1
    }

    /// Stops each host (kill -9, as an impatient operator would) and boots it on `version` soon after.
    private mutating func rollingRestart(_ hosts: [Int], to version: String, as fault: RandomFaultRun.Fault) {
        for host in hosts where cluster.isRunning(host) && !cluster.isPaused(host) {
            // Like the kills: most of the cluster stays up.
            guard (0..<nodes).count(where: { !cluster.isRunning($0) }) < max(1, nodes / 3) else { return }
            cluster.crash(host)
            restartAt[host] = cluster.now + .milliseconds(Int64(300 + random.next(upperBound: UInt64(1_500))))
            restartVersion[host] = version
            log("fault \(fault.rawValue) \(cluster.name(of: host)) to \(version)")
            faults[fault, default: 0] += 1
        }
    }

    /// Removes a voter whose host is down for good (no restart coming), through a random running host.
    private mutating func removeDeadVoter(_ agreed: AgreedState, among running: [Int]) {
        let dead = agreed.voters.compactMap(cluster.index(of:)).filter { !cluster.isRunning($0) && restartAt[$0] == nil }
        guard let member = dead.randomElement(using: &random) else { return }
        command(.removeMember(cluster.nodeID(of: member), keepKey: false), as: .remove, among: running)
    }
}
