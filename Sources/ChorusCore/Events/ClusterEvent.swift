import ChorusWire

/// An event about the cluster rather than one member (SPEC §8), with whom it is about when it is
/// a slot's or a rollout turn's: an operator reading `slot-granted` needs to know which node
/// went out, and a hook needs it to act on that node.
public struct ClusterEvent: Sendable, Equatable {
    public let name: EventName
    public let subject: Subject?

    /// The member holding the slot or taking its turn, the slot's term, what it is for (unknown
    /// for a release decided on its own: the slot is gone), and why a turn failed.
    public struct Subject: Sendable, Equatable {
        public let holder: NodeID
        public let term: UInt32
        public let purpose: DisruptionSlot.Purpose?
        public let reason: String?

        public init(holder: NodeID, term: UInt32, purpose: DisruptionSlot.Purpose? = nil, reason: String? = nil) {
            self.holder = holder
            self.term = term
            self.purpose = purpose
            self.reason = reason
        }
    }

    public init(_ name: EventName, about subject: Subject? = nil) {
        self.name = name
        self.subject = subject
    }

    /// The events a decision is when it applies, in order; empty for those that are not events
    /// of their own (the banner's are seen where it is served, since it also expires by each
    /// agent's clock). `agreed` is the state after it: a rollout's last turn also finishes it.
    public static func applying(_ value: DecisionValue, agreed: AgreedState) -> [ClusterEvent] {
        switch value {
        case .startUpgrade: [ClusterEvent(.upgradeStarted)]
        case .cancelUpgrade: [ClusterEvent(.upgradeCancelled)]
        case .approveUpgrade: [ClusterEvent(.upgradeApproved)]
        case .failTasks: [ClusterEvent(.upgradeTasksFailed)]
        case .finishTasks: [ClusterEvent(.upgradeFinished)]
        case .maintenanceOn: [ClusterEvent(.maintenanceOn)]
        case .maintenanceOff: [ClusterEvent(.maintenanceOff)]
        case .grantSlot(let slot): granting(slot)
        case .releaseSlot(let holder, let term): [ClusterEvent(.slotReleased, about: Subject(holder: holder, term: term))]
        case .startRollout:
            agreed.rollout?.startedUpgrade == true ? [ClusterEvent(.upgradeStarted), ClusterEvent(.rolloutStarted)] : [ClusterEvent(.rolloutStarted)]
        case .endRolloutTurn(let holder, let term, let failure): ending(turnOf: holder, term: term, failure: failure, agreed: agreed)
        case .found, .admit, .remove, .retryUpgrade, .grantLease, .renewLease, .setBanner, .clearBanner,
             .installKey, .useKey, .removeKey, .revoke, .revokeOperator, .pauseRollout, .resumeRollout, .abortRollout: []
        }
    }

    private static func granting(_ slot: DisruptionSlot) -> [ClusterEvent] {
        let subject = Subject(holder: slot.holder, term: slot.term, purpose: slot.purpose)
        guard case .rollout = slot.purpose else { return [ClusterEvent(.slotGranted, about: subject)] }
        return [ClusterEvent(.slotGranted, about: subject), ClusterEvent(.rolloutNodeStarted, about: subject)]
    }

    private static func ending(turnOf holder: NodeID, term: UInt32, failure: String?, agreed: AgreedState) -> [ClusterEvent] {
        let purpose = agreed.rollout.map { DisruptionSlot.Purpose.rollout(attempt: $0.attempts[holder] ?? 0) }
        let turn = Subject(holder: holder, term: term, purpose: purpose, reason: failure)
        let released = ClusterEvent(.slotReleased, about: Subject(holder: holder, term: term, purpose: purpose))
        if failure != nil {
            return [released, ClusterEvent(.rolloutNodeFailed, about: turn), ClusterEvent(.rolloutHalted, about: turn)]
        }
        if agreed.rollout?.status == .finished, agreed.rollout?.done.last == holder {
            return [released, ClusterEvent(.rolloutNodeDone, about: turn), ClusterEvent(.rolloutFinished)]
        }
        return [released, ClusterEvent(.rolloutNodeDone, about: turn)]
    }
}
