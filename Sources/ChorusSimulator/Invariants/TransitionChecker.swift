import ChorusCore
import ChorusWire

/// SPEC §11.2 over each host's derived upgrade state (SPEC §4's table).
///
/// What a host can legitimately be seen doing: between two of its steps it may apply several
/// decisions (catching up after a crash or a partition) and learn several version changes at
/// once (one datagram, one refresh of its view). So a step is judged as a path through the
/// table: the decisions the host applied in that step, in log order, must each take the table's
/// edge for that decision from where the previous one left the host, and version changes may
/// move it between READY_TO_UPGRADE, MIXED and READY_TO_RUN_UPGRADE_TASKS (those three are
/// connected by the table's version edges) but never out of them. Only decisions change the
/// phase: start STABLE → upgrade mode; cancel upgrade mode → STABLE; approve upgrade mode →
/// RUNNING_UPGRADE_TASKS; finished RUNNING → STABLE; failed RUNNING → UPGRADE_TASKS_FAILED;
/// retry UPGRADE_TASKS_FAILED → upgrade mode. A crash and restart keeps the phase (the log is
/// durable).
struct TransitionChecker: Sendable {
    /// The table's states with the version-driven ones merged: decisions move between these.
    enum Phase: String, Sendable {
        case stable = "STABLE"
        case upgradeMode = "upgrade mode (READY_TO_UPGRADE, MIXED, READY_TO_RUN_UPGRADE_TASKS)"
        case running = "RUNNING_UPGRADE_TASKS"
        case failed = "UPGRADE_TASKS_FAILED"

        init(_ state: UpgradeState) {
            switch state {
            case .stable: self = .stable
            case .readyToUpgrade, .mixed, .readyToRunUpgradeTasks: self = .upgradeMode
            case .runningUpgradeTasks: self = .running
            case .upgradeTasksFailed: self = .failed
            }
        }
    }

    /// Each host's state after its last step.
    private var last: [Int: UpgradeState] = [:]

    /// The table's edge a decision takes, if it is one of the table's decisions.
    static func edge(of value: DecisionValue) -> (from: Phase, to: Phase)? {
        switch value {
        case .startUpgrade: (.stable, .upgradeMode)
        case .cancelUpgrade: (.upgradeMode, .stable)
        case .approveUpgrade: (.upgradeMode, .running)
        case .finishTasks: (.running, .stable)
        case .failTasks: (.running, .failed)
        case .retryUpgrade: (.failed, .upgradeMode)
        case .found, .admit, .remove, .grantLease, .renewLease, .maintenanceOn, .maintenanceOff, .setBanner, .clearBanner,
             .installKey, .useKey, .removeKey, .revoke, .revokeOperator, .grantSlot, .releaseSlot,
             .startRollout, .pauseRollout, .resumeRollout, .abortRollout, .endRolloutTurn: nil
        }
    }

    /// Judges one step of `host`, which now derives `state` after applying `applied` (in log
    /// order). Returns what is wrong, or nil. A host's first step is its starting point.
    mutating func check(host: Int, state: UpgradeState, applied: [DecisionValue]) -> String? {
        defer { last[host] = state }
        guard let before = last[host] else { return nil }
        var phase = Phase(before)
        var path = [before.rawValue]
        for value in applied {
            // A rollout started from STABLE starts the upgrade; in upgrade mode it changes no state.
            if case .startRollout = value, phase == .stable {
                phase = .upgradeMode
                path.append("\(value) -> \(phase.rawValue)")
                continue
            }
            guard let edge = Self.edge(of: value) else { continue }
            guard edge.from == phase else {
                return "applied \(value) in \(phase.rawValue) (from \(before.rawValue)); SPEC §4 allows it only from \(edge.from.rawValue)"
            }
            phase = edge.to
            path.append("\(value) -> \(phase.rawValue)")
        }
        guard phase == Phase(state) else {
            let how = applied.isEmpty ? "with no decision applied" : "after " + path.joined(separator: ", ")
            return "went from \(before.rawValue) to \(state.rawValue) \(how)"
        }
        return nil
    }
}
