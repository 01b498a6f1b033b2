import ChorusCore
import ChorusWire

/// SPEC §11.4 over the shared task log and the agreed decision log.
///
/// - One runner: after every step, at most one run is in progress on a host that is not frozen.
///   A run is in progress from its start until its host stopped it, it finished, or the host
///   crashed or exited. A paused host's run is frozen with it (a VM freeze, or SIGSTOP of the
///   agent's process group); when the host resumes it must have stopped the run in that same
///   step if another run started meanwhile, which the after-every-step check sees.
/// - Fenced: a host starts tasks only for a term the agreed log granted to it.
/// - Exactly once: every applied `finishTasks(term)` (or `failTasks`) follows an approval that
///   no other finish or failure answered, and a run of that term really completed (or failed)
///   before it; at the end of a healed run (`unfinished`), no approval is left without one.
struct TaskChecker: Sendable {
    enum Finding: Equatable {
        case concurrentRuns(String)
        case unfencedStart(String)
        case finishedTwice(String)
        case finishedWithoutRun(String)
    }

    private var logSeen = 0
    private var running: [Int: UInt32] = [:]
    private var reportedOverlap: Set<[UInt32]> = []
    private var completed: Set<UInt32> = []
    private var failed: Set<UInt32> = []
    /// The agreed log as hosts decide it (agreement is DecisionLogChecker's), and how far read.
    private var slots: [UInt64: StepRecord.Decided] = [:]
    private var nextSlot: UInt64 = 0
    private var grants: [UInt32: NodeID] = [:]
    /// The slot of the approval whose tasks have not finished or failed yet.
    private(set) var openApproval: UInt64?
    private(set) var finishes = 0

    /// Checks one step; `node` took it and decided `decided`.
    mutating func check(_ record: StepRecord, in cluster: SimulatedCluster) -> (checked: Int, findings: [Finding]) {
        var findings: [Finding] = []
        var checked = 0
        for decided in record.decided where slots[decided.slot] == nil { slots[decided.slot] = decided }
        while let decided = slots[nextSlot] {
            nextSlot += 1
            guard decided.applied else { continue }
            if TransitionChecker.edge(of: decided.value) != nil { checked += 1 }
            findings += follow(decided)
        }
        for entry in cluster.taskLog[logSeen...] {
            checked += 1
            switch entry.kind {
            case .started:
                if grants[entry.term] != cluster.nodeID(of: entry.node) {
                    findings.append(.unfencedStart("\(cluster.name(of: entry.node)) started term \(entry.term), which the agreed log "
                        + (grants[entry.term].map { "granted to \(cluster.index(of: $0).map(cluster.name(of:)) ?? $0.short)" } ?? "never granted")))
                }
                running[entry.node] = entry.term
            case .finished(let failure):
                if failure == nil { completed.insert(entry.term) } else { failed.insert(entry.term) }
                running[entry.node] = nil
            case .stopped, .killed:
                running[entry.node] = nil
            }
        }
        logSeen = cluster.taskLog.count
        let active = running.filter { !cluster.isPaused($0.key) }.sorted { $0.key < $1.key }
        if active.count > 1, reportedOverlap.insert(active.map(\.value)).inserted {
            let who = active.map { "\(cluster.name(of: $0.key)) (term \($0.value))" }.joined(separator: " and ")
            findings.append(.concurrentRuns("\(who) run the upgrade tasks at once"))
        }
        return (checked, findings)
    }

    private mutating func follow(_ decided: StepRecord.Decided) -> [Finding] {
        switch decided.value {
        case .approveUpgrade:
            openApproval = decided.slot
        case .grantLease(let runner, let term, _):
            grants[term] = runner
        case .finishTasks(let term), .failTasks(let term, _):
            let success = if case .finishTasks = decided.value { true } else { false }
            if success { finishes += 1 }
            guard let approval = openApproval else {
                return [.finishedTwice("slot \(decided.slot) \(decided.value) answers no open approval: the approved tasks finished twice")]
            }
            openApproval = nil
            guard (success ? completed : failed).contains(term) else {
                return [.finishedWithoutRun("slot \(decided.slot) \(decided.value) for the approval in slot \(approval), "
                    + "but no run of term \(term) \(success ? "completed" : "failed")")]
            }
        case .found, .admit, .remove, .startUpgrade, .cancelUpgrade, .retryUpgrade, .renewLease,
             .maintenanceOn, .maintenanceOff, .setBanner, .clearBanner, .installKey, .useKey, .removeKey,
             .revoke, .revokeOperator, .grantSlot, .releaseSlot, .startRollout, .pauseRollout, .resumeRollout,
             .abortRollout, .endRolloutTurn:
            break
        }
        return []
    }
}
