import ChorusWire
import HashTreeCollections

/// Operator commands and automatic decisions, checked against the agreed state and this
/// node's view before anything is proposed; one proposal at a time, commands first.
extension DecisionEngine {
    mutating func advance(now: Instant) {
        announceTurnChange()
        if log.isEmpty {
            foundIfAlone(now: now)
            return
        }
        guard proposal == nil else { return }
        while let command = commands.first {
            switch decisionValue(for: command.command) {
            case .failure(let rejection):
                commands.removeFirst()
                effects.append(.effect(.commandFinished(requestID: command.requestID, outcome: .rejected(reason: rejection.reason))))
            case .success(let value):
                propose(value, purpose: .command(requestID: command.requestID), now: now)
                return
            }
        }
        if let value = automaticDecision(now: now) { propose(value, purpose: .automatic, now: now) }
    }

    mutating func expireCommands(now: Instant) {
        let expired = commands.filter { now >= $0.deadline }
        guard !expired.isEmpty else { return }
        commands.removeAll { now >= $0.deadline }
        for command in expired {
            effects.append(.effect(.commandFinished(requestID: command.requestID, outcome: .noQuorum)))
            if case .command(command.requestID) = proposal?.purpose { proposal = nil }
        }
    }

    /// The value a command proposes, or why the state forbids it (answered 409).
    func decisionValue(for command: OperatorCommand) -> Result<DecisionValue, CommandRejection> {
        guard !agreed.removed.contains(id) else {
            return .failure(CommandRejection("this node was removed from the cluster: its commands change nothing; send them to a member"))
        }
        let status = upgradeStatus
        switch command {
        case .startUpgrade:
            guard agreed.phase == .stable else { return .failure(CommandRejection("an upgrade is already in progress (\(status.state.rawValue))")) }
            return upgradeStartRefusal().map { .failure($0) } ?? .success(.startUpgrade)
        case .cancelUpgrade:
            guard status.state == .readyToUpgrade else {
                let detail = status.state == .mixed ? ": members run a newer version; restart them on \(agreed.clusterVersion) first" : ""
                return .failure(CommandRejection("cancel needs READY_TO_UPGRADE, the cluster is \(status.state.rawValue)\(detail)"))
            }
            return .success(.cancelUpgrade)
        case .approveUpgrade:
            guard status.state == .readyToRunUpgradeTasks, let target = status.targetVersion else {
                let detail = status.waitingFor.map { ": \($0)" } ?? ""
                return .failure(CommandRejection("approve needs READY_TO_RUN_UPGRADE_TASKS, the cluster is \(status.state.rawValue)\(detail)"))
            }
            return .success(.approveUpgrade(targetVersion: target))
        case .retryUpgrade:
            guard status.state == .upgradeTasksFailed else {
                return .failure(CommandRejection("retry needs UPGRADE_TASKS_FAILED, the cluster is \(status.state.rawValue)"))
            }
            return .success(.retryUpgrade)
        case .removeMember(let member, let keepKey):
            guard keepKey ? agreed.isVoter(member) : !agreed.revoked.contains(member) else {
                return .failure(CommandRejection("\(displayName(of: member)) is not a voting member"))
            }
            if member == id || members[member]?.status == .alive || members[member]?.status == .suspect {
                return .failure(CommandRejection("\(displayName(of: member)) is alive; only a dead or departed member can be removed"))
            }
            return keepKey ? .success(.remove(member)) : revocation(of: member)
        case .revokeMember(let member):
            guard member != id else {
                return .failure(CommandRejection("a node cannot revoke itself: ask another member to revoke it"))
            }
            return revocation(of: member)
        case .revokeOperator(let name, let issuedBefore):
            let value = DecisionValue.revokeOperator(name: name, issuedBefore: issuedBefore)
            return agreed.voidReason(of: value, slot: nextSlot).map { .failure(CommandRejection("operator '\(name)': \($0)")) }
                ?? .success(value)
        case .startMaintenance(let message):
            return .success(.maintenanceOn(message: message))
        case .endMaintenance:
            return agreed.maintenanceMessage == nil ? .failure(CommandRejection("maintenance mode is already off")) : .success(.maintenanceOff)
        case .setBanner(let banner):
            return .success(.setBanner(banner))
        case .clearBanner:
            return agreed.banner == nil ? .failure(CommandRejection("no banner is set")) : .success(.clearBanner)
        case .installKey(let key):
            return keyringDecision(.installKey(key))
        case .useKey(let key):
            return keyringDecision(.useKey(key))
        case .removeKey(let key):
            return keyringDecision(.removeKey(key))
        case .acquireRebootSlot(let clientID, let group):
            switch DisruptionBudget.verdict(for: id, purpose: .reboot(clientID: clientID, group: group), agreed: agreed, members: members) {
            case .grant(let slot): return .success(.grantSlot(slot))
            case .alreadyHeld: return .failure(CommandRejection("client \(clientID) already holds this node's slot"))
            case .heldByAnother(let held): return .failure(CommandRejection("this node's slot is held by \(held.holderDescription)"))
            case .notAVoter: return .failure(CommandRejection("this node is not a voting member: the budget counts voting members"))
            case .spent(let out):
                let names = out.map(displayName).joined(separator: ", ")
                return .failure(CommandRejection(
                    "the disruption budget (\(agreed.maxUnavailable) at a time) is spent: out of service \(names.isEmpty ? "none" : names)"
                    + ", slots held \(agreed.disruptionSlots.count)"))
            }
        case .releaseRebootSlot(let clientID):
            guard let held = agreed.disruptionSlot(heldBy: id), case .reboot(clientID, _) = held.purpose else {
                return .failure(CommandRejection("client \(clientID) holds no slot on this node"))
            }
            return .success(.releaseSlot(holder: id, term: held.term))
        case .startRollout(let plan):
            if let stranger = plan.order.first(where: { !agreed.isVoter($0) }) {
                return .failure(CommandRejection("\(displayName(of: stranger)) is not a voting member"))
            }
            if agreed.phase == .stable, let refusal = upgradeStartRefusal() { return .failure(refusal) }
            return rolloutDecision(.startRollout(plan))
        case .pauseRollout:
            return rolloutDecision(.pauseRollout)
        case .resumeRollout:
            return rolloutDecision(.resumeRollout)
        case .abortRollout:
            return rolloutDecision(.abortRollout)
        case .releaseSlot(let member):
            guard let held = agreed.disruptionSlot(heldBy: member) else {
                return .failure(CommandRejection("\(displayName(of: member)) holds no slot"))
            }
            return .success(.releaseSlot(holder: member, term: held.term))
        }
    }

    /// Why an upgrade cannot start now: every voter must be alive and on the cluster version.
    private func upgradeStartRefusal() -> CommandRejection? {
        for voter in agreed.voters {
            guard let facts = members[voter], facts.status == .alive || voter == id else {
                return CommandRejection("voter \(displayName(of: voter)) is not alive; every voter must be alive to start")
            }
            guard facts.version == agreed.clusterVersion else {
                return CommandRejection("voter \(displayName(of: voter)) runs \(facts.version), not the cluster version \(agreed.clusterVersion)")
            }
        }
        return nil
    }

    private func rolloutDecision(_ value: DecisionValue) -> Result<DecisionValue, CommandRejection> {
        agreed.voidReason(of: value, slot: nextSlot).map { .failure(CommandRejection($0)) } ?? .success(value)
    }

    private func revocation(of member: NodeID) -> Result<DecisionValue, CommandRejection> {
        agreed.voidReason(of: .revoke(member), slot: nextSlot).map { .failure(CommandRejection("\(displayName(of: member)): \($0)")) }
            ?? .success(.revoke(member))
    }

    private func keyringDecision(_ value: DecisionValue) -> Result<DecisionValue, CommandRejection> {
        agreed.keyring.voidReason(of: value).map { .failure(CommandRejection($0)) } ?? .success(value)
    }

    /// Decisions the cluster makes for itself: admissions, the task lease, rollout turns, auto-approval.
    /// The first live voter in id order acts at once; the others after a grace period per live
    /// voter ahead of them (`automaticWait`).
    mutating func automaticDecision(now: Instant) -> DecisionValue? {
        if let value = leaseProposal(now: now) { return value }
        if let accepted = acceptor.accepted, let since = acceptedAt, now >= since + settings.recoveryDelay {
            // A slot stalled with a value accepted here (its proposer died?): finish it.
            return accepted.value
        }
        guard isVoter else { return nil }
        if let value = rolloutProposal() { return value }
        if settings.autoApprove || rolloutApproves, case .success(let value) = decisionValue(for: .approveUpgrade), isFirstInLine {
            return value
        }
        return admission(now: now)
    }

    /// Every compatible live member that is not a voter yet, up to one batch, in id order.
    private mutating func admission(now: Instant) -> DecisionValue? {
        if let admissionAnswer, now < admissionAnswer.until { return admissionAnswer.value }
        var candidates: [NodeID] = []
        var nextGraceEnd = Instant.distantFuture
        let wait = automaticWait
        // Members unsorted (candidates are sorted below), each distinct version parsed once.
        var compatible: [String: Bool] = [:]
        func isCompatible(_ version: String) -> Bool {
            if let known = compatible[version] { return known }
            let verdict = SemanticVersion.incompatibility(of: version, clusterVersion: agreed.clusterVersion) == nil
            compatible[version] = verdict
            return verdict
        }
        // Only the members admissible now stay watched.
        var watched: [NodeID: Instant] = [:]
        for (member, facts) in members
        where facts.status == .alive && agreed.isAdmissible(member) && isCompatible(facts.version) {
            let since = firstSeenUnadmitted[member] ?? now
            watched[member] = since
            if now >= since + wait {
                candidates.append(member)
            } else {
                nextGraceEnd = min(nextGraceEnd, since + wait)
            }
        }
        firstSeenUnadmitted = watched
        let value = candidates.isEmpty ? nil : DecisionValue.admit(Array(candidates.sorted().prefix(DecisionValue.maxAdmissionBatch)))
        admissionAnswer = (value, nextGraceEnd)
        return value
    }

    /// Slot 0: the founder, with no log and no word of a founded cluster, founds it alone.
    private mutating func foundIfAlone(now: Instant) {
        guard let foundNotBefore, now >= foundNotBefore, !heardOfFoundedCluster else { return }
        let value = DecisionValue.found(founder: id, clusterVersion: appVersion)
        let ballot = Ballot(round: 0, proposer: id)
        let vote = SignedStatement.sign(kind: .vote, body: Vote(slot: 0, ballot: ballot, value: value).encoded,
                                        clusterID: clusterID, signer: signer)
        decide(DecidedSlot(slot: 0, ballot: ballot, value: value, votes: [vote]), now: now)
    }
}

public struct CommandRejection: Error, Sendable, Equatable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}
