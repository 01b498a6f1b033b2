import ChorusCore
import ChorusWire

/// `GET /v1/rollout` (SPEC §13): the last rollout as decided, and the disruption budget's slots.
public struct RolloutResponse: Codable, Sendable, Equatable {
    /// `none`, `running`, `paused`, `halted`, `aborted` or `finished`.
    public var state: String
    public var targetVersion: String?
    public var fromVersion: String?
    /// The budget in force: the rollout's while it runs, is paused or halted; 1 once it has
    /// finished or was aborted (and with no rollout), whatever the finished plan said.
    public var maxUnavailable: Int
    public var approve: Bool
    /// Members done, in that order.
    public var done: [String]
    /// Members in their turn now.
    public var inTurn: [String]
    /// Members still to go, in the order they will.
    public var remaining: [String]
    /// With state `halted`: whose turn failed, and why.
    public var halted: Halt?
    public var slots: [Slot]

    public struct Halt: Codable, Sendable, Equatable {
        public var member: String
        public var reason: String
    }

    public struct Slot: Codable, Sendable, Equatable {
        public var holder: String
        /// `rollout` or `reboot` (a FleetLock client's).
        public var purpose: String
        /// The FleetLock client's id, for a reboot.
        public var client: String?
        public var term: UInt32
    }

    static func make(source: some AgentStatusSource) async -> RolloutResponse {
        let agreed = await source.clusterSnapshot().agreed
        func names(_ ids: [NodeID]) async -> [String] { await source.names(of: ids) }
        let holders = await names(agreed.disruptionSlots.map(\.holder))
        let slots = zip(agreed.disruptionSlots, holders).map { slot, holder in
            switch slot.purpose {
            case .reboot(let client, _): Slot(holder: holder, purpose: "reboot", client: client, term: slot.term)
            case .rollout: Slot(holder: holder, purpose: "rollout", client: nil, term: slot.term)
            }
        }
        guard let rollout = agreed.rollout else {
            return RolloutResponse(state: "none", maxUnavailable: agreed.maxUnavailable, approve: false, done: [], inTurn: [],
                                   remaining: [], slots: slots)
        }
        let inTurn = agreed.disruptionSlots.filter { if case .rollout = $0.purpose { true } else { false } }.map(\.holder)
        var halted: Halt?
        if case .halted(let member, let reason) = rollout.status { halted = Halt(member: await names([member])[0], reason: reason) }
        return RolloutResponse(
            state: rollout.status.name, targetVersion: rollout.plan.targetVersion, fromVersion: rollout.fromVersion,
            maxUnavailable: agreed.maxUnavailable, approve: rollout.plan.approve, done: await names(rollout.done),
            inTurn: await names(inTurn),
            remaining: rollout.status.isActive ? await names(rollout.due(among: agreed.voters).filter { !inTurn.contains($0) }) : [],
            halted: halted, slots: slots)
    }
}

