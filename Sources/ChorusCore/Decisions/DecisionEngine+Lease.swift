import ChorusWire

/// The upgrade-tasks lease (SPEC §4): one runner at a time, fenced by a term. The runner counts
/// its lease from before the acceptors voted and gives up early; others may take over only a
/// full lease after they learned the last renewal. With clock rates within 10% of each other,
/// the runner has always stopped before anyone else may start.
extension DecisionEngine {
    /// The runner's share of the lease: what it may use of it, leaving room for clock drift.
    static let runnerLeaseShare = 0.8

    mutating func noteLeaseDecision(_ decided: DecidedSlot, now: Instant) {
        switch decided.value {
        case .grantLease(let runner, let term, _):
            lease.learnedAt = now
            stopOwnTasks(unless: runner == id ? term : nil)
            guard runner == id else { return }
            lease.runningTerm = term
            lease.outcome = nil
            // Timed from our own first accepts of this grant, even when another proposer's ballot
            // carried it (`ownAcceptStart`). Should that time be unknown, the lease is timed by a
            // renewal of our own first (`leaseProposal`), and the tasks start then.
            lease.validUntil = nil
            startTasksIfTimed(decided)
        case .renewLease(let term):
            lease.learnedAt = now
            if term == lease.runningTerm { startTasksIfTimed(decided) }
        case .finishTasks, .failTasks, .remove, .revoke:
            if agreed.lease == nil {
                lease.learnedAt = nil
                stopOwnTasks(unless: nil)
            }
        case .approveUpgrade:
            lease.freeSince = now
        case .found, .admit, .startUpgrade, .cancelUpgrade, .retryUpgrade, .maintenanceOn, .maintenanceOff, .setBanner, .clearBanner,
             .installKey, .useKey, .removeKey, .revokeOperator, .grantSlot, .releaseSlot,
             .startRollout, .pauseRollout, .resumeRollout, .abortRollout, .endRolloutTurn:
            break
        }
    }

    /// Times the runner's lease from this node's own winning ballot, if it was ours, and starts
    /// the tasks if they were waiting for that.
    private mutating func startTasksIfTimed(_ decided: DecidedSlot) {
        guard let term = lease.runningTerm, let start = ownAcceptStart(for: decided) else { return }
        let waiting = lease.validUntil == nil
        lease.validUntil = start + agreedLeaseDuration.scaled(by: Self.runnerLeaseShare)
        if waiting, case .runningTasks(let from, let to) = agreed.phase {
            effects.append(.effect(.startTasks(TaskAssignment(term: term, fromVersion: from, toVersion: to, attempt: agreed.attempts))))
        }
    }

    /// When this node first sent, in the decided slot, accepts carrying the decided lease value.
    /// Only the runner proposes a grant naming itself or a renewal of its term, so no acceptor
    /// can have voted for the value earlier, even when another proposer's ballot carried it
    /// to the decision (Paxos carries accepted values forward).
    private func ownAcceptStart(for decided: DecidedSlot) -> Instant? {
        guard let sent = lease.firstAcceptSent, sent.slot == decided.slot, sent.value == decided.value else { return nil }
        return sent.at
    }

    /// Called when this node starts phase 2: remembers when a lease value of its own first went out.
    mutating func noteAcceptSent(_ value: DecisionValue, slot: UInt64, now: Instant) {
        switch value {
        case .grantLease(let runner, _, _) where runner == id: break
        case .renewLease(let term) where term == lease.runningTerm: break
        default: return
        }
        if let sent = lease.firstAcceptSent, sent.slot == slot, sent.value == value { return }
        lease.firstAcceptSent = (slot, value, now)
    }

    /// The runner's lease ran out without a renewal: stop before anyone may take over.
    mutating func checkLease(now: Instant) {
        guard lease.runningTerm != nil, let validUntil = lease.validUntil, now >= validUntil else { return }
        stopOwnTasks(unless: nil)
    }

    private mutating func stopOwnTasks(unless keptTerm: UInt32?) {
        guard let term = lease.runningTerm, term != keptTerm else { return }
        // Tasks run only once the lease is timed (`validUntil` set).
        if lease.outcome == nil, lease.validUntil != nil { effects.append(.effect(.stopTasks(term: term))) }
        lease.runningTerm = nil
        lease.validUntil = nil
        lease.outcome = nil
    }

    /// What the lease asks of this node now, if anything: report the outcome, renew, or take over.
    func leaseProposal(now: Instant) -> DecisionValue? {
        guard case .runningTasks = agreed.phase else { return nil }
        if let term = lease.runningTerm, agreed.lease?.term == term {
            if let outcome = lease.outcome {
                return outcome.failure.map { .failTasks(term: term, reason: $0) } ?? .finishTasks(term: term)
            }
            // Granted but not yet timed: renew at once with a ballot of our own.
            if lease.validUntil == nil { return .renewLease(term: term) }
            let renewAt = (lease.learnedAt ?? now) + agreedLeaseDuration / 3
            return now >= renewAt ? .renewLease(term: term) : nil
        }
        guard leaseHasExpiredHere(now: now), isVoter else { return nil }
        // The first live voter takes the lease at once; the others only if it has not, in turn.
        let freeSince = lease.learnedAt.map { $0 + agreedLeaseDuration } ?? lease.freeSince ?? now
        // 2^32 - 1 terms is the end: void by `voidReason` too: no runner is ever granted one past it.
        guard now >= freeSince + automaticWait, agreed.lastTerm < UInt32.max else { return nil }
        return .grantLease(runner: id, term: agreed.lastTerm + 1, durationMilliseconds: Self.milliseconds(settings.leaseDuration))
    }

    /// The lease as the decided grant set it; this node's own setting only shapes the grants it proposes.
    var agreedLeaseDuration: Duration { agreed.lease?.duration ?? settings.leaseDuration }

    /// A setting as the grant carries it, clamped into the range every agent accepts.
    static func milliseconds(_ duration: Duration) -> UInt32 {
        let milliseconds = duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000
        let range = AgreedState.leaseDurationRange
        return UInt32(min(max(milliseconds, Int64(range.lowerBound)), Int64(range.upperBound)))
    }
}
