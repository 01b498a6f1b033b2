import ChorusCore

/// A host's shell for its rollout turns (SPEC §13), as the agent's would run them: the turn
/// takes `rolloutTurnDuration`, then the host's application runs the target version (the
/// agent's version check sees it) and the core hears that the turn ended; or the node command
/// fails (`failingRolloutTurns`) and the application stays as it was.
extension SimulatedCluster {
    /// The core announced a turn (or its end, nil): the run starts, or stops.
    mutating func startRolloutTurn(_ turn: RolloutTurn?, on index: Int) {
        guard let turn else {
            hosts[index].rolloutTurn = nil
            return
        }
        rolloutTurnRuns += 1
        hosts[index].rolloutTurn = (ShellRun(term: turn.term, serial: rolloutTurnRuns), turn)
        queue.push(.rolloutTurnEnd(node: index, serial: rolloutTurnRuns), at: now + rolloutTurnDuration)
    }

    /// The turn's end reaches the core; a frozen host notices at its resume.
    mutating func endRolloutTurn<Observer: SimulationObserver>(_ index: Int, serial: Int, observer: inout Observer) {
        guard let (run, turn) = hosts[index].rolloutTurn, run.serial == serial,
              !postponedWhilePaused(index, .rolloutTurnEnd(node: index, serial: serial)) else { return }
        hosts[index].rolloutTurn = nil
        var failure: String?
        if failingRolloutTurns > 0 {
            failingRolloutTurns -= 1
            failure = "simulated failure of the node command"
        } else {
            hosts[index].appVersion = turn.toVersion
            let local = localNow(index)
            let upgraded = hosts[index].updateCore { $0.setApplicationFacts(version: turn.toVersion, health: .unknown, now: local) }!
            finishStep(index, cause: .tasks, effects: upgraded, hostileChange: false, observer: &observer)
        }
        let local = localNow(index)
        let effects = hosts[index].updateCore { $0.rolloutTurnEnded(term: run.term, failure: failure, now: local) }!
        finishStep(index, cause: .tasks, effects: effects, hostileChange: false, observer: &observer)
    }
}
