import ChorusCore
import Logging

/// This node's rollout turn runs as a child task (`ChildTasks`), like the upgrade tasks: the log
/// starts it, and ends it when the turn's end is decided or the slot is taken back (an
/// operator's release), which cancels the run and puts the node back in service.
extension NodeRuntime {
    func runRolloutTurn(_ turn: RolloutTurn?) {
        guard let turn else {
            guard let running = runningTurn else { return }
            runningTurn = nil
            running.stop.finish()
            logger.notice("rollout turn ended by the cluster", metadata: ["term": "\(running.term)"])
            _ = try? setDraining(false)
            return
        }
        runningTurn?.stop.finish()
        let runner = RolloutTurnRunner(settings: rolloutSettings, runtime: self, checkApplication: checkApplication,
                                       logger: logger)
        let stop = children.spawnStoppable({ await runner.run(turn) }) { [weak self] failure in
            await self?.rolloutTurnEnded(term: turn.term, failure: failure)
        }
        runningTurn = (turn.term, stop)
    }

    /// Drains this node for turn `term`, unless that turn is no longer this node's (its slot was
    /// taken back): the check and the drain in one step on this actor, so a release that comes
    /// while the runner is on its way here cannot be followed by a drain nobody will lift.
    func drain(forTurn term: UInt32) throws -> Bool {
        guard runningTurn?.term == term else { return false }
        _ = try setDraining(true)
        return true
    }

    /// A reload's `[rollout]` settings: the next turn uses them.
    func updateRolloutSettings(_ settings: RolloutSettings) { rolloutSettings = settings }
}
