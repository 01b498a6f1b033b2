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
        case .grantLease(let runner, let term):
            lease.learnedAt = now
            stopOwnTasks(unless: runner == id ? term : nil)
            guard runner == id, let start = ownAcceptStart(for: decided) else { return }
            lease.validUntil = start + settings.leaseDuration.scaled(by: Self.runnerLeaseShare)
            lease.runningTerm = term
            lease.outcome = nil
            if case .runningTasks(let from, let to) = agreed.phase {
                effects.append(.startTasks(TaskAssignment(term: term, fromVersion: from, toVersion: to, attempt: agreed.attempts)))
            }
        case .renewLease(let term):
            lease.learnedAt = now
            if term == lease.runningTerm, let start = ownAcceptStart(for: decided) {
                lease.validUntil = start + settings.leaseDuration.scaled(by: Self.runnerLeaseShare)
            }
        case .finishTasks, .failTasks, .remove:
            if agreed.lease == nil {
                lease.learnedAt = nil
                stopOwnTasks(unless: nil)
            }
        case .found, .admit, .startUpgrade, .cancelUpgrade, .approveUpgrade, .retryUpgrade:
            break
        }
    }

    /// When this node sent the accepts that won `decided`: only the proposer knows that time.
    private func ownAcceptStart(for decided: DecidedSlot) -> Instant? {
        guard let current = proposal, current.slot == decided.slot, current.ballot == decided.ballot,
              case .accepting(_, let sentAt) = current.stage else { return nil }
        return sentAt
    }

    /// The runner's lease ran out without a renewal: stop before anyone may take over.
    mutating func checkLease(now: Instant) {
        guard lease.runningTerm != nil, let validUntil = lease.validUntil, now >= validUntil else { return }
        stopOwnTasks(unless: nil)
    }

    private mutating func stopOwnTasks(unless keptTerm: UInt32?) {
        guard let term = lease.runningTerm, term != keptTerm else { return }
        if lease.outcome == nil { effects.append(.stopTasks(term: term)) }
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
            let renewAt = (lease.learnedAt ?? now) + settings.leaseDuration / 3
            return now >= renewAt ? .renewLease(term: term) : nil
        }
        guard leaseHasExpiredHere(now: now), isVoter else { return nil }
        return .grantLease(runner: id, term: agreed.lastTerm + 1)
    }
}
