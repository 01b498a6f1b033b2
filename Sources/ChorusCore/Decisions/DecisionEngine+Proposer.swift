import ChorusWire

/// Proposer side: phase 1 (prepare, promises), phase 2 (accept), retries with higher ballots.
extension DecisionEngine {
    mutating func propose(_ value: DecisionValue, purpose: Proposal.Purpose, now: Instant) {
        proposal = Proposal(slot: nextSlot, ballot: Ballot(round: 0, proposer: id), wanted: value,
                            purpose: purpose, stage: .waiting(until: now), roundDeadline: now)
        startRound(now: now)
    }

    /// A new ballot above every round seen, made durable before it is sent, so that a restart
    /// can never reuse a ballot with a different value.
    /// Any certificate holder can send a round up to UInt32.max: at the top the round saturates,
    /// and a ballot at the last round still outranks equal rounds of lower proposer ids. A round
    /// never traps; docs/security.md says what an insider can still delay this way.
    mutating func startRound(now: Instant) {
        guard var current = proposal else { return }
        acceptor.highestRound = min(acceptor.highestRound, UInt32.max - 1) + 1
        persistAcceptor()
        current.slot = nextSlot
        current.ballot = Ballot(round: acceptor.highestRound, proposer: id)
        current.stage = .preparing(promised: [], highestAccepted: nil)
        current.roundDeadline = now + settings.roundTimeout
        proposal = current
        for voter in otherVoters { send(.prepare(slot: current.slot, ballot: current.ballot), to: voter) }
        if isVoter { handlePrepare(slot: current.slot, ballot: current.ballot, from: id, now: now) }
    }

    mutating func handlePromise(slot: UInt64, ballot: Ballot, accepted: QuorumMessage.AcceptedValue?,
                                from voter: NodeID, now: Instant) {
        guard var current = proposal, current.slot == slot, current.ballot == ballot, agreed.isVoter(voter),
              case .preparing(var promised, var highest) = current.stage else { return }
        promised.insert(voter)
        if let accepted, highest.map({ accepted.ballot > $0.ballot }) ?? true { highest = accepted }
        guard promised.count >= agreed.quorum else {
            current.stage = .preparing(promised: promised, highestAccepted: highest)
            proposal = current
            return
        }
        // Paxos: a value some acceptor may already have voted for must be carried forward.
        let value = highest?.value ?? current.wanted
        noteAcceptSent(value, slot: slot, now: now)
        current.stage = .accepting
        current.roundDeadline = now + settings.roundTimeout
        proposal = current
        for voter in otherVoters { send(.accept(slot: slot, ballot: ballot, value: value), to: voter) }
        if isVoter { handleAccept(slot: slot, ballot: ballot, value: value, from: id, now: now) }
    }

    /// A refusal with a higher promise, or from a voter ahead of us, ends the round. One from a
    /// voter behind the slot names no rival ballot: the other voters may still make a majority,
    /// and a voter that cannot catch up (its disk is full) would otherwise stop every round.
    mutating func handleRefuse(slot: UInt64, promised: Ballot?, theirNext: UInt64, from peer: NodeID, now: Instant) {
        if theirNext > nextSlot { requestCatchUp(from: peer, now: now) }
        if let promised, promised.round > acceptor.highestRound { acceptor.highestRound = promised.round }
        guard let current = proposal, current.slot == slot else { return }
        if case .waiting = current.stage { return }
        if promised == nil, theirNext < slot { return }
        backOff(now: now)
    }

    /// Lost or stalled round: wait a random part of a round, so duelling proposers separate.
    mutating func backOff(now: Instant) {
        guard var current = proposal else { return }
        let jitter = Int64.random(in: 0...settings.roundTimeout.nanoseconds, using: &random)
        current.stage = .waiting(until: now + .nanoseconds(jitter))
        proposal = current
    }

    /// Round timeouts and the end of back-off.
    mutating func checkRound(now: Instant) {
        guard let current = proposal else { return }
        switch current.stage {
        case .waiting(let until):
            if now >= until { startRound(now: now) }
        case .preparing, .accepting:
            if now >= current.roundDeadline { backOff(now: now) }
        }
    }

    /// The slot this proposal was for is decided: report to the operator if it was a command.
    mutating func settleProposal(decided: DecidedSlot) {
        guard let current = proposal, current.slot == decided.slot else { return }
        proposal = nil
        guard case .command(let requestID) = current.purpose, decided.value == current.wanted else { return }
        commands.removeAll { $0.requestID == requestID }
        effects.append(.effect(.commandFinished(requestID: requestID, outcome: .committed(slot: decided.slot, value: decided.value))))
    }
}
