import ChorusCore

/// One action or check of a scenario script. Node numbers are 0-based here; scripts write them
/// 1-based, as the nodes are named.
public enum ScenarioCommand: Sendable, Equatable {
    case addNodes(Int)
    case kill([Int])
    /// `kill runner`: sudden death of the node running the upgrade tasks now.
    case killRunner
    case restart(Int, version: String?)
    case leave(Int)
    case pause(Int, for: Duration)
    /// `starve LIST DURATION stall S every P`: each node is stopped for S of every P, for the duration.
    case starve([Int], for: Duration, stall: Duration, every: Duration)
    case drift(Int, ppm: Int64)
    /// Symmetric: neither side reaches the other.
    case partition([Int], [Int])
    /// One-way: `from` cannot reach `to`, `to` still reaches `from`.
    case block(from: [Int], to: [Int])
    case heal
    case loss(Double)
    case duplicate(Double)
    case delay(Duration, Duration)
    case forge(Forgery, to: Int)
    /// `replay N to M [from K|spoofed]`: the last datagram captured from N on another path,
    /// delivered to M as if from node K (nil: a spoofed address).
    case replay(from: Int, to: Int, source: Int?)
    /// `replay acks of LIST`: keep their acks; answer probes of any of them that is down with them.
    case replayAcks([Int])
    /// `reflect BAIT at N`: a datagram from a spoofed address at N.
    case reflect(ReflectionBait, at: Int)
    /// `flood N with COUNT KIND as M over DURATION`.
    case flood(FloodKind, at: Int, as: Int, count: Int, over: Duration)
    /// `lie N KIND [about M [at current]] to all|LIST`: the insider N's signed lie; `at current`
    /// accuses M at its current incarnation rather than 2^64-1.
    case lie(InsiderLie, by: Int, about: Int?, to: ScenarioObservers, atCurrent: Bool = false)
    case run(Duration)
    /// An operator command given to a node's endpoint.
    case operate(ScenarioOperation, at: Int)
    /// The next this many runs of the upgrade tasks fail.
    case failTasks(Int)
    /// Runs of the upgrade tasks take this long from now on.
    case taskDuration(Duration)
    /// The next this many rollout turns fail (their node command exits non-zero).
    case failRolloutTurns(Int)
    /// Rollout turns take this long from now on.
    case rolloutTurnDuration(Duration)
    case expect(ScenarioExpectation)
}

/// `upgrade start|cancel|approve|retry at N`, `remove M at N` (and revoke its key, as an
/// operator's removal does), `revoke M at N` (alive or not), `reboot lock|unlock CLIENT at N`
/// (a FleetLock client on node N's host).
public enum ScenarioOperation: Sendable, Equatable {
    case start, cancel, approve, retry
    case remove(Int)
    case revoke(Int)
    case rebootLock(client: String)
    case rebootUnlock(client: String)
    /// `first`: the nodes the plan orders first.
    case rolloutStart(to: String, maxUnavailable: UInt8, first: [Int], approve: Bool)
    case rolloutPause, rolloutResume, rolloutAbort
    case rolloutRelease(Int)
}

/// What a scenario asserts about the cluster at that point of the run.
public enum ScenarioExpectation: Sendable, Equatable {
    /// `status` nil: the observers do not know the member at all.
    case member(Int, MemberStatus?, at: ScenarioObservers)
    case version(Int, String, at: ScenarioObservers)
    case incarnation(Int, above: UInt64, at: ScenarioObservers)
    /// `InvariantChecker.disagreement(in:)` finds nothing.
    case converged
    /// The last `run` produced no event of this kind anywhere.
    case noEvent(MembershipEvent.Kind)
    /// The invariant checker found nothing so far.
    case noViolations
    /// The checker found this kind of violation so far; the scenario expects it, so it does not
    /// fail the run.
    case violation(Violation.Invariant)
    /// Each observer derives this upgrade state (`all`: every running node).
    case state(UpgradeState, at: ScenarioObservers)
    case clusterVersion(String, at: ScenarioObservers)
    /// Each observer's log holds a disruption slot for this node (nil: no slot at all).
    case slot(Int?, at: ScenarioObservers)
    /// Each observer's log says the last rollout is in this state (`none`: there was none).
    case rollout(String, at: ScenarioObservers)
    /// The agreed log holds this many applied finishTasks decisions.
    case tasksFinished(Int)
    /// The task log holds this many starts of the tasks command.
    case tasksStarted(Int)
    /// The Nth operator command of the script (1-based) ended so: `committed`, `rejected`,
    /// `no-quorum`, or `pending` (no answer yet).
    case command(Int, outcome: String)
    /// The node's core counted at most (or at least) this many rejections for the reason
    /// (`CoreCounters.rejected`, a `RejectReason` raw value), in its current life.
    case rejected(Int, reason: String, atMost: Bool, count: UInt64)
}

/// Whose view an expectation reads.
public enum ScenarioObservers: Sendable, Equatable {
    /// Every running node but the subject.
    case all
    case nodes([Int])
}
