import ChorusWire
import HashTreeCollections

/// Learning: a value is decided once a majority of the slot's voters signed votes for the same
/// ballot and value. Proofs travel as those votes: to everyone after a decision, and on request
/// to anyone who is behind.
extension DecisionEngine {
    static let catchUpBatch: UInt64 = 8
    /// Votes are kept for this many slots past the next undecided one; further ones are dropped.
    static let pendingSlotWindow: UInt64 = 64

    mutating func handleVote(_ statement: SignedStatement, from sender: NodeID, now: Instant) {
        guard statement.kind == SignedStatement.Kind.vote.rawValue,
              let vote = try? Vote.decode(statement.body),
              vote.slot >= nextSlot, vote.slot < nextSlot + Self.pendingSlotWindow,
              statement.verify(clusterID: clusterID, scheme: scheme) else { return }
        if vote.slot > nextSlot { requestCatchUp(from: sender, now: now) }
        recordVote(statement, vote)
        decideReadySlots(now: now)
    }

    mutating func recordVote(_ statement: SignedStatement, _ vote: Vote) {
        let replaced = pendingVotes[vote.slot, default: [:]].updateValue(statement, forKey: statement.origin)
        if let replaced, let old = try? Vote.decode(replaced.body) { voteTally[vote.slot]?[old.ballot]? -= 1 }
        voteTally[vote.slot, default: [:]][vote.ballot, default: 0] += 1
    }

    /// Decides every slot, in order, whose votes now make a quorum under the log before it.
    /// The tally (votes per ballot, voters or not) rules slots out without decoding every vote
    /// again: at 1,000 voters, a full count per arriving vote was half the simulator's time.
    mutating func decideReadySlots(now: Instant) {
        while let votes = pendingVotes[nextSlot], mayHaveQuorum(nextSlot), let decided = quorumProof(in: votes) {
            decide(decided, now: now)
        }
    }

    private func mayHaveQuorum(_ slot: UInt64) -> Bool {
        // Slot 0 is proven by the founder's vote alone.
        slot == 0 || voteTally[slot]?.values.contains { $0 >= agreed.quorum } == true
    }

    /// The decided value in `votes` for the next slot, if a quorum of its voters agree.
    private func quorumProof(in votes: [NodeID: SignedStatement]) -> DecidedSlot? {
        var groups: [Ballot: (value: DecisionValue, statements: [SignedStatement])] = [:]
        // Votes that arrived together share one body buffer: decode each body once.
        var lastBody: [UInt8] = []
        var lastVote: Vote?
        for voter in votes.keys.sorted() {
            guard let statement = votes[voter] else { continue }
            if lastVote == nil || statement.body != lastBody {
                lastBody = statement.body
                lastVote = try? Vote.decode(statement.body)
            }
            guard let vote = lastVote else { continue }
            if nextSlot == 0 {
                // Slot 0 is the founding, proven by the founder alone.
                guard case .found(let founder, _) = vote.value, founder == voter else { continue }
                return DecidedSlot(slot: 0, ballot: vote.ballot, value: vote.value, votes: [statement])
            }
            guard agreed.isVoter(voter) else { continue }
            if let value = groups[vote.ballot]?.value, value != vote.value { continue } // one ballot carries one value
            // Appended in place: a group copied out and back was copied whole for every vote.
            groups[vote.ballot, default: (vote.value, [])].statements.append(statement)
        }
        for (ballot, group) in groups.sorted(by: { $0.key < $1.key }) where group.statements.count >= agreed.quorum {
            // Voters were visited in id order, so the first `quorum` are the proof.
            return DecidedSlot(slot: nextSlot, ballot: ballot, value: group.value,
                               votes: Array(group.statements.prefix(agreed.quorum)))
        }
        return nil
    }

    /// Appends a proven slot: durable first, then applied, then told to everyone concerned.
    mutating func decide(_ decided: DecidedSlot, now: Instant) {
        effects.append(.effect(.persistDecision(decided)))
        log.append(decided)
        pendingVotes[decided.slot] = nil
        voteTally[decided.slot] = nil
        let applied = agreed.apply(decided.value, slot: decided.slot)
        admissionAnswer = nil
        acceptor = AcceptorState(slot: nextSlot, highestRound: acceptor.highestRound)
        acceptedAt = nil
        effects.append(.effect(.decided(slot: decided.slot, value: decided.value, applied: applied)))
        if applied { noteLeaseDecision(decided, now: now) }
        if proposal?.slot == decided.slot, proposal?.ballot == decided.ballot {
            // Our ballot won: we are the one who knows first, so we spread the proof.
            let proof = VoteBundle.records(of: decided.votes)
            for member in members.keys.sorted() where member != id {
                effects.append(.send(proof, to: member))
            }
        }
        settleProposal(decided: decided)
    }

    /// Sends the proofs of up to `catchUpBatch` decided slots from `fromSlot`.
    mutating func sendProof(fromSlot: UInt64, to peer: NodeID) {
        guard fromSlot < nextSlot, peer != id else { return }
        let end = min(nextSlot, fromSlot + Self.catchUpBatch)
        let records = log[Int(fromSlot)..<Int(end)].flatMap { VoteBundle.records(of: $0.votes) }
        effects.append(.send(records, to: peer))
    }

    /// Asks `peer` for the slots we miss, at most once per round timeout.
    mutating func requestCatchUp(from peer: NodeID, now: Instant) {
        guard peer != id else { return }
        if let last = lastCatchUpRequest, now < last + settings.roundTimeout { return }
        lastCatchUpRequest = now
        send(.catchUp(fromSlot: nextSlot), to: peer)
    }
}
