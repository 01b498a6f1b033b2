import ChorusWire
import HashTreeCollections

/// Whether a member may take a disruption slot now (SPEC §13). The log bounds the slots held by
/// `maxUnavailable` whatever anyone sees (`AgreedState.voidReason`); this adds what only gossip
/// knows: members already out of service for any reason (dead, suspect, draining, leaving, their
/// application unhealthy) spend the budget too, so a slot is not granted while, in the asking
/// node's view, that would take more members out than the budget allows.
public enum DisruptionBudget {
    public enum Verdict: Sendable, Equatable {
        case grant(DisruptionSlot)
        /// The same client already holds this member's slot: nothing to decide (recursive lock).
        case alreadyHeld
        /// Another client holds this member's slot.
        case heldByAnother(clientID: String)
        /// Granting would take more voting members out of service than the budget allows;
        /// `outOfService` names those out already.
        case spent(outOfService: [NodeID])
        /// Only voting members hold slots: the budget counts voting members.
        case notAVoter
    }

    /// The verdict on a slot for `member`, for `purpose` (the term is the next one).
    public static func verdict(for member: NodeID, purpose: DisruptionSlot.Purpose, agreed: AgreedState,
                               members: MemberFactsView) -> Verdict {
        if let held = agreed.disruptionSlot(heldBy: member) {
            return held.purpose.owner == purpose.owner ? .alreadyHeld : .heldByAnother(clientID: held.purpose.owner)
        }
        guard agreed.isVoter(member) else { return .notAVoter }
        let out = outOfService(besides: member, agreed: agreed, members: members)
        guard out.count + 1 <= agreed.maxUnavailable, agreed.disruptionSlots.count < agreed.maxUnavailable else {
            return .spent(outOfService: out)
        }
        return .grant(DisruptionSlot(holder: member, term: agreed.lastSlotTerm &+ 1, purpose: purpose))
    }

    /// Voting members other than `member` that are out of service as the log and this view say:
    /// holding a slot, or not alive and serving with a healthy application. Sorted by id.
    static func outOfService(besides member: NodeID, agreed: AgreedState, members: MemberFactsView) -> [NodeID] {
        agreed.voters.filter { voter in
            guard voter != member else { return false }
            if agreed.disruptionSlot(heldBy: voter) != nil { return true }
            guard let facts = members[voter] else { return true }
            return facts.status != .alive || !facts.inService
        }
    }
}

extension DisruptionSlot.Purpose {
    /// Who may hold and free the slot: a FleetLock client by its id, or the rollout.
    public var owner: String {
        switch self {
        case .reboot(let clientID, _): clientID
        case .rollout: "the rollout"
        }
    }
}
