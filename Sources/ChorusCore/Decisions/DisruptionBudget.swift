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
        /// Another holds this member's slot: another FleetLock client, or the rollout.
        case heldByAnother(DisruptionSlot.Purpose)
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
            return held.purpose.hasOwner(of: purpose) ? .alreadyHeld : .heldByAnother(held.purpose)
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
    /// Whether a slot held for this purpose is held by whoever asks for `other`: the same
    /// FleetLock client (a recursive lock), or the rollout again. Typed, not by name: a client
    /// may call itself anything, and must never be taken for the rollout.
    public func hasOwner(of other: Self) -> Bool {
        switch (self, other) {
        case (.reboot(let held, _), .reboot(let asked, _)): held == asked
        case (.rollout, .rollout): true
        default: false
        }
    }

    /// The holder, as an operator reads it: "client ID" or "the rollout".
    public var holderDescription: String {
        switch self {
        case .reboot(let clientID, _): "client \(clientID)"
        case .rollout: "the rollout"
        }
    }
}
