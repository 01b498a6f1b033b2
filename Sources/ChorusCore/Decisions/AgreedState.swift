import ChorusWire

/// What the decision log alone says: voters, cluster version, upgrade phase, task lease,
/// maintenance mode, the announcement banner and the disruption budget's slots.
/// Every agent applies the same log in the same order, so every agent holds the same value;
/// nothing here depends on a clock or on gossip.
public struct AgreedState: Sendable, Equatable {
    public enum Phase: Sendable, Equatable {
        case stable
        /// Upgrade mode: members may be restarted on a newer version (READY_TO_UPGRADE, MIXED,
        /// READY_TO_RUN_UPGRADE_TASKS are told apart by the members' versions).
        case upgrading(originalVersion: String)
        case runningTasks(originalVersion: String, targetVersion: String)
        case tasksFailed(originalVersion: String, targetVersion: String, reason: String)
    }

    public struct Lease: Sendable, Equatable {
        public var runner: NodeID
        public var term: UInt32
        /// The slot of the grant or of the latest renewal.
        public var renewedInSlot: UInt64
        /// How long the lease lasts after each grant or renewal, as the grant said.
        public var duration: Duration
    }

    /// Lease durations a grant may carry: below a second renewals would flood the log, above an
    /// hour a dead runner would stall the upgrade for longer than any operator waits.
    public static let leaseDurationRange: ClosedRange<UInt32> = 1_000...3_600_000

    public private(set) var founder: NodeID?
    /// Sorted, so every agent iterates voters in the same order.
    public private(set) var voters: [NodeID] = []
    /// Members that never vote again; their proposals change nothing (issue 15).
    public private(set) var removed: Set<NodeID> = []
    /// Keys every agent refuses, certificate or not (a subset of `removed`).
    public private(set) var revoked: Set<NodeID> = []
    /// Operator credentials issued at or before this Unix second are refused, by name.
    public private(set) var revokedOperators: [String: UInt64] = [:]
    public private(set) var clusterVersion = ""
    public private(set) var phase = Phase.stable
    public private(set) var lease: Lease?
    /// The highest fencing term ever granted; a new grant must take the next one.
    public private(set) var lastTerm: UInt32 = 0
    /// Attempts at the tasks of the current upgrade (grants since the approval).
    public private(set) var attempts: UInt32 = 0
    /// The maintenance message while maintenance mode is on (possibly empty); nil when off.
    public private(set) var maintenanceMessage: String?
    /// The banner as decided, expired or not: each agent hides it by its own wall clock.
    public private(set) var banner: AnnouncementBanner?
    public private(set) var keyring = AgreedKeyring()
    /// The disruption budget (SPEC §13): the slots held, in grant order.
    public private(set) var disruptionSlots: [DisruptionSlot] = []
    /// The highest slot term ever granted; a new grant must take the next one.
    public private(set) var lastSlotTerm: UInt32 = 0
    /// How many voting members may be out of service at once because of a slot (SPEC §13): 1,
    /// or what the rollout under way asked for.
    public private(set) var maxUnavailable = 1
    /// The last rollout started, finished or not.
    public private(set) var rollout: AgreedRollout?

    public init() {}

    public var isFounded: Bool { founder != nil }
    /// A majority of voters: any two such sets share a member.
    public var quorum: Int { voters.count / 2 + 1 }
    /// 9999-12-31T23:59:59Z in Unix seconds.
    static let latestBannerExpiry: UInt64 = 253_402_300_799

    /// Binary search: every datagram's votes are checked against up to thousands of voters.
    public func isVoter(_ id: NodeID) -> Bool {
        let position = insertionPoint(of: id)
        return position < voters.endIndex && voters[position] == id
    }

    /// Where `id` is or would go in the sorted voters.
    private func insertionPoint(of id: NodeID) -> Int {
        var (low, high) = (voters.startIndex, voters.endIndex)
        while low < high {
            let middle = (low + high) / 2
            if voters[middle] < id { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Neither a voter already nor removed (a removed member never votes again).
    func isAdmissible(_ id: NodeID) -> Bool { !removed.contains(id) && !isVoter(id) }

    /// Whether an operator credential of `name` issued at `issuedAt` was revoked.
    public func hasRevokedOperator(_ name: String, issuedAt: UInt64) -> Bool {
        revokedOperators[name].map { issuedAt <= $0 } ?? false
    }

    /// A running rollout with every voter done is finished, and the budget is back to 1.
    private mutating func noteRolloutProgress() {
        guard let current = rollout, current.status == .running, current.due(among: voters).isEmpty else { return }
        rollout?.status = .finished
        maxUnavailable = 1
    }

    /// The slot `member` holds, if any: a member holds at most one.
    public func disruptionSlot(heldBy member: NodeID) -> DisruptionSlot? {
        disruptionSlots.first { $0.holder == member }
    }

    public var targetVersion: String? {
        switch phase {
        case .runningTasks(_, let target), .tasksFailed(_, let target, _): target
        case .stable, .upgrading: nil
        }
    }

    public var originalVersion: String? {
        switch phase {
        case .stable: nil
        case .upgrading(let original), .runningTasks(let original, _), .tasksFailed(let original, _, _): original
        }
    }

    /// Why `value` would have no effect in slot `slot` of this log, or nil when it applies.
    public func voidReason(of value: DecisionValue, slot: UInt64) -> String? {
        switch value {
        case .found:
            return slot == 0 && !isFounded ? nil : "the cluster is already founded"
        case .admit(let members):
            return members.contains(where: isAdmissible) ? nil : "every member named is already a voter or was removed"
        case .remove(let member):
            return isVoter(member) ? nil : "not a voter"
        case .revoke(let member):
            guard voters != [member] else { return "the cluster's only voter cannot be revoked" }
            return revoked.contains(member) ? "already revoked" : nil
        case .revokeOperator(let name, let issuedBefore):
            return (revokedOperators[name] ?? 0) >= issuedBefore ? "already revoked" : nil
        case .startUpgrade:
            return phase == .stable ? nil : "an upgrade is already in progress"
        case .cancelUpgrade, .approveUpgrade:
            if case .upgrading = phase { return nil }
            return "the cluster is not in upgrade mode"
        case .retryUpgrade:
            if case .tasksFailed = phase { return nil }
            return "the upgrade tasks have not failed"
        case .grantLease(_, let term, let duration):
            guard case .runningTasks = phase else { return "no upgrade tasks to run" }
            guard Self.leaseDurationRange.contains(duration) else { return "lease duration \(duration) ms is out of range" }
            return lastTerm < UInt32.max && term == lastTerm + 1 ? nil : "stale lease term \(term)"
        case .renewLease(let term), .finishTasks(let term), .failTasks(let term, _):
            guard case .runningTasks = phase else { return "no upgrade tasks are running" }
            return lease?.term == term ? nil : "term \(term) is not the current lease"
        case .maintenanceOn:
            return nil
        case .setBanner(let banner):
            // A proposer's number reaches every agent's date formatting: the year 9999 is the end.
            return (banner.expiresAt ?? 0) <= Self.latestBannerExpiry ? nil : "banner expiry is out of range"

        case .maintenanceOff:
            return maintenanceMessage == nil ? "maintenance mode is not on" : nil
        case .clearBanner:
            return banner == nil ? "no banner is set" : nil
        case .installKey, .useKey, .removeKey:
            return keyring.voidReason(of: value)
        case .grantSlot(let slot):
            guard isVoter(slot.holder) else { return "the slot holder is not a voter" }
            guard disruptionSlot(heldBy: slot.holder) == nil else { return "the member already holds a slot" }
            guard disruptionSlots.count < maxUnavailable else { return "the disruption budget is spent" }
            guard lastSlotTerm < UInt32.max, slot.term == lastSlotTerm + 1 else { return "stale slot term \(slot.term)" }
            guard case .rollout(let attempt) = slot.purpose else { return nil }
            guard let rollout, rollout.status == .running else { return "no rollout is running" }
            guard rollout.due(among: voters).prefix(Int(rollout.plan.maxUnavailable)).contains(slot.holder) else {
                return "it is not the member's turn"
            }
            return attempt == (rollout.attempts[slot.holder] ?? 0) + 1 ? nil : "stale rollout attempt \(attempt)"
        case .releaseSlot(let holder, let term):
            return disruptionSlot(heldBy: holder)?.term == term ? nil : "no slot of term \(term) is held"
        case .startRollout(let plan):
            if rollout?.status.isActive == true { return "a rollout is under way; abort it first" }
            guard (1...RolloutPlan.maxUnavailableLimit).contains(plan.maxUnavailable) else { return "max unavailable out of range" }
            switch phase {
            case .stable, .upgrading: return nil
            case .runningTasks, .tasksFailed: return "the upgrade tasks have run or failed; finish or retry them first"
            }
        case .pauseRollout:
            return rollout?.status == .running ? nil : "no rollout is running"
        case .resumeRollout:
            switch rollout?.status {
            case .paused, .halted: return nil
            default: return "no rollout is paused or halted"
            }
        case .abortRollout:
            return rollout?.status.isActive == true ? nil : "no rollout is under way"
        case .endRolloutTurn(let holder, let term, _):
            guard let held = disruptionSlot(heldBy: holder), held.term == term, case .rollout = held.purpose else {
                return "no rollout turn of term \(term) is held"
            }
            return nil
        }
    }

    /// Applies a decided value; a void one (see `voidReason`) changes nothing. Returns whether it applied.
    @discardableResult
    public mutating func apply(_ value: DecisionValue, slot: UInt64) -> Bool {
        guard voidReason(of: value, slot: slot) == nil else { return false }
        switch value {
        case .found(let founderID, let version):
            founder = founderID
            voters = [founderID]
            clusterVersion = version
        case .admit(let members):
            for member in members where isAdmissible(member) {
                voters.insert(member, at: insertionPoint(of: member))
            }
        case .remove(let member):
            voters.removeAll { $0 == member }
            removed.insert(member)
            if lease?.runner == member { lease = nil }
            disruptionSlots.removeAll { $0.holder == member }
            noteRolloutProgress()
        case .revoke(let member):
            voters.removeAll { $0 == member }
            removed.insert(member)
            revoked.insert(member)
            if lease?.runner == member { lease = nil }
            disruptionSlots.removeAll { $0.holder == member }
            noteRolloutProgress()
        case .revokeOperator(let name, let issuedBefore):
            revokedOperators[name] = issuedBefore
        case .startUpgrade:
            phase = .upgrading(originalVersion: clusterVersion)
        case .cancelUpgrade:
            phase = .stable
        case .approveUpgrade(let target):
            phase = .runningTasks(originalVersion: clusterVersion, targetVersion: target)
            attempts = 0
        case .retryUpgrade:
            phase = .upgrading(originalVersion: clusterVersion)
        case .grantLease(let runner, let term, let duration):
            lease = Lease(runner: runner, term: term, renewedInSlot: slot, duration: .milliseconds(duration))
            lastTerm = term
            attempts += 1
        case .renewLease:
            lease?.renewedInSlot = slot
        case .finishTasks:
            if case .runningTasks(_, let target) = phase { clusterVersion = target }
            phase = .stable
            lease = nil
        case .failTasks(_, let reason):
            if case .runningTasks(let original, let target) = phase {
                phase = .tasksFailed(originalVersion: original, targetVersion: target, reason: reason)
            }
            lease = nil
        case .maintenanceOn(let message):
            maintenanceMessage = message
        case .maintenanceOff:
            maintenanceMessage = nil
        case .setBanner(let newBanner):
            banner = newBanner
        case .clearBanner:
            banner = nil
        case .installKey, .useKey, .removeKey:
            keyring.apply(value)
        case .grantSlot(let slot):
            disruptionSlots.append(slot)
            lastSlotTerm = slot.term
            if case .rollout(let attempt) = slot.purpose { rollout?.attempts[slot.holder] = attempt }
        case .releaseSlot(let holder, _):
            disruptionSlots.removeAll { $0.holder == holder }
        case .startRollout(let plan):
            rollout = AgreedRollout(number: (rollout?.number ?? 0) + 1, plan: plan, fromVersion: clusterVersion,
                                    startedUpgrade: phase == .stable)
            maxUnavailable = Int(plan.maxUnavailable)
            if phase == .stable { phase = .upgrading(originalVersion: clusterVersion) }
        case .pauseRollout:
            rollout?.status = .paused
        case .resumeRollout:
            rollout?.status = .running
        case .abortRollout:
            rollout?.status = .aborted
            maxUnavailable = 1
        case .endRolloutTurn(let holder, _, let failure):
            disruptionSlots.removeAll { $0.holder == holder }
            if let failure {
                if rollout?.status.isActive == true { rollout?.status = .halted(member: holder, reason: failure) }
            } else {
                rollout?.done.append(holder)
                noteRolloutProgress()
            }
        }
        return true
    }
}
