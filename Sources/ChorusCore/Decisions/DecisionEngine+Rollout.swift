import ChorusWire

/// What the engine keeps of this node's own rollout turn (not durable: a restart announces the
/// turn the log says it holds, and the shell runs it again).
struct RolloutTurnClock: Sendable {
    var announced: RolloutTurn?
    /// The shell's word that the announced turn ended; proposed until decided.
    var outcome: (term: UInt32, failure: String?)?
}

/// Rollouts (SPEC §13) without a leader: each voting member takes its own turn when the log says
/// it is due and the budget allows, and ends it when its shell says so. No member drives others.
extension DecisionEngine {
    /// The turn the log gives this node: the rollout slot it holds.
    var ownTurn: RolloutTurn? {
        guard let slot = agreed.disruptionSlot(heldBy: id), case .rollout(let attempt) = slot.purpose,
              let rollout = agreed.rollout else { return nil }
        return RolloutTurn(term: slot.term, attempt: attempt, fromVersion: rollout.fromVersion,
                           toVersion: rollout.plan.targetVersion)
    }

    /// Tells the shell when this node's turn begins or ends; an outcome of an earlier turn goes.
    mutating func announceTurnChange() {
        let turn = ownTurn
        guard turn != rolloutTurn.announced else { return }
        rolloutTurn = RolloutTurnClock(announced: turn, outcome: nil)
        effects.append(.effect(.rolloutTurn(turn)))
    }

    /// This node's next rollout decision: the end of its turn, or its next turn when it is due
    /// (among the first `maxUnavailable` members still to go) and the budget allows it.
    func rolloutProposal() -> DecisionValue? {
        if let outcome = rolloutTurn.outcome {
            return .endRolloutTurn(holder: id, term: outcome.term, failure: outcome.failure)
        }
        guard let rollout = agreed.rollout, rollout.status == .running, isVoter, agreed.disruptionSlot(heldBy: id) == nil,
              rollout.due(among: agreed.voters).prefix(Int(rollout.plan.maxUnavailable)).contains(id) else { return nil }
        let purpose = DisruptionSlot.Purpose.rollout(attempt: (rollout.attempts[id] ?? 0) + 1)
        guard case .grant(let slot) = DisruptionBudget.verdict(for: id, purpose: purpose, agreed: agreed, members: members) else {
            return nil
        }
        return .grantSlot(slot)
    }

    /// A finished rollout started with `--approve` approves its upgrade once the voters run its version.
    var rolloutApproves: Bool {
        guard let rollout = agreed.rollout, rollout.status == .finished, rollout.plan.approve else { return false }
        return upgradeStatus.targetVersion == rollout.plan.targetVersion
    }
}
