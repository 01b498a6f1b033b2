import ChorusWire

/// Acceptor side. Every promise and acceptance is persisted before it is answered, and an
/// acceptor answers only for its next undecided slot: other slots get a refusal that makes
/// the proposer (or this node) catch up first.
extension DecisionEngine {
    mutating func handlePrepare(slot: UInt64, ballot: Ballot, from proposer: NodeID, now: Instant) {
        guard admitsSlot(slot, from: proposer, now: now) else { return }
        if let promised = acceptor.promised, ballot < promised {
            reply(.refuse(slot: slot, promised: promised, nextSlot: nextSlot), to: proposer, now: now)
            return
        }
        if acceptor.promised != ballot {
            acceptor.promised = ballot
            acceptor.highestRound = max(acceptor.highestRound, ballot.round)
            persistAcceptor()
        }
        reply(.promise(slot: slot, ballot: ballot, accepted: acceptor.accepted), to: proposer, now: now)
    }

    mutating func handleAccept(slot: UInt64, ballot: Ballot, value: DecisionValue, from proposer: NodeID, now: Instant) {
        guard admitsSlot(slot, from: proposer, now: now) else { return }
        if let promised = acceptor.promised, ballot < promised {
            reply(.refuse(slot: slot, promised: promised, nextSlot: nextSlot), to: proposer, now: now)
            return
        }
        if case .grantLease = value, !leaseHasExpiredHere(now: now) {
            // Not yet: the current runner may still hold a valid lease by its own clock.
            reply(.refuse(slot: slot, promised: nil, nextSlot: nextSlot), to: proposer, now: now)
            return
        }
        let accepted = QuorumMessage.AcceptedValue(ballot: ballot, value: value)
        if acceptor.accepted != accepted || acceptor.promised != ballot {
            acceptor.promised = ballot
            acceptor.accepted = accepted
            acceptor.highestRound = max(acceptor.highestRound, ballot.round)
            acceptedAt = now
            persistAcceptor()
        }
        let content = Vote(slot: slot, ballot: ballot, value: value)
        let vote = SignedStatement.sign(kind: .vote, body: content.encoded, clusterID: clusterID, signer: signer)
        if proposer == id {
            handleVote(vote, from: id, now: now)
        } else {
            effects.append(.send(VoteBundle.records(of: [vote]), to: proposer))
            recordVote(vote, content)
        }
    }

    /// Only a voter answers, and only for its next undecided slot. A proposer behind us is told
    /// how far we are, not sent the proofs: it asked every voter at once, and all of them
    /// answering with up to 8 proofs each multiplied the proofs' traffic by the number of voters.
    /// It catches up from one of us (`handleRefuse` asks at most once per round timeout).
    /// A removed member proposes nothing: its own node's token (or a thief holding its key)
    /// must not change the cluster it was removed from (issue 15).
    private mutating func admitsSlot(_ slot: UInt64, from proposer: NodeID, now: Instant) -> Bool {
        guard !agreed.removed.contains(proposer) else { return false }
        if slot < nextSlot {
            if proposer != id { send(.refuse(slot: slot, promised: nil, nextSlot: nextSlot), to: proposer) }
            return false
        }
        guard isVoter else { return false }
        if slot > nextSlot {
            reply(.refuse(slot: slot, promised: nil, nextSlot: nextSlot), to: proposer, now: now)
            requestCatchUp(from: proposer, now: now)
            return false
        }
        return true
    }

    /// Answers a proposer; this node's own proposals are answered in place.
    private mutating func reply(_ message: QuorumMessage, to proposer: NodeID, now: Instant) {
        guard proposer == id else {
            send(message, to: proposer)
            return
        }
        switch message {
        case .promise(let slot, let ballot, let accepted):
            handlePromise(slot: slot, ballot: ballot, accepted: accepted, from: id, now: now)
        case .refuse(let slot, let promised, let theirNext):
            handleRefuse(slot: slot, promised: promised, theirNext: theirNext, from: id, now: now)
        case .prepare, .accept, .catchUp:
            break
        }
    }

    /// A takeover needs the old lease expired by this acceptor's clock, counted from when it
    /// learned the grant or last renewal, which is after the runner started counting.
    func leaseHasExpiredHere(now: Instant) -> Bool {
        guard agreed.lease != nil, let learnedAt = lease.learnedAt else { return true }
        return now >= learnedAt + agreedLeaseDuration
    }
}
